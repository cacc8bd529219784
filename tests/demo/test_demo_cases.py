"""The demo's eight weeks of cases: every state and action present, logs that tell a consistent
story, deadlines that make the overdue and due-soon lists show something, and one plan per seed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict

import pytest
from django.db.models import Count
from django.utils.translation import gettext as _

from chuangcheng.cases.loading import DATA
from chuangcheng.cases.models import Case, CaseEvent, Source, State
from chuangcheng.cases.services import TRANSITIONS
from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.cases import CategoryInfo, case_days, plan_cases, story_state
from chuangcheng.demo.generator import DemoResult, build_demo
from chuangcheng.demo.inspections import history_days
from chuangcheng.demo.plan import TYPE_POINTS, TypeInfo, plan_demo
from chuangcheng.engagement.publicity.models import OfflineItem, Push
from chuangcheng.engagement.tasklists.models import Meeting, TaskEvent
from chuangcheng.engagement.volunteering.models import ActionPhoto
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import ItemResult
from chuangcheng.org.models import Role

NUMBER = re.compile(r"^(?P<prefix>[A-Z]+)-(?P<day>\d{8})-(?P<seq>\d{4})$")


@pytest.fixture
def cases(demo: DemoResult, db: None) -> list[Case]:
    """The office's own cases (inspections, staff, hotline); residents' reports are written after
    them and have their own tests (tests/public/test_demo_public.py), and so are the problems the
    mock assessment's team found (tests/demo/test_mock_assessment.py), the problem lists from above
    (test_problem_lists.py) and the 12345 work orders (test_hotline_orders.py)."""
    return list(Case.objects.filter(public_report__isnull=True, problem__isnull=True, work_order__isnull=True)
                .exclude(item_results__case_opened=True, item_results__inspection__round_point__isnull=False)
                .select_related("category", "unit").order_by("reported_at", "id"))


def _events() -> dict[int, list[CaseEvent]]:
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.select_related("actor").annotate(n_photos=Count("photos")).order_by("at", "id"):
        by_case[event.case_id].append(event)
    return by_case


def test_every_state_and_every_action_is_there(cases: list[Case]) -> None:
    states = Counter(case.state for case in cases)
    assert set(states) == set(State.values)
    assert states[State.CLOSED] > len(cases) / 2
    actions = set(CaseEvent.objects.filter(case__in=cases).values_list("action", flat=True))
    # Merging, rating and closing again after a rating are for residents' reports; the sweep's
    # escalation ladder writes its steps on the cases still overdue (tests/demo/test_escalation.py).
    ladder = {"escalate", "remind", "supervise", "interview_list"}
    assert ladder <= actions
    expected = {"report", *TRANSITIONS} - {"merge", "rate", "close_again"}
    missing = expected - actions
    # Where a missing action went, if anywhere (which story, which case, which state).
    elsewhere = list(CaseEvent.objects.filter(action__in=missing).values_list(
        "case__number", "action", "case__state", "case__source", "at"))
    assert actions - ladder - {"warn"} == expected, (missing, elsewhere, clock.now())


def test_residents_reports_are_triaged_followed_merged_and_answered(demo: DemoResult, db: None) -> None:
    from chuangcheng.public.models import Follower, Report

    reports = Report.objects.select_related("case")
    resolutions = Counter(report.case.resolution for report in reports if report.case.state == State.REJECTED)
    assert resolutions["duplicate"] == 1 and resolutions["not_ours"] >= 1
    assert Follower.objects.count() >= 2  # one followed instead of reporting, the merged reporter follows too
    assert {"fixed", "not_fixed"} <= set(reports.values_list("feedback", flat=True))
    assert CaseEvent.objects.filter(action="merge").count() == 1


def test_some_open_cases_are_overdue_and_some_due_soon(cases: list[Case]) -> None:
    now = clock.now()
    overdue = [case for case in cases if case.is_overdue(now)]
    due_soon = [case for case in cases if case.is_due_soon(now)]
    assert overdue and due_soon
    assert all(case.deadline is not None and case.deadline > now for case in due_soon)
    late = [case for case in cases if case.state == State.CLOSED and case.rectified_at and case.deadline
            and case.rectified_at > case.deadline]
    assert late and len(late) < len([case for case in cases if case.state == State.CLOSED]) / 2


def test_each_log_starts_with_the_report_and_ends_in_the_case_state(cases: list[Case]) -> None:
    events = _events()
    for case in cases:
        log = events[case.pk]
        assert (log[0].action, log[0].from_state, log[0].to_state) == ("report", "", State.REPORTED), case.number
        assert log[0].at == case.reported_at and log[0].n_photos == 1, case.number  # type: ignore[attr-defined]
        for before, after in zip(log, log[1:], strict=False):
            assert after.from_state == before.to_state, case.number
            # The system accepts and dispatches a failed inspection item the moment it is reported.
            assert after.at > before.at or (after.actor_id is None and after.at == before.at), case.number
        assert log[-1].to_state == case.state, case.number


def test_history_is_eight_weeks_of_working_days_in_office_hours(cases: list[Case]) -> None:
    today = clock.today()
    calendar = WorkCalendar()
    days = case_days(calendar, today)
    per_day = Counter(clock.local(case.reported_at).date() for case in cases)
    assert set(per_day) == set(days) and len(days) >= 35
    assert all(3 <= n <= 10 for n in per_day.values())
    for case in cases:
        moment = clock.local(case.reported_at)
        assert any(opens <= moment <= closes for opens, closes in calendar.periods(moment.date())), case.number
    midnight = clock.local(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    assert not CaseEvent.objects.filter(at__gte=midnight).exists()  # history stops before today (residents' too)


def test_closed_cases_were_rectified_with_a_photo_and_verified_by_someone_else(cases: list[Case]) -> None:
    events = _events()
    for case in cases:
        log = events[case.pk]
        for index, event in enumerate(log):
            if event.action == "rectify":
                assert event.n_photos == 1, case.number  # type: ignore[attr-defined]
                assert event.actor is not None and event.actor.role in {Role.UNIT_HANDLER, Role.STREET_ADMIN}
            if event.action in {"verify", "return_for_rework"}:
                rectifier = next(e.actor for e in reversed(log[:index]) if e.action == "rectify")
                assert event.actor is not None and event.actor != rectifier, case.number
                assert event.actor.role == Role.INSPECTOR, case.number
        if case.state == State.CLOSED:
            assert any(e.action == "rectify" for e in log), case.number


def test_dispatched_cases_are_handled_by_their_units_handler(cases: list[Case]) -> None:
    starts = CaseEvent.objects.filter(action="start").select_related("actor__person", "case")
    handled = [e for e in starts if e.actor is not None and e.actor.role == Role.UNIT_HANDLER]
    assert len(handled) > 0.8 * starts.count()
    assert all(e.actor is not None and e.actor.person is not None and e.actor.person.unit_id is not None
               for e in handled)


def test_numbers_are_unique_and_quote_the_report_date(cases: list[Case]) -> None:
    assert len({case.number for case in cases}) == len(cases)
    sequences: dict[str, list[int]] = defaultdict(list)
    for case in cases:  # in the order they were reported
        match = NUMBER.match(case.number)
        assert match is not None, case.number
        assert match["day"] == f"{clock.local(case.reported_at):%Y%m%d}"
        sequences[match["day"]].append(int(match["seq"]))
    # Sequential per day with no gap (the mock assessment's and residents' cases take numbers too).
    everyone: dict[str, list[int]] = defaultdict(list)
    for number in Case.objects.values_list("number", flat=True):
        match = NUMBER.match(number)
        assert match is not None, number
        everyone[match["day"]].append(int(match["seq"]))
    assert all(sorted(seq) == list(range(1, len(seq) + 1)) for seq in everyone.values())
    assert all(seq == sorted(seq) for seq in sequences.values())  # the office's own in the order reported


def test_the_mix_looks_like_a_campaign_street(cases: list[Case]) -> None:
    sources = Counter(case.source for case in cases)
    assert set(sources) == set(Source.values) - {Source.DIRECTIVE}  # lists from above: their own stage
    assert sources.most_common(1)[0][0] == Source.INSPECTION
    campaign = [case for case in cases if case.category.campaign_label]
    assert len(campaign) >= 0.15 * len(cases)
    assert any(case.severity == "urgent" for case in cases)
    assert len({case.description for case in cases}) > 0.9 * len(cases)
    assert all(case.point_id is not None or (case.lon is not None and case.address) for case in cases)


def test_every_photo_is_its_own(cases: list[Case]) -> None:
    attached = CaseEvent.photos.through.objects.count()
    assert attached >= len(cases) + Case.objects.filter(state=State.CLOSED).count()
    on_events = set(CaseEvent.photos.through.objects.values_list("photo_id", flat=True))
    assert len(on_events) == attached  # no two events share a photo: each has its own bytes
    # A failed item's photo is its case's report photo, or (a failure seen again) its own.
    on_items = list(ItemResult.photos.through.objects.values_list("photo_id", flat=True))
    assert len(set(on_items)) == len(on_items)
    # Every other photo is the campaign's evidence (meetings, tasks, volunteer actions, publicity).
    campaign = (set(Meeting.photos.through.objects.values_list("photo_id", flat=True))
                | set(TaskEvent.photos.through.objects.values_list("photo_id", flat=True))
                | set(ActionPhoto.objects.values_list("photo_id", flat=True))
                | set(OfflineItem.objects.exclude(photo=None).values_list("photo_id", flat=True))
                | set(Push.objects.exclude(image=None).values_list("image_id", flat=True)))
    assert not campaign & (on_events | set(on_items))
    assert Photo.objects.count() == len(on_events | set(on_items) | campaign)


def test_a_second_build_adds_no_cases(demo: DemoResult, cases: list[Case]) -> None:
    every_case, events = Case.objects.count(), CaseEvent.objects.count()

    again = build_demo(seed=1)

    assert not again.created
    assert Case.objects.count() == every_case and CaseEvent.objects.count() == events


def test_the_history_stage_reports_its_progress_day_by_day(demo: DemoResult, cases: list[Case]) -> None:
    steps = [step for step in demo.stages if step[0] == _("Inspections")]  # type: ignore[attr-defined]
    label, done, total = steps[-1]
    assert done == total == len(history_days(clock.today()))
    assert 5 <= len(steps) <= 15


# --- the plan, without the database -------------------------------------------------------------


def _categories() -> list[CategoryInfo]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return [CategoryInfo(c["code"], c["name"], c.get("campaign", ""), c["limit"]["amount"], c["limit"]["unit"])
            for group in data["groups"] for c in group["children"]]


def _days() -> list[dt.date]:
    start = dt.date(2026, 3, 2)  # a Monday
    return [start + dt.timedelta(days=n) for n in range(56) if (start + dt.timedelta(days=n)).weekday() < 5]


def test_one_seed_gives_one_plan_of_cases_and_another_seed_another() -> None:
    demo_plan = plan_demo(1, [TypeInfo(code, code) for code in TYPE_POINTS])

    first = plan_cases(1, demo_plan, _categories(), _days())

    assert first == plan_cases(1, demo_plan, _categories(), _days())
    assert [c.category_code for c in first] != [c.category_code for c in plan_cases(2, demo_plan, _categories(),
                                                                                       _days())]
    assert {story_state(case.story) for case in first} == set(State.values)
    assert all(case.day.weekday() < 5 for case in first)
    mondays = [n for day, n in Counter(case.day for case in first).items() if day.weekday() == 0]
    assert min(mondays) >= 7


def test_a_category_the_plan_has_no_words_for_still_gets_a_description() -> None:
    demo_plan = plan_demo(1, [TypeInfo(code, code) for code in TYPE_POINTS])
    only = [CategoryInfo("ZZ01", "井盖异响", "", 1, "working_days")]

    planned = plan_cases(1, demo_plan, only, _days())

    assert planned and {case.category_code for case in planned} == {"ZZ01"}
    assert all("井盖异响" in case.description for case in planned)
