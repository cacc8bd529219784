"""The bulletin as a Word document in the layout of official documents (党政机关公文格式, after
GB/T 9704): A4, margins 37/35/28/26 mm, the issuing office's title in red, the issue number and the
date, a red rule, body text in 仿宋 16 pt, headings in 黑体 and 楷体, bordered tables, photos with
captions, page numbers in the footer. Editable in Word and WPS.

It renders a bulletin's `content` (a frozen snapshot or a live composition) and nothing else."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
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
BODY_FALLBACK = "仿宋"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
LATIN_FONT = "Times New Roman"
BODY_PT = 16
TABLE_PT = 12
PHOTO_WIDTH = Mm(72)

PhotoLoader = Callable[[int], bytes | None]


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


# Characters XML 1.0 cannot carry (C0 controls but tab, newline and carriage return; lone surrogates):
# python-docx refuses them, and a resident's description may hold any of them.
_UNWRITABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                             0xFFFE, 0xFFFF])


def writable(text: str) -> str:
    """The text without the characters a Word document cannot hold."""
    return text.translate(_UNWRITABLE)


def _run(paragraph: Paragraph, text: str, east_asia: str, size: float, **style: Any) -> Any:
    """Every piece of text enters the document here."""
    run = paragraph.add_run(writable(text))
    _font(run, east_asia, size, **style)
    return run


def _para(doc: Any, text: str = "", *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
          color: RGBColor | None = None, align: Any = None, indent: bool = False,
          latin: str = LATIN_FONT) -> Paragraph:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _run(paragraph, text, font, size, bold=bold, color=color, latin=latin)
    return paragraph


def _rule(paragraph: Paragraph, color: str = "E00000", size: int = 12) -> None:
    """A red line under the paragraph (the 版头 separator)."""
    p_pr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    p_pr.append(borders)


def _page_number(paragraph: Paragraph) -> None:
    """"— 1 —" in the footer: a PAGE field between dashes."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", BODY_FALLBACK, 14)
    run = paragraph.add_run()
    _font(run, BODY_FALLBACK, 14)
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
        run._element.append(element)
    _run(paragraph, " —", BODY_FALLBACK, 14)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], str(text), HEADING_FONT, TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The header row repeats on every page the table runs over.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _run(cell.paragraphs[0], _cell(value), BODY_FALLBACK, TABLE_PT)
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def _heading(doc: Any, text: str) -> None:
    _para(doc, text, font=HEADING_FONT, indent=True)


def _subheading(doc: Any, text: str) -> None:
    _para(doc, text, font=SUBHEADING_FONT, indent=True)


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def default_photo_loader(photo_id: int) -> bytes | None:
    """The display version of a stored photo (made again if it was lost)."""
    from chuangcheng.evidence import services
    from chuangcheng.evidence.models import Photo

    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None
    try:
        with photo.display.open("rb") as handle:
            return bytes(handle.read())
    except (FileNotFoundError, ValueError):
        try:
            services.regenerate_derivatives(photo)
            with photo.display.open("rb") as handle:
                return bytes(handle.read())
        except (FileNotFoundError, ValueError, OSError):
            return None


def render_docx(content: dict[str, Any], *, number: int | None = None, remarks: str = "",
                photo_loader: PhotoLoader | None = None) -> bytes:
    """The .docx bytes of a bulletin's content."""
    load = photo_loader or default_photo_loader
    day = dt.date.fromisoformat(content["day"])
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number(section.footer.paragraphs[0])

    # 版头: the red title, the issue number, the office and date, the red rule.
    _para(doc, content.get("title", ""), font=TITLE_FONT, latin=TITLE_FALLBACK, size=22, color=RED,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    issue = (_("No. %(number)s") % {"number": number}) if number else _("Draft")
    _para(doc, issue, font=BODY_FALLBACK, align=WD_ALIGN_PARAGRAPH.CENTER)
    line = _para(doc, "", align=WD_ALIGN_PARAGRAPH.LEFT)
    _run(line, content.get("issuer", ""), BODY_FALLBACK, BODY_PT)
    _run(line, "\t" + _chinese_date(day), BODY_FALLBACK, BODY_PT)
    line.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)  # the date at the right edge
    _rule(line)
    _para(doc, "")

    s = content.get("summary", {})
    _heading(doc, _("1. Overview"))
    _para(doc, _(
        "%(done)s of %(planned)s planned visits were made; %(points)s points were inspected in %(inspections)s "
        "inspections, %(failed)s check items failed (score rate %(score)s). %(opened)s cases were opened, "
        "%(rectified)s rectified, %(closed)s verified and closed, %(returned)s returned for rework; "
        "%(overdue)s cases are overdue (on-time rate %(on_time)s).") % {
        "done": s.get("visits_done", 0), "planned": s.get("visits_planned", 0),
        "points": s.get("points_inspected", 0), "inspections": s.get("inspections", 0),
        "failed": s.get("items_failed", 0), "score": _pct(s.get("field_rate", s.get("score_rate"))),
        "opened": s.get("cases_opened", 0), "rectified": s.get("cases_rectified", 0),
        "closed": s.get("cases_closed", 0), "returned": s.get("cases_returned", 0),
        "overdue": s.get("cases_overdue", 0), "on_time": _pct(s.get("on_time_rate")),
    }, indent=True)
    if "field_rate" in s:
        _para(doc, _("The score rate is the field score rate in the assessment's terms over all checks "
                     "(self-checks included): each assessment item scores max(0, its points − sample × deducted "
                     "÷ inspections), and the rate is the sum of the item scores ÷ the sum of the points of the "
                     "items inspected. Independent checks only: %(rate)s.")
              % {"rate": _pct(s.get("independent_field_rate"))}, indent=True)

    _heading(doc, _("2. Communities"))
    _table(doc, [_("Community"), _("Visits made / planned"), _("Points inspected"), _("Items failed"),
                 _("Score rate"), _("Cases opened"), pgettext("number of cases", "Rectified"), _("Overdue")],
           [[row["name"], f"{row.get('visits_done', 0)}/{row.get('visits_planned', 0)}",
             row.get("points_inspected", 0), row.get("items_failed", 0),
             _pct(row.get("field_rate", row.get("score_rate"))),
             row.get("cases_opened", 0), row.get("cases_rectified", 0), row.get("cases_overdue", 0)]
            for row in content.get("communities", [])])

    _heading(doc, _("3. Problems by category"))
    categories = content.get("categories", [])
    if categories:
        _table(doc, [_("Category"), _("Items failed"), _("Cases opened"), _("Share")],
               [[row["name"], row["failed"], row["opened"], _pct(row.get("share"))] for row in categories])
    else:
        _para(doc, _("No problems were found."), indent=True)

    _heading(doc, _("4. Zero-loss points that lost points"))
    zero = content.get("zero_loss_failed", [])
    if zero:
        _table(doc, [_("Point"), _("Community"), _("Failed items")],
               [[f"{row['name']}（{row['point']}）", row["community"], "、".join(row["items"])] for row in zero])
    else:
        _para(doc, _("Every zero-loss point inspected kept its full score."), indent=True)

    _heading(doc, _("5. Overdue cases by unit"))
    overdue = content.get("overdue_by_unit", [])
    if overdue:
        _table(doc, [_("Responsible unit"), _("Overdue cases"), _("Oldest")],
               [[row["name"], row["count"], "、".join(c["number"] for c in row["oldest"])] for row in overdue])
    else:
        _para(doc, _("No case is overdue."), indent=True)

    _heading(doc, _("6. Typical problems, before and after"))
    typical = content.get("typical", [])
    if not typical:
        _para(doc, _("No case with photos before and after was rectified today."), indent=True)
    for index, row in enumerate(typical, start=1):
        _subheading(doc, f"（{index}）{row['category']} · {row['place']}")
        _para(doc, _("%(text)s (case %(number)s, %(unit)s)") % {
            "text": row["text"], "number": row["case"], "unit": row.get("unit") or "—"}, indent=True)
        pictures = doc.add_table(rows=2, cols=2)
        pictures.alignment = WD_TABLE_ALIGNMENT.CENTER
        for column, (side, caption) in enumerate((("before", _("Before rectification")),
                                                  ("after", _("After rectification")))):
            data = load(int(row[side]["id"]))
            cell = pictures.cell(0, column)
            cell.text = ""
            if data:
                cell.paragraphs[0].add_run().add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
            else:
                _run(cell.paragraphs[0], _("(photo not available)"), BODY_FALLBACK, TABLE_PT)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            label = pictures.cell(1, column)
            label.text = ""
            _run(label.paragraphs[0], caption, SUBHEADING_FONT, TABLE_PT)
            label.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    _heading(doc, _("7. Tomorrow's focus"))
    focus = content.get("focus", [])
    if focus:
        _table(doc, [_("Point"), _("Community"), _("Days failed in the last 7"), _("Items failed")],
               [[f"{row['name']}（{row['point']}）", row["community"], row["days"], row["failures"]]
                for row in focus])
    else:
        _para(doc, _("No point failed on two or more of the last seven days."), indent=True)

    if remarks:
        _heading(doc, _("8. Remarks"))
        for text in remarks.splitlines():
            if text.strip():
                _para(doc, text.strip(), indent=True)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
