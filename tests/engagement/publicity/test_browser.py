"""Door to door on a phone, in a real Chromium: a grid worker records one room, and the next room
needs only its number (building, unit, date and topics stay)."""

from __future__ import annotations

import pytest

from chuangcheng.engagement.publicity.models import HouseholdVisit
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_grid_worker_records_two_rooms_in_a_row_on_a_phone(live_server, cast, phone):
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    phone.get_by_label("用户名").fill("grid_worker_a")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/publicity/visits/new/")
    phone.locator('input[name="building"]').fill("3号楼")
    phone.locator('input[name="unit"]').fill("2")
    phone.locator('input[name="room"]').fill("501")
    phone.locator('input[name="topics"][value="garbage"]').check()
    phone.locator("form.visit-form button[type=submit]").click()
    phone.wait_for_selector(".messages .msg-success")
    assert phone.locator('input[name="building"]').input_value() == "3"
    assert phone.locator('input[name="room"]').input_value() == ""
    assert phone.locator('input[name="topics"][value="garbage"]').is_checked()
    phone.locator('input[name="room"]').fill("502")
    phone.locator('input[name="result"][value="nobody_home"]').check()
    phone.locator('input[name="topics"][value="garbage"]').uncheck()
    phone.locator("form.visit-form button[type=submit]").click()
    phone.wait_for_selector(".recent li >> nth=1")
    visits = list(HouseholdVisit.objects.order_by("id").values_list("household", "result", "visitor__username"))
    assert visits == [("3/2/501", "visited", "grid_worker_a"), ("3/2/502", "nobody_home", "grid_worker_a")]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
