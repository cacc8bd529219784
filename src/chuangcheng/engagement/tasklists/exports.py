"""The task-list ledger (任务清单台账) as an Excel workbook, for a date range and a community, as an
assessor asks for it: the meetings held, the tasks (assigned or due in the period) and their
progress reports with links to the photos. Every export is logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.engagement.tasklists import queries
from chuangcheng.engagement.tasklists.models import TaskEvent
from chuangcheng.engagement.tasklists.services import EVENT_LABELS
from chuangcheng.org.models import Region


def _local(moment: Any) -> Any:
    return clock.local(moment).replace(tzinfo=None) if moment else None


def _links(base: str, name: str, number: str, photos: Any) -> str:
    return "\n".join(f"{base}{reverse(name, args=[number, p.sha256, 'display'])}" for p in photos)


def _scope_names(task: Any) -> str:
    names = [r.name for r in task.regions.all()] + [p.name for p in task.points.all()]
    return "、".join(names) or task.street.name


def ledger(user: Any, *, since: dt.date, until: dt.date, community: Region | None, base_url: str) -> tuple[bytes, int]:
    """The workbook and its number of tasks. `base_url` (scheme and host) makes the photo links
    absolute. Raises sheets.TooManyRows when more tasks match
    than an export may hold."""
    from openpyxl.styles import Alignment

    start, end = clock.start_of(since), clock.start_of(until + dt.timedelta(days=1))
    base = base_url.rstrip("/")
    tasks = queries.tasks_visible_to(user).filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(due_on__gte=since, due_on__lte=until))
    if community is not None:
        tasks = tasks.filter(queries.in_region_q(community))
    tasks = queries.with_scope(tasks).select_related("created_by").order_by("due_on", "number")
    total = sheets.check_rows(tasks.count())
    task_list = list(tasks)
    now = clock.now()
    where = community.name if community is not None else (queries.street_of_user(user) or Region(name="")).name
    heading = [_("Task list ledger (任务清单台账)"), where, f"{since:%Y-%m-%d} — {until:%Y-%m-%d}",
               f"{clock.local(now):%Y-%m-%d %H:%M}"]

    meetings = (queries.meetings_visible_to(user).filter(held_at__gte=start, held_at__lt=end)
                .prefetch_related("units", "attendees", "decisions", "photos").order_by("held_at", "number"))
    if community is not None:
        meetings = meetings.filter(street__code__in=community.ancestor_codes())
    meeting_rows = [[
        m.number, _local(m.held_at), m.title, m.place, m.chair, "、".join(u.name for u in m.units.all()),
        "、".join(p.name for p in m.attendees.all()),
        "\n".join(f"{d.position}. {d.text}" for d in m.decisions.all()), m.minutes,
        _links(base, "tasklists:meeting_photo", m.number, m.photos.all()),
    ] for m in meetings]
    book, sheet = sheets.table_sheet(_("Meetings"), heading, [
        _("Number"), _("Held at"), _("Title"), _("Place"), _("Chaired by"), _("Units present"),
        _("People present"), _("Decisions"), _("Minutes"), _("Photos")], meeting_rows)
    _dates(sheet, "B")
    _wrap(sheet, "H", "I", "J")

    tasks_sheet = book.create_sheet(sheets.sheet_title(_("Tasks")))
    sheets.append_row(tasks_sheet, heading, bold=True)
    sheets.append_row(tasks_sheet, [
        _("Number"), _("Title"), _("Meeting"), _("Decision"), _("Responsible unit"), _("Person in charge"),
        _("Scope"), _("Assigned"), _("Deadline"), _("Priority"), _("State"), _("Progress (%)"), _("Completed"),
        _("On time"), _("Verified"), _("Verified by"), _("Overdue now"), _("Sent back")], bold=True)
    for t in task_list:
        sheets.append_row(tasks_sheet, [
            t.number, t.title, t.meeting.number if t.meeting else "",
            f"{t.decision.position}. {t.decision.text}" if t.decision else "", t.unit.name,
            t.person.name if t.person else "", _scope_names(t), _local(t.created_at), t.due_on,
            t.get_priority_display(), t.get_state_display(), t.percent, _local(t.completed_at),
            "" if t.on_time is None else (_("yes") if t.on_time else _("no")), _local(t.verified_at),
            t.verified_by.display_name if t.verified_by else "", _("yes") if t.is_overdue(now) else "",
            t.sent_back_count,
        ])
    _dates(tasks_sheet, "H", "M", "O")
    for cell in tasks_sheet["I"][2:]:
        cell.number_format = "yyyy-mm-dd"
    tasks_sheet.freeze_panes = "B3"

    progress = book.create_sheet(sheets.sheet_title(_("Progress")))
    sheets.append_row(progress, heading, bold=True)
    sheets.append_row(progress, [_("Task"), _("Title"), _("Responsible unit"), _("Time"), _("By"), _("What"),
                                 _("Progress (%)"), _("Note"), _("Photos")], bold=True)
    events = (TaskEvent.objects.filter(task__in=[t.pk for t in task_list])
              .exclude(action__in=["warn", "escalate"]).select_related("task__unit")
              .prefetch_related("photos").order_by("task__due_on", "task__number", "at", "id"))
    for e in events:
        sheets.append_row(progress, [
            e.task.number, e.task.title, e.task.unit.name, _local(e.at), e.actor_name,
            str(EVENT_LABELS.get(e.action, e.action)), e.percent, e.note,
            _links(base, "tasklists:photo", e.task.number, e.photos.all()),
        ])
    _dates(progress, "D")
    _wrap(progress, "H", "I")
    for ws, widths in ((sheet, {"A": 16, "B": 17, "C": 30, "H": 50, "I": 50, "J": 60}),
                       (tasks_sheet, {"A": 18, "B": 30, "G": 30, "H": 17, "I": 12, "M": 17, "O": 17}),
                       (progress, {"A": 18, "B": 30, "D": 17, "H": 40, "I": 60})):
        for column, width in widths.items():
            ws.column_dimensions[column].width = width
    for ws in (sheet, tasks_sheet, progress):
        for cell in ws[2]:
            cell.alignment = Alignment(wrap_text=True)
    scope = community or queries.street_of_user(user)
    sheets.log_export(user, scope, what="tasks", count=total,
                      note=f"task list ledger {since:%Y-%m-%d}..{until:%Y-%m-%d} {community.code if community else ''}")
    return sheets.to_bytes(book), total


def _dates(sheet: Any, *columns: str) -> None:
    for column in columns:
        for cell in sheet[column][2:]:
            cell.number_format = "yyyy-mm-dd hh:mm"


def _wrap(sheet: Any, *columns: str) -> None:
    from openpyxl.styles import Alignment

    for column in columns:
        for cell in sheet[column][2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

