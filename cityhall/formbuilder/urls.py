from django.urls import path

from . import views_builder, views_preview, views_resident, views_staff

app_name = "formbuilder"

_S = "services/<slug:code>/<uuid:public_id>/"

_B = "staff/formbuilder/builder/"
_BS = _B + "<slug:code>/"

urlpatterns = [
    path(_B, views_builder.index, name="builder"),
    path(_B + "new/", views_builder.create, name="builder-create"),
    path(_B + "import/", views_builder.import_, name="builder-import"),
    path(_BS, views_builder.service, name="builder-service"),
    path(_BS + "pages/<int:n>/", views_builder.page, name="builder-page"),
    path(_BS + "pages/<int:n>/change/", views_builder.page_action, name="builder-page-action"),
    path(_BS + "preview/", views_preview.preview, name="builder-preview"),
    path(_BS + "preview/<slug:key>/", views_preview.preview, name="builder-preview-page"),
    path(_BS + "publish/", views_builder.publish, name="builder-publish"),
    path(_BS + "unpublish/", views_builder.unpublish, name="builder-unpublish"),
    path(_BS + "export/", views_builder.export, name="builder-export"),
    path(_BS + "json/", views_builder.edit_json, name="builder-json"),
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
