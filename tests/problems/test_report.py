"""The 销号 report read back: a Word document in official layout with one section per problem and
its photos, and a workbook with one row per problem."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from chuangcheng.cases import services as cases
from chuangcheng.problems import report
from chuangcheng.problems.models import Problem
from tests.cases.conftest import photo
from tests.problems.conftest import photos_zip, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(scene):
    result = run(scene, photos=photos_zip())
    one = Problem.objects.get(row=1).case
    cases.rectify_case(one, by=scene.handler, photos=[photo(scene.handler, "white")], note="小广告已全部铲除")
    cases.verify_case(one, by=scene.inspector)
    return result.problem_list


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_word_report_is_addressed_to_the_issuer_with_a_section_per_problem(batch):
    doc = Document(io.BytesIO(report.build_docx(batch)))
    text = _text(doc)
    assert doc.paragraphs[0].text == "光明路街道关于区创城办问题清单整改情况的报告"
    assert "区创城办：" in text and "区创城办〔2026〕15号" in text
    assert "（1）甲小区门口" in text and "（2）甲一网格菜市场东侧" in text and "（3）乙社区健身广场" in text
    assert "小广告已全部铲除" in text and "甲物业" in text
    assert "已整改完成并经核查销号1个" in text and "尚未完成2个" in text
    assert "报：区创城办" in text


def test_the_word_report_shows_before_and_after_photos(batch):
    doc = Document(io.BytesIO(report.build_docx(batch)))
    pictures = doc.inline_shapes
    # Problem 1: one before, one after; problem 3: two before; problem 2 has none.
    assert len(pictures) == 4
    assert "整改前" in _text(doc) and "整改后" in _text(doc)


def test_the_workbook_has_one_row_per_problem_and_only_verified_ones_closed(batch):
    book = load_workbook(io.BytesIO(report.build_xlsx(batch)))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[1]
    body = rows[2:]
    assert len(body) == 3
    closed = header.index("是否销号")
    assert [r[closed] for r in body] == ["是", "否", "否"]
    note = header.index("整改说明")
    assert body[0][note] == "小广告已全部铲除"
    assert rows[0][1].startswith("整改完成 1 / 3，逾期 0")
