"""Malformed Open311 requests get the standard's error document (a list of code + description, the
code being the HTTP status) with the right status, in XML and JSON, never a 500, and store nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from chuangcheng.cases.models import Case, CaseEvent, Category
from chuangcheng.public.open311 import services
from tests import factories as f
from tests.public.conftest import LAT, LON, Scene
from tests.public.open311 import BASE, FORMATS, parse_xml, text

GOOD = {"service_code": "XC01", "lat": str(LAT), "long": str(LON), "description": "小广告"}

# (method, resource, parameters, status); "KEY" stands for a valid api_key.
CASES: list[tuple[str, str, dict[str, str], int]] = [
    ("GET", "services", {"jurisdiction_id": "NOPE"}, 404),
    ("GET", "services/NOPE", {}, 404),
    ("GET", "services/SR", {}, 404),  # a group, not a service
    ("GET", "requests/CC-20260101-9999", {}, 404),
    ("GET", "tokens/NOPE", {}, 404),
    ("GET", "nothing/here", {}, 404),
    ("GET", "requests", {"start_date": "yesterday"}, 400),
    ("GET", "requests", {"end_date": "2026-13-45T00:00:00Z"}, 400),
    ("GET", "requests", {"start_date": "2026-11-30", "end_date": "2026-11-01"}, 400),
    ("GET", "requests", {"start_date": "2026-01-01", "end_date": "2026-11-30"}, 400),  # more than 90 days
    ("GET", "requests", {"status": "pending"}, 400),
    ("GET", "requests", {"page_size": "101"}, 400),
    ("GET", "requests", {"page": "0"}, 400),
    ("GET", "requests", {"page": "abc"}, 400),
    ("GET", "requests", {"jurisdiction_id": "NOPE"}, 404),
    ("GET", "servicerequestupdates", {"start_date": "0000-00-00"}, 400),
    # Dates at datetime's edges overflow when moved to UTC or widened to a 90-day window.
    ("GET", "requests", {"start_date": "9999-12-31T23:59:59Z"}, 400),
    ("GET", "requests", {"end_date": "0001-01-01T00:00:00+08:00"}, 400),
    ("GET", "requests", {"start_date": "9999-12-31"}, 400),
    ("GET", "servicerequestupdates", {"start_date": "9999-12-31T23:59:59Z"}, 400),
    ("GET", "servicerequestupdates", {"end_date": "0001-01-01"}, 400),
    ("GET", "requests", {"page": "²"}, 400),  # a digit to str.isdigit(), not to int()
    ("POST", "services", {}, 400),
    ("POST", "requests", {**GOOD}, 403),  # no api_key
    ("POST", "requests", {**GOOD, "api_key": "o311_wrong"}, 403),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "jurisdiction_id": "150103002"}, 403),  # another street
    ("POST", "requests", {**GOOD, "api_key": "KEY", "jurisdiction_id": "NOPE"}, 404),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "service_code": ""}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "service_code": "NOPE"}, 404),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "service_code": "SR01"}, 404),  # not public
    ("POST", "requests", {"api_key": "KEY", "service_code": "XC01", "description": "无位置"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "long": ""}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "lat": "north"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "lat": "95"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "long": "NaN"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "lat": "39.90", "long": "116.40"}, 400),  # outside our grids
    ("POST", "requests", {**GOOD, "api_key": "KEY", "description": "字" * 4001}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "email": "not-an-email"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "media_url": "javascript:alert(1)"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "phone": "123"}, 400),
    ("POST", "requests", {**GOOD, "api_key": "KEY", "first_name": "名" * 51}, 400),
    ("POST", "requests", {"api_key": "KEY", "service_code": "XC01", "address_id": "NO-SUCH-POINT"}, 400),
    ("POST", "servicerequestupdates", {"description": "还没修好"}, 403),
    ("POST", "servicerequestupdates", {"api_key": "KEY", "description": "还没修好"}, 400),
    ("POST", "servicerequestupdates", {"api_key": "KEY", "service_request_id": "NOPE", "description": "x"}, 404),
]


@pytest.fixture
def key(scene: Scene) -> str:
    f.street(scene.cast.district, code="150103002", name="环河街街道")
    Category.objects.filter(code="SR01").update(public=False)
    return services.issue_key(street=scene.cast.street, name="热线", by=None)[1]


def body_of(fmt: str, raw: bytes) -> Any:
    return json.loads(raw) if fmt == "json" else parse_xml(raw)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("method", "resource", "params", "status"), CASES,
                         ids=[f"{m} {r} {sorted(p)} {s}" for m, r, p, s in CASES])
def test_a_malformed_request_gets_the_standard_error_document(
        client: Client, key: str, fmt: str, method: str, resource: str, params: dict[str, str], status: int
) -> None:
    data = {name: key if value == "KEY" else value for name, value in params.items()}
    path = f"{BASE}{resource}.{fmt}"
    response = client.get(path, data) if method == "GET" else client.post(path, data)
    assert response.status_code == status, response.content.decode()
    errors = body_of(fmt, response.content)
    assert isinstance(errors, list) and errors
    for error in errors:
        assert set(error) == {"code", "description"}
        assert text(error["code"]) == str(status)
        assert error["description"]
    assert Case.objects.count() == 0
    assert not CaseEvent.objects.filter(action="comment").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_several_problems_are_listed_together(client: Client, key: str, fmt: str) -> None:
    response = client.post(f"{BASE}requests.{fmt}", {"api_key": key, "service_code": "XC01", "lat": "north",
                                                     "long": "999", "email": "nope"})
    assert response.status_code == 400
    assert len(body_of(fmt, response.content)) == 2  # lat and long; the e-mail is checked once they are right


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("content_type", "payload"), [
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n--"),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"api_key=%FF%FE&service_code=%C0%AF"),
    ("application/json", b'{"api_key": "x"}'),
])
def test_a_body_that_cannot_be_read_is_refused_not_crashed_on(
        client: Client, key: str, fmt: str, content_type: str, payload: bytes) -> None:
    response = client.generic("POST", f"{BASE}requests.{fmt}", payload, content_type=content_type)
    assert response.status_code in {400, 403}
    errors = body_of(fmt, response.content)
    assert text(errors[0]["code"]) == str(response.status_code)


def test_an_unknown_format_extension_answers_in_xml(client: Client, db: None) -> None:
    response = client.get(f"{BASE}services.html")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert text(parse_xml(response.content)[0]["code"]) == "404"


def test_characters_xml_cannot_carry_are_dropped_so_the_document_stays_valid(
        client: Client, key: str) -> None:
    response = client.post(f"{BASE}requests.xml", {**GOOD, "api_key": key, "description": "小\x00广\x01告\x1b"})
    assert response.status_code == 200
    number = parse_xml(response.content)[0]["service_request_id"]
    assert Case.objects.get(number=number).description == "小广告"
    assert parse_xml(client.get(f"{BASE}requests/{number}.xml").content)[0]["description"] == "小广告"


def test_an_inactive_group_hides_its_services(client: Client, db: None) -> None:
    Category.objects.filter(code="XC").update(active=False)
    codes = {s["service_code"] for s in json.loads(client.get(f"{BASE}services.json").content)}
    assert "XC01" not in codes and "SR02" in codes
