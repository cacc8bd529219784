"""The ranking 通报 (.docx) of the hand-built week of tests/reports/test_rankings.py (2026-W48: 甲社区
87.84 first, 乙社区 76.76 second, 丙社区 not ranked; 甲物业 handled its 2 cases due by the deadline, 乙物业
none of its 2 and has 1 overdue), read back with python-docx: its parts, the 红黑榜 with reasons, the
units' table, the 版记, right-aligned numbers; written by the command and downloaded from the page."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from chuangcheng.core import clock
from chuangcheng.reports.models import Ranking, ReportSettings
from chuangcheng.reports.ranking_docx import render_ranking_docx
from chuangcheng.reports.services import rankings
from tests.reports.test_rankings import NEXT_MONDAY, Scene, compute, scene  # noqa: F401 - the week's fixture

LABEL = "第48周（11月23日—11月29日）"


@pytest.fixture
def ranking(scene: Scene) -> Ranking:  # noqa: F811 - the imported fixture
    return compute(scene)


@pytest.fixture
def doc(ranking: Ranking) -> Any:
    return Document(io.BytesIO(render_ranking_docx(ranking)))


def texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_with(doc: Any, header: str) -> Any:
    return next(t for t in doc.tables if header in [c.text for c in t.rows[0].cells])


def test_the_head_carries_the_title_the_week_label_and_the_issuer(doc: Any) -> None:
    lines = texts(doc)
    assert lines[0] == "光明路街道创城工作周排名通报"
    assert lines[1] == LABEL
    assert lines[2] == "光明路街道创城工作领导小组办公室\t2026年11月30日"
    assert not any("2026-W48" in line for line in lines)


def test_the_opening_paragraph_is_written_from_the_weeks_figures(doc: Any) -> None:
    opening = next(line for line in texts(doc) if line.startswith(LABEL + "，"))
    # 24 inspections; due 4, met 2; A returned 1 and reopened 1; B 1 overdue; 2 ranked, 1 not; 2 units.
    assert "全街道共开展督查24次" in opening
    assert "到期应处置案件4件，按期处置2件，按期处置率50.0%" in opening
    assert "返工1件，重办1件，周末超期未处置1件" in opening
    assert "2个社区参加排名，1个社区因督查次数不足未参加排名" in opening
    assert "2个责任单位承办了案件" in opening
    assert "（数据截至2026年11月29日24时）" in texts(doc)


def test_every_heading_is_there_in_order(doc: Any) -> None:
    lines = texts(doc)
    headings = ["一、排名情况", "二、红黑榜", "三、责任单位排名", "四、评分办法", "五、工作要求"]
    positions = [lines.index(h) for h in headings]
    assert positions == sorted(positions)


def test_the_communities_table_has_the_parts_and_right_aligned_numbers(doc: Any) -> None:
    table = table_with(doc, "社区")
    header = [c.text for c in table.rows[0].cells]
    assert header == ["名次", "社区", "总分", "实地", "按期处置", "返工重办", "超期", "等级", "变化"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows[0] == ["1", "甲社区", "87.84", "67.20", "9.64", "6.00", "5.00", "良好", "新上榜"]
    assert rows[1][:3] == ["2", "乙社区", "76.76"]
    assert rows[2][:3] == ["—", "丙社区", "92.50"] and rows[2][7] == "—"  # not ranked: no level
    for column in (2, 3, 4, 5, 6):
        assert table.rows[1].cells[column].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert "丙社区本周计分督查4次，少于10次，不参加排名。" in texts(doc)


def test_the_red_and_black_lists_give_reasons_from_the_parts(doc: Any) -> None:
    lines = texts(doc)
    red = lines[lines.index("（一）社区红榜") + 1]
    black = lines[lines.index("（二）社区黑榜") + 1]
    assert red.startswith("甲社区（第1名，87.84分）：实地得分率最高（96.0%）")
    assert "到期的2件案件全部按期处置" in red and "无超期案件" in red
    assert black.startswith("乙社区（第2名，76.76分）：实地得分率最低（82.0%）")
    assert "周末超期案件1件" in black and "到期的2件案件仅按期处置0件" in black
    units_red = lines[lines.index("（三）责任单位红榜") + 1]
    units_black = lines[lines.index("（四）责任单位黑榜") + 1]
    assert units_red.startswith("甲物业（第1名）：按期处置率100.0%（2件中按期2件）")
    assert units_black.startswith("乙物业（第2名）：按期处置率0.0%（2件中按期0件）")
    assert "周末超期案件1件" in units_black


def test_the_units_table_lists_each_unit_with_its_figures(doc: Any) -> None:
    table = table_with(doc, "责任单位")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    header = [c.text for c in table.rows[0].cells]
    assert header[:7] == ["名次", "责任单位", "派遣", "整改", "应处置", "按期处置", "按期处置率"]
    assert [row[:2] for row in rows] == [["1", "甲物业"], ["2", "乙物业"]]
    assert rows[0][3:7] == ["3", "2", "2", "100.0%"] and rows[0][7:10] == ["1", "1", "0"]
    assert rows[1][3:7] == ["1", "2", "0", "0.0%"] and rows[1][9] == "1"
    assert table.rows[1].cells[6].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_the_method_says_this_rankings_weights_in_words(scene: Scene) -> None:  # noqa: F811
    rankings.save_rules(scene.cast.street, {"field_weight": 60, "participation_weight": 10,
                                            "participation_targets": {"volunteer_hours": 40}},
                        by=scene.cast.street_admin)
    lines = texts(Document(io.BytesIO(render_ranking_docx(compute(scene)))))
    method = lines[lines.index("四、评分办法") + 1: lines.index("五、工作要求")]
    assert method[0] == "总分100分，其中实地督查60分、按期处置15分、返工与重办10分、超期5分、参与10分。"
    assert any("实地得分率 × 60" in line for line in method)
    assert any("志愿服务时长（周目标40）" in line for line in method)
    assert method[-1].endswith("总分90分以上为优秀，80分以上为良好，60分以上为合格，以下为较差。")


def test_the_requirements_give_the_overdue_cases_a_deadline(doc: Any) -> None:
    lines = texts(doc)
    requirements = lines[lines.index("五、工作要求") + 1: lines.index("五、工作要求") + 4]
    # One case overdue at the end of the week; the street's default 2 days from 30 November.
    assert "本周末仍有1件案件超期未处置，相关责任单位要于2026年12月2日前整改到位" in requirements[1]


def test_the_distribution_block_closes_the_document(scene: Scene) -> None:  # noqa: F811
    ReportSettings.objects.create(street=scene.cast.street, report_to="回民区创城办", cc="区委宣传部")
    lines = texts(Document(io.BytesIO(render_ranking_docx(compute(scene)))))
    assert lines[-1] == "光明路街道创城工作领导小组办公室\t2026年11月30日印发"
    assert "报：回民区创城办" in lines and "送：街道党工委、办事处领导" in lines and "发：各社区、各责任单位" in lines
    assert "抄送：区委宣传部" in lines
    signature = lines.index("光明路街道创城工作领导小组办公室")
    assert lines[signature + 1] == "2026年11月30日"


def test_an_older_ranking_without_units_or_issuing_still_renders(ranking: Ranking) -> None:
    content = dict(ranking.content)
    del content["units"], content["issuing"], content["street"]
    ranking.content = content
    lines = texts(Document(io.BytesIO(render_ranking_docx(ranking))))
    assert "本期排名计算时尚未对责任单位排名。" in lines
    assert "（一）社区红榜" in lines and "（三）责任单位红榜" not in lines
    assert lines[-1].startswith("光明路街道创城工作领导小组办公室\t")


def test_the_command_writes_the_document(scene: Scene, tmp_path: Any) -> None:  # noqa: F811
    target = tmp_path / "w48.docx"
    out = io.StringIO()
    with clock.pinned(NEXT_MONDAY):
        call_command("ranking", "--week", "2026-W48", "--region", scene.cast.street.code, "--format", "docx",
                     "-o", str(target), stdout=out)
    assert LABEL in out.getvalue() and "甲物业" in out.getvalue()
    lines = texts(Document(str(target)))
    assert lines[0] == "光明路街道创城工作周排名通报" and "三、责任单位排名" in lines
    with pytest.raises(CommandError, match="-o"):
        call_command("ranking", "--week", "2026-W48", "--region", scene.cast.street.code, "--format", "docx")


def test_json_keeps_the_iso_week_and_adds_its_label_and_the_units(scene: Scene) -> None:  # noqa: F811
    import json

    out = io.StringIO()
    with clock.pinned(NEXT_MONDAY):
        call_command("ranking", "--week", "2026-W48", "--region", scene.cast.street.code, "--format", "json",
                     stdout=out)
    data = json.loads(out.getvalue())
    assert (data["week"], data["week_label"]) == ("2026-W48", LABEL)
    assert data["rankings"][0]["week"] == "2026-W48"
    assert [u["name"] for u in data["rankings"][0]["units"]] == ["甲物业", "乙物业"]


def test_whoever_reads_the_page_downloads_the_document(scene: Scene, as_user: Any) -> None:  # noqa: F811
    ranking = compute(scene)
    url = "/reports/rankings/150103001/2026-W48/"
    with clock.pinned(NEXT_MONDAY):
        page = as_user(scene.cast.leader).get(url).content.decode()
        assert 'href="/reports/rankings/150103001/2026-W48/ranking.docx"' in page
        assert LABEL in page and 'id="units-table"' in page and 'id="honour-red"' in page
        assert "<strong>甲社区</strong>（第1名，87.84分）：实地得分率最高（96.0%）" in page
        assert "<strong>乙物业</strong>（第2名）：按期处置率0.0%（2件中按期0件），周末超期案件1件" in page
        response = as_user(scene.cast.leader).get(url + "ranking.docx")
        assert response.status_code == 200
        assert response["Content-Type"].endswith("wordprocessingml.document")
        assert texts(Document(io.BytesIO(response.content)))[1] == LABEL
        # A community's admin reads only published rankings, the document too.
        assert as_user(scene.cast.admin_a).get(url + "ranking.docx").status_code == 404
        rankings.publish_ranking(ranking, by=scene.cast.street_admin)
        assert as_user(scene.cast.admin_a).get(url + "ranking.docx").status_code == 200


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_it_to_pdf(ranking: Ranking, tmp_path: Any) -> None:
    source = tmp_path / "ranking.docx"
    source.write_bytes(render_ranking_docx(ranking))
    subprocess.run([str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],  # noqa: S603
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "ranking.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_draft_of_a_running_week_says_when_its_data_stop(scene: Scene) -> None:  # noqa: F811
    with clock.pinned(dt.datetime(2026, 11, 29, 12, 5, tzinfo=NEXT_MONDAY.tzinfo)):
        ranking = rankings.compute_ranking(scene.cast.street, dt.date(2026, 11, 23))
    lines = texts(Document(io.BytesIO(render_ranking_docx(ranking))))
    assert "（数据截至2026年11月29日12时05分，本周尚未结束）" in lines
