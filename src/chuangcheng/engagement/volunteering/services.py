"""Every write of volunteer actions: plan, sign up and cancel, check in and out on site, close with
the outcome, cancel the action, correct hours. Each checks permission and state in one
transaction and records an audit event; a refusal raises and leaves everything as it was.

Decisions (see docs/guide/volunteers.md):
- A check-in is accepted within VOLUNTEER_CHECKIN_RADIUS_M metres of the place, from
  VOLUNTEER_CHECKIN_EARLY_MINUTES before the start until the end.
- Walk-ins are welcome: a person who did not sign up is signed up at check-in while places are left.
- Hours are check-out minus check-in, clipped to the action's window. Closing the action checks out
  whoever is still checked in, at the end time. The organizer may correct hours, with a reason.
- A check-out made by mistake can be undone for VOLUNTEER_UNDO_CHECKOUT_MINUTES after it, while
  the action is still planned: the person is checked in again, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock, geo
from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import permissions
from chuangcheng.engagement.volunteering.models import OUTCOMES, Action, ActionPhoto, Attendance, HoursCorrection
from chuangcheng.evidence.services import PreparedPhoto
from chuangcheng.evidence.uploads import accepted_uploads, prepare_uploads
from chuangcheng.org.models import Region
from chuangcheng.org.permissions import in_scope

logger = logging.getLogger(__name__)

MAX_HOURS = Decimal("24")
MAX_COUNTER = 100_000


# --- helpers ---------------------------------------------------------------------------------


def _coordinate(value: Any, field: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Give the location as decimal degrees.")}) from exc
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError({field: _("Give the location as decimal degrees.")})
    return number.quantize(Decimal("0.000001"))


def parse_location(lon: Any, lat: Any) -> tuple[Decimal, Decimal]:
    """A phone's longitude and latitude (WGS-84), checked: both given, numbers, inside China."""
    if lon in (None, "") or lat in (None, ""):
        raise ValidationError({"location": _("Your location is needed: allow the browser to use it, "
                                             "or type longitude and latitude.")})
    x, y = _coordinate(lon, "lon", 180), _coordinate(lat, "lat", 90)
    if not geo.in_china(float(x), float(y)):
        raise ValidationError({"location": _("The location %(lon)s, %(lat)s is outside China.")
                               % {"lon": x, "lat": y}})
    return x, y


def distance_to(action: Action, lon: Decimal, lat: Decimal) -> float:
    return geo.distance_m(float(lon), float(lat), float(action.lon), float(action.lat))


def checkin_window(action: Action) -> tuple[dt.datetime, dt.datetime]:
    early = dt.timedelta(minutes=int(settings.VOLUNTEER_CHECKIN_EARLY_MINUTES))
    return action.starts_at - early, action.ends_at


def checkout_window(action: Action) -> tuple[dt.datetime, dt.datetime]:
    late = dt.timedelta(minutes=int(settings.VOLUNTEER_CHECKOUT_LATE_MINUTES))
    return action.starts_at, action.ends_at + late


def _fmt(moment: dt.datetime) -> str:
    return f"{clock.local(moment):%Y-%m-%d %H:%M}"


def _locked(action: Action) -> Action:
    """The action row again, locked for the transaction (sign-ups count against its places)."""
    return Action.objects.select_for_update().select_related("community", "organizer").get(pk=action.pk)


def taken_places(action: Action) -> int:
    return action.attendances.filter(cancelled_at__isnull=True).count()


def _person_of(user: Any) -> Any:
    if not permissions.can_sign_up(user):
        raise PermissionDenied(_("Your login is not linked to a person on the register, so hours cannot be "
                                 "credited to you. Ask your community office to link it."))
    return user.person


def _participant(action: Action, by: Any, person: Any) -> Any:
    """Whose place it is: the caller's own, or (for the organizer) a volunteer without a phone."""
    if person is None or (by.is_authenticated and by.person_id == person.pk):
        return _person_of(by)
    if not permissions.can_manage_action(by, action):
        raise PermissionDenied(_("Only the organizer may sign up or check in somebody else."))
    if not person.active:
        raise ValidationError(_("%(name)s is no longer active on the register.") % {"name": person.name})
    return person


def _new_code(day: dt.date) -> str:
    """ZY-YYYYMMDD-NN by the day the action starts: stable, sequential, unique."""
    prefix = f"ZY-{day:%Y%m%d}-"
    number = Action.objects.filter(code__startswith=prefix).count() + 1
    while Action.objects.filter(code=f"{prefix}{number:02d}").exists():
        number += 1
    return f"{prefix}{number:02d}"


# --- planning --------------------------------------------------------------------------------


@transaction.atomic
def plan_action(*, by: Any, kind: str, title: str, community: Region, place_name: str,
                lon: Any = None, lat: Any = None, point: Any = None, starts_at: dt.datetime,
                ends_at: dt.datetime, capacity: int, description: str = "",
                targets: Sequence[str] = (), organizer: Any = None) -> Action:
    """A new planned action. The place is a name and a location; a point (点位) of the community
    may stand in for the location. Raises PermissionDenied or ValidationError (field messages)."""
    if community is None or not permissions.can_plan_action(by, community):
        raise PermissionDenied(_("You may plan actions only in your own area."))
    errors: dict[str, list[str]] = {}
    if point is not None:
        if not point.grid.path.startswith(community.path):
            errors.setdefault("point", []).append(_("This point is not in the chosen community."))
        if lon in (None, "") and lat in (None, ""):
            lon, lat = point.lon, point.lat
        place_name = place_name or point.name
    x = y = None
    try:
        x, y = parse_location(lon, lat)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if starts_at and ends_at and ends_at <= clock.now():
        errors.setdefault("ends_at", []).append(_("This time is already over: plan an action that is still to come."))
    organizer = organizer or by
    if organizer is not by and not (in_scope(organizer, community) or (
            organizer.scope is not None and organizer.scope.path.startswith(community.path))):
        errors.setdefault("organizer", []).append(_("The organizer must work in this community."))
    if errors or x is None or y is None:
        raise ValidationError(errors)
    grid = None
    if point is not None:
        grid = point.grid
    else:
        from chuangcheng.places.services import locate_grid

        grid = locate_grid(float(x), float(y), within=community)
    action = Action(
        kind=kind, title=(title or "").strip()[:120], community=community, grid=grid,
        place_name=(place_name or "").strip()[:120], lon=x, lat=y, point=point, starts_at=starts_at,
        ends_at=ends_at, organizer=organizer, capacity=capacity, description=(description or "").strip(),
        targets=list(dict.fromkeys(targets)), created_by=by if getattr(by, "is_authenticated", False) else None,
        created_at=clock.now(),
    )
    action.code = _new_code(clock.local(starts_at).date() if starts_at else clock.today())
    action.full_clean(exclude=["code"])
    action.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=action, changes=audit.snapshot(action),
                 region_path=community.path)
    return action


@transaction.atomic
def cancel_action(action: Action, *, by: Any, reason: str) -> Action:
    """Call off a planned action, saying why. Its sign-ups stay on record."""
    if not permissions.can_manage_action(by, action):
        raise PermissionDenied(_("Only the organizer or the community office may cancel this action."))
    action = _locked(action)
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("Only a planned action can be cancelled; this one is %(status)s.")
                              % {"status": action.get_status_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    action.status, action.cancel_reason = Action.Status.CANCELLED, reason[:300]
    action.closed_at, action.closed_by = clock.now(), by
    action.save(update_fields=["status", "cancel_reason", "closed_at", "closed_by"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"status": [Action.Status.PLANNED, Action.Status.CANCELLED]}, note=reason)
    return action


# --- sign-up ---------------------------------------------------------------------------------


@transaction.atomic
def sign_up(action: Action, *, by: Any, person: Any = None) -> Attendance:
    """Take one of the action's places (before it starts, while places are left); the organizer
    may take one for a volunteer without a phone (`person`)."""
    person = _participant(action, by, person)
    action = _locked(action)
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("This action is %(status)s: sign-up is closed.")
                              % {"status": action.get_status_display()})
    if clock.now() >= action.starts_at:
        raise ValidationError(_("This action has already started: come along and check in on site instead."))
    row = Attendance.objects.filter(action=action, person=person).first()
    if row is not None and row.active:
        raise ValidationError(_("You have already signed up for this action."))
    if taken_places(action) >= action.capacity:
        raise ValidationError(_("This action is full: all %(n)d places are taken.") % {"n": action.capacity})
    if row is None:
        row = Attendance.objects.create(action=action, person=person, user=by, signed_up_at=clock.now())
    else:
        row.cancelled_at, row.signed_up_at, row.user = None, clock.now(), by
        row.save(update_fields=["cancelled_at", "signed_up_at", "user"])
    audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=action, region_path=action.community.path,
                 changes={"sign_up": [None, person.code]}, note="sign up")
    return row


@transaction.atomic
def cancel_sign_up(action: Action, *, by: Any) -> Attendance:
    """Give one's place back, before the action starts."""
    person = _person_of(by)
    action = _locked(action)
    row = Attendance.objects.filter(action=action, person=person, cancelled_at__isnull=True).first()
    if row is None:
        raise ValidationError(_("You have not signed up for this action."))
    if clock.now() >= action.starts_at or action.status != Action.Status.PLANNED:
        raise ValidationError(_("The action has started: a sign-up can be cancelled only before %(start)s.")
                              % {"start": _fmt(action.starts_at)})
    row.cancelled_at = clock.now()
    row.save(update_fields=["cancelled_at"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"sign_up": [person.code, None]}, note="cancel sign-up")
    return row


# --- on site ---------------------------------------------------------------------------------


@transaction.atomic
def check_in(action: Action, *, by: Any, lon: Any, lat: Any, person: Any = None) -> Attendance:
    """Check in on site with the phone's location: near the place, in the window, once. A person
    who did not sign up is signed up now (walk-in) while places are left. The organizer may check
    in a volunteer without a phone (`person`) with the organizer's own location."""
    person = _participant(action, by, person)
    x, y = parse_location(lon, lat)
    action = _locked(action)
    now = clock.now()
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("This action is %(status)s: check-in is closed.")
                              % {"status": action.get_status_display()})
    opens, closes = checkin_window(action)
    if not opens <= now <= closes:
        raise ValidationError(_("Check-in is open from %(opens)s to %(closes)s; it is now %(now)s.")
                              % {"opens": _fmt(opens), "closes": _fmt(closes), "now": _fmt(now)})
    distance = distance_to(action, x, y)
    radius = int(settings.VOLUNTEER_CHECKIN_RADIUS_M)
    if distance > radius:
        logger.info("volunteer check-in refused: %s %s %.0f m away", action.code, person.code, distance)
        raise ValidationError({"location": _(
            "You are %(distance)d m from %(place)s; check in within %(radius)d m of the place.")
            % {"distance": round(distance), "place": action.place_name, "radius": radius}})
    row = Attendance.objects.filter(action=action, person=person).first()
    if row is not None and row.checked_in_at is not None:
        raise ValidationError(_("You already checked in at %(at)s.") % {"at": _fmt(row.checked_in_at)})
    if row is None or not row.active:
        if taken_places(action) >= action.capacity:
            raise ValidationError(_("This action is full: all %(n)d places are taken.") % {"n": action.capacity})
        if row is None:
            row = Attendance(action=action, person=person, signed_up_at=now, walk_in=True)
        row.cancelled_at, row.walk_in = None, True
    row.user = by
    row.checked_in_at, row.checkin_lon, row.checkin_lat = now, x, y
    row.checkin_distance_m = round(distance)
    row.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"check_in": [None, person.code], "distance_m": [None, round(distance)]}, note="check in")
    return row


@transaction.atomic
def check_out(action: Action, *, by: Any, lon: Any = None, lat: Any = None, person: Any = None) -> Attendance:
    """Check out; the hours are credited now. The location is recorded when the phone gives one."""
    person = _participant(action, by, person)
    x = y = None
    if lon not in (None, "") or lat not in (None, ""):
        x, y = parse_location(lon, lat)
    action = _locked(action)
    now = clock.now()
    row = Attendance.objects.filter(action=action, person=person, cancelled_at__isnull=True).first()
    if row is None or row.checked_in_at is None:
        raise ValidationError(_("Check in first: there is no check-in of yours for this action."))
    if row.checked_out_at is not None:
        raise ValidationError(_("You already checked out at %(at)s.") % {"at": _fmt(row.checked_out_at)})
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("This action is %(status)s: check-out is closed.")
                              % {"status": action.get_status_display()})
    _opens, closes = checkout_window(action)
    if now > closes:
        raise ValidationError(_("Check-out closed at %(closes)s; ask the organizer to record your hours.")
                              % {"closes": _fmt(closes)})
    row.checked_out_at = now
    if x is not None and y is not None:
        row.checkout_lon, row.checkout_lat = x, y
        row.checkout_distance_m = round(distance_to(action, x, y))
    if not row.hours_corrected:
        row.hours = action.credited_hours(row.checked_in_at, now)
    row.save()
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"check_out": [None, person.code], "hours": [None, str(row.hours)]}, note="check out")
    return row


def undo_checkout_until(row: Attendance | None) -> dt.datetime | None:
    """Until when this check-out may be undone; None when there is nothing to undo (not checked
    out, or checked out by the closing of the action)."""
    if row is None or row.checked_out_at is None or row.auto_checkout or not row.active:
        return None
    return row.checked_out_at + dt.timedelta(minutes=int(settings.VOLUNTEER_UNDO_CHECKOUT_MINUTES))


def can_undo_check_out(row: Attendance | None, now: dt.datetime | None = None) -> bool:
    until = undo_checkout_until(row)
    return until is not None and row is not None and row.action.status == Action.Status.PLANNED \
        and (now or clock.now()) <= until


@transaction.atomic
def undo_check_out(action: Action, *, by: Any, person: Any = None) -> Attendance:
    """Undo a check-out made by mistake, within VOLUNTEER_UNDO_CHECKOUT_MINUTES: the person is
    checked in again (same check-in time and place) and the hours credited are taken back until
    the next check-out. The undo is kept as an audit event."""
    person = _participant(action, by, person)
    action = _locked(action)
    now = clock.now()
    row = Attendance.objects.select_for_update().filter(action=action, person=person,
                                                        cancelled_at__isnull=True).first()
    if row is None or row.checked_out_at is None:
        raise ValidationError(_("There is no check-out of yours to undo for this action."))
    if row.auto_checkout:
        raise ValidationError(_("You were checked out when the action was closed; ask the organizer to "
                                "correct your hours."))
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("This action is %(status)s: the check-out can no longer be undone.")
                              % {"status": action.get_status_display()})
    until = undo_checkout_until(row)
    if until is None or now > until:
        minutes = int(settings.VOLUNTEER_UNDO_CHECKOUT_MINUTES)
        raise ValidationError(
            _("A check-out can be undone within %(n)d minutes; yours was at %(at)s. Ask the organizer to "
              "correct your hours.") % {"n": minutes, "at": _fmt(row.checked_out_at)})
    checked_out_at, hours = row.checked_out_at, row.hours
    row.checked_out_at = row.checkout_lon = row.checkout_lat = row.checkout_distance_m = None
    if not row.hours_corrected:
        row.hours = None
    row.save(update_fields=["checked_out_at", "checkout_lon", "checkout_lat", "checkout_distance_m", "hours"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"check_out": [person.code, None], "checked_out_at": [checked_out_at.isoformat(), None],
                          "hours": [str(hours) if hours is not None else None,
                                    str(row.hours) if row.hours is not None else None]},
                 note="undo check out")
    return row


# --- closing ---------------------------------------------------------------------------------


def clean_outcome(values: Mapping[str, Any]) -> dict[str, int]:
    """The outcome counters as whole numbers from 0; unknown codes are ignored, bad values named."""
    result: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for code, label in OUTCOMES:
        raw = values.get(code, 0)
        try:
            number = int(str(raw).strip() or 0)
        except (TypeError, ValueError):
            errors[code] = [_("%(label)s: enter a whole number.") % {"label": label}]
            continue
        if not 0 <= number <= MAX_COUNTER:
            errors[code] = [_("%(label)s: enter a number from 0 to %(max)d.") % {"label": label, "max": MAX_COUNTER}]
            continue
        result[code] = number
    if errors:
        raise ValidationError(errors)
    return result


def close_action(action: Action, *, by: Any, outcome: Mapping[str, Any], summary: str = "",
                 before_photos: Sequence[Any] = (), after_photos: Sequence[Any] = ()) -> Action:
    """Record that the action was held, with its outcome counters, summary and before/after photos.
    Whoever is still checked in is checked out at the end time. The photos are decoded before the
    transaction opens."""
    if not permissions.can_manage_action(by, action):
        raise PermissionDenied(_("Only the organizer or the community office may close this action."))
    place = f"{action.community.name} {action.place_name}"
    return _close_action(action, by=by, outcome=outcome, summary=summary,
                         before_photos=prepare_uploads(list(before_photos), by=by, place=place),
                         after_photos=prepare_uploads(list(after_photos), by=by, place=place))


@transaction.atomic
def _close_action(action: Action, *, by: Any, outcome: Mapping[str, Any], summary: str,
                  before_photos: Sequence[PreparedPhoto], after_photos: Sequence[PreparedPhoto]) -> Action:
    if not permissions.can_manage_action(by, action):
        raise PermissionDenied(_("Only the organizer or the community office may close this action."))
    action = _locked(action)
    if action.status != Action.Status.PLANNED:
        raise ValidationError(_("This action is already %(status)s.") % {"status": action.get_status_display()})
    if clock.now() < action.starts_at:
        raise ValidationError(_("The action starts at %(start)s: close it once it has been held.")
                              % {"start": _fmt(action.starts_at)})
    counters = clean_outcome(outcome)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Write a few words about what was done.")})
    place = f"{action.community.name} {action.place_name}"
    with accepted_uploads(list(before_photos), by=by, place=place) as before, \
            accepted_uploads(list(after_photos), by=by, place=place) as after:
        for stage, photos in ((ActionPhoto.Stage.BEFORE, before), (ActionPhoto.Stage.AFTER, after)):
            for photo in photos:
                ActionPhoto.objects.get_or_create(action=action, photo=photo, stage=stage)
    end = min(action.ends_at, clock.now())
    for row in action.attendances.filter(cancelled_at__isnull=True, checked_in_at__isnull=False,
                                         checked_out_at__isnull=True):
        row.checked_out_at, row.auto_checkout = max(end, row.checked_in_at or end), True
        if not row.hours_corrected:
            row.hours = action.credited_hours(row.checked_in_at or end, row.checked_out_at)
        row.save(update_fields=["checked_out_at", "auto_checkout", "hours"])
    action.status, action.outcome, action.summary = Action.Status.HELD, counters, summary[:4000]
    action.closed_at, action.closed_by = clock.now(), by
    action.save(update_fields=["status", "outcome", "summary", "closed_at", "closed_by"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"status": [Action.Status.PLANNED, Action.Status.HELD], "outcome": [None, counters],
                          "photos": [None, len(before) + len(after)]}, note=summary[:200])
    return action


@transaction.atomic
def correct_hours(attendance: Attendance, *, by: Any, hours: Any, reason: str) -> Attendance:
    """The organizer corrects a person's credited hours (forgot to check out, phone flat...),
    saying why; every correction is kept."""
    action = attendance.action
    if not permissions.can_manage_action(by, action):
        raise PermissionDenied(_("Only the organizer or the community office may correct hours."))
    if action.status == Action.Status.CANCELLED:
        raise ValidationError(_("This action was cancelled: no hours are credited."))
    if not attendance.active:
        raise ValidationError(_("This person cancelled their sign-up."))
    if clock.now() < action.starts_at:
        raise ValidationError(_("Hours can be corrected once the action has started."))
    try:
        value = Decimal(str(hours).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({"hours": _("Enter the hours as a number, such as 1.5.")}) from exc
    longest = action.credited_hours(action.starts_at, action.ends_at)
    if not value.is_finite() or value < 0 or value > min(longest, MAX_HOURS):
        raise ValidationError({"hours": _("Enter between 0 and %(max)s hours (the length of the action).")
                               % {"max": longest}})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the hours are corrected.")})
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    before = attendance.hours
    HoursCorrection.objects.create(attendance=attendance, by=by, before=before, after=value, reason=reason[:300],
                                   at=clock.now())
    attendance.hours, attendance.hours_corrected = value, True
    attendance.save(update_fields=["hours", "hours_corrected"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=action, region_path=action.community.path,
                 changes={"hours": [str(before) if before is not None else None, str(value)],
                          "person": [None, attendance.person.code]}, note=reason)
    return attendance
