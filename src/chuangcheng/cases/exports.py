"""The case ledger (整改台账) as an Excel workbook, for any filter of the case list: what the
assessors ask to see, in the clerks' own tool. Every export is logged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from chuangcheng.cases.queries import CaseFilter, filter_cases
from chuangcheng.core import clock, sheets
from chuangcheng.core.validators import mask_phone
from chuangcheng.org.permissions import can_see_phone_numbers
from chuangcheng.org.queries import scope_of


def _local(moment: Any) -> Any:
    return clock.local(moment).replace(tzinfo=None) if moment else None


def reporter_phone(case: Any) -> str:
    """The reporter's number: a resident's from their public report (the `public_report` row of the
    public app, reached through the relation only), else the reporting staff member's."""
    try:
        report = getattr(case, "public_report", None)
    except ObjectDoesNotExist:
        report = None
    if report is not None:
        return str(report.phone or "")
    person = case.reported_by.person if case.reported_by_id and case.reported_by.person_id else None
    return person.phone if person is not None else ""


def ledger_rows(cases: Any, now: Any, *, show_phone: bool = False) -> tuple[list[str], list[list[Any]]]:
    """The header and rows; phone numbers are masked (138****1234) unless `show_phone`."""
    header = [_("Number"), _("Reported"), _("Source"), _("Group"), _("Category"), _("Campaign label"),
              _("Community"), _("Grid"), _("Point"), _("Address"), _("Description"), _("Severity"), _("State"),
              _("Resolution"), _("Responsible unit"), _("Dispatched"), _("Deadline"), _("Rectified"), _("Closed"),
              _("Overdue"), _("Returned for rework"), _("Sent back as wrong unit"), _("Reopened"),
              _("Reported by"), _("Reporter's phone")]
    rows = []
    for case in cases:
        phone = reporter_phone(case)
        rows.append([
            case.number, _local(case.reported_at), case.get_source_display(),
            case.category.parent.name if case.category.parent_id else "", case.category.name,
            case.category.campaign_label, case.grid.parent.name if case.grid.parent_id else "", case.grid.name,
            case.point.name if case.point_id else "", case.address, case.description, case.get_severity_display(),
            case.get_state_display(), case.get_resolution_display() if case.resolution else "",
            case.unit.name if case.unit_id else "", _local(case.dispatched_at), _local(case.deadline),
            _local(case.rectified_at), _local(case.closed_at), _("yes") if case.is_overdue(now) else "",
            case.rework_count, case.wrong_unit_count, case.reopen_count,
            case.reported_by.display_name if case.reported_by_id else "",
            phone if show_phone else mask_phone(phone),
        ])
    return header, rows


def case_ledger(user: Any, flt: CaseFilter) -> tuple[bytes, int]:
    """The workbook and its number of cases. Raises sheets.TooManyRows when the filter selects
    more cases than an export may hold (narrow it first)."""
    from openpyxl.styles import Alignment

    now = clock.now()
    cases = (filter_cases(user, flt, now=now).select_related("reported_by__person", "public_report")
             .order_by("reported_at", "id"))
    total = sheets.check_rows(cases.count())
    header, rows = ledger_rows(cases.iterator(chunk_size=1000), now, show_phone=can_see_phone_numbers(user))
    heading = [_("Case ledger (整改台账)"), f"{clock.local(now):%Y-%m-%d %H:%M}"]
    book, sheet = sheets.table_sheet(_("Case ledger"), heading, header, rows)
    for cell in sheet["B"][2:] + sheet["P"][2:] + sheet["Q"][2:] + sheet["R"][2:] + sheet["S"][2:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    for column, width in {"A": 20, "B": 17, "K": 50, "P": 17, "Q": 17, "R": 17, "S": 17}.items():
        sheet.column_dimensions[column].width = width
    for cell in sheet["K"][2:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B3"
    sheets.log_export(user, scope_of(user), what="cases", count=total,
                      note=f"case ledger: {flt.query_string() or 'all'}")
    return sheets.to_bytes(book), total
