from __future__ import annotations

import io

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from chuangcheng.imports import build_template, run_import
from chuangcheng.places.models import Point
from tests.imports.conftest import World, filled, point_rows


def only_error(data: bytes, kind: str = "points") -> str:
    result = run_import(kind, data, by=None)
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert error.row is None and error.column == ""
    return error.message


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf\xe7\xbc\x96\xe7\xa0\x81,name\nPT-1,x\n", b"just some text, renamed to .xlsx",
     b"PK\x03\x04 broken zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls"],
    ids=["csv", "text", "broken-zip", "old-xls"],
)
def test_a_file_that_is_not_an_xlsx_gets_one_clear_message(db: None, data: bytes) -> None:
    assert ".xlsx" in only_error(data)


def test_a_zip_that_is_not_a_workbook_is_refused(db: None) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert ".xlsx" in only_error(buffer.getvalue())


@override_settings(IMPORT_MAX_BYTES=2000)
def test_a_file_over_the_size_limit_is_refused(world: World) -> None:
    message = only_error(filled("points", point_rows(3)))
    assert "MB" in message
    assert Point.objects.count() == 0


@override_settings(IMPORT_MAX_ROWS=10)
def test_a_file_with_too_many_rows_is_refused(world: World) -> None:
    assert "10" in only_error(filled("points", point_rows(11)))
    assert run_import("points", filled("points", point_rows(10)), by=None).created == 10


def test_a_renamed_or_deleted_column_is_named(world: World) -> None:
    workbook = load_workbook(io.BytesIO(filled("points", point_rows(2))))
    sheet = workbook["数据"]
    sheet["E1"] = "经度(度)"
    sheet.delete_cols(12)
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = only_error(buffer.getvalue())
    assert "经度" in message and "备注" in message and "经度(度)" in message


def test_a_file_of_another_kind_is_named_as_such(world: World) -> None:
    message = only_error(filled("units", []), kind="points")
    assert "经度" not in message  # it does not list every column, it says which kind the file holds


def test_an_empty_sheet_or_a_header_only_file_is_handled(db: None) -> None:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    only_error(buffer.getvalue())
    result = run_import("points", build_template("points"), by=None)
    assert result.ok and result.rows == 0


def test_required_marks_and_a_first_sheet_with_another_name_are_tolerated(world: World) -> None:
    workbook = load_workbook(io.BytesIO(filled("points", point_rows(2))))
    sheet = workbook["数据"]
    sheet.title = "Sheet1"
    sheet["A1"] = "编码*"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run_import("points", buffer.getvalue(), by=None).created == 2
