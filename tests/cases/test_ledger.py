"""The case ledger (整改台账) in Excel: the list's filter, the caller's scope, formulas kept as
text, and a line in the change log for every export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from chuangcheng.cases import services
from chuangcheng.core.models import AuditEvent
from tests.cases.conftest import dispatched, reported
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.factories import PointFactory

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_the_ledger_follows_the_filter_and_the_scope(scene, as_user, cast):
    open_case = dispatched(scene)
    waiting = reported(scene)
    elsewhere = services.report_case(
        by=cast.street_admin, source="staff", category=scene.category, description="乙社区的问题",
        point=PointFactory(code="B-1", grid=cast.grid_b, primary_unit=scene.other_unit))
    everything = sheet_of(as_user(cast.street_admin).get(reverse("cases:export")))
    numbers = [row[0].value for row in everything.iter_rows(min_row=3)]
    assert numbers == [open_case.number, waiting.number, elsewhere.number]  # oldest first
    header = [c.value for c in everything[2]]
    assert header[0] == "编号" and "责任单位" in header
    assert everything["B3"].value == MONDAY.replace(tzinfo=None)  # local time, as Excel shows it

    only_dispatched = sheet_of(as_user(cast.street_admin).get(reverse("cases:export"), {"state": "dispatched"}))
    assert [row[0].value for row in only_dispatched.iter_rows(min_row=3)] == [open_case.number]
    community_b = sheet_of(as_user(cast.admin_b).get(reverse("cases:export")))
    assert [row[0].value for row in community_b.iter_rows(min_row=3)] == [elsewhere.number]


def test_a_description_that_looks_like_a_formula_stays_text(scene, as_user, cast):
    services.report_case(by=cast.grid_worker_a, source="inspection", category=scene.category,
                         description='=HYPERLINK("http://evil.example","点这里")', point=scene.point)
    services.report_case(by=cast.grid_worker_a, source="inspection", category=scene.category,
                         description="-1+1 号楼门口", point=scene.point)
    sheet = sheet_of(as_user(cast.street_admin).get(reverse("cases:export")))
    column = [c.value for c in sheet["K"][2:]]
    assert column == ["'=HYPERLINK(\"http://evil.example\",\"点这里\")", "'-1+1 号楼门口"]
    assert all(c.data_type == "s" for c in sheet["K"][2:])


def test_every_export_is_logged_and_roles_without_a_ledger_are_refused(scene, as_user, cast):
    reported(scene)
    as_user(cast.street_admin).get(reverse("cases:export"), {"overdue": "1"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == cast.street_admin and "overdue=1" in event.note and event.changes == {"cases": 0}
    assert as_user(cast.grid_worker_a).get(reverse("cases:export")).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_a_unit_handler_exports_only_the_units_cases(scene, as_user, cast):
    mine = dispatched(scene)
    reported(scene)  # not dispatched: not the unit's
    sheet = sheet_of(as_user(scene.handler).get(reverse("cases:export")))
    assert [row[0].value for row in sheet.iter_rows(min_row=3)] == [mine.number]


def test_a_report_with_control_characters_exports_without_them(scene, as_user, cast):
    services.report_case(by=cast.grid_worker_a, source="inspection", category=scene.category,
                         description=control_text(), point=scene.point)
    assert_cleaned(read_back(as_user(cast.street_admin).get(reverse("cases:export"))))


def test_more_cases_than_an_export_holds_are_sent_back_to_the_list_with_a_message(scene, as_user, cast, settings):
    settings.EXPORT_MAX_ROWS = 1
    reported(scene)
    reported(scene)
    response = as_user(cast.street_admin).get(reverse("cases:export"), {"state": "open"}, follow=True)
    assert response.redirect_chain == [(reverse("cases:list") + "?state=open", 302)]
    assert "2" in response.content.decode() and "1" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
