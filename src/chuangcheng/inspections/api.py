"""The inspection endpoints for a phone app or mini-program: the caller's plan of the day, the
checklist of a point, submitting an inspection and reading one back. Mounted at /api/inspections
on the one API (session or token), over the same services and queries as the pages.

A submission is a multipart form; retrying it with the same `key` answers 200 with the inspection
already stored and writes nothing. Refusals follow the API's error format: a point outside the
caller's role or region is 403, a bad field 400 with the field named (`items.<code>` for an item)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Form, Router, Schema, Status

from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.inspections.queries import plans as plan_queries
from chuangcheng.inspections.queries import records
from chuangcheng.inspections.services.submit import ItemInput, default_category_code, submit_inspection
from chuangcheng.places.models import Point
from chuangcheng.places.queries import point_for

router = Router(tags=["inspections"])

PHOTO_PREFIX = "photo_"


# --- schemas ---------------------------------------------------------------------------------


class CaseRef(Schema):
    number: str
    state: str
    category: str
    category_name: str


class VisitOut(Schema):
    position: int
    point: str
    name: str
    point_type: str
    point_type_name: str
    lon: Decimal
    lat: Decimal
    address: str
    zero_loss: bool
    reason: str  # zero_loss, due, priority, verify, fill, manual, cross (a cross-check of another community)
    done: bool  # the point has been inspected this day
    to_verify: list[CaseRef]  # rectified cases at the point, waiting for verification on site


class CheckItemOut(Schema):
    code: str
    text: str
    group: str | None
    group_name: str | None
    measure: str
    measure_text: str
    threshold: Decimal | None
    distance_m: int | None
    weight: Decimal
    deduction: Decimal | None
    category: str  # the problem category a failure is reported under unless another is chosen


class ChecklistOut(Schema):
    point: str
    name: str
    point_type: str
    point_type_name: str
    version: int | None
    items: list[CheckItemOut]


class ItemResultOut(Schema):
    item: str
    text: str
    result: str
    count: int | None
    score: Decimal
    max_score: Decimal
    category: str | None
    note: str
    case: str | None  # the case number
    case_opened: bool  # False: the failure joined a case already open at the point
    case_state: str | None
    case_unit: str | None
    photos: list[str]  # SHA-256 of each photo


class InspectionOut(Schema):
    id: int
    key: str
    point: str
    point_name: str
    grid: str
    inspector: str
    day: dt.date
    started_at: dt.datetime | None
    submitted_at: dt.datetime
    lon: Decimal | None
    lat: Decimal | None
    distance_m: int | None
    location: str  # ok, far (kept and flagged), missing
    score: Decimal
    max_score: Decimal
    rate: float | None
    failed_count: int
    note: str
    kind: str  # who checked: self, street, cross, district, covert
    kind_name: str
    independent: bool  # every kind but self: it scores the community in the ranking
    planned: bool  # the inspection was a visit of the caller's plan
    results: list[ItemResultOut]


class SubmitIn(Schema):
    """The form fields beside the photos (files named `photo_<item code>`, several per item)."""

    point: str
    key: str  # 8–64 letters, digits, "-" or "_", made by the phone once per inspection
    lon: str = ""  # WGS-84 degrees; both or neither
    lat: str = ""
    started_at: dt.datetime | None = None  # when the inspection began on the phone; its local date is the day
    # when the inspector pressed submit on the phone (a submission queued offline is sent later):
    # not in the future, not before started_at, at most 3 days old; empty: the server's moment
    submitted_at: dt.datetime | None = None
    note: str = ""
    covert: bool = False  # a covert visit (暗访): only a subdistrict- or district-level inspector may say so
    items: str  # JSON: [{"item": code, "result": "pass"|"fail"|"na", "count": n, "category": code, "note": ""}]


# --- reads -----------------------------------------------------------------------------------


@router.get("/plan", response=list[VisitOut], operation_id="getMyPlan")
def my_plan(request: HttpRequest, date: dt.date | None = None) -> list[VisitOut]:
    """The caller's visits of the day (default today) in walking order, whether each is done, and the
    cases waiting for verification at each point."""
    user = request.user
    day = date or clock.today()
    visits = plan_queries.visits_of(user, day)
    point_ids = [v.point_id for v in visits]
    done = set(Inspection.objects.filter(point_id__in=point_ids, day=day).values_list("point_id", flat=True))
    to_verify = records.cases_to_verify_at(user, point_ids)
    return [
        VisitOut(position=v.position, point=v.point.code, name=v.point.name, point_type=v.point.point_type.code,
                 point_type_name=v.point.point_type.name, lon=v.point.lon, lat=v.point.lat,
                 address=v.point.address, zero_loss=v.point.zero_loss, reason=v.reason,
                 done=v.point_id in done, to_verify=[_case_ref(c) for c in to_verify.get(v.point_id, [])])
        for v in visits
    ]


@router.get("/points/{code}/checklist", response=ChecklistOut, operation_id="getPointChecklist")
def checklist(request: HttpRequest, code: str) -> ChecklistOut:
    """What is checked at the point: its type's items in the catalog version in force, each with its
    measure and the problem category a failure is reported under by default."""
    point = or_404(point_for(request.user, code[:40]) or records.cross_point_for(request.user, code[:40]))
    items = records.checklist_of(point)
    return ChecklistOut(
        point=point.code, name=point.name, point_type=point.point_type.code, point_type_name=point.point_type.name,
        version=items[0].version.number if items else None,
        items=[CheckItemOut(code=i.code, text=i.text, group=i.group.code if i.group else None,
                            group_name=i.group.name if i.group else None, measure=i.measure,
                            measure_text=i.measure_text(), threshold=i.threshold, distance_m=i.distance_m,
                            weight=i.weight, deduction=i.deduction, category=default_category_code(i))
               for i in items],
    )


@router.get("/{key}", response=InspectionOut, operation_id="getInspection")
def get_inspection(request: HttpRequest, key: str) -> InspectionOut:
    """One inspection, named by the submission key its phone sent, with its item results, the case of
    each failure and the photos."""
    inspection = or_404(records.inspection_by_key(request.user, key[:64]))
    return _out(inspection)


# --- submit ----------------------------------------------------------------------------------


@router.post("", response={200: InspectionOut, 201: InspectionOut}, operation_id="submitInspection")
def submit(request: HttpRequest, payload: Form[SubmitIn]) -> Status:
    """Submit an inspection (multipart form): every item of the point's checklist answered, a failed
    item with at least one photo (files named `photo_<item code>`). Failures open cases, dispatched by
    the rules, or join a case already open at the point. 201 with the inspection; 200 with the one
    already stored when the same `key` is sent again (nothing is written twice)."""
    point = Point.objects.select_related("grid", "point_type").filter(code=payload.point[:40]).first()
    if point is None:
        raise ValidationError({"point": _("There is no point with this code.")})
    photos = {name[len(PHOTO_PREFIX):]: request.FILES.getlist(name)
              for name in request.FILES if name.startswith(PHOTO_PREFIX)}
    items = _items(payload.items, photos)
    inspection, created = submit_inspection(
        by=request.user, point=point, key=payload.key, items=items, lon=payload.lon, lat=payload.lat,
        started_at=payload.started_at, submitted_at=payload.submitted_at, note=payload.note,
        covert=payload.covert,
    )
    return Status(201 if created else 200, _out(inspection))


def _items(text: str, photos: dict[str, list[Any]]) -> list[ItemInput]:
    """The `items` field: a JSON list of answers, each given its photos."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise ValidationError({"items": _("Send the items as a JSON list of answers.")})
    codes = {str(row.get("item", "")) for row in data}
    stray = sorted(code for code in photos if code not in codes)
    if stray:
        raise ValidationError({"items": _("Photos sent for items not answered: %(codes)s.")
                               % {"codes": ", ".join(stray)}})
    return [
        ItemInput(item_code=str(row.get("item", ""))[:40], result=str(row.get("result", "")),
                  count=_count(row.get("count")), category_code=str(row.get("category") or "")[:40],
                  note=str(row.get("note") or ""), photos=photos.get(str(row.get("item", "")), []))
        for row in data
    ]


def _count(value: Any) -> Any:
    """A count as sent: a whole number (also as text), or anything else for the service to refuse."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, str) and not value.strip():
        return None
    return value


# --- output ----------------------------------------------------------------------------------


def _case_ref(case: Case) -> CaseRef:
    return CaseRef(number=case.number, state=case.state, category=case.category.code,
                   category_name=case.category.name)


def _out(inspection: Inspection) -> InspectionOut:
    results: list[ItemResult] = list(records.results_of(inspection))
    return InspectionOut(
        id=inspection.pk, key=inspection.key, point=inspection.point.code, point_name=inspection.point.name,
        grid=inspection.grid.code,
        inspector=getattr(inspection.inspector, "display_name", "") or inspection.inspector.username,
        day=inspection.day, started_at=inspection.started_at, submitted_at=inspection.submitted_at,
        lon=inspection.lon, lat=inspection.lat, distance_m=inspection.distance_m, location=inspection.location,
        score=inspection.score, max_score=inspection.max_score,
        rate=round(inspection.rate, 1) if inspection.rate is not None else None,
        failed_count=inspection.failed_count, note=inspection.note, kind=inspection.kind,
        kind_name=inspection.get_kind_display(), independent=inspection.independent,
        planned=inspection.assignment_id is not None,
        results=[
            ItemResultOut(
                item=r.item.code, text=r.item.text, result=r.result, count=r.count, score=r.score,
                max_score=r.max_score, category=r.category.code if r.category else None, note=r.note,
                case=r.case.number if r.case else None, case_opened=r.case_opened,
                case_state=r.case.state if r.case else None,
                case_unit=r.case.unit.code if r.case and r.case.unit else None,
                photos=[p.sha256 for p in r.photos.all()],
            )
            for r in results
        ],
    )

