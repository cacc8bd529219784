"""Field scores in the assessment's terms (测评内容 × 分值), on plain numbers.

The national field assessment scores assessment items (`AssessmentItem`, 测评内容), each worth a fixed
number of points (分值). For an item, assessors visit a sample of points of its type (`TypeProfile.
sample_size`) and deduct per finding, never more than the item's points. We inspect far more
points than assessors sample, so a region's score per item is what an assessor's sample would lose
on average:

    item score = max(0, points − sample × deducted ÷ inspections)

where `inspections` counts the inspections of points of the item's type in the region and period,
and `deducted` is the sum, over those inspections, of what their failed check items cost this
assessment item (`CheckItem.penalty` per occurrence of an occurrences item, per failure otherwise:
`penalty_of`). For a mock assessment round the inspections are exactly the sample, so the formula
is the assessors' own: points minus everything found, at least 0.

The region's field score is Σ item score over Σ points of the items that had at least one
inspection (an item nobody inspected is not scored); 得分率 = 100 × score ÷ points.
docs/guide/assessment.md works one example by hand; tests/standards/test_scoring.py checks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    """One assessment item's scoring rule, as the catalog version in force gives it."""

    code: str
    name: str
    points: Decimal
    sample: int
    point_type: str = ""  # the point type's code ("" for items assessed from documents)
    sort_order: int = 0


@dataclass
class Tally:
    """What a region's inspections found for one assessment item: how many inspections of its point
    type there were, and the sum of their deductions from it."""

    inspections: int = 0
    deducted: Decimal = ZERO

    def add(self, inspections: int, deducted: Decimal | str | int) -> None:
        self.inspections += inspections
        self.deducted += Decimal(str(deducted))

    def as_json(self) -> list[Any]:
        """How a rollup stores it: [inspections, "deducted"]."""
        return [self.inspections, str(cents(self.deducted))]


@dataclass(frozen=True)
class ItemScore:
    rule: Rule
    inspections: int
    deducted: Decimal
    expected_loss: Decimal  # sample × deducted ÷ inspections, before the cap
    score: Decimal

    @property
    def rate(self) -> float:
        return float(self.score * 100 / self.rule.points)


@dataclass
class FieldScore:
    items: list[ItemScore] = field(default_factory=list)

    @property
    def score(self) -> Decimal:
        return sum((i.score for i in self.items), ZERO)

    @property
    def points(self) -> Decimal:
        return sum((i.rule.points for i in self.items), ZERO)

    @property
    def rate(self) -> float | None:
        """得分率 in %, or None when nothing was inspected."""
        return float(self.score * 100 / self.points) if self.points else None

    def lost(self) -> list[ItemScore]:
        """The items that lost points, the heaviest loss first."""
        return sorted((i for i in self.items if i.score < i.rule.points),
                      key=lambda i: (i.score - i.rule.points, i.rule.sort_order, i.rule.code))


def penalty_of(measure: str, penalty: Decimal | None, count: int | None) -> Decimal:
    """What one failed check item costs its assessment item: `penalty` per occurrence for an
    occurrences item (at least one occurrence), `penalty` once for any other failure."""
    if penalty is None:
        return ZERO
    if measure == "occurrences":
        return penalty * max(count or 0, 1)
    return penalty


def item_score(rule: Rule, tally: Tally) -> ItemScore:
    if tally.inspections <= 0:
        raise ValueError("an item with no inspection is not scored")
    expected = Decimal(rule.sample) * tally.deducted / Decimal(tally.inspections)
    score = cents(max(ZERO, rule.points - expected))
    return ItemScore(rule=rule, inspections=tally.inspections, deducted=tally.deducted,
                     expected_loss=cents(expected), score=score)


def field_score(rules: Iterable[Rule], tallies: Mapping[str, Tally]) -> FieldScore:
    """Score every rule with at least one inspection, in the catalog's order."""
    out = FieldScore()
    for rule in sorted(rules, key=lambda r: (r.sort_order, r.code)):
        tally = tallies.get(rule.code)
        if tally is not None and tally.inspections > 0:
            out.items.append(item_score(rule, tally))
    return out


def add_tallies(target: dict[str, Tally], stored: Mapping[str, Any]) -> None:
    """Add a rollup's stored tallies ({code: [inspections, "deducted"]}) to `target`."""
    for code, (inspections, deducted) in stored.items():
        target.setdefault(code, Tally()).add(int(inspections), deducted)
