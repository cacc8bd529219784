"""The one cell writer and the one export response (core.sheets): every character a workbook
cannot store is dropped, formula-like text stays text, and a selection over EXPORT_MAX_ROWS is
refused with a message instead of a server error."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from openpyxl import load_workbook

from chuangcheng.core import sheets
from tests.core.unstorable import CONTROLS


def test_every_control_character_is_dropped_and_the_workbook_reads_back() -> None:
    text = f"路边垃圾{CONTROLS}\x7f\ud800\ufffe\uffff没人管\t\n\r"
    book, _sheet = sheets.table_sheet(f"台账{CONTROLS}", [text], ["列"], [[text, f"={CONTROLS}1+1", 3]])
    read = load_workbook(io.BytesIO(sheets.to_bytes(book))).active
    assert read["A1"].value == "路边垃圾\x7f没人管\t\n\r"
    assert read["A3"].value == "路边垃圾\x7f没人管\t\n\r"
    assert read["B3"].value == "'=1+1" and read["B3"].data_type == "s"
    assert read["C3"].value == 3
    assert read.title == "台账"


def test_a_text_longer_than_a_cell_holds_is_cut_to_the_cell() -> None:
    assert len(sheets.safe("x" * 40_000)) == sheets.CELL_MAX_CHARS
    assert len(sheets.safe("=" + "x" * 40_000)) == sheets.CELL_MAX_CHARS


def test_sheet_titles_lose_the_characters_excel_forbids_there() -> None:
    assert sheets.sheet_title("a/b:c*d?[e]\\f" + "x" * 40) == "a b c d  e  f" + "x" * 18
    assert sheets.sheet_title("\x01") == "Sheet"


def _request() -> object:
    request = RequestFactory().get("/export.xlsx")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_selection_over_the_limit_is_sent_back_with_a_message(settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 2
    request = _request()

    def build() -> bytes:
        sheets.check_rows(3)
        raise AssertionError("no workbook is written")

    response = sheets.export_response(request, build, filename="x.xlsx", back="/list/?state=open")
    assert response.status_code == 302 and response["Location"] == "/list/?state=open"
    [message] = [str(m) for m in get_messages(request)]
    assert "3" in message and "2" in message


def test_a_page_with_a_form_shows_the_refusal_itself() -> None:
    def build() -> bytes:
        raise sheets.TooManyRows(5, 4)

    response = sheets.export_response(_request(), build, filename="x.xlsx",
                                      back=lambda exc: HttpResponse(str(exc), status=400))
    assert response.status_code == 400 and b"5" in response.content


def test_a_selection_within_the_limit_downloads(settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 3
    response = sheets.export_response(_request(), lambda: (b"PK", sheets.check_rows(3)), filename="台账.xlsx",
                                      back="/")
    assert response.status_code == 200 and response.content == b"PK"
    assert response["Content-Type"] == sheets.XLSX and "attachment" in response["Content-Disposition"]
