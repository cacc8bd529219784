"""The demo's problem list from above: about twenty problems issued weeks ago, some verified, some
still open and overdue, and its 销号 report tells the same."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from chuangcheng.cases.models import Source, State
from chuangcheng.demo.generator import DemoResult
from chuangcheng.demo.problems import REFERENCE
from chuangcheng.org.models import User
from chuangcheng.problems import queries, report
from chuangcheng.problems.models import ProblemList
from tests.conftest import client_for


@pytest.fixture
def batch(demo: DemoResult, db: None) -> ProblemList:
    return ProblemList.objects.select_related("street").get(reference=REFERENCE)


def test_the_list_has_about_twenty_problems_some_done_some_overdue(batch: ProblemList) -> None:
    progress = queries.progress_of(batch)
    assert 15 <= progress.total <= 25
    assert 0 < progress.done < progress.total
    assert progress.overdue > 0
    problems = list(queries.problems_of(batch))
    assert {p.case.source for p in problems} == {Source.DIRECTIVE}
    assert any(p.case.state == State.RECTIFIED for p in problems)  # fixed, not yet verified: not done
    assert progress.done == sum(p.case.state == State.CLOSED for p in problems)
    assert all(p.case.unit is not None for p in problems)


def test_the_closing_report_tells_what_the_page_shows(batch: ProblemList) -> None:
    progress = queries.progress_of(batch)
    doc = Document(io.BytesIO(report.build_docx(batch)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"已整改完成并经核查销号{progress.done}个" in text and f"其中逾期{progress.overdue}个" in text
    assert len(doc.inline_shapes) >= progress.total + progress.done  # before-photos, and after-photos of the done
    book = load_workbook(io.BytesIO(report.build_xlsx(batch)))
    assert book.active.max_row == progress.total + 2


def test_the_street_admin_sees_the_list_and_its_progress(batch: ProblemList) -> None:
    admin = User.objects.get(username="street_admin")
    progress = queries.progress_of(batch)
    page = client_for(admin).get(f"/problems/{batch.code}/")
    assert page.status_code == 200
    assert f"整改完成 {progress.done} / {progress.total}" in page.content.decode()
