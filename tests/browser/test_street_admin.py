"""A street admin signs in, sees the communities, filters points by type and community, opens a
point and prints its QR code — on a phone and on a desk, in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from chuangcheng.places.models import Point
from tests.demo_db import DEMO_PASSWORD as PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_street_admin_filters_points_and_prints_a_qr_code_on_a_phone(live_server, demo, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone
    sign_in(page, live_server.url, "street_admin")
    assert page.locator("a.card").filter(has_text="社区").locator(".n").inner_text() == "8"
    page.screenshot(path=str(ARTIFACTS / "phone-home.png"), full_page=True)

    page.goto(f"{live_server.url}/points/")
    page.get_by_label("类型").select_option(value="MARKET")
    type_name = page.get_by_label("类型").locator("option:checked").inner_text()
    market = Point.objects.filter(point_type__code="MARKET").select_related("grid__parent").first()
    community = market.grid.parent
    page.get_by_label("社区或网格").select_option(value=community.code)
    first_community = community.name
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table tbody tr")
    for i in range(rows.count()):
        text = rows.nth(i).inner_text()
        assert type_name in text and first_community in text
    assert rows.count() > 0
    page.screenshot(path=str(ARTIFACTS / "phone-points.png"), full_page=True)

    page.goto(f"{live_server.url}/points/")
    page.locator("table tbody tr a").first.click()
    page.get_by_role("link", name="打印二维码").click()
    page.wait_for_function(
        "() => { const img = document.querySelector(\"img[src$='qr.svg']\");"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    page.screenshot(path=str(ARTIFACTS / "phone-qr.png"), full_page=True)


def test_the_map_draws_points_and_lists_them_as_text_on_a_desk(live_server, demo, desk):
    page = desk
    sign_in(page, live_server.url, "community_admin_1")
    page.goto(f"{live_server.url}/points/map/")
    page.locator(".leaflet-interactive").first.wait_for()
    markers = page.locator("path.leaflet-interactive").count()
    listed = page.locator("section ol li").count()
    assert listed > 0 and markers >= listed
    page.screenshot(path=str(ARTIFACTS / "desk-map.png"), full_page=True)
