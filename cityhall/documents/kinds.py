"""What each kind of document is called, for the verification pages.

Service apps register their kinds from AppConfig.ready(), as they register
service types; an unregistered kind shows its slug in words.
"""

from __future__ import annotations

from typing import Any

_labels: dict[str, Any] = {}


def register_kind(slug: str, label) -> None:
    _labels[slug] = label


def kind_label(slug: str) -> Any:
    return _labels.get(slug) or slug.replace("_", " ").replace("-", " ").capitalize()
