"""The worked example of docs/guide/assessment.md, built by hand in the database: every figure the
document gives is checked here (keep the two in step).

Catalog: road (ROAD, sample 3) with R1 道路环境卫生 (分值 6, the check group CLEAN: CLEAN-1 penalty 1,
CLEAN-2 0.5 per occurrence) and R2 道路公益广告 (分值 4, the type's own ROAD-1 penalty 2); market
(MARKET, sample 2) with M1 农贸市场秩序 (分值 5: MKT-1 penalty 1, MKT-2 no penalty).
Inspections in 甲社区, week 2026-W48:
  Monday    P1 street: CLEAN-1 fail, CLEAN-2 fail ×3     → R1 −2.5
            P2 street: all pass
            M1 street: MKT-1 fail, MKT-2 fail             → M1 −1 (MKT-2 costs nothing)
            P1 self (grid worker): CLEAN-1 fail           → R1 −1, self-check
  Tuesday   P1 street: ROAD-1 fail                        → R2 −2
            P2 street: CLEAN-2 fail ×1                    → R1 −0.5
            M1 street: all pass
Independent: R1 4 inspections, −3.0 → 6 − 3 × 3 ÷ 4 = 3.75; R2 4, −2 → 4 − 3 × 2 ÷ 4 = 2.5;
M1 2, −1 → 5 − 2 × 1 ÷ 2 = 4. Score 10.25 of 15 = 68.33 %; field part 10.25 ÷ 15 × 70 = 47.83.
All checks: R1 5, −4 → 6 − 2.4 = 3.6; R2 5, −2 → 4 − 1.2 = 2.8; M1 4. 10.4 of 15 = 69.33 %; 48.53.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.org.models import Role
from chuangcheng.reports.queries import figures
from chuangcheng.reports.services import rankings, rollups
from chuangcheng.standards.models import CheckItem
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.date(2026, 11, 23)
TUE = MON + dt.timedelta(days=1)
SUN = MON + dt.timedelta(days=6)
NEXT_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def inspect(point: Any, day: dt.date, by: Any, kind: str, fails: dict[str, int | None], items: dict[str, CheckItem],
            n: int) -> Inspection:
    """An inspection stored as the submit service stores it: every item of the point's checklist
    passes except those in `fails` (code → occurrences or None)."""
    checklist = [i for i in items.values() if i.point_type_id == point.point_type_id
                 or (i.group_id is not None and point.point_type.code == "ROAD")]
    inspection = Inspection.objects.create(
        key=f"ex-{n}", point=point, grid=point.grid, inspector=by, version=checklist[0].version, day=day,
        kind=kind, submitted_at=dt.datetime(day.year, day.month, day.day, 10, n, tzinfo=TZ),
        score=0, max_score=0, failed_count=len(fails))
    for item in checklist:
        failed = item.code in fails
        ItemResult.objects.create(inspection=inspection, item=item, result="fail" if failed else "pass",
                                  count=fails.get(item.code) if failed else None)
    return inspection


@pytest.fixture
def example(cast: Any) -> dict[str, Any]:
    version = f.CatalogVersionFactory()
    road = f.PointTypeFactory(code="ROAD", name="道路")
    market = f.PointTypeFactory(code="MARKET", name="农贸市场")
    clean = f.CheckGroupFactory(version=version, code="CLEAN", name="环境卫生")
    f.TypeProfileFactory(version=version, point_type=road, sample_size=3).groups.add(clean)
    f.TypeProfileFactory(version=version, point_type=market, sample_size=2)
    items = {
        "CLEAN-1": f.CheckItemFactory(version=version, code="CLEAN-1", group=clean, penalty=Decimal(1)),
        "CLEAN-2": f.CheckItemFactory(version=version, code="CLEAN-2", group=clean, measure="occurrences",
                                      penalty=Decimal("0.5")),
        "ROAD-1": f.CheckItemFactory(version=version, code="ROAD-1", group=None, point_type=road, measure="count",
                                     threshold=2, penalty=Decimal(2)),
        "MKT-1": f.CheckItemFactory(version=version, code="MKT-1", group=None, point_type=market,
                                    penalty=Decimal(1)),
        "MKT-2": f.CheckItemFactory(version=version, code="MKT-2", group=None, point_type=market, penalty=None),
    }
    f.AssessmentItemFactory(version=version, code="R1", name="道路环境卫生", point_type=road, group=clean,
                            points=Decimal(6), sort_order=1)
    f.AssessmentItemFactory(version=version, code="R2", name="道路公益广告", point_type=road, points=Decimal(4),
                            sort_order=2)
    f.AssessmentItemFactory(version=version, code="M1", name="农贸市场秩序", point_type=market, points=Decimal(5),
                            sort_order=3)
    p1 = f.PointFactory(code="P1", grid=cast.grid_a, point_type=road)
    p2 = f.PointFactory(code="P2", grid=cast.grid_a, point_type=road)
    m1 = f.PointFactory(code="M1", grid=cast.grid_a, point_type=market)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    worker = cast.grid_worker_a
    plan = [
        (p1, MON, inspector, "street", {"CLEAN-1": None, "CLEAN-2": 3}),
        (p2, MON, inspector, "street", {}),
        (m1, MON, inspector, "street", {"MKT-1": None, "MKT-2": None}),
        (p1, MON, worker, "self", {"CLEAN-1": None}),
        (p1, TUE, inspector, "street", {"ROAD-1": 1}),
        (p2, TUE, inspector, "street", {"CLEAN-2": 1}),
        (m1, TUE, inspector, "street", {}),
    ]
    for n, (point, day, by, kind, fails) in enumerate(plan):
        inspect(point, day, by, kind, fails, items, n)
    with clock.pinned(NEXT_MONDAY):
        rollups.rebuild(MON, SUN)
    return {"cast": cast}


def test_the_rollups_keep_each_items_inspections_and_deductions_apart_by_who_checked(example: Any) -> None:
    cast = example["cast"]
    from chuangcheng.reports.models import DailyRollup

    monday = DailyRollup.objects.get(region=cast.community_a, day=MON).field
    assert monday == {"independent": {"M1": [1, "1.00"], "R1": [2, "2.50"], "R2": [2, "0.00"]},
                      "self": {"R1": [1, "1.00"], "R2": [1, "0.00"]}}
    # The street is the sum of its communities; community B had nothing.
    assert DailyRollup.objects.get(region=cast.street, day=MON).field == monday
    assert DailyRollup.objects.get(region=cast.community_b, day=MON).field == {}


def test_every_figure_of_the_worked_example(example: Any) -> None:
    cast = example["cast"]
    with clock.pinned(NEXT_MONDAY):
        week = figures.totals(cast.community_a, MON, SUN)
    independent = week.field_score(independent_only=True)
    assert [(i.rule.code, i.rule.points, i.rule.sample, i.inspections, i.deducted, i.expected_loss, i.score)
            for i in independent.items] == [
        ("R1", Decimal(6), 3, 4, Decimal("3.00"), Decimal("2.25"), Decimal("3.75")),
        ("R2", Decimal(4), 3, 4, Decimal("2.00"), Decimal("1.50"), Decimal("2.50")),
        ("M1", Decimal(5), 2, 2, Decimal("1.00"), Decimal("1.00"), Decimal("4.00")),
    ]
    assert (independent.score, independent.points) == (Decimal("10.25"), Decimal(15))
    assert round(independent.rate, 2) == 68.33
    every = week.field_score()
    assert [(i.rule.code, i.inspections, i.deducted, i.score) for i in every.items] == [
        ("R1", 5, Decimal("4.00"), Decimal("3.60")), ("R2", 5, Decimal("2.00"), Decimal("2.80")),
        ("M1", 2, Decimal("1.00"), Decimal("4.00"))]
    assert every.score == Decimal("10.40")
    assert round(every.rate, 2) == 69.33
    # Self-checks still count for coverage and problems found.
    assert (week.inspections, week.items_failed) == (7, 7)


def test_the_rankings_field_part_is_the_examples_and_traceable_by_item(example: Any) -> None:
    cast = example["cast"]
    with clock.pinned(NEXT_MONDAY):
        ranking = rankings.compute_ranking(cast.street, MON)
    row = next(r for r in ranking.content["rows"] if r["code"] == cast.community_a.code)
    field = row["parts"]["field"]
    assert (field["score"], field["max_score"], field["rate"], row["field"]) == (10.25, 15.0, 0.6833, 47.83)
    assert (field["checks"], field["inspections"], field["inspections_all"]) == ("independent", 6, 7)
    assert [(i["code"], i["points"], i["inspections"], i["deducted"], i["score"]) for i in field["by_item"]] == [
        ("R1", 6.0, 4, 3.0, 3.75), ("R2", 4.0, 4, 2.0, 2.5), ("M1", 5.0, 2, 1.0, 4.0)]
    # Six independent inspections: fewer than the default ten, so listed but not ranked.
    assert (row["ranked"], row["reason"]) == (False, "too_few_inspections")


def test_with_independent_only_off_the_field_part_counts_every_check(example: Any) -> None:
    cast = example["cast"]
    rankings.save_rules(cast.street, {"independent_only": False, "min_inspections": 7}, by=cast.street_admin)
    with clock.pinned(NEXT_MONDAY):
        ranking = rankings.compute_ranking(cast.street, MON)
    row = next(r for r in ranking.content["rows"] if r["code"] == cast.community_a.code)
    assert (row["field"], row["parts"]["field"]["checks"], row["parts"]["field"]["inspections"]) == (48.53, "all", 7)
    assert row["ranked"] is True
