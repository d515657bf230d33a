from django.urls import path

from . import views_public, views_staff

app_name = "cases"

urlpatterns = [
    path("track/", views_public.track, name="track"),
    path("track/<str:token>/", views_public.track_status, name="track-status"),
    path("staff/cases/", views_staff.queue, name="queue"),
    path("staff/cases/<str:reference>/", views_staff.case_detail, name="staff-case"),
    path("staff/cases/<str:reference>/transition/", views_staff.case_transition, name="transition"),
    path("staff/cases/<str:reference>/claim/", views_staff.case_claim, name="claim"),
    path(
        "staff/cases/<str:reference>/attachments/<int:attachment_id>/",
        views_staff.attachment_download,
        name="attachment",
    ),
]
