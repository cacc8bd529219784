"""A week's ranking as an Excel workbook: the table as published, the responsible units, then every
part of every row, so a clerk can redo the sums in Excel/WPS, and the formula. Sheets, columns,
parts and figures carry their names in the reader's language (Chinese by default), never the keys
the ranking stores. Text a spreadsheet could read as a formula stays text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from chuangcheng.core import sheets
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports import rates
from chuangcheng.reports.models import Ranking

# The parts of a row (`row["parts"]`) by name.
PART_NAMES: dict[str, Any] = {
    "field": gettext_lazy("Field inspections"),
    "on_time": gettext_lazy("On-time handling rate"),
    "rework": gettext_lazy("Rework and reopening"),
    "overdue": gettext_lazy("Overdue cases"),
    "participation": gettext_lazy("Participation"),
}
# Each figure a part keeps, by name; (part, key) where a key means something else in another part.
FIGURE_NAMES: dict[Any, Any] = {
    "inspections": gettext_lazy("Inspections scored"),
    "min_inspections": gettext_lazy("Least inspections in the week to be ranked"),
    "score": gettext_lazy("Score"),
    "max_score": gettext_lazy("Possible score"),
    ("field", "rate"): gettext_lazy("Field score rate"),
    ("on_time", "rate"): gettext_lazy("Rate used (pulled toward the subdistrict's)"),
    ("participation", "rate"): gettext_lazy("Mean completion of the targets"),
    "weight": pgettext_lazy("ranking", "Points of the part"),
    "points": gettext_lazy("Points scored"),
    "checks": gettext_lazy("Checks counted"),
    "inspections_all": gettext_lazy("Inspections in all"),
    "basis": gettext_lazy("Counted over"),
    "met": gettext_lazy("Handled by the deadline"),
    "due": gettext_lazy("Due (fell due or overdue at the start)"),
    "carried": gettext_lazy("Overdue at the start of the week"),
    "street_met": gettext_lazy("Subdistrict: handled by the deadline"),
    "street_due": gettext_lazy("Subdistrict: due"),
    "street_rate": gettext_lazy("Subdistrict's on-time handling rate"),
    "prior_weight": gettext_lazy("Weight of the subdistrict's rate for few cases (k)"),
    "raw_rate": gettext_lazy("Own on-time handling rate"),
    "returned": gettext_lazy("Cases returned for rework"),
    "reopened": gettext_lazy("Cases reopened"),
    "count": gettext_lazy("Returned or reopened"),
    "penalty": gettext_lazy("Points off per case"),
    "overdue": gettext_lazy("Overdue at the end of the week"),
    # Rankings frozen before the due-based rule:
    "rectified": gettext_lazy("Cases rectified"),
    "on_time": gettext_lazy("Rectified on time"),
    "street_rectified": gettext_lazy("Subdistrict: rectified"),
    "street_on_time": gettext_lazy("Subdistrict: rectified on time"),
}
VALUE_NAMES: dict[str, Any] = {
    "independent": gettext_lazy("independent checks only"),
    "all": gettext_lazy("all checks"),
    "due": gettext_lazy("deadlines that fell in the week and cases overdue at its start"),
}


def part_name(part: str) -> str:
    return str(PART_NAMES.get(part, part))


def figure_name(part: str, key: str) -> str:
    return str(FIGURE_NAMES.get((part, key)) or FIGURE_NAMES.get(key) or key)


def participation_name(name: str) -> str:
    label = formula_.PARTICIPATION_FIGURES.get(name)
    return _(label) if label else name


def level_label(level: str) -> str:
    return {"excellent": _("Excellent"), "good": _("Good"), "fair": _("Fair"), "poor": _("Poor")}.get(level, "")


def movement_label(change: int | None) -> str:
    """A move in the ranking as people say it: 上升 2 名, 下降 1 名, 持平 (not an arrow or a sign)."""
    if change is None:
        return _("new")
    if change > 0:
        return _("up %(n)s places") % {"n": change}
    if change < 0:
        return _("down %(n)s places") % {"n": -change}
    return _("unchanged")


def change_label(row: Mapping[str, Any]) -> str:
    if row.get("rank") is None:
        return ""
    return movement_label(row.get("change"))


def _value(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in {"checks", "basis"} and isinstance(value, str):
        return str(VALUE_NAMES.get(value, value))
    return value


def formula_value(key: str, value: Any) -> Any:
    """A setting of the formula as the formula sheet shows it (names, not keys)."""
    if key == "participation_targets" and isinstance(value, Mapping):
        return "；".join(f"{participation_name(name)} {target}" for name, target in value.items()) or "—"
    if key == "levels" and isinstance(value, Mapping):
        return "，".join(f"{level_label(name)} ≥ {value[name]}" for name in formula_.LEVELS[:3] if name in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value) if isinstance(value, dict | list) else value


def ranking_workbook(ranking: Ranking) -> bytes:
    content = ranking.content
    rows = content.get("rows", [])
    status = pgettext("status", "published") if ranking.status == "published" else pgettext("status", "draft")
    heading = [_("Weekly ranking of %(label)s") % {"label": ranking.week_title}, ranking.street.name,
               f"{content.get('start', '')} – {content.get('end', '')}", status]
    header = [_("Rank"), _("Community"), _("Total"), pgettext("ranking", "Field"), _("Work"),
              pgettext("ranking", "Level"), _("Change"), _("Inspections"), _("Score"), _("Possible score"),
              _("Due (fell due or overdue at the start)"), _("Handled by the deadline"), _("Returned for rework"),
              _("Reopened"), _("Overdue at the end of the week"), _("Note")]
    table = []
    for row in rows:
        parts = row["parts"]
        note = _("Not ranked: too few inspections") if row["reason"] == "too_few_inspections" else (
            _("Not ranked: no score") if row["reason"] else "")
        table.append([
            row["rank"], row["name"], row["total"], row["field"], row["work"], level_label(row["level"]),
            change_label(row), parts["field"]["inspections"], parts["field"]["score"], parts["field"]["max_score"],
            # A ranking frozen before the due-based rule keeps its rectified / on-time counts.
            parts["on_time"].get("due", parts["on_time"].get("rectified")),
            parts["on_time"].get("met", parts["on_time"].get("on_time")), parts["rework"]["returned"],
            parts["rework"]["reopened"], parts["overdue"]["overdue"], note,
        ])
    book, sheet = sheets.table_sheet(_("Ranking"), heading, header, table)
    for column, width in {"B": 18, "F": 8, "G": 8, "P": 28}.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C3"

    units = content.get("units")
    if units:
        sheets.add_sheet(book, _("Responsible units"), [
            _("Rank"), _("Responsible unit"), _("Cases dispatched"), _("Cases rectified"),
            _("Due (fell due or overdue at the start)"), _("Handled by the deadline"), _("On-time handling rate"),
            _("Rate used (pulled toward the subdistrict's)"), _("Cases returned for rework"), _("Cases reopened"),
            _("Overdue at the end of the week"), _("Change")],
            [[u["rank"], u["name"], u["dispatched"], u["rectified"], u["due"], u["met"], u["on_time_rate"],
              u["adjusted_rate"], u["returned"], u["reopened"], u["overdue"], change_label(u)] for u in units])

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
                    details += [[row["name"], part_name(part), participation_name(item["name"]), item["value"]]
                                for item in value]
                    continue
                details.append([row["name"], part_name(part), figure_name(part, name), _value(name, value)])
    sheets.add_sheet(book, _("Parts"), [_("Community"), _("Part"), _("Figure"), _("Value")], details)
    if assessed:
        sheets.add_sheet(book, _("By assessment item"), [
            _("Community"), _("Code"), _("Assessment item"), pgettext("score", "Points"), _("Sample"),
            _("Inspections"), _("Deducted"), _("Expected loss"), _("Score")], assessed)
    formula = book.create_sheet(sheets.sheet_title(_("Formula")))
    for name, value in ranking.formula.items():
        label = formula_.FORMULA_LABELS.get(name)
        sheets.append_row(formula, [_(label) if label else name, formula_value(name, value)])
    if any(row["parts"]["on_time"].get("basis") == "due" for row in rows):
        # The on-time part's rate in words (reports.rates), beside the numbers it was computed from.
        on_time = rates.FORMULAS["on_time_rate"]
        sheets.append_row(formula, [str(on_time.name), str(on_time.words)])
        sheets.append_row(formula, ["", _("(handled by the deadline + k × subdistrict rate) ÷ (due + k) × points, "
                                          "where k is the weight of the subdistrict's rate for few cases")])
    if units:
        sheets.append_row(formula, [_("Responsible units"), _(
            "Units that had cases, by their on-time handling rate pulled toward the subdistrict's with the same k; "
            "then fewer cases overdue at the end of the week, then fewer returned or reopened.")])
    return sheets.to_bytes(book)
