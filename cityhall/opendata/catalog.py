"""/data.json: the DCAT-US (Project Open Data v1.1) catalogue of every published
dataset, the format data.gov and CKAN harvest. Validated in the tests against
the v1.1 schema (tests/schema/)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from . import registry
from .registry import Dataset

CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
FORMATS = (("csv", "text/csv", "CSV"), ("json", "application/json", "JSON"))


def absolute(name: str, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.CITY_SITE_URL + reverse(name, args=args)


def modified_of(dataset: Dataset) -> str:
    changed, _token = dataset.version()
    return (timezone.localtime(changed) if changed else timezone.now()).date().isoformat()


def entry(dataset: Dataset) -> dict:
    page = absolute("opendata:dataset", dataset.slug)
    with translation.override(settings.LANGUAGE_CODE):
        title, description = str(dataset.title), str(dataset.description)
        distributions = [
            {
                "@type": "dcat:Distribution",
                "title": f"{title} ({label})",
                "downloadURL": absolute(f"opendata-plain:download-{kind}", dataset.slug),
                "mediaType": media,
                "format": label,
                "describedBy": page,
                "describedByType": "text/html",
            }
            for kind, media, label in FORMATS
        ]
    return {
        "@type": "dcat:Dataset",
        "title": title,
        "description": description,
        "keyword": list(dataset.keywords),
        "modified": modified_of(dataset),
        "publisher": {"@type": "org:Organization", "name": settings.CITY_NAMES["en"]},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": f"{settings.CITY_NAMES['en']} open data",
            "hasEmail": f"mailto:{settings.CITYHALL_OPEN_DATA_EMAIL}",
        },
        "identifier": page,
        "accessLevel": "public",
        "license": registry.LICENCE,
        "spatial": settings.CITY_NAMES["en"],
        "accrualPeriodicity": dataset.periodicity,
        "landingPage": page,
        "describedBy": page,
        "describedByType": "text/html",
        "language": ["en-US"],
        "theme": [dataset.theme],
        "distribution": distributions,
    }


def catalogue() -> dict:
    return {
        "@context": CONTEXT,
        "@id": absolute("opendata-plain:data-json"),
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [entry(d) for d in registry.all_datasets()],
    }
