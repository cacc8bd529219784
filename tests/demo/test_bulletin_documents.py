"""The demo's bulletins read like real 通报 (issue 17's "done when", from outside): the command writes
the Word document of a published day with every part, its tables add up to its summary, the
published issues carry the editor's note, and last month has its 月度通报."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.reports.models import Bulletin, Publication
from tests.reports.test_bulletin_docx import check_totals

STREET = "150103001"


def published(kind: str = "daily") -> list[Bulletin]:
    return list(Bulletin.objects.filter(street__code=STREET, kind=kind, status=Publication.PUBLISHED)
                .order_by("-day"))


def test_the_command_writes_a_whole_bulletin_of_a_published_day(demo: DemoResult, db: None, tmp_path) -> None:
    bulletin = published()[0]
    out = tmp_path / "bulletin.docx"
    with translation.override("zh-hans"):
        call_command("bulletin", "--date", bulletin.day.isoformat(), "--region", STREET, "--format", "docx",
                     "-o", str(out))
    doc = Document(io.BytesIO(out.read_bytes()))
    lines = [p.text for p in doc.paragraphs]
    assert lines[1] == f"第 {bulletin.number} 期"
    for heading in ("一、总体情况", "二、各社区情况", "三、存在问题", "四、创城工作开展情况", "五、整改要求",
                    "（一）红榜", "（二）黑榜", "特此通报。"):
        assert heading in lines, heading
    assert lines[4].startswith("按：") and len(lines[4]) > 10  # the editor's note is not empty
    deadline = next(line for line in lines if line.startswith("整改时限："))
    assert deadline.endswith("日前。") and "年" in deadline
    assert any(line.startswith("数据截至") for line in lines)
    assert lines[-1].endswith("印发") and any(line.startswith("发：") for line in lines[-5:])
    # The demo's publicity, visits and surveys appear in 四、创城工作开展情况, its volunteer actions on the
    # days they were held.
    work = lines[lines.index("四、创城工作开展情况") + 1]
    assert work.startswith("本期开展情况："), work
    held = [b for b in published() if any(f["key"] == "volunteer_actions" for f in b.content["work"]["figures"])]
    assert held and all(b.content["work"]["actions"] for b in held)
    communities = next(t for t in doc.tables if t.rows[0].cells[0].text == "社区")
    assert len(communities.rows) >= 5 and communities.rows[-1].cells[0].text == "街道"
    assert communities.rows[1].cells[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_every_published_bulletins_tables_add_up(demo: DemoResult, db: None) -> None:
    recent = published()[:10] + published("monthly")
    with translation.override("zh-hans"):
        for bulletin in recent:
            check_totals(bulletin.content)
    assert all(b.remarks for b in recent)


def test_last_month_has_its_monthly_bulletin(demo: DemoResult, db: None) -> None:
    first = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    monthly = published("monthly")
    assert monthly and monthly[0].day == first
    content = monthly[0].content
    assert content["since"] == first.isoformat() and content["trend"]["weeks"]
    assert content["summary"]["inspections"] == sum(w["inspections"] for w in content["trend"]["weeks"])
