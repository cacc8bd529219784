"""Reading an uploaded workbook: checks on the file itself, then its rows as header → value.

The file is checked by content, not by name: an .xlsx is a zip holding an Office Open XML
workbook. openpyxl reads it in read-only mode, so memory stays flat for large sheets."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chuangcheng.imports.columns import DATA_SHEET, KIND_LABELS, headers

ProgressFn = Callable[[str, int, int], None]

# A workbook that inflates beyond this multiple of the upload limit is refused (zip bomb).
MAX_INFLATE_RATIO = 40
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Row:
    number: int  # the Excel row number, as the clerk sees it
    values: dict[str, Any] = field(default_factory=dict)


def too_large_message() -> str:
    return _("The file is larger than %(mb)s MB. Split it into smaller files and import them one by one.") % {
        "mb": _megabytes(settings.IMPORT_MAX_BYTES)
    }


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}"


def _not_xlsx(detail: str = "") -> ValidationError:
    message = _("The file is not an Excel workbook (.xlsx). Download the template, fill it in and save it "
                "as “Excel workbook (*.xlsx)”.")
    return ValidationError(f"{message} {detail}".strip(), code="not_xlsx")


def check_file(data: bytes) -> None:
    """Size and type by content; raises a translated ValidationError."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(OLE_MAGIC):
        raise _not_xlsx(_("This looks like an old .xls file: open it and save it again as .xlsx."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx() from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx()
    if inflated > settings.IMPORT_MAX_BYTES * MAX_INFLATE_RATIO:
        raise ValidationError(too_large_message(), code="too_large")


def read_rows(kind: str, data: bytes, *, progress: ProgressFn | None = None) -> tuple[list[str], list[Row]]:
    """The header row and the non-empty data rows of the data sheet. Raises a translated
    ValidationError for a file that is not a workbook, too big, too long or has wrong headers."""
    from openpyxl import load_workbook

    check_file(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _not_xlsx() from exc
    try:
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        found = _header_row(next(rows, ()))
        _check_headers(kind, found)
        wanted = {name: index for index, name in enumerate(found) if name in set(headers(kind))}
        result: list[Row] = []
        limit = settings.IMPORT_MAX_ROWS
        for number, cells in enumerate(rows, start=2):
            if not any(_filled(cell) for cell in cells):
                continue
            if len(result) >= limit:
                raise ValidationError(
                    _("The file has more than %(max)s rows. Split it into smaller files and import them one "
                      "by one.") % {"max": limit},
                    code="too_many_rows",
                )
            values = {name: cells[index] if index < len(cells) else None for name, index in wanted.items()}
            result.append(Row(number=number, values=values))
            if progress is not None and len(result) % 1000 == 0:
                progress(_("Reading the file"), len(result), 0)
    finally:
        workbook.close()
    return found, result


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _header_row(cells: tuple[Any, ...]) -> list[str]:
    names = []
    for cell in cells:
        text = "" if cell is None else str(cell).strip()
        # Tolerate the marks clerks add to required headers: "编码*", "编码（必填）".
        for mark in ("（必填）", "(必填)", "*", "＊"):
            text = text.removesuffix(mark).strip()
        names.append(text)
    while names and not names[-1]:
        names.pop()
    return names


def _check_headers(kind: str, found: list[str]) -> None:
    expected = headers(kind)
    missing = [name for name in expected if name not in found]
    if not found:
        raise ValidationError(
            _("The first row of the sheet must hold the column headers of the template; it is empty."),
            code="no_headers",
        )
    if missing:
        for other, label in KIND_LABELS.items():
            if other != kind and set(headers(other)) <= set(found):
                raise ValidationError(
                    _("This file holds %(found)s, not %(wanted)s: choose the right kind or file.")
                    % {"found": label, "wanted": KIND_LABELS[kind]},
                    code="wrong_kind",
                )
        unknown = [name for name in found if name and name not in expected]
        message = _("These columns are missing: %(missing)s. Do not rename or delete the template's columns.") % {
            "missing": "、".join(missing)
        }
        if unknown:
            message += " " + _("Columns we do not know: %(unknown)s.") % {"unknown": "、".join(unknown)}
        raise ValidationError(message, code="bad_headers")
    duplicated = sorted({name for name in found if name and found.count(name) > 1})
    if duplicated:
        raise ValidationError(
            _("These columns appear more than once: %(names)s.") % {"names": "、".join(duplicated)},
            code="bad_headers",
        )


def cell_text(value: Any) -> str:
    """A cell as the text a clerk meant: 13800000000.0 → "13800000000", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()
