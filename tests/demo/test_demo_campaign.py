"""The demo's campaign work reaches the figures: the stored daily rollups hold every area's numbers,
and a ranking whose participation part names them scores the communities differently."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse

from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.org.models import Region, User
from chuangcheng.reports.models import DailyRollup, Ranking
from chuangcheng.reports.queries import figures
from chuangcheng.reports.services import rankings


def test_the_rollups_hold_every_areas_figures(demo: DemoResult, db: None) -> None:
    street = Region.objects.get(code="150103001")
    first = DailyRollup.objects.filter(region=street).order_by("day").first()
    assert first is not None
    yesterday = clock.today() - dt.timedelta(days=1)
    total = figures.totals(street, first.day, yesterday).extra
    for name in ("tasks_completed", "volunteer_actions", "volunteer_hours", "party_member_attendances",
                 "pushes_sent", "household_visits", "households_reached", "survey_responses",
                 "survey_satisfaction_valid"):
        assert total.get(name, 0) > 0, name
    # The street's figure is its communities' together.
    communities = figures.children(street, first.day, yesterday)
    assert sum(f.extra.get("household_visits", 0) for _c, f in communities) == total["household_visits"]


def test_a_ranking_can_score_participation_from_them(demo: DemoResult, db: None) -> None:
    street = Region.objects.get(code="150103001")
    admin = User.objects.get(username="street_admin")
    rankings.save_rules(street, {"field_weight": 60, "participation_weight": 10, "participation_targets": {
        "volunteer_hours_per_1000": 5, "satisfaction_rate": 90, "household_visits_per_100": 10}}, by=admin)
    last_monday = rankings.monday_of(clock.today()) - dt.timedelta(days=7)
    # The demo published last week's ranking with the default rules; work it out again with these.
    Ranking.objects.filter(street=street, week_start=last_monday).delete()
    ranking = rankings.compute_ranking(street, last_monday)
    parts = [row["parts"]["participation"] for row in ranking.content["rows"]]
    assert len(parts) == 8
    assert all({item["name"] for item in part["items"]} == {
        "volunteer_hours_per_1000", "satisfaction_rate", "household_visits_per_100"} for part in parts)
    points = [part["points"] for part in parts]
    assert all(0 <= p <= 10 for p in points) and max(points) > 0 and len(set(points)) > 1


def test_the_dashboard_shows_last_weeks_campaign_work(demo: DemoResult, db: None, client: Any) -> None:
    street = Region.objects.get(code="150103001")
    client.force_login(User.objects.get(username="street_admin"))
    page = client.get(reverse("reports:overview")).content.decode()
    monday = rankings.monday_of(clock.today()) - dt.timedelta(days=7)
    week = figures.totals(street, monday, monday + dt.timedelta(days=6)).extra
    cells = re.search(r'<tr id="row-household-visits">.*?<td>(\d+)</td><td>(\d+)</td>', page, re.S)
    assert cells is not None and int(cells[2]) == week["household_visits"] > 0
    tasks = re.search(r'<tr id="row-tasks">.*?</td><td>(\d+) \((\d+)\)</td>', page, re.S)
    assert tasks is not None
    assert (int(tasks[1]), int(tasks[2])) == (week.get("tasks_completed", 0), week.get("tasks_completed_on_time", 0))
