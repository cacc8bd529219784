"""GeoReport v2 documents in XML and JSON from one plain structure.

A document is a root name, an item name and a list of items (dicts of field -> value, where a
value is text, a number, a bool, None, a nested list of strings or dicts, or a dict). XML mirrors
the standard's examples (declaration, no namespace, no extra tags); JSON mirrors the XML: a list
root becomes a top-level array, empty values become null. Text is always escaped as text, never
markup: XML by the serializer, JSON with <, > and & as \\u escapes so nothing can be read as HTML.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse it
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

XML = "xml"
JSON = "json"
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}

# Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def _singular(name: str) -> str:
    """The element name of a nested list's items: <formats><format/>, <values><value/>."""
    return {"attributes": "attribute", "values": "value", "formats": "format", "endpoints": "endpoint",
            "notes": "note"}.get(name, name[:-1] if name.endswith("s") else name + "_item")


def _fill(element: ET.Element, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(element, name)
        if isinstance(value, Mapping):
            _fill(child, value)
        elif isinstance(value, list | tuple):
            for item in value:
                sub = ET.SubElement(child, _singular(name))
                if isinstance(item, Mapping):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, content: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> bytes:
    """`item` None: `content` is the root's own fields (discovery, a service definition)."""
    top = ET.Element(root)
    if item is None:
        assert isinstance(content, Mapping)  # noqa: S101 - the callers pass a dict here
        _fill(top, content)
    else:
        for entry in content:
            assert isinstance(entry, Mapping)  # noqa: S101
            _fill(ET.SubElement(top, item), entry)
    body = ET.tostring(top, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if value == "" or value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def to_json(content: Any) -> bytes:
    text = json.dumps(_json_value(content), ensure_ascii=False, separators=(",", ":"))
    # Still the same JSON string values; only no raw <, > or & that a browser could sniff as markup.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def respond(fmt: str, root: str, item: str | None, content: Any, *, status: int = 200) -> HttpResponse:
    body = to_json(content) if fmt == JSON else to_xml(root, item, content)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES[XML]))


def errors(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """The standard's error body: one <error> per problem, `code` being the HTTP status."""
    items = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt, "errors", "error", items, status=status)
