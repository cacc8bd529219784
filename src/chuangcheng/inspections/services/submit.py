"""Submitting an inspection (日督查): one visit to one point, every item of its checklist answered,
scored by the item weights, each failure opening a case (or joining the open case already there),
all in one transaction with the photos. The submission key makes a retried submit a no-op."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, Category, Source, State
from chuangcheng.cases.permissions import can_report
from chuangcheng.core import clock, geo
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import PreparedPhoto
from chuangcheng.evidence.uploads import accepted_uploads, prepare_uploads
from chuangcheng.inspections.models import Assignment, Inspection, ItemResult, PlanRules
from chuangcheng.inspections.permissions import can_inspect, inspection_kind, may_declare_covert
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CheckItem, plain_number
from chuangcheng.standards.queries import checklist_items, version_in_force

ITEM_CATEGORIES = Path(__file__).resolve().parent.parent / "data" / "item_categories.json"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)
# An inspection queued on a phone without network (web/static/chuangcheng/offline.js) is sent when
# the network returns; the moment it was finished is the phone's, taken if no older than this.
OFFLINE_MAX_AGE = dt.timedelta(days=3)
CLOSED_STATES = {State.CLOSED, State.REJECTED}
Measure = CheckItem.Measure
Result = ItemResult.Result


@dataclass(frozen=True)
class ItemInput:
    """One answered check item, as the phone sends it."""

    item_code: str
    result: str  # "pass" | "fail" | "na"
    count: int | None = None  # the count, the occurrences or the rate (%) where the item measures one
    category_code: str = ""  # the problem category of a failure; empty: the item's default
    note: str = ""
    photos: Sequence[Any] = ()  # uploaded files (read(), name), not Photo rows


@dataclass
class _Checked:
    """An item after validation: the result the counts say, its score and what a failure needs."""

    item: CheckItem
    result: str
    count: int | None
    score: Decimal
    max_score: Decimal
    category: Category | None
    note: str
    photos: Sequence[Any]


class _Replayed(Exception):
    """The same key was stored by a concurrent request while this one was working."""


# --- default categories ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _category_map() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ITEM_CATEGORIES.read_text(encoding="utf-8"))
    return data


def default_category_code(item: CheckItem) -> str:
    """The category code a failure of `item` is reported under by default: the item's own mapping,
    else its group's, else the catch-all of the campaign's problems."""
    data = _category_map()
    if item.code in data["items"]:
        return str(data["items"][item.code])
    group = item.group if item.group_id is not None else None
    if group is not None and group.code in data["groups"]:
        return str(data["groups"][group.code])
    return str(data["fallback"])


def default_category(item: CheckItem) -> Category | None:
    """The shipped mapping (data/item_categories.json) as a category that can take a case; None when
    admins have retired it and its fallback."""
    leaves = Category.objects.filter(active=True, parent__isnull=False)
    found = leaves.filter(code=default_category_code(item)).first()
    return found or leaves.filter(code=_category_map()["fallback"]).first()


# --- rules ---------------------------------------------------------------------------------------


def rules_of(point: Point) -> PlanRules:
    """The planning rules of the point's subdistrict, or the defaults (unsaved) when it has none
    saved: one query on the rules, the street found by its code in the grid's path."""
    saved = PlanRules.objects.filter(street__code__in=point.grid.ancestor_codes(), street__level=Region.Level.STREET)
    return next(iter(saved.order_by()[:1]), None) or PlanRules()  # a street has one row at most


def day_closes_at(day: dt.date, rules: PlanRules) -> dt.datetime:
    """The moment after which no inspection of `day` is taken: local midnight plus the grace hours."""
    midnight = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return midnight + dt.timedelta(hours=rules.grace_hours)


# --- the submission ------------------------------------------------------------------------------


def submit_inspection(*, by: Any, point: Point, key: str, items: Sequence[ItemInput], lon: Any = None,
                      lat: Any = None, started_at: dt.datetime | None = None,
                      submitted_at: dt.datetime | None = None,
                      note: str = "", covert: bool = False, kind: str | None = None) -> tuple[Inspection, bool]:
    """Store one inspection with its item results, photos and cases, or nothing at all.

    Returns (inspection, True); a key this user already submitted returns (that inspection, False)
    and writes nothing. Refusals: PermissionDenied for a point outside the user's role or scope,
    ValidationError naming the field (`key`, `point`, `day`, `lon`, `items`, `items.<code>`,
    `covert`, `submitted_at`).

    `started_at` and `submitted_at` are the phone's moments (opened the form, pressed submit), so an
    inspection sent late from the offline queue keeps the time it was done; the server's moment is
    `received_at`. Neither may be in the future (beyond CLOCK_SKEW), `submitted_at` not before
    `started_at` nor older than OFFLINE_MAX_AGE; without `submitted_at` it is the server's moment.

    Who checked (`Inspection.kind`) follows from the inspector's scope relative to the point, a
    cross-check visit of their plan, and `covert` (暗访), which only a subdistrict- or district-level
    inspector may declare; `kind` says it instead when the caller knows better (a mock assessment's
    team records its sample as the street or as covert visits)."""
    key = _check_key(key)
    if not can_inspect(by, point, _claimed_day(started_at)):
        raise PermissionDenied(_("Your role or region does not allow inspecting this point."))
    existing = _replay(by, key)
    if existing is not None:
        return existing, False
    if covert and not may_declare_covert(by):
        raise ValidationError({"covert": _("Only an inspector of the subdistrict or the district may declare "
                                           "a covert visit (暗访).")})
    if not point.active:
        raise ValidationError({"point": _("This point is no longer in use.")})
    now = clock.now()
    rules = rules_of(point)
    day = _check_day(started_at, now, rules)
    finished = _check_finished(submitted_at, started_at, now)
    fix = _check_location(lon, lat)
    version = version_in_force()
    checklist = checklist_items(point.point_type, version) if version is not None else []
    if version is None or not checklist:
        raise ValidationError({"point": _("There is no checklist for this point's type in the catalog in force.")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2000 characters.")})
    checked = _check_items(checklist, items)
    distance, location = None, Inspection.Location.MISSING
    if fix is not None:
        distance = round(geo.distance_m(float(fix[0]), float(fix[1]), float(point.lon), float(point.lat)))
        location = Inspection.Location.OK if distance <= rules.distance_limit_m else Inspection.Location.FAR
    # Photos are decoded here, before the transaction (which holds SQLite's write lock), and only stored in it.
    prepared = {c.item.code: _prepare(c, by=by, place=point.name) for c in checked if c.photos}
    # At most one: a point is in one plan a day. Unordered: no joins for the ordering.
    assignment = Assignment.objects.filter(plan__day=day, person=by, point=point).order_by().first()
    who = kind or inspection_kind(by, point, covert=covert,
                                  cross=assignment is not None and assignment.reason == Assignment.Reason.CROSS)
    try:
        with transaction.atomic(), ExitStack() as stack:
            accepted = {
                code: _accept(stack, photos, by=by, place=point.name) for code, photos in prepared.items()
            }
            inspection = Inspection(
                key=key, point=point, grid=point.grid, inspector=by, version=version, day=day, kind=who,
                started_at=started_at, submitted_at=finished, received_at=now,
                lon=fix[0] if fix else None, lat=fix[1] if fix else None,
                distance_m=distance, location=location, note=note,
                assignment=assignment,
                score=sum((c.score for c in checked), Decimal(0)),
                max_score=sum((c.max_score for c in checked), Decimal(0)),
                failed_count=sum(1 for c in checked if c.result == Result.FAIL),
            )
            try:
                with transaction.atomic():
                    inspection.save(force_insert=True)
            except IntegrityError as exc:
                raise _Replayed from exc
            _store_results(inspection, checked, accepted, by=by)
    except _Replayed:
        existing = _replay(by, key)
        if existing is None:  # pragma: no cover - the other request's row is there or this one's error was real
            raise
        return existing, False
    return inspection, True


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({"key": _("The submission key must be 8 to 64 letters, digits, “-” or “_”.")})
    return key


def _claimed_day(started_at: dt.datetime | None) -> dt.date:
    """The day the inspection says it belongs to, for the permission check (a cross-check is
    allowed on its plan's day); whether that day is still open is checked later."""
    if started_at is None:
        return clock.today()
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    return clock.local(started_at).date()


def _replay(by: Any, key: str) -> Inspection | None:
    """The inspection already stored under `key` by this user; another user's key is refused.
    Nearly every key is new: that answer comes from the key's index alone, without the joins."""
    found = next(iter(Inspection.objects.filter(key=key).order_by().values_list("pk", "inspector_id")[:1]), None)
    if found is None:
        return None
    if found[1] != getattr(by, "pk", None):
        raise ValidationError({"key": _("This submission key has already been used. Start a new inspection.")})
    return Inspection.objects.select_related("point", "grid", "inspector").get(pk=found[0])


def _check_day(started_at: dt.datetime | None, now: dt.datetime, rules: PlanRules) -> dt.date:
    """The local date the inspection counts for: the day it was started, if that day is still open."""
    if started_at is None:
        return clock.local(now).date()
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    if started_at > now + CLOCK_SKEW:
        raise ValidationError({"day": _("The inspection cannot start in the future. Check the phone's clock.")})
    day = clock.local(started_at).date()
    if now >= day_closes_at(day, rules):
        raise ValidationError({"day": _("The day of this inspection (%(day)s) is closed: inspections are taken "
                                        "until %(hours)d:00 the next morning.") % {"day": day.isoformat(),
                                                                                    "hours": rules.grace_hours}})
    return day


def _check_finished(submitted_at: dt.datetime | None, started_at: dt.datetime | None,
                    now: dt.datetime) -> dt.datetime:
    """The moment the inspection was finished: the phone's, within bounds, else the server's now."""
    if submitted_at is None:
        return now
    if timezone.is_naive(submitted_at):
        submitted_at = timezone.make_aware(submitted_at)
    if submitted_at > now + CLOCK_SKEW:
        raise ValidationError({"submitted_at": _("The inspection cannot be finished in the future. "
                                                 "Check the phone's clock.")})
    if submitted_at < now - OFFLINE_MAX_AGE:
        raise ValidationError({"submitted_at": _("The inspection was finished more than %(days)d days ago: "
                                                 "it is too old to be taken.") % {"days": OFFLINE_MAX_AGE.days}})
    if started_at is not None:
        start = started_at if timezone.is_aware(started_at) else timezone.make_aware(started_at)
        if submitted_at < start:
            raise ValidationError({"submitted_at": _("The inspection cannot be finished before it started. "
                                                     "Check the phone's clock.")})
    return submitted_at


def _check_location(lon: Any, lat: Any) -> tuple[Decimal, Decimal] | None:
    """The phone's fix as WGS-84 degrees, or None when it sent none."""
    if _blank(lon) and _blank(lat):
        return None
    if _blank(lon) or _blank(lat):
        raise ValidationError({"lon": _("Send both longitude and latitude, or neither.")})
    try:
        values = [Decimal(str(v).strip()) for v in (lon, lat)]
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"lon": _("The longitude and latitude must be numbers.")}) from exc
    if isinstance(lon, bool) or isinstance(lat, bool) or not all(v.is_finite() for v in values):
        raise ValidationError({"lon": _("The longitude and latitude must be numbers.")})
    if not geo.in_china(float(values[0]), float(values[1])):
        raise ValidationError({"lon": _("The location %(lon)s, %(lat)s is outside China.")
                               % {"lon": values[0], "lat": values[1]}})
    q = Decimal("0.000001")
    return values[0].quantize(q), values[1].quantize(q)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_items(checklist: list[CheckItem], items: Sequence[ItemInput]) -> list[_Checked]:
    """Every checklist item answered exactly once, each answer valid; all problems in one error."""
    by_code = {item.code: item for item in checklist}
    errors: dict[str, list[str]] = {}
    answers: dict[str, ItemInput] = {}
    unknown: list[str] = []
    for answer in items:
        code = (answer.item_code or "").strip()
        if code not in by_code:
            unknown.append(code or "?")
        elif code in answers:
            errors.setdefault(f"items.{code}", []).append(_("This item is answered twice."))
        else:
            answers[code] = answer
    if unknown:
        errors.setdefault("items", []).append(
            _("Not on this point's checklist: %(codes)s.") % {"codes": ", ".join(unknown)})
    missing = [code for code in by_code if code not in answers]
    if missing:
        errors.setdefault("items", []).append(
            _("An inspection covers the whole checklist; not answered: %(codes)s.") % {"codes": ", ".join(missing)})
    codes = {a.category_code.strip() for a in answers.values()} - {""}
    categories = {c.code: c for c in Category.objects.filter(active=True, parent__isnull=False, code__in=codes)
                  } if codes else {}
    checked = []
    for code, answer in answers.items():
        problems: list[str] = []
        result = _check_one(by_code[code], answer, categories, problems)
        if problems:
            errors.setdefault(f"items.{code}", []).extend(problems)
        elif result is not None:
            checked.append(result)
    if errors:
        raise ValidationError(errors)
    order = {item.code: i for i, item in enumerate(checklist)}
    return sorted(checked, key=lambda c: order[c.item.code])


def _check_one(item: CheckItem, answer: ItemInput, categories: dict[str, Category],
               problems: list[str]) -> _Checked | None:
    if answer.result not in Result.values:
        problems.append(_("Choose pass, fail or not applicable."))
        return None
    note = (answer.note or "").strip()
    if len(note) > 500:
        problems.append(_("Keep the note under 500 characters."))
    count = answer.count
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        problems.append(_("The count must be a whole number, 0 or more."))
        return None
    result, count = _derive(item, answer.result, count, problems)
    weight = item.weight
    category = None
    if result == Result.FAIL:
        if not answer.photos:
            problems.append(_("A failed item needs at least one photo."))
        code = (answer.category_code or "").strip()
        category = categories.get(code) if code else default_category(item)
        if category is None:
            problems.append(_("Choose the problem category of this failure."))
    if problems:
        return None
    return _Checked(item=item, result=result, count=count, score=_score(item, result, count),
                    max_score=Decimal(0) if result == Result.NOT_APPLICABLE else weight, category=category,
                    note=note, photos=list(answer.photos) if result == Result.FAIL else [])


def _derive(item: CheckItem, result: str, count: int | None, problems: list[str]) -> tuple[str, int | None]:
    """The result the item's measure gives: a count or rate against its threshold, occurrences
    (fail when there are any). The number, when given, decides over the pass/fail tapped."""
    if result == Result.NOT_APPLICABLE:
        return result, None
    if item.measure == Measure.OCCURRENCES:
        if count is None:
            count = 0 if result == Result.PASS else 1
        return (Result.FAIL if count > 0 else Result.PASS), count
    if item.measure in {Measure.COUNT, Measure.RATE}:
        if count is None:
            problems.append(_("Give the count for this item.") if item.measure == Measure.COUNT
                            else _("Give the rate (%) for this item."))
            return result, None
        if item.measure == Measure.RATE and count > 100:
            problems.append(_("A rate is a percentage from 0 to 100."))
            return result, count
        if item.threshold is not None:
            return (Result.PASS if count >= item.threshold else Result.FAIL), count
        return result, count
    return result, None


def _score(item: CheckItem, result: str, count: int | None) -> Decimal:
    """Presence, count and rate: the weight on a pass, 0 on a failure; occurrences: the weight less
    the deduction for each occurrence (the whole weight when the item has no deduction), never
    below 0; not applicable counts neither way."""
    if result == Result.NOT_APPLICABLE:
        return Decimal(0)
    if item.measure == Measure.OCCURRENCES:
        deduction = item.deduction if item.deduction is not None else item.weight
        return max(Decimal(0), item.weight - deduction * (count or 0))
    return item.weight if result == Result.PASS else Decimal(0)


def _prepare(checked: _Checked, *, by: Any, place: str) -> list[PreparedPhoto]:
    """Decode one failed item's photos before the submission's transaction: a refused photo names the item."""
    try:
        return prepare_uploads(checked.photos, by=by, place=place)
    except ValidationError as exc:
        raise ValidationError({f"items.{checked.item.code}": exc.messages}) from exc


def _accept(stack: ExitStack, photos: list[PreparedPhoto], *, by: Any, place: str) -> list[Photo]:
    """Store one failed item's photos inside the submission: any failure later in the submission
    removes every file written."""
    return list(stack.enter_context(accepted_uploads(photos, by=by, place=place)))


def _store_results(inspection: Inspection, checked: Sequence[_Checked], accepted: dict[str, list[Photo]], *,
                   by: Any) -> list[ItemResult]:
    """The item results in checklist order, each failure with its case (opened or joined, in that
    order too) and photos; the rows and their photo links are written in two inserts."""
    rows: list[tuple[ItemResult, list[Photo]]] = []
    for c in checked:
        photos = accepted.get(c.item.code, [])
        case, opened = None, False
        if c.result == Result.FAIL:
            assert c.category is not None  # noqa: S101 - a failure has its category (checked above)
            case, opened = _case_for(inspection, c, photos, by=by)
        rows.append((ItemResult(
            inspection=inspection, item=c.item, result=c.result, count=c.count, score=c.score,
            max_score=c.max_score, category=c.category, note=c.note[:500], case=case, case_opened=opened,
        ), photos))
    results = ItemResult.objects.bulk_create([result for result, _photos in rows])
    links = ItemResult.photos.through
    links.objects.bulk_create([links(itemresult_id=result.pk, photo_id=photo.pk)
                               for result, photos in zip(results, (p for _r, p in rows), strict=True)
                               for photo in photos])
    return results


def open_case_at(point: Point, category: Category) -> Case | None:
    """An open case of the same category at the point: a repeated failure joins it."""
    return (Case.objects.filter(point=point, category=category).exclude(state__in=CLOSED_STATES)
            .order_by("-reported_at", "-id").first())


def _case_for(inspection: Inspection, checked: _Checked, photos: list[Photo], *, by: Any) -> tuple[Case, bool]:
    """The failure's case: the open one already there, else a new one, accepted and dispatched by
    the dispatch rules (left accepted for the office when no active unit answers for it)."""
    point = inspection.point
    assert checked.category is not None  # noqa: S101
    existing = open_case_at(point, checked.category)
    if existing is not None:
        return existing, False
    # A cross-checker from another community may inspect the point but not report in its grid:
    # the system reports their finding, and the description says who found it.
    reporter = by if can_report(by, point.grid) else SYSTEM
    description = _description(checked)
    if reporter is SYSTEM:
        name = getattr(by, "display_name", "") or getattr(by, "username", "")
        description = "\n".join([description, _("Found by a cross-check of %(name)s.") % {"name": name}])[:4000]
    case = case_services.report_case(
        by=reporter, source=Source.INSPECTION, category=checked.category, description=description,
        point=point, photos=photos,
    )
    # The system accepts and dispatches an inspection's failure on the dispatch rules.
    case_services.accept_case(case, by=SYSTEM)
    unit = case_services.suggest_unit(case) or point.primary_unit
    if unit is not None and unit.active:
        case_services.dispatch_case(case, by=SYSTEM, unit=unit)
    return case, True


def _description(checked: _Checked) -> str:
    # The item's words, never its code: a case is read by units who do not know the catalog's codes.
    parts = [_("Inspection failed: %(text)s") % {"text": checked.item.text}]
    if checked.item.measure == Measure.OCCURRENCES and checked.count:
        parts.append(_("Occurrences found: %(n)d.") % {"n": checked.count})
    elif checked.item.measure in {Measure.COUNT, Measure.RATE} and checked.count is not None:
        parts.append(_("Found: %(n)d (required: %(t)s).")
                     % {"n": checked.count, "t": plain_number(checked.item.threshold)})
    if checked.note:
        parts.append(checked.note)
    return "\n".join(parts)[:4000]
