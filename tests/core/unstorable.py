"""Text that a workbook cannot store as it is: the control characters a resident's report or a
pasted note may carry. Used by each app's export test."""

from __future__ import annotations

import io
from typing import Any

from django.db import connection
from openpyxl import load_workbook

# 0x00–0x1f but tab, newline and carriage return (which a cell keeps), and DEL, which it keeps too.
CONTROLS = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")


def control_text(before: str = "路边垃圾", after: str = "没人管") -> str:
    """A report with every control character in it. PostgreSQL refuses NUL in text, so the
    database-backed tests leave it out there (the writer's own test keeps it)."""
    controls = CONTROLS if connection.vendor != "postgresql" else CONTROLS.replace("\x00", "")
    return f"{before}{controls}\x7f{after}"


def read_back(response: Any) -> Any:
    """The workbook of a download, as openpyxl reads it (it raises on a damaged file)."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def cells(book: Any) -> list[str]:
    """Every text cell of every sheet."""
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)]


def assert_cleaned(book: Any, before: str = "路边垃圾", after: str = "没人管") -> None:
    """The text is there without the characters Excel cannot hold, and none is left anywhere (a
    service may have turned some into spaces before it stored the text)."""
    texts = cells(book)
    assert any(before in text and f"\x7f{after}" in text for text in texts), texts
    assert not any(ch in text for text in texts for ch in CONTROLS)
