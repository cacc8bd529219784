"""The ledgers in Excel, read back with openpyxl: the inspection ledger (督查台账) for any filter of
the inspection records, one row per inspection with its failed items and cases, scoped, formulas
kept as text and every export logged; and the case ledger's phone numbers, masked unless the
reader's role calls people."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from chuangcheng.core.models import AuditEvent
from chuangcheng.inspections.models import Inspection, ItemResult
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.reports.test_dashboard import NOON, Street, build_street

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def street(cast: Any, media: Any) -> Any:
    with time_machine.travel(NOON, tick=False):
        yield build_street(cast)


def rows_of(response: Any) -> tuple[list[Any], list[list[Any]]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[2]]
    return header, [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]


def column(header: list[Any], rows: list[list[Any]], index: int) -> list[Any]:
    return [row[index] for row in rows]


def test_one_row_per_inspection_with_its_failures_and_cases(street: Street, as_user: Any) -> None:
    header, rows = rows_of(as_user(street.cast.street_admin).get(
        reverse("inspections:export"), {"since": "2026-06-01", "until": "2026-06-10"}))
    assert len(header) == 19 and header[18] == "检查方式"  # who checked, last
    assert column(header, rows, 4) == ["PA1", "PB1", "PA2", "PA1", "PB1"]  # oldest first
    pa2 = rows[2]
    assert pa2[0].date().isoformat() == "2026-06-08"
    assert (pa2[9], pa2[10], pa2[11], pa2[12]) == (0, 4, 0, 2)  # score, possible, rate %, items failed
    assert pa2[13].count("\n") == 1  # two failed items, one a line
    assert pa2[14].startswith(f"{street.cases['C1'].number} ")  # the case its failure opened, with its state
    assert rows[4][14] is None  # PB1 failed today, no case linked
    assert rows[0][11] == 50.0 and rows[0][7]  # PA1 is a zero-loss point


def test_the_ledger_follows_the_records_filters(street: Street, as_user: Any) -> None:
    client = as_user(street.cast.street_admin)
    url = reverse("inspections:export")
    week = {"since": "2026-06-08", "until": "2026-06-10"}

    def points(**params: str) -> list[str]:
        header, rows = rows_of(client.get(url, {**week, **params}))
        return column(header, rows, 4)

    assert points() == ["PA2", "PA1", "PB1"]
    assert points(failed="1") == ["PA2", "PB1"]
    assert points(community=street.cast.community_b.code) == ["PB1"]
    assert points(type="ROAD_MAIN", person="inspector") == ["PA2", "PA1", "PB1"]
    assert points(person="nobody") == []
    assert points(point="PA1") == ["PA1"]
    assert client.get(url, {"since": "yesterday"}).status_code == 400
    assert client.get(url, {"since": "2026-06-10", "until": "2026-06-01"}).status_code == 400


def test_the_ledger_is_scoped_logged_and_refused_to_units(street: Street, as_user: Any) -> None:
    header, rows = rows_of(as_user(street.cast.admin_b).get(
        reverse("inspections:export"), {"since": "2026-06-01", "until": "2026-06-10"}))
    assert column(header, rows, 4) == ["PB1", "PB1"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == street.cast.admin_b and event.changes == {"inspections": 2}
    assert "inspection ledger" in event.note and "since=2026-06-01" in event.note
    assert as_user(street.handler).get(reverse("inspections:export")).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_formula_like_text_stays_text(street: Street, as_user: Any) -> None:
    inspection = Inspection.objects.get(point__code="PA2")
    Inspection.objects.filter(pk=inspection.pk).update(note='=HYPERLINK("http://evil.example","点")')
    ItemResult.objects.filter(inspection=inspection, result="fail").update(note="@SUM(A1)")
    response = as_user(street.cast.street_admin).get(reverse("inspections:export"), {"point": "PA2",
                                                                                    "from": "2026-06-08"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    note, items = sheet["R3"], sheet["N3"]
    assert note.value == "'=HYPERLINK(\"http://evil.example\",\"点\")" and note.data_type == "s"
    assert "@SUM(A1)" in items.value and items.data_type == "s"


def test_the_case_ledger_masks_phone_numbers_for_roles_that_do_not_call(street: Street, as_user: Any) -> None:
    from chuangcheng.public.models import Report
    from tests.factories import PersonFactory

    Report.objects.create(case=street.cases["C2"], code="R7K2M9", phone="13912345678")  # a resident's report
    worker = street.cast.grid_worker_a  # reported C1 and C3
    worker.person = PersonFactory(code="GW-A", name="网格员甲", phone="13800001111", region=street.cast.grid_a)
    worker.save()
    for user, resident, staff in [(street.cast.street_admin, "13912345678", "13800001111"),
                                  (street.cast.leader, "139****5678", "138****1111")]:
        header, rows = rows_of(as_user(user).get(reverse("cases:export")))
        assert len(header) == 25
        by_number = {row[0]: row[24] for row in rows}
        assert by_number[street.cases["C2"].number] == resident
        assert by_number[street.cases["C1"].number] == staff


def test_control_characters_in_notes_are_dropped_not_a_server_error(street: Street, as_user: Any) -> None:
    inspection = Inspection.objects.get(point__code="PA2")
    Inspection.objects.filter(pk=inspection.pk).update(note=control_text())
    ItemResult.objects.filter(inspection=inspection, result="fail").update(note=control_text("缺", "失"))
    book = read_back(as_user(street.cast.street_admin).get(reverse("inspections:export"),
                                                           {"point": "PA2", "since": "2026-06-08"}))
    assert_cleaned(book)
    assert_cleaned(book, "缺", "失")


def test_more_inspections_than_an_export_holds_go_back_to_the_records_with_a_message(
        street: Street, as_user: Any, settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 2
    response = as_user(street.cast.street_admin).get(reverse("inspections:export"),
                                                     {"since": "2026-06-01", "until": "2026-06-10"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("inspections:history"))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_bad_period_is_shown_beside_the_records_fields_and_refused_by_the_ledger(
        street: Street, as_user: Any) -> None:
    client = as_user(street.cast.street_admin)
    page = client.get(reverse("inspections:history"), {"since": "2026-06-40", "until": "2026-06-10"})
    html = page.content.decode()
    assert page.status_code == 400 and 'id="id_since_errors"' in html and "“2026-06-40”" in html
    assert page.context["since"] == page.context["until"] - dt.timedelta(days=29)  # the default period below
    refused = client.get(reverse("inspections:export"), {"since": "2026-06-40"})
    assert refused.status_code == 400 and "“2026-06-40”" in refused.content.decode()
    old_link = client.get(reverse("inspections:history"), {"from": "2026-06-08", "to": "2026-06-10"})
    assert (old_link.context["since"], old_link.context["until"]) == (dt.date(2026, 6, 8), dt.date(2026, 6, 10))
