"""Inspections that never lose work, on a phone in a real Chromium: the photos chosen for a failed
item stay in the browser's draft (IndexedDB) across a reload and a refusal by the server, and are
sent with the corrected inspection; "pass the rest of this group" asks for the numbers an item is
judged by instead of leaving them empty."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.standards.models import PointType
from tests import factories as f
from tests.evidence.conftest import noise_jpeg
from tests.inspections.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = {"longitude": 111.6501, "latitude": 40.8201}
DRAFTS = """() => new Promise(resolve => {
  const open = indexedDB.open('chuangcheng-drafts', 1);
  open.onsuccess = () => {
    const all = open.result.transaction('drafts').objectStore('drafts').getAll();
    all.onsuccess = () => resolve(all.result.map(d => [d.name, Object.values(d.files || {}).flat().length]));
  };
})"""


@pytest.fixture(autouse=True)
def shipped_data(transactional_db: Any) -> None:
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from chuangcheng.standards.services import load_default_catalog

    load_categories(Category)
    load_default_catalog()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def worker(live_server: Any, cast: Any, browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "grid_worker_a")
    yield page
    context.close()


def lane(cast: Any) -> Any:
    """A back lane: its street lights are judged by the rate found (亮灯率不低于 95%)."""
    return f.PointFactory(code="A-LANE", name="甲后巷", grid=cast.grid_a,
                          point_type=PointType.objects.get(code="BACK_LANE"),
                          lon=Decimal("111.650000"), lat=Decimal("40.820000"))


def drafts(page: Any) -> list[list[Any]]:
    """The drafts in this browser's IndexedDB: [name, number of photos]."""
    return page.evaluate(DRAFTS)


def until(check: Any, seconds: float = 5) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def focused(page: Any) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_a_refused_inspection_keeps_its_photos_through_a_reload_and_the_refusal(live_server: Any, cast: Any,
                                                                                  worker: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    base, page = live_server.url, worker
    point = lane(cast)
    items = list(checklist_of(point))
    rate = next(i for i in items if i.measure == "rate")
    failing = next(i for i in items if i.measure == "presence")
    photo = tmp_path / "IMG_0100.jpg"
    photo.write_bytes(noise_jpeg(800, 600, seed=11))

    page.goto(f"{base}/inspections/points/{point.code}/")
    for item in items:
        box = page.locator(f"#item-{item.code}")
        box.locator("label.choice.fail" if item == failing else "label.choice.pass").click()
        if item.measure in {"count", "rate"}:
            box.locator("input[type=number]").fill(str(int(item.threshold)))
    failed = page.locator(f"#item-{failing.code}")
    failed.locator("textarea").fill("路灯杆上贴满小广告")
    failed.locator("input[type=file]").set_input_files(str(photo))
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    until(lambda: drafts(page) == [[f"inspect|{point.code}|{clock.today():%Y-%m-%d}", 1]])

    # A reload half-way (the tab closed by a call): answers and the photo come back from the draft.
    page.reload()
    failed.locator(".photo-preview img").wait_for()
    assert failed.locator("input[value=fail]").is_checked()
    assert failed.locator("textarea").input_value() == "路灯杆上贴满小广告"
    assert page.evaluate(f"() => document.getElementById('photo_{failing.code}').files[0].name") == photo.name

    # The lights are typed as 150 %: the server refuses and names the item; the photo is still there.
    page.locator(f"#count_{rate.code}").fill("150")
    page.locator("form[data-inspect] button[type=submit]").click()
    page.wait_for_selector("#form-errors")
    assert Inspection.objects.count() == 0
    page.wait_for_function(f"() => document.activeElement && document.activeElement.id === 'count_{rate.code}'")
    error = page.locator(f"#err-{rate.code}").inner_text()
    assert "路灯亮灯率不低于 95%" in error and "0到100" in error
    assert page.locator(f"#count_{rate.code}").is_visible()
    failed.locator(".photo-preview img").wait_for()
    assert page.evaluate(f"() => document.getElementById('photo_{failing.code}').files.length") == 1
    kept = page.locator("[data-draft-refused-photos]").inner_text()
    assert "已保留" in kept and "请重新选择" not in kept
    assert failed.locator("textarea").input_value() == "路灯杆上贴满小广告"
    page.screenshot(path=str(ARTIFACTS / "phone-inspection-refused-keeps-photos.png"), full_page=False)

    # Corrected and sent again: the stored inspection has the photo, and the draft is gone.
    page.locator(f"#count_{rate.code}").fill("96")
    page.locator("form[data-inspect] button[type=submit]").click()
    page.wait_for_url(f"{base}/inspections/*/")
    inspection = Inspection.objects.get()
    result = ItemResult.objects.get(inspection=inspection, item=failing)
    assert result.result == "fail" and result.photos.count() == 1
    assert ItemResult.objects.get(inspection=inspection, item=rate).count == 96
    until(lambda: drafts(page) == [])


def test_passing_the_rest_of_a_group_asks_for_the_numbers_items_need(live_server: Any, cast: Any,
                                                                     worker: Any) -> None:
    base, page = live_server.url, worker
    point = lane(cast)
    rate = next(i for i in checklist_of(point) if i.measure == "rate")
    page.goto(f"{base}/inspections/points/{point.code}/")
    group = page.locator(".check-group", has=page.locator(f"#item-{rate.code}"))
    group.get_by_role("button", name="本组其余项目全部合格").click()

    # The item is answered, but its number is asked for: focused, marked and required.
    assert page.locator(f"#item-{rate.code} input[value=pass]").is_checked()
    assert focused(page) == f"count_{rate.code}"
    number = page.locator(f"#count_{rate.code}")
    assert number.get_attribute("aria-invalid") == "true"
    assert page.evaluate(f"() => document.getElementById('count_{rate.code}').required")
    assert "比率" in page.locator(f"#need-{rate.code}").inner_text()
    assert "1" in group.locator("[role=status]").last.inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-inspection-pass-rest-asks-numbers.png"), full_page=False)

    # Typing the number clears the mark.
    number.fill("97")
    assert number.get_attribute("aria-invalid") is None
    assert page.locator(f"#need-{rate.code}").count() == 0
