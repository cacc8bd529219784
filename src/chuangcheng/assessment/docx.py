"""A round's frozen report as a Word document: the summary, the score per assessment item with the
change since the previous round, the sample, and every lost item with its photos. It renders the
report's JSON and nothing else, so the document always matches the page and the JSON download."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
PHOTO_WIDTH = Mm(60)

# Characters XML 1.0 cannot carry: python-docx refuses them, and a note may hold any of them.
_UNWRITABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                             0xFFFE, 0xFFFF])


def _text(value: Any) -> str:
    return ("" if value is None else str(value)).translate(_UNWRITABLE)


def _style(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)


def _heading(doc: Any, text: str, level: int) -> None:
    heading = doc.add_heading(_text(text), level=level)
    for run in heading.runs:
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONT)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = _text(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _text(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value} %"


def stored_photo(sha256: str) -> bytes | None:
    """The display version of a stored photo, for the document (None when it is gone)."""
    from chuangcheng.evidence.models import Photo

    photo = Photo.objects.filter(sha256=sha256).first()
    if photo is None or not photo.display:
        return None
    try:
        with photo.display.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        return None


def render_docx(report: dict[str, Any], *, photo: Callable[[str], bytes | None] = lambda sha: None) -> bytes:
    doc = Document()
    _style(doc)
    street = report["street"]["name"]
    title = doc.add_heading(_text(_("%(street)s mock assessment, round %(number)s") % {
        "street": street, "number": report["round"]}), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.get("title"):
        doc.add_paragraph(_text(report["title"])).alignment = WD_ALIGN_PARAGRAPH.CENTER
    overall = report["overall"]
    predicted = report["predicted"]
    doc.add_paragraph(_text(_("Seed %(seed)s · catalog version %(catalog)s · %(n)s drawn points · finished %(at)s")
                            % {"seed": report["seed"], "catalog": report["catalog"], "n": len(report["sample"]),
                               "at": (report.get("finished_at") or "")[:10]}))
    doc.add_paragraph(_text(_("Score rate (得分率): %(rate)s, %(score)s of %(points)s points.") % {
        "rate": _pct(overall["rate"]), "score": overall["score"], "points": overall["points"]}))
    if predicted.get("score") is not None:
        doc.add_paragraph(_text(_("Predicted field score: %(score)s of %(points)s.") % {
            "score": predicted["score"], "points": predicted["field_points"]}))
    if report.get("previous"):
        doc.add_paragraph(_text(_("Previous round %(number)s: %(rate)s (change %(change)s).") % {
            "number": report["previous"]["round"], "rate": _pct(overall.get("previous_rate")),
            "change": overall.get("change") or "—"}))
    _heading(doc, _("Score per assessment item"), 1)
    _table(doc, [_("Assessment item"), _("Full points"), _("Drawn points"), _("Deducted"), _("Score"), _("Score rate"),
                 _("Change since the previous round")],
           [[i["name"], i["points"], i["inspections"], i["deducted"], i["score"], _pct(i["rate"]),
             i.get("change") or "—"] for i in report["items"]])
    _heading(doc, _("Lost points"), 1)
    if not report["lost"]:
        doc.add_paragraph(_("No drawn point lost a point."))
    for n, row in enumerate(report["lost"], start=1):
        _heading(doc, f"{n}. {row['item_name']}: −{row['deducted']}", 2)
        doc.add_paragraph(_text(_("%(point)s (%(community)s), responsible unit: %(unit)s") % {
            "point": row["point_name"], "community": row["community"], "unit": row["unit"] or "—"}))
        doc.add_paragraph(_text(row["check"] + (f"（{row['note']}）" if row.get("note") else "")))
        if row.get("case"):
            doc.add_paragraph(_text(_("Case %(number)s") % {"number": row["case"]}))
        for sha in row.get("photos", []):
            data = photo(sha)
            if data:
                try:
                    doc.add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
                except Exception:  # noqa: BLE001, S112 - a photo Word cannot read is left out, not the report
                    continue
    _heading(doc, _("The sample"), 1)
    _table(doc, [_("No."), _("Point"), _("Type"), _("Community"), _("Assessor"), _("Date")],
           [[s["position"], s["name"], s["type"], s["community"], s["assessor"], s.get("day") or ""]
            for s in report["sample"]])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
