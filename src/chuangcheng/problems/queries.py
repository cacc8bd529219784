"""Every read of problem lists a page, the report, the command or the demo needs, limited to the reader.

Done (整改完成) means what the issuer means by 销号: the case is verified and closed. A problem is
overdue when it is not done and either the list's deadline or its case's own deadline has passed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from chuangcheng.cases.models import CaseEvent, State
from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.problems import permissions
from chuangcheng.problems.models import Problem, ProblemList


def lists_for(user: Any) -> QuerySet[ProblemList]:
    """The lists of the streets this user may read, newest first."""
    lists = ProblemList.objects.select_related("street")
    if getattr(user, "is_superuser", False):
        return lists
    scope = getattr(user, "scope", None)
    if scope is None or not permissions.reads_problem_lists(user):
        return lists.none()
    return lists.filter(street__path__startswith=scope.path)


def list_for(user: Any, code: str) -> ProblemList | None:
    """The list a page names, if the user may read it."""
    found = ProblemList.objects.select_related("street").filter(code=code).first()
    if found is None or not permissions.can_read_list(user, found):
        return None
    return found


def streets_managed_by(user: Any) -> QuerySet[Region]:
    """The streets whose lists this user may enter."""
    streets = Region.objects.filter(level=Region.Level.STREET).order_by("code")
    if getattr(user, "is_superuser", False):
        return streets
    scope = getattr(user, "scope", None)
    if scope is None:
        return streets.none()
    return streets.filter(pk__in=[s.pk for s in streets.filter(path__startswith=scope.path)
                                  if permissions.can_manage_lists(user, s)])


def problems_of(problem_list: ProblemList) -> QuerySet[Problem]:
    return (problem_list.problems.select_related("case", "case__unit", "case__grid", "unit", "category",
                                                 "category__parent", "point")
            .prefetch_related("photos").order_by("row"))


def is_done(problem: Problem) -> bool:
    return problem.case is not None and problem.case.state == State.CLOSED


def is_overdue(problem: Problem, due_at: dt.datetime, now: dt.datetime) -> bool:
    if is_done(problem) or problem.case is None:
        return False
    return now > due_at or problem.case.is_overdue(now)


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    overdue: int

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_of(problem_list: ProblemList, problems: list[Problem] | None = None,
                now: dt.datetime | None = None) -> Progress:
    now = now or clock.now()
    rows = problems if problems is not None else list(problems_of(problem_list))
    return Progress(total=len(rows), done=sum(is_done(p) for p in rows),
                    overdue=sum(is_overdue(p, problem_list.due_at, now) for p in rows))


def progress_by_list(lists: list[ProblemList], now: dt.datetime | None = None) -> dict[int, Progress]:
    """Progress of many lists in one query of their problems (the list page, the command)."""
    now = now or clock.now()
    rows: dict[int, list[Problem]] = {batch.pk: [] for batch in lists}
    for problem in Problem.objects.filter(problem_list__in=lists).select_related("case"):
        rows[problem.problem_list_id].append(problem)
    return {batch.pk: progress_of(batch, rows[batch.pk], now) for batch in lists}


@dataclass(frozen=True)
class Rectification:
    """What the 销号 report says of one problem: the after-photos, the note and who fixed it when."""

    before: list[Any]
    after: list[Any]
    note: str
    rectified_at: dt.datetime | None
    verified_at: dt.datetime | None
    unit: str


def rectification_of(problem: Problem, events: list[CaseEvent]) -> Rectification:
    """From the case's events: the before-photos (the list's, else the report's), the last
    rectification's photos and note, the closing verification."""
    rectify = [e for e in events if e.action == "rectify"]
    verify = [e for e in events if e.action == "verify"]
    report = [e for e in events if e.action == "report"]
    last = rectify[-1] if rectify else None
    before = list(problem.photos.all()) or (list(report[0].photos.all()) if report else [])
    case = problem.case
    unit = case.unit.name if case is not None and case.unit is not None else (problem.unit.name if problem.unit else "")
    return Rectification(
        before=before, after=list(last.photos.all()) if last else [], note=last.note if last else "",
        rectified_at=last.at if last else None,
        verified_at=verify[-1].at if verify and is_done(problem) else None, unit=unit)


def rectifications(problems: list[Problem]) -> dict[int, Rectification]:
    case_ids = [p.case_id for p in problems if p.case_id]
    events: dict[int, list[CaseEvent]] = {cid: [] for cid in case_ids}
    for event in (CaseEvent.objects.filter(case_id__in=case_ids, action__in=["report", "rectify", "verify"])
                  .prefetch_related("photos").order_by("at", "id")):
        events[event.case_id].append(event)
    return {p.pk: rectification_of(p, events.get(p.case_id or 0, [])) for p in problems}
