"""Excel workbooks the clerks open in Excel or WPS: ledgers and rankings, and the one way they leave
the server. Every cell goes through one writer: text a spreadsheet could read as a formula (CSV/Excel
injection) stays text, and characters a workbook cannot store (control characters a resident's
report may carry) are dropped instead of failing the whole export. One limit (`EXPORT_MAX_ROWS`)
bounds every export; a larger selection is refused with `TooManyRows`, which `export_response`
turns into a message on the page. Every export is written to the change log."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from chuangcheng.core import audit
from chuangcheng.core.models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these could be taken for a formula: kept as text, shown with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# What the workbook's XML cannot hold: control characters other than tab, newline and carriage
# return, lone surrogates (from badly decoded input) and the two non-characters U+FFFE/U+FFFF.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Excel shows at most this many characters in a cell and calls a longer one a damaged file.
CELL_MAX_CHARS = 32_767


class TooManyRows(Exception):  # noqa: N818 - the name says what the user is told
    """An export refused: its selection has more rows than one workbook may hold."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(count, limit)
        self.count = count
        self.limit = limit

    def __str__(self) -> str:
        return gettext("%(count)d rows match, more than the %(limit)d one export may hold: "
                       "narrow the period or the filters, then export again.") % {
            "count": self.count, "limit": self.limit}


def max_rows() -> int:
    """The most rows one export may hold (setting `EXPORT_MAX_ROWS`)."""
    return int(settings.EXPORT_MAX_ROWS)


def check_rows(count: int) -> int:
    """`count`, or TooManyRows when it is over the limit: call before reading the rows."""
    limit = max_rows()
    if count > limit:
        raise TooManyRows(count, limit)
    return count


def storable(text: str) -> str:
    """`text` without the characters a workbook cannot store, cut to what a cell holds."""
    return UNSTORABLE.sub("", text)[:CELL_MAX_CHARS]


def safe(value: Any) -> Any:
    """A cell's value as written: storable text, never read as a formula."""
    if isinstance(value, str):
        value = storable(value)
        if value.startswith(FORMULA_START):
            return "'" + value[: CELL_MAX_CHARS - 1]
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


def add_sheet(book: Any, title: str, header: list[Any], rows: Iterable[list[Any]], *,
              heading: list[Any] | None = None) -> Any:
    """A further sheet: an optional heading line, a bold header row, the rows."""
    sheet = book.create_sheet(sheet_title(title))
    if heading is not None:
        append_row(sheet, heading, bold=True)
    append_row(sheet, header, bold=True)
    for row in rows:
        append_row(sheet, row)
    return sheet


def sheet_title(title: str) -> str:
    """A name a sheet may carry: storable, without the characters Excel forbids there, ≤ 31 long."""
    return re.sub(r"[\\*?:/\[\]]", " ", storable(str(title)))[:31] or "Sheet"


def table_sheet(title: str, heading: list[Any], header: list[str], rows: Iterable[list[Any]]) -> tuple[Any, Any]:
    """A workbook whose first sheet has a heading line (large), a bold header row and the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
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


def xlsx_response(body: bytes, filename: str) -> HttpResponse:
    """A workbook as a download named `filename`."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def export_response(request: HttpRequest, build: Callable[[], bytes | tuple[bytes, Any]], *, filename: str,
                    back: str | Callable[[TooManyRows], HttpResponse]) -> HttpResponse:
    """The one export response: the workbook `build()` writes (its bytes, or the bytes and the row
    count the ledgers return), as a download. A selection over the limit is refused, never a 500:
    with `back` a URL, a redirect there with the message; with `back` a callable, its response
    (a page that shows the message beside its form, with a 4xx status)."""
    try:
        built = build()
    except TooManyRows as exc:
        if callable(back):
            return back(exc)
        messages.error(request, str(exc))
        return redirect(back)
    body = built[0] if isinstance(built, tuple) else built
    return xlsx_response(body, filename)
