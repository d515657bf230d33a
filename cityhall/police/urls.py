from django.urls import path

from . import views_items, views_report, views_staff

app_name = "police"

urlpatterns = [
    path("police/report/", views_report.start, name="start"),
    path("police/report/begin/", views_report.begin, name="begin"),
    path("police/report/check/<slug:code>/", views_report.question, name="question"),
    path("police/report/not-online/<slug:reason>/", views_report.ineligible, name="ineligible"),
    path("police/report/about-you/", views_report.about_you, name="about-you"),
    path("police/report/incident/", views_report.incident, name="incident"),
    path("police/report/description/", views_report.narrative, name="narrative"),
    path("police/report/items/", views_items.items, name="items"),
    path("police/report/items/add/", views_items.item_form, name="item-add"),
    path("police/report/items/<int:item_id>/", views_items.item_form, name="item-edit"),
    path("police/report/items/<int:item_id>/remove/", views_items.item_remove, name="item-remove"),
    path("police/report/check-your-answers/", views_report.check, name="check"),
    path("police/report/sent/", views_report.sent, name="sent"),
    path("police/report/resume/<str:token>/", views_report.resume, name="resume"),
    path("police/report/amend/<str:token>/", views_report.amend, name="amend"),
    path("staff/police/", views_staff.queue, name="queue"),
    path("staff/police/serial-search/", views_staff.serial_search, name="serial-search"),
    path("staff/police/export-errors/", views_staff.export_errors, name="export-errors"),
    path("staff/police/file/", views_staff.counter_start, name="counter-start"),
    path("staff/police/<str:reference>/", views_staff.report_page, name="staff-report"),
    path("staff/police/<str:reference>/approve/", views_staff.approve, name="approve"),
    path(
        "staff/police/<str:reference>/documents/<str:code>.pdf",
        views_staff.document_pdf,
        name="document",
    ),
    path("staff/police/<str:reference>/reject/", views_staff.reject, name="reject"),
    path(
        "staff/police/<str:reference>/request-info/", views_staff.request_info, name="request-info"
    ),
    path("staff/police/<str:reference>/refer/", views_staff.refer, name="refer"),
    path("staff/police/<str:reference>/recode/", views_staff.recode, name="recode"),
]
