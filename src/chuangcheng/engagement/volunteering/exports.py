"""The volunteer ledger (志愿服务台账) as an Excel workbook for a date range and a community: the
actions with their outcome counters and links to the photos, and the attendance of each person.
Scoped to the caller, formula-like text kept as text, every export in the change log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.engagement.volunteering.models import OUTCOMES, Action, ActionPhoto, Attendance
from chuangcheng.engagement.volunteering.queries import actions_visible_to
from chuangcheng.org.models import Region
from chuangcheng.org.queries import scope_of


def _local(moment: Any) -> Any:
    return clock.local(moment).replace(tzinfo=None) if moment else None


def ledger(user: Any, *, since: dt.date, until: dt.date, community: Region | None,
           photo_url: Callable[[Action, str], str]) -> tuple[bytes, int]:
    """The workbook and its number of actions (starting between the two local dates, inclusive).
    `photo_url(action, sha256)` gives the absolute link of a photo. Raises sheets.TooManyRows when more
    actions match than an export may hold."""
    from openpyxl.styles import Alignment

    start, end = clock.start_of(since), clock.start_of(until + dt.timedelta(days=1))
    actions = actions_visible_to(user).filter(starts_at__gte=start, starts_at__lt=end)
    if community is not None:
        actions = actions.filter(community=community)
    actions = actions.prefetch_related(
        Prefetch("photos", queryset=ActionPhoto.objects.select_related("photo").order_by("-stage", "id")),
        Prefetch("attendances", queryset=Attendance.objects.select_related("person").order_by("signed_up_at", "id")),
    ).order_by("starts_at", "code")
    total = sheets.check_rows(actions.count())
    header = [_("Number"), _("Type"), _("Title"), _("Community"), _("Place"), _("Longitude"), _("Latitude"),
              _("Starts"), _("Ends"), _("Organizer"), _("Targets"), _("Status"), _("Places"), _("Signed up"),
              _("Attended"), _("Hours"), *[str(label) for _code, label in OUTCOMES], _("Summary"),
              _("Photos before"), _("Photos after")]
    action_rows: list[list[Any]] = []
    people_header = [_("Number"), _("Action"), _("Date"), _("Volunteer"), _("Person code"), _("Party member"),
                     _("Walk-in"), _("Signed up"), _("Sign-up cancelled"), _("Checked in"), _("Check-in distance (m)"),
                     _("Checked out"), _("Check-out distance (m)"), _("Hours"), _("Hours corrected")]
    people_rows: list[list[Any]] = []
    for action in actions:
        rows = list(action.attendances.all())
        attended = [r for r in rows if r.active and r.attended]
        photos = {stage: "\n".join(photo_url(action, p.photo.sha256) for p in action.photos.all() if p.stage == stage)
                  for stage in (ActionPhoto.Stage.BEFORE, ActionPhoto.Stage.AFTER)}
        action_rows.append([
            action.code, action.get_kind_display(), action.title, action.community.name, action.place_name,
            float(action.lon), float(action.lat), _local(action.starts_at), _local(action.ends_at),
            action.organizer.display_name, "、".join(action.target_labels()), action.get_status_display(),
            action.capacity, sum(1 for r in rows if r.active), len(attended),
            float(sum((r.hours or 0) for r in attended)),
            *[count for _code, _label, count in action.outcome_rows()], action.summary,
            photos[ActionPhoto.Stage.BEFORE], photos[ActionPhoto.Stage.AFTER],
        ])
        for r in rows:
            people_rows.append([
                action.code, action.title, clock.local(action.starts_at).date(), r.person.name, r.person.code,
                _("yes") if r.person.party_member else "", _("yes") if r.walk_in else "", _local(r.signed_up_at),
                _local(r.cancelled_at), _local(r.checked_in_at), r.checkin_distance_m, _local(r.checked_out_at),
                r.checkout_distance_m, float(r.hours) if r.hours is not None else None,
                _("yes") if r.hours_corrected else "",
            ])
    period = f"{since:%Y-%m-%d} – {until:%Y-%m-%d}"
    heading = [_("Volunteer ledger (志愿服务台账)"), community.name if community else _("all communities"), period,
               f"{clock.local(clock.now()):%Y-%m-%d %H:%M}"]
    book, sheet = sheets.table_sheet(_("Actions"), heading, header, action_rows)
    for column in ("H", "I"):
        for cell in sheet[column][2:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    for column, width in {"A": 16, "C": 24, "E": 20, "H": 17, "I": 17}.items():
        sheet.column_dimensions[column].width = width
    last = len(header)
    for row in sheet.iter_rows(min_row=3, min_col=last - 2, max_col=last):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B3"
    people = book.create_sheet(sheets.sheet_title(_("Attendance")))
    sheets.append_row(people, heading)
    sheets.append_row(people, people_header, bold=True)
    for values in people_rows:
        sheets.append_row(people, values)
    for column in ("C",):
        for cell in people[column][2:]:
            cell.number_format = "yyyy-mm-dd"
    for column in ("H", "I", "J", "L"):
        for cell in people[column][2:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    people.freeze_panes = "B3"
    sheets.log_export(user, community or scope_of(user), what="volunteer_actions", count=total,
                      note=f"volunteer ledger: {period} {community.code if community else ''}".strip())
    return sheets.to_bytes(book), total
