"""URLs outside the language prefix (webhooks: providers call them)."""

from django.urls import path

from . import views_webhooks

app_name = "payments-plain"

urlpatterns = [
    path("payments/webhooks/<slug:provider>/", views_webhooks.webhook, name="webhook"),
]
