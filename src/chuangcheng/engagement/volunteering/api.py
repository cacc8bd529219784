"""The volunteer actions API (/api/volunteering): the caller's actions, sign-up, on-site check-in
and check-out with the phone's location (a mistaken check-out undone within minutes), and the
caller's own hours. Scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import LimitOffset
from chuangcheng.engagement.volunteering import queries, services
from chuangcheng.engagement.volunteering.models import Action, Attendance

router = Router(tags=["volunteering"])


class ActionOut(Schema):
    code: str
    kind: str
    title: str
    status: str
    community: str = Field(alias="community.code")
    community_name: str = Field(alias="community.name")
    place_name: str
    lon: Decimal
    lat: Decimal
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    taken: int
    targets: list[str]
    signed_up: bool = Field(False, alias="mine")


class ActionDetailOut(ActionOut):
    description: str
    organizer: str
    outcome: dict[str, int]
    summary: str

    @staticmethod
    def resolve_organizer(obj: Action) -> str:
        return obj.organizer.display_name


class LocationIn(Schema):
    lon: Decimal
    lat: Decimal


class CheckOutIn(Schema):
    lon: Decimal | None = None
    lat: Decimal | None = None


class AttendanceOut(Schema):
    action: str = Field(alias="action.code")
    person: str = Field(alias="person.code")
    walk_in: bool
    signed_up_at: dt.datetime
    checked_in_at: dt.datetime | None
    checkin_distance_m: int | None
    checked_out_at: dt.datetime | None
    hours: Decimal | None
    # Until when a check-out made by mistake may be undone (POST …/checkout/undo); None when not.
    undo_checkout_until: dt.datetime | None = None

    @staticmethod
    def resolve_undo_checkout_until(obj: Attendance) -> dt.datetime | None:
        return services.undo_checkout_until(obj) if services.can_undo_check_out(obj) else None


class PeriodHours(Schema):
    period: str
    hours: Decimal
    actions: int


class MyHoursOut(Schema):
    total_hours: Decimal
    total_actions: int
    years: list[PeriodHours]
    months: list[PeriodHours]


def _action(request: HttpRequest, code: str) -> Action:
    return or_404(queries.with_counts(queries.actions_visible_to(request.user), request.user).filter(code=code).first())


@router.get("/actions", response=list[ActionOut], operation_id="listVolunteerActions")
@paginate(LimitOffset)
def list_actions(request: HttpRequest, when: str = "upcoming", community: str = "", kind: str = "") -> QuerySet[Action]:
    """Actions in the caller's scope: `when` is "upcoming" (soonest first) or "past" (newest first)."""
    flt = queries.ActionFilter(when="past" if when == "past" else "upcoming", community=community[:40],
                               kind=kind if kind in Action.Kind.values else "")
    return queries.filter_actions(request.user, flt)


@router.get("/actions/{code}", response=ActionDetailOut, operation_id="getVolunteerAction")
def get_action(request: HttpRequest, code: str) -> Action:
    return _action(request, code)


@router.post("/actions/{code}/signup", response={201: AttendanceOut}, operation_id="signUpForVolunteerAction")
def sign_up(request: HttpRequest, code: str) -> Status:
    """Take a place (before the start, while places are left)."""
    return Status(201, services.sign_up(_action(request, code), by=request.user))


@router.delete("/actions/{code}/signup", response=AttendanceOut, operation_id="cancelVolunteerSignUp")
def cancel_sign_up(request: HttpRequest, code: str) -> Attendance:
    return services.cancel_sign_up(_action(request, code), by=request.user)


@router.post("/actions/{code}/checkin", response=AttendanceOut, operation_id="checkInVolunteerAction")
def check_in(request: HttpRequest, code: str, payload: LocationIn) -> Attendance:
    """Check in on site with the phone's WGS-84 location; refused (400) far from the place or outside
    the check-in window, with a message naming the distance or the window."""
    return services.check_in(_action(request, code), by=request.user, lon=payload.lon, lat=payload.lat)


@router.post("/actions/{code}/checkout", response=AttendanceOut, operation_id="checkOutVolunteerAction")
def check_out(request: HttpRequest, code: str, payload: CheckOutIn) -> Attendance:
    return services.check_out(_action(request, code), by=request.user, lon=payload.lon, lat=payload.lat)


@router.post("/actions/{code}/checkout/undo", response=AttendanceOut, operation_id="undoVolunteerCheckOut")
def undo_check_out(request: HttpRequest, code: str) -> Attendance:
    """Undo a check-out made by mistake, within VOLUNTEER_UNDO_CHECKOUT_MINUTES of it: checked in
    again, hours taken back until the next check-out. Refused (400) after that, with a message."""
    return services.undo_check_out(_action(request, code), by=request.user)


@router.get("/me/hours", response=MyHoursOut, operation_id="getMyVolunteerHours")
def my_hours(request: HttpRequest) -> MyHoursOut:
    record = queries.my_record(request.user)
    return MyHoursOut(
        total_hours=record.total_hours, total_actions=record.total_actions,
        years=[PeriodHours(period=str(y), hours=h, actions=n) for y, h, n in record.years],
        months=[PeriodHours(period=m, hours=h, actions=n) for m, h, n in record.months],
    )
