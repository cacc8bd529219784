"""The case endpoints: list, read and report cases, and one POST per transition, over the same
services and queries as the pages. Mounted at /api/cases on the one API (session or token).

Refusals follow the API's error format: an action the state does not allow or a stale `version`
is 409, a role or region that may not act is 403, a case outside the caller's region is 404,
a bad field (a photo that is not a photo, an unknown unit) is 400 with the field named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from chuangcheng.cases import actions, queries, services
from chuangcheng.cases.models import Case, CaseEvent, Category, Severity, Source, State, due_soon, overdue
from chuangcheng.cases.workflow import CASES
from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import RowsByKey, api_datetime, paginate_rows, stored_datetime, stored_text
from chuangcheng.evidence.actions import mount
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.evidence.views import serve_photo
from chuangcheng.org.models import Region, Unit
from chuangcheng.org.queries import grids_visible_to, units_visible_to
from chuangcheng.places.models import Point
from chuangcheng.places.queries import point_for

router = Router(tags=["cases"])



def allowed_actions(user: Any, case: Case, events: Sequence[CaseEvent]) -> list[str]:
    """The actions `user` may take on `case` now (API names: the URL segments), in the order of the
    lifecycle, from the case workflow's table as the page offers them."""
    rectified_by = CASES.last_actor(case, "rectify", events)
    return [CASES[name].api_name for name in CASES.allowed(user, case, rectified_by=rectified_by)]


# --- schemas ---------------------------------------------------------------------------------


class CaseFields(Schema):
    number: str
    state: str
    state_label: str
    source: str
    severity: str
    category: str
    category_name: str
    group: str | None
    group_name: str | None
    point: str | None
    point_name: str | None
    grid: str
    grid_name: str
    community: str | None
    unit: str | None
    unit_name: str | None
    address: str
    description: str
    reported_at: dt.datetime
    dispatched_at: dt.datetime | None
    deadline: dt.datetime | None
    overdue: bool
    due_soon: bool
    version: int


class CaseOut(CaseFields):
    """A case in a list, resolved from the row and its joined category, grid, point and unit."""

    @staticmethod
    def resolve_state_label(obj: Case) -> str:
        return str(State(obj.state).label)

    @staticmethod
    def resolve_category(obj: Case) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Case) -> str:
        return obj.category.name

    @staticmethod
    def resolve_group(obj: Case) -> str | None:
        return obj.category.parent.code if obj.category.parent else None

    @staticmethod
    def resolve_group_name(obj: Case) -> str | None:
        return obj.category.parent.name if obj.category.parent else None

    @staticmethod
    def resolve_point(obj: Case) -> str | None:
        return obj.point.code if obj.point else None

    @staticmethod
    def resolve_point_name(obj: Case) -> str | None:
        return obj.point.name if obj.point else None

    @staticmethod
    def resolve_grid(obj: Case) -> str:
        return obj.grid.code

    @staticmethod
    def resolve_grid_name(obj: Case) -> str:
        return obj.grid.name

    @staticmethod
    def resolve_community(obj: Case) -> str | None:
        return obj.grid.parent.code if obj.grid.parent else None

    @staticmethod
    def resolve_unit(obj: Case) -> str | None:
        return obj.unit.code if obj.unit else None

    @staticmethod
    def resolve_unit_name(obj: Case) -> str | None:
        return obj.unit.name if obj.unit else None

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return obj.is_overdue(clock.now())

    @staticmethod
    def resolve_due_soon(obj: Case) -> bool:
        return obj.is_due_soon(clock.now())


class EventOut(Schema):
    at: dt.datetime
    action: str
    actor: str
    from_state: str
    to_state: str
    note: str
    data: dict[str, Any]
    photos: list[str]  # SHA-256 of each photo: GET /api/cases/{number}/photos/{sha256}


class CaseDetailOut(CaseFields):
    lon: Decimal | None
    lat: Decimal | None
    resolution: str
    handler: str | None
    reported_by: str | None
    rectified_at: dt.datetime | None
    closed_at: dt.datetime | None
    suspended_at: dt.datetime | None
    extension_requested_until: dt.datetime | None
    extension_reason: str
    rework_count: int
    wrong_unit_count: int
    reopen_count: int
    escalated_at: dt.datetime | None
    # The reporting resident's last rating of the fix ("" none; satisfied / basic / unsatisfied).
    rating: str
    rating_reason: str
    rated_at: dt.datetime | None
    events: list[EventOut]
    allowed_actions: list[str]
    suggested_unit: str | None  # the default of `dispatch` when it is allowed


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    group_name: str
    campaign_label: str
    limit_amount: int
    limit_unit: str
    public: bool


class ReportIn(Schema):
    category: str
    description: str
    source: str = Source.STAFF
    severity: str = Severity.NORMAL
    point: str = ""
    grid: str = ""
    lon: Decimal | None = None
    lat: Decimal | None = None
    address: str = ""


class VersionIn(Schema):
    version: int | None = None  # the version the client saw; a newer one on the server is 409


class NoteIn(VersionIn):
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


class RejectIn(ReasonIn):
    resolution: Literal["not_ours", "duplicate", "not_fixable"] = "not_ours"


class DispatchIn(NoteIn):
    unit: str = ""  # a unit code; empty: the suggested unit


class RedispatchIn(VersionIn):
    unit: str
    note: str


class ExtensionIn(VersionIn):
    until: dt.datetime  # ISO 8601; without an offset it is local time
    reason: str


class DecisionIn(NoteIn):
    grant: bool


class PhotoNoteIn(NoteIn):
    """The form fields beside the photos of a rectification, a rework or a reopening."""


class VerifyIn(NoteIn):
    resolution: Literal["fixed", "not_fixable"] = "fixed"


# --- reads -----------------------------------------------------------------------------------


_LIST_COLUMNS = {
    # CaseOut's field: the column it is read from.
    "number": "number", "state": "state", "source": "source", "severity": "severity",
    "category": "category__code", "category_name": "category__name",
    "group": "category__parent__code", "group_name": "category__parent__name",
    "point": "point__code", "point_name": "point__name", "grid": "grid__code", "grid_name": "grid__name",
    "community": "grid__parent__code", "unit": "unit__code", "unit_name": "unit__name",
    "address": "address", "description": "description", "version": "version",
}
# Datetime columns, read as stored (core.pagination.stored_text); warn_at is not shown.
_LIST_STAMPS = {"reported_at": "t_reported_at", "dispatched_at": "t_dispatched_at", "deadline": "t_deadline",
                "warn_at": "t_warn_at"}


_LIST_ROWS = RowsByKey(Case, *_LIST_COLUMNS.values(),
                      **{alias: stored_text(column) for column, alias in _LIST_STAMPS.items()})


def _case_rows(page: QuerySet[Case]) -> list[dict[str, Any]]:
    """A page of cases as `CaseOut` renders them: the page's keys, then their columns by key."""
    now = clock.now()
    labels = {state.value: str(state.label) for state in State}
    columns = list(_LIST_COLUMNS.items())
    rows = []
    for values in _LIST_ROWS.rows(page):
        row = {field: values[column] for field, column in columns}
        state = row["state"]
        deadline = stored_datetime(values["t_deadline"])
        row["state_label"] = labels[state]
        row["reported_at"] = api_datetime(values["t_reported_at"])
        row["dispatched_at"] = api_datetime(values["t_dispatched_at"])
        row["deadline"] = api_datetime(values["t_deadline"])
        row["overdue"] = overdue(state, deadline, now)
        row["due_soon"] = due_soon(state, deadline, stored_datetime(values["t_warn_at"]), now)
        rows.append(row)
    return rows


@router.get("", response=list[CaseOut], operation_id="listCases")
@paginate_rows(_case_rows)
def list_cases(
    request: HttpRequest, q: str = "", state: str = "", category: str = "", unit: str = "", region: str = "",
    source: str = "", overdue: bool = False, due_soon: bool = False, mine: bool = False,
) -> QuerySet[Case]:
    """Cases in the caller's region (a unit handler: their unit's), newest first. `state` is a state or
    "open"; `category` a category or group code; `region` a community or grid code; `mine`: handled or
    reported by me (a unit handler: my unit's open cases)."""
    flt = queries.CaseFilter(q=q.strip()[:100], state=state[:20], category=category[:40], unit=unit[:40],
                             region=region[:40], source=source[:20], overdue=overdue, due_soon=due_soon, mine=mine)
    return queries.filter_cases(request.user, flt)


@router.get("/categories", response=list[CategoryOut], operation_id="listCaseCategories")
def list_categories(request: HttpRequest) -> list[CategoryOut]:
    """The categories a case can be reported under (the second level), with their group and time limit."""
    return [_category_out(c) for c in queries.leaf_categories()]


def _category_out(category: Category) -> CategoryOut:
    assert category.parent is not None  # noqa: S101 - leaf categories have a group
    return CategoryOut(code=category.code, name=category.name, group=category.parent.code,
                       group_name=category.parent.name, campaign_label=category.campaign_label,
                       limit_amount=category.limit_amount, limit_unit=category.limit_unit, public=category.public)


@router.get("/{number}", response=CaseDetailOut, operation_id="getCase")
def get_case(request: HttpRequest, number: str) -> dict[str, Any]:
    """One case with its timeline (each event's photos by SHA-256), the actions the caller may take now,
    its `version` (send it back with an action) and whether it is overdue or due soon."""
    return _detail(_case_or_404(request.user, number), request.user)


@router.get("/{number}/photos/{sha256}", response={200: None}, operation_id="getCasePhoto",
            openapi_extra={"responses": {"200": {"description": "The image",
                                                 "content": {"image/jpeg": {}, "image/*": {}}}}})
def get_case_photo(request: HttpRequest, number: str, sha256: str,
                   variant: Literal["thumb", "display", "original"] = "display") -> FileResponse:
    """A photo of the case's timeline: the thumbnail, the watermarked display version or the original."""
    return serve_photo(request, sha256, variant, _may_see_photo, number=number)


def _may_see_photo(request: HttpRequest, photo: Photo, /, *, number: str) -> bool:
    return photo.case_events.filter(case=_case_or_404(request.user, number)).exists()


def _case_or_404(user: Any, number: str) -> Case:
    return or_404(queries.case_for(user, number[:40]))


def _detail(case: Case, user: Any) -> dict[str, Any]:
    events = list(queries.case_timeline(case))
    allowed = allowed_actions(user, case, events)
    suggested = services.suggest_unit(case) if "dispatch" in allowed else None
    return {
        **CaseOut.from_orm(case).dict(),
        "lon": case.lon, "lat": case.lat, "resolution": case.resolution,
        "handler": case.handler.display_name if case.handler else None,
        "reported_by": case.reported_by.display_name if case.reported_by else None,
        "rectified_at": case.rectified_at, "closed_at": case.closed_at, "suspended_at": case.suspended_at,
        "extension_requested_until": case.extension_requested_until, "extension_reason": case.extension_reason,
        "rework_count": case.rework_count, "wrong_unit_count": case.wrong_unit_count,
        "reopen_count": case.reopen_count, "escalated_at": case.escalated_at,
        "rating": case.rating, "rating_reason": case.rating_reason, "rated_at": case.rated_at,
        "events": [
            EventOut(at=e.at, action=e.action, actor=e.actor_name, from_state=e.from_state, to_state=e.to_state,
                     note=e.note, data=e.data, photos=[p.sha256 for p in e.photos.all()])
            for e in events
        ],
        "allowed_actions": allowed,
        "suggested_unit": suggested.code if suggested else None,
    }


# --- report ----------------------------------------------------------------------------------


@router.post("", response={201: CaseDetailOut}, operation_id="reportCase")
def report_case(request: HttpRequest, payload: Form[ReportIn],
                photos: File[list[UploadedFile] | None] = None) -> Status:
    """Report a problem (multipart form): at a point (its code), in a grid (its code) or at a location
    (lon, lat inside a grid), with up to nine photos. The photos are watermarked with the time, the place
    and the reporter; if one is not a photo, nothing is stored."""
    user: Any = request.user
    category = queries.leaf_categories().filter(code=payload.category[:40]).first()
    if category is None:
        raise ValidationError({"category": _("Choose a category of the second level.")})
    point: Point | None = None
    grid: Region | None = None
    if payload.point:
        point = point_for(user, payload.point[:40])
        if point is None:
            raise ValidationError({"point": _("No such point in your region.")})
    elif payload.grid:
        grid = grids_visible_to(user).filter(code=payload.grid[:40]).first()
        if grid is None:
            raise ValidationError({"grid": _("No such grid in your region.")})
    place = point.name if point else (payload.address.strip() or (grid.name if grid else ""))
    with accepted_uploads(photos, by=user, place=place) as accepted:
        case = services.report_case(
            by=user, source=payload.source, category=category, description=payload.description, point=point,
            grid=grid, lon=payload.lon, lat=payload.lat, address=payload.address.strip(),
            severity=payload.severity, photos=accepted,
        )
    return Status(201, _detail(case, user))


# --- transitions ---------------------------------------------------------------------------
# One POST per offered action of the case workflow: its URL segment and operation id come from the
# table (cases.workflow.CASES), its input schema and description from here. Actions with photos
# take a multipart form, the others a JSON body.

INPUTS: dict[str, tuple[type[VersionIn], str]] = {
    "accept": (NoteIn, "立案: accept a reported case (street or community admin)."),
    "reject": (RejectIn, "不予立案: close a report without acting, with the reason shown to whoever reported it."),
    "dispatch": (DispatchIn, "派遣: send an accepted case to a unit (its code; empty: the suggested unit), "
                             "starting its time limit."),
    "redispatch": (RedispatchIn, "Send a case being handled to another unit, with a note; the time limit starts "
                                 "again."),
    "send_back": (ReasonIn, "回退: the unit says the case is not theirs; it returns to the dispatcher."),
    "start": (NoteIn, "The unit takes the dispatched case on; the caller becomes its handler."),
    "rectify": (PhotoNoteIn, "整改完成 (multipart form): mark the case rectified with at least one after-photo."),
    "verify": (VerifyIn, "核查结案 (multipart form): confirm the rectification on site and close the case, "
                         "optionally with\nphotos; never by the person who rectified it."),
    "return_for_rework": (PhotoNoteIn, "返工 (multipart form): verification failed; back to the unit with a note "
                                       "(required) and photos."),
    "request_extension": (ExtensionIn, "申请延期: the unit asks for a later deadline (`until`, ISO 8601) with a "
                                       "reason."),
    "decide_extension": (DecisionIn, "Grant the requested deadline (`grant: true`) or refuse it with a note."),
    "suspend": (ReasonIn, "挂账: a long or hard case; its clock stops until it is resumed."),
    "resume": (NoteIn, "Resume a suspended case; its deadline moves on by the working time it was suspended."),
    "reopen": (PhotoNoteIn, "The problem came back (multipart form): reopen the closed case for the same unit, "
                            "with a note and\nat least one photo."),
    "refer": (ReasonIn, "上报: the street office refers an accepted case that needs a higher-level unit to the "
                        "district, with a reason."),
    "answer_referral": (NoteIn, "The district's answer to a 上报 (note required): the case is back with the street "
                                "office."),
    "close_again": (NoteIn, "After a resident's “not satisfied” rating sent the case back: the fix stands, close it "
                            "again with a note\n(required) the resident reads."),
}


def _unit(user: Any, code: str) -> Unit:
    unit = units_visible_to(user).filter(code=code[:40]).first()
    if unit is None:
        raise ValidationError({"unit": _("No such unit serves your region.")})
    return unit


def _local(moment: dt.datetime) -> dt.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _fields(action: str, case: Case, user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The payload as the action's service takes it: units by code, times in local time."""
    if action == "dispatch":
        unit = _unit(user, data["unit"]) if data.get("unit") else services.suggest_unit(case)
        if unit is None:
            raise ValidationError({"unit": _("Choose the unit to send the case to.")})
        data["unit"] = unit
    elif action == "redispatch":
        data["unit"] = _unit(user, data["unit"])
    elif action == "request_extension":
        data["until"] = _local(data["until"])
    return data


mount(router, actions.ACTIONS, inputs=INPUTS, response=CaseDetailOut, find=_case_or_404, detail=_detail,
      fields=_fields)


@router.post("/{number}/{action}", include_in_schema=False)
def unknown_action(request: HttpRequest, number: str, action: str) -> None:
    """Any other action: the same 404 as an unknown case, in the API's error format."""
    raise Http404
