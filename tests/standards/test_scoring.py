"""The field score in the assessment's terms, on plain numbers (standards.scoring)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuangcheng.standards.scoring import Rule, Tally, add_tallies, field_score, item_score, penalty_of

D = Decimal


def rule(code: str, points: str, sample: int, order: int = 0) -> Rule:
    return Rule(code=code, name=code, points=D(points), sample=sample, sort_order=order)


def test_an_occurrence_costs_the_penalty_each_time_and_any_other_failure_once():
    assert penalty_of("occurrences", D("0.5"), 3) == D("1.5")
    assert penalty_of("occurrences", D("0.5"), None) == D("0.5")  # a failure is at least one occurrence
    assert penalty_of("presence", D("2"), 7) == D("2")
    assert penalty_of("count", None, 1) == 0


def test_the_loss_is_what_an_assessors_sample_would_lose_on_average():
    # 12 inspections of bus stops lost 3 points in all: an assessor visiting 5 stops would lose
    # 5 × 3 / 12 = 1.25 of the item's 4 points.
    scored = item_score(rule("BUS-ENV", "4", 5), Tally(12, D("3")))
    assert scored.expected_loss == D("1.25")
    assert scored.score == D("2.75")
    assert scored.rate == pytest.approx(68.75)


def test_the_loss_never_goes_below_zero():
    scored = item_score(rule("MARKET-ENV", "3", 2), Tally(2, D("9")))
    assert scored.score == 0


def test_one_finding_moves_the_score_visibly():
    clean = field_score([rule("A", "4", 3)], {"A": Tally(10, D("0"))})
    one_patch = field_score([rule("A", "4", 3)], {"A": Tally(10, D("1"))})
    assert clean.rate == 100
    assert one_patch.rate == pytest.approx(92.5)  # 4 − 3 × 1 / 10 = 3.7 of 4


def test_items_nobody_inspected_are_not_scored_and_the_order_is_the_catalogs():
    rules = [rule("B", "2", 3, order=2), rule("A", "4", 3, order=1), rule("C", "6", 3, order=3)]
    scored = field_score(rules, {"B": Tally(3, D("1")), "A": Tally(6, D("4"))})
    assert [i.rule.code for i in scored.items] == ["A", "B"]
    assert scored.points == D("6")
    assert scored.score == D("3")  # A: 4 − 3 × 4 / 6 = 2; B: 2 − 3 × 1 / 3 = 1
    assert scored.rate == pytest.approx(50.0)
    assert [i.rule.code for i in scored.lost()] == ["A", "B"]
    assert field_score(rules, {}).rate is None


def test_stored_tallies_add_up_over_days():
    total: dict[str, Tally] = {}
    add_tallies(total, {"A": [3, "1.50"]})
    add_tallies(total, {"A": [2, "0.50"], "B": [1, "0"]})
    assert total["A"].inspections == 5 and total["A"].deducted == D("2.00")
    assert total["A"].as_json() == [5, "2.00"]
    assert total["B"].as_json() == [1, "0.00"]
