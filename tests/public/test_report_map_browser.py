"""The residents' map on a phone (Chromium, 390×844): the position found by the phone centres the map
and is the report's place; a tap outside the area is refused at once beside the map; an address with
its community needs no map point; a refused location says in Chinese how to allow it. The tracking
page's due date and its answer buttons a thumb can hit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chuangcheng.public import services
from chuangcheng.public.models import Report
from tests.public.conftest import Scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
GRID_A = "150103001001-01"


@pytest.fixture(autouse=True)
def categories(transactional_db: Any) -> None:
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def allow_location(phone: Any, base: str, lon: float, lat: float, accuracy: float = 25) -> None:
    """The phone's position, as the browser's DevTools protocol sets it; the permission granted for
    the site (Playwright sends Browser.grantPermissions for its own browser context)."""
    phone.context.grant_permissions(["geolocation"], origin=base)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": accuracy})


def open_report(phone: Any, base: str) -> None:
    phone.set_default_timeout(10_000)
    phone.goto(f"{base}/r/")
    phone.wait_for_selector("#pick-map[data-area=loaded]")
    phone.locator("#pick-map").scroll_into_view_if_needed()


def marker_offset(phone: Any) -> float:
    """How far (px) the pin's point is from the map's centre, once the map has finished moving."""
    offset = 1e9
    for _ in range(30):
        box = phone.locator("#pick-map").bounding_box()
        icon = phone.locator("#pick-map .leaflet-marker-icon").bounding_box()
        tip = (icon["x"] + 12, icon["y"] + 41)  # Leaflet's default pin points at the place
        offset = max(abs(tip[0] - (box["x"] + box["width"] / 2)), abs(tip[1] - (box["y"] + box["height"] / 2)))
        if offset < 3:
            break
        phone.wait_for_timeout(100)
    return offset


def describe(phone: Any) -> None:
    phone.locator("#id_category").select_option("XC01")
    phone.locator("#id_description").fill("公交站牌上贴满小广告")


def test_the_map_centres_on_the_phones_position_and_the_report_keeps_it(live_server: Any, scene: Scene,
                                                                        phone: Any) -> None:
    base = live_server.url
    open_report(phone, base)
    # the street's and grids' outlines with their names are drawn before any position is known
    assert phone.locator("#pick-map path.area-street").count() >= 1
    assert phone.locator(f'#pick-map path.area-grid[data-code="{GRID_A}"]').count() == 1
    assert phone.locator("#pick-map .area-label.community", has_text="甲社区").is_visible()

    allow_location(phone, base, 111.6508, 40.8206, accuracy=30)
    phone.locator("#use-location").click()
    expect(phone.locator("#id_lon")).not_to_have_value("")
    assert phone.locator("#id_lon").input_value() == "111.650800"
    assert phone.locator("#id_lat").input_value() == "40.820600"
    assert "已定位" in phone.locator("[data-locate-status]").inner_text()
    assert marker_offset(phone) < 3  # the pin is at the map's centre
    assert phone.locator("#pick-map path.accuracy-circle").count() == 1
    assert phone.locator("#map-message").inner_text() == ""
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "phone-public-report-located.png"), full_page=True)

    describe(phone)
    phone.locator("#submit-report").click()
    phone.wait_for_url(f"{base}/r/t/*/?new=1")
    case = Report.objects.select_related("case__grid").get().case
    assert (case.lon, case.lat) == (Decimal("111.650800"), Decimal("40.820600"))
    assert case.grid == scene.cast.grid_a


def test_a_tap_outside_the_area_is_refused_in_place(live_server: Any, scene: Scene, phone: Any) -> None:
    base = live_server.url
    open_report(phone, base)
    message = phone.locator("#map-message")
    assert message.get_attribute("aria-live") == "assertive"
    grid = phone.locator(f'#pick-map path.area-grid[data-code="{GRID_A}"]').bounding_box()
    # Right of grid A, still in 甲社区 but outside every grid and so outside the street's boundary.
    phone.mouse.click(grid["x"] + grid["width"] + 25, grid["y"] + grid["height"] / 2)
    expect(message).not_to_have_text("")
    assert message.is_visible()
    assert "不在本街道负责的范围内" in message.inner_text()
    assert phone.locator("#id_lon").input_value() == "" and phone.locator("#id_lat").input_value() == ""
    assert phone.locator("#pick-map .leaflet-marker-icon").count() == 0  # no marker placed outside
    assert phone.url == f"{base}/r/" and Report.objects.count() == 0  # nothing sent
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "phone-public-report-outside.png"), full_page=True)

    # A tap inside the grid is taken, and the message goes away. (A person's second tap comes a
    # moment later: two quick taps are a double tap, which zooms the map.)
    phone.wait_for_timeout(700)
    # Where the grid is now: the refusal was scrolled into view and the draft's note filled in.
    grid = phone.locator(f'#pick-map path.area-grid[data-code="{GRID_A}"]').bounding_box()
    phone.mouse.click(grid["x"] + grid["width"] / 2, grid["y"] + grid["height"] / 2)
    expect(phone.locator("#id_lon")).not_to_have_value("")
    assert message.inner_text() == ""
    assert phone.locator("#pick-map .leaflet-marker-icon").count() == 1
    lon, lat = float(phone.locator("#id_lon").input_value()), float(phone.locator("#id_lat").input_value())
    assert scene.cast.grid_a.contains(lon, lat)

    # The marker stays where it was after another tap outside.
    before = phone.locator("#pick-map .leaflet-marker-icon").bounding_box()
    grid = phone.locator(f'#pick-map path.area-grid[data-code="{GRID_A}"]').bounding_box()  # after the move
    phone.wait_for_timeout(700)
    phone.mouse.click(grid["x"] + grid["width"] + 25, grid["y"] + grid["height"] / 2)
    expect(message).not_to_have_text("")
    assert phone.locator("#pick-map .leaflet-marker-icon").bounding_box() == before
    assert phone.locator("#id_lon").input_value() == f"{lon:.6f}"


def test_the_photos_own_gps_is_offered_when_a_place_is_already_given(live_server: Any, scene: Scene, phone: Any,
                                                                      tmp_path: Path) -> None:
    from tests.evidence.conftest import camera_exif, gps_hohhot
    from tests.evidence.conftest import jpeg as exif_jpeg

    picture = tmp_path / "IMG_0003.jpg"
    picture.write_bytes(exif_jpeg(exif=camera_exif(gps=gps_hohhot())))  # taken at 111.65, 40.82 (grid A)
    base = live_server.url
    open_report(phone, base)
    grid = phone.locator(f'#pick-map path.area-grid[data-code="{GRID_A}"]').bounding_box()
    phone.mouse.click(grid["x"] + 2, grid["y"] + 2)  # a corner of grid A
    expect(phone.locator("#id_lon")).not_to_have_value("")
    tapped = phone.locator("#id_lon").input_value()
    assert tapped != "111.650000"

    phone.locator("#id_photos").set_input_files(str(picture))
    offer = phone.locator("#use-photo-place")
    expect(offer).to_be_visible()
    assert phone.locator("#id_lon").input_value() == tapped  # offered, not imposed
    offer.click()
    expect(phone.locator("#id_lon")).to_have_value("111.650000")
    assert phone.locator("#id_lat").input_value() == "40.820000"
    assert "照片" in phone.locator("[data-locate-status]").inner_text()
    assert offer.is_hidden()


def test_an_address_and_a_community_without_a_map_point_are_accepted(live_server: Any, scene: Scene,
                                                                     phone: Any) -> None:
    base = live_server.url
    open_report(phone, base)
    phone.locator("#area-list summary").click()
    assert phone.locator("#area-list").inner_text().count("网格") >= 2
    phone.locator("#id_address").fill("光明路 12 号院 3 号楼东侧")
    phone.locator("#id_community").select_option(scene.cast.community_b.code)
    describe(phone)
    phone.locator("#submit-report").click()
    phone.wait_for_url(f"{base}/r/t/*/?new=1")
    case = Report.objects.select_related("case").get().case
    assert case.grid == scene.cast.grid_b and case.lon is None
    assert case.address == "光明路 12 号院 3 号楼东侧"


def test_a_refused_location_is_explained_in_chinese_with_how_to_allow_it(live_server: Any, scene: Scene,
                                                                        phone: Any) -> None:
    base = live_server.url
    open_report(phone, base)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Browser.setPermission", {"permission": {"name": "geolocation"}, "setting": "denied",
                                       "origin": base})
    phone.locator("#use-location").click()
    status = phone.locator("[data-locate-status]")
    expect(status).to_contain_text("设置")
    text = status.inner_text()
    assert "在系统设置中允许浏览器使用位置" in text
    assert "在地图上点选位置" in text
    assert "denied" not in text.lower() and "permission" not in text.lower()
    assert phone.locator("#id_lon").input_value() == ""


def test_the_tracking_page_shows_the_due_date_and_answer_buttons_a_thumb_can_hit(live_server: Any, scene: Scene,
                                                                                  phone: Any) -> None:
    from chuangcheng.cases import services as cases
    from tests.cases.conftest import photo
    from tests.public.conftest import report

    made = report(scene)
    services.accept_report(made, by=scene.cast.street_admin)
    case = made.case
    case.refresh_from_db()
    cases.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    phone.set_default_timeout(10_000)
    phone.goto(f"{live_server.url}/r/t/{made.code}/")
    due = phone.locator("#case-due")
    assert due.is_visible() and "年" in due.inner_text() and "星期" in due.inner_text()

    case.refresh_from_db()
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "green")])
    cases.verify_case(case, by=scene.inspector)
    # The reporter's own phone (its device cookie) sees the answer and the rating.
    phone.context.add_cookies([{"name": "cc_device", "value": "device-1", "url": live_server.url}])
    phone.goto(f"{live_server.url}/r/t/{made.code}/")
    targets = ["#answer fieldset label", "#send-answer", "#rate fieldset label", "#send-rating"]
    for selector in targets:
        items = phone.locator(selector)
        assert items.count() >= 1, selector
        for i in range(items.count()):
            assert items.nth(i).bounding_box()["height"] >= 44, selector
    assert phone.locator("#case-due").count() == 0  # fixed: no date to wait for
