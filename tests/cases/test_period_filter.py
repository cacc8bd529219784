"""The case list narrowed to a period: what was reported, or rectified, closed ... on those local
days. The bulletin, the ranking and the dashboards link their figures to these lists."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from chuangcheng.cases import services
from chuangcheng.cases.queries import CaseFilter, filter_cases
from tests.cases.conftest import dispatched, photo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)


def numbers(user, **params):
    return {case.number for case in filter_cases(user, CaseFilter.from_params(params))}


def test_cases_are_found_by_the_day_they_were_reported_or_rectified(scene):
    with time_machine.travel(MONDAY, tick=False):
        monday_case = dispatched(scene)
    # Reported on Tuesday at 23:30 local time: still Tuesday in Shanghai though Tuesday 15:30 UTC.
    with time_machine.travel(MONDAY + dt.timedelta(days=1, hours=14, minutes=30), tick=False):
        tuesday_case = dispatched(scene)
        services.rectify_case(monday_case, by=scene.handler, photos=[photo(scene.handler)])
    admin = scene.cast.street_admin

    assert numbers(admin, since="2026-11-16", until="2026-11-16") == {monday_case.number}
    assert numbers(admin, since="2026-11-17", until="2026-11-17") == {tuesday_case.number}
    assert numbers(admin, since="2026-11-16") == {monday_case.number, tuesday_case.number}
    assert numbers(admin, did="rectified", since="2026-11-17", until="2026-11-17") == {monday_case.number}
    assert numbers(admin, did="rectified", since="2026-11-16", until="2026-11-16") == set()
    assert numbers(admin, did="closed", since="2026-11-17", until="2026-11-17") == set()


def test_malformed_dates_are_refused_and_unknown_events_narrow_nothing(scene, client):
    with time_machine.travel(MONDAY, tick=False):
        case = dispatched(scene)
    with pytest.raises(ValidationError) as refused:
        CaseFilter.from_params({"since": "16/11/2026", "until": "yesterday"})
    assert set(refused.value.message_dict) == {"since", "until"}
    assert CaseFilter.from_params({"did": "exploded"}).did == ""
    client.force_login(scene.cast.street_admin)
    page = client.get("/cases/", {"since": "2026-13-40", "did": "drop table"})
    assert page.status_code == 400  # the error beside the date, every case below
    assert "“2026-13-40”" in page.content.decode() and case.number in page.content.decode()
    export = client.get("/cases/ledger.xlsx", {"since": "2026-13-40"})
    assert export.status_code == 302 and export["Location"] == "/cases/?since=2026-13-40"


def test_the_list_page_keeps_the_period_in_its_form(scene, client):
    with time_machine.travel(MONDAY, tick=False):
        case = dispatched(scene)
    client.force_login(scene.cast.street_admin)
    page = client.get("/cases/", {"did": "dispatched", "since": "2026-11-16", "until": "2026-11-16"})
    body = page.content.decode()
    assert page.status_code == 200 and case.number in body
    assert 'name="since" type="date" value="2026-11-16"' in body
    assert '<option value="dispatched" selected>' in body
    assert case.number not in client.get("/cases/", {"since": "2026-11-17"}).content.decode()
