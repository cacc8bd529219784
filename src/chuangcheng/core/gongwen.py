"""Word documents in the layout of official documents (党政机关公文格式, after GB/T 9704), shared by
every 通报 the reports app writes (daily and monthly bulletins, the weekly ranking): A4 with margins
37/35/28/26 mm; the 版头 (red title, issue number, issuing office and date, red rule); body text in
仿宋 16 pt with a two-character first-line indent; headings in 黑体 and 楷体 kept with what follows;
bordered tables with column widths fitted to their content and numbers right-aligned; the 版记
(报/送/发, 抄送, 印发 line between rules) and page numbers "— 1 —" in the footer. Editable in Word
and WPS.

Every piece of text enters a document through `_run`, which drops what XML cannot carry, so a
resident's description can never break a document."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

RED = RGBColor(0xE0, 0x00, 0x00)
# The official title face, and the face every Chinese Windows has, named on the Latin slots so a
# machine without 方正小标宋 still shows a Song face.
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "宋体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
LATIN_FONT = "Times New Roman"
BODY_PT = 16
TABLE_PT = 12
LINE_PT = 28
PAGE_WIDTH_MM = 210
MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM[2] - MARGINS_MM[3]  # 156

# A number as a table shows it: 12, 3.5, 87.5%, 2/3, -1, ↑2, ↓1, "—" (no value).
_NUMERIC = re.compile(r"^(?:[+\-↑↓]?\d[\d,]*(?:\.\d+)?%?(?:\s*/\s*\d[\d,]*(?:\.\d+)?%?)?|—|–|-)$")

# Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage return; lone surrogates):
# python-docx refuses them, and a resident's description may hold any of them.
_UNWRITABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                             0xFFFE, 0xFFFF])


def writable(text: str) -> str:
    """The text without the characters a Word document cannot hold."""
    return text.translate(_UNWRITABLE)


def chinese_date(day: dt.date) -> str:
    """2026年12月2日: the date as documents print it (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def week_label(week_start: dt.date) -> str:
    """第48周（11月23日—11月29日）: an ISO week as a 通报 names it."""
    _year, week, _weekday = week_start.isocalendar()
    end = week_start + dt.timedelta(days=6)
    return f"第{week}周（{month_day(week_start)}—{month_day(end)}）"


def month_label(first: dt.date) -> str:
    return f"{first.year}年{first.month}月"


def display_width(text: str) -> int:
    """Columns the text takes: a Chinese character (or any wide one) two, anything else one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_number(text: str) -> bool:
    return bool(_NUMERIC.match(text.strip()))


# --- runs and paragraphs ------------------------------------------------------------------------


def _font(run: Any, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
          latin: str = LATIN_FONT) -> None:
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def run(paragraph: Paragraph, text: str, east_asia: str = BODY_FONT, size: float = BODY_PT, **style: Any) -> Any:
    """Every piece of text enters the document here."""
    r = paragraph.add_run(writable(text))
    _font(r, east_asia, size, **style)
    return r


def para(doc: Any, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
         color: RGBColor | None = None, align: Any = None, indent: bool = True,
         latin: str = LATIN_FONT, keep_with_next: bool = False) -> Paragraph:
    """A paragraph on the 28 pt grid; body paragraphs (the default) start two characters in."""
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE_PT)
    fmt.widow_control = True
    if keep_with_next:
        fmt.keep_with_next = True
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run(paragraph, text, font, size, bold=bold, color=color, latin=latin)
    return paragraph


def body(doc: Any, text: str) -> list[Paragraph]:
    """Body text: each line of `text` its own indented paragraph (a multi-line remark keeps its
    indent on every paragraph)."""
    return [para(doc, line.strip()) for line in text.splitlines() if line.strip()]


def heading(doc: Any, text: str) -> Paragraph:
    """一、…: 黑体, never left alone at the foot of a page."""
    return para(doc, text, font=HEADING_FONT, keep_with_next=True)


def subheading(doc: Any, text: str) -> Paragraph:
    """（一）…: 楷体, kept with what follows."""
    return para(doc, text, font=SUBHEADING_FONT, keep_with_next=True)


def _border(paragraph: Paragraph, side: str, *, color: str, size: int) -> None:
    p_pr = paragraph._element.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def rule(paragraph: Paragraph, color: str = "E00000", size: int = 12) -> None:
    """A line under the paragraph (red: the 版头 separator)."""
    _border(paragraph, "bottom", color=color, size=size)


# --- the page ----------------------------------------------------------------------------------


def _page_number(paragraph: Paragraph) -> None:
    """"— 1 —" in the footer: a PAGE field between dashes."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(paragraph, "— ", BODY_FONT, 14)
    r = paragraph.add_run()
    _font(r, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        r._element.append(element)
    run(paragraph, " —", BODY_FONT, 14)


def new_document() -> Any:
    """An empty A4 document with the official margins and page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(297)
    top, bottom, left, right = MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.footer_distance = Mm(20)
    _page_number(section.footer.paragraphs[0])
    return doc


def title_block(doc: Any, *, title: str, number_line: str, issuer: str, day: dt.date) -> None:
    """The 版头: the red title, 第 N 期, the issuing office on the left and the date on the right
    above the red rule, then a blank line."""
    para(doc, title, font=TITLE_FONT, latin=TITLE_FALLBACK, size=22, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER,
         indent=False)
    para(doc, number_line, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    line = para(doc, "", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    run(line, issuer)
    run(line, "\t" + chinese_date(day))
    line.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    rule(line)
    para(doc, "", indent=False)


def signature(doc: Any, *, issuer: str, day: dt.date) -> None:
    """The closing: the issuing office and the date, right-aligned, after a blank line."""
    para(doc, "", indent=False)
    para(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(doc, chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def distribution(doc: Any, *, lines: Sequence[tuple[str, str]], cc: str, issuer: str, day: dt.date) -> None:
    """The 版记 at the end: 报/送/发 lines (label, recipients), the 抄送 line, and "issuer … 日期印发",
    between black rules, in 14 pt with no indent."""
    para(doc, "", indent=False)
    rows = [(label, text) for label, text in lines if text.strip()]
    if cc.strip():
        rows.append(("抄送", cc))
    first = True
    for label, text in rows:
        p = para(doc, f"{label}：{text.strip()}", size=14, indent=False)
        p.paragraph_format.left_indent = Pt(14)
        if first:
            _border(p, "top", color="000000", size=8)
            first = False
        rule(p, color="000000", size=4)
    printed = para(doc, "", size=14, indent=False)
    printed.paragraph_format.left_indent = Pt(14)
    run(printed, issuer, size=14)
    run(printed, "\t" + chinese_date(day) + "印发", size=14)
    printed.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM - 5), WD_TAB_ALIGNMENT.RIGHT)
    if first:
        _border(printed, "top", color="000000", size=8)
    rule(printed, color="000000", size=8)


# --- tables ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def numeric_columns(rows: Sequence[Sequence[str]]) -> set[int]:
    """The columns whose every filled body cell is a number."""
    if not rows:
        return set()
    out = set()
    for index in range(len(rows[0])):
        values = [row[index] for row in rows if row[index].strip()]
        if values and all(is_number(v) for v in values) and any(v.strip() not in "—–-" for v in values):
            out.add(index)
    return out


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], *, total_mm: float = TEXT_WIDTH_MM,
                  font_pt: float = TABLE_PT) -> list[float]:
    """Widths (mm) fitted to the content: each column gets what its widest cell needs (a header
    may wrap at two lines), and what is left is shared by the columns that would otherwise wrap,
    in proportion to their text. A column never gets less than its header's widest character
    pair needs."""
    char_mm = font_pt * 0.3528 / 2  # half an em: one display column
    padding = 2.6  # cell margins, mm
    wants, floors = [], []
    for index, head in enumerate(header):
        longest = max([display_width(row[index]) for row in rows] or [0])
        head_width = display_width(head)
        head_need = max((head_width + 1) // 2, 4)  # a header may take two lines
        wants.append(max(longest, head_need) * char_mm + padding)
        floors.append(min(max(head_need, 4), 8) * char_mm + padding)
    if sum(wants) <= total_mm:
        spare = total_mm - sum(wants)
        # Share what is left in proportion, so the table fills the line.
        return [w + spare * w / sum(wants) for w in wants]
    # Too wide: every column keeps what it needs up to an even share; wide ones share the rest.
    widths = list(wants)
    while sum(widths) > total_mm + 0.01:
        fixed = [i for i, w in enumerate(widths) if w <= floors[i] + 0.01]
        flexible = [i for i in range(len(widths)) if i not in fixed]
        if not flexible:
            break
        excess = sum(widths) - total_mm
        flex_total = sum(widths[i] - floors[i] for i in flexible)
        for i in flexible:
            widths[i] -= excess * (widths[i] - floors[i]) / flex_total
            widths[i] = max(widths[i], floors[i])
    return widths


def table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
          total_row: Sequence[Any] | None = None) -> Table:
    """A bordered table: the header row in 黑体 repeats on every page, columns fitted to their
    content, numbers right-aligned, text left-aligned; `total_row` (合计) closes it in 黑体."""
    texts = [[cell_text(v) for v in values] for values in rows]
    totals = [cell_text(v) for v in total_row] if total_row is not None else None
    everything = [*texts, *([totals] if totals else [])]
    numbers = numeric_columns(everything)
    widths = column_widths(header, everything)
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    for cell, text, width in zip(grid.rows[0].cells, header, widths, strict=True):
        cell.width = Mm(width)
        cell.text = ""
        run(cell.paragraphs[0], str(text), HEADING_FONT, TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The header row repeats on every page the table runs over, and never stands alone at a foot.
    tr_pr = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for values in everything:
        cells = grid.add_row().cells
        bold_row = totals is not None and values is totals
        for index, (cell, text, width) in enumerate(zip(cells, values, widths, strict=True)):
            cell.width = Mm(width)
            cell.text = ""
            run(cell.paragraphs[0], text, HEADING_FONT if bold_row else BODY_FONT, TABLE_PT)
            cell.paragraphs[0].alignment = (WD_ALIGN_PARAGRAPH.RIGHT if index in numbers
                                            else WD_ALIGN_PARAGRAPH.LEFT)
    return grid


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
