"""The weekly ranking formula (周排名), on plain numbers: no database here, so every figure can be
checked by hand (docs/ranking.md walks through one week).

100 points = field 70 + work 30 (the default; a subdistrict changes any number through its
`RankingRules.formula`, which holds only what differs from `DEFAULT_FORMULA`):

- field (实地): the week's field 得分率 in the assessment's terms (standards.scoring) × 70: for each
  assessment item (测评内容) of the points inspected, score = max(0, 分值 − sample × deducted ÷
  inspections); 得分率 = Σ scores ÷ Σ 分值 of the items inspected. With `independent_only` (default
  on) only independent checks count (street, cross-check, district, covert), not the community's
  self-checks. A community with fewer than `min_inspections` inspections scored (independent ones
  when `independent_only`) is listed but not ranked. The row keeps each assessment item's
  figures (`parts.field.by_item`), so a clerk can trace the part.
- on time (按期处置率, GB/T 30428, `reports.rates.on_time`): (met + k × street rate) / (due + k) × 15,
  k = `prior_weight`, where due = the cases whose deadline fell in the week plus those open and
  overdue at its start, met = those of the week's deadlines the case was rectified by. An overdue
  case always counts against; a few cases move a community's rate only a little away from the
  subdistrict's. (Rankings computed before this rule divided on-time fixes by fixes made: their
  frozen rows keep that, marked by the absence of `basis: "due"`.)
- rework (返工与重办): 10 − 2 × (returned for rework + reopened), never below 0.
- overdue (超期): 5 − 1 × cases open and overdue at the end of the week, never below 0.
- participation (参与): weight 0 by default; the mean of min(value / target, 1) over the named
  figures in `participation_targets`: a week's sum of the rollups' `extra` (volunteer_hours,
  household_visits, ...) or one of the rates `participation_figures` derives from those sums and
  the community's residents and households (PARTICIPATION_FIGURES lists them).

Every part is rounded to 2 decimals (half up) and the total is the sum of the rounded parts, so a
clerk adding the columns gets the total. Ranks go by total, ties share a rank (1, 2, 2, 4).

The street's responsible units that had cases in the week are ranked beside the communities
(`rank_units`): by their 按期处置率 pulled toward the street's with the same k, then fewer cases
overdue at the week's end, then fewer returned or reopened. `honours` picks the 红榜 and 黑榜 of
both, with reasons read from each row's own figures.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_noop

from chuangcheng.standards.scoring import FieldScore

CENT = Decimal("0.01")

DEFAULT_FORMULA: dict[str, Any] = {
    "field_weight": 70,
    "min_inspections": 10,
    # the field part from independent checks only (self-checks still count for coverage)
    "independent_only": True,
    "on_time_weight": 15,
    "prior_weight": 5,
    "rework_weight": 10,
    "rework_penalty": 2,
    "overdue_weight": 5,
    "overdue_penalty": 1,
    "participation_weight": 0,
    # {name in DailyRollup.extra: the week's target}, e.g. {"volunteer_hours": 40}
    "participation_targets": {},
    # the least total of each level; below "fair" is "poor"
    "levels": {"excellent": 90, "good": 80, "fair": 60},
}

WEIGHT_KEYS = ("field_weight", "on_time_weight", "rework_weight", "overdue_weight", "participation_weight")
NUMBER_KEYS = (*WEIGHT_KEYS, "min_inspections", "prior_weight", "rework_penalty", "overdue_penalty")
LEVELS = ("excellent", "good", "fair", "poor")
TOTAL = Decimal(100)
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# The figures a participation target can name, with what they are (shown on the rules page).
# Sums over the week of DailyRollup.extra:
SUMMED_FIGURES: dict[str, str] = {
    "volunteer_hours": gettext_noop("volunteer hours"),
    "volunteer_attendances": gettext_noop("volunteer attendances"),
    "party_member_attendances": gettext_noop("party members' attendances"),
    "volunteer_actions": gettext_noop("volunteer actions held"),
    "household_visits": gettext_noop("households visited"),
    "pushes_sent": gettext_noop("online pushes delivered to grid groups"),
    "offline_items_added": gettext_noop("posters, screens and boards put up"),
    "survey_responses": gettext_noop("survey answers"),
    "tasks_completed_on_time": gettext_noop("tasks completed on time"),
}
# Rates worked out from those sums (a rate with nothing to divide by is 0):
RATE_FIGURES: dict[str, str] = {
    "volunteer_hours_per_1000": gettext_noop("volunteer hours per 1,000 residents"),
    "household_visits_per_100": gettext_noop("households visited per 100 households"),
    "awareness_rate": gettext_noop("awareness rate in surveys (%)"),
    "support_rate": gettext_noop("support rate in surveys (%)"),
    "participation_rate": gettext_noop("participation rate in surveys (%)"),
    "satisfaction_rate": gettext_noop("satisfaction rate in surveys (%)"),
    "satisfaction_score": gettext_noop("mean satisfaction score in surveys (0–100)"),
    "tasks_on_time_rate": gettext_noop("tasks completed on time (%)"),
}
PARTICIPATION_FIGURES: dict[str, str] = {**SUMMED_FIGURES, **RATE_FIGURES}


# Each setting of the formula by name (the rules form's labels; the workbook's formula sheet).
FORMULA_LABELS: dict[str, str] = {
    "field_weight": gettext_noop("Field inspections (points)"),
    "min_inspections": gettext_noop("Least inspections in the week to be ranked"),
    "independent_only": gettext_noop("Field score from independent checks only"),
    "on_time_weight": gettext_noop("On-time rectification (points)"),
    "prior_weight": gettext_noop("Weight of the subdistrict's rate for few cases (k)"),
    "rework_weight": gettext_noop("Rework and reopening (points)"),
    "rework_penalty": gettext_noop("Points off per case returned or reopened"),
    "overdue_weight": gettext_noop("No overdue cases (points)"),
    "overdue_penalty": gettext_noop("Points off per case overdue at the end of the week"),
    "participation_weight": gettext_noop("Participation (points)"),
    "participation_targets": gettext_noop("Participation figures and their weekly targets"),
    "levels": gettext_noop("Levels"),
}


def is_participation_figure(name: str) -> bool:
    """A name of PARTICIPATION_FIGURES, or a volunteer action's outcome counter (outcome_<code>)."""
    return name in PARTICIPATION_FIGURES or (name.startswith("outcome_") and bool(NAME_RE.match(name)))


def _ratio(numerator: Any, denominator: Any, scale: int) -> Decimal | None:
    top, bottom = _number(numerator or 0), _number(denominator or 0)
    if top is None or bottom is None or bottom <= 0:
        return None
    return (top * scale / bottom).quantize(CENT, rounding=ROUND_HALF_UP)


def participation_figures(extra: Mapping[str, Any], *, population: int | None = None,
                          households: int | None = None) -> dict[str, Any]:
    """`extra` (a period's sums) with the rates of RATE_FIGURES added, each rounded to 2 decimals:
    per 1,000 residents or 100 households of the region, survey rates as positive ÷ valid answers
    × 100 (the survey's own definitions decide which answer is positive or valid), the satisfaction
    score as the sum of scores ÷ the answers scored."""
    out = dict(extra)
    rates = {
        "volunteer_hours_per_1000": _ratio(extra.get("volunteer_hours"), population, 1000),
        "household_visits_per_100": _ratio(extra.get("household_visits"), households, 100),
        "satisfaction_score": _ratio(extra.get("survey_satisfaction_score_sum"),
                                     extra.get("survey_satisfaction_scored"), 1),
        "tasks_on_time_rate": _ratio(extra.get("tasks_completed_on_time"), extra.get("tasks_completed"), 100),
    }
    for indicator in ("awareness", "support", "participation", "satisfaction"):
        rates[f"{indicator}_rate"] = _ratio(extra.get(f"survey_{indicator}_positive"),
                                            extra.get(f"survey_{indicator}_valid"), 100)
    out.update({name: value for name, value in rates.items() if value is not None})
    return out


class FormulaError(ValueError):
    """A formula that cannot be used: {key: [message id, params]} for the rules form to translate."""

    def __init__(self, errors: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except ArithmeticError:
            return None
    return None


def merged(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The default formula with a subdistrict's overrides applied (levels merged key by key)."""
    formula = copy.deepcopy(DEFAULT_FORMULA)
    for key, value in (overrides or {}).items():
        if key == "levels" and isinstance(value, Mapping):
            formula["levels"].update(value)
        else:
            formula[key] = copy.deepcopy(value)
    return formula


def validate(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The full formula for these overrides, or FormulaError naming each bad key.

    Message ids are English (the caller translates them): weights are 0–100 and add up to 100,
    counts are whole numbers, levels fall from excellent to fair."""
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    unknown = sorted(set(overrides or {}) - set(DEFAULT_FORMULA))
    if unknown:
        errors["__all__"] = (gettext_noop("Unknown settings: %(names)s."), {"names": ", ".join(unknown)})
    formula = merged(overrides)
    numbers: dict[str, Decimal] = {}
    for key in NUMBER_KEYS:
        number = _number(formula[key])
        if number is None or not number.is_finite() or number < 0:
            errors[key] = (gettext_noop("Enter a number of 0 or more."), {})
            continue
        if key in {"min_inspections"} and number != number.to_integral_value():
            errors[key] = (gettext_noop("Enter a whole number."), {})
            continue
        if key in WEIGHT_KEYS and number > TOTAL:
            errors[key] = (gettext_noop("Enter a number from 0 to 100."), {})
            continue
        if number > 10_000:
            errors[key] = (gettext_noop("Enter a number from 0 to %(max)s."), {"max": 10_000})
            continue
        numbers[key] = number
        formula[key] = int(number) if number == number.to_integral_value() else float(number)
    if all(key in numbers for key in WEIGHT_KEYS):
        weights = sum((numbers[key] for key in WEIGHT_KEYS), Decimal(0))
        if weights != TOTAL:
            errors.setdefault("__all__", (gettext_noop("The weights add up to %(sum)s; they must add up to 100."),
                                 {"sum": _plain(weights)}))
    if not isinstance(formula["independent_only"], bool):
        errors["independent_only"] = (gettext_noop("Answer yes or no."), {})
    targets = formula["participation_targets"]
    if not isinstance(targets, Mapping):
        errors["participation_targets"] = (gettext_noop("Give each figure as name=target."), {})
    else:
        clean: dict[str, Any] = {}
        for name, target in targets.items():
            number = _number(target)
            if not isinstance(name, str) or not NAME_RE.match(name):
                errors["participation_targets"] = (
                    gettext_noop("A figure's name is lower-case letters, digits and _ (not %(name)s)."),
                    {"name": str(name)[:40]})
                break
            if not is_participation_figure(name):
                errors["participation_targets"] = (
                    gettext_noop("There is no figure named %(name)s: see the list of figures participation can use."),
                    {"name": name})
                break
            if number is None or not number.is_finite() or number <= 0:
                errors["participation_targets"] = (
                    gettext_noop("The target of %(name)s must be more than 0."), {"name": name})
                break
            clean[name] = _plain(number)
        else:
            formula["participation_targets"] = clean
            if numbers.get("participation_weight", Decimal(0)) > 0 and not clean:
                errors["participation_targets"] = (
                    gettext_noop("Participation has a weight: name at least one figure and its target."), {})
    levels = formula["levels"]
    if not isinstance(levels, Mapping) or set(levels) - set(LEVELS[:3]):
        errors["levels"] = (gettext_noop("Give the least total of excellent, good and fair."), {})
    else:
        bounds = [_number(levels.get(name)) for name in LEVELS[:3]]
        if any(b is None or not b.is_finite() or b < 0 or b > TOTAL for b in bounds):
            errors["levels"] = (gettext_noop("Each level's least total is a number from 0 to 100."), {})
        elif not (bounds[0] > bounds[1] > bounds[2]):  # type: ignore[operator]
            errors["levels"] = (gettext_noop("Excellent needs more than good, and good more than fair."), {})
        else:
            formula["levels"] = {name: _plain(b) for name, b in zip(LEVELS[:3], bounds, strict=True)}  # type: ignore[arg-type]
    if errors:
        raise FormulaError(errors)
    return formula


def overrides_of(formula: Mapping[str, Any]) -> dict[str, Any]:
    """What differs from the default: what `RankingRules.formula` stores."""
    out: dict[str, Any] = {}
    for key, default in DEFAULT_FORMULA.items():
        if key in formula and formula[key] != default:
            if key == "levels":
                diff = {k: v for k, v in formula[key].items() if default.get(k) != v}
                if diff:
                    out[key] = diff
            else:
                out[key] = formula[key]
    return out


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Inputs:
    """One community's figures for the week (the names of `Figures` / `DailyRollup`). The field's
    `score` and `max_score` are the week's field score and the 分值 of the assessment items inspected
    (`FieldScore.score`, `.points`); `inspections` the inspections they count (what
    `min_inspections` asks for), `field_items` each item's figures (`field_items()`)."""

    code: str
    name: str
    inspections: int = 0
    score: Decimal | float | int = 0
    max_score: Decimal | float | int = 0
    field_items: list[dict[str, Any]] = field(default_factory=list)
    checks: str = "independent"  # or "all": which inspections the field part counts
    inspections_all: int | None = None  # every inspection, self-checks too (coverage)
    cases_rectified: int = 0
    cases_rectified_on_time: int = 0
    cases_returned: int = 0
    cases_reopened: int = 0
    cases_overdue: int = 0
    # 按期处置率's counts: deadlines that fell in the week, of them met, overdue cases carried in.
    cases_due: int = 0
    cases_due_met: int = 0
    cases_carried: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return self.cases_due + self.cases_carried


@dataclass
class StreetRates:
    """What small samples are shrunk toward: the subdistrict's own week."""

    cases_due: int = 0
    cases_due_met: int = 0
    cases_carried: int = 0

    @property
    def due(self) -> int:
        return self.cases_due + self.cases_carried

    @property
    def on_time_rate(self) -> Decimal:
        # With nothing due in the whole subdistrict nobody was late: every community gets full marks.
        if not self.due:
            return Decimal(1)
        return Decimal(self.cases_due_met) / Decimal(self.due)


def _f(value: Decimal, places: int = 4) -> float:
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def score_row(inputs: Inputs, street: StreetRates, formula: Mapping[str, Any]) -> dict[str, Any]:
    """One community's parts: every input, intermediate and weight, and its total (or None when it
    cannot be ranked). `formula` is a validated full formula."""
    w_field = Decimal(str(formula["field_weight"]))
    score, max_score = Decimal(str(inputs.score)), Decimal(str(inputs.max_score))
    field_rate = score / max_score if max_score > 0 else None
    field_points = _points(field_rate * w_field) if field_rate is not None else None
    field_part = {
        "inspections": inputs.inspections, "min_inspections": int(formula["min_inspections"]),
        "score": _f(score, 2), "max_score": _f(max_score, 2),
        "rate": _f(field_rate) if field_rate is not None else None,
        "weight": formula["field_weight"], "points": float(field_points) if field_points is not None else None,
        "checks": inputs.checks,
        "inspections_all": inputs.inspections if inputs.inspections_all is None else inputs.inspections_all,
        "by_item": list(inputs.field_items),
    }

    k = Decimal(str(formula["prior_weight"]))
    x, n = inputs.cases_due_met, inputs.due
    street_rate = street.on_time_rate
    on_time_rate = (Decimal(x) + k * street_rate) / (Decimal(n) + k) if n + k > 0 else street_rate
    on_time_points = _points(on_time_rate * Decimal(str(formula["on_time_weight"])))
    on_time_part = {
        "basis": "due", "met": x, "due": n, "carried": inputs.cases_carried,
        "street_met": street.cases_due_met, "street_due": street.due, "street_rate": _f(street_rate),
        "prior_weight": formula["prior_weight"],
        "raw_rate": _f(Decimal(x) / Decimal(n)) if n else None, "rate": _f(on_time_rate),
        "weight": formula["on_time_weight"], "points": float(on_time_points),
    }

    w_rework = Decimal(str(formula["rework_weight"]))
    rework_count = inputs.cases_returned + inputs.cases_reopened
    rework_points = _points(max(Decimal(0), w_rework - Decimal(str(formula["rework_penalty"])) * rework_count))
    rework_part = {
        "returned": inputs.cases_returned, "reopened": inputs.cases_reopened, "count": rework_count,
        "penalty": formula["rework_penalty"], "weight": formula["rework_weight"], "points": float(rework_points),
    }

    w_overdue = Decimal(str(formula["overdue_weight"]))
    overdue_penalty = Decimal(str(formula["overdue_penalty"])) * inputs.cases_overdue
    overdue_points = _points(max(Decimal(0), w_overdue - overdue_penalty))
    overdue_part = {
        "overdue": inputs.cases_overdue, "penalty": formula["overdue_penalty"],
        "weight": formula["overdue_weight"], "points": float(overdue_points),
    }

    items = []
    ratios: list[Decimal] = []
    for name, target in sorted(formula["participation_targets"].items()):
        value = _number(inputs.extra.get(name, 0)) or Decimal(0)
        ratio = min(max(value, Decimal(0)) / Decimal(str(target)), Decimal(1))
        ratios.append(ratio)
        items.append({"name": name, "value": _plain(value), "target": target, "ratio": _f(ratio)})
    participation_rate = sum(ratios, Decimal(0)) / len(ratios) if ratios else Decimal(0)
    participation_points = _points(participation_rate * Decimal(str(formula["participation_weight"])))
    participation_part = {
        "items": items, "rate": _f(participation_rate), "weight": formula["participation_weight"],
        "points": float(participation_points),
    }

    work = on_time_points + rework_points + overdue_points + participation_points
    if field_points is None:
        reason = "no_score"
    elif inputs.inspections < int(formula["min_inspections"]):
        reason = "too_few_inspections"
    else:
        reason = ""
    total = field_points + work if field_points is not None else None
    return {
        "code": inputs.code, "name": inputs.name,
        "ranked": not reason, "reason": reason,
        "total": float(total) if total is not None else None,
        "field": float(field_points) if field_points is not None else None,
        "work": float(work),
        "level": level_of(total, formula["levels"]) if total is not None else "",
        "parts": {"field": field_part, "on_time": on_time_part, "rework": rework_part,
                  "overdue": overdue_part, "participation": participation_part},
        "rank": None, "previous_rank": None, "change": None,
    }


def field_items(score: FieldScore) -> list[dict[str, Any]]:
    """Each assessment item of a field score as a ranking keeps it: code, name, 分值 (`points`),
    sample, inspections, deducted, expected loss and score."""
    return [{"code": i.rule.code, "name": i.rule.name, "points": _f(i.rule.points, 2), "sample": i.rule.sample,
             "inspections": i.inspections, "deducted": _f(i.deducted, 2), "loss": _f(i.expected_loss, 2),
             "score": _f(i.score, 2)} for i in score.items]


def inspections_scored(score: FieldScore) -> int:
    """How many inspections a field score counts: every inspection is counted once for each assessment
    item of its point's type, so per point type it is any of its items' count (the largest)."""
    by_type: dict[str, int] = {}
    for item in score.items:
        by_type[item.rule.point_type] = max(by_type.get(item.rule.point_type, 0), item.inspections)
    return sum(by_type.values())


def level_of(total: Decimal | float, levels: Mapping[str, Any]) -> str:
    value = Decimal(str(total))
    for name in LEVELS[:3]:
        if value >= Decimal(str(levels[name])):
            return name
    return "poor"


def assign_ranks(rows: list[dict[str, Any]], previous: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Rank the ranked rows by total (ties share a rank: 1, 2, 2, 4), unranked rows last; the
    change is last week's rank minus this week's (positive = moved up), None when new."""
    previous = previous or {}
    ranked = sorted((r for r in rows if r["ranked"]), key=lambda r: (-Decimal(str(r["total"])), r["code"]))
    rank, last_total = 0, None
    for position, row in enumerate(ranked, start=1):
        if row["total"] != last_total:
            rank, last_total = position, row["total"]
        row["rank"] = rank
    others = sorted((r for r in rows if not r["ranked"]), key=lambda r: r["code"])
    for row in [*ranked, *others]:
        before = previous.get(row["code"])
        row["previous_rank"] = before
        row["change"] = before - row["rank"] if before is not None and row["rank"] is not None else None
    return [*ranked, *others]


def rank_week(communities: Sequence[Inputs], street: StreetRates, formula: Mapping[str, Any],
              previous: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Every community's row, in table order."""
    return assign_ranks([score_row(inputs, street, formula) for inputs in communities], previous)


# --- the responsible units ----------------------------------------------------------------------


@dataclass
class UnitInputs:
    """One responsible unit's week (the names of `UnitFigures`)."""

    code: str
    name: str
    cases_dispatched: int = 0
    cases_rectified: int = 0
    cases_returned: int = 0
    cases_reopened: int = 0
    cases_overdue: int = 0
    cases_due: int = 0
    cases_due_met: int = 0
    cases_carried: int = 0

    @property
    def due(self) -> int:
        return self.cases_due + self.cases_carried

    def had_cases(self) -> bool:
        return bool(self.cases_dispatched or self.cases_rectified or self.due or self.cases_overdue
                    or self.cases_returned or self.cases_reopened)


def unit_row(inputs: UnitInputs, street: StreetRates, formula: Mapping[str, Any]) -> dict[str, Any]:
    """A unit's figures and the rate it is ranked by: its 按期处置率 pulled toward the subdistrict's
    with the communities' prior, (met + k × street rate) ÷ (due + k)."""
    k = Decimal(str(formula["prior_weight"]))
    x, n = inputs.cases_due_met, inputs.due
    adjusted = (Decimal(x) + k * street.on_time_rate) / (Decimal(n) + k) if n + k > 0 else street.on_time_rate
    return {
        "code": inputs.code, "name": inputs.name, "dispatched": inputs.cases_dispatched,
        "rectified": inputs.cases_rectified, "returned": inputs.cases_returned, "reopened": inputs.cases_reopened,
        "rework": inputs.cases_returned + inputs.cases_reopened, "overdue": inputs.cases_overdue,
        "due": n, "met": x, "carried": inputs.cases_carried,
        "on_time_rate": _f(Decimal(x) / Decimal(n)) if n else None, "adjusted_rate": _f(adjusted),
        "prior_weight": formula["prior_weight"],
        "rank": None, "previous_rank": None, "change": None,
    }


def unit_order(row: Mapping[str, Any]) -> tuple[Decimal, int, int]:
    """What ranks the units, best first: the adjusted on-time rate (higher), then the cases overdue
    at the end of the week (fewer), then the cases returned or reopened (fewer)."""
    return -Decimal(str(row["adjusted_rate"])), int(row["overdue"]), int(row["rework"])


def rank_units(units: Sequence[UnitInputs], street: StreetRates, formula: Mapping[str, Any],
               previous: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """The units that had cases in the week, ranked by `unit_order` (equal keys share a rank), with
    the change against last week's rank (positive = moved up)."""
    previous = previous or {}
    rows = sorted((unit_row(u, street, formula) for u in units if u.had_cases()),
                  key=lambda r: (*unit_order(r), r["code"]))
    rank, last = 0, None
    for position, row in enumerate(rows, start=1):
        key = unit_order(row)
        if key != last:
            rank, last = position, key
        row["rank"] = rank
        before = previous.get(row["code"])
        row["previous_rank"] = before
        row["change"] = before - rank if before is not None else None
    return rows


# --- 红榜 and 黑榜 -------------------------------------------------------------------------------

# A reason is (message id, params): the caller translates it, as with FormulaError.
Reason = tuple[str, dict[str, Any]]


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _change_reasons(row: Mapping[str, Any], *, best: bool) -> list[Reason]:
    change = row.get("change")
    if best and change and change > 0:
        return [(gettext_noop("up %(n)s places on last week"), {"n": change})]
    if not best and change and change < 0:
        return [(gettext_noop("down %(n)s places on last week"), {"n": -change})]
    return []


def community_reasons(row: Mapping[str, Any], ranked: Sequence[Mapping[str, Any]], *, best: bool) -> list[Reason]:
    """Why a community is on the 红榜 (`best`) or the 黑榜, from its own parts only."""
    parts = row.get("parts", {})
    field_rate = (parts.get("field") or {}).get("rate")
    rates = [r["parts"]["field"]["rate"] for r in ranked if r.get("parts", {}).get("field", {}).get("rate") is not None]
    on_time = parts.get("on_time") or {}
    rework = parts.get("rework") or {}
    overdue = (parts.get("overdue") or {}).get("overdue", 0)
    out: list[Reason] = []
    if field_rate is not None and len(rates) > 1 and field_rate == (max(rates) if best else min(rates)):
        out.append((gettext_noop("the highest field score rate (%(rate)s)") if best
                    else gettext_noop("the lowest field score rate (%(rate)s)"), {"rate": _pct(field_rate)}))
    elif field_rate is not None:
        out.append((gettext_noop("field score rate %(rate)s"), {"rate": _pct(field_rate)}))
    due, met = on_time.get("due"), on_time.get("met")
    if on_time.get("basis") == "due" and due:
        if best and met == due:
            out.append((gettext_noop("all %(n)s cases due handled by the deadline"), {"n": due}))
        elif not best and met is not None and met < due:
            out.append((gettext_noop("%(met)s of %(due)s cases due handled by the deadline"),
                        {"met": met, "due": due}))
    if best:
        if not overdue:
            out.append((gettext_noop("no case overdue"), {}))
        if not rework.get("count"):
            out.append((gettext_noop("no case returned or reopened"), {}))
    else:
        if overdue:
            out.append((gettext_noop("%(n)s cases overdue at the end of the week"), {"n": overdue}))
        if rework.get("count"):
            out.append((gettext_noop("%(returned)s returned for rework, %(reopened)s reopened"),
                        {"returned": rework.get("returned", 0), "reopened": rework.get("reopened", 0)}))
    return out + _change_reasons(row, best=best)


def unit_reasons(row: Mapping[str, Any], *, best: bool) -> list[Reason]:
    """Why a unit is on the 红榜 or the 黑榜, from its own figures."""
    out: list[Reason] = []
    if row.get("due"):
        out.append((gettext_noop("on-time handling rate %(rate)s (%(met)s of %(due)s)"),
                    {"rate": _pct(row.get("on_time_rate")), "met": row["met"], "due": row["due"]}))
    if best:
        if not row.get("overdue"):
            out.append((gettext_noop("no case overdue"), {}))
        if not row.get("rework"):
            out.append((gettext_noop("no case returned or reopened"), {}))
    else:
        if row.get("overdue"):
            out.append((gettext_noop("%(n)s cases overdue at the end of the week"), {"n": row["overdue"]}))
        if row.get("rework"):
            out.append((gettext_noop("%(returned)s returned for rework, %(reopened)s reopened"),
                        {"returned": row.get("returned", 0), "reopened": row.get("reopened", 0)}))
    return out + _change_reasons(row, best=best)


def _split(ranked: Sequence[Mapping[str, Any]], size: int) -> tuple[list[Any], list[Any]]:
    """The first and the last `size` (at most half of the ranked each, so no one is on both)."""
    n = min(size, len(ranked) // 2)
    if not n:
        return [], []
    return list(ranked[:n]), list(reversed(ranked[-n:]))


def honours(rows: Sequence[Mapping[str, Any]], units: Sequence[Mapping[str, Any]] = (),
            size: int = 3) -> dict[str, list[dict[str, Any]]]:
    """The 红榜 (the first `size` ranked) and the 黑榜 (the last `size`, worst first) of the
    communities and of the units, each with its reasons; at most half of those ranked go on each
    list, so with fewer than two ranked there is none."""
    ranked = [row for row in rows if row.get("rank")]
    red, black = _split(ranked, size)
    units_red, units_black = _split([u for u in units if u.get("rank")], size)

    def entry(row: Mapping[str, Any], reasons: list[Reason]) -> dict[str, Any]:
        return {"code": row["code"], "name": row["name"], "rank": row["rank"], "total": row.get("total"),
                "reasons": reasons}

    return {
        "red": [entry(r, community_reasons(r, ranked, best=True)) for r in red],
        "black": [entry(r, community_reasons(r, ranked, best=False)) for r in black],
        "units_red": [entry(u, unit_reasons(u, best=True)) for u in units_red],
        "units_black": [entry(u, unit_reasons(u, best=False)) for u in units_black],
    }
