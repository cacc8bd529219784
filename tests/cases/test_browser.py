"""One case, from the phone that reports it to the phone that rectifies it, in a real Chromium:
a grid worker reports with a photo too large to send (the page makes it smaller and keeps its
EXIF), the street office accepts and dispatches, the unit's handler rectifies on the phone page
with an after-photo, an inspector verifies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chuangcheng.cases.models import Case, State
from chuangcheng.evidence.models import Photo
from tests.cases.conftest import Scene
from tests.conftest import PASSWORD
from tests.evidence.conftest import camera_exif, gps_hohhot, noise_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def categories(transactional_db):
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def big_camera_photo(path: Path) -> Path:
    """A 3000×2000 noisy JPEG with the camera's time, GPS and a 'turn right' orientation."""
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(noise_jpeg(3000, 2000)))
    out = BytesIO()
    image.save(out, "JPEG", quality=95, exif=camera_exif(gps=gps_hohhot(), orientation=6))
    path.write_bytes(out.getvalue())
    return path


def test_a_case_goes_round_the_loop_on_phones(live_server, scene: Scene, browser, settings, tmp_path,
                                              after_the_shot):
    ARTIFACTS.mkdir(exist_ok=True)
    settings.PHOTO_MAX_BYTES = 600_000
    base = live_server.url
    photo = big_camera_photo(tmp_path / "IMG_0001.jpg")
    assert photo.stat().st_size > settings.PHOTO_MAX_BYTES

    def phone_page():
        page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                   locale="zh-CN").new_page()
        page.set_default_timeout(10_000)
        return page

    # A grid worker reports it on a phone.
    page = phone_page()
    sign_in(page, base, "grid_worker_a")
    page.goto(f"{base}/cases/new/?point={scene.point.code}")
    page.get_by_label("类别").select_option(label="宣传广告 › 非法小广告（乱贴小广告）")
    page.get_by_label("描述").fill("单元门口贴满了小广告")
    page.get_by_label("问题照片").set_input_files(str(photo))
    page.screenshot(path=str(ARTIFACTS / "phone-case-report-form.png"), full_page=True)
    page.get_by_role("button", name="上报", exact=True).click()
    page.wait_for_url(f"{base}/cases/*/")
    case = Case.objects.get()
    stored = Photo.objects.get()
    assert stored.size <= settings.PHOTO_MAX_BYTES  # made smaller in the browser
    assert stored.taken_at == dt.datetime(2026, 11, 28, 1, 15, 30, tzinfo=dt.UTC)  # EXIF time kept
    assert stored.lat is not None and stored.lon is not None  # EXIF GPS kept
    assert stored.height > stored.width  # drawn upright once, not turned twice
    page.screenshot(path=str(ARTIFACTS / "phone-case-reported.png"), full_page=True)
    page.context.close()

    # The street office accepts and dispatches it (the suggested unit is chosen already).
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    desk.set_default_timeout(10_000)
    sign_in(desk, base, "street_admin")
    desk.goto(f"{base}/cases/?state=reported")
    desk.get_by_role("link", name=case.number).click()
    desk.get_by_text("受理（立案）", exact=True).first.click()
    desk.get_by_role("button", name="受理（立案）").click()
    desk.get_by_text("派遣", exact=True).first.click()
    assert desk.get_by_label("责任单位").locator("option:checked").inner_text() == scene.unit.name
    desk.get_by_role("button", name="派遣", exact=True).click()
    desk.wait_for_load_state()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.unit == scene.unit

    # The unit's handler opens the unit's list on a phone and rectifies with an after-photo.
    page = phone_page()
    sign_in(page, base, "handler")
    page.goto(f"{base}/cases/")
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("link", name="打开手机整改页面").click()
    page.get_by_role("button", name="整改完成，上传整改后照片").click()  # no photo: the browser asks for one
    assert Case.objects.get().state == State.DISPATCHED
    after = tmp_path / "after.jpg"
    after.write_bytes(noise_jpeg(800, 600, seed=3))
    page.get_by_label("整改后照片").set_input_files(str(after))
    page.get_by_role("button", name="整改完成，上传整改后照片").click()
    page.wait_for_url(f"{base}/cases/?mine=1")
    assert "已完成" in page.locator(".messages").inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-case-rectified.png"), full_page=True)
    page.context.close()

    # An inspector verifies it; the page shows before and after side by side.
    desk.context.clear_cookies()
    sign_in(desk, base, "inspector")
    desk.goto(f"{base}/cases/{case.number}/")
    desk.get_by_text("核查结案", exact=True).first.click()
    desk.get_by_role("button", name="核查结案").click()
    desk.wait_for_load_state()
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "dispatch", "rectify", "verify"]
    assert desk.locator(".side-by-side img").count() == 2
    desk.screenshot(path=str(ARTIFACTS / "desk-case-closed.png"), full_page=True)
    desk.context.close()
