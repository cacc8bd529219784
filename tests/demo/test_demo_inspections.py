"""The demo's eight weeks of daily plans and inspections: walked on the plans, consistent with the
cases (each inspection-sourced case opened by a failed item of a real inspection), zero-loss points
seen nearly every day, plausible scores and locations, and a morning board with something on it.
One seed, the same inspections and case numbers: tests/demo/test_rebuild.py compares them."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from chuangcheng.cases.models import Case, CaseEvent, Source
from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.generator import DemoResult
from chuangcheng.demo.inspections import history_days
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult, PlanRules
from chuangcheng.inspections.queries.plans import board, visits_of
from chuangcheng.org.models import Role, User
from chuangcheng.places.models import Point


@pytest.fixture
def inspections(demo: DemoResult, db: None) -> list[Inspection]:
    # The daily rounds; a mock assessment's visits follow its own sample (tests/demo/test_mock_assessment.py).
    return list(Inspection.objects.filter(round_point__isnull=True).select_related(
        "assignment__plan", "point", "inspector").order_by("day", "id"))


def test_inspections_are_the_plans_walked_on_most_days(inspections: list[Inspection]) -> None:
    days = history_days(clock.today())
    working = {day for day in days if WorkCalendar().is_working_day(day)}
    per_day = Counter(inspection.day for inspection in inspections)
    assert working <= set(per_day) and len(per_day) >= 0.9 * len(days)
    assert set(DailyPlan.objects.values_list("day", flat=True)) == {*days, clock.today()}
    for inspection in inspections:
        visit = inspection.assignment
        assert visit is not None, inspection.key
        assert (visit.plan.day, visit.person_id, visit.point_id) == (
            inspection.day, inspection.inspector_id, inspection.point_id), inspection.key
    # Most visits of a working day are made, not all: coverage varies.
    planned = Assignment.objects.filter(plan__day__in=working).count()
    done = sum(n for day, n in per_day.items() if day in working)
    assert 0.8 * planned < done < 0.98 * planned
    people = {inspection.inspector.role for inspection in inspections}
    assert people == {Role.INSPECTOR, Role.GRID_WORKER}


def test_every_inspection_case_was_opened_by_a_failed_item_there_that_day(inspections: list[Inspection]) -> None:
    opened: dict[int, list[ItemResult]] = defaultdict(list)
    for result in ItemResult.objects.filter(case_opened=True).select_related("inspection", "case"):
        opened[result.case_id].append(result)  # type: ignore[index]
    report_photos = dict(CaseEvent.objects.filter(action="report").values_list("case_id", "photos"))
    cases = list(Case.objects.filter(source=Source.INSPECTION))
    assert len(cases) >= 60
    assert set(opened) == {case.pk for case in cases}
    for case in cases:
        [result] = opened[case.pk]
        inspection = result.inspection
        assert result.result == ItemResult.Result.FAIL and result.category_id == case.category_id, case.number
        # A cross-checker's finding is reported by the system (they may not report in that grid).
        reporter = None if inspection.kind == Inspection.Kind.CROSS else inspection.inspector_id
        assert (inspection.point_id, reporter) == (case.point_id, case.reported_by_id), case.number
        assert inspection.day == clock.local(case.reported_at).date(), case.number
        assert inspection.submitted_at == case.reported_at, case.number
        assert list(result.photos.values_list("pk", flat=True)) == [report_photos[case.pk]], case.number
    # A problem seen again while its case is open joins that case, at the same point; so does
    # another item of a problem found at the same visit.
    again = ItemResult.objects.filter(result=ItemResult.Result.FAIL, case_opened=False).select_related(
        "inspection", "case")
    assert again.exists()
    for result in again:
        joined = result.case
        assert joined is not None and joined.point_id == result.inspection.point_id
        assert joined.category_id == result.category_id and joined.reported_at <= result.inspection.submitted_at
        if joined.reported_at == result.inspection.submitted_at and joined.source == Source.INSPECTION:
            # another item of the problem found at the same visit (a case the office noted at that
            # moment, for a problem the checklist could not take, is joined like any open case)
            assert result.inspection.results.filter(case=joined, case_opened=True).exists(), joined.number
    assert not ItemResult.objects.filter(result=ItemResult.Result.FAIL, case__isnull=True).exists()


def test_zero_loss_points_are_inspected_nearly_every_day(inspections: list[Inspection]) -> None:
    days = history_days(clock.today())
    seen: dict[int, set] = defaultdict(set)
    for inspection in inspections:
        seen[inspection.point_id].add(inspection.day)
    zero_loss = list(Point.objects.filter(zero_loss=True))
    assert zero_loss
    for point in zero_loss:
        assert len(seen[point.pk]) >= 0.75 * len(days), point.code
    assert len(seen) == Point.objects.count()  # every point was seen


def test_scores_locations_and_answers_look_like_real_rounds(inspections: list[Inspection]) -> None:
    limit = PlanRules().distance_limit_m
    assert all(0 <= inspection.score <= inspection.max_score and inspection.max_score > 0
               for inspection in inspections)
    assert min(inspection.rate or 0 for inspection in inspections) < 100
    locations = Counter(inspection.location for inspection in inspections)
    assert locations[Inspection.Location.OK] > 0.9 * len(inspections)
    assert 0 < locations[Inspection.Location.FAR] < 0.06 * len(inspections)
    assert 0 < locations[Inspection.Location.MISSING] < 0.06 * len(inspections)
    for inspection in inspections:
        far = inspection.location == Inspection.Location.FAR
        assert (inspection.lon is None) == (inspection.location == Inspection.Location.MISSING), inspection.key
        assert inspection.distance_m is None or (inspection.distance_m > limit) == far, inspection.key
    results = Counter(ItemResult.objects.values_list("result", flat=True))
    total = sum(results.values())
    assert 0 < results[ItemResult.Result.FAIL] < 0.03 * total
    assert 0 < results[ItemResult.Result.NOT_APPLICABLE] < 0.06 * total
    assert ItemResult.objects.filter(count__gt=0, result=ItemResult.Result.PASS).exists()


def test_the_morning_board_shows_yesterday_and_today(inspections: list[Inspection]) -> None:
    admin = User.objects.get(username="street_admin")

    today = board(admin, clock.today())

    assert today.plan is not None and sum(row.total for row in today.rows) > 0
    yesterday = today.yesterday
    assert yesterday.inspected > 0 and yesterday.planned_done > 0 and (yesterday.rate or 0) > 0
    grid_worker = User.objects.filter(role=Role.GRID_WORKER, assignments__plan__day=clock.today()).first()
    assert grid_worker is not None and visits_of(grid_worker, clock.today())


def test_verifications_are_by_street_inspectors_some_on_their_round(inspections: list[Inspection]) -> None:
    verified = list(CaseEvent.objects.filter(action="verify").select_related("actor", "case"))
    assert verified and all(event.actor is not None and event.actor.role == Role.INSPECTOR for event in verified)
    on_round = [
        event for event in verified
        if event.case.point_id is not None and Assignment.objects.filter(
            plan__day=clock.local(event.at).date(), person=event.actor, point_id=event.case.point_id).exists()
    ]
    assert on_round
