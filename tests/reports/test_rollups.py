"""Daily rollups: every figure of the `week` scene (tests/reports/conftest.py), counted by hand.

What the scene holds, per day (grid A: A1 zero-loss, A2, A3, inactive A4; grid B: B1, B2 zero-loss):
- D1: plan A1, A2, B1. Inspections: A1 2/4 (I2 failed, XC01; I3 n.a.), A1 again 6/6 by the grid
  worker, A3 2/6 (I1 XC01 and I2 SR01 failed), B1 4/4 (I3 n.a.). Cases: C1 at A1 reported and
  dispatched to the property company (deadline D2 17:30); C2 resident report in B; C4 hotline
  report in B, rejected.
- D2: B2 inspected 6/6. C3 at A2: dispatched to the squad, sent back, dispatched to the property
  company, rectified on time, closed at the first attempt. C1 passes its deadline: due and missed,
  overdue at the end of D2.
- D3: C1 rectified late, returned for rework, rectified late again (awaiting verification). C3's
  deadline (D3 17:30) falls: due, met (rectified and closed the day before).
- D4: C1 verified and closed.  D5: C1 reopened (a new deadline, on D8).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from chuangcheng.reports.models import DailyRollup, UnitRollup
from chuangcheng.reports.services import rollups
from chuangcheng.reports.services.rollups import REGION_FIELDS, UNIT_FIELDS, build_day, compute_day
from tests.reports.conftest import D1, D2, D3, D4, D5, D6, at

LATER = at(D6 + dt.timedelta(days=3), 12)  # Tuesday 9 June, after everything

GRID_A = {
    D1: dict(points=3, zero_loss_points=1, visits_planned=2, visits_done=1, inspections=3, points_inspected=2,
             score=10, max_score=16, items_checked=8, items_failed=3, points_failed=2, zero_loss_failed=1,
             cases_opened=1, cases_dispatched=1, cases_open=1),
    D2: dict(points=3, zero_loss_points=1, cases_opened=1, cases_dispatched=2, cases_wrong_unit=1,
             cases_rectified=1, cases_rectified_on_time=1, cases_closed=1, cases_open=1, cases_overdue=1,
             cases_due=1, cases_first_time=1),
    D3: dict(points=3, zero_loss_points=1, cases_rectified=2, cases_returned=1, cases_open=1,
             cases_due=1, cases_due_met=1),
    D4: dict(points=3, zero_loss_points=1, cases_closed=1),
    D5: dict(points=3, zero_loss_points=1, cases_reopened=1, cases_open=1),
}
GRID_B = {
    D1: dict(points=2, zero_loss_points=1, visits_planned=1, visits_done=1, inspections=1, points_inspected=1,
             score=4, max_score=4, items_checked=2, cases_opened=2, cases_from_residents=2, cases_open=1),
    D2: dict(points=2, zero_loss_points=1, inspections=1, points_inspected=1, score=6, max_score=6,
             items_checked=3, cases_open=1),
    D3: dict(points=2, zero_loss_points=1, cases_open=1),
    D4: dict(points=2, zero_loss_points=1, cases_open=1),
    D5: dict(points=2, zero_loss_points=1, cases_open=1),
}
CATEGORIES_A = {D1: {"XC01": {"failed": 2, "opened": 1}, "SR01": {"failed": 1, "opened": 0}},
                D2: {"XC01": {"failed": 0, "opened": 1}}}
CATEGORIES_B = {D1: {"SR01": {"failed": 0, "opened": 2}}}
PROPERTY = {
    D1: dict(cases_dispatched=1, cases_open=1),
    D2: dict(cases_dispatched=1, cases_rectified=1, cases_rectified_on_time=1, cases_closed=1, cases_open=1,
             cases_overdue=1, cases_due=1, cases_first_time=1),
    D3: dict(cases_rectified=2, cases_returned=1, cases_open=1, cases_due=1, cases_due_met=1),
    D4: dict(cases_closed=1),
    D5: dict(cases_reopened=1, cases_open=1),
}
SQUAD = {D2: dict(cases_dispatched=1, cases_wrong_unit=1)}


def full(expected: dict[str, int], fields: list[str] = REGION_FIELDS) -> dict[str, Any]:
    return {name: expected.get(name, 0) for name in fields}


def figures(row: Any, fields: list[str] = REGION_FIELDS) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {name: (int(get(name)) if isinstance(get(name), Decimal) else get(name)) for name in fields}


def added(*rows: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        for name, value in row.items():
            out[name] = out.get(name, 0) + value
    return out


@pytest.mark.parametrize("day", [D1, D2, D3, D4, D5])
def test_every_figure_of_a_day_matches_the_hand_count(week, day):
    cast = week.cast
    with time_machine.travel(LATER, tick=False):
        result = compute_day(day, cast.street)
    assert figures(result.regions[cast.grid_a.pk]) == full(GRID_A[day])
    assert figures(result.regions[cast.grid_b.pk]) == full(GRID_B[day])
    assert result.regions[cast.grid_a.pk]["by_category"] == CATEGORIES_A.get(day, {})
    assert result.regions[cast.grid_b.pk]["by_category"] == CATEGORIES_B.get(day, {})
    # A community is the sum of its grid, the street the sum of both.
    assert figures(result.regions[cast.community_a.pk]) == full(GRID_A[day])
    assert figures(result.regions[cast.street.pk]) == full(added(GRID_A[day], GRID_B[day]))
    assert result.regions[cast.street.pk]["by_category"].get("XC01", {}).get("failed", 0) == (2 if day == D1 else 0)
    assert cast.district.pk not in result.regions
    units = {uid: figures(row, UNIT_FIELDS) for uid, row in result.units.items()}
    expected = {week.property_unit.pk: full(PROPERTY[day], UNIT_FIELDS)} if day in PROPERTY else {}
    if day in SQUAD:
        expected[week.squad.pk] = full(SQUAD[day], UNIT_FIELDS)
    assert units == expected


def test_the_end_of_a_past_day_is_rebuilt_from_events_after_later_changes(week):
    """Built on D9, C1 is open again with a deadline on D8; at the end of D2 it was overdue with the
    first deadline, and at the end of D3 it was waiting for verification (not overdue)."""
    c1 = week.cases["C1"]
    c1.refresh_from_db()
    assert c1.state == "dispatched" and c1.deadline.date() > D5
    with time_machine.travel(LATER, tick=False):
        street = week.cast.street.pk
        assert compute_day(D2, week.cast.street).regions[street]["cases_overdue"] == 1
        assert compute_day(D3, week.cast.street).regions[street]["cases_overdue"] == 0
        # On D9 the reopened case is past its new deadline.
        assert compute_day(LATER.date(), week.cast.street).regions[street]["cases_overdue"] == 1


def test_today_counts_up_to_now(week):
    """On D2 at 10:30 C3 has been dispatched and sent back; its rectification is still to come."""
    with time_machine.travel(at(D2, 10, 30), tick=False):
        row = compute_day(D2, week.cast.street).regions[week.cast.grid_a.pk]
    assert (row["cases_opened"], row["cases_dispatched"], row["cases_wrong_unit"], row["cases_rectified"]) == (
        1, 1, 1, 0)
    assert (row["cases_open"], row["cases_overdue"]) == (2, 0)  # C1 (due at 17:30) and C3
    with time_machine.travel(at(D2, 18), tick=False):
        row = compute_day(D2, week.cast.street).regions[week.cast.grid_a.pk]
    assert (row["cases_open"], row["cases_overdue"]) == (1, 1)  # C3 closed, C1 past its deadline


def test_building_a_day_stores_its_rows_and_building_again_replaces_them(week):
    cast = week.cast
    with time_machine.travel(LATER, tick=False):
        written = build_day(D2)
        assert written == 5 + 2  # district not included: street, 2 communities, 2 grids; 2 units
        first = {r.region_id: figures(r) for r in DailyRollup.objects.filter(day=D2)}
        assert build_day(D2) == written
    assert DailyRollup.objects.filter(day=D2).count() == 5
    assert {r.region_id: figures(r) for r in DailyRollup.objects.filter(day=D2)} == first
    assert first[cast.street.pk] == full(added(GRID_A[D2], GRID_B[D2]))
    assert first[cast.community_b.pk] == full(GRID_B[D2])
    stored = DailyRollup.objects.get(day=D2, region=cast.grid_a)
    assert stored.by_category == CATEGORIES_A[D2]
    units = {u.unit_id: figures(u, UNIT_FIELDS) for u in UnitRollup.objects.filter(day=D2)}
    assert units == {week.property_unit.pk: full(PROPERTY[D2], UNIT_FIELDS),
                     week.squad.pk: full(SQUAD[D2], UNIT_FIELDS)}


def test_today_is_never_stored(week):
    with time_machine.travel(at(D3, 12), tick=False), pytest.raises(ValueError):
        build_day(D3)


def test_the_job_builds_every_finished_day_from_the_first_with_data_then_nothing(week):
    with time_machine.travel(at(D6, 1), tick=False):
        assert rollups.build_missing_days() == 5  # D1 to D5; D6 is today
        assert rollups.build_missing_days() == 0
    assert sorted(set(DailyRollup.objects.values_list("day", flat=True))) == [D1, D2, D3, D4, D5]
    street = week.cast.street
    assert DailyRollup.objects.get(day=D5, region=street).cases_reopened == 1
    with time_machine.travel(at(D6 + dt.timedelta(days=2), 1), tick=False):
        assert rollups.build_missing_days() == 2  # D6 and D7
    assert rollups.build_missing_days(now=at(D6 + dt.timedelta(days=20), 1), limit=3) == 3


def test_a_street_without_data_gets_no_rows(cast):
    with time_machine.travel(at(D6, 1), tick=False):
        assert rollups.build_missing_days() == 0
    assert not DailyRollup.objects.exists()


def test_the_command_rebuilds_a_range_with_progress(week):
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("rollup", "--from", D2.isoformat(), "--to", D3.isoformat(),
                     "--street", week.cast.street.code, stdout=out)
    assert D2.isoformat() in out.getvalue() and D3.isoformat() in out.getvalue()
    assert sorted(set(DailyRollup.objects.values_list("day", flat=True))) == [D2, D3]
    assert DailyRollup.objects.get(day=D3, region=week.cast.street).cases_returned == 1


def test_the_command_without_options_builds_the_missing_days(week):
    out = StringIO()
    with time_machine.travel(at(D6, 1), tick=False):
        call_command("rollup", stdout=out)
    assert "5" in out.getvalue()
    assert DailyRollup.objects.filter(region=week.cast.street).count() == 5


@pytest.mark.parametrize("args", [
    ["--from", "2026-13-01"],
    ["--to", "yesterday"],
    ["--street", "NOPE"],
    ["--from", "2026-06-05", "--to", "2026-06-01"],
    ["--from", "2026-06-01", "--to", "2026-06-30"],  # not finished yet
])
def test_the_command_refuses_bad_input_with_a_message(week, args):
    with time_machine.travel(LATER, tick=False), pytest.raises(CommandError) as caught:
        call_command("rollup", *args, stdout=StringIO())
    assert str(caught.value)
    assert not DailyRollup.objects.exists()


def test_a_day_rebuilt_alone_does_not_hide_the_days_before_it_from_the_job(week):
    with time_machine.travel(at(D6, 1), tick=False):
        build_day(D3)
        assert rollups.build_missing_days() == 4  # D1, D2 before it; D4, D5 after
    assert sorted(set(DailyRollup.objects.values_list("day", flat=True))) == [D1, D2, D3, D4, D5]


def test_the_job_fills_a_gap_between_stored_days(week):
    """Pages never compute a finished day, so the job leaves none unstored."""
    with time_machine.travel(at(D6, 1), tick=False):
        assert rollups.build_missing_days() == 5
        DailyRollup.objects.filter(day__in=[D2, D3]).delete()
        assert rollups.missing_days(week.cast.street, today=D6) == [D2, D3]
        assert rollups.build_missing_days() == 2
        assert rollups.build_missing_days() == 0
    assert sorted(set(DailyRollup.objects.values_list("day", flat=True))) == [D1, D2, D3, D4, D5]
    assert DailyRollup.objects.get(day=D3, region=week.cast.street).cases_returned == 1


def test_the_demo_stores_every_finished_day_and_reports_progress(week):
    from chuangcheng.demo.reports import build_rollups

    told: list[tuple[str, int, int]] = []
    with time_machine.travel(at(D6, 1), tick=False):
        assert build_rollups(lambda label, done, total: told.append((label, done, total))) == 5
    assert told[-1][1:] == (5, 5)
    assert DailyRollup.objects.filter(region=week.cast.street).count() == 5
