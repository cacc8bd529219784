"""The overview and the one map in a real Chromium, on a desk and on a phone: the charts are drawn
(Plotly's SVG is there), the map shows the points with their statuses and the page logs no error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.conftest import PASSWORD
from tests.reports.test_dashboard import NOON, build_street, store_finished_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def categories(transactional_db: Any) -> None:
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


@pytest.fixture
def scene(cast: Any, media: Any, settings: Any) -> Any:
    # The browser lives in real time; a session cookie without an expiry date is not "expired" there.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(NOON, tick=True):
        street = build_street(cast)
        store_finished_days()
        yield street


def watch(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    return errors


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("viewport", ["desk", "phone"])
def test_the_overview_and_the_map_draw_their_data(live_server: Any, scene: Any, request: Any,
                                                    viewport: str) -> None:
    page = request.getfixturevalue(viewport)
    errors = watch(page)
    base = live_server.url
    sign_in(page, base, "street_admin")

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/reports/")
    for chart in ["chart-rate", "chart-counts", "chart-categories", "chart-units"]:
        page.locator(f"#{chart} svg.main-svg").first.wait_for()
    # The bars of the categories chart are drawn, one per category and series.
    assert page.locator("#chart-categories g.point").count() == 4
    # The same axis and label rules as the wall: weeks as dates, every bar with its value.
    texts = "els => els.map(e => e.textContent)"
    assert page.locator("#chart-counts .xtick text").evaluate_all(texts)[-1] == "6月8日"
    assert page.locator("#chart-counts text.bartext").count() == page.locator("#chart-counts g.point").count() == 24
    assert page.locator("#chart-rate .ytitle").evaluate_all(texts) == ["比率（%）"]
    assert page.locator("#category-table tbody tr").count() == 2
    assert page.locator("#fig-overdue .n").inner_text() == "1"
    page.screenshot(path=str(ARTIFACTS / f"overview-{viewport}.png"), full_page=True)

    page.goto(f"{base}/reports/map/")
    page.locator("#onemap path.leaflet-interactive").first.wait_for(state="attached")  # the grid boundaries
    page.locator("#onemap .onemap-marker, #onemap .onemap-cluster").first.wait_for()
    drawn = page.locator("#onemap .onemap-marker .dot, #onemap .onemap-cluster .cluster")
    assert drawn.count() >= 2  # points in two communities far apart: at least two markers or clusters
    assert page.locator('#h-list ~ ul li[data-status="overdue"]').count() == 1
    page.screenshot(path=str(ARTIFACTS / f"onemap-{viewport}.png"), full_page=True)

    page.goto(f"{base}/reports/map/?type=MARKET")
    page.locator("#onemap .onemap-marker").first.wait_for()
    assert sorted(page.locator(".status-list li").evaluate_all("els => els.map(e => e.dataset.point)")) == [
        "PA3", "PB2"]

    page.goto(f"{base}/reports/wall/")
    page.locator("#chart-rate svg.main-svg").first.wait_for()
    assert errors == []
