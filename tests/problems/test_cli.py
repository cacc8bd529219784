"""`chuangcheng problems`: the template, an import (checked, then for real), the lists and a report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook

from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.problems.models import ProblemList
from tests.problems.conftest import photos_zip, workbook

# Ten days after the suite's (pinned) today, so the list is issued before its deadline on any date.
DEADLINE = (clock.today() + dt.timedelta(days=10)).isoformat()

pytestmark = pytest.mark.django_db


def _files(tmp_path):
    sheet, photos = tmp_path / "清单.xlsx", tmp_path / "photos.zip"
    sheet.write_bytes(workbook())
    photos.write_bytes(photos_zip())
    return sheet, photos


def _import(sheet, photos, *extra: str) -> str:
    out = io.StringIO()
    call_command("problems", "import", str(sheet), "--photos", str(photos), "--street", "150103001",
                 "--issuer", "区创城办", "--deadline", DEADLINE, "--reference", "区创城办〔2026〕15号",
                 "--kind", "暗访", *extra, stdout=out)
    return out.getvalue()


def test_the_template_has_the_columns_instructions_and_dropdowns(scene, tmp_path):
    target = tmp_path / "template.xlsx"
    call_command("problems", "import", "--template", "-o", str(target), "--street", "150103001", stdout=io.StringIO())
    book = load_workbook(target)
    data = book["问题清单"]
    assert [c.value for c in data[1]][:3] == ["序号", "问题地点", "点位编码"]
    dropdowns = {str(v.sqref).split(":")[0] for v in data.data_validations.dataValidation}
    assert {"D2", "G2", "I2", "J2"} <= dropdowns  # point type, grid, category, unit
    assert "填写说明" in book.sheetnames
    units = [c.value for c in book["下拉选项"]["C"][1:]]
    assert "甲物业" in units and "丙物业" not in units  # only the street's units


def test_a_dry_run_writes_nothing_then_the_import_enters_the_list(scene, tmp_path):
    sheet, photos = _files(tmp_path)
    assert "3" in _import(sheet, photos, "--dry-run")
    assert ProblemList.objects.count() == 0
    _import(sheet, photos)
    batch = ProblemList.objects.get()
    assert batch.kind == "covert" and batch.problems.count() == 3 and Case.objects.count() == 3


def test_a_wrong_file_prints_each_error_and_fails(scene, tmp_path):
    sheet, photos = _files(tmp_path)
    sheet.write_bytes(workbook([[1, "某处", "", "", "", "", "", "描述", "市容环境/不存在", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("problems", "import", str(sheet), "--street", "150103001", "--issuer", "区创城办",
                     "--deadline", DEADLINE, stderr=err, stdout=io.StringIO())
    assert "第 2 行" in err.getvalue() and "问题类别" in err.getvalue()
    assert ProblemList.objects.count() == 0


def test_the_list_command_shows_reference_progress_and_overdue(scene, tmp_path):
    _import(*_files(tmp_path))
    out = io.StringIO()
    call_command("problems", "list", "--street", "150103001", stdout=out)
    assert "区创城办〔2026〕15号" in out.getvalue() and "整改完成 0/3" in out.getvalue() and "逾期 0" in out.getvalue()


def test_the_report_command_writes_the_word_and_excel_reports(scene, tmp_path):
    _import(*_files(tmp_path))
    for fmt in ("docx", "xlsx"):
        target = tmp_path / f"report.{fmt}"
        call_command("problems", "report", "区创城办〔2026〕15号", "--format", fmt, "-o", str(target),
                     stdout=io.StringIO())
        assert target.stat().st_size > 0
    assert "整改情况的报告" in Document(str(tmp_path / "report.docx")).paragraphs[0].text
    assert load_workbook(tmp_path / "report.xlsx").active.max_row == 5


def test_the_report_command_refuses_an_unknown_list(scene, tmp_path):
    with pytest.raises(CommandError):
        call_command("problems", "report", "nope", "-o", str(tmp_path / "x.docx"))
