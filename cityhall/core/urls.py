from django.urls import path

from . import metrics, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("staff/", views.staff_home, name="staff-home"),
]

# Outside the language prefix: machines and developers read these.
plain_urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("dev/mailbox/", views.mailbox_list, name="mailbox"),
    path("dev/mailbox/<str:message_id>/", views.mailbox_detail, name="mailbox-message"),
    path(
        "dev/mailbox/<str:message_id>/attachments/<int:index>",
        views.mailbox_attachment,
        name="mailbox-attachment",
    ),
]
