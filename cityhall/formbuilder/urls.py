from django.urls import path

from . import views_resident, views_staff

app_name = "formbuilder"

_S = "services/<slug:code>/<uuid:public_id>/"

urlpatterns = [
    path("services/<slug:code>/", views_resident.start, name="start"),
    path(_S + "page/<slug:page_key>/", views_resident.page, name="page"),
    path(_S + "contact/", views_resident.contact, name="contact"),
    path(_S + "check/", views_resident.check, name="check"),
    path(_S + "sent/", views_resident.sent, name="sent"),
    path(_S + "pay/", views_resident.pay, name="pay"),
    path("staff/formbuilder/cases/<str:reference>/", views_staff.case, name="staff-case"),
    path(
        "staff/formbuilder/cases/<str:reference>/decide/", views_staff.decide, name="staff-decide"
    ),
]
