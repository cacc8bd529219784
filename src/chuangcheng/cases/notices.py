"""督办通知单 as a Word document in the official layout (chuangcheng.core.gongwen): to the unit's
head, its overdue cases with place, problem, deadline, working days overdue and the report photo,
the demand and the reply deadline, and the distribution block."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from chuangcheng.cases.escalation import Ladder
from chuangcheng.cases.models import SupervisionNotice
from chuangcheng.core import clock
from chuangcheng.core import gongwen as g

PHOTO_WIDTH_MM = 60


def _report_photo(case: Any) -> bytes | None:
    event = case.events.filter(action="report").first()
    photo = event.photos.first() if event is not None else None
    if photo is None:
        return None
    try:
        with photo.display.open("rb") as handle:
            return bytes(handle.read())
    except (FileNotFoundError, ValueError, OSError):
        return None


def notice_docx(notice: SupervisionNotice) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    issuer = _("%(street)s Civilized City Campaign Office") % {"street": notice.street.name}
    day = clock.local(notice.issued_at).date()
    ladder = Ladder(notice.issued_at)
    unit = notice.unit
    cases = list(notice.cases.select_related("category", "grid", "point").order_by("deadline", "number"))
    doc = g.new_document()
    g.title_block(doc, title=_("Supervision notice"), number_line=f"〔{notice.year}〕第{notice.number}号",
                  issuer=issuer, day=day)
    g.para(doc, _("%(unit)s (head: %(head)s):") % {"unit": unit.name, "head": unit.head_name or "—"}, indent=False)
    g.body(doc, _("The following %(n)d problems assigned to your unit are past their deadline and still not "
                  "rectified, despite daily reminders.") % {"n": len(cases)})
    rows = []
    for index, case in enumerate(cases, start=1):
        assert case.deadline is not None  # noqa: S101 - only overdue cases are listed
        rows.append([index, case.number, case.point.name if case.point else (case.address or case.grid.name),
                     f"{case.category.name}：{case.description[:60]}", f"{clock.local(case.deadline):%Y-%m-%d}",
                     ladder.working_days_overdue(case.deadline)])
    g.table(doc, [_("No."), _("Case"), _("Place"), _("Problem"), _("Deadline"), _("Working days overdue")], rows)
    for case in cases:
        data = _report_photo(case)
        if data:
            g.para(doc, _("Case %(number)s as reported:") % {"number": case.number}, keep_with_next=True)
            picture = g.para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            picture.add_run().add_picture(io.BytesIO(data), width=Mm(PHOTO_WIDTH_MM))
    g.heading(doc, _("Demand"))
    g.body(doc, _("Rectify these problems at once, mark each case rectified with after-photos, and reply in "
                  "writing to the street campaign office with the causes and the measures taken by %(day)s.")
           % {"day": g.chinese_date(notice.reply_by)})
    g.signature(doc, issuer=issuer, day=day)
    g.distribution(doc, lines=[("送", f"{unit.name}{unit.head_name}")],
                   cc=_("the street leaders in charge"), issuer=issuer, day=day)
    return g.to_bytes(doc)
