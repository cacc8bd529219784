"""The task-list endpoints, mounted at /api/tasks: meetings and tasks to read, a task to create, and
one POST per action (progress, submit, verify, send back, cancel), over the same services and
queries as the pages. A task outside the caller's region is 404, a role that may not act 403, an
action the state does not allow or a stale `version` 409, a bad field 400 with the field named."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import LimitOffset
from chuangcheng.engagement.tasklists import actions, queries, services
from chuangcheng.engagement.tasklists.models import Meeting, Priority, Task, TaskState
from chuangcheng.engagement.tasklists.workflow import TASKS
from chuangcheng.evidence.actions import mount
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import serve_photo
from chuangcheng.org.models import Person, Region, Unit
from chuangcheng.places.models import Point

router = Router(tags=["tasks"])


# --- schemas ---------------------------------------------------------------------------------


class MeetingFields(Schema):
    number: str
    street: str
    held_at: dt.datetime
    title: str
    place: str
    chair: str
    units: list[str]


class MeetingOut(MeetingFields):

    @staticmethod
    def resolve_street(obj: Meeting) -> str:
        return obj.street.code

    @staticmethod
    def resolve_units(obj: Meeting) -> list[str]:
        return [u.code for u in obj.units.all()]


class DecisionOut(Schema):
    position: int
    text: str
    tasks: list[str]


class MeetingDetailOut(MeetingFields):
    attendees: list[str]
    minutes: str
    decisions: list[DecisionOut]
    photos: list[str]


class TaskFields(Schema):
    number: str
    title: str
    description: str
    street: str
    unit: str
    unit_name: str
    person: str | None
    regions: list[str]
    points: list[str]
    meeting: str | None
    decision: int | None
    due_on: dt.date
    priority: str
    state: str
    state_label: str
    percent: int
    evidence_required: bool
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    completed_at: dt.datetime | None
    verified_at: dt.datetime | None
    on_time: bool | None
    overdue: bool
    due_soon: bool
    version: int


class TaskOut(TaskFields):
    """A task in a list, resolved from the row and its joined unit, person, meeting and scope."""

    @staticmethod
    def resolve_street(obj: Task) -> str:
        return obj.street.code

    @staticmethod
    def resolve_unit(obj: Task) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: Task) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_person(obj: Task) -> str | None:
        return obj.person.code if obj.person else None

    @staticmethod
    def resolve_regions(obj: Task) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_points(obj: Task) -> list[str]:
        return [p.code for p in obj.points.all()]

    @staticmethod
    def resolve_meeting(obj: Task) -> str | None:
        return obj.meeting.number if obj.meeting else None

    @staticmethod
    def resolve_decision(obj: Task) -> int | None:
        return obj.decision.position if obj.decision else None

    @staticmethod
    def resolve_state_label(obj: Task) -> str:
        return str(TaskState(obj.state).label)

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue(clock.now())

    @staticmethod
    def resolve_due_soon(obj: Task) -> bool:
        return obj.is_due_soon(clock.now())


class TaskEventOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    note: str
    percent: int | None
    photos: list[str]  # SHA-256 of each photo: GET /api/tasks/{number}/photos/{sha256}


class TaskDetailOut(TaskFields):
    events: list[TaskEventOut]
    actions: list[str]


class TaskIn(Schema):
    title: str
    unit: str  # unit code
    due_on: dt.date | None = None  # a date, or
    working_days: int | None = None  # the Nth working day from now
    description: str = ""
    person: str = ""  # person code
    regions: list[str] = []  # community or grid codes
    points: list[str] = []  # point codes
    priority: Literal["normal", "high", "urgent"] = "normal"
    meeting: str = ""  # meeting number
    decision: int | None = None  # the decision's number in that meeting
    evidence_required: bool = True


class VersionIn(Schema):
    version: int | None = None


class ProgressIn(VersionIn):
    note: str
    percent: int


class NoteIn(VersionIn):
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


# --- meetings --------------------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut], operation_id="listTaskMeetings")
@paginate(LimitOffset)
def list_meetings(request: HttpRequest) -> Any:
    """Promotion meetings (推进会) the caller may read, the latest first."""
    return queries.meetings_visible_to(request.user).prefetch_related("units")


@router.get("/meetings/{number}", response=MeetingDetailOut, operation_id="getTaskMeeting")
def get_meeting(request: HttpRequest, number: str) -> dict[str, Any]:
    """One meeting with its units and people present, numbered decisions (with their tasks) and photos."""
    meeting = or_404(queries.meeting_for(request.user, number))
    m = queries.meeting_detail(meeting)
    return {
        "number": m.number, "street": m.street.code, "held_at": m.held_at, "title": m.title, "place": m.place,
        "chair": m.chair, "units": [u.code for u in m.units.all()], "attendees": [p.code for p in m.attendees.all()],
        "minutes": m.minutes, "photos": [p.sha256 for p in m.photos.all()],
        "decisions": [{"position": d.position, "text": d.text, "tasks": [t.number for t in d.tasks.all()]}
                      for d in m.decisions.all()],
    }


# --- tasks -----------------------------------------------------------------------------------


@router.get("", response=list[TaskOut], operation_id="listTasks")
@paginate(LimitOffset)
def list_tasks(
    request: HttpRequest, state: str = "", unit: str = "", region: str = "", meeting: str = "",
    overdue: bool = False, due_soon: bool = False, mine: bool = False, since: str = "", until: str = "",
) -> Any:
    """The caller's tasks, filtered like the list page (`since`/`until`: deadline dates, inclusive)."""
    params = {"state": state, "unit": unit, "region": region, "meeting": meeting, "since": since,
              "until": until, "overdue": "1" if overdue else "", "due_soon": "1" if due_soon else "",
              "mine": "1" if mine else ""}
    flt = queries.TaskFilter.from_params(params)
    return queries.with_scope(queries.filter_tasks(request.user, flt)).order_by("due_on", "number")


def _task_or_404(user: Any, number: str) -> Task:
    return or_404(queries.task_for(user, number))


def _detail(task: Task, user: Any) -> dict[str, Any]:
    task = queries.with_scope(Task.objects.filter(pk=task.pk)).select_related(
        "street", "unit", "person", "meeting", "decision").get()
    events = list(queries.task_timeline(task))
    submitted_by = TASKS.last_actor(task, "submit", events)
    data = TaskOut.from_orm(task).dict()
    data["events"] = [TaskEventOut(at=e.at, actor=e.actor_name, action=e.action, from_state=e.from_state,
                                   to_state=e.to_state, note=e.note, percent=e.percent,
                                   photos=[p.sha256 for p in e.photos.all()]) for e in events]
    data["actions"] = [TASKS[a].api_name for a in TASKS.allowed(user, task, submitted_by=submitted_by)]
    return data


@router.get("/{number}", response=TaskDetailOut, operation_id="getTask")
def get_task(request: HttpRequest, number: str) -> dict[str, Any]:
    """One task with its timeline (each event's photos by SHA-256) and the actions the caller may take now."""
    return _detail(_task_or_404(request.user, number), request.user)


@router.get("/{number}/photos/{sha256}", response={200: None}, operation_id="getTaskPhoto")
def get_task_photo(request: HttpRequest, number: str, sha256: str,
                   variant: Literal["thumbnail", "display", "original"] = "display") -> FileResponse:
    """A photo of the task's timeline (display version by default)."""
    return serve_photo(request, sha256, variant, _may_see_photo, number=number)


def _may_see_photo(request: HttpRequest, photo: Photo, /, *, number: str) -> bool:
    return _task_or_404(request.user, number).events.filter(photos=photo).exists()


def _by_code(model: Any, code: str, field: str, message: str, **scope: Any) -> Any:
    found = model.objects.filter(code=code[:40], **scope).first()
    if found is None:
        raise ValidationError({field: message})
    return found


@router.post("", response={201: TaskDetailOut}, operation_id="createTask")
def create_task(request: HttpRequest, payload: TaskIn) -> Status:
    """Assign a task (street office): to a unit, scoped to communities, grids and points, due on a date or
    within a number of working days, alone or from a meeting's decision."""
    user: Any = request.user
    street = or_404(queries.street_of_user(user))
    unit = _by_code(Unit, payload.unit, "unit", _("No such unit."))
    person = _by_code(Person, payload.person, "person", _("No such person.")) if payload.person else None
    regions = [_by_code(Region, code, "regions", _("No such community or grid: %(code)s") % {"code": code})
               for code in payload.regions]
    points = [_by_code(Point, code, "points", _("No such point: %(code)s") % {"code": code})
              for code in payload.points]
    meeting = decision = None
    if payload.meeting:
        meeting = queries.meeting_for(user, payload.meeting)
        if meeting is None:
            raise ValidationError({"meeting": _("No such meeting.")})
        if payload.decision is not None:
            decision = meeting.decisions.filter(position=payload.decision).first()
            if decision is None:
                raise ValidationError({"decision": _("The meeting has no decision of this number.")})
    task = services.create_task(
        by=user, street=street, title=payload.title, unit=unit, due_on=payload.due_on,
        working_days=payload.working_days, description=payload.description, person=person, regions=regions,
        points=points, priority=Priority(payload.priority), meeting=meeting, decision=decision,
        evidence_required=payload.evidence_required)
    return Status(201, _detail(task, user))


# One POST per offered action of the task workflow: URL segment and operation id from the table
# (tasklists.workflow.TASKS), input schema and description from here. Actions with photos take a
# multipart form, the others a JSON body.
INPUTS: dict[str, tuple[type[VersionIn], str]] = {
    "progress": (ProgressIn, "进展 (multipart form): what was done, the percent (0–99) and up to nine photos."),
    "submit": (NoteIn, "Done (multipart form): submit for verification, with photos when the task requires "
                       "evidence."),
    "verify": (NoteIn, "验收 (street office, multipart form): the submitted task is done; never by whoever "
                       "submitted it."),
    "send_back": (ReasonIn, "退回 (street office, multipart form): not done as asked; back to the unit with the "
                            "reason."),
    "cancel": (ReasonIn, "Cancel a task that is no longer needed (street office), with the reason."),
}


mount(router, actions.ACTIONS, inputs=INPUTS, response=TaskDetailOut, find=_task_or_404, detail=_detail,
      names={"progress": "post_progress"})
