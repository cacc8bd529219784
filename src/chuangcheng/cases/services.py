"""Every change to a case: one function per transition, each checking permission and state,
moving the state with an optimistic version check, and writing one immutable event row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from chuangcheng.cases import escalation, permissions
from chuangcheng.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    Category,
    Rating,
    Resolution,
    Severity,
    Source,
    State,
)
from chuangcheng.cases.workflow import CASES, HANDLING, last_rectifier
from chuangcheng.core import clock, geo, workcal
from chuangcheng.core.workflow import SYSTEM, Actor, TransitionNotAllowed, actor_name, actor_user, check_actor
from chuangcheng.org.models import Region, Unit
from chuangcheng.org.queries import units_visible_to
from chuangcheng.places.models import Point

# The case workflow's transitions by the event actions they write (decide_extension writes
# grant_extension or deny_extension): a view of the table, for readers that count events.
TRANSITIONS = {action: t for t in CASES.transitions for action in t.event_actions}


def _note(note: str, *, required: bool, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: _("Say why: this note is required.")})
    if len(note) > 2000:
        raise ValidationError({field: _("Keep the note under 2000 characters.")})
    return note


def next_number(day: dt.date) -> str:
    """GM-20261129-0007: the prefix, the local date and a daily sequence that never repeats."""
    return CaseCounter.next_number(settings.CASE_NUMBER_PREFIX, day, 4)


def deadline_for(category: Category, severity: str, start: dt.datetime, *,
                 calendar: workcal.WorkCalendar | None = None) -> dt.datetime:
    """The category's time limit from `start`, halved (at least one unit) for urgent cases."""
    amount = category.limit_amount
    if severity == Severity.URGENT:
        amount = max(1, (amount + 1) // 2)
    return workcal.deadline(start, amount, category.limit_unit, calendar=calendar)


def warn_moment(category: Category, start: dt.datetime, deadline: dt.datetime, *,
                calendar: workcal.WorkCalendar | None = None, fraction: float = workcal.YELLOW_FROM) -> dt.datetime:
    """When `fraction` (80 %, or the street's escalation rule) of the time from `start` to `deadline`
    is used, counted the way the category's limit is counted (office time, or clock time for emergencies)."""
    if category.limit_unit in workcal.NATURAL_UNITS:
        return start + (deadline - start) * fraction
    calendar = calendar or workcal.WorkCalendar()
    return calendar.add_working_seconds(start, calendar.working_seconds_between(start, deadline) * fraction)


def _clock_from(case: Case, start: dt.datetime, deadline: dt.datetime | None = None) -> dict[str, Any]:
    """The fields of a (re)started clock: deadline, due-soon moment, warnings not yet sent. One
    calendar for both, so the year's calendar rows are read once."""
    calendar = workcal.WorkCalendar()
    deadline = deadline or deadline_for(case.category, case.severity, start, calendar=calendar)
    fraction = escalation.warn_fraction(case.grid)
    return {"deadline": deadline,
            "warn_at": warn_moment(case.category, start, deadline, calendar=calendar, fraction=fraction),
            "warned_at": None, "escalated_at": None, "reminded_on": None}


@transaction.atomic
def report_case(
    *,
    by: Actor,
    source: str,
    category: Category,
    description: str,
    point: Point | None = None,
    grid: Region | None = None,
    lon: Decimal | float | None = None,
    lat: Decimal | float | None = None,
    address: str = "",
    severity: str = Severity.NORMAL,
    photos: Sequence[Any] = (),
) -> Case:
    """A new problem: at a point, or at a location whose grid is found from the boundaries."""
    errors: dict[str, list[str]] = {}
    if not category.active or category.parent_id is None:
        errors.setdefault("category", []).append(_("Choose a category of the second level."))
    if source not in Source.values:
        errors.setdefault("source", []).append(_("Unknown source."))
    if severity not in Severity.values:
        errors.setdefault("severity", []).append(_("Unknown severity."))
    description = (description or "").strip()
    if not description:
        errors.setdefault("description", []).append(_("Describe the problem."))
    elif len(description) > 4000:
        errors.setdefault("description", []).append(_("Keep the description under 4000 characters."))
    if lon is not None and lat is not None and not geo.in_china(float(lon), float(lat)):
        errors.setdefault("lon", []).append(_("The location is outside China."))
    if point is not None:
        grid = point.grid
        if lon is None or lat is None:
            lon, lat = point.lon, point.lat
        address = address or point.address
    elif grid is None and lon is not None and lat is not None and "lon" not in errors:
        from chuangcheng.places.services import locate_grid

        grid = locate_grid(float(lon), float(lat))
    if grid is None and "lon" not in errors:
        errors.setdefault("grid", []).append(_("Choose the point or the grid, or give a location inside a grid."))
    if errors:
        raise ValidationError(errors)
    assert grid is not None  # noqa: S101 - narrowed by the checks above
    check_actor(by)
    if by is not SYSTEM and not permissions.can_report(by, grid):
        raise PermissionDenied(str(CASES.denied))
    now = clock.now()
    case = Case.objects.create(
        number=next_number(clock.local(now).date()), source=source, category=category, severity=severity,
        point=point, grid=grid, address=address[:200], description=description,
        lon=Decimal(str(lon)).quantize(Decimal("0.000001")) if lon is not None else None,
        lat=Decimal(str(lat)).quantize(Decimal("0.000001")) if lat is not None else None,
        reported_by=actor_user(by), reported_at=now,
    )
    event = CaseEvent.objects.create(
        case=case, actor=case.reported_by, actor_name=actor_name(by),
        action="report", from_state="", to_state=State.REPORTED, note="",
        data={"source": source, "photos": [p.sha256 for p in photos]},
    )
    _attach(event, photos)
    return case


@transaction.atomic
def accept_case(case: Case, *, by: Actor, note: str = "") -> CaseEvent:
    CASES.check(case, "accept", by=by)
    return CASES.move(case, "accept", by=by, note=_note(note, required=False))


@transaction.atomic
def reject_case(case: Case, *, by: Actor, reason: str, resolution: str = Resolution.NOT_OURS) -> CaseEvent:
    """不予立案: the reason is shown to whoever reported it."""
    CASES.check(case, "reject", by=by)
    if resolution not in {Resolution.NOT_OURS, Resolution.DUPLICATE, Resolution.NOT_FIXABLE}:
        raise ValidationError({"resolution": _("Choose why the report is not accepted.")})
    return CASES.move(case, "reject", by=by, note=_note(reason, required=True, field="reason"),
                      resolution=resolution, closed_at=clock.now())


@transaction.atomic
def merge_case(case: Case, *, by: Actor, into: Case, note: str = "") -> CaseEvent:
    """并案: a report of a problem already open as `into`; not accepted, as a duplicate linked to it."""
    CASES.check(case, "merge", by=by)
    if into.pk == case.pk or not into.is_open:
        raise ValidationError({"into": _("Merge into another case that is still open.")})
    return CASES.move(case, "merge", by=by, note=_note(note, required=False), data={"into": into.number},
                      resolution=Resolution.DUPLICATE, closed_at=clock.now())


@transaction.atomic
def dispatch_case(case: Case, *, by: Actor, unit: Unit, note: str = "") -> CaseEvent:
    """派遣: to the responsible unit, starting the clock of the category's time limit."""
    CASES.check(case, "dispatch", by=by)
    _check_unit(unit, by)
    now = clock.now()
    running = _clock_from(case, now)
    event = CASES.move(case, "dispatch", by=by, note=_note(note, required=False), data={"unit": unit.code},
                       event_fields={"deadline": running["deadline"]}, unit=unit, dispatched_at=now, **running)
    _tell_unit(case, event, _("New case %(number)s for %(unit)s"))
    return event


@transaction.atomic
def redispatch_case(case: Case, *, by: Actor, unit: Unit, note: str) -> CaseEvent:
    """Send the case to another unit; the clock starts again for the new unit."""
    CASES.check(case, "redispatch", by=by)
    _check_unit(unit, by)
    if unit.pk == case.unit_id:
        raise ValidationError({"unit": _("The case is already with this unit.")})
    now = clock.now()
    running = _clock_from(case, now)
    event = CASES.move(case, "redispatch", by=by, note=_note(note, required=True),
                       data={"from_unit": case.unit.code if case.unit else None, "unit": unit.code},
                       event_fields={"deadline": running["deadline"]}, unit=unit, handler=None, dispatched_at=now,
                       extension_requested_until=None, extension_reason="", **running)
    _tell_unit(case, event, _("New case %(number)s for %(unit)s"))
    return event


@transaction.atomic
def send_back(case: Case, *, by: Actor, reason: str) -> CaseEvent:
    """回退: the unit says the case is not theirs; it goes back to the dispatcher and counts as a
    wrong dispatch. The clock stops (the event records no deadline)."""
    CASES.check(case, "send_back", by=by)
    return CASES.move(case, "send_back", by=by, note=_note(reason, required=True, field="reason"),
                      data={"unit": case.unit.code if case.unit else None}, event_fields={"deadline": None},
                      unit=None, handler=None, deadline=None, warn_at=None, warned_at=None, escalated_at=None,
                      wrong_unit_count=case.wrong_unit_count + 1, extension_requested_until=None,
                      extension_reason="")


@transaction.atomic
def start_rectification(case: Case, *, by: Actor, note: str = "") -> CaseEvent:
    CASES.check(case, "start", by=by)
    return CASES.move(case, "start", by=by, note=_note(note, required=False), handler=actor_user(by))


@transaction.atomic
def rectify_case(case: Case, *, by: Actor, photos: Sequence[Any], note: str = "") -> CaseEvent:
    """整改完成: only with at least one after-photo."""
    CASES.check(case, "rectify", by=by)
    if not photos:
        raise ValidationError({"photos": _("Add at least one photo taken after the rectification.")})
    event = CASES.move(case, "rectify", by=by, note=_note(note, required=False),
                       data={"photos": [p.sha256 for p in photos]}, rectified_at=clock.now())
    _attach(event, photos)
    return event


@transaction.atomic
def verify_case(case: Case, *, by: Actor, photos: Sequence[Any] = (), note: str = "",
                resolution: str = Resolution.FIXED) -> CaseEvent:
    """核查结案: someone other than the rectifier confirms on site: fixed, or it cannot be fixed."""
    context = {"rectified_by": last_rectifier(case)}
    CASES.check(case, "verify", by=by, **context)
    if resolution not in {Resolution.FIXED, Resolution.NOT_FIXABLE}:
        raise ValidationError({"resolution": _("A verified case is fixed or cannot be fixed.")})
    event = CASES.move(case, "verify", by=by, context=context, note=_note(note, required=False),
                       data={"photos": [p.sha256 for p in photos]}, resolution=resolution, closed_at=clock.now())
    _attach(event, photos)
    return event


@transaction.atomic
def return_for_rework(case: Case, *, by: Actor, note: str, photos: Sequence[Any] = ()) -> CaseEvent:
    """返工: verification failed; back to the unit, counted against it. The deadline stays."""
    context = {"rectified_by": last_rectifier(case)}
    CASES.check(case, "return_for_rework", by=by, **context)
    event = CASES.move(case, "return_for_rework", by=by, context=context, note=_note(note, required=True),
                       data={"photos": [p.sha256 for p in photos]}, rework_count=case.rework_count + 1,
                       rectified_at=None)
    _attach(event, photos)
    _tell_unit(case, event, _("Case %(number)s returned to %(unit)s for rework"))
    return event


@transaction.atomic
def request_extension(case: Case, *, by: Actor, until: dt.datetime, reason: str) -> CaseEvent:
    CASES.check(case, "request_extension", by=by)
    if case.deadline is not None and until <= case.deadline:
        raise ValidationError({"until": _("Ask for a time after the current deadline.")})
    reason = _note(reason, required=True, field="reason")
    return CASES.move(case, "request_extension", by=by, note=reason, data={"until": until.isoformat()},
                      extension_requested_until=until, extension_reason=reason[:500])


@transaction.atomic
def decide_extension(case: Case, *, by: Actor, grant: bool, note: str = "") -> CaseEvent:
    """Grant the requested deadline (the clock restarts towards it) or refuse it with a note."""
    CASES.check(case, "decide_extension", by=by)
    until = case.extension_requested_until
    assert until is not None  # noqa: S101 - the transition's guard
    changes: dict[str, Any] = {"extension_requested_until": None, "extension_reason": ""}
    fields: dict[str, Any] = {}
    if grant:
        changes.update(_clock_from(case, clock.now(), until))
        fields["deadline"] = until
    return CASES.move(case, "decide_extension", by=by, event="grant_extension" if grant else "deny_extension",
                      note=_note(note, required=not grant), data={"until": until.isoformat()},
                      event_fields=fields, **changes)


@transaction.atomic
def suspend_case(case: Case, *, by: Actor, reason: str) -> CaseEvent:
    """挂账: a long or hard case; the clock stops until it is resumed."""
    CASES.check(case, "suspend", by=by)
    return CASES.move(case, "suspend", by=by, note=_note(reason, required=True, field="reason"),
                      suspended_from=case.state, suspended_at=clock.now())


@transaction.atomic
def resume_case(case: Case, *, by: Actor, note: str = "") -> CaseEvent:
    """The deadline moves on by the working time the case was suspended."""
    CASES.check(case, "resume", by=by)
    now = clock.now()
    deadline, warn_at = case.deadline, case.warn_at
    paused = 0.0
    if deadline is not None and case.suspended_at is not None:
        calendar = workcal.WorkCalendar()
        paused = calendar.working_seconds_between(case.suspended_at, now)
        deadline = calendar.extend_by_working_seconds(deadline, paused)
        warn_at = calendar.extend_by_working_seconds(warn_at, paused) if warn_at else None
    return CASES.move(case, "resume", by=by, to_state=case.suspended_from or State.DISPATCHED,
                      note=_note(note, required=False), data={"paused_working_seconds": round(paused)},
                      event_fields={"deadline": deadline}, suspended_from="", suspended_at=None,
                      deadline=deadline, warn_at=warn_at)


@transaction.atomic
def reopen_case(case: Case, *, by: Actor, note: str, photos: Sequence[Any]) -> CaseEvent:
    """The problem came back after closing: back to the same unit, counted against it."""
    CASES.check(case, "reopen", by=by)
    if not photos:
        raise ValidationError({"photos": _("Add a photo that shows the problem is back.")})
    now = clock.now()
    running = _clock_from(case, now)
    event = CASES.move(case, "reopen", by=by, note=_note(note, required=True),
                       data={"photos": [p.sha256 for p in photos]}, event_fields={"deadline": running["deadline"]},
                       resolution=Resolution.NONE, closed_at=None, rectified_at=None, dispatched_at=now,
                       reopen_count=case.reopen_count + 1, **running)
    _attach(event, photos)
    _tell_unit(case, event, _("Case %(number)s reopened for %(unit)s"))
    return event


MAX_RATING_REASON = 500


@transaction.atomic
def rate_case(case: Case, *, by: Actor, rating: str, reason: str = "") -> CaseEvent:
    """群众满意率: the reporting resident rates the fix of a case closed as fixed, once per closing.
    The public pages recognise the resident and call this by the system on their behalf.

    满意 / 基本满意: the case stays closed. 不满意 needs a reason and takes the case back to the
    street office (accepted, the clock stopped, the unit kept so the office sees who fixed it and the
    reopening counts against it), counted as reopened, with the reason as the event's note
    ("居民不满意：…"); the office dispatches it again. The event's `data["rating"]` holds the rating
    (the rates count these events)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose how satisfied you are.")})
    reason = (reason or "").strip()
    if len(reason) > MAX_RATING_REASON:
        raise ValidationError({"reason": _("Keep the reason under %(n)d characters.") % {"n": MAX_RATING_REASON}})
    if case.state == State.CLOSED and case.resolution != Resolution.FIXED:
        raise TransitionNotAllowed(_("Only a problem closed as fixed can be rated."))
    CASES.check(case, "rate", by=by)
    now = clock.now()
    rated: dict[str, Any] = {"rating": rating, "rating_reason": reason, "rated_at": now}
    data = {"rating": rating, "reopened": rating == Rating.UNSATISFIED}
    if rating != Rating.UNSATISFIED:
        note = _("Resident's rating: %(rating)s.") % {"rating": Rating(rating).label}
        if reason:
            note += " " + reason
        # The deadline in force is unchanged (for readers that replay the clock from events).
        return CASES.move(case, "rate", by=by, note=note, data=data, event_fields={"deadline": case.deadline},
                          **rated)
    if not reason:
        raise ValidationError({"reason": _("Tell us what is still wrong: a reason is needed for “not satisfied”.")})
    event = CASES.move(case, "rate", by=by, to_state=State.ACCEPTED,
                       note=_("Resident not satisfied: %(reason)s") % {"reason": reason}, data=data,
                       event_fields={"deadline": None}, resolution=Resolution.NONE, closed_at=None,
                       deadline=None, warn_at=None, warned_at=None, escalated_at=None,
                       reopen_count=case.reopen_count + 1, **rated)
    _tell_street_office(case, event)
    return event


@transaction.atomic
def close_again(case: Case, *, by: Actor, note: str) -> CaseEvent:
    """The street office's answer to a resident's 不满意 when the fix stands: closed again as fixed,
    with a note the resident reads on their tracking page. The resident may rate this closing."""
    CASES.check(case, "close_again", by=by)
    return CASES.move(case, "close_again", by=by, note=_note(note, required=True),
                      data={"resolution": Resolution.FIXED}, resolution=Resolution.FIXED, closed_at=clock.now())


@transaction.atomic
def refer_case(case: Case, *, by: Actor, reason: str) -> CaseEvent:
    """上报: the case needs a higher-level unit; the district's admins and leaders see it in their
    list of referrals and in their inbox. It stays accepted (no unit's clock runs) until answered."""
    CASES.check(case, "refer", by=by)
    event = CASES.move(case, "refer", by=by, note=_note(reason, required=True, field="reason"),
                       referred_at=clock.now())
    from chuangcheng.notify import services as notify
    from chuangcheng.org.models import Role, User

    district = [user for user in User.objects.filter(role__in=[Role.STREET_ADMIN, Role.LEADER], is_active=True,
                                                     scope__level=Region.Level.DISTRICT).select_related("scope")
                if user.scope is not None and case.grid.path.startswith(user.scope.path)]
    title = _("Case %(number)s referred to the district") % {"number": case.number}
    notify.notify_users(district, key=f"case:{case.number}:refer:{event.pk}", title=title,
                        body=f"{_case_body(case)}\n{event.note}", link=case_link(case))
    return event


@transaction.atomic
def answer_referral(case: Case, *, by: Actor, note: str) -> CaseEvent:
    """The district's answer to a 上报: back with the street office, which dispatches or closes it."""
    CASES.check(case, "answer_referral", by=by)
    event = CASES.move(case, "answer_referral", by=by, note=_note(note, required=True), referred_at=None)
    _tell_street_office(case, event, _("Case %(number)s: the district answered the referral"))
    return event


def _tell_street_office(case: Case, event: CaseEvent, title: str = "") -> None:
    """The admins over the case's grid get it in their inbox: a resident is not satisfied."""
    from chuangcheng.notify import services as notify
    from chuangcheng.org.models import Role, User

    admins = [user for user in User.objects.filter(role__in=[Role.STREET_ADMIN, Role.COMMUNITY_ADMIN],
                                                   is_active=True, scope__isnull=False).select_related("scope")
              if user.scope is not None and case.grid.path.startswith(user.scope.path)]
    title = (title or _("Case %(number)s: the resident is not satisfied with the fix")) % {"number": case.number}
    notify.notify_users(admins, key=f"case:{case.number}:{event.action}:{event.pk}", title=title,
                        body=f"{_case_body(case)}\n{event.note}", link=case_link(case))


def _check_unit(unit: Unit, by: Actor) -> None:
    if not unit.active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    if by is not SYSTEM and not units_visible_to(by).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("This unit does not serve your region.")})


# Which kinds of unit usually answer for a campaign problem, before the point's own units.
PREFERRED_KINDS = {
    "乱停车": [Unit.Kind.TRAFFIC_POLICE, Unit.Kind.CITY_MANAGEMENT],
    "乱放自行车": [Unit.Kind.PROPERTY, Unit.Kind.CITY_MANAGEMENT],
    "乱贴小广告": [Unit.Kind.PROPERTY, Unit.Kind.CITY_MANAGEMENT],
    "乱扔垃圾": [Unit.Kind.SANITATION, Unit.Kind.PROPERTY],
}


def suggest_unit(case: Case) -> Unit | None:
    """The default unit for dispatch: a unit of the preferred kind among the point's own units,
    else the point's primary unit, else a unit of the preferred kind serving the case's region.
    The dispatcher may always choose another."""
    kinds = PREFERRED_KINDS.get(case.category.campaign_label, [])
    point = case.point
    own: list[Unit] = []
    if point is not None:
        own = [point.primary_unit, *point.cooperating_units.all()]
    for kind in kinds:
        for unit in own:
            if unit.kind == kind and unit.active:
                return unit
    if point is not None and point.primary_unit.active:
        return point.primary_unit
    ancestors = ["/" + "/".join(case.grid.ancestor_codes()[: i + 1]) + "/"
                 for i in range(len(case.grid.ancestor_codes()))]
    for kind in kinds:
        serving = (Unit.objects.filter(kind=kind, active=True, region__path__in=ancestors)
                   .order_by("-region__level", "code").first())
        if serving is not None:
            return serving
    return None


def _tell_unit(case: Case, event: CaseEvent, title: str) -> None:
    """The unit's handlers get it in their inbox and the unit's group robots get a message, written
    to the outbox in this transaction and delivered after commit."""
    from chuangcheng.notify import services as notify
    from chuangcheng.org.models import Role, User

    unit = case.unit
    if unit is None:
        return
    key = f"case:{case.number}:{event.action}:{event.pk}"
    text = title % {"number": case.number, "unit": unit.name}
    body = f"{case.category.name} · {case.address or case.grid.name}\n{case.description[:200]}"
    if case.deadline is not None:
        body += "\n" + _("Deadline: %(deadline)s") % {"deadline": f"{clock.local(case.deadline):%Y-%m-%d %H:%M}"}
    handlers = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit=unit)
    notify.notify_users(handlers, key=key, title=text, body=body, link=case_link(case))
    notify.notify_unit_groups(unit, key=key, title=text, body=body)


def case_link(case: Case) -> str:
    """The case page, for an inbox message to open."""
    from django.urls import reverse

    return reverse("cases:detail", args=[case.number])


def _attach(event: CaseEvent, photos: Sequence[Any]) -> None:
    if photos:
        event.photos.add(*photos)


# --- the deadline sweep ---------------------------------------------------------------------

@transaction.atomic
def comment_on_case(case: Case, *, author: str, note: str, data: dict[str, Any] | None = None) -> CaseEvent:
    """A comment from outside the office (an Open311 client, say) kept on the case's timeline. It changes
    neither the state nor the version: staff read it and act through the case's own actions."""
    return CaseEvent.objects.create(
        case=case, at=clock.now(), actor=None, actor_name=author[:150], action="comment",
        from_state=case.state, to_state=case.state, note=note, data=data or {},
    )

SWEEP_BATCH = 200


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    escalated: int = 0
    # The escalation ladder (cases.escalation): daily reminders, 督办通知单 issued, cases put on the 约谈 list.
    reminded: int = 0
    notices: int = 0
    listed: int = 0


def sweep_deadlines(now: dt.datetime | None = None) -> SweepResult:
    """The periodic deadline job: warn the unit once when the street's share (80 %) of a running
    case's time is used, escalate (督办) once when the deadline has passed, then climb the street's
    escalation ladder (cases.escalation: daily reminders until rectified, 督办通知单, the 约谈 list).
    Nothing goes out in the street's quiet hours; it waits for the next sweep outside them. Safe to
    run anywhere, any number of times: each step is claimed with a conditional UPDATE or a unique
    row and every message has a fixed key.

    It never touches `Case.version`, so a handler acting at the same moment is not refused."""
    from chuangcheng.cases.queries import due_soon_q, overdue_q

    now = now or clock.now()
    context = _SweepContext()
    ladder = escalation.Ladder(now)
    escalated = sum(
        _escalate(case, now, context)
        for batch in _batches(Case.objects.filter(overdue_q(now), escalation.in_its_state_at(now),
                                                  escalated_at__isnull=True))
        for case in context.load(batch) if ladder.may_send(case.grid)
    )
    warned = sum(
        _warn(case, now, context)
        for batch in _batches(Case.objects.filter(due_soon_q(now), escalation.in_its_state_at(now),
                                                  warned_at__isnull=True))
        for case in context.load(batch) if ladder.may_send(case.grid)
    )
    return SweepResult(warned=warned, escalated=escalated, reminded=escalation.remind(now, ladder),
                       notices=escalation.issue_notices(now, ladder), listed=escalation.list_for_talks(now, ladder))


def _batches(qs: QuerySet[Case]) -> Iterator[list[Case]]:
    """The cases of `qs` in batches by id, each batch one query (its rows may change meanwhile)."""
    qs = qs.select_related("category", "grid", "unit").order_by("pk")
    last = 0
    while batch := list(qs.filter(pk__gt=last)[:SWEEP_BATCH]):
        yield batch
        last = batch[-1].pk


class _SweepContext:
    """Who hears about a batch of cases, read once per batch (handlers) or per sweep (admins)."""

    def __init__(self) -> None:
        self.handlers: dict[int, list[Any]] = {}
        self._street_admins: list[Any] | None = None

    def load(self, batch: list[Case]) -> list[Case]:
        from chuangcheng.org.models import Role, User

        self.handlers = {}
        unit_ids = {case.unit_id for case in batch if case.unit_id is not None}
        users = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit_id__in=unit_ids)
        for user in users.select_related("person").order_by("pk"):
            if user.person is not None and user.person.unit_id is not None:
                self.handlers.setdefault(user.person.unit_id, []).append(user)
        return batch

    def street_admins_over(self, grid: Region) -> list[Any]:
        from chuangcheng.org.models import Role, User

        if self._street_admins is None:
            self._street_admins = list(
                User.objects.filter(role=Role.STREET_ADMIN, is_active=True, scope__isnull=False)
                .select_related("scope").order_by("pk")
            )
        return [user for user in self._street_admins if grid.path.startswith(user.scope.path)]


def _when(moment: dt.datetime) -> str:
    return f"{clock.local(moment):%Y-%m-%d %H:%M}"


def _case_body(case: Case) -> str:
    return f"{case.category.name} · {case.address or case.grid.name}\n{case.description[:200]}"


def _warn(case: Case, now: dt.datetime, context: _SweepContext) -> bool:
    """Due soon: claim the warning, then tell the unit's handlers and groups."""
    from chuangcheng.notify import services as notify

    assert case.deadline is not None  # noqa: S101 - selected with a deadline
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk, warned_at__isnull=True, state__in=HANDLING, warn_at=case.warn_at,
            deadline=case.deadline,
        ).update(warned_at=now)
        if not claimed:
            return False
        case.warned_at = now
        unit = case.unit
        if unit is not None:
            key = f"case:{case.number}:warn:{int(case.deadline.timestamp())}"
            title = _("Case %(number)s is due at %(deadline)s") % {"number": case.number,
                                                                  "deadline": _when(case.deadline)}
            body = _case_body(case)
            notify.notify_users(context.handlers.get(unit.pk, []), key=key, title=title, body=body,
                                link=case_link(case))
            notify.notify_unit_groups(unit, key=key, title=title, body=body)
            # The unit's liaison hears it too (the escalation ladder's first rung).
            escalation.sms(key, [unit.liaison_phone], title, f"{case.category.name} · {case.address or case.grid.name}")
    return True


def _escalate(case: Case, now: dt.datetime, context: _SweepContext) -> bool:
    """督办: claim the escalation, write the event, tell the unit's head by SMS, the street office
    admins over the case's grid in their inbox, and the unit's handlers and groups."""
    from django.db.models import DateTimeField, Value
    from django.db.models.functions import Coalesce

    from chuangcheng.notify import services as notify
    from chuangcheng.notify.models import Channel

    assert case.deadline is not None  # noqa: S101 - selected with a deadline
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk, escalated_at__isnull=True, state=case.state, deadline=case.deadline,
        ).update(escalated_at=now, warned_at=Coalesce(F("warned_at"), Value(now, output_field=DateTimeField())))
        if not claimed:
            return False
        case.escalated_at = now
        case.warned_at = case.warned_at or now
        unit = case.unit
        CaseEvent.objects.create(
            case=case, at=now, actor=None, actor_name=actor_name(SYSTEM), action="escalate", from_state=case.state,
            to_state=case.state, data={"deadline": case.deadline.isoformat(), "unit": unit.code if unit else None},
        )
        key = f"case:{case.number}:escalate:{int(case.deadline.timestamp())}"
        unit_name = unit.name if unit is not None else ""
        title = _("Case %(number)s is overdue (due %(deadline)s): escalated to the head of %(unit)s") % {
            "number": case.number, "deadline": _when(case.deadline), "unit": unit_name}
        body = _case_body(case)
        notify.notify_users(context.street_admins_over(case.grid), key=key, title=title, body=body,
                            link=case_link(case))
        if unit is not None:
            if unit.head_phone:
                notify.enqueue(key=f"{key}:{Channel.SMS}:{unit.head_phone}", channel=Channel.SMS,
                               target=unit.head_phone, title=title,
                               body=f"{case.category.name} · {case.address or case.grid.name}")
            notify.notify_users(context.handlers.get(unit.pk, []), key=key, title=title, body=body,
                                link=case_link(case))
            notify.notify_unit_groups(unit, key=key, title=title, body=body)
    return True


# --- a deadline from above -------------------------------------------------------------------

@transaction.atomic
def hold_to_deadline(case: Case, *, by: Actor, deadline: dt.datetime, note: str = "") -> CaseEvent | None:
    """A deadline set from above (上级交办: the problem list's) that is earlier than the running
    clock's: the case is due then, and an event records it (its `deadline` is the one in force).
    A later deadline, or a case whose clock does not run, is left as it is (None)."""
    CASES.check(case, "redispatch", by=by)  # whoever may re-time a running case by sending it again
    if case.deadline is None or deadline >= case.deadline:
        return None
    start = case.dispatched_at or clock.now()
    warn_at = warn_moment(case.category, start, deadline) if deadline > start else deadline
    event = CaseEvent.objects.create(
        case=case, at=clock.now(), actor=actor_user(by), actor_name=actor_name(by), action="set_deadline",
        from_state=case.state, to_state=case.state, note=_note(note, required=False),
        data={"deadline": deadline.isoformat(), "was": case.deadline.isoformat()}, deadline=deadline,
    )
    Case.objects.filter(pk=case.pk).update(deadline=deadline, warn_at=warn_at, version=F("version") + 1)
    case.deadline, case.warn_at, case.version = deadline, warn_at, case.version + 1
    return event
