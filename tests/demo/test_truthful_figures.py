"""The demo's figures tell the truth (issue 14's "done when", checked from outside where it says so):
the weekly field scores separate good and bad communities, the bulletin never prints 100 % on time
beside overdue cases, and the mock assessment draw is reproducible and covers every point type."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from typing import Any

from django.core.management import call_command

from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.org.models import Region
from chuangcheng.reports.queries import figures
from chuangcheng.reports.services import rankings
from chuangcheng.standards.models import TypeProfile
from chuangcheng.standards.queries import version_in_force

STREET = "150103001"


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def last_full_weeks(n: int) -> list[str]:
    monday = rankings.monday_of(clock.today())
    return [rankings.week_label(monday - dt.timedelta(days=7 * k)) for k in range(1, n + 1)]


def test_the_weekly_field_scores_spread_by_a_tenth_of_the_field_part(demo: DemoResult, db: None) -> None:
    for week in last_full_weeks(2):
        data = run("ranking", "--week", week, "--street", STREET, "--format", "json")
        ranking = data["rankings"][0]
        assert ranking["field_checks"] == "independent"
        ranked = [row for row in ranking["rows"] if row["ranked"]]
        # Every community is ranked from independent checks, not from its own grid workers'.
        assert len(ranked) == len(ranking["rows"]), [r["reason"] for r in ranking["rows"]]
        for row in ranked:
            assert row["total"] == round(row["field"] + row["work"] + row["participation"], 2)
        assert ranking["field_spread_share"] >= 10, (week, [(r["name"], r["field"]) for r in ranked])


def test_the_bulletins_on_time_rate_is_never_full_beside_overdue_cases(demo: DemoResult, db: None) -> None:
    street = Region.objects.get(code=STREET)
    today = clock.today()
    for back in range(1, 15):
        day = today - dt.timedelta(days=back)
        day_figures = figures.totals(street, day, day)
        if day_figures.cases_overdue:
            assert day_figures.on_time_rate is None or day_figures.on_time_rate < 100, day


def test_the_mock_assessment_draw_is_reproducible_and_covers_every_point_type(demo: DemoResult, db: None) -> None:
    first = run("mock_assessment", "draw", "--street", STREET, "--seed", "7", "--json")
    second = run("mock_assessment", "draw", "--street", STREET, "--seed", "7", "--json")
    assert first == second
    other = run("mock_assessment", "draw", "--street", STREET, "--seed", "8", "--json")
    assert other != first
    drawn = {t["type"]: t for t in first["types"]}
    for profile in TypeProfile.objects.filter(version=version_in_force()).select_related("point_type"):
        entry = drawn[profile.point_type.code]
        # The demo street has points of every type, at least as many as the assessors sample.
        assert entry["sample_size"] == profile.sample_size
        assert len(entry["points"]) == profile.sample_size, entry
    assert first["points"] == sum(p.sample_size for p in TypeProfile.objects.filter(version=version_in_force()))


def test_residents_rated_fixes_and_the_street_answered_a_dissatisfied_one(demo: DemoResult, db: None) -> None:
    from chuangcheng.cases.models import CaseEvent

    ratings = Counter(CaseEvent.objects.filter(action="rate").values_list("data__rating", flat=True))
    assert ratings["satisfied"] > ratings["basic"] > 0 and ratings["unsatisfied"] >= 1
    assert CaseEvent.objects.filter(action="close_again").exists()
    street = Region.objects.get(code=STREET)
    first = CaseEvent.objects.order_by("at").values_list("at", flat=True).first()
    assert first is not None
    total = figures.totals(street, clock.local(first).date(), clock.today())
    rated = total.ratings_satisfied + total.ratings_basic + total.ratings_unsatisfied
    assert rated == sum(ratings.values())
    assert total.rating_satisfaction_rate is not None and total.rating_satisfaction_rate < 100
