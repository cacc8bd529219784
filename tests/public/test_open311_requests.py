"""GET requests: the standard's filters (ids, service codes, dates, status), its default window,
paging, jurisdictions, a fixed number of queries, and only public data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category
from chuangcheng.public import services as public_services
from chuangcheng.public.models import Report
from chuangcheng.public.open311 import queries
from tests import factories as f
from tests.public.conftest import LAT, LON, Scene, report, upload
from tests.public.open311 import FORMATS, call

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def reported_on(scene: Scene, moment: dt.datetime, code: str = "XC01", **kw: Any) -> Report:
    with time_machine.travel(moment, tick=False):
        return report(scene, category=Category.objects.get(code=code), device="", **kw)


@pytest.fixture
def history(scene: Scene) -> dict[str, Report]:
    """Four reports: today, ten days ago (closed), a hundred days ago, and one of another service."""
    today = reported_on(scene, NOW - dt.timedelta(hours=1))
    closed = reported_on(scene, NOW - dt.timedelta(days=10))
    cases.reject_case(closed.case, by=scene.cast.street_admin, reason="重复")
    old = reported_on(scene, NOW - dt.timedelta(days=100))
    other = reported_on(scene, NOW - dt.timedelta(days=2), code="SR02")
    return {"today": today, "closed": closed, "old": old, "other": other}


def ids(answer: Any) -> list[str]:
    assert answer.status == 200, answer.body
    return [r["service_request_id"] for r in answer.body]


def n(history: dict[str, Report], *names: str) -> list[str]:
    return [history[name].case.number for name in names]


@pytest.mark.parametrize("fmt", FORMATS)
def test_by_default_the_last_90_days_newest_first(client: Client, history: dict[str, Report], fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        assert ids(call(client, "GET", "requests", fmt)) == n(history, "today", "other", "closed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_filters_combine(client: Client, history: dict[str, Report], fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        assert ids(call(client, "GET", "requests", fmt, {"service_code": "XC01"})) == n(history, "today", "closed")
        assert ids(call(client, "GET", "requests", fmt, {"service_code": "XC01,SR02", "status": "open"})
                   ) == n(history, "today", "other")
        assert ids(call(client, "GET", "requests", fmt, {"status": "closed"})) == n(history, "closed")
        assert ids(call(client, "GET", "requests", fmt, {"status": "open,closed", "service_code": "SR02"})
                   ) == n(history, "other")
        assert ids(call(client, "GET", "requests", fmt, {"service_code": "NOPE"})) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_select_on_the_request_time(client: Client, history: dict[str, Report], fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        window = {"start_date": "2026-08-01T00:00:00+08:00", "end_date": "2026-10-01T00:00:00+08:00"}
        assert ids(call(client, "GET", "requests", fmt, window)) == n(history, "old")
        # A start alone means the 90 days from it; the offset's '+' may arrive as a space.
        assert ids(call(client, "GET", "requests", fmt, {"start_date": "2026-11-20T00:00:00 08:00"})
                   ) == n(history, "today", "other", "closed")
        assert ids(call(client, "GET", "requests", fmt, {"end_date": "2026-11-29"})) == n(history, "other", "closed")
        assert ids(call(client, "GET", "requests", fmt, {"start_date": "2026-11-30T00:30:00Z"})) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_override_every_other_filter(client: Client, history: dict[str, Report], fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        wanted = ",".join(n(history, "old", "closed")) + ",NOPE"
        answer = call(client, "GET", "requests", fmt, {"service_request_id": wanted, "status": "open",
                                                         "service_code": "SR02"})
        assert sorted(ids(answer)) == sorted(n(history, "old", "closed"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_paging(client: Client, history: dict[str, Report], fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        assert ids(call(client, "GET", "requests", fmt, {"page_size": "2"})) == n(history, "today", "other")
        assert ids(call(client, "GET", "requests", fmt, {"page_size": "2", "page": "2"})) == n(history, "closed")
        assert ids(call(client, "GET", "requests", fmt, {"page_size": "2", "page": "3"})) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_paging_one_page_of_the_default_size_with_a_link_to_the_next(
        client: Client, history: dict[str, Report], fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "DEFAULT_PAGE_SIZE", 2)
    with time_machine.travel(NOW, tick=False):
        first = client.get(f"/open311/v2/requests.{fmt}")
        assert ids(call(client, "GET", "requests", fmt)) == n(history, "today", "other")
        link = first["Link"]
        assert link.startswith("<http://testserver/open311/v2/requests.") and link.endswith('>; rel="next"')
        following = link[1:link.index(">")].removeprefix("http://testserver")
        assert "page=2" in following and "page_size=2" in following
        second = client.get(following)
        assert "Link" not in second  # the last page
        assert ids(call(client, "GET", "requests", fmt, {"page": "2"})) == n(history, "closed")


def test_the_default_page_is_50_and_page_size_goes_up_to_100() -> None:
    assert queries.DEFAULT_PAGE_SIZE == 50
    assert queries.MAX_PAGE_SIZE == 100


@pytest.mark.parametrize("fmt", FORMATS)
def test_paging_keeps_the_filters_and_the_next_link_keeps_them_too(client: Client, history: dict[str, Report],
                                                                  fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        asked = {"status": "open", "service_code": "XC01,SR02", "page_size": "1"}
        assert ids(call(client, "GET", "requests", fmt, asked)) == n(history, "today")
        link = client.get(f"/open311/v2/requests.{fmt}", asked)["Link"]
        assert "status=open" in link and "service_code=XC01%2CSR02" in link and "page=2" in link
        assert ids(call(client, "GET", "requests", fmt, {**asked, "page": "2"})) == n(history, "other")
        assert ids(call(client, "GET", "requests", fmt, {**asked, "page": "3"})) == []
        window = {"start_date": "2026-11-20", "end_date": "2026-11-29", "page_size": "100"}
        assert ids(call(client, "GET", "requests", fmt, window)) == n(history, "other", "closed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_asked_by_number_come_all_whatever_the_page_size(client: Client, history: dict[str, Report],
                                                                   fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        wanted = ",".join(n(history, "today", "old", "closed"))
        answer = call(client, "GET", "requests", fmt, {"service_request_id": wanted, "page_size": "1"})
        assert sorted(ids(answer)) == sorted(n(history, "today", "old", "closed"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "value"), [
    ("page_size", "101"), ("page_size", "0"), ("page_size", "-5"), ("page_size", "1.5"), ("page_size", "ten"),
    ("page", "0"), ("page", "-1"), ("page", "abc"), ("page", "100001"), ("page", "1e3"),
])
def test_a_bad_page_or_page_size_is_a_clear_400(client: Client, history: dict[str, Report], fmt: str, name: str,
                                                value: str) -> None:
    answer = call(client, "GET", "requests", fmt, {name: value})
    assert answer.status == 400
    high = 100 if name == "page_size" else 100000
    assert [e["code"] for e in answer.body] in (["400"], [400])
    assert answer.body[0]["description"] == f"{name}：请填写 1 到 {high} 之间的整数。"  # the UI's zh-hans


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_jurisdiction_narrows_to_its_area(client: Client, scene: Scene, history: dict[str, Report],
                                            fmt: str) -> None:
    other = f.street(scene.cast.district, code="150103002", name="环河街街道")
    with time_machine.travel(NOW, tick=False):
        assert ids(call(client, "GET", "requests", fmt, {"jurisdiction_id": scene.cast.street.code})
                   ) == n(history, "today", "other", "closed")
        assert ids(call(client, "GET", "requests", fmt, {"jurisdiction_id": scene.cast.district.code})
                   ) == n(history, "today", "other", "closed")
        assert ids(call(client, "GET", "requests", fmt, {"jurisdiction_id": other.code})) == []


def test_only_cases_from_the_public_are_requests(client: Client, scene: Scene, history: dict[str, Report]) -> None:
    inspected = cases.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                  description="督查发现", grid=scene.cast.grid_a, lon=LON, lat=LAT)
    with time_machine.travel(NOW, tick=False):
        assert inspected.number not in ids(call(client, "GET", "requests", "json"))
        assert call(client, "GET", f"requests/{inspected.number}", "json").status == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_and_no_hidden_text_leave(client: Client, scene: Scene, fmt: str) -> None:
    resident = report(scene, name="王秀英", phone="13800138000", phone_verified=True,
                      description="我家楼下，电话13800138000")
    answer = call(client, "GET", "requests", fmt)
    assert answer.body[0]["description"] == "我家楼下，电话13800138000"  # what they wrote is public…
    public_services.hide_text(resident, by=scene.cast.street_admin, reason="含电话")
    answer = call(client, "GET", "requests", fmt)
    assert answer.body[0]["service_request_id"] == resident.case.number  # …until a moderator hides it
    for secret in ["王秀英", "13800138000", resident.code]:
        assert secret.encode() not in answer.raw
    updates = call(client, "GET", "servicerequestupdates", fmt)
    assert b"13800138000" not in updates.raw


def test_the_number_of_queries_does_not_grow_with_the_requests(client: Client, scene: Scene) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert call(client, "GET", "requests", "json", {"extensions": "true"}).status == 200
            assert call(client, "GET", "servicerequestupdates", "json").status == 200
        return len(ctx.captured_queries)

    for _i in range(2):
        r = report(scene, photos=[upload("blue")], device="")
        cases.accept_case(r.case, by=scene.cast.street_admin)
    few = count()
    for _i in range(4):
        r = report(scene, photos=[upload("green")], device="")
        cases.accept_case(r.case, by=scene.cast.street_admin)
        cases.dispatch_case(r.case, by=scene.cast.street_admin, unit=scene.unit)
    assert count() == few
