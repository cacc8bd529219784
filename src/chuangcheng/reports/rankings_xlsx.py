"""A week's ranking as an Excel workbook: the table as published, then every part of every row,
so a clerk can redo the sums in Excel/WPS. Text a spreadsheet could read as a formula stays text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangcheng.core import sheets
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


def ranking_workbook(ranking: Ranking) -> bytes:
    content = ranking.content
    rows = content.get("rows", [])
    status = _("published") if ranking.status == "published" else _("draft")
    heading = [_("Weekly ranking %(week)s") % {"week": ranking.week}, ranking.street.name,
               f"{content.get('start', '')} – {content.get('end', '')}", status]
    header = [_("Rank"), _("Community"), _("Total"), pgettext("ranking", "Field"), _("Work"),
              pgettext("ranking", "Level"), _("Change"), _("Inspections"), _("Score"), _("Possible score"),
              pgettext("number of cases", "Rectified"), _("Rectified on time"), _("Returned for rework"),
              _("Reopened"), _("Overdue at the end of the week"), _("Note")]
    table = []
    for row in rows:
        parts = row["parts"]
        note = _("Not ranked: too few inspections") if row["reason"] == "too_few_inspections" else (
            _("Not ranked: no score") if row["reason"] else "")
        table.append([
            row["rank"], row["name"], row["total"], row["field"], row["work"], level_label(row["level"]),
            change_label(row), parts["field"]["inspections"], parts["field"]["score"], parts["field"]["max_score"],
            parts["on_time"]["rectified"], parts["on_time"]["on_time"], parts["rework"]["returned"],
            parts["rework"]["reopened"], parts["overdue"]["overdue"], note,
        ])
    book, sheet = sheets.table_sheet(_("Ranking"), heading, header, table)
    for column, width in {"B": 18, "F": 8, "G": 8, "P": 28}.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C3"

    details = []
    assessed = []  # the field part by assessment item, as the ranking keeps it
    for row in rows:
        for part, figures in row["parts"].items():
            for name, value in figures.items():
                if name == "by_item":
                    assessed += [[row["name"], item["code"], item["name"], item["points"], item["sample"],
                                  item["inspections"], item["deducted"], item["loss"], item["score"]]
                                 for item in value]
                    continue
                if name == "items":
                    details += [[row["name"], part, item["name"], item["value"]] for item in value]
                    continue
                details.append([row["name"], part, name, value])
    sheets.add_sheet(book, _("Parts"), [_("Community"), _("Part"), _("Figure"), _("Value")], details)
    if assessed:
        sheets.add_sheet(book, _("By assessment item"), [
            _("Community"), _("Code"), _("Assessment item"), pgettext("score", "Points"), _("Sample"),
            _("Inspections"), _("Deducted"), _("Expected loss"), _("Score")], assessed)
    formula = book.create_sheet(sheets.sheet_title(_("Formula")))
    for name, value in ranking.formula.items():
        sheets.append_row(formula, [name, str(value) if isinstance(value, dict) else value])
    return sheets.to_bytes(book)
