"""The 销号 report sent back to the issuer of a list: a Word document in the layout of official
documents (one section per problem with its before and after photos) and a workbook with one row
per problem. Only verified and closed problems count as done (see queries.py)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from chuangcheng.core import clock, sheets
from chuangcheng.core import gongwen as g
from chuangcheng.problems import queries
from chuangcheng.problems.models import Problem, ProblemList

PHOTO_WIDTH = Mm(70)
PHOTOS_PER_SIDE = 2


def title_of(batch: ProblemList) -> str:
    return _("%(street)s's report on the rectification of the problem list of %(issuer)s") % {
        "street": batch.street.name, "issuer": batch.issuer}


def _day(moment: dt.datetime | None) -> str:
    return f"{clock.local(moment):%Y-%m-%d}" if moment else ""


def _state(problem: Problem, batch: ProblemList, now: dt.datetime) -> str:
    if problem.case is None:
        return ""
    label = str(problem.case.get_state_display())
    if queries.is_overdue(problem, batch.due_at, now):
        label += _(" (overdue)")
    return label


def _photo_bytes(photo: Any) -> bytes | None:
    for stored in (photo.display, photo.original):
        if stored.name:
            try:
                with stored.open("rb") as handle:
                    return bytes(handle.read())
            except OSError:
                continue
    return None


def build_docx(batch: ProblemList, *, now: dt.datetime | None = None) -> bytes:
    now = now or clock.now()
    today = clock.local(now).date()
    problems = list(queries.problems_of(batch))
    progress = queries.progress_of(batch, problems, now)
    fixes = queries.rectifications(problems)
    doc = g.new_document()
    g.para(doc, title_of(batch), font=g.TITLE_FONT, latin=g.TITLE_FALLBACK, size=22,
           align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    g.para(doc, "", indent=False)
    g.para(doc, f"{batch.issuer}：", indent=False)
    g.para(doc, _("On %(issued)s you sent us the %(kind)s problem list %(reference)s with %(total)d problems, "
                  "to be rectified by %(deadline)s. The rectification stands as follows.") % {
        "issued": g.chinese_date(batch.issued_on), "kind": batch.get_kind_display(), "reference": batch.reference,
        "total": progress.total, "deadline": g.chinese_date(batch.deadline)})
    g.heading(doc, _("1. Overview"))
    g.para(doc, _("As of %(today)s, %(done)d of %(total)d problems are rectified, verified on site and closed; "
                  "%(open)d are not yet done, %(overdue)d of them overdue.") % {
        "today": g.chinese_date(today), "done": progress.done, "total": progress.total, "open": progress.open,
        "overdue": progress.overdue})
    g.table(doc, [_("No."), _("Place"), _("Category"), _("Responsible unit"), _("State")],
            [[p.row, p.place, p.category.name, fixes[p.pk].unit, _state(p, batch, now)] for p in problems],
            total_row=[pgettext("table", "Total"),
                       _("%(done)d of %(total)d done") % {"done": progress.done, "total": progress.total},
                       "", "", _("%(overdue)d overdue") % {"overdue": progress.overdue}])
    g.heading(doc, _("2. Problem by problem"))
    for problem in problems:
        fix = fixes[problem.pk]
        g.subheading(doc, f"（{problem.row}）{problem.place}")
        g.para(doc, _("Problem: %(text)s") % {"text": problem.description})
        g.para(doc, _("Responsible unit: %(unit)s; case %(number)s.") % {
            "unit": fix.unit or _("not yet dispatched"), "number": problem.case.number if problem.case else ""})
        if queries.is_done(problem):
            g.para(doc, _("Rectified on %(rectified)s, verified and closed on %(verified)s.") % {
                "rectified": _day(fix.rectified_at), "verified": _day(fix.verified_at)})
        else:
            g.para(doc, _("Not yet done: %(state)s.") % {"state": _state(problem, batch, now)})
        if fix.note:
            g.para(doc, _("Rectification: %(note)s") % {"note": fix.note})
        _photos(doc, fix.before, fix.after)
    g.heading(doc, _("3. Not yet done and next steps"))
    open_problems = [p for p in problems if not queries.is_done(p)]
    if open_problems:
        for problem in open_problems:
            g.para(doc, _("No. %(row)d %(place)s (%(unit)s): %(state)s.") % {
                "row": problem.row, "place": problem.place, "unit": fixes[problem.pk].unit or _("not yet dispatched"),
                "state": _state(problem, batch, now)})
        g.para(doc, _("The subdistrict keeps urging the units concerned and will report each problem once it is "
                      "verified."))
    else:
        g.para(doc, _("Every problem on the list is rectified and verified: we ask for the list to be closed."))
    g.signature(doc, issuer=batch.street.name, day=today)
    g.distribution(doc, lines=[("报", batch.issuer)], cc="", issuer=batch.street.name, day=today)
    return g.to_bytes(doc)


def _photos(doc: Any, before: list[Any], after: list[Any]) -> None:
    """Before on the left, after on the right, two of each at most, captions below."""
    if not before and not after:
        return
    pictures = doc.add_table(rows=2, cols=2)
    pictures.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, (photos, caption) in enumerate(((before, _("Before rectification")),
                                                (after, _("After rectification")))):
        cell = pictures.cell(0, column)
        cell.text = ""
        shown = 0
        for photo in photos[:PHOTOS_PER_SIDE]:
            data = _photo_bytes(photo)
            if data:
                cell.paragraphs[0].add_run().add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
                shown += 1
        if not shown:
            g.run(cell.paragraphs[0], _("(no photo)"), g.BODY_FONT, g.TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        label = pictures.cell(1, column)
        label.text = ""
        g.run(label.paragraphs[0], caption, g.SUBHEADING_FONT, g.TABLE_PT)
        label.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


XLSX_HEADER = [gettext_lazy("No."), gettext_lazy("Place"), gettext_lazy("Description"), gettext_lazy("Category"),
               gettext_lazy("Responsible unit"), gettext_lazy("Case"), gettext_lazy("State"),
               gettext_lazy("Closed (销号)"), gettext_lazy("Overdue (逾期)"), gettext_lazy("Rectification"),
               gettext_lazy("Rectified on"), gettext_lazy("Verified on"), gettext_lazy("Before-photos"),
               gettext_lazy("After-photos")]


def build_xlsx(batch: ProblemList, *, now: dt.datetime | None = None) -> bytes:
    now = now or clock.now()
    problems = list(queries.problems_of(batch))
    progress = queries.progress_of(batch, problems, now)
    fixes = queries.rectifications(problems)
    yes, no = _("yes"), _("no")
    rows = []
    for p in problems:
        fix = fixes[p.pk]
        rows.append([p.row, p.place, p.description, str(p.category), fix.unit, p.case.number if p.case else "",
                     _state(p, batch, now), yes if queries.is_done(p) else no,
                     yes if queries.is_overdue(p, batch.due_at, now) else no, fix.note, _day(fix.rectified_at),
                     _day(fix.verified_at), len(fix.before), len(fix.after)])
    heading = [f"{title_of(batch)}（{batch.reference}）",
               _("%(done)d of %(total)d done, %(overdue)d overdue, deadline %(deadline)s") % {
                   "done": progress.done, "total": progress.total, "overdue": progress.overdue,
                   "deadline": f"{batch.deadline:%Y-%m-%d}"}]
    book, _sheet = sheets.table_sheet(_("Problem list"), heading, [str(h) for h in XLSX_HEADER], rows)
    return sheets.to_bytes(book)
