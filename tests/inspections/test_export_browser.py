"""A large ledger's export page in a real Chromium: the progress updates in place (no reload)
until the download link appears, and the link gives the workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings

from tests.inspections.test_background_export import lock_free_reads  # noqa: F401 -- a fixture
from tests.reports.test_browser_reports import categories, sign_in, watch  # noqa: F401 -- the fixture too
from tests.reports.test_dashboard import NOON, build_street

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    # The export's thread writes its progress while the live server's requests read it: on the
    # suite's in-memory SQLite (one shared cache, table locks that fail at once) one of them fails
    # now and then. The PostgreSQL run drives it; SQLite's own locking is not what is tested here.
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                       reason="runs on the PostgreSQL run (in-memory SQLite's table locks do not wait)"),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def scene(cast: Any, media: Any, settings: Any) -> Any:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.EXPORT_BACKGROUND_ROWS = 3
    settings.REDIS_URL = ""
    with time_machine.travel(NOON, tick=True):
        yield build_street(cast)


@pytest.mark.usefixtures("lock_free_reads")
def test_the_export_page_shows_progress_in_place_then_the_download(live_server: Any, scene: Any, desk: Any) -> None:
    page = desk
    errors = watch(page)
    page.set_default_timeout(60_000)
    sign_in(page, live_server.url, "street_admin")
    page.goto(f"{live_server.url}/inspections/history/?since=2026-06-01&until=2026-06-10")
    page.get_by_role("link", name="督查台账（Excel）").click()
    page.wait_for_url("**/exports/*/")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    assert page.get_by_label("处理进度").count() == 1  # the progress bar has its label

    link = page.locator("#export-download")
    link.wait_for(state="visible")
    assert loads == []  # updated by the page's script, not by reloading
    assert page.locator("#export-count").inner_text() == "已处理 5 / 5 行"
    assert page.locator("#export-percent").inner_text() == "100"
    assert page.locator("#export-progress").evaluate("p => [p.value, p.max]") == [5, 5]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export-ready.png"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "inspection-ledger-20260601-20260610.xlsx"
    assert errors == []
