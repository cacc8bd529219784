"""The overview (街道总览), community and unit pages: figures counted by hand from a small street,
every figure a link to the list behind it, and nothing outside the reader's scope.

The scene, on Wednesday 10 June 2026 at noon (this week: 8–10 June; last week: 1–7 June):

| point | grid | last week (Tue 2 June) | this week | case |
|---|---|---|---|---|
| PA1 zero-loss | A | 2/4, XC01 failed | today 4/4 | C3 (2 June, on time, closed) |
| PA2 | A | – | Mon 8 June 0/4, XC01 and SR01 failed | C1 (Mon 8 June, dispatched, overdue) |
| PA3 | A | – | – | – |
| PB1 | B | 4/4 | today 2/4, SR01 failed | – |
| PB2 | B | – | – | C2 (today, reported) |
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.reports.queries import dashboard
from chuangcheng.reports.services import rollups
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
LAST_TUESDAY = dt.date(2026, 6, 2)
MONDAY = dt.date(2026, 6, 8)
TODAY = dt.date(2026, 6, 10)
NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=TZ)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@dataclass
class Street:
    cast: Any
    inspector: User
    handler: User
    prop: Unit
    squad: Unit
    points: dict[str, Point]
    cases: dict[str, Case]


def _inspect(scene_points: dict[str, Point], inspector: User, version: Any, items: list[Any], code: str,
             day: dt.date, results: list[tuple[str, str | None]]) -> Inspection:
    """An inspection as the submit service stores it: two points an item, pass 2, fail 0."""
    point = scene_points[code]
    inspection = Inspection.objects.create(
        key=f"{code}-{day}", point=point, grid=point.grid, inspector=inspector, version=version, day=day,
        submitted_at=at(day, 10), score=Decimal(sum(2 for r, _c in results if r == "pass")),
        max_score=Decimal(2 * len(results)), failed_count=sum(1 for r, _c in results if r == "fail"))
    for item, (result, category) in zip(items, results, strict=False):
        ItemResult.objects.create(
            inspection=inspection, item=item, result=result, score=Decimal(2 if result == "pass" else 0),
            max_score=Decimal(2), category=Category.objects.get(code=category) if category else None)
    return inspection


def _photo(by: Any) -> Any:
    from chuangcheng.evidence.services import accept_photo

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, "JPEG")
    return accept_photo(out.getvalue(), filename="after.jpg", by=by)


def build_street(cast: Any) -> Street:
    prop = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=prop)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    road = f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")
    market = f.PointTypeFactory(code="MARKET", name="农贸市场")
    points = {
        "PA1": f.PointFactory(code="PA1", name="甲一路", grid=cast.grid_a, primary_unit=prop, zero_loss=True,
                              point_type=road, lon=Decimal("111.650000"), lat=Decimal("40.820000")),
        "PA2": f.PointFactory(code="PA2", name="甲二路", grid=cast.grid_a, primary_unit=prop, point_type=road,
                              lon=Decimal("111.651000"), lat=Decimal("40.820500")),
        "PA3": f.PointFactory(code="PA3", name="甲菜场", grid=cast.grid_a, primary_unit=prop, point_type=market,
                              lon=Decimal("111.649000"), lat=Decimal("40.819500")),
        "PB1": f.PointFactory(code="PB1", name="乙一路", grid=cast.grid_b, primary_unit=squad, point_type=road,
                              lon=Decimal("111.700000"), lat=Decimal("40.820000")),
        "PB2": f.PointFactory(code="PB2", name="乙菜场", grid=cast.grid_b, primary_unit=squad, point_type=market,
                              lon=Decimal("111.701000"), lat=Decimal("40.820500")),
    }
    version = f.CatalogVersionFactory()
    items = [f.CheckItemFactory(version=version, code=f"DI{n}") for n in range(1, 3)]

    def inspect(code: str, day: dt.date, results: list[tuple[str, str | None]]) -> Inspection:
        return _inspect(points, inspector, version, items, code, day, results)

    inspect("PA1", LAST_TUESDAY, [("pass", None), ("fail", "XC01")])
    inspect("PB1", LAST_TUESDAY, [("pass", None), ("pass", None)])
    failed_monday = inspect("PA2", MONDAY, [("fail", "XC01"), ("fail", "SR01")])
    inspect("PA1", TODAY, [("pass", None), ("pass", None)])
    inspect("PB1", TODAY, [("fail", "SR01"), ("pass", None)])

    admin, worker = cast.street_admin, cast.grid_worker_a
    flyposting, litter = Category.objects.get(code="XC01"), Category.objects.get(code="SR01")
    with clock.pinned(at(LAST_TUESDAY, 9)):
        c3 = cases.report_case(by=worker, source="inspection", category=flyposting, description="小广告",
                               point=points["PA1"])
        cases.accept_case(c3, by=admin)
        cases.dispatch_case(c3, by=admin, unit=prop)
    with clock.pinned(at(LAST_TUESDAY, 14)):
        cases.rectify_case(c3, by=handler, photos=[_photo(handler)])
    with clock.pinned(at(LAST_TUESDAY, 16)):
        cases.verify_case(c3, by=admin)
    with clock.pinned(at(MONDAY, 9)):
        c1 = cases.report_case(by=worker, source="inspection", category=flyposting, description="又有小广告",
                               point=points["PA2"])
        cases.accept_case(c1, by=admin)
        cases.dispatch_case(c1, by=admin, unit=prop)
    failed_monday.results.filter(category=flyposting).update(case=c1, case_opened=True)
    with clock.pinned(at(TODAY, 9)):
        c2 = cases.report_case(by=admin, source="staff", category=litter, description="=1+1 垃圾",
                               point=points["PB2"])
    return Street(cast, inspector, handler, prop, squad, points, {"C1": c1, "C2": c2, "C3": c3})


@pytest.fixture
def noon() -> Any:
    with time_machine.travel(NOON, tick=False):
        yield NOON


def store_finished_days() -> None:
    """What the periodic job has done by now: every finished day stored. The dashboards read finished
    days only as stored (a request computes today alone)."""
    rollups.build_missing_days()


@pytest.fixture
def street(cast: Any, media: Any, noon: Any) -> Street:
    scene = build_street(cast)
    store_finished_days()
    return scene


def test_the_overview_counts_today_this_week_and_last_week(street: Street) -> None:
    ov = dashboard.overview(street.cast.street_admin, TODAY)
    assert ov.region == street.cast.street
    assert (ov.week_start, ov.last_week_start, ov.last_week_end) == (MONDAY, dt.date(2026, 6, 1), dt.date(2026, 6, 7))
    assert (ov.today.inspections, ov.today.points_inspected, ov.today.items_failed) == (2, 2, 1)
    assert ov.today.score_rate == pytest.approx(75.0)  # (4 + 2) / (4 + 4)
    assert ov.today.cases_opened == 1
    assert (ov.this_week.inspections, ov.this_week.items_failed, ov.this_week.cases_opened) == (3, 3, 2)
    assert ov.this_week.score_rate == pytest.approx(50.0)  # (0 + 4 + 2) / 12
    assert (ov.last_week.inspections, ov.last_week.items_failed, ov.last_week.cases_opened) == (2, 1, 1)
    assert ov.last_week.score_rate == pytest.approx(75.0)  # (2 + 4) / 8
    assert (ov.last_week.cases_rectified, ov.last_week.on_time_rate) == (1, pytest.approx(100.0))
    assert (ov.open_now, ov.overdue_now) == (2, 1)  # C1 overdue since Tuesday, C2 just reported


def test_the_trend_covers_twelve_weeks_ending_with_this_one(street: Street) -> None:
    ov = dashboard.overview(street.cast.street_admin, TODAY)
    assert len(ov.trend) == 12
    assert [label for label, _f in ov.trend][-2:] == ["2026-W23", "2026-W24"]
    last, this = ov.trend[-2][1], ov.trend[-1][1]
    assert (last.items_failed, last.cases_opened, last.on_time_rate) == (1, 1, pytest.approx(100.0))
    # C1's deadline (Tue 9 June 17:30) fell this week and it is still open: 0 of 1 handled on time.
    assert (this.items_failed, this.cases_opened, this.on_time_rate) == (3, 2, pytest.approx(0.0))
    assert all(figs.inspections == 0 for _label, figs in ov.trend[:-2])


def test_problems_by_category_community_and_unit(street: Street) -> None:
    ov = dashboard.overview(street.cast.street_admin, TODAY)
    assert [(c.code, c.failed, c.opened) for c in ov.categories] == [("SR01", 2, 1), ("XC01", 1, 1)]
    by_child = {region.code: figs for region, figs in ov.children}
    a, b = by_child[street.cast.community_a.code], by_child[street.cast.community_b.code]
    assert (a.items_failed, a.cases_opened, a.cases_open, a.cases_overdue) == (2, 1, 1, 1)
    assert (b.items_failed, b.cases_opened, b.cases_open, b.cases_overdue) == (1, 1, 1, 0)
    assert [(u.code, uf.cases_dispatched, uf.cases_rectified, uf.on_time_rate) for u, uf in ov.units] == [
        ("WY-A", 2, 1, pytest.approx(50.0))]  # C3 met its deadline, C1 missed it


def test_a_community_admin_sees_the_community_and_its_grids(street: Street) -> None:
    ov = dashboard.overview(street.cast.admin_b, TODAY)
    assert ov.region == street.cast.community_b
    assert (ov.this_week.items_failed, ov.open_now, ov.overdue_now) == (1, 1, 0)
    assert [region.code for region, _f in ov.children] == [street.cast.grid_b.code]


def test_the_overview_page_links_every_figure_to_its_list(street: Street, as_user: Any) -> None:
    page = as_user(street.cast.street_admin).get(reverse("reports:overview"))
    assert page.status_code == 200
    html = page.content.decode()
    street_code = street.cast.street.code
    assert f'href="/cases/?state=open&amp;region={street_code}"' in html
    assert f'href="/cases/?overdue=1&amp;region={street_code}"' in html
    assert 'href="/inspections/history/?since=2026-06-10&amp;until=2026-06-10"' in html
    assert 'href="/inspections/history/?since=2026-06-08&amp;until=2026-06-10&amp;failed=1"' in html
    assert f'/cases/?category=SR01&amp;region={street_code}' in html
    assert reverse("reports:community", args=[street.cast.community_a.code]) in html
    assert reverse("reports:unit", args=["WY-A"]) in html
    for chart in ["chart-rate", "chart-counts", "chart-categories", "chart-units"]:
        assert f'id="{chart}-data"' in html  # the chart's figures, drawn by dashboard.js
    assert 'id="trend-table"' in html and 'id="category-table"' in html and 'id="units-table"' in html


def test_a_community_admin_cannot_open_another_community_or_its_units(street: Street, as_user: Any) -> None:
    client = as_user(street.cast.admin_b)
    assert client.get(reverse("reports:community", args=[street.cast.community_b.code])).status_code == 200
    assert client.get(reverse("reports:community", args=[street.cast.community_a.code])).status_code == 404
    assert client.get(reverse("reports:overview"), {"region": street.cast.community_a.code}).status_code == 404
    assert client.get(reverse("reports:unit", args=["WY-A"])).status_code == 404  # community A's unit
    assert client.get(reverse("reports:community", args=["nope"])).status_code == 404


def test_the_community_page_shows_its_own_figures(street: Street, as_user: Any) -> None:
    page = as_user(street.cast.street_admin).get(
        reverse("reports:community", args=[street.cast.community_a.code]))
    assert page.status_code == 200
    assert page.context["ov"].region == street.cast.community_a
    assert page.context["ov"].this_week.items_failed == 2
    assert f"community={street.cast.community_a.code}" in page.content.decode()


def test_the_unit_page_counts_the_last_four_weeks(street: Street, as_user: Any) -> None:
    page = as_user(street.handler).get(reverse("reports:unit", args=["WY-A"]))
    assert page.status_code == 200
    recent = page.context["page"].recent
    assert (recent.cases_dispatched, recent.cases_rectified, recent.cases_open, recent.cases_overdue) == (2, 1, 1, 1)
    assert 'href="/cases/?unit=WY-A&amp;overdue=1"' in page.content.decode()
    # A unit's handler reads their own unit only.
    assert as_user(street.handler).get(reverse("reports:unit", args=["CG"])).status_code == 403


def test_the_wall_display_refreshes_itself_and_has_no_navigation(street: Street, as_user: Any) -> None:
    page = as_user(street.cast.leader).get(reverse("reports:wall"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="300">' in html
    assert 'class="wall"' in html and 'class="menu"' not in html
    assert page.context["ov"].overdue_now == 1


def test_roles_without_dashboards_are_refused(street: Street, as_user: Any) -> None:
    assert as_user(street.handler).get(reverse("reports:overview")).status_code == 403
    assert as_user(street.handler).get(reverse("reports:map")).status_code == 403


def test_a_year_of_older_history_costs_the_overview_nothing(street: Street) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangcheng.reports.models import DailyRollup

    admin = street.cast.street_admin
    with CaptureQueriesContext(connection) as before:
        dashboard.overview(admin, TODAY)
    regions = [street.cast.street, street.cast.community_a, street.cast.community_b]
    DailyRollup.objects.bulk_create([
        DailyRollup(region=region, day=dt.date(2025, 1, 1) + dt.timedelta(days=n), inspections=9, items_failed=9)
        for n in range(365) for region in regions])
    with CaptureQueriesContext(connection) as after:
        ov = dashboard.overview(admin, TODAY)
    assert len(after) == len(before)
    assert ov.this_week.items_failed == 3 and all(f.items_failed in {0, 1, 3} for _l, f in ov.trend)
