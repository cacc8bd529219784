"""The ranking formula on plain numbers, every expected value worked out by hand in the comment
beside it (docs/ranking.md explains the formula)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuangcheng.reports.ranking import (
    DEFAULT_FORMULA,
    FormulaError,
    Inputs,
    StreetRates,
    UnitInputs,
    assign_ranks,
    honours,
    level_of,
    merged,
    overrides_of,
    participation_figures,
    rank_units,
    rank_week,
    score_row,
    validate,
)

FORMULA = validate({})
STREET = StreetRates(cases_due=10, cases_due_met=8)  # street rate 8/10 = 0.8


def test_the_default_gives_70_for_the_field_and_30_for_the_work() -> None:
    assert FORMULA["field_weight"] == 70
    assert FORMULA["on_time_weight"] + FORMULA["rework_weight"] + FORMULA["overdue_weight"] == 30
    assert FORMULA["participation_weight"] == 0
    assert FORMULA["min_inspections"] == 10
    assert FORMULA["prior_weight"] == 5


def test_a_community_scores_every_part_as_worked_out_by_hand() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=12, score=Decimal("81"), max_score=Decimal("90"),
                           cases_due=1, cases_due_met=1, cases_returned=1, cases_reopened=1,
                           cases_overdue=2), STREET, FORMULA)
    parts = row["parts"]
    # field: 81 / 90 = 0.9; 0.9 × 70 = 63.00
    assert parts["field"]["rate"] == 0.9
    assert row["field"] == 63.0
    # on time: (1 + 5 × 0.8) / (1 + 5) = 5 / 6 = 0.8333; × 15 = 12.50 (not 15 for one case on time)
    assert parts["on_time"]["raw_rate"] == 1.0
    assert parts["on_time"]["rate"] == 0.8333
    assert parts["on_time"]["points"] == 12.5
    # rework: 10 − 2 × (1 + 1) = 6; overdue: 5 − 1 × 2 = 3
    assert parts["rework"]["count"] == 2
    assert parts["rework"]["points"] == 6.0
    assert parts["overdue"]["points"] == 3.0
    # work 12.5 + 6 + 3 + 0 = 21.5; total 63 + 21.5 = 84.5, 良好 (80 ≤ 84.5 < 90)
    assert row["work"] == 21.5
    assert row["total"] == 84.5
    assert row["level"] == "good"
    assert row["ranked"] is True


def test_shrinkage_keeps_one_late_case_from_giving_zero() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1,
                           cases_due=1, cases_due_met=0), STREET, FORMULA)
    # (0 + 5 × 0.8) / (1 + 5) = 4 / 6 = 0.6667; × 15 = 10.00
    assert row["parts"]["on_time"]["rate"] == 0.6667
    assert row["parts"]["on_time"]["points"] == 10.0


def test_a_community_without_rectified_cases_gets_the_street_rate() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1), STREET, FORMULA)
    # (0 + 5 × 0.8) / (0 + 5) = 0.8; × 15 = 12.00
    assert row["parts"]["on_time"]["points"] == 12.0


def test_with_no_case_rectified_in_the_street_nobody_is_late() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1), StreetRates(), FORMULA)
    assert row["parts"]["on_time"]["street_rate"] == 1.0
    assert row["parts"]["on_time"]["points"] == 15.0
    assert row["total"] == 100.0
    assert row["level"] == "excellent"


def test_many_cases_move_the_rate_close_to_their_own() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1,
                           cases_due=95, cases_due_met=95), STREET, FORMULA)
    # (95 + 4) / (95 + 5) = 0.99; × 15 = 14.85
    assert row["parts"]["on_time"]["points"] == 14.85


def test_penalties_stop_at_zero() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=2, cases_returned=4,
                           cases_reopened=2, cases_overdue=7), STREET, FORMULA)
    # 10 − 2 × 6 = −2 → 0; 5 − 7 = −2 → 0
    assert row["parts"]["rework"]["points"] == 0.0
    assert row["parts"]["overdue"]["points"] == 0.0
    # 0.5 × 70 = 35; (0 + 4) / 5 × 15 = 12; total 47, 较差
    assert row["total"] == 47.0
    assert row["level"] == "poor"


def test_too_few_inspections_are_listed_but_not_ranked() -> None:
    rows = rank_week([
        Inputs(code="A", name="甲", inspections=9, score=10, max_score=10),
        Inputs(code="B", name="乙", inspections=10, score=5, max_score=10),
    ], STREET, FORMULA)
    assert [(r["code"], r["rank"], r["reason"]) for r in rows] == [("B", 1, ""), ("A", None, "too_few_inspections")]
    # A keeps its figures: 10/10 × 70 = 70, 12 + 10 + 5 = 27, 97
    assert rows[1]["total"] == 97.0


def test_a_community_with_no_possible_score_has_no_total() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=12), STREET, FORMULA)
    assert row["total"] is None
    assert row["field"] is None
    assert row["reason"] == "no_score"


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    rows = [{"code": c, "ranked": True, "total": t} for c, t in
            [("D", 80.0), ("B", 85.0), ("A", 90.0), ("C", 85.0)]]
    ranked = assign_ranks(rows)
    assert [(r["code"], r["rank"]) for r in ranked] == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]


def test_change_is_last_weeks_rank_minus_this_weeks() -> None:
    rows = [{"code": c, "ranked": True, "total": t} for c, t in [("A", 90.0), ("B", 85.0), ("C", 80.0)]]
    ranked = assign_ranks(rows, previous={"A": 3, "B": 1})
    assert [(r["code"], r["previous_rank"], r["change"]) for r in ranked] == [
        ("A", 3, 2), ("B", 1, -1), ("C", None, None)]


@pytest.mark.parametrize(("total", "level"), [
    (100, "excellent"), (90, "excellent"), (89.99, "good"), (80, "good"), (79.99, "fair"), (60, "fair"),
    (59.99, "poor"), (0, "poor"),
])
def test_levels_follow_the_thresholds(total: float, level: str) -> None:
    assert level_of(total, FORMULA["levels"]) == level


def test_participation_reads_named_figures_against_their_targets() -> None:
    formula = validate({"field_weight": 60, "participation_weight": 10,
                        "participation_targets": {"volunteer_hours": 40, "pushes_sent": 4}})
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1,
                           extra={"volunteer_hours": 30, "pushes_sent": 8}), STREET, formula)
    part = row["parts"]["participation"]
    # pushes_sent 8/4 → capped at 1; volunteer_hours 30/40 = 0.75; mean 0.875 × 10 = 8.75
    assert [(i["name"], i["ratio"]) for i in part["items"]] == [("pushes_sent", 1.0), ("volunteer_hours", 0.75)]
    assert part["points"] == 8.75
    # 60 + 12 + 10 + 5 + 8.75
    assert row["total"] == 95.75


def test_participation_figures_not_yet_recorded_count_as_zero() -> None:
    formula = validate({"field_weight": 60, "participation_weight": 10,
                        "participation_targets": {"volunteer_hours": 40}})
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=1, max_score=1), STREET, formula)
    assert row["parts"]["participation"]["points"] == 0.0


def test_parts_are_rounded_half_up_and_the_total_is_their_sum() -> None:
    row = score_row(Inputs(code="A", name="甲", inspections=10, score=2, max_score=3), STREET, FORMULA)
    # 2/3 × 70 = 46.666… → 46.67; 12 + 10 + 5 = 27; 73.67
    assert row["field"] == 46.67
    assert row["total"] == 73.67


@pytest.mark.parametrize(("overrides", "key"), [
    ({"field_weight": 71}, "__all__"),  # weights add up to 101
    ({"min_inspections": "abc"}, "min_inspections"),
    ({"min_inspections": 2.5}, "min_inspections"),
    ({"prior_weight": -1}, "prior_weight"),
    ({"rework_weight": 120, "field_weight": -20}, "rework_weight"),
    ({"levels": {"good": 95}}, "levels"),
    ({"levels": {"superb": 99}}, "levels"),
    ({"colour": "red"}, "__all__"),
    ({"field_weight": 60, "participation_weight": 10}, "participation_targets"),
    ({"participation_targets": {"Bad Name": 3}}, "participation_targets"),
    ({"participation_targets": {"volunteer_hours": 0}}, "participation_targets"),
    ({"participation_targets": {"hours": 5}}, "participation_targets"),  # no such figure
])
def test_a_bad_formula_is_refused_naming_the_setting(overrides: dict, key: str) -> None:
    with pytest.raises(FormulaError) as caught:
        validate(overrides)
    assert key in caught.value.errors


def test_only_what_differs_from_the_default_is_stored() -> None:
    formula = validate({"min_inspections": "5", "levels": {"excellent": 95}})
    assert formula["min_inspections"] == 5
    assert overrides_of(formula) == {"min_inspections": 5, "levels": {"excellent": 95}}
    assert merged(overrides_of(formula)) == formula
    assert overrides_of(validate({})) == {}
    assert DEFAULT_FORMULA["levels"] == {"excellent": 90, "good": 80, "fair": 60}


def test_a_target_may_name_an_outcome_counter_but_not_an_unknown_figure() -> None:
    formula = validate({"participation_targets": {"outcome_bicycles": 50, "satisfaction_rate": 90}})
    assert formula["participation_targets"] == {"outcome_bicycles": 50, "satisfaction_rate": 90}
    with pytest.raises(FormulaError) as caught:
        validate({"participation_targets": {"volunteer_hour": 5}})
    assert caught.value.errors["participation_targets"][1] == {"name": "volunteer_hour"}


def test_participation_rates_come_from_the_weeks_sums_and_the_communitys_size() -> None:
    extra = {"volunteer_hours": 37.5, "household_visits": 120, "survey_awareness_positive": 46,
             "survey_awareness_valid": 50, "survey_satisfaction_positive": 30, "survey_satisfaction_valid": 40,
             "survey_satisfaction_score_sum": 3180, "survey_satisfaction_scored": 40,
             "tasks_completed": 3, "tasks_completed_on_time": 2}
    figures = participation_figures(extra, population=12_500, households=4_800)
    # 37.5 h × 1000 / 12,500 residents = 3.00; 120 × 100 / 4,800 households = 2.50
    assert figures["volunteer_hours_per_1000"] == Decimal("3.00")
    assert figures["household_visits_per_100"] == Decimal("2.50")
    # 46 / 50 = 92 %; 30 / 40 = 75 %; 3,180 / 40 = 79.5; 2 / 3 = 66.67 %
    assert figures["awareness_rate"] == Decimal("92.00")
    assert figures["satisfaction_rate"] == Decimal("75.00")
    assert figures["satisfaction_score"] == Decimal("79.50")
    assert figures["tasks_on_time_rate"] == Decimal("66.67")
    assert figures["volunteer_hours"] == 37.5  # the sums stay
    # Nothing to divide by: no rate (the ranking counts a missing figure as 0).
    bare = participation_figures({"volunteer_hours": 4}, population=None, households=0)
    assert "volunteer_hours_per_1000" not in bare and "support_rate" not in bare


def test_a_rate_target_scores_the_derived_rate() -> None:
    formula = validate({"field_weight": 60, "participation_weight": 10,
                        "participation_targets": {"satisfaction_rate": 90}})
    extra = participation_figures({"survey_satisfaction_positive": 27, "survey_satisfaction_valid": 36})
    row = score_row(Inputs(code="A", name="甲", inspections=20, score=90, max_score=100, extra=extra),
                    STREET, formula)
    # 27 / 36 = 75 %, 75 / 90 = 0.8333 → 8.33 of 10 points
    assert row["parts"]["participation"]["items"] == [
        {"name": "satisfaction_rate", "value": 75, "target": 90, "ratio": 0.8333}]
    assert row["parts"]["participation"]["points"] == 8.33


def test_units_rank_by_their_pulled_rate_then_fewer_overdue_then_fewer_reworked() -> None:
    # Street rate 0.8, k = 5: (met + 4) / (due + 5).
    units = [
        UnitInputs(code="U1", name="一", cases_dispatched=3, cases_due=3, cases_due_met=3),  # 7/8 = 0.875
        UnitInputs(code="U2", name="二", cases_dispatched=5, cases_due=5, cases_due_met=5,
                   cases_returned=1),  # 9/10 = 0.9, first
        UnitInputs(code="U3", name="三", cases_dispatched=3, cases_due=3, cases_due_met=3,
                   cases_overdue=1),  # 0.875 like U1, but one overdue: after U1
        UnitInputs(code="U4", name="四", cases_dispatched=3, cases_due=3, cases_due_met=3),  # the same as U1
        UnitInputs(code="U5", name="五"),  # no cases: not listed
        UnitInputs(code="U6", name="六", cases_carried=2),  # two overdue carried in: (0 + 4) / 7 = 0.5714
    ]
    rows = rank_units(units, STREET, FORMULA, previous={"U1": 1, "U6": 2})
    assert [(r["code"], r["rank"]) for r in rows] == [("U2", 1), ("U1", 2), ("U4", 2), ("U3", 4), ("U6", 5)]
    assert [r["adjusted_rate"] for r in rows] == [0.9, 0.875, 0.875, 0.875, 0.5714]
    assert (rows[0]["on_time_rate"], rows[-1]["on_time_rate"], rows[-1]["due"]) == (1.0, 0.0, 2)
    assert (rows[1]["change"], rows[-1]["change"], rows[0]["change"]) == (-1, -3, None)


def test_the_lists_take_at_most_half_of_those_ranked_with_reasons_from_their_parts() -> None:
    rows = rank_week([Inputs(code=c, name=c, inspections=10, score=s, max_score=100, cases_due=2,
                             cases_due_met=m, cases_overdue=o)
                      for c, s, m, o in [("A", 95, 2, 0), ("B", 90, 2, 0), ("C", 80, 1, 1), ("D", 70, 0, 2),
                                         ("E", 60, 0, 3)]], STREET, FORMULA)
    lists = honours(rows)
    assert [e["code"] for e in lists["red"]] == ["A", "B"] and [e["code"] for e in lists["black"]] == ["E", "D"]
    assert ("the highest field score rate (%(rate)s)", {"rate": "95.0%"}) in lists["red"][0]["reasons"]
    assert ("%(n)s cases overdue at the end of the week", {"n": 3}) in lists["black"][0]["reasons"]
    assert honours(rows[:1]) == {"red": [], "black": [], "units_red": [], "units_black": []}
