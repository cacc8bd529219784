"""Every write to meetings and tasks: one function per use case, each in a transaction, checking
permission and state, moving the state with an optimistic version check and writing one immutable
event row (and a line in the change log). The deadline sweep warns and escalates once per stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.workflow import SYSTEM, Actor, actor_name, actor_user, check_actor
from chuangcheng.engagement.tasklists import permissions
from chuangcheng.engagement.tasklists.models import (
    RUNNING_STATES,
    Meeting,
    MeetingDecision,
    Priority,
    Task,
    TaskCounter,
    TaskEvent,
    TaskState,
)
from chuangcheng.engagement.tasklists.workflow import EVENT_LABELS as EVENT_LABELS  # the ledger export's
from chuangcheng.engagement.tasklists.workflow import TASKS, last_submitter
from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.places.models import Point

MEETING_PREFIX = "HY"
TASK_PREFIX = "RW"
MAX_DECISIONS = 30
MAX_WORKING_DAYS = 250
NOTE_LIMIT = 2000


def _require(by: Actor, allowed: bool) -> None:
    """The system acts on the rules (the demo writes its history so); people need the permission."""
    check_actor(by)
    if by is not SYSTEM and not allowed:
        raise PermissionDenied(str(TASKS.denied))


def _text(value: str, *, field: str, required: bool, limit: int = NOTE_LIMIT, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("Say why: this note is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep this under %(n)d characters.") % {"n": limit}})
    return value


def next_number(prefix: str, day: dt.date, width: int) -> str:
    """HY-20261129-01, RW-20261129-0007: the prefix, the local date and a daily sequence."""
    return TaskCounter.next_number(prefix, day, width)


def _related(a: Region, b: Region) -> bool:
    """One region lies within the other (or they are the same)."""
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def serves(unit: Unit, region: Region) -> bool:
    """A unit serves a region when it is registered there, above it or below it."""
    return _related(unit.region, region)


# --- meetings --------------------------------------------------------------------------------


@transaction.atomic
def record_meeting(
    *,
    by: Actor,
    street: Region,
    held_at: dt.datetime,
    title: str,
    place: str,
    chair: str,
    units: Iterable[Unit] = (),
    attendees: Iterable[Person] = (),
    decisions: Sequence[str] = (),
    minutes: str = "",
    photos: Sequence[Any] = (),
) -> Meeting:
    """推进会: recorded after it is held, with the units present and its numbered decisions."""
    _require(by, permissions.can_record_meeting(by, street))
    errors: dict[str, list[str]] = {}
    if street.level != Region.Level.STREET:
        errors.setdefault("street", []).append(_("A promotion meeting belongs to a subdistrict."))
    if held_at is None:
        errors.setdefault("held_at", []).append(_("Give the date and time of the meeting."))
    elif held_at > clock.now():
        errors.setdefault("held_at", []).append(_("A meeting is recorded once it has been held: "
                                                  "its time cannot be in the future."))
    title = (title or "").strip()
    place = (place or "").strip()
    chair = (chair or "").strip()
    for field, value, limit in (("title", title, 200), ("place", place, 200), ("chair", chair, 50)):
        if not value:
            errors.setdefault(field, []).append(_("This field is required."))
        elif len(value) > limit:
            errors.setdefault(field, []).append(_("Keep this under %(n)d characters.") % {"n": limit})
    units = list(units)
    attendees = list(attendees)
    outside = [u.name for u in units if not serves(u, street)]
    if outside:
        errors.setdefault("units", []).append(
            _("These units do not serve this subdistrict: %(names)s.") % {"names": "、".join(outside)})
    strangers = [p.name for p in attendees if not p.region.path.startswith(street.path)]
    if strangers:
        errors.setdefault("attendees", []).append(
            _("These people are not registered in this subdistrict: %(names)s.") % {"names": "、".join(strangers)})
    items = [d.strip() for d in decisions if d and d.strip()]
    if len(items) > MAX_DECISIONS:
        errors.setdefault("decisions", []).append(_("At most %(n)d decisions.") % {"n": MAX_DECISIONS})
    if any(len(d) > 1000 for d in items):
        errors.setdefault("decisions", []).append(_("Keep each decision under 1000 characters."))
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        errors.setdefault("minutes", []).append(_("Keep the minutes under 20000 characters."))
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        number=next_number(MEETING_PREFIX, clock.local(held_at).date(), 2), street=street, held_at=held_at,
        title=title, place=place, chair=chair, minutes=minutes, created_by=actor_user(by),
        created_at=clock.now(),
    )
    meeting.units.set(units)
    meeting.attendees.set(attendees)
    if photos:
        meeting.photos.add(*photos)
    MeetingDecision.objects.bulk_create(
        [MeetingDecision(meeting=meeting, position=i, text=text) for i, text in enumerate(items, start=1)])
    audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=meeting, region_path=street.path,
                 changes={"title": [None, title], "decisions": [None, len(items)], "units": [None, len(units)]})
    return meeting


# --- tasks -----------------------------------------------------------------------------------


def due_date(*, due_on: dt.date | None, working_days: int | None, now: dt.datetime) -> dt.date:
    """The due date: given, or the Nth working day from now (skipping holidays, counting make-up days)."""
    from chuangcheng.core import workcal

    if (due_on is None) == (working_days is None):
        raise ValidationError({"due_on": _("Give either a deadline date or a number of working days.")})
    if working_days is not None:
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise ValidationError({"working_days": _("Give between 1 and %(n)d working days.")
                                   % {"n": MAX_WORKING_DAYS}})
        return clock.local(workcal.deadline(now, working_days, "working_days")).date()
    assert due_on is not None  # noqa: S101 - narrowed above
    if due_on < clock.local(now).date():
        raise ValidationError({"due_on": _("The deadline is in the past: choose today or a later date.")})
    return due_on


def warn_day(due_on: dt.date, today: dt.date) -> dt.date:
    """The working day before the deadline (not before today): from then the task is due soon."""
    from chuangcheng.core.workcal import WorkCalendar

    calendar = WorkCalendar()
    day = due_on - dt.timedelta(days=1)
    while day > today and not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return max(day, today)


def scope_regions(task: Task) -> list[Region]:
    """The regions the task is scoped to: its communities and grids, and the grids of its points."""
    regions = {r.pk: r for r in task.regions.all()}
    for point in task.points.select_related("grid"):
        regions.setdefault(point.grid.pk, point.grid)
    return list(regions.values())


@transaction.atomic
def create_task(
    *,
    by: Actor,
    street: Region,
    title: str,
    unit: Unit,
    due_on: dt.date | None = None,
    working_days: int | None = None,
    description: str = "",
    person: Person | None = None,
    regions: Iterable[Region] = (),
    points: Iterable[Point] = (),
    priority: str = Priority.NORMAL,
    meeting: Meeting | None = None,
    decision: MeetingDecision | None = None,
    evidence_required: bool = True,
) -> Task:
    """A task for one unit, alone or from a meeting's decision; its unit hears at once."""
    _require(by, permissions.can_assign(by, street))
    now = clock.now()
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if street.level != Region.Level.STREET:
        fail("street", _("A task list belongs to a subdistrict."))
    title = (title or "").strip()
    if not title:
        fail("title", _("Give the task a title."))
    elif len(title) > 200:
        fail("title", _("Keep this under %(n)d characters.") % {"n": 200})
    description = (description or "").strip()
    if len(description) > 4000:
        fail("description", _("Keep this under %(n)d characters.") % {"n": 4000})
    if priority not in Priority.values:
        fail("priority", _("Unknown priority."))
    try:
        due = due_date(due_on=due_on, working_days=working_days, now=now)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                fail(field, message)
        due = None
    regions = list(regions)
    points = list(points)
    for region in regions:
        if region.level not in (Region.Level.COMMUNITY, Region.Level.GRID) or not region.path.startswith(street.path):
            fail("regions", _("“%(name)s” is not a community or grid of this subdistrict.") % {"name": region.name})
    for point in points:
        if not point.grid.path.startswith(street.path):
            fail("points", _("The point “%(name)s” is not in this subdistrict.") % {"name": point.name})
    if not unit.active:
        fail("unit", _("This unit is no longer active."))
    elif not serves(unit, street):
        fail("unit", _("This unit does not serve this subdistrict."))
    elif "regions" not in errors and "points" not in errors:
        scope = regions + [p.grid for p in points]
        outside = sorted({r.name for r in scope if not serves(unit, r)})
        if outside:
            fail("unit", _("%(unit)s does not serve the task's scope: %(names)s.")
                 % {"unit": unit.name, "names": "、".join(outside)})
    if person is not None:
        own = person.unit_id == unit.pk
        local = person.unit_id is None and person.region.path.startswith(street.path)
        if not person.active or not (own or local):
            fail("person", _("Choose a person of the responsible unit, or a staff member of this subdistrict."))
    if decision is not None:
        if meeting is None:
            meeting = decision.meeting
        elif decision.meeting_id != meeting.pk:
            fail("decision", _("This decision is not of the chosen meeting."))
    if meeting is not None and meeting.street_id != street.pk:
        fail("meeting", _("This meeting is not of this subdistrict."))
    if errors:
        raise ValidationError(errors)
    assert due is not None  # noqa: S101 - no errors means a due date
    task = Task.objects.create(
        number=next_number(TASK_PREFIX, clock.local(now).date(), 4), street=street, meeting=meeting,
        decision=decision, title=title, description=description, unit=unit, person=person, due_on=due,
        warn_on=warn_day(due, clock.local(now).date()), priority=priority, evidence_required=evidence_required,
        created_by=actor_user(by), created_at=now,
    )
    task.regions.set(regions)
    task.points.set(points)
    event = TaskEvent.objects.create(
        task=task, at=now, actor=actor_user(by), actor_name=actor_name(by), action="create", from_state="",
        to_state=TaskState.OPEN, data={"unit": unit.code, "due_on": due.isoformat()},
    )
    audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=task, region_path=street.path,
                 changes={"unit": [None, unit.code], "due_on": [None, due.isoformat()]})
    _tell_unit(task, key=f"task:{task.number}:create:{event.pk}",
               title=_("New task %(number)s for %(unit)s") % {"number": task.number, "unit": unit.name})
    return task


def _move(task: Task, action: str, *, by: Actor, note: str = "", event_percent: int | None = None,
          photos: Sequence[Any] = (), data: dict[str, Any] | None = None, context: dict[str, Any] | None = None,
          **changes: Any) -> TaskEvent:
    """`TASKS.move()` with the task's photos on the event and a line in the change log."""
    from_state = task.state
    event = TASKS.move(
        task, action, by=by, note=note, context=context, event_fields={"percent": event_percent},
        data={**(data or {}), **({"photos": [p.sha256 for p in photos]} if photos else {})}, **changes)
    if photos:
        event.photos.add(*photos)
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=task,
                 region_path=task.street.path, changes={"state": [from_state, task.state]}, note=note[:500])
    return event


@transaction.atomic
def post_progress(task: Task, *, by: Actor, note: str, percent: int, photos: Sequence[Any] = ()) -> TaskEvent:
    """进展: what was done, how far along (0–99 %), with photos as evidence."""
    TASKS.check(task, "progress", by=by)
    note = _text(note, field="note", required=True, message=_("Say what was done."))
    if percent is None or not 0 <= int(percent) <= 99:
        raise ValidationError({"percent": _("Give the progress as a whole number from 0 to 99 "
                                            "(submit the task when it is done).")})
    changes: dict[str, Any] = {"percent": int(percent)}
    if task.started_at is None:
        changes["started_at"] = clock.now()
    return _move(task, "progress", by=by, note=note, event_percent=int(percent), photos=photos,
                 **changes)


@transaction.atomic
def submit_task(task: Task, *, by: Actor, note: str = "", photos: Sequence[Any] = ()) -> TaskEvent:
    """Done: submitted for the street office to verify, with photos when the task requires them."""
    TASKS.check(task, "submit", by=by)
    if task.evidence_required and not photos:
        raise ValidationError({"photos": _("This task needs photos as evidence: add at least one to submit it.")})
    now = clock.now()
    changes: dict[str, Any] = {"percent": 100, "submitted_at": now}
    if task.started_at is None:
        changes["started_at"] = now
    event = _move(task, "submit", by=by, note=_text(note, field="note", required=False), event_percent=100,
                  photos=photos, **changes)
    from chuangcheng.notify import services as notify

    notify.notify_users(_street_admins_over(task.street), key=f"task:{task.number}:submit:{event.pk}",
                        title=_("Task %(number)s submitted by %(unit)s: please verify")
                        % {"number": task.number, "unit": task.unit.name},
                        body=task.title, link=task_link(task))
    return event


@transaction.atomic
def verify_task(task: Task, *, by: Actor, note: str = "", photos: Sequence[Any] = ()) -> TaskEvent:
    """验收: the street office confirms; done on time when submitted before the deadline passed."""
    context = {"submitted_by": last_submitter(task)}
    TASKS.check(task, "verify", by=by, **context)
    now = clock.now()
    completed = task.submitted_at or now
    return _move(task, "verify", by=by, context=context, note=_text(note, field="note", required=False), photos=photos,
                 verified_at=now, verified_by=actor_user(by), completed_at=completed,
                 on_time=completed < task.deadline)


@transaction.atomic
def send_back_task(task: Task, *, by: Actor, reason: str, photos: Sequence[Any] = ()) -> TaskEvent:
    """退回: not done as asked; back to the unit with the reason. The deadline stays."""
    context = {"submitted_by": last_submitter(task)}
    TASKS.check(task, "send_back", by=by, **context)
    reason = _text(reason, field="reason", required=True)
    event = _move(task, "send_back", by=by, context=context, note=reason, photos=photos, submitted_at=None,
                  sent_back_count=task.sent_back_count + 1)
    _tell_unit(task, key=f"task:{task.number}:send_back:{event.pk}",
               title=_("Task %(number)s sent back to %(unit)s") % {"number": task.number, "unit": task.unit.name},
               body=reason)
    return event


@transaction.atomic
def cancel_task(task: Task, *, by: Actor, reason: str) -> TaskEvent:
    TASKS.check(task, "cancel", by=by)
    reason = _text(reason, field="reason", required=True)
    event = _move(task, "cancel", by=by, note=reason, cancelled_at=clock.now())
    _tell_unit(task, key=f"task:{task.number}:cancel:{event.pk}",
               title=_("Task %(number)s cancelled") % {"number": task.number}, body=reason)
    return event


# --- telling people --------------------------------------------------------------------------


def task_link(task: Task) -> str:
    from django.urls import reverse

    return reverse("tasklists:detail", args=[task.number])


def _workers(task: Task) -> list[Any]:
    """The unit's handlers and the person in charge (through their login), once each."""
    users = list(User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit_id=task.unit_id)
                 .order_by("pk"))
    if task.person_id is not None:
        users += [u for u in User.objects.filter(person_id=task.person_id, is_active=True) if u not in users]
    return users


def _street_admins_over(street: Region) -> list[Any]:
    """The street office admins whose scope holds the street (they verify, and hear of escalations)."""
    admins = User.objects.filter(role=Role.STREET_ADMIN, is_active=True, scope__isnull=False)
    return [u for u in admins.select_related("scope").order_by("pk")
            if u.scope is not None and street.path.startswith(u.scope.path)]


def _body(task: Task) -> str:
    return f"{task.title}\n" + _("Deadline: %(day)s") % {"day": task.due_on.isoformat()}


def _tell_unit(task: Task, *, key: str, title: str, body: str = "") -> None:
    """Inbox messages to the workers and a post to the unit's group robots, delivered after commit."""
    from chuangcheng.notify import services as notify

    text = f"{body}\n{_body(task)}" if body else _body(task)
    notify.notify_users(_workers(task), key=key, title=title, body=text, link=task_link(task))
    notify.notify_unit_groups(task.unit, key=key, title=title, body=text)


# --- the deadline sweep ----------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    escalated: int = 0


def sweep_tasks(now: dt.datetime | None = None) -> SweepResult:
    """The periodic job: remind the unit once when a running task is due soon (from the working day
    before its deadline), and escalate (督办) once when its deadline has passed. Each task is claimed
    with a conditional UPDATE and every message has a fixed key, so running it twice changes nothing.
    It never touches `Task.version`, so a handler acting at that moment is not refused."""
    now = now or clock.now()
    today = clock.local(now).date()
    base = Task.objects.select_related("unit", "street", "person").order_by("pk")
    escalated = sum(_escalate(task, now) for task in base.filter(
        state__in=RUNNING_STATES, due_on__lt=today, escalated_at__isnull=True))
    warned = sum(_warn(task, now) for task in base.filter(
        state__in=RUNNING_STATES, warn_on__lte=today, due_on__gte=today, warned_at__isnull=True))
    return SweepResult(warned=warned, escalated=escalated)


def _warn(task: Task, now: dt.datetime) -> bool:
    with transaction.atomic():
        claimed = Task.objects.filter(pk=task.pk, warned_at__isnull=True, state__in=RUNNING_STATES,
                                      due_on=task.due_on).update(warned_at=now)
        if not claimed:
            return False
        TaskEvent.objects.create(task=task, at=now, actor_name=actor_name(SYSTEM), action="warn", from_state=task.state,
                                 to_state=task.state, data={"due_on": task.due_on.isoformat()})
        _tell_unit(task, key=f"task:{task.number}:warn:{task.due_on.isoformat()}",
                   title=_("Task %(number)s is due on %(day)s") % {"number": task.number,
                                                                   "day": task.due_on.isoformat()})
    return True


def _escalate(task: Task, now: dt.datetime) -> bool:
    """督办: the street office admins over the street in their inbox, the unit's head by SMS, the
    unit's handlers, the person in charge and the unit's group robots."""
    from chuangcheng.notify import services as notify
    from chuangcheng.notify.models import Channel

    with transaction.atomic():
        claimed = Task.objects.filter(pk=task.pk, escalated_at__isnull=True, state__in=RUNNING_STATES,
                                      due_on=task.due_on).update(escalated_at=now, warned_at=now)
        if not claimed:
            return False
        TaskEvent.objects.create(task=task, at=now, actor_name=actor_name(SYSTEM), action="escalate",
                                 from_state=task.state, to_state=task.state,
                                 data={"due_on": task.due_on.isoformat(), "unit": task.unit.code})
        key = f"task:{task.number}:escalate:{task.due_on.isoformat()}"
        title = _("Task %(number)s is overdue (due %(day)s): escalated to the head of %(unit)s") % {
            "number": task.number, "day": task.due_on.isoformat(), "unit": task.unit.name}
        notify.notify_users(_street_admins_over(task.street), key=key, title=title, body=_body(task),
                            link=task_link(task))
        if task.unit.head_phone:
            notify.enqueue(key=f"{key}:{Channel.SMS}:{task.unit.head_phone}", channel=Channel.SMS,
                           target=task.unit.head_phone, title=title, body=task.title[:100])
        _tell_unit(task, key=key, title=title)
    return True
