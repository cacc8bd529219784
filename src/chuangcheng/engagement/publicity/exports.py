"""The two ledgers the assessors ask for, as Excel workbooks for a date range and a community:
宣传台账 (online pushes per group delivery, offline items with photo links, points against the
catalog) and 入户宣传台账 (visits, coverage per grid). Every export is logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.engagement.publicity import queries
from chuangcheng.engagement.publicity.models import VISIT_TOPICS
from chuangcheng.org.models import Region
from chuangcheng.org.queries import scope_of


def _local(moment: Any) -> Any:
    return clock.local(moment).replace(tzinfo=None) if moment else None


def _period(start: dt.date, end: dt.date) -> str:
    return f"{start:%Y-%m-%d} — {end:%Y-%m-%d}"


def _add_sheet(book: Any, title: str, header: list[str], rows: list[list[Any]]) -> Any:
    sheet = sheets.add_sheet(book, title, header, rows)
    sheet.freeze_panes = "A2"
    return sheet


def _community_of(grid: Region) -> str:
    return grid.parent.name if grid.parent is not None else ""


def publicity_ledger(user: Any, *, start: dt.date, end: dt.date, community: Region | None,
                     site: str) -> tuple[bytes, int]:
    """宣传台账: returns the workbook and its number of rows (deliveries and items). Raises
    sheets.TooManyRows when more rows match than an export may hold."""
    path = community.path if community is not None else ""
    first, _unused = clock.day_bounds(start)
    _unused2, last = clock.day_bounds(end)
    deliveries = (queries.deliveries_visible_to(user)
                  .filter(push__created_at__gte=first, push__created_at__lt=last, grid__path__startswith=path)
                  .select_related("push__scope", "push__author").order_by("push__created_at", "push_id", "grid__path",
                                                                          "id"))
    items = (queries.items_visible_to(user).filter(point__grid__path__startswith=path, put_up_on__lte=end)
             .filter(Q(taken_down_on__isnull=True) | Q(taken_down_on__gte=start))
             .order_by("point__grid__path", "point__code", "put_up_on", "id"))
    sheets.check_rows(deliveries.count() + items.count())
    push_rows = [[
        d.push.number, _local(d.push.created_at), d.push.title, d.push.text, d.push.scope.name,
        d.push.author.display_name or d.push.author.username, _community_of(d.grid), d.grid.name,
        d.group_name, d.channel, d.state_label, _local(d.message.sent_at) if d.message else None,
        d.message.attempts if d.message else 0, d.error,
    ] for d in deliveries]
    base = site.rstrip("/")
    item_rows = [[
        item.code, _community_of(item.point.grid), item.point.grid.name, item.point.code, item.point.name,
        item.point.point_type.name, item.get_kind_display(), _("yes") if item.counted else _("no"), item.theme,
        item.count, item.put_up_on, item.taken_down_on,
        (item.registered_by.display_name or item.registered_by.username) if item.registered_by else "",
        base + reverse("publicity:item_photo", args=[item.code, "display"]) if item.photo_id else "",
    ] for item in items]
    points = queries.point_rows(user, queries.PointFilter(community=community.code if community else ""), day=end)
    point_rows = [[
        row.point.code, row.point.name, row.point.point_type.name, _community_of(row.point.grid),
        row.point.grid.name, row.have, row.need if row.need is not None else "", row.short if row.need else "",
        ", ".join(row.items),
    ] for row in points]

    place = community.name if community is not None else (getattr(scope_of(user), "name", "") or "")
    heading = [_("Publicity ledger (宣传台账)"), place, _period(start, end)]
    header = [_("Push"), _("Pushed at"), _("Title"), _("Text"), _("Pushed to"), _("Pushed by"), _("Community"),
              _("Grid"), _("Group"), _("Channel"), _("Status"), _("Sent at"), _("Attempts"), _("Failure reason")]
    book, sheet = sheets.table_sheet(_("Online pushes"), heading, header, push_rows)
    for cell in sheet["B"][2:] + sheet["L"][2:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.column_dimensions["D"].width = 50
    items_sheet = _add_sheet(book, _("Offline items"), [
        _("Code"), _("Community"), _("Grid"), _("Point code"), _("Point"), _("Point type"), _("Kind"),
        _("Counts as public-service ad"), _("Theme"), _("Count"), _("Put up on"), _("Taken down on"),
        _("Registered by"), _("Photo")], item_rows)
    for row_cells in items_sheet.iter_rows(min_row=2):
        link = row_cells[13]
        if link.value:
            link.hyperlink = str(link.value)
            link.style = "Hyperlink"
        for cell in (row_cells[10], row_cells[11]):
            cell.number_format = "yyyy-mm-dd"
    _add_sheet(book, _("Points against the catalog"), [
        _("Point code"), _("Point"), _("Point type"), _("Community"), _("Grid"),
        _("Public-service ads standing on %(day)s") % {"day": f"{end:%Y-%m-%d}"}, _("Required"), _("Short by"),
        _("Catalog items")], point_rows)
    total = len(push_rows) + len(item_rows)
    sheets.log_export(user, community or scope_of(user), what="publicity", count=total,
                      note=f"publicity ledger {start}..{end} {community.code if community else 'all'}")
    return sheets.to_bytes(book), total


def visits_ledger(user: Any, *, start: dt.date, end: dt.date, community: Region | None) -> tuple[bytes, int]:
    """入户宣传台账: visits in the period, then coverage per grid (and community). Raises
    sheets.TooManyRows when more visits match than an export may hold."""
    labels = dict(VISIT_TOPICS)
    visits = (queries.filter_visits(user, queries.VisitFilter(start=start, end=end,
                                                               region=community.code if community else ""))
              .order_by("day", "grid__path", "building", "unit", "room", "id"))
    sheets.check_rows(visits.count())
    rows = [[
        v.day, _community_of(v.grid), v.grid.name, v.building, v.unit, v.room, v.surname,
        v.visitor.display_name or v.visitor.username, "、".join(str(labels.get(t, t)) for t in v.topics),
        v.get_result_display(), v.note,
    ] for v in visits]
    place = community.name if community is not None else (getattr(scope_of(user), "name", "") or "")
    heading = [_("Household visit ledger (入户宣传台账)"), place, _period(start, end)]
    header = [_("Date"), _("Community"), _("Grid"), _("Building"), _("Unit (单元)"), _("Room"),
              _("Resident's surname"), _("Visitor"), _("Topics"), _("Result"), _("Note")]
    book, sheet = sheets.table_sheet(_("Household visits"), heading, header, rows)
    for cell in sheet["A"][2:]:
        cell.number_format = "yyyy-mm-dd"
    cover_rows: list[list[Any]] = []
    for block in queries.coverage(user, start=start, end=end, community=community.code if community else ""):
        for row in [*block.grids, block.total]:
            is_total = row is block.total
            cover_rows.append([
                block.total.region.name, _("whole community") if is_total else row.region.name,
                row.households if row.households is not None else "", row.covered, row.visits,
                round(row.rate, 4) if row.rate is not None else "",
            ])
    cover = _add_sheet(book, _("Coverage"), [_("Community"), _("Grid"), _("Households"),
                                             _("Households visited"), _("Visits reaching someone"),
                                             _("Coverage")], cover_rows)
    for cell in cover["F"][1:]:
        cell.number_format = "0.0%"
    sheets.log_export(user, community or scope_of(user), what="household visits", count=len(rows),
                      note=f"household visit ledger {start}..{end} {community.code if community else 'all'}")
    return sheets.to_bytes(book), len(rows)

