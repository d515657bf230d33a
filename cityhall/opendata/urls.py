"""Open data pages and APIs. Public pages (the transparency page, dataset pages)
sit under the language prefix; machine endpoints (downloads, /data.json, Open311)
are in `plain_urlpatterns`, the same in every language."""

from django.urls import include, path

app_name = "opendata"
urlpatterns: list = []

plain_urlpatterns: list = [
    # Open311 GeoReport v2 (cityhall/opendata/open311, docs/open311.md)
    path("open311/v2/", include("cityhall.opendata.open311.urls")),
]
