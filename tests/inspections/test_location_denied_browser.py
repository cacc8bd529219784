"""A phone that refuses the location on the inspection form: the status says in Chinese why and how
to allow it, and that the inspection can still be submitted (marked “no location”)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.services.plans import make_plan
from chuangcheng.standards.models import PointType
from tests import factories as f
from tests.inspections.test_browser import media, shipped_data, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_location_on_the_inspection_form_says_how_to_allow_it(live_server: Any, cast: Any,
                                                                       browser: Any) -> None:
    from playwright.sync_api import expect

    f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a,
                   point_type=PointType.objects.get(code="COMPOUND"),
                   lon=Decimal("111.650000"), lat=Decimal("40.820000"))
    make_plan(cast.street, clock.today(), by=cast.street_admin)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server.url
        cdp = page.context.new_cdp_session(page)
        cdp.send("Browser.setPermission", {"permission": {"name": "geolocation"}, "setting": "denied",
                                           "origin": base})
        sign_in(page, base, "grid_worker_a")
        page.goto(f"{base}/inspections/points/A-COMPOUND/")
        status = page.locator("[data-locate-status]")
        expect(status).to_contain_text("在系统设置中允许浏览器使用位置")
        assert "仍可提交" in status.inner_text()
        assert "denied" not in status.inner_text().lower()
    finally:
        context.close()
