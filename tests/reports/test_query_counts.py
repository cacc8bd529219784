"""Queries per request of the report pages and the morning board (issue 19): each page makes a
fixed number of queries, however many communities, points, units, cases and visits its street has.

Each endpoint is read twice: in the scene of tests/reports/test_dashboard.py (with a plan for
today and a bulletin and a ranking drafted), then after `grow` has added three times as many
communities, each with its grid, unit, points, inspections, cases and visits; the count stays the
same. The bounds are the counts on SQLite (which also counts `BEGIN IMMEDIATE`) with a little room.

The dashboards' own rules (DESIGN §6) are checked here too: a request computes today once, never a
finished day (the job stores it, and the page says it is missing until then), and with the short
cache on a second request within the minute computes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category
from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, CheckItem, DailyPlan, Inspection
from chuangcheng.org.models import Role, Unit
from chuangcheng.reports.models import DailyRollup
from chuangcheng.reports.queries import dashboard
from chuangcheng.reports.services import rollups
from chuangcheng.reports.services.bulletins import draft_bulletin
from chuangcheng.reports.services.rankings import compute_ranking
from tests import factories as f
from tests.conftest import client_for
from tests.reports.test_dashboard import MONDAY, NOON, TODAY, Street, _inspect, at, build_street

YESTERDAY = TODAY - dt.timedelta(days=1)
LAST_MONDAY = MONDAY - dt.timedelta(days=7)


@pytest.fixture
def scene(cast: Any, media: Any, time_machine: Any) -> Street:
    time_machine.move_to(NOON, tick=False)
    street = build_street(cast)
    plan = DailyPlan.objects.create(street=cast.street, day=TODAY)
    for n, code in enumerate(["PA1", "PA2", "PB1"]):
        Assignment.objects.create(plan=plan, person=street.inspector, point=street.points[code], position=n)
    rollups.build_missing_days()
    draft_bulletin(cast.street, YESTERDAY, by=cast.street_admin)
    compute_ranking(cast.street, LAST_MONDAY)
    f.UserFactory(username="district_leader", role=Role.LEADER, scope=cast.district)
    f.street(cast.district, code="150103009", name="另一街道")  # the district's pages list streets
    return street


def grow(scene: Street, times: int = 3, *, streets: bool = False) -> None:
    """`times` as many communities as the street had (and, with `streets`, a street more in the
    district for each),
    each community with a grid, a unit, an inspector, three points inspected on Monday (one today
    too), a case at each dispatched on Monday and a visit of today's plan at each; then the finished days
    stored again, the bulletin and the ranking drafted again."""
    cast = scene.cast
    point_type = scene.points["PA1"].point_type
    version = Inspection.objects.order_by("pk").first().version  # type: ignore[union-attr]
    items = list(CheckItem.objects.filter(version=version).order_by("code"))
    plan = DailyPlan.objects.get(street=cast.street, day=TODAY)
    litter = Category.objects.get(code="SR01")
    for n in range(2 * times):
        community = f.community(cast.street, code=f"150103001{n + 10:03d}", name=f"新社区{n}")
        grid = f.grid(community, code=f"150103001{n + 10:03d}-01", name=f"新网格{n}")
        unit = f.UnitFactory(code=f"WY-N{n}", name=f"新物业{n}", kind=Unit.Kind.PROPERTY, region=community)
        inspector = f.UserFactory(username=f"inspector{n}", role=Role.INSPECTOR, scope=cast.street)
        if streets:
            f.street(cast.district, code=f"1501030{n + 10:02d}", name=f"新街道{n}")
        for m in range(3):
            point = f.PointFactory(code=f"N{n}-{m}", grid=grid, primary_unit=unit, point_type=point_type)
            points = {point.code: point}
            _inspect(points, inspector, version, items, point.code, MONDAY, [("fail", "SR01"), ("pass", None)])
            if m == 0:  # the others are still to visit: the board offers to move them
                _inspect(points, inspector, version, items, point.code, TODAY, [("pass", None), ("fail", "XC01")])
            Assignment.objects.create(plan=plan, person=inspector, point=point, position=m)
            with clock.pinned(at(MONDAY, 11)):
                case = cases.report_case(by=cast.street_admin, source="staff", category=litter, description="垃圾",
                                         point=point)
                cases.accept_case(case, by=cast.street_admin)
                cases.dispatch_case(case, by=cast.street_admin, unit=unit)
    rollups.rebuild(LAST_MONDAY - dt.timedelta(days=1), YESTERDAY)
    draft_bulletin(cast.street, YESTERDAY, by=cast.street_admin)
    compute_ranking(cast.street, LAST_MONDAY)


def queries(client: Client, url: str) -> int:
    """The queries of one request, after a first one (as a served process, warm)."""
    assert client.get(url).status_code in {200, 302}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code in {200, 302}, url
    return len(captured)


def _bulletin_url(scene: Street) -> str:
    return reverse("reports:bulletin", args=[scene.cast.street.code, YESTERDAY.isoformat()])


# (name, who reads it, its address, at most this many queries, whether growing adds streets)
ENDPOINTS: list[tuple[str, str, Callable[[Street], str], int, bool]] = [
    # Today computed live (the tests' settings turn the short cache off): some twenty-five queries.
    ("dashboard", "street_admin", lambda s: reverse("reports:overview"), 62, False),
    # Its two streets' today each (see the test of the district's streets below).
    ("dashboard of the district", "district_leader", lambda s: reverse("reports:overview"), 85, False),
    ("community dashboard", "street_admin",
     lambda s: reverse("reports:community", args=[s.cast.community_a.code]), 60, False),
    ("wall", "leader", lambda s: reverse("reports:wall"), 60, False),
    ("map page", "street_admin", lambda s: reverse("reports:map"), 16, False),
    ("bulletin page", "street_admin", _bulletin_url, 14, False),
    ("rankings index", "street_admin", lambda s: reverse("reports:rankings"), 10, False),
    ("rankings index of the district", "district_leader", lambda s: reverse("reports:rankings"), 10, True),
    ("ranking weeks", "street_admin", lambda s: reverse("reports:ranking_weeks", args=[s.cast.street.code]), 14,
     False),
    ("morning board", "street_admin", lambda s: reverse("inspections:board"), 22, False),
]


@pytest.mark.parametrize(("name", "who", "url", "bound", "streets"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_a_page_makes_a_bounded_number_of_queries_that_does_not_grow_with_the_street(
        scene: Street, name: str, who: str, url: Callable[[Street], str], bound: int, streets: bool) -> None:
    from chuangcheng.org.models import User

    client = client_for(User.objects.get(username=who))
    before = queries(client, url(scene))
    assert before <= bound, f"{name}: {before} queries"
    grow(scene, streets=streets)
    after = queries(client, url(scene))
    assert after == before, f"{name}: {before} queries, then {after} with three times the street"


def test_the_grown_street_shows_on_the_pages(scene: Street) -> None:
    """`grow` adds what the pages show (so the counts above compare like with like)."""
    grow(scene)
    admin = scene.cast.street_admin
    ov = dashboard.overview(admin, TODAY)
    assert len(ov.children) == 8 and len(ov.units) >= 6
    assert ov.this_week.inspections == 3 + 6 * 3 + 6
    board = client_for(admin).get(reverse("inspections:board")).content.decode()
    assert board.count('name="person"') == 2 + 6 * 2  # a visit to do (and the form to add one) each


def test_a_request_computes_today_once_and_no_finished_day(scene: Street,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangcheng.reports.queries import figures

    computed: list[dt.date] = []
    real = figures.compute_day

    def counting(day: dt.date, street: Any, **kw: Any) -> Any:
        computed.append(day)
        return real(day, street, **kw)

    monkeypatch.setattr(figures, "compute_day", counting)
    DailyRollup.objects.filter(day=MONDAY).delete()  # the job has not stored Monday yet
    page = client_for(scene.cast.street_admin).get(reverse("reports:overview"))
    assert computed == [TODAY]
    assert page.context["ov"].unstored == (MONDAY,)
    assert 'id="unstored-days"' in page.content.decode()
    # The job stores it, and the page reads it.
    assert rollups.build_missing_days() == 1
    page = client_for(scene.cast.street_admin).get(reverse("reports:overview"))
    assert page.context["ov"].unstored == ()
    assert page.context["ov"].this_week.inspections == 3


def test_with_the_short_cache_today_is_computed_once_a_minute_per_street(scene: Street, settings: Any,
                                                                         time_machine: Any) -> None:
    settings.REPORTS_TODAY_CACHE_SECONDS = 60
    cache.clear()
    client = client_for(scene.cast.street_admin)
    url = reverse("reports:overview")
    with CaptureQueriesContext(connection) as first:
        page = client.get(url)
    assert page.context["ov"].as_of == NOON
    assert 'id="today-freshness"' in page.content.decode()
    with CaptureQueriesContext(connection) as again:
        page = client.get(url)
    assert len(again) < len(first) - 10  # today's computation (some twenty queries) is not made again
    assert page.context["ov"].today.inspections == 2
    # A case reported now shows once the minute is over.
    cases.report_case(by=scene.cast.street_admin, source="staff", category=Category.objects.get(code="SR01"),
                      description="又有垃圾", point=scene.points["PB2"])
    assert client.get(url).context["ov"].today.cases_opened == 1
    time_machine.move_to(NOON + dt.timedelta(seconds=61), tick=False)
    later = client.get(url).context["ov"]
    assert later.today.cases_opened == 2 and later.as_of == NOON + dt.timedelta(seconds=61)
    cache.clear()


def test_the_district_dashboard_costs_the_same_few_queries_for_each_street(scene: Street, settings: Any) -> None:
    """A district's figures are its streets' added up: each street is read apart (its stored rows,
    its units) and its today computed apart, so the count grows by the same number per street and
    by nothing else; with the short cache on (the default) today costs no query within the minute."""
    from chuangcheng.org.models import User

    client = client_for(User.objects.get(username="district_leader"))
    url = reverse("reports:overview")
    counts = [queries(client, url)]
    for n in range(2):
        f.street(scene.cast.district, code=f"15010302{n}", name=f"又一街道{n}")
        counts.append(queries(client, url))
    per_street = counts[1] - counts[0]
    assert counts[2] - counts[1] == per_street and per_street <= 35, counts
    settings.REPORTS_TODAY_CACHE_SECONDS = 60
    cache.clear()
    warm = queries(client, url)
    f.street(scene.cast.district, code="150103030", name="再一街道")
    queries(client, url)
    assert queries(client, url) - warm <= 6
    cache.clear()
