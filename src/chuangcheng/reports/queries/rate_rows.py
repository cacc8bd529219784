"""The case rates of a region (or unit) over a period as rows a page, a bulletin or a workbook shows:
name, value, the formula in words, and the counts it divides with the case list behind each.

The lists are the case list's filters (`cases.queries.CaseFilter`): every count links to exactly
the cases it counts, except where a case can be counted twice in a period (two dispatches of one
case, a case that falls due twice) and the cases open at the end of a past day (no list keeps
them; the open cases now are a click away on the case list).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangcheng.reports import rates

# The rates a unit has (no reports nor ratings are a unit's).
UNIT_RATES = ("on_time_rate", "closure_rate", "rework_rate", "first_time_rate", "dispatch_accuracy")


def _n(fig: Any, name: str) -> int:
    get = fig.get if isinstance(fig, dict) else lambda key, default=0: getattr(fig, key, default)
    return int(get(name, 0) or 0)


def rate_rows(fig: Any, *, since: dt.date, until: dt.date, region: str = "", unit: str = "",
              keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """One row per rate: {"key", "name", "words", "value" (a percentage or None), "parts": [{"label",
    "count", "filters"}]} — `filters` are CaseFilter keyword arguments (None: no list)."""
    period = {"since": since.isoformat(), "until": until.isoformat()}
    scope = {k: v for k, v in (("region", region), ("unit", unit)) if v}
    on = {**scope, **period}
    values = rates.rates_of(fig)
    parts: dict[str, list[tuple[str, int, dict[str, Any] | None]]] = {
        "on_time_rate": [
            (_("rectified by the deadline"), _n(fig, "cases_due_met"), {**on, "due": "met"}),
            (_("fell due or overdue at the start"), _n(fig, "cases_due") + _n(fig, "cases_carried"),
             {**on, "due": "due"}),
            (_("of which missed"), _n(fig, "cases_due") + _n(fig, "cases_carried") - _n(fig, "cases_due_met"),
             {**on, "due": "missed"}),
        ],
        "closure_rate": [
            (pgettext("cases", "closed"), _n(fig, "cases_closed"), {**on, "did": "closed"}),
            (pgettext("cases", "still open at the end"), _n(fig, "cases_open"), None),
        ],
        "rework_rate": [
            (_("returned for rework"), _n(fig, "cases_returned"), {**on, "did": "returned"}),
            (_("rectifications"), _n(fig, "cases_rectified"), {**on, "did": "rectified"}),
        ],
        "first_time_rate": [
            (_("closed at the first attempt"), _n(fig, "cases_first_time"),
             {**on, "did": "closed", "first_time": True}),
            (pgettext("cases", "closed"), _n(fig, "cases_closed"), {**on, "did": "closed"}),
        ],
        "dispatch_accuracy": [
            (_("sent back as the wrong unit"), _n(fig, "cases_wrong_unit"), {**on, "did": "sent_back"}),
            (_("dispatches"), _n(fig, "cases_dispatched"), {**on, "did": "dispatched"}),
        ],
        "public_report_rate": [
            (_("reported by residents"), _n(fig, "cases_from_residents"), {**on, "source": "public"}),
            (_("cases opened"), _n(fig, "cases_opened"), on),
        ],
        "satisfaction_rate": [
            (_("satisfied or basically satisfied"), _n(fig, "ratings_satisfied") + _n(fig, "ratings_basic"),
             {**on, "did": "rated", "rating": "positive"}),
            (_("ratings"), _n(fig, "ratings_satisfied") + _n(fig, "ratings_basic") + _n(fig, "ratings_unsatisfied"),
             {**on, "did": "rated"}),
        ],
    }
    out = []
    for key, formula in rates.FORMULAS.items():
        if keys is not None and key not in keys:
            continue
        value = values[key]
        out.append({
            "key": key, "name": str(formula.name), "words": str(formula.words),
            "value": None if value is None else round(value, 1),
            "parts": [{"label": label, "count": count, "filters": filters} for label, count, filters in parts[key]],
        })
    return out
