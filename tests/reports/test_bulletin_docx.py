"""The bulletin as a Word document, read back with python-docx as a 创城办 clerk would read it: the
版头, the opening paragraph, the five numbered parts with the 红榜 and 黑榜, the 整改要求 with a
deadline, the closing and the 版记; tables fitted to their content, numbers right-aligned, their
totals equal to the summary; photos with captions; page numbers; and, where LibreOffice is
installed, converted to PDF. The page shows the same headings in the same order."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import time_machine
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from chuangcheng.reports.bulletin_doc import blocks, cell_text
from chuangcheng.reports.bulletin_docx import render_docx
from chuangcheng.reports.models import ReportSettings
from chuangcheng.reports.queries.bulletins import compose_bulletin
from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
from tests.conftest import client_for
from tests.reports.bulletin_scene import DAY, EVENING, build


@pytest.fixture
def scene(cast, media):
    return build(cast)


@pytest.fixture
def content(scene):
    with time_machine.travel(EVENING, tick=False):
        return compose_bulletin(scene.cast.street, DAY)


@pytest.fixture
def doc(content):
    with translation.override("zh-hans"):
        data = render_docx(content, number=7, remarks="请各社区对照整改。\n明日重点巡查甲二巷。")
    return Document(io.BytesIO(data))


def texts(doc):
    return [p.text for p in doc.paragraphs]


def east_asia(paragraph):
    return paragraph.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def table_after(doc, header_first):
    """The table whose header row starts with `header_first`."""
    found = [t for t in doc.tables if t.rows[0].cells[0].text == header_first]
    assert len(found) == 1, [t.rows[0].cells[0].text for t in doc.tables]
    return found[0]


def test_the_page_is_a4_with_official_margins(doc):
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


def test_the_head_has_the_red_title_issue_real_office_date_and_rule(doc, content):
    lines = texts(doc)
    assert lines[0] == content["title"] and "光明路街道" in lines[0]
    title_run = doc.paragraphs[0].runs[0]
    assert str(title_run.font.color.rgb) == "E00000"
    assert east_asia(doc.paragraphs[0]) == "方正小标宋简体"
    assert lines[1] == "第 7 期"
    # The issuing office is a real body: the street's 创城工作领导小组办公室, not an invented one.
    assert lines[2] == "光明路街道创城工作领导小组办公室\t2026年6月3日"
    assert doc.paragraphs[2]._element.pPr.find(qn("w:pBdr")) is not None  # the red rule


def test_the_bulletin_has_its_parts_in_order(doc):
    lines = texts(doc)
    headings = [p.text for p in doc.paragraphs if p.runs and east_asia(p) == "黑体"]
    assert headings == ["一、总体情况", "二、各社区情况", "三、存在问题", "四、创城工作开展情况", "五、整改要求"]
    subheadings = [p.text for p in doc.paragraphs if p.runs and east_asia(p) == "楷体" and p.text.startswith("（")]
    assert subheadings[:2] == ["（一）督查与实地得分", "（二）案件处置"]
    assert "（一）红榜" in subheadings and "（二）黑榜" in subheadings
    assert "（一）各社区存在的问题" in subheadings and "（二）各责任单位情况" in subheadings
    # The editor's note under the title, then the opening paragraph in prose from the figures.
    assert lines[4] == "按：请各社区对照整改。" and lines[5] == "明日重点巡查甲二巷。"
    opening = lines[6]
    assert opening.startswith("2026年6月3日，街道共督查点位4个、4次（完成计划巡查3/3个）")
    assert "实地得分率为90.0%" in opening and "新立案4件（群众上报1件）" in opening and "超期未整改3件" in opening
    # The closing, then the moment of the figures.
    close = lines.index("特此通报。")
    assert close > lines.index("五、整改要求")
    assert lines[close + 2:close + 5] == ["光明路街道创城工作领导小组办公室", "2026年6月3日",
                                          "数据截至2026年6月3日 18:00。"]


def test_body_paragraphs_are_indented_and_headings_kept_with_what_follows(doc):
    paragraphs = doc.paragraphs
    opening = next(p for p in paragraphs if p.text.startswith("2026年6月3日，街道"))
    assert opening.paragraph_format.first_line_indent.pt == 32  # two characters of 16 pt
    assert all(p.paragraph_format.first_line_indent.pt == 32 for p in paragraphs if p.text.startswith("1. "))
    heading = next(p for p in paragraphs if p.text == "三、存在问题")
    assert heading.paragraph_format.keep_with_next


def test_the_black_list_names_who_and_why_and_the_red_list_says_when_nobody(doc):
    lines = texts(doc)
    red = lines.index("（一）红榜")
    assert lines[red + 1] == "本期无。"  # 乙 scored 100 % but has an overdue case; 甲 is below the street
    black = lines.index("（二）黑榜")
    assert lines[black + 1] == "1. 甲社区：实地得分率80.0%（街道平均90.0%）；超期案件2件；不合格3项次。"
    assert lines[black + 2] == "2. 乙社区：实地得分率100.0%（街道平均90.0%）；超期案件1件。"
    assert lines[black + 3] == "3. 甲物业：超期未整改案件2件。"
    assert any(line.startswith("红黑榜规则：") for line in lines)


def test_problems_name_each_point_its_failed_items_and_its_unit(doc):
    lines = texts(doc)
    assert "1. 甲社区（2处）：甲一路（检查项1、检查项2，甲物业）；甲二巷（检查项2，甲物业）。" in lines
    units = table_after(doc, "责任单位")
    assert [c.text for c in units.rows[0].cells] == ["责任单位", "问题点位", "不合格项数", "超期案件数", "点位"]
    body = [[c.text for c in row.cells] for row in units.rows[1:]]
    assert body[0] == ["甲物业", "2", "3", "2", "甲一路、甲二巷"]
    assert body[1] == ["城管中队", "0", "0", "1", ""]
    assert body[-1][:4] == ["合计", "2", "3", "3"]


def test_requirements_carry_the_deadline_and_the_distribution_block_closes(doc):
    lines = texts(doc)
    start = lines.index("五、整改要求")
    assert lines[start + 1] == "整改时限：2026年6月5日前。"  # two days, the default
    assert lines[start + 2].startswith("1. 请各社区、各责任单位对上述2处问题点位立行立改，于2026年6月5日前")
    tail = lines[-4:]
    assert tail == ["报：回民区创城办", "送：街道党工委、办事处领导", "发：各社区、各责任单位",
                    "光明路街道创城工作领导小组办公室\t2026年6月3日印发"]
    assert doc.paragraphs[-1]._element.pPr.find(qn("w:pBdr")) is not None


def test_the_issuing_settings_change_office_lines_and_deadline(scene):
    ReportSettings.objects.create(street=scene.cast.street, issuer="光明路街道创城指挥部办公室", cc="区文明办",
                                  report_to="区创城办", rectify_days=3)
    with time_machine.travel(EVENING, tick=False):
        content = compose_bulletin(scene.cast.street, DAY)
    with translation.override("zh-hans"):
        lines = texts(Document(io.BytesIO(render_docx(content))))
    assert lines[2] == "光明路街道创城指挥部办公室\t2026年6月3日"
    assert "整改时限：2026年6月6日前。" in lines
    assert lines[-5:] == ["报：区创城办", "送：街道党工委、办事处领导", "发：各社区、各责任单位", "抄送：区文明办",
                          "光明路街道创城指挥部办公室\t2026年6月3日印发"]


def test_numbers_are_right_aligned_and_columns_fitted(doc):
    table = table_after(doc, "社区")
    header = [c.text for c in table.rows[0].cells]
    assert header[:3] == ["社区", "完成巡查 / 计划巡查", "督查"]
    row = table.rows[1].cells
    assert row[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert all(cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT for cell in row[1:])
    widths = [column.width.mm for column in table.columns]
    assert sum(widths) == pytest.approx(156, abs=0.5)  # the text block's width
    # Fitted, not equal: no community name wraps (12 pt: a Chinese character is 4.2 mm, plus the cell's margins).
    assert len({round(w) for w in widths}) > 2
    assert widths[0] >= len("甲社区") * 4.2 + 2.6
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def table_rows(block):
    return [[cell_text(c) for c in row] for row in block["rows"]], [cell_text(c) for c in block["total"] or []]


def number(text):
    return float(text.rstrip("%")) if text not in {"", "—"} else 0.0


def check_totals(content):
    """Every table of the bulletin whose rows add up: the rows' sums are the total row, and the
    total row is the summary; every share column adds to 100 (or is empty)."""
    s = content["summary"]
    by_id = {b["id"]: b for b in blocks(content, number=1) if b["t"] == "table"}
    communities, total = table_rows(by_id["community-table"])
    for column, name in ((2, "inspections"), (3, "items_failed"), (5, "cases_opened"), (6, "cases_rectified"),
                         (7, "cases_overdue")):
        assert sum(int(row[column]) for row in communities) == int(total[column]) == s[name], name
    if "category-table" not in by_id:
        assert not s["items_failed"] and not s["cases_opened"]
        return
    categories, total = table_rows(by_id["category-table"])
    assert sum(int(row[1]) for row in categories) == int(total[1]) == s["items_failed"]
    assert sum(int(row[3]) for row in categories) == int(total[3]) == s["cases_opened"]
    for column, whole in ((2, s["items_failed"]), (4, s["cases_opened"])):
        if whole:
            assert sum(number(row[column]) for row in categories) == pytest.approx(100.0, abs=0.001)
    field = content["field_items"]
    if "field-items" in by_id:
        rows, total = table_rows(by_id["field-items"])
        assert sum(number(row[4]) for row in rows) == pytest.approx(number(total[4]), abs=0.011)
        assert sum(number(row[2]) for row in rows) == pytest.approx(number(total[2]))
        assert total[5] == f"{s['field_rate']:.1f}%" and field["rate"] == s["field_rate"]
    if "unit-table" in by_id and content.get("problems"):
        rows, total = table_rows(by_id["unit-table"])
        assert sum(int(row[1]) for row in rows) == int(total[1]) == content["problems"]["points"]
        assert sum(int(row[2]) for row in rows) == int(total[2]), (content["day"], rows, total,
                                                                   content["problems"]["by_unit"])
        assert sum(int(row[3]) for row in rows) == int(total[3]) == s["cases_overdue"]


def test_every_table_adds_up_to_the_summary(content):
    with translation.override("zh-hans"):
        check_totals(content)


def test_typical_problems_carry_their_photos_with_captions(doc):
    assert len(doc.inline_shapes) == 4
    pairs = [t for t in doc.tables if t.rows[0].cells[0]._element.findall(".//" + qn("w:drawing"))]
    assert len(pairs) == 2
    assert [c.text for c in pairs[0].rows[1].cells] == ["整改前", "整改后"]


def test_a_lost_photo_is_named_not_fatal(content):
    with translation.override("zh-hans"):
        doc = Document(io.BytesIO(render_docx(content, photo_loader=lambda _id: None)))
    assert len(doc.inline_shapes) == 0
    assert sum("（照片不可用）" in t.rows[0].cells[0].text for t in doc.tables) == 2


def test_the_footer_numbers_the_pages(doc):
    footer = doc.sections[0].footer
    instructions = [e.text for e in footer._element.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]


def test_an_empty_day_still_makes_a_whole_document(cast):
    with time_machine.travel(EVENING, tick=False):
        content = compose_bulletin(cast.street, DAY)
    with translation.override("zh-hans"):
        doc = Document(io.BytesIO(render_docx(content)))
        check_totals(content)
    lines = texts(doc)
    assert "本期督查未发现问题。" in lines and "特此通报。" in lines and lines[-1].endswith("印发")
    assert len(doc.inline_shapes) == 0


def test_the_page_shows_the_same_parts_in_the_same_order(scene, doc):
    with time_machine.travel(EVENING, tick=False):
        bulletin = publish_bulletin(draft_bulletin(scene.cast.street, DAY), by=None,
                                    remarks="请各社区对照整改。\n明日重点巡查甲二巷。")
        html = client_for(scene.cast.street_admin).get("/reports/bulletins/150103001/2026-06-03/").content.decode()
    with translation.override("zh-hans"):
        word = Document(io.BytesIO(render_docx(bulletin.content, number=bulletin.number, remarks=bulletin.remarks)))
    page_headings = re.findall(r'<h[23][^>]*>([一二三四五六七八九十（][^<]*)</h[23]>', html)
    word_headings = [p.text for p in word.paragraphs if p.runs and east_asia(p) in {"黑体", "楷体"}
                     and re.match(r"^[一二三四五六七八九十（]", p.text)]
    assert page_headings == word_headings
    assert "第 1 期" in html and "2026年6月3日" in html and "2026-06-03</time>" not in html
    assert "整改时限：2026年6月5日前。" in html and "发：各社区、各责任单位" in html
    assert '<td class="num">' in html  # numbers right-aligned on the page too


def test_a_bulletin_published_before_this_layout_still_renders(content):
    """A frozen version-1 snapshot lacks the opening, the score by assessment item, the 红黑榜, the
    problems, the work and the requirements: the document prints what it has."""
    for key in ("lead", "field_items", "honor", "honor_rules", "problems", "units", "work", "requirements",
                "issuing", "named"):
        content.pop(key)
    content["version"] = 1
    content["issuer"] = "光明路街道创城办"
    with translation.override("zh-hans"):
        doc = Document(io.BytesIO(render_docx(content, number=3)))
    lines = texts(doc)
    assert lines[2] == "光明路街道创城办\t2026年6月3日"
    assert "一、总体情况" in lines and "（一）红榜" not in lines and "五、整改要求" not in lines
    assert lines[-1] == "光明路街道创城办\t2026年6月3日印发"
    overdue = table_after(doc, "责任单位")
    assert [c.text for c in overdue.rows[1].cells][:2] == ["甲物业", "2"]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_it_to_pdf(content, tmp_path):
    source = tmp_path / "bulletin.docx"
    source.write_bytes(render_docx(content, number=7))
    subprocess.run([str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],  # noqa: S603
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "bulletin.pdf").read_bytes()[:5] == b"%PDF-"


def test_control_characters_in_a_description_do_not_break_the_document(content):
    assert content["typical"]  # a rectified case whose description enters the document
    content["typical"][0]["text"] = "路边垃圾\x01\x0b没人管"
    content["issuing"]["issuer"] = "创城办\x00"
    data = render_docx(content, number=7, remarks="请各社区\x1f对照整改。")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "路边垃圾没人管" in text and "创城办" in text
    assert not any(ch in text for ch in "\x00\x01\x0b\x1f")


def test_writable_keeps_tabs_and_newlines_and_drops_other_controls():
    from chuangcheng.reports.bulletin_docx import writable

    assert writable("路边垃圾\x01\x0b没人管\t\n\x7f\ud800") == "路边垃圾没人管\t\n\x7f"
