"""The bulletin as a Word document: read back with python-docx (page, title, tables, photos, page
numbers) and, where LibreOffice is installed, converted to PDF."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn

from chuangcheng.reports.bulletin_docx import render_docx
from chuangcheng.reports.queries.bulletins import compose_bulletin
from tests.reports.bulletin_scene import DAY, EVENING, build


@pytest.fixture
def content(cast, media):
    build(cast)
    with time_machine.travel(EVENING, tick=False):
        return compose_bulletin(cast.street, DAY)


@pytest.fixture
def docx_bytes(content):
    return render_docx(content, number=7, remarks="请各社区对照整改。\n明日重点巡查甲二巷。")


def test_the_page_is_a4_with_official_margins(docx_bytes):
    section = Document(io.BytesIO(docx_bytes)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


def test_the_head_has_the_red_title_issue_office_date_and_rule(docx_bytes, content):
    doc = Document(io.BytesIO(docx_bytes))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == content["title"] and "光明路街道" in texts[0]
    title_run = doc.paragraphs[0].runs[0]
    assert str(title_run.font.color.rgb) == "E00000"
    assert title_run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title_run._element.rPr.find(qn("w:rFonts")).get(qn("w:ascii")) == "宋体"
    assert "7" in texts[1]
    assert content["issuer"] in texts[2] and "2026年6月3日" in texts[2]
    assert doc.paragraphs[2]._element.pPr.find(qn("w:pBdr")) is not None  # the red rule
    heading, body = doc.paragraphs[4].runs[0], doc.paragraphs[5].runs[0]
    assert heading._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    assert body._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert body.font.size.pt == 16 and "90.0%" in doc.paragraphs[5].text
    assert "请各社区对照整改。" in texts and "明日重点巡查甲二巷。" in texts


def test_tables_hold_the_communities_categories_and_lists(docx_bytes, content):
    doc = Document(io.BytesIO(docx_bytes))
    # communities, categories, zero-loss, overdue by unit, two photo pairs, tomorrow's focus
    assert len(doc.tables) == 7
    communities = doc.tables[0]
    assert [c.text for c in communities.columns[0].cells][1:] == ["甲社区", "乙社区"]
    assert [c.text for c in communities.rows[1].cells][1:] == ["2/2", "2", "3", "80.0%", "2", "2", "2"]
    assert communities.style.name == "Table Grid"
    categories = doc.tables[1]
    assert [[c.text for c in row.cells][1:] for row in categories.rows[1:]] == [["2", "2", "50.0%"],
                                                                                 ["1", "2", "50.0%"]]
    zero = doc.tables[2]
    assert zero.rows[1].cells[0].text == "甲一路（A1）" and zero.rows[1].cells[2].text == "检查项1、检查项2"
    overdue = doc.tables[3]
    assert [row.cells[1].text for row in overdue.rows[1:]] == ["2", "1"]
    focus = doc.tables[6]
    assert [c.text for c in focus.rows[1].cells] == ["甲二巷（A2）", "甲社区", "2", "2"]


def test_typical_problems_carry_their_photos_with_captions(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    assert len(doc.inline_shapes) == 4
    pair = doc.tables[4]
    assert len(pair.rows[0].cells[0]._element.findall(".//" + qn("w:drawing"))) == 1
    assert pair.rows[1].cells[0].text and pair.rows[1].cells[1].text  # captions under both


def test_a_lost_photo_is_named_not_fatal(content):
    doc = Document(io.BytesIO(render_docx(content, photo_loader=lambda _id: None)))
    assert len(doc.inline_shapes) == 0 and len(doc.tables) == 7


def test_the_footer_numbers_the_pages(docx_bytes):
    footer = Document(io.BytesIO(docx_bytes)).sections[0].footer
    instructions = [e.text for e in footer._element.iter(qn("w:instrText"))]
    assert instructions == [" PAGE "]


def test_an_empty_day_still_makes_a_document(cast):
    with time_machine.travel(EVENING, tick=False):
        content = compose_bulletin(cast.street, DAY)
    doc = Document(io.BytesIO(render_docx(content)))
    assert len(doc.tables) == 1  # the communities' table; the lists say there is nothing
    assert len(doc.inline_shapes) == 0


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_it_to_pdf(docx_bytes, tmp_path):
    source = tmp_path / "bulletin.docx"
    source.write_bytes(docx_bytes)
    subprocess.run([str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],  # noqa: S603
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "bulletin.pdf").read_bytes()[:5] == b"%PDF-"


def test_control_characters_in_a_description_do_not_break_the_document(content):
    assert content["typical"]  # a rectified case whose description enters the document
    content["typical"][0]["text"] = "路边垃圾\x01\x0b没人管"
    content["issuer"] = "创城办\x00"
    data = render_docx(content, number=7, remarks="请各社区\x1f对照整改。")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "路边垃圾没人管" in text
    assert not any(ch in text for ch in "\x00\x01\x0b\x1f")


def test_writable_keeps_tabs_and_newlines_and_drops_other_controls():
    from chuangcheng.reports.bulletin_docx import writable

    assert writable("路边垃圾\x01\x0b没人管\t\n\x7f\ud800") == "路边垃圾没人管\t\n\x7f"
