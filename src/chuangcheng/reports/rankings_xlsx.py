"""A week's ranking as an Excel workbook: the table as published, then every part of every row,
so a clerk can redo the sums in Excel/WPS. Text a spreadsheet could read as a formula stays text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangcheng.core.sheets import append_row, to_bytes
from chuangcheng.reports.models import Ranking


def level_label(level: str) -> str:
    return {"excellent": _("Excellent"), "good": _("Good"), "fair": _("Fair"), "poor": _("Poor")}.get(level, "")


def change_label(row: dict[str, Any]) -> str:
    if row.get("rank") is None:
        return ""
    change = row.get("change")
    if change is None:
        return _("new")
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "–"


def _append(sheet: Any, values: list[Any]) -> None:
    append_row(sheet, values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever it starts with


def ranking_workbook(ranking: Ranking) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    content = ranking.content
    rows = content.get("rows", [])
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ranking")[:31]
    status = _("published") if ranking.status == "published" else _("draft")
    _append(sheet, [_("Weekly ranking %(week)s") % {"week": ranking.week}, ranking.street.name,
                    f"{content.get('start', '')} – {content.get('end', '')}", status])
    sheet["A1"].font = Font(bold=True, size=14)
    header = [_("Rank"), _("Community"), _("Total"), pgettext("ranking", "Field"), _("Work"),
              pgettext("ranking", "Level"), _("Change"), _("Inspections"), _("Score"), _("Possible score"),
              pgettext("number of cases", "Rectified"), _("Rectified on time"), _("Returned for rework"),
              _("Reopened"), _("Overdue at the end of the week"), _("Note")]
    _append(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        parts = row["parts"]
        note = _("Not ranked: too few inspections") if row["reason"] == "too_few_inspections" else (
            _("Not ranked: no score") if row["reason"] else "")
        _append(sheet, [
            row["rank"], row["name"], row["total"], row["field"], row["work"], level_label(row["level"]),
            change_label(row), parts["field"]["inspections"], parts["field"]["score"], parts["field"]["max_score"],
            parts["on_time"]["rectified"], parts["on_time"]["on_time"], parts["rework"]["returned"],
            parts["rework"]["reopened"], parts["overdue"]["overdue"], note,
        ])
    for column, width in {"B": 18, "F": 8, "G": 8, "P": 28}.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C3"

    detail = book.create_sheet(_("Parts")[:31])
    _append(detail, [_("Community"), _("Part"), _("Figure"), _("Value")])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row in rows:
        for part, figures in row["parts"].items():
            for name, value in figures.items():
                if name == "items":
                    for item in value:
                        _append(detail, [row["name"], part, item["name"], item["value"]])
                    continue
                _append(detail, [row["name"], part, name, value])
    formula = book.create_sheet(_("Formula")[:31])
    for name, value in ranking.formula.items():
        _append(formula, [name, str(value) if isinstance(value, dict) else value])
    return to_bytes(book)
