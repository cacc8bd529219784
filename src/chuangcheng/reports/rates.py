"""Every rate the figures show, on plain counts: one small function each, with its formula in words
(`FORMULAS`, English message ids, translated where shown). No database here.

Each returns a percentage (0–100, a float) or None when there is nothing to divide by: a page shows
"—" then, never 100 %. The counts are those of the daily rollups (`DailyRollup`, `UnitRollup`)
summed over a period, except the snapshots named below. Definitions follow the indicators of
digital urban management (数字化城市管理, GB/T 30428) where the standard has one; the choices made
where it leaves room are said in each docstring and in docs/guide/dashboards.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


def _pct(part: float, whole: float) -> float | None:
    if not whole:
        return None
    return 100.0 * float(part) / float(whole)


def on_time(due_met: int, due: int, carried: int = 0) -> float | None:
    """按期处置率 (GB/T 30428: 按期处置数 ÷ 应处置数).

    due_met ÷ (due + carried): `due` counts the deadlines that fell in the period (a case whose
    deadline in force came within it: rectified by then or not), `due_met` those the case was
    rectified (or closed) by, `carried` the cases open and overdue at the start of the period (上期
    超期未处置: they were due and still are). So every case overdue at the end of the period is in
    the denominator and not in the numerator: the rate is below 100 % whenever one is overdue.
    Fixes made late count against, fixes made early count on the day the deadline falls."""
    return _pct(due_met, due + carried)


def closure(closed: int, open_at_end: int) -> float | None:
    """结案率: closed ÷ (closed + still open at the end of the period).

    GB/T 30428 divides by the cases due to close (应结案数), which needs a time limit for closing;
    the platform keeps a handling deadline only (按期处置率 uses it). So the denominator here is the
    period's caseload: what was open at its start or opened (or reopened) in it, less what was
    rejected — which equals the cases closed plus those still open at the end. A case closed twice
    in the period (reopened in between) counts twice."""
    return _pct(closed, closed + open_at_end)


def rework(returned: int, rectified: int) -> float | None:
    """返工率 (GB/T 30428: 返工数 ÷ 处置数): rectifications returned for rework by the verifier
    ÷ rectifications made. Over a short period it can exceed 100 % (returned today, rectified
    yesterday); over a week or more it is a share."""
    return _pct(returned, rectified)


def first_time(first_time_closed: int, closed: int) -> float | None:
    """一次完成率: cases closed without any rework nor reopening before that closing ÷ cases closed."""
    return _pct(first_time_closed, closed)


def dispatch_accuracy(wrong_unit: int, dispatched: int) -> float | None:
    """准确派遣率 (GB/T 30428: (派遣数 − 回退数) ÷ 派遣数) = 1 − sent back as the wrong unit ÷
    dispatches (first dispatches and re-dispatches), never below 0."""
    rate = _pct(wrong_unit, dispatched)
    return None if rate is None else max(0.0, 100.0 - rate)


def public_report(from_residents: int, opened: int) -> float | None:
    """监督举报率 (GB/T 30428: 公众举报数 ÷ 立案数): problems residents reported (themselves or
    through the 12345 hotline) ÷ all problems found (cases opened). High means the inspectors missed
    what residents saw."""
    return _pct(from_residents, opened)


def satisfaction(satisfied: int, basic: int, unsatisfied: int) -> float | None:
    """群众满意率: (satisfied + basically satisfied) ÷ ratings given. 基本满意 counts as satisfied,
    as the 12345 hotlines' callbacks (回访满意率) count it; only 不满意 counts against."""
    return _pct(satisfied + basic, satisfied + basic + unsatisfied)


@dataclass(frozen=True)
class Formula:
    key: str
    name: Any  # translated lazily
    words: Any


# Each rate's name and formula in words, in the order pages show them.
FORMULAS: dict[str, Formula] = {f.key: f for f in [
    Formula("on_time_rate", _("On-time handling rate"),
            _("cases rectified by their deadline ÷ (cases whose deadline fell in the period + cases overdue "
              "at its start)")),
    Formula("closure_rate", _("Closure rate"),
            _("cases closed ÷ (cases closed + cases still open at the end)")),
    Formula("rework_rate", _("Rework rate"),
            _("rectifications returned for rework ÷ rectifications")),
    Formula("first_time_rate", _("First-time completion rate"),
            _("cases closed without rework or reopening ÷ cases closed")),
    Formula("dispatch_accuracy", _("Accurate dispatch rate"),
            _("1 − dispatches sent back as the wrong unit ÷ dispatches")),
    Formula("public_report_rate", _("Public report rate"),
            _("problems reported by residents (incl. hotline) ÷ cases opened")),
    Formula("satisfaction_rate", _("Residents' satisfaction rate"),
            _("(satisfied + basically satisfied) ÷ ratings")),
]}


def rates_of(fig: Any) -> dict[str, float | None]:
    """Every rate of a region's or unit's figures (`Figures`, `UnitFigures`, or a dict of counts);
    counts a unit does not have (ratings, reports) give None."""
    get = fig.get if isinstance(fig, dict) else lambda name, default=0: getattr(fig, name, default)

    def n(name: str) -> int:
        return int(get(name, 0) or 0)

    out = {
        "on_time_rate": on_time(n("cases_due_met"), n("cases_due"), n("cases_carried")),
        "closure_rate": closure(n("cases_closed"), n("cases_open")),
        "rework_rate": rework(n("cases_returned"), n("cases_rectified")),
        "first_time_rate": first_time(n("cases_first_time"), n("cases_closed")),
        "dispatch_accuracy": dispatch_accuracy(n("cases_wrong_unit"), n("cases_dispatched")),
        "public_report_rate": public_report(n("cases_from_residents"), n("cases_opened")),
        "satisfaction_rate": satisfaction(n("ratings_satisfied"), n("ratings_basic"), n("ratings_unsatisfied")),
    }
    return out
