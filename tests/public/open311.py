"""A tiny Open311 client for tests: it knows only the published standard (paths, parameters,
formats) and reads XML and JSON answers into the same Python shape, so every test can run in both."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from django.test import Client

BASE = "/open311/v2/"
LIST_ROOTS = {"services", "service_requests", "errors", "service_request_updates"}
LIST_FIELDS = {"attributes", "values", "formats", "endpoints", "notes", "photos"}
FORMATS = ["xml", "json"]


@dataclass
class Answer:
    status: int
    content_type: str
    body: Any
    raw: bytes


def _value(element: ET.Element) -> Any:
    children = list(element)
    if element.tag in LIST_FIELDS:
        return [_value(c) if len(c) else c.text for c in children]
    if children:
        return {c.tag: _value(c) for c in children}
    return element.text


def parse_xml(raw: bytes) -> Any:
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), raw[:60]
    root = ET.fromstring(raw)  # noqa: S314 - our own server's answer in a test
    assert "}" not in root.tag  # no namespace
    if root.tag in LIST_ROOTS:
        return [_value(item) for item in root]
    return _value(root)


def call(client: Client, method: str, resource: str, fmt: str, data: dict[str, Any] | None = None) -> Answer:
    path = f"{BASE}{resource}.{fmt}"
    response = client.get(path, data or {}) if method == "GET" else client.post(path, data or {})
    content_type = response["Content-Type"]
    raw = response.content
    if fmt == "json":
        assert content_type == "application/json; charset=utf-8"
        body = json.loads(raw)
    else:
        assert content_type == "text/xml; charset=utf-8"
        body = parse_xml(raw)
    return Answer(response.status_code, content_type, body, raw)


def text(value: Any) -> str | None:
    """XML carries every value as text, JSON as typed values: compare as text ('' and null alike)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
