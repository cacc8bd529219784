"""Making a street's plan from the database, changing it by hand, the morning job, the board."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, Category, Source, State
from chuangcheng.core.models import AuditEvent
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection
from chuangcheng.inspections.queries.plans import board, plan_of, visits_of
from chuangcheng.inspections.services.plans import add_visit, make_plan, make_todays_plans, move_visit, remove_visit
from chuangcheng.org.models import Unit
from chuangcheng.standards.models import CatalogVersion
from tests import factories as f
from tests.inspections.conftest import DAY, Street

TZ = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2026, 6, 1, 7, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def inspected(point: Any, day: dt.date, by: Any) -> Inspection:
    return Inspection.objects.create(key=f"{point.code}-{day}", point=point, grid=point.grid, inspector=by,
                                     version=CatalogVersion.objects.order_by("number").first(), day=day)


def by_point(plan: DailyPlan) -> dict[str, Assignment]:
    return {a.point.code: a for a in plan.assignments.select_related("point", "person")}


def positions(plan: DailyPlan, person: Any) -> list[int]:
    return list(plan.assignments.filter(person=person).order_by("position").values_list("position", flat=True))


def test_the_plan_puts_everyone_in_reach_and_grid_workers_in_their_own_grid(street: Street) -> None:
    plan = make_plan(street.cast.street, DAY, by=street.cast.street_admin)

    visits = by_point(plan)
    assert set(visits) == {p.code for p in street.points}  # never inspected: all due today
    assert visits["A01"].reason == visits["B01"].reason == Assignment.Reason.ZERO_LOSS
    for a in visits.values():
        if a.person == street.cast.grid_worker_a:
            assert a.point.grid == street.cast.grid_a
        if a.person == street.grid_worker_b:
            assert a.point.grid == street.cast.grid_b
    per_person = [len(positions(plan, u)) for u in (street.cast.grid_worker_a, street.grid_worker_b,
                                                     street.inspector_1, street.inspector_2)]
    assert sorted(per_person) == [3, 3, 4, 4]
    for user in (street.cast.grid_worker_a, street.inspector_1):
        assert positions(plan, user) == list(range(1, len(positions(plan, user)) + 1))


def test_making_the_plan_twice_returns_the_same_plan(street: Street) -> None:
    first = make_plan(street.cast.street, DAY, by=street.cast.street_admin)
    rows = list(first.assignments.values_list("pk", "person_id", "point_id", "position"))
    again = make_plan(street.cast.street, DAY)

    assert again.pk == first.pk
    assert list(again.assignments.values_list("pk", "person_id", "point_id", "position")) == rows
    assert AuditEvent.objects.filter(object_type="inspections.dailyplan").count() == 1


def test_priority_and_verification_come_from_cases_and_recent_failures(street: Street) -> None:
    yesterday = DAY - dt.timedelta(days=1)
    for point in street.points:
        inspected(point, yesterday, street.inspector_1)
    category = Category.objects.get(code="XC01")
    a3, a4, b3 = (next(p for p in street.points if p.code == code) for code in ("A03", "A04", "B03"))
    case_services.report_case(by=street.cast.grid_worker_a, source=Source.INSPECTION, category=category,
                              description="小广告", point=a3)
    rectified = case_services.report_case(by=street.cast.grid_worker_a, source=Source.INSPECTION,
                                          category=category, description="小广告", point=a4)
    Case.objects.filter(pk=rectified.pk).update(state=State.RECTIFIED)
    closed = case_services.report_case(by=street.cast.street_admin, source=Source.RESIDENT, category=category,
                                       description="居民反映", point=b3)
    Case.objects.filter(pk=closed.pk).update(state=State.CLOSED)

    visits = by_point(make_plan(street.cast.street, DAY))

    assert visits["A03"].reason == Assignment.Reason.PRIORITY  # an open case
    assert visits["A04"].reason == Assignment.Reason.VERIFY  # awaits verification
    assert visits["B03"].reason == Assignment.Reason.PRIORITY  # a resident's report this fortnight
    assert visits["A01"].reason == Assignment.Reason.ZERO_LOSS
    # Seen yesterday, no reason to hurry: at most the day's share of the rest (12 points / 3 days).
    others = [a for a in visits.values() if a.reason in (Assignment.Reason.DUE, Assignment.Reason.FILL)]
    assert not [a for a in others if a.reason == Assignment.Reason.DUE]
    assert len(visits) < len(street.points)


def test_replanning_keeps_the_visits_changed_by_hand(street: Street) -> None:
    cast = street.cast
    plan = make_plan(cast.street, DAY, by=cast.street_admin)
    visit = next(a for a in by_point(plan).values() if a.person == street.inspector_1 and a.point.grid == cast.grid_a)
    moved = move_visit(visit, to_person=cast.grid_worker_a, by=cast.street_admin)
    assert moved.manual and moved.person == cast.grid_worker_a

    again = make_plan(cast.street, DAY, by=cast.street_admin, replace=True)

    assert again.pk == plan.pk
    kept = by_point(again)[visit.point.code]
    assert kept.pk == visit.pk and kept.person == cast.grid_worker_a and kept.manual
    assert set(by_point(again)) == {p.code for p in street.points}
    assert positions(again, cast.grid_worker_a) == list(range(1, len(positions(again, cast.grid_worker_a)) + 1))


def test_moving_adding_and_removing_visits_by_hand_is_audited_and_keeps_the_order_numbered(street: Street) -> None:
    cast = street.cast
    plan = make_plan(cast.street, DAY, by=cast.street_admin)
    a_visits = [a for a in by_point(plan).values() if a.point.grid == cast.grid_a]
    visit = next(a for a in a_visits if a.person != cast.grid_worker_a)
    giver = visit.person

    move_visit(visit, to_person=cast.grid_worker_a, by=cast.admin_a)  # a community admin, in their community
    assert Assignment.objects.get(pk=visit.pk).person == cast.grid_worker_a
    for user in (giver, cast.grid_worker_a):
        assert positions(plan, user) == list(range(1, len(positions(plan, user)) + 1))

    remove_visit(Assignment.objects.get(pk=visit.pk), by=cast.street_admin)
    assert not plan.assignments.filter(point=visit.point).exists()
    added = add_visit(plan, point=visit.point, person=street.inspector_2, by=cast.street_admin)
    assert added.reason == Assignment.Reason.MANUAL and added.manual
    assert positions(plan, street.inspector_2) == list(range(1, len(positions(plan, street.inspector_2)) + 1))

    events = AuditEvent.objects.filter(object_type="inspections.assignment").order_by("id")
    assert [(e.action, e.actor) for e in events] == [
        (AuditEvent.Action.UPDATE, cast.admin_a), (AuditEvent.Action.DELETE, cast.street_admin),
        (AuditEvent.Action.CREATE, cast.street_admin)]
    assert events[0].changes["person"] == [giver.username, cast.grid_worker_a.username]


def test_hand_changes_stay_inside_the_scope_and_the_reach_of_the_person(street: Street) -> None:
    cast = street.cast
    plan = make_plan(cast.street, DAY, by=cast.street_admin)
    in_b = next(a for a in by_point(plan).values() if a.point.grid == cast.grid_b)
    in_a = next(a for a in by_point(plan).values() if a.point.grid == cast.grid_a)

    with pytest.raises(PermissionDenied):
        move_visit(in_b, to_person=street.inspector_1, by=cast.admin_a)  # not their community
    with pytest.raises(PermissionDenied):
        remove_visit(in_b, by=cast.admin_a)
    with pytest.raises(ValidationError) as err:
        move_visit(in_a, to_person=street.grid_worker_b, by=cast.street_admin)  # not their grid
    assert "to_person" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        add_visit(plan, point=in_a.point, person=street.inspector_1, by=cast.street_admin)  # already planned
    assert "point" in err.value.message_dict
    assert not AuditEvent.objects.filter(object_type="inspections.assignment").exists()


def test_a_grid_worker_or_a_community_admin_cannot_plan_the_street(street: Street) -> None:
    for user in (street.cast.grid_worker_a, street.cast.admin_a, street.inspector_1):
        with pytest.raises(PermissionDenied):
            make_plan(street.cast.street, DAY, by=user)
    assert not DailyPlan.objects.exists()


def test_the_morning_job_waits_for_plan_at_and_plans_each_street_once(street: Street) -> None:
    street.rules.plan_at = dt.time(6, 30)
    street.rules.save()
    with time_machine.travel(dt.datetime(2026, 6, 1, 6, 20, tzinfo=TZ), tick=False):
        assert make_todays_plans() == 0
    assert not DailyPlan.objects.exists()
    with time_machine.travel(dt.datetime(2026, 6, 1, 6, 40, tzinfo=TZ), tick=False):
        assert make_todays_plans() == 1
        assert make_todays_plans() == 0
    plan = DailyPlan.objects.get()
    assert plan.day == DAY and plan.created_by is None and plan.assignments.count() == len(street.points)
    # The next day, after its plan_at, a new plan.
    with time_machine.travel(dt.datetime(2026, 6, 2, 6, 31, tzinfo=TZ), tick=False):
        assert make_todays_plans() == 1
    assert DailyPlan.objects.filter(day=DAY + dt.timedelta(days=1)).exists()


def test_under_celery_beat_the_morning_plan_is_made_in_the_minute_set_for_it(street: Street, settings: Any) -> None:
    street.rules.plan_at = dt.time(6, 37)  # any minute a street chooses
    street.rules.save()
    every = settings.CELERY_BEAT_SCHEDULE["inspections-make-todays-plans"]["schedule"]
    beat = dt.datetime(2026, 6, 1, 6, 30, 5, tzinfo=TZ)  # beat sends the job from 06:30:05 on
    while not DailyPlan.objects.exists() and beat.hour < 12:
        with time_machine.travel(beat, tick=False):
            make_todays_plans()
        beat += dt.timedelta(seconds=every)
    plan = DailyPlan.objects.get()
    assert dt.datetime(2026, 6, 1, 6, 37, tzinfo=TZ) <= plan.created_at < dt.datetime(2026, 6, 1, 6, 38, tzinfo=TZ)


def test_the_plan_and_the_own_visits_are_read_in_scope(street: Street) -> None:
    cast = street.cast
    plan = make_plan(cast.street, DAY)
    assert plan_of(cast.admin_a, DAY) == plan == plan_of(cast.grid_worker_a, DAY)
    mine = visits_of(cast.grid_worker_a, DAY)
    assert [v.position for v in mine] == list(range(1, len(mine) + 1))
    assert all(v.person == cast.grid_worker_a for v in mine)
    assert plan_of(cast.street_admin, DAY + dt.timedelta(days=1)) is None


def test_the_morning_board_shows_progress_cases_by_unit_and_yesterdays_coverage(street: Street) -> None:
    cast = street.cast
    yesterday = DAY - dt.timedelta(days=1)
    with time_machine.travel(dt.datetime(2026, 5, 31, 7, 0, tzinfo=TZ), tick=False):
        make_plan(cast.street, yesterday)
    for point in street.points[:5]:  # five of the fourteen required points were seen yesterday
        inspected(point, yesterday, street.inspector_1)
    plan = make_plan(cast.street, DAY)
    first = visits_of(cast.grid_worker_a, DAY)[0]
    inspected(first.point, DAY, cast.grid_worker_a)

    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    category = Category.objects.get(code="XC01")
    late = case_services.report_case(by=cast.grid_worker_a, source=Source.INSPECTION, category=category,
                                     description="小广告", point=street.points_a[1])
    case_services.accept_case(late, by=cast.street_admin)
    case_services.dispatch_case(late, by=cast.street_admin, unit=unit)
    today_end = dt.datetime(2026, 6, 1, 17, 0, tzinfo=TZ)
    Case.objects.filter(pk=late.pk).update(deadline=MORNING - dt.timedelta(hours=2))
    due = case_services.report_case(by=cast.street_admin, source=Source.INSPECTION, category=category,
                                    description="小广告", point=street.points_b[1])
    case_services.accept_case(due, by=cast.street_admin)
    case_services.dispatch_case(due, by=cast.street_admin, unit=unit)
    Case.objects.filter(pk=due.pk).update(deadline=today_end)

    seen = board(cast.street_admin, DAY)
    assert seen.plan == plan and seen.total == plan.assignments.count() and seen.done == 1
    row = next(r for r in seen.rows if r.person == cast.grid_worker_a)
    assert row.done == 1 and row.visits[0].done and not any(v.done for v in row.visits[1:])
    assert [(c.unit, c.due_today, c.overdue) for c in seen.cases] == [(unit, 1, 1)]
    assert (seen.yesterday.required, seen.yesterday.planned, seen.yesterday.inspected) == (14, 14, 5)
    assert seen.yesterday.covered == 5 and round(seen.yesterday.rate or 0, 1) == 35.7

    # A community admin sees their community only.
    mine = board(cast.admin_a, DAY)
    assert {v.assignment.point.grid for r in mine.rows for v in r.visits} == {cast.grid_a}
    assert [(c.unit, c.due_today, c.overdue) for c in mine.cases] == [(unit, 0, 1)]
    assert (mine.yesterday.required, mine.yesterday.planned, mine.yesterday.inspected) == (7, 7, 5)


def test_the_command_plans_and_prints_the_day_per_person(street: Street) -> None:
    out = io.StringIO()
    call_command("plan_day", "--date", DAY.isoformat(), "--street", street.cast.street.code, stdout=out)
    text = out.getvalue()
    assert DailyPlan.objects.filter(street=street.cast.street, day=DAY).count() == 1
    assert "grid_worker_a" in text and "inspector_2" in text and "A01" in text and "B07" in text
    call_command("plan_day", "--date", DAY.isoformat(), stdout=io.StringIO())
    assert DailyPlan.objects.count() == 1
