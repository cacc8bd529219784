"""Publicity endpoints over the same services and queries as the pages, mounted at /api/publicity:
pushes (list, read, create), offline items per point (list, register), household visits (list,
record) and coverage. A grid or point outside the caller's region is 404 (or 400 with the field
named when it is an input); a role that may not act is 403; a bad field is 400."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import LimitOffset
from chuangcheng.core.periods import parse_period
from chuangcheng.engagement.publicity import permissions, queries, services
from chuangcheng.engagement.publicity.forms import MAX_RANGE_DAYS, this_month
from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem, Push, PushDelivery
from chuangcheng.org.models import Region
from chuangcheng.org.queries import users_visible_to
from chuangcheng.places.queries import points_visible_to

router = Router(tags=["publicity"])


def _reader(request: HttpRequest) -> Any:
    if not permissions.can_view_publicity(request.user):
        raise PermissionDenied(_("Publicity is for street and community staff."))
    return request.user


def _writer(request: HttpRequest) -> Any:
    user = _reader(request)
    if not permissions.can_push_anywhere(user):
        raise PermissionDenied(_("Only grid workers and admins push publicity and record visits."))
    return user


def _site(request: HttpRequest) -> str:
    from chuangcheng.engagement.publicity.views import site_of

    return site_of(request)


# --- schemas ---------------------------------------------------------------------------------


class DeliveryOut(Schema):
    grid: str
    grid_name: str
    group: str
    channel: str
    state: str
    sent_at: dt.datetime | None
    attempts: int
    error: str


class PushOut(Schema):
    number: str
    title: str
    text: str
    scope: str
    scope_name: str
    author: str
    created_at: dt.datetime
    has_image: bool
    deliveries: list[DeliveryOut]

    @staticmethod
    def resolve_scope(obj: Push) -> str:
        return obj.scope.code

    @staticmethod
    def resolve_scope_name(obj: Push) -> str:
        return obj.scope.name

    @staticmethod
    def resolve_author(obj: Push) -> str:
        return obj.author.username

    @staticmethod
    def resolve_has_image(obj: Push) -> bool:
        return obj.image_id is not None

    @staticmethod
    def resolve_deliveries(obj: Push) -> list[DeliveryOut]:
        return [_delivery(d) for d in obj.shown]  # type: ignore[attr-defined]


class PushIn(Schema):
    title: str
    text: str
    targets: list[str]


class ItemOut(Schema):
    code: str
    point: str
    kind: str
    theme: str
    count: int
    counted: bool
    put_up_on: dt.date
    taken_down_on: dt.date | None
    photo_url: str | None


class PointItemsOut(Schema):
    point: str
    point_name: str
    point_type: str
    have: int
    need: int | None
    short: int
    items: list[ItemOut]


class ItemIn(Schema):
    kind: str
    theme: str
    count: int = 1
    put_up_on: dt.date
    note: str = ""


class VisitOut(Schema):
    grid: str
    grid_name: str
    building: str
    unit: str
    room: str
    household: str
    surname: str
    visitor: str
    day: dt.date
    topics: list[str]
    result: str

    @staticmethod
    def resolve_grid(obj: HouseholdVisit) -> str:
        return obj.grid.code

    @staticmethod
    def resolve_grid_name(obj: HouseholdVisit) -> str:
        return obj.grid.name

    @staticmethod
    def resolve_visitor(obj: HouseholdVisit) -> str:
        return obj.visitor.username


class VisitIn(Schema):
    grid: str
    building: str
    unit: str = ""
    room: str
    day: dt.date
    result: str
    topics: list[str] = []
    visitor: str = ""
    surname: str = ""
    note: str = ""


class CoverageRowOut(Schema):
    region: str
    name: str
    households: int | None
    covered: int
    visits: int
    rate: float | None


class CommunityCoverageOut(CoverageRowOut):
    grids: list[CoverageRowOut]


# --- conversions -----------------------------------------------------------------------------


def _delivery(d: PushDelivery) -> DeliveryOut:
    return DeliveryOut(grid=d.grid.code, grid_name=d.grid.name, group=d.group_name, channel=d.channel,
                       state=d.state, sent_at=d.message.sent_at if d.message else None,
                       attempts=d.message.attempts if d.message else 0, error=d.error)


def _item(item: OfflineItem, site: str) -> ItemOut:
    return ItemOut(code=item.code, point=item.point.code, kind=item.kind, theme=item.theme, count=item.count,
                   counted=item.counted, put_up_on=item.put_up_on, taken_down_on=item.taken_down_on,
                   photo_url=site + reverse("publicity:item_photo", args=[item.code, "display"])
                   if item.photo_id else None)


def _row(row: queries.CoverageRow) -> dict[str, Any]:
    return {"region": row.region.code, "name": row.region.name, "households": row.households,
            "covered": row.covered, "visits": row.visits, "rate": round(row.rate, 4) if row.rate is not None else None}


# --- pushes ----------------------------------------------------------------------------------


@router.get("/pushes", response=list[PushOut], operation_id="listPublicityPushes")
@paginate(LimitOffset)
def list_pushes(request: HttpRequest) -> QuerySet[Push]:
    """Pushes that reached a grid of the caller's region, newest first, each with its delivery per
    group (queued, sent, failed with the reason, or no_group)."""
    return queries.pushes_with_deliveries(_reader(request))


@router.get("/pushes/{number}", response=PushOut, operation_id="getPublicityPush")
def get_push(request: HttpRequest, number: str) -> Push:
    return or_404(queries.push_for(_reader(request), number))


@router.post("/pushes", response={201: PushOut}, operation_id="createPublicityPush")
def create_push(request: HttpRequest, payload: Form[PushIn], image: File[UploadedFile | None] = None) -> Status:
    """Push a message (multipart form) to the group robots of the chosen grids: `targets` are grid
    codes or community codes (all the community's grids), repeated. Refused (400) when no chosen grid
    has a group robot."""
    user = _writer(request)
    regions = {r.code: r for r in queries.push_scopes_for(user)}
    picked = []
    for code in payload.targets:
        for part in str(code).split(","):
            part = part.strip()
            if not part:
                continue
            if part not in regions:
                raise ValidationError({"targets": _("No grid or community %(code)s in your region.")
                                       % {"code": part[:40]}})
            picked.append(regions[part])
    grids: list[Region] = []
    for region in picked:
        grids.extend(g for g in services.grids_of(region) if g.code in regions)
    scope = picked[0] if len(picked) == 1 else None
    push = services.push_message(by=user, title=payload.title, text=payload.text, grids=list(dict.fromkeys(grids)),
                                 scope=scope, image=image, site=_site(request))
    shown = queries.push_for(user, push.number)
    assert shown is not None  # noqa: S101 - just written in the caller's region
    return Status(201, shown)


# --- offline items ---------------------------------------------------------------------------


def _point(user: Any, code: str) -> Any:
    return or_404(points_visible_to(user).filter(code=code[:40]).first())


@router.get("/points/{code}/items", response=PointItemsOut, operation_id="listOfflineItems")
def list_items(request: HttpRequest, code: str) -> PointItemsOut:
    """A point's offline publicity (newest first) and its public-service ads standing today against
    the catalog's number for its type."""
    user = _reader(request)
    point = _point(user, code)
    row = queries.point_row(user, point, day=clock.today())
    site = _site(request)
    items = queries.items_visible_to(user).filter(point=point).order_by("-put_up_on", "-id")
    return PointItemsOut(point=point.code, point_name=point.name, point_type=point.point_type.code,
                         have=row.have, need=row.need, short=row.short, items=[_item(i, site) for i in items])


@router.post("/points/{code}/items", response={201: ItemOut}, operation_id="registerOfflineItem")
def register_item(request: HttpRequest, code: str, payload: Form[ItemIn],
                  photo: File[UploadedFile | None] = None) -> Status:
    """Register an item put up at the point (multipart form, with its photo)."""
    user = _reader(request)
    point = _point(user, code)
    item = services.register_item(point, by=user, kind=payload.kind, theme=payload.theme, count=payload.count,
                                  put_up_on=payload.put_up_on, photo=photo, note=payload.note)
    return Status(201, _item(item, _site(request)))


# --- household visits ------------------------------------------------------------------------


@router.get("/visits", response=list[VisitOut], operation_id="listHouseholdVisits")
@paginate(LimitOffset)
def list_visits(request: HttpRequest, since: str = "", until: str = "", region: str = "",
                result: str = "") -> QuerySet[HouseholdVisit]:
    """Visits in the caller's region, newest first, between `since` and `until` (YYYY-MM-DD, both
    optional, inclusive); `region` a community or grid code."""
    period = parse_period({"since": since, "until": until})
    flt = queries.VisitFilter(start=period.since, end=period.until, region=region[:40],
                              result=result if result in HouseholdVisit.Result.values else "")
    return queries.filter_visits(_reader(request), flt)


@router.post("/visits", response={201: VisitOut}, operation_id="recordHouseholdVisit")
def record_visit(request: HttpRequest, payload: VisitIn) -> Status:
    """Record one household visit (building / unit / room in a grid of the caller's region)."""
    user = _writer(request)
    grid = queries.push_grids_for(user).filter(code=payload.grid[:40]).first()
    if grid is None:
        raise ValidationError({"grid": _("No grid %(code)s in your region.") % {"code": payload.grid[:40]}})
    visitor = None
    if payload.visitor:
        visitor = users_visible_to(user).filter(username=payload.visitor[:150]).first()
        if visitor is None:
            raise ValidationError({"visitor": _("No such person in your region.")})
    visit = services.record_visit(grid, by=user, visitor=visitor, building=payload.building, unit=payload.unit,
                                  room=payload.room, day=payload.day, result=payload.result, topics=payload.topics,
                                  surname=payload.surname, note=payload.note)
    return Status(201, visit)


@router.get("/coverage", response=list[CommunityCoverageOut], operation_id="getHouseholdCoverage")
def get_coverage(request: HttpRequest, since: str = "", until: str = "",
                 community: str = "") -> list[dict[str, Any]]:
    """Households covered (visited with result "visited", distinct) over households, per community
    and grid, between `since` and `until` (default: this month so far)."""
    user = _reader(request)
    first, last = parse_period({"since": since, "until": until}, default=this_month(), max_days=MAX_RANGE_DAYS).bounds()
    return [{**_row(block.total), "grids": [_row(g) for g in block.grids]}
            for block in queries.coverage(user, start=first, end=last, community=community[:40])]
