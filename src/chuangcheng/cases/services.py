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
from django.utils.translation import gettext_lazy

from chuangcheng.cases import permissions
from chuangcheng.cases.models import Case, CaseCounter, CaseEvent, Category, Resolution, Severity, Source, State
from chuangcheng.core import clock, geo
from chuangcheng.org.models import Region, Unit
from chuangcheng.org.queries import units_visible_to
from chuangcheng.places.models import Point


class TransitionNotAllowed(Exception):
    """The action does not apply to the case in its current state (answered with 409)."""


class Conflict(Exception):
    """Someone else changed the case first (answered with 409); nothing was written."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (an extension request, say)


def _t(action: str, sources: set[State], target: State | None) -> Transition:
    return Transition(action, frozenset(sources), target)


HANDLING: set[State] = {State.DISPATCHED, State.RECTIFYING}
TRANSITIONS = {
    t.action: t
    for t in [
        _t("accept", {State.REPORTED}, State.ACCEPTED),
        _t("reject", {State.REPORTED}, State.REJECTED),
        _t("merge", {State.REPORTED}, State.REJECTED),
        _t("dispatch", {State.ACCEPTED}, State.DISPATCHED),
        _t("redispatch", HANDLING, State.DISPATCHED),
        _t("send_back", HANDLING, State.ACCEPTED),
        _t("start", {State.DISPATCHED}, State.RECTIFYING),
        _t("rectify", HANDLING, State.RECTIFIED),
        _t("verify", {State.RECTIFIED}, State.CLOSED),
        _t("return_for_rework", {State.RECTIFIED}, State.RECTIFYING),
        _t("request_extension", HANDLING, None),
        _t("grant_extension", HANDLING, None),
        _t("deny_extension", HANDLING, None),
        _t("suspend", HANDLING, State.SUSPENDED),
        _t("resume", {State.SUSPENDED}, None),
        _t("reopen", {State.CLOSED}, State.DISPATCHED),
    ]
}


def check_version(case: Case, version: int | None) -> None:
    """The page or client read the case at `version`; if it has changed since, refuse before acting,
    so nobody acts on a case they have not seen (None: the client does not say)."""
    if version is not None and version != case.version:
        raise Conflict(_("Someone else changed this case a moment ago. Reload it to see what changed, "
                         "then try again."))


def _require(by: Any, allowed: bool) -> None:
    """`by` None is the system acting on the rules (an inspection's failures are accepted and
    dispatched that way, and the demo writes its history so); people need the permission."""
    if by is not None and not allowed:
        raise PermissionDenied(_("Your role or region does not allow this action on this case."))


def _check_state(case: Case, action: str) -> Transition:
    transition = TRANSITIONS[action]
    if case.state not in transition.sources:
        raise TransitionNotAllowed(
            _("A case that is “%(state)s” cannot be %(action)s.")
            % {"state": State(case.state).label, "action": ACTION_LABELS.get(action, action)}
        )
    return transition


ACTION_LABELS = {
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("rejected"),
    "dispatch": gettext_lazy("dispatched"),
    "redispatch": gettext_lazy("dispatched again"),
    "send_back": gettext_lazy("sent back"),
    "start": gettext_lazy("taken on"),
    "rectify": gettext_lazy("marked rectified"),
    "verify": gettext_lazy("verified"),
    "return_for_rework": gettext_lazy("returned for rework"),
    "request_extension": gettext_lazy("given an extension request"),
    "grant_extension": gettext_lazy("given an extension"),
    "deny_extension": gettext_lazy("refused an extension"),
    "suspend": gettext_lazy("suspended"),
    "resume": gettext_lazy("resumed"),
    "reopen": gettext_lazy("reopened"),
}


def _move(case: Case, *, by: Any, action: str, to_state: str | None = None, note: str = "",
          data: dict[str, Any] | None = None, **changes: Any) -> CaseEvent:
    """Write the change only if nobody changed the case since it was read, then the event."""
    from_state = case.state
    target = to_state or from_state
    updated = Case.objects.filter(pk=case.pk, version=case.version, state=from_state).update(
        state=target, version=F("version") + 1, **changes
    )
    if updated != 1:
        raise Conflict(_("Someone else changed this case a moment ago. Reload it to see what changed, "
                         "then try again."))
    for name, value in changes.items():
        setattr(case, name, value)
    case.state = target
    case.version += 1
    return CaseEvent.objects.create(
        case=case, actor=by if getattr(by, "is_authenticated", False) else None,
        actor_name=(getattr(by, "display_name", "") or getattr(by, "username", "")) if by else "system",
        action=action, from_state=from_state, to_state=target, note=note, data=data or {},
    )


def _note(note: str, *, required: bool, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: _("Say why: this note is required.")})
    if len(note) > 2000:
        raise ValidationError({field: _("Keep the note under 2000 characters.")})
    return note


def next_number(day: dt.date) -> str:
    """GM-20261129-0007: the prefix, the local date and a daily sequence that never repeats."""
    prefix = settings.CASE_NUMBER_PREFIX
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(prefix=prefix, day=day)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}-{day:%Y%m%d}-{counter.last:04d}"


def deadline_for(category: Category, severity: str, start: dt.datetime) -> dt.datetime:
    """The category's time limit from `start`, halved (at least one unit) for urgent cases."""
    from chuangcheng.core import workcal

    amount = category.limit_amount
    if severity == Severity.URGENT:
        amount = max(1, (amount + 1) // 2)
    return workcal.deadline(start, amount, category.limit_unit)


def warn_moment(category: Category, start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    """When 80 % of the time from `start` to `deadline` is used, counted the way the category's
    limit is counted (office time, or clock time for emergencies)."""
    from chuangcheng.core import workcal

    if category.limit_unit in workcal.NATURAL_UNITS:
        return start + (deadline - start) * workcal.YELLOW_FROM
    calendar = workcal.WorkCalendar()
    return calendar.add_working_seconds(start, calendar.working_seconds_between(start, deadline) * workcal.YELLOW_FROM)


def _clock_from(case: Case, start: dt.datetime, deadline: dt.datetime | None = None) -> dict[str, Any]:
    """The fields of a (re)started clock: deadline, due-soon moment, warnings not yet sent."""
    deadline = deadline or deadline_for(case.category, case.severity, start)
    return {"deadline": deadline, "warn_at": warn_moment(case.category, start, deadline), "warned_at": None,
            "escalated_at": None}


@transaction.atomic
def report_case(
    *,
    by: Any,
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
    if by is not None:
        _require(by, permissions.can_report(by, grid))
    now = clock.now()
    case = Case.objects.create(
        number=next_number(clock.local(now).date()), source=source, category=category, severity=severity,
        point=point, grid=grid, address=address[:200], description=description,
        lon=Decimal(str(lon)).quantize(Decimal("0.000001")) if lon is not None else None,
        lat=Decimal(str(lat)).quantize(Decimal("0.000001")) if lat is not None else None,
        reported_by=by if getattr(by, "is_authenticated", False) else None, reported_at=now,
    )
    event = CaseEvent.objects.create(
        case=case, actor=case.reported_by, actor_name=getattr(by, "display_name", "") if by else "system",
        action="report", from_state="", to_state=State.REPORTED, note="",
        data={"source": source, "photos": [p.sha256 for p in photos]},
    )
    _attach(event, photos)
    return case


@transaction.atomic
def accept_case(case: Case, *, by: Any, note: str = "") -> CaseEvent:
    _check_state(case, "accept")
    _require(by, permissions.can_triage(by, case))
    return _move(case, by=by, action="accept", to_state=State.ACCEPTED, note=_note(note, required=False))


@transaction.atomic
def reject_case(case: Case, *, by: Any, reason: str, resolution: str = Resolution.NOT_OURS) -> CaseEvent:
    """不予立案: the reason is shown to whoever reported it."""
    _check_state(case, "reject")
    _require(by, permissions.can_triage(by, case))
    if resolution not in {Resolution.NOT_OURS, Resolution.DUPLICATE, Resolution.NOT_FIXABLE}:
        raise ValidationError({"resolution": _("Choose why the report is not accepted.")})
    return _move(case, by=by, action="reject", to_state=State.REJECTED, note=_note(reason, required=True,
                 field="reason"), resolution=resolution, closed_at=clock.now())


@transaction.atomic
def merge_case(case: Case, *, by: Any, into: Case, note: str = "") -> CaseEvent:
    """并案: a report of a problem already open as `into`; not accepted, as a duplicate linked to it."""
    _check_state(case, "merge")
    _require(by, permissions.can_triage(by, case))
    if into.pk == case.pk or not into.is_open:
        raise ValidationError({"into": _("Merge into another case that is still open.")})
    return _move(case, by=by, action="merge", to_state=State.REJECTED, note=_note(note, required=False),
                 data={"into": into.number}, resolution=Resolution.DUPLICATE, closed_at=clock.now())


@transaction.atomic
def dispatch_case(case: Case, *, by: Any, unit: Unit, note: str = "") -> CaseEvent:
    """派遣: to the responsible unit, starting the clock of the category's time limit."""
    _check_state(case, "dispatch")
    _require(by, permissions.can_triage(by, case))
    _check_unit(unit, by)
    now = clock.now()
    event = _move(case, by=by, action="dispatch", to_state=State.DISPATCHED, note=_note(note, required=False),
                  data={"unit": unit.code}, unit=unit, dispatched_at=now, **_clock_from(case, now))
    _tell_unit(case, event, _("New case %(number)s for %(unit)s"))
    return event


@transaction.atomic
def redispatch_case(case: Case, *, by: Any, unit: Unit, note: str) -> CaseEvent:
    """Send the case to another unit; the clock starts again for the new unit."""
    _check_state(case, "redispatch")
    _require(by, permissions.can_triage(by, case))
    _check_unit(unit, by)
    if unit.pk == case.unit_id:
        raise ValidationError({"unit": _("The case is already with this unit.")})
    now = clock.now()
    event = _move(case, by=by, action="redispatch", to_state=State.DISPATCHED, note=_note(note, required=True),
                  data={"from_unit": case.unit.code if case.unit else None, "unit": unit.code}, unit=unit,
                  handler=None, dispatched_at=now, **_clock_from(case, now),
                  extension_requested_until=None, extension_reason="")
    _tell_unit(case, event, _("New case %(number)s for %(unit)s"))
    return event


@transaction.atomic
def send_back(case: Case, *, by: Any, reason: str) -> CaseEvent:
    """回退: the unit says the case is not theirs; it goes back to the dispatcher and counts as a
    wrong dispatch."""
    _check_state(case, "send_back")
    _require(by, permissions.can_handle(by, case))
    return _move(case, by=by, action="send_back", to_state=State.ACCEPTED,
                 note=_note(reason, required=True, field="reason"),
                 data={"unit": case.unit.code if case.unit else None}, unit=None, handler=None, deadline=None,
                 warn_at=None, warned_at=None, escalated_at=None,
                 wrong_unit_count=case.wrong_unit_count + 1, extension_requested_until=None,
                 extension_reason="")


@transaction.atomic
def start_rectification(case: Case, *, by: Any, note: str = "") -> CaseEvent:
    _check_state(case, "start")
    _require(by, permissions.can_handle(by, case))
    return _move(case, by=by, action="start", to_state=State.RECTIFYING, note=_note(note, required=False),
                 handler=by if getattr(by, "is_authenticated", False) else None)


@transaction.atomic
def rectify_case(case: Case, *, by: Any, photos: Sequence[Any], note: str = "") -> CaseEvent:
    """整改完成: only with at least one after-photo."""
    _check_state(case, "rectify")
    _require(by, permissions.can_handle(by, case))
    if not photos:
        raise ValidationError({"photos": _("Add at least one photo taken after the rectification.")})
    event = _move(case, by=by, action="rectify", to_state=State.RECTIFIED, note=_note(note, required=False),
                  data={"photos": [p.sha256 for p in photos]}, rectified_at=clock.now())
    _attach(event, photos)
    return event


def last_rectifier(case: Case) -> Any:
    """Who marked the case rectified last (a verifier must be someone else)."""
    last = case.events.filter(action="rectify").order_by("-at", "-id").select_related("actor").first()
    return last.actor if last else None


@transaction.atomic
def verify_case(case: Case, *, by: Any, photos: Sequence[Any] = (), note: str = "",
                resolution: str = Resolution.FIXED) -> CaseEvent:
    """核查结案: someone other than the rectifier confirms on site."""
    _check_state(case, "verify")
    _require(by, permissions.can_verify(by, case, rectified_by=last_rectifier(case)))
    if resolution not in {Resolution.FIXED, Resolution.NOT_FIXABLE}:
        raise ValidationError({"resolution": _("A verified case is fixed or cannot be fixed.")})
    event = _move(case, by=by, action="verify", to_state=State.CLOSED, note=_note(note, required=False),
                  data={"photos": [p.sha256 for p in photos]}, resolution=resolution, closed_at=clock.now())
    _attach(event, photos)
    return event


@transaction.atomic
def return_for_rework(case: Case, *, by: Any, note: str, photos: Sequence[Any] = ()) -> CaseEvent:
    """返工: verification failed; back to the unit, counted against it. The deadline stays."""
    _check_state(case, "return_for_rework")
    _require(by, permissions.can_verify(by, case, rectified_by=last_rectifier(case)))
    event = _move(case, by=by, action="return_for_rework", to_state=State.RECTIFYING,
                  note=_note(note, required=True), data={"photos": [p.sha256 for p in photos]},
                  rework_count=case.rework_count + 1, rectified_at=None)
    _attach(event, photos)
    _tell_unit(case, event, _("Case %(number)s returned to %(unit)s for rework"))
    return event


@transaction.atomic
def request_extension(case: Case, *, by: Any, until: dt.datetime, reason: str) -> CaseEvent:
    _check_state(case, "request_extension")
    _require(by, permissions.can_handle(by, case))
    if case.extension_requested_until is not None:
        raise TransitionNotAllowed(_("An extension request is already waiting for a decision."))
    if case.deadline is not None and until <= case.deadline:
        raise ValidationError({"until": _("Ask for a time after the current deadline.")})
    reason = _note(reason, required=True, field="reason")
    return _move(case, by=by, action="request_extension", note=reason, data={"until": until.isoformat()},
                 extension_requested_until=until, extension_reason=reason[:500])


@transaction.atomic
def decide_extension(case: Case, *, by: Any, grant: bool, note: str = "") -> CaseEvent:
    action = "grant_extension" if grant else "deny_extension"
    _check_state(case, action)
    _require(by, permissions.can_triage(by, case))
    until = case.extension_requested_until
    if until is None:
        raise TransitionNotAllowed(_("There is no extension request to decide on."))
    changes: dict[str, Any] = {"extension_requested_until": None, "extension_reason": ""}
    if grant:
        changes.update(_clock_from(case, clock.now(), until))
    return _move(case, by=by, action=action, note=_note(note, required=not grant),
                 data={"until": until.isoformat()}, **changes)


@transaction.atomic
def suspend_case(case: Case, *, by: Any, reason: str) -> CaseEvent:
    """挂账: a long or hard case; the clock stops until it is resumed."""
    _check_state(case, "suspend")
    _require(by, permissions.can_triage(by, case))
    return _move(case, by=by, action="suspend", to_state=State.SUSPENDED,
                 note=_note(reason, required=True, field="reason"), suspended_from=case.state,
                 suspended_at=clock.now())


@transaction.atomic
def resume_case(case: Case, *, by: Any, note: str = "") -> CaseEvent:
    """The deadline moves on by the working time the case was suspended."""
    from chuangcheng.core import workcal

    _check_state(case, "resume")
    _require(by, permissions.can_triage(by, case))
    now = clock.now()
    deadline, warn_at = case.deadline, case.warn_at
    paused = 0.0
    if deadline is not None and case.suspended_at is not None:
        calendar = workcal.WorkCalendar()
        paused = calendar.working_seconds_between(case.suspended_at, now)
        deadline = calendar.extend_by_working_seconds(deadline, paused)
        warn_at = calendar.extend_by_working_seconds(warn_at, paused) if warn_at else None
    return _move(case, by=by, action="resume", to_state=case.suspended_from or State.DISPATCHED,
                 note=_note(note, required=False), data={"paused_working_seconds": round(paused)},
                 suspended_from="", suspended_at=None, deadline=deadline, warn_at=warn_at)


@transaction.atomic
def reopen_case(case: Case, *, by: Any, note: str, photos: Sequence[Any]) -> CaseEvent:
    """The problem came back after closing: back to the same unit, counted against it."""
    _check_state(case, "reopen")
    _require(by, permissions.can_reopen(by, case))
    if not photos:
        raise ValidationError({"photos": _("Add a photo that shows the problem is back.")})
    if case.unit is None:
        raise TransitionNotAllowed(_("This case was never dispatched; report a new one instead."))
    now = clock.now()
    event = _move(case, by=by, action="reopen", to_state=State.DISPATCHED, note=_note(note, required=True),
                  data={"photos": [p.sha256 for p in photos]}, resolution=Resolution.NONE, closed_at=None,
                  rectified_at=None, dispatched_at=now, **_clock_from(case, now),
                  reopen_count=case.reopen_count + 1)
    _attach(event, photos)
    _tell_unit(case, event, _("Case %(number)s reopened for %(unit)s"))
    return event


def _check_unit(unit: Unit, by: Any) -> None:
    if not unit.active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    if by is not None and not units_visible_to(by).filter(pk=unit.pk).exists():
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

# What the timeline says happened, for every event action (past tense, after the actor's name).
EVENT_LABELS = {
    "report": gettext_lazy("reported"),
    "accept": gettext_lazy("accepted"),
    "reject": gettext_lazy("did not accept"),
    "merge": gettext_lazy("merged into another case"),
    "dispatch": gettext_lazy("dispatched"),
    "redispatch": gettext_lazy("dispatched to another unit"),
    "send_back": gettext_lazy("sent back as not their unit"),
    "start": gettext_lazy("took it on"),
    "rectify": gettext_lazy("marked rectified"),
    "verify": gettext_lazy("verified and closed"),
    "return_for_rework": gettext_lazy("returned for rework"),
    "request_extension": gettext_lazy("asked for more time"),
    "grant_extension": gettext_lazy("granted more time"),
    "deny_extension": gettext_lazy("refused more time"),
    "suspend": gettext_lazy("suspended"),
    "resume": gettext_lazy("resumed"),
    "reopen": gettext_lazy("reopened"),
    "warn": gettext_lazy("warned the unit: due soon"),
    "escalate": gettext_lazy("overdue: escalated to the unit's head (督办)"),
    "comment": gettext_lazy("added a comment"),
}

# Events that record something said about a case without changing it (no new version).
NOTE_ACTIONS = {"warn", "escalate", "comment"}


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


def sweep_deadlines(now: dt.datetime | None = None) -> SweepResult:
    """The periodic deadline job: warn the unit once when 80 % of a running case's time is used,
    and escalate (督办) once when the deadline has passed. Safe to run anywhere, any number of
    times: each case is claimed with a conditional UPDATE and every message has a fixed key.

    It never touches `Case.version`, so a handler acting at the same moment is not refused."""
    from chuangcheng.cases.queries import due_soon_q, overdue_q

    now = now or clock.now()
    context = _SweepContext()
    escalated = sum(
        _escalate(case, now, context)
        for batch in _batches(Case.objects.filter(overdue_q(now), escalated_at__isnull=True))
        for case in context.load(batch)
    )
    warned = sum(
        _warn(case, now, context)
        for batch in _batches(Case.objects.filter(due_soon_q(now), warned_at__isnull=True))
        for case in context.load(batch)
    )
    return SweepResult(warned=warned, escalated=escalated)


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
            case=case, at=now, actor=None, actor_name="system", action="escalate", from_state=case.state,
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
