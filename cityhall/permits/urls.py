from django.urls import path

from . import views_application, views_apply, views_inspections, views_public, views_staff

app_name = "permits"

A = "permits/applications/<str:reference>/"
S = "staff/permits/applications/<str:reference>/"

urlpatterns = [
    path("permits/", views_apply.start, name="start"),
    path("permits/types/<slug:code>/", views_apply.type_page, name="type"),
    path("permits/types/<slug:code>/start/", views_apply.begin, name="begin"),
    path("permits/sign-in/", views_apply.sign_in, name="sign-in"),
    path("permits/search/", views_public.search, name="search"),
    path("permits/issued/<str:number>/", views_public.permit_record, name="public-permit"),
    path("permits/mine/", views_application.mine, name="mine"),
    path(A, views_application.application_page, name="application"),
    path(A + "work/", views_apply.details, name="details"),
    path(A + "address/", views_apply.address, name="address"),
    path(A + "who/", views_apply.contacts, name="contacts"),
    path(A + "documents/", views_apply.documents, name="documents"),
    path(A + "check/", views_apply.check_page, name="check"),
    path(A + "pay/", views_apply.pay, name="pay"),
    path(A + "change/", views_apply.reopen, name="reopen"),
    path(A + "withdraw/", views_application.withdraw, name="withdraw"),
    path(A + "corrections/", views_application.corrections, name="corrections"),
    path(A + "permit.pdf", views_application.permit_pdf, name="permit-pdf"),
    path(A + "renew/", views_application.renew, name="renew"),
    path(A + "inspections/<slug:code>/", views_application.book_inspection, name="book-inspection"),
    path(
        A + "inspections/<int:inspection_id>/cancel/",
        views_application.cancel_inspection,
        name="cancel-inspection",
    ),
    path("staff/permits/", views_staff.queue, name="queue"),
    path(S, views_staff.application_page, name="staff-application"),
    path(S + "steps/<int:step_id>/approve/", views_staff.approve, name="staff-approve"),
    path(
        S + "steps/<int:step_id>/corrections/",
        views_staff.request_corrections,
        name="staff-corrections",
    ),
    path(S + "steps/<int:step_id>/deny/", views_staff.deny, name="staff-deny"),
    path(S + "conditions/", views_staff.add_condition, name="staff-add-condition"),
    path(
        S + "conditions/<int:condition_id>/met/",
        views_staff.meet_condition,
        name="staff-meet-condition",
    ),
    path("staff/permits/inspections/", views_inspections.day_list, name="inspections"),
    path(
        "staff/permits/inspections/<int:inspection_id>/",
        views_inspections.inspection_page,
        name="inspection",
    ),
    path(
        "staff/permits/inspections/<int:inspection_id>/files/<int:attachment_id>/",
        views_inspections.inspection_file,
        name="inspection-file",
    ),
]
