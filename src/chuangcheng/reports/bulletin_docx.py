"""The bulletin as a Word document in the layout of official documents (党政机关公文格式, after
GB/T 9704, `core.gongwen`): the 版头, the opening paragraph, the numbered parts, tables fitted
to their content with numbers right-aligned, photos before and after with captions, the closing
with the issuing office and date, the "figures as of" line and the 版记 (报/送/发, 抄送, 印发).

It renders a bulletin's `content` (a frozen snapshot or a live composition) through the blocks of
`reports.bulletin_doc`, the same blocks the page shows, and nothing else."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from chuangcheng.core import gongwen as g
from chuangcheng.core.gongwen import writable
from chuangcheng.reports.bulletin_doc import blocks, cell_text, head

__all__ = ["default_photo_loader", "render_docx", "writable"]

PHOTO_WIDTH = Mm(72)

PhotoLoader = Callable[[int], bytes | None]


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
    doc = g.new_document()
    top = head(content, number=number)
    g.title_block(doc, title=top["title"], number_line=top["number"], issuer=top["issuer"],
                  day=dt.date.fromisoformat(content["day"]))
    for block in blocks(content, number=number, remarks=remarks):
        kind = block["t"]
        if kind == "h1":
            g.heading(doc, block["text"])
        elif kind == "h2":
            g.subheading(doc, block["text"])
        elif kind == "p":
            g.para(doc, block["text"])
        elif kind == "remarks":
            for index, line in enumerate(block["lines"]):
                g.para(doc, (block["label"] if index == 0 else "") + line, font=g.SUBHEADING_FONT)
        elif kind == "list":
            for index, item in enumerate(block["items"], start=1):
                g.para(doc, f"{index}. {item}")
        elif kind == "table":
            g.table(doc, block["header"], [[cell_text(c) for c in row] for row in block["rows"]],
                    total_row=[cell_text(c) for c in block["total"]] if block.get("total") else None)
        elif kind == "photos":
            _photos(doc, block, load)
        elif kind == "close":
            g.para(doc, block["text"])
            g.para(doc, "", indent=False)
            g.para(doc, block["issuer"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
            g.para(doc, block["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        elif kind == "asof":
            g.para(doc, block["text"], size=12)
        elif kind == "distribution":
            g.distribution(doc, lines=block["lines"], cc=block["cc"], issuer=block["issuer"],
                           day=dt.date.fromisoformat(content["day"]))
    return g.to_bytes(doc)


def _photos(doc: Any, block: dict[str, Any], load: PhotoLoader) -> None:
    g.para(doc, block["title"], font=g.SUBHEADING_FONT, keep_with_next=True)
    g.para(doc, block["text"], keep_with_next=True)
    pictures = doc.add_table(rows=2, cols=2)
    pictures.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, (side, caption) in enumerate((("before", _("Before rectification")),
                                              ("after", _("After rectification")))):
        data = load(int(block[side]["id"]))
        cell = pictures.cell(0, column)
        cell.text = ""
        if data:
            cell.paragraphs[0].add_run().add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
        else:
            g.run(cell.paragraphs[0], _("(photo not available)"), g.BODY_FONT, g.TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        label = pictures.cell(1, column)
        label.text = ""
        g.run(label.paragraphs[0], caption, g.SUBHEADING_FONT, g.TABLE_PT)
        label.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
