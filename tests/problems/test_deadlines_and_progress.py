"""A problem is due by the list's deadline when that is stricter than its category's time limit,
and the list counts as done only what is verified and closed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import CaseEvent, State
from chuangcheng.core import clock
from chuangcheng.problems import queries, services
from chuangcheng.problems.models import Problem
from tests.cases.conftest import photo
from tests.problems.conftest import photos_zip, run

pytestmark = pytest.mark.django_db


def _problems(scene, **header):
    result = run(scene, photos=photos_zip(), **header)
    assert result.ok, result.errors
    return result.problem_list, {p.row: p for p in Problem.objects.select_related("case")}


def test_the_lists_deadline_holds_when_it_is_stricter_than_the_category(scene):
    # Row 3 is 违法建设: 15 working days; the list wants it in five days.
    batch, problems = _problems(scene)
    case = problems[3].case
    assert clock.local(case.deadline) == clock.local(batch.due_at)
    assert clock.local(case.deadline).date() == batch.deadline and clock.local(case.deadline).hour == 18
    assert case.warn_at < case.deadline
    event = CaseEvent.objects.get(case=case, action="set_deadline")
    assert event.deadline == case.deadline and batch.reference in event.note


def test_the_category_limit_holds_when_it_is_stricter_than_the_list(scene):
    # Row 1 is 非法小广告: one working day, well before the list's deadline.
    batch, problems = _problems(scene)
    case = problems[1].case
    assert case.deadline < batch.due_at
    assert not CaseEvent.objects.filter(case=case, action="set_deadline").exists()


def test_a_problem_dispatched_later_is_held_to_the_lists_deadline_too(scene):
    batch, problems = _problems(scene, deadline=clock.today() + dt.timedelta(days=1))
    two = problems[2]
    assert two.case.state == State.ACCEPTED
    # 暴露垃圾 is one working day; a list due tomorrow at 18:00 is not stricter than that unless the
    # day is nearly over, so compare with what the category alone would give.
    services.dispatch_problem(two, by=scene.cast.street_admin, unit=scene.unit)
    two.case.refresh_from_db()
    assert two.case.unit == scene.unit and two.case.deadline <= batch.due_at
    assert Problem.objects.get(pk=two.pk).unit == scene.unit


def _fix(case, scene, *, verify: bool) -> None:
    if case.state == State.ACCEPTED:
        cases.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "white")], note="已清除")
    if verify:
        cases.verify_case(case, by=scene.inspector, note="现场核查已整改")


def test_progress_counts_only_verified_problems_as_done(scene):
    batch, problems = _problems(scene)
    _fix(problems[1].case, scene, verify=True)
    _fix(problems[3].case, scene, verify=False)  # rectified, not yet verified
    progress = queries.progress_of(batch)
    assert (progress.done, progress.total) == (1, 3)


def test_problems_not_done_after_the_lists_deadline_are_overdue(scene):
    batch, problems = _problems(scene)
    _fix(problems[1].case, scene, verify=True)
    _fix(problems[3].case, scene, verify=False)
    assert queries.progress_of(batch).overdue == 0
    with time_machine.travel(batch.due_at + dt.timedelta(minutes=1)):
        progress = queries.progress_of(batch)
    assert progress.overdue == 2  # the rectified one is not verified: still owed to the issuer
    assert progress.done == 1


def test_the_due_based_figures_count_the_lists_deadline_not_the_categorys(scene):
    from chuangcheng.cases.queries import fell_due

    batch, problems = _problems(scene)
    case = problems[3].case
    category_deadline = CaseEvent.objects.get(case=case, action="dispatch").deadline
    assert category_deadline > batch.due_at
    fell = [row for row in fell_due(None, category_deadline + dt.timedelta(days=1)) if row.case_id == case.pk]
    assert [row.deadline for row in fell] == [batch.due_at]
