"""The problem lists from above, read through the API at /api/problems: the lists the caller may
read with their progress (整改完成, only verified problems count, and overdue), and one list with
its problems and each problem's case, so a client can follow the case through /api/cases. Entering
a list stays on the pages and the command (an Excel import with photos)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.problems import permissions, queries
from chuangcheng.problems.models import ProblemList

router = Router(tags=["problems"])


class ProgressOut(Schema):
    total: int
    done: int
    overdue: int
    percent: int


class ListOut(Schema):
    code: str
    reference: str
    issuer: str
    kind: str
    kind_label: str
    street: str
    street_name: str
    issued_on: dt.date
    deadline: dt.date
    progress: ProgressOut


class ProblemOut(Schema):
    row: int
    place: str
    description: str
    category: str
    category_name: str
    point: str | None
    unit: str | None
    unit_name: str | None
    case: str | None  # its number: GET /api/cases/{number}
    case_state: str | None
    done: bool
    overdue: bool


class ListDetailOut(ListOut):
    note: str
    problems: list[ProblemOut]


def _require_reader(request: HttpRequest) -> None:
    if not permissions.reads_problem_lists(request.user):
        raise PermissionDenied(_("Your role does not handle problem lists from above."))


def _list_out(batch: ProblemList, progress: queries.Progress) -> dict[str, Any]:
    return {"code": batch.code, "reference": batch.reference, "issuer": batch.issuer, "kind": batch.kind,
            "kind_label": batch.get_kind_display(), "street": batch.street.code, "street_name": batch.street.name,
            "issued_on": batch.issued_on, "deadline": batch.deadline,
            "progress": {"total": progress.total, "done": progress.done, "overdue": progress.overdue,
                         "percent": progress.percent}}


@router.get("", response=list[ListOut], operation_id="listProblemLists")
def list_problem_lists(request: HttpRequest) -> list[dict[str, Any]]:
    """The problem lists of the streets the caller may read, newest first, with their progress."""
    _require_reader(request)
    lists = list(queries.lists_for(request.user))
    progress = queries.progress_by_list(lists)
    return [_list_out(batch, progress[batch.pk]) for batch in lists]


@router.get("/{code}", response=ListDetailOut, operation_id="getProblemList")
def get_problem_list(request: HttpRequest, code: str) -> dict[str, Any]:
    """One list with its problems in row order: each problem's case (number and state), whether it
    is done (verified) and whether it is overdue (the list's deadline or its case's own)."""
    _require_reader(request)
    batch = or_404(queries.list_for(request.user, code[:12]))
    problems = list(queries.problems_of(batch))
    now = clock.now()
    rows = []
    for p in problems:
        unit = p.case.unit if p.case is not None and p.case.unit is not None else p.unit
        rows.append({"row": p.row, "place": p.place, "description": p.description, "category": p.category.code,
                     "category_name": p.category.name, "point": p.point.code if p.point else None,
                     "unit": unit.code if unit else None, "unit_name": unit.name if unit else None,
                     "case": p.case.number if p.case else None, "case_state": p.case.state if p.case else None,
                     "done": queries.is_done(p), "overdue": queries.is_overdue(p, batch.due_at, now)})
    return {**_list_out(batch, queries.progress_of(batch, problems, now)), "note": batch.note, "problems": rows}
