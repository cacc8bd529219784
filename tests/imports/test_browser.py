"""A street admin uploads a points file through the import page in a real Chromium: first a file
with a wrong row (the error table, nothing imported), then the corrected file (the counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chuangcheng.places.models import Point
from tests.conftest import PASSWORD
from tests.imports.conftest import World, filled, point_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_street_admin_checks_then_imports_a_points_file(live_server: Any, world: World, desk: Any,
                                                          tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = desk
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("street_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    rows = point_rows(20)
    rows[4][5] = "北纬40"
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(filled("points", rows))
    rows[4][5] = 40.8201
    good.write_bytes(filled("points", rows))

    page.goto(f"{live_server.url}/import/")
    page.locator("select[name=kind]").select_option("points")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_selector(".error-table")
    assert page.locator(".error-table tbody tr").count() == 1
    assert "纬度" in page.locator(".error-table tbody tr").inner_text()
    page.screenshot(path=str(ARTIFACTS / "import-errors.png"), full_page=True)
    assert Point.objects.count() == 0

    page.locator("select[name=kind]").select_option("points")
    page.locator("input[type=file]").set_input_files(str(good))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_selector("#result [role=status]")
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)
    assert Point.objects.count() == 20
    assert errors == []
