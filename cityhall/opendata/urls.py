"""Open data pages and APIs. Public pages (the transparency page, dataset pages)
sit under the language prefix; machine endpoints (downloads, /data.json, Open311)
are in `plain_urlpatterns`, the same in every language."""

from django.urls import path  # noqa: F401  (the routes come with the datasets and Open311)

app_name = "opendata"
urlpatterns: list = []

plain_urlpatterns: list = []
