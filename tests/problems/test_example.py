"""The filled example shipped in docs/examples/ imports and reports as the guide says, and the
report opens in LibreOffice where it is installed."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook

from chuangcheng.core import clock
from chuangcheng.org.models import Unit
from chuangcheng.problems import example
from chuangcheng.problems.models import ProblemList
from chuangcheng.problems.sheet import DATA_SHEET
from tests import factories as f

# Ten days after the suite's (pinned) today, so the list is issued before its deadline on any date.
DEADLINE = (clock.today() + dt.timedelta(days=10)).isoformat()

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def demo_like(cast, media):
    """What the example names from the demo: its street (the cast's has the same code), the
    communities' first two grids, two street-level units."""
    f.grid(cast.community_a, code="150103001001-02", name="甲二网格", boundary=f.square(111.655, 40.825))
    f.grid(cast.community_b, code="150103001002-02", name="乙二网格", boundary=f.square(111.705, 40.825))
    for name in (example.CITY_SQUAD, example.SANITATION):
        f.UnitFactory(name=name, kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    return cast


def test_the_shipped_example_holds_the_rows_the_guide_describes():
    sheet = load_workbook(EXAMPLES / example.WORKBOOK)[DATA_SHEET]
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == example.ROWS
    assert (EXAMPLES / example.PHOTOS).read_bytes()[:2] == b"PK"


def test_the_example_imports_and_its_report_is_written(demo_like, tmp_path):
    call_command("problems", "import", str(EXAMPLES / example.WORKBOOK), "--photos", str(EXAMPLES / example.PHOTOS),
                 "--street", "150103001", "--issuer", "区创城办", "--deadline", DEADLINE,
                 "--reference", "区创城办〔2026〕21号", "--kind", "暗访", stdout=io.StringIO())
    batch = ProblemList.objects.get()
    assert batch.problems.count() == len(example.ROWS)
    assert batch.problems.get(row=3).photos.count() == 2
    target = tmp_path / "report.docx"
    call_command("problems", "report", batch.code, "--format", "docx", "-o", str(target), stdout=io.StringIO())
    doc = Document(str(target))
    assert doc.paragraphs[0].text == "光明路街道关于区创城办问题清单整改情况的报告"
    assert len(doc.inline_shapes) == 4  # the before-photos of rows 1-3


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_report_opens_in_libreoffice(demo_like, tmp_path):
    call_command("problems", "import", str(EXAMPLES / example.WORKBOOK), "--photos", str(EXAMPLES / example.PHOTOS),
                 "--street", "150103001", "--issuer", "区创城办", "--deadline", DEADLINE,
                 "--reference", "区创城办〔2026〕21号", stdout=io.StringIO())
    source = tmp_path / "report.docx"
    call_command("problems", "report", "区创城办〔2026〕21号", "-o", str(source), stdout=io.StringIO())
    subprocess.run(  # noqa: S603 - a fixed command on our own file
        [shutil.which("soffice") or "soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
