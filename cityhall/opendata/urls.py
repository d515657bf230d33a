"""Open data pages and APIs. Public pages (the transparency page, dataset pages)
sit under the language prefix; machine endpoints (downloads, /data.json, Open311)
are in `plain_urlpatterns`, the same in every language."""

from django.urls import include, path

from . import views, views_data

app_name = "opendata"
urlpatterns: list = [
    # -- datasets and the transparency page (opendata helper) --
    path("transparency/", views.transparency, name="transparency"),
    path("data/", views.dataset_list, name="datasets"),
    path("data/<slug:slug>/", views.dataset_page, name="dataset"),
    # -- end datasets --
]

plain_urlpatterns: list = [
    # Open311 GeoReport v2 (cityhall/opendata/open311, docs/open311.md)
    path("open311/v2/", include("cityhall.opendata.open311.urls")),
    # -- datasets (opendata helper) --
    path("data.json", views_data.data_json, name="data-json"),
    path("data/<slug:slug>.csv", views_data.download_csv, name="download-csv"),
    path("data/<slug:slug>.json", views_data.download_json, name="download-json"),
    # -- end datasets --
]
