"""Every write of a problem list: entering a list (typed in or imported), each problem becoming a
case from above (上级交办), and dispatching a problem the list did not name a unit for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, Source
from chuangcheng.core.workflow import SYSTEM, Actor, actor_user
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import PreparedPhoto, store_photo
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.models import Point
from chuangcheng.problems import permissions
from chuangcheng.problems.models import Kind, Problem, ProblemList
from chuangcheng.standards.models import PointType


@dataclass
class ListHeader:
    """What the issuer wrote at the top of the list."""

    street: Region
    reference: str
    issuer: str
    deadline: dt.date
    issued_on: dt.date
    kind: str = Kind.SUPERVISION
    note: str = ""


@dataclass
class ProblemInput:
    """One problem, checked (see importing.py and the typing-in form): where, what, which unit."""

    row: int
    place: str
    description: str
    category: Category
    grid: Region | None = None
    point: Point | None = None
    point_type: PointType | None = None
    lon: Decimal | None = None
    lat: Decimal | None = None
    unit: Unit | None = None
    photos: list[PreparedPhoto] = field(default_factory=list)


def check_header(header: ListHeader) -> dict[str, list[str]]:
    """The list's own fields: a known kind, a reference not used before in the street, dates in order."""
    errors: dict[str, list[str]] = {}
    header.reference = (header.reference or "").strip()
    header.issuer = (header.issuer or "").strip()
    if not header.reference:
        errors.setdefault("reference", []).append(_("Give the list's reference number."))
    elif len(header.reference) > 80:
        errors.setdefault("reference", []).append(_("Keep the reference number under 80 characters."))
    elif ProblemList.objects.filter(street=header.street, reference=header.reference).exists():
        errors.setdefault("reference", []).append(
            _("A list with the reference %(reference)s was entered for this subdistrict already.")
            % {"reference": header.reference})
    if not header.issuer:
        errors.setdefault("issuer", []).append(_("Say who issued the list."))
    elif len(header.issuer) > 100:
        errors.setdefault("issuer", []).append(_("Keep the issuer under 100 characters."))
    if header.kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Choose 督查, 暗访 or 测评反馈."))
    if header.deadline < header.issued_on:
        errors.setdefault("deadline", []).append(_("The deadline is before the day the list was issued."))
    if len(header.note or "") > 2000:
        errors.setdefault("note", []).append(_("Keep the note under 2000 characters."))
    return errors


@transaction.atomic
def enter_problem_list(header: ListHeader, problems: Sequence[ProblemInput], *, by: Actor) -> ProblemList:
    """Enter a checked list: the batch, then each problem as a case from above, accepted at once,
    dispatched to the unit the list names (or left for the street office to dispatch), and due by
    the list's deadline when that is earlier than the category's time limit. All or nothing: the
    photo files written for a list that fails are removed."""
    if by is not SYSTEM and not permissions.can_manage_lists(by, header.street):
        raise PermissionDenied(_("Only the subdistrict office enters its problem lists."))
    errors = check_header(header)
    if not problems:
        errors.setdefault("problems", []).append(_("The list has no problems."))
    if len({p.row for p in problems}) != len(problems):
        errors.setdefault("problems", []).append(_("Two problems carry the same number."))
    if errors:
        raise ValidationError(errors)
    stored: list[Photo] = []
    try:
        with transaction.atomic():
            batch = ProblemList.objects.create(
                street=header.street, reference=header.reference, issuer=header.issuer, kind=header.kind,
                issued_on=header.issued_on, deadline=header.deadline, note=(header.note or "").strip(),
                created_by=actor_user(by))
            for item in problems:
                photos = [store_photo(p, by=actor_user(by)) for p in item.photos]
                stored.extend(photos)
                _enter_problem(batch, item, photos, by=by)
    except BaseException:
        _discard_new_files(stored)
        raise
    return batch


def _enter_problem(batch: ProblemList, item: ProblemInput, photos: list[Photo], *, by: Actor) -> Problem:
    case = cases.report_case(
        by=by, source=Source.DIRECTIVE, category=item.category, description=item.description,
        point=item.point, grid=item.grid, lon=item.lon, lat=item.lat, address=item.place, photos=photos)
    cases.accept_case(case, by=by, note=_("From the problem list %(reference)s of %(issuer)s") % {
        "reference": batch.reference, "issuer": batch.issuer})
    problem = Problem.objects.create(
        problem_list=batch, row=item.row, place=item.place, point=item.point, point_type=item.point_type,
        description=item.description, category=item.category, unit=item.unit, case=case)
    problem.photos.set(photos)
    if item.unit is not None:
        dispatch_problem(problem, by=by, unit=item.unit)
    return problem


@transaction.atomic
def dispatch_problem(problem: Problem, *, by: Actor, unit: Unit, note: str = "") -> Case:
    """派遣 a problem's case to `unit`, held to the list's deadline when that is the stricter one."""
    case = problem.case
    if case is None:
        raise ValidationError({"unit": _("This problem has no case.")})
    cases.dispatch_case(case, by=by, unit=unit, note=note)
    case.refresh_from_db()
    batch = problem.problem_list
    cases.hold_to_deadline(case, by=by, deadline=batch.due_at,
                           note=_("The deadline of the problem list %(reference)s") % {"reference": batch.reference})
    if problem.unit_id != unit.pk:
        Problem.objects.filter(pk=problem.pk).update(unit=unit)
        problem.unit = unit
    return case


def _discard_new_files(photos: Sequence[Photo]) -> None:
    """The files of photos whose rows did not survive the rollback (the same bytes stored before stay)."""
    for photo in photos:
        if Photo.objects.filter(pk=photo.pk).exists():
            continue
        for stored in (photo.original, photo.display, photo.thumbnail):
            if stored.name:
                stored.storage.delete(stored.name)
