"""A grid worker's home on a phone (390×844), in a real Chromium: the first screen is today's round
with its progress, without sideways scrolling, and a point's name opens its checklist."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, DailyPlan
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE_HEIGHT = 844


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    """Transactional tests empty the tables the migrations filled: the categories and the catalog."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from chuangcheng.standards.services import load_default_catalog

    load_categories(Category)
    load_default_catalog()


def test_a_grid_worker_opens_the_phone_and_sees_todays_round_first(live_server, cast, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    points = [f.PointFactory(code=f"A-{n}", name=name, grid=cast.grid_a, lon=Decimal("111.65"), lat=Decimal("40.82"))
              for n, name in enumerate(["甲大街", "甲小区", "甲巷"])]
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for position, point in enumerate(points):
        Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point, position=position,
                                  reason=Assignment.Reason.DUE)
    base = live_server.url
    page = phone
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(cast.grid_worker_a.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")

    heading = page.get_by_role("heading", name="今日任务")
    progress = page.get_by_text("已督查 0 / 3 个点位")
    first = page.get_by_role("link", name="甲大街")
    for element in (heading, progress, first):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE_HEIGHT  # on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
    page.screenshot(path=str(ARTIFACTS / "home-grid-worker-phone.png"))
    first.click()
    page.wait_for_url(f"{base}/inspections/points/A-0/")
