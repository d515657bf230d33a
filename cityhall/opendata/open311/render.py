"""Open311 answers as JSON or XML, and the spec's error format:

    [{"code": 400, "description": "..."}]
    <errors><error><code>400</code><description>...</description></error></errors>

XML is built with ElementTree (it escapes markup); characters XML 1.0 cannot
hold at all (most control characters) are dropped, so every answer is
well-formed whatever was typed into the city's forms or the URL.
"""

from __future__ import annotations

import json
import re
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The element name of one item of each list the spec has.
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


class Open311Error(Exception):
    """An answer in the error format: one HTTP status, one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: Element, name: str, value) -> None:
    element = SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, _ITEM[name], item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = Element(root)
    _fill(element, root, data)
    body = tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` in the format asked for; `root` names the XML document's element
    (a list inside it gets one element per item, named as the spec names them)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, content_type=JSON_TYPE, status=status)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    return respond(fmt if fmt in FORMATS else "json", "errors", body, status=error.status)
