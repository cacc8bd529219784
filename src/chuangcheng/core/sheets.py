"""Excel workbooks the clerks open in Excel or WPS: ledgers and rankings. Text that a spreadsheet
could read as a formula (CSV/Excel injection) stays text; every export is written to the change log."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from chuangcheng.core import audit
from chuangcheng.core.models import AuditEvent

# A cell starting with one of these could be taken for a formula: kept as text, shown with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def append_row(sheet: Any, values: Iterable[Any], *, bold: bool = False) -> None:
    """One row, every text cell typed as text (never a formula, whatever it starts with)."""
    from openpyxl.styles import Font

    sheet.append([safe(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)


def table_sheet(title: str, heading: list[Any], header: list[str], rows: Iterable[list[Any]]) -> tuple[Any, Any]:
    """A workbook whose first sheet has a heading line (large), a bold header row and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    append_row(sheet, heading)
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, header, bold=True)
    for row in rows:
        append_row(sheet, row)
    return book, sheet


def to_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def log_export(user: Any, scope: Any, *, what: str, count: int, note: str) -> None:
    """The change log's row for an export: who took which rows out, for which region."""
    audit.record(actor=user, action=AuditEvent.Action.EXPORT, instance=scope or user,
                 region_path=scope.path if scope else "", changes={what: count}, note=note)
