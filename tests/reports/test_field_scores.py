"""The field score in the assessment's terms through the ranking, its command, pages, bulletin and
dashboards: a failure moves the score visibly, self-checks do not score their own community, and
the figures can be traced per assessment item.

Scene: one point type (sample 3) with one assessment item worth 10 and three check items costing 2
each. Ten street inspections a community on Monday 23 November 2026: 甲社区 fails once, 乙社区 eight
times; 乙's grid worker also self-checks five times without finding anything.
甲: 10 − 3 × 2 ÷ 10 = 9.4 → 94 %, 65.80 of 70.  乙: 10 − 3 × 16 ÷ 10 = 5.2 → 52 %, 36.40 of 70.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.org.models import Role
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports.models import Ranking
from chuangcheng.reports.queries import figures
from chuangcheng.reports.services import rankings, rollups
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.date(2026, 11, 23)
SUN = MON + dt.timedelta(days=6)
NEXT_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def _inspect(point: Any, by: Any, kind: str, failed: list[Any], items: list[Any], key: str) -> None:
    inspection = Inspection.objects.create(
        key=key, point=point, grid=point.grid, inspector=by, version=items[0].version, day=MON, kind=kind,
        submitted_at=dt.datetime(2026, 11, 23, 10, tzinfo=TZ), failed_count=len(failed))
    ItemResult.objects.bulk_create([ItemResult(inspection=inspection, item=item,
                                               result="fail" if item in failed else "pass") for item in items])


@pytest.fixture
def scene(cast: Any) -> Any:
    version = f.CatalogVersionFactory()
    kind = f.PointTypeFactory(code="FS", name="测试道路")
    f.TypeProfileFactory(version=version, point_type=kind, sample_size=3)
    items = [f.CheckItemFactory(version=version, code=f"FS-{n}", group=None, point_type=kind, penalty=Decimal(2))
             for n in range(3)]
    f.AssessmentItemFactory(version=version, code="FS", name="道路环境", point_type=kind, points=Decimal(10))
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    a = [f.PointFactory(code=f"A{n}", grid=cast.grid_a, point_type=kind) for n in range(5)]
    b = [f.PointFactory(code=f"B{n}", grid=cast.grid_b, point_type=kind) for n in range(5)]
    failures_b = [items[:2], items[:2], items[:2], items[:1], items[:1]]  # 8 failures
    for n in range(10):
        _inspect(a[n % 5], inspector, "street", items[:1] if n == 0 else [], items, f"a{n}")
        _inspect(b[n % 5], inspector, "street", failures_b[n] if n < 5 else [], items, f"b{n}")
    worker_b = f.UserFactory(username="grid_worker_b", role=Role.GRID_WORKER, scope=cast.grid_b)
    for n in range(5):
        _inspect(b[n], worker_b, "self", [], items, f"self{n}")
    return cast


def compute(cast: Any) -> Ranking:
    with clock.pinned(NEXT_MONDAY):
        return rankings.compute_ranking(cast.street, MON)


def by_code(ranking: Ranking) -> dict[str, Any]:
    return {row["code"]: row for row in ranking.content["rows"]}


def test_a_community_with_many_failures_scores_clearly_below_one_with_few(scene: Any) -> None:
    rows = by_code(compute(scene))
    a, b = rows[scene.community_a.code], rows[scene.community_b.code]
    assert (a["parts"]["field"]["rate"], a["field"]) == (0.94, 65.8)
    assert (b["parts"]["field"]["rate"], b["field"]) == (0.52, 36.4)
    # Eight failures in ten inspections cost 乙 more than 40 % of the field part, not 1 %.
    assert a["field"] - b["field"] > 0.1 * 70
    assert a["rank"] == 1 and b["rank"] == 2


def test_self_checks_do_not_score_their_own_community_but_count_for_coverage(scene: Any) -> None:
    b = by_code(compute(scene))[scene.community_b.code]
    assert (b["parts"]["field"]["inspections"], b["parts"]["field"]["inspections_all"]) == (10, 15)
    with clock.pinned(NEXT_MONDAY):
        week = figures.totals(scene.community_b, MON, SUN)
    # All checks: the five clean self-checks dilute the deductions: 10 − 3 × 16 ÷ 15 = 6.8.
    assert week.field_score().score == Decimal("6.80")
    assert week.field_score(independent_only=True).score == Decimal("5.20")
    assert week.inspections == 15


def test_a_rule_change_never_changes_a_published_ranking(scene: Any) -> None:
    ranking = compute(scene)
    with clock.pinned(NEXT_MONDAY):
        rankings.publish_ranking(ranking, by=scene.street_admin)
    before = Ranking.objects.get(pk=ranking.pk).content
    rankings.save_rules(scene.street, {"independent_only": False}, by=scene.street_admin)
    assert Ranking.objects.get(pk=ranking.pk).content == before


def test_the_command_prints_each_communitys_parts_as_json(scene: Any) -> None:
    out = StringIO()
    with clock.pinned(NEXT_MONDAY):
        call_command("ranking", "--week", "2026-W48", "--street", scene.street.code, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["week"] == "2026-W48"
    (ranking,) = data["rankings"]
    assert (ranking["street"], ranking["field_checks"], ranking["field_weight"]) == (scene.street.code,
                                                                                       "independent", 70)
    rows = {row["code"]: row for row in ranking["rows"]}
    a = rows[scene.community_a.code]
    assert (a["rank"], a["field"], a["participation"]) == (1, 65.8, 0.0)
    assert a["total"] == pytest.approx(a["field"] + a["work"] + a["participation"])
    assert (ranking["field_spread"], ranking["field_spread_share"]) == (29.4, 42.0)


def test_the_ranking_page_shows_the_items_behind_the_field_part(scene: Any, as_user: Any) -> None:
    compute(scene)
    page = as_user(scene.street_admin).get("/reports/rankings/150103001/2026-W48/").content.decode()
    assert f'id="field-items-{scene.community_b.code}"' in page
    assert 'data-item="FS"' in page and "道路环境" in page and 'id="field-formula"' in page


def test_an_old_published_ranking_without_the_breakdown_still_renders(scene: Any, as_user: Any) -> None:
    formula = {k: v for k, v in formula_.validate({}).items() if k != "independent_only"}
    rows = formula_.rank_week([formula_.Inputs(code=scene.community_a.code, name="甲社区", inspections=12,
                                               score=90, max_score=100)], formula_.StreetRates(), formula)
    for row in rows:  # as computed before the field part kept its items
        for key in ("checks", "inspections_all", "by_item"):
            row["parts"]["field"].pop(key)
    Ranking.objects.create(street=scene.street, week="2026-W48", week_start=MON, status="published",
                           formula=formula, content={"week": "2026-W48", "start": "2026-11-23",
                                                     "end": "2026-11-29", "through": "2026-11-29",
                                                     "complete": True, "rows": rows, "street": {}})
    response = as_user(scene.street_admin).get("/reports/rankings/150103001/2026-W48/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "63.00" in page and "field-items-" not in page and 'id="field-formula"' not in page


def test_the_rules_page_turns_independent_only_off_and_on(scene: Any, as_user: Any) -> None:
    client = as_user(scene.street_admin)
    page = client.get("/reports/rankings/150103001/rules/").content.decode()
    assert 'data-key="independent_only" data-value="1"' in page and 'name="independent_only"' in page
    form = {key: str(value) for key, value in formula_.validate({}).items() if key in formula_.NUMBER_KEYS}
    form.update({"excellent": "90", "good": "80", "fair": "60", "participation_targets": ""})
    assert client.post("/reports/rankings/150103001/rules/", form).status_code == 302
    assert rankings.formula_for(scene.street)["independent_only"] is False
    assert by_code(compute(scene))[scene.community_b.code]["parts"]["field"]["checks"] == "all"


def test_the_bulletin_shows_the_assessment_style_rate_with_its_formula(scene: Any, as_user: Any) -> None:
    from chuangcheng.reports.queries.bulletins import compose_bulletin

    with clock.pinned(NEXT_MONDAY):
        content = compose_bulletin(scene.street, MON)
    # Street, all checks: 25 inspections, 18 deducted → 10 − 3 × 18 ÷ 25 = 7.84; independent 20, 18 → 7.3.
    assert (content["summary"]["field_rate"], content["summary"]["independent_field_rate"]) == (78.4, 73.0)
    rows = {row["code"]: row for row in content["communities"]}
    assert rows[scene.community_a.code]["field_rate"] == 94.0


def test_the_dashboard_shows_the_field_rate_of_all_and_of_independent_checks(scene: Any, as_user: Any) -> None:
    with clock.pinned(NEXT_MONDAY):
        rollups.rebuild(MON, SUN)
    page = as_user(scene.street_admin).get(f"/reports/?region={scene.street.code}")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="row-score-independent"' in text and 'id="field-formula"' in text


def test_a_days_field_tallies_cost_the_same_queries_whatever_the_number_of_inspections(
        scene: Any, django_assert_max_num_queries: Any) -> None:
    # Two queries for the day's inspections and failures, two for the one catalog version.
    from chuangcheng.reports.services.rollups import _field_of_day

    with django_assert_max_num_queries(4):
        tallies = _field_of_day(Inspection.objects.filter(day=MON))
    assert tallies[scene.grid_b.pk]["independent"] == {"FS": [10, "16.00"]}
    assert tallies[scene.grid_b.pk]["self"] == {"FS": [5, "0.00"]}


def test_independent_only_is_on_by_default_and_must_be_yes_or_no() -> None:
    assert formula_.validate({})["independent_only"] is True
    assert formula_.overrides_of(formula_.validate({"independent_only": False})) == {"independent_only": False}
    with pytest.raises(formula_.FormulaError) as refused:
        formula_.validate({"independent_only": "yes"})
    assert set(refused.value.errors) == {"independent_only"}
