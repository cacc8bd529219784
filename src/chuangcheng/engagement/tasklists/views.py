"""Task-list pages: the list with filters, "my tasks" for a unit's handlers, a task with its timeline
and the actions the viewer may take, completion by unit, meetings, and the ledger export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core import clock, sheets
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.core.periods import PeriodForm
from chuangcheng.core.site import site_root
from chuangcheng.engagement.tasklists import actions, permissions, queries, services
from chuangcheng.engagement.tasklists.exports import ledger
from chuangcheng.engagement.tasklists.forms import ActionForm, LedgerForm, MeetingForm, TaskForm
from chuangcheng.engagement.tasklists.models import Meeting, Task, TaskEvent, TaskState
from chuangcheng.engagement.tasklists.workflow import EVENT_LABELS, TASKS
from chuangcheng.evidence.actions import action_forms, at_version, take_form
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.evidence.views import photo_view
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Role


def _light(task: Task, now: dt.datetime) -> str:
    if task.is_overdue(now):
        return "red"
    if task.is_due_soon(now):
        return "yellow"
    return "green" if task.is_running else ""


# --- lists -----------------------------------------------------------------------------------


def task_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    period_form = PeriodForm(request.GET or None)  # a bad date: shown beside the fields, no period applied
    flt = queries.TaskFilter.from_params(request.GET, period=period_form.period)
    now = clock.now()
    tasks = queries.with_scope(queries.filter_tasks(user, flt, now=now))
    page = paginate(request, tasks)
    street = queries.street_of_user(user)
    return render(request, "engagement/tasklists/task_list.html", {
        "page": page, "flt": flt, "now": now, "period_form": period_form,
        "rows": [{"task": t, "light": _light(t, now)} for t in page.object_list],
        "counts": queries.task_counts(queries.tasks_visible_to(user), now),
        "states": [("open", _("Not finished")), *TaskState.choices],
        "units": org_queries.units_visible_to(user).filter(active=True).order_by("kind", "name"),
        "communities": org_queries.communities_visible_to(user),
        "grids": org_queries.grids_visible_to(user),
        "can_assign": permissions.can_assign(user, street),
        "can_export": permissions.can_export(user),
        "can_overview": permissions.can_see_overview(user),
    }, status=400 if period_form.errors else 200)


def my_tasks(request: HttpRequest) -> HttpResponse:
    """The handler's phone page: the unit's unfinished tasks, the most urgent first."""
    user: Any = request.user
    now = clock.now()
    flt = queries.TaskFilter(mine=True, state="open")
    tasks = list(queries.with_scope(queries.filter_tasks(user, flt, now=now)).order_by("due_on", "number")[:200])
    done = queries.filter_tasks(user, queries.TaskFilter(mine=True, state=TaskState.DONE), now=now).count()
    return render(request, "engagement/tasklists/my_tasks.html", {
        "rows": [{"task": t, "light": _light(t, now)} for t in tasks], "done": done, "now": now,
    })


def by_unit(request: HttpRequest) -> HttpResponse:
    """完成情况: per unit, the tasks due in the period; every figure links to its list."""
    user: Any = request.user
    if not permissions.can_see_overview(user):
        raise PermissionDenied(_("Completion by unit is for the street office and its leaders."))
    period_form = PeriodForm(request.GET or None)
    flt = queries.TaskFilter.from_params(request.GET, period=period_form.period)
    sort = request.GET.get("sort", "on_time_rate")
    descending = request.GET.get("dir", "desc") != "asc"
    rows = queries.completion_by_unit(user, flt, sort=sort, descending=descending)
    base = queries.TaskFilter(region=flt.region, since=flt.since, until=flt.until)
    links = []
    for row in rows:
        code = row.unit.code
        links.append({
            "row": row,
            "total": base.query_string(unit=code),
            "done": base.query_string(unit=code, state=TaskState.DONE),
            "on_time": base.query_string(unit=code, on_time="1"),
            "overdue": base.query_string(unit=code, overdue=True),
            "open": base.query_string(unit=code, state="open"),
        })
    columns = [("unit", _("Responsible unit")), ("total", _("Tasks")), ("done", _("Done")),
               ("done_on_time", _("Done on time")), ("overdue", _("Overdue")), ("open", _("Not finished")),
               ("on_time_rate", _("On-time rate"))]
    return render(request, "engagement/tasklists/by_unit.html", {
        "links": links, "flt": flt, "sort": sort, "descending": descending, "columns": columns,
        "communities": org_queries.communities_visible_to(user),
        "filter_query": base.query_string(), "period_form": period_form,
    }, status=400 if period_form.errors else 200)


# --- one task --------------------------------------------------------------------------------


def _task(request: HttpRequest, number: str) -> Task:
    return or_404(queries.task_for(request.user, number))


def task_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, _task(request, number))


def _render_detail(request: HttpRequest, task: Task, *, failed: ActionForm | None = None, error: str = "",
                   status: int = 200) -> HttpResponse:
    user: Any = request.user
    events = list(queries.task_timeline(task))
    for event in events:
        event.label = str(EVENT_LABELS.get(event.action, event.action))  # type: ignore[attr-defined]
    submitted_by = TASKS.last_actor(task, "submit", events)
    forms = action_forms(TASKS, TASKS.allowed(user, task, submitted_by=submitted_by), failed=failed,
                         new=lambda action: ActionForm(action=action, task=task, initial={"version": task.version}))
    now = clock.now()
    return render(request, "engagement/tasklists/task_detail.html", {
        "task": task, "events": events, "forms": forms, "error": error, "light": _light(task, now),
        "regions": list(task.regions.all()), "points": list(task.points.select_related("grid")),
    }, status=status)


def _actor(request: HttpRequest) -> Any:
    return request.user  # behind login: a user


@require_POST
def task_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    task = _task(request, number)
    if action not in actions.ACTIONS:
        raise Http404
    form = ActionForm(request.POST, request.FILES, action=action, task=task)
    refused = take_form(actions.ACTIONS, action, task, by=_actor(request), form=form)
    if refused:
        return _after_failure(request, task, refused.form, refused.error, refused.status)
    messages.success(request, _("Task %(number)s: %(action)s — done.") % {"number": task.number,
                                                                         "action": TASKS[action].label})
    if request.POST.get("next") == "mine":
        return redirect("tasklists:mine")
    return redirect("tasklists:detail", number=task.number)


def _after_failure(request: HttpRequest, task: Task, form: ActionForm | None, error: str,
                   status: int) -> HttpResponse:
    fresh = _task(request, task.number)
    at_version(form, fresh)
    return _render_detail(request, fresh, failed=form, error=error, status=status)


def may_see_task_photo(request: HttpRequest, photo: Photo, /, *, number: str) -> bool:
    """A photo of this task's events, to people who may see the task."""
    return TaskEvent.objects.filter(task=_task(request, number), photos=photo).exists()


task_photo = photo_view(may_see_task_photo)


def task_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    street = queries.street_of_user(user)
    if not permissions.can_assign(user, street):
        raise PermissionDenied(_("Tasks are assigned by the street office."))
    assert street is not None  # noqa: S101 - can_assign needs a street
    initial: dict[str, Any] = {}
    meeting: Meeting | None = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("meeting"):
        meeting = queries.meeting_for(user, source.get("meeting", ""))
        if meeting is not None:
            initial["meeting"] = meeting.number
            position = source.get("decision", "")
            decision = meeting.decisions.filter(position=int(position)).first() if position.isdigit() else None
            if decision is not None:
                initial["decision"] = decision.position
                initial["title"] = decision.text[:200]
    form = TaskForm(request.POST or None, street=street, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = None
        if meeting is not None and data.get("decision"):
            decision = meeting.decisions.filter(position=data["decision"]).first()
        try:
            task = services.create_task(
                by=user, street=street, title=data["title"], description=data["description"], unit=data["unit"],
                person=data["person"], regions=data["regions"], points=data["points"], due_on=data["due_on"],
                working_days=data["working_days"], priority=data["priority"], meeting=meeting, decision=decision,
                evidence_required=data["evidence_required"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Task %(number)s assigned.") % {"number": task.number})
            return redirect("tasklists:detail", number=task.number)
    return render(request, "engagement/tasklists/task_form.html", {"form": form, "meeting": meeting},
                  status=400 if form.errors else 200)


# --- meetings --------------------------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_read_meetings(user):
        raise PermissionDenied(_("Your role does not read the promotion meetings."))
    meetings = queries.meetings_visible_to(user).prefetch_related("units")
    page = paginate(request, meetings)
    return render(request, "engagement/tasklists/meeting_list.html", {
        "page": page, "can_record": permissions.can_record_meeting(user, queries.street_of_user(user)),
    })


def meeting_detail(request: HttpRequest, number: str) -> HttpResponse:
    meeting = or_404(queries.meeting_for(request.user, number))
    user: Any = request.user
    return render(request, "engagement/tasklists/meeting_detail.html", {
        "meeting": queries.meeting_detail(meeting), "can_assign": permissions.can_assign(user, meeting.street),
    })


def meeting_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    street = queries.street_of_user(user)
    if not permissions.can_record_meeting(user, street):
        raise PermissionDenied(_("Promotion meetings are recorded by the street office."))
    assert street is not None  # noqa: S101 - can_record_meeting needs a street
    form = MeetingForm(request.POST or None, request.FILES or None, street=street)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with accepted_uploads(data["photos"], by=user, place=data["place"]) as photos:
                meeting = services.record_meeting(
                    by=user, street=street, held_at=data["held_at"], title=data["title"], place=data["place"],
                    chair=data["chair"], units=data["units"], attendees=data["attendees"],
                    decisions=form.decision_lines(), minutes=data["minutes"], photos=photos)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Meeting %(number)s recorded.") % {"number": meeting.number})
            return redirect("tasklists:meeting", number=meeting.number)
    return render(request, "engagement/tasklists/meeting_form.html", {"form": form},
                  status=400 if form.errors else 200)


def may_see_meeting_photo(request: HttpRequest, photo: Photo, /, *, number: str) -> bool:
    """A photo of this meeting, to people who may see the meeting."""
    meeting = queries.meeting_for(request.user, number)
    return meeting is not None and meeting.photos.filter(pk=photo.pk).exists()


meeting_photo = photo_view(may_see_meeting_photo)


# --- the ledger ------------------------------------------------------------------------------


def ledger_export(request: HttpRequest) -> HttpResponse:
    """任务清单台账 for a period and a community, as an Excel workbook (logged)."""
    user: Any = request.user
    if not permissions.can_export(user):
        raise PermissionDenied(_("Your role does not export the task-list ledger."))
    communities = org_queries.communities_visible_to(user)
    params = request.GET if request.GET.get("since") or request.GET.get("until") else None
    form = LedgerForm(params, communities=communities)
    if params is None or not form.is_valid():
        return render(request, "engagement/tasklists/ledger.html", {"form": form},
                      status=400 if params is not None else 200)
    data = form.cleaned_data
    community = data["community"]
    if community is None and user.role in {Role.COMMUNITY_ADMIN, Role.GRID_WORKER} and not user.is_superuser:
        community = user.scope if user.scope is not None and user.scope.level == 3 else None
    base = site_root(request)

    def refused(exc: sheets.TooManyRows) -> HttpResponse:
        form.add_error(None, str(exc))
        return render(request, "engagement/tasklists/ledger.html", {"form": form}, status=400)

    return sheets.export_response(
        request, lambda: ledger(user, since=data["since"], until=data["until"], community=community, base_url=base),
        filename=f"task-ledger-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.xlsx", back=refused)
