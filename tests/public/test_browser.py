"""The resident's loop on a phone, in a real Chromium: report a problem with a photo, the office and
the unit act (through the services), the resident opens the tracking page and answers "fixed"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import State
from chuangcheng.public import services
from chuangcheng.public.models import Feedback, Report
from tests.public.conftest import LAT, LON, Scene, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def categories(transactional_db: Any) -> None:
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def test_a_resident_reports_on_a_phone_and_says_fixed(live_server: Any, scene: Scene, phone: Any,
                                                       tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    picture = tmp_path / "IMG_0002.jpg"
    picture.write_bytes(jpeg("red", size=(1200, 900)))
    phone.set_default_timeout(10_000)

    phone.goto(f"{base}/r/")
    phone.locator("#id_photos").set_input_files(str(picture))
    phone.locator("#id_lon").fill(str(LON))
    phone.locator("#id_lat").fill(str(LAT))
    phone.locator("#id_category").select_option("XC01")
    phone.locator("#id_description").fill("公交站牌上贴满小广告")
    phone.screenshot(path=str(ARTIFACTS / "phone-public-report.png"), full_page=True)
    phone.locator("#submit-report").click()
    phone.wait_for_url(f"{base}/r/t/*/?new=1")
    code = phone.locator("#tracking-code").inner_text().strip()
    report = Report.objects.select_related("case").get()
    assert code == report.code
    assert report.case.events.get(action="report").photos.count() == 1
    assert phone.locator("#report-sent").is_visible()

    # The office accepts and dispatches, the unit rectifies with an after-photo, an inspector verifies.
    from tests.cases.conftest import photo

    services.accept_report(report, by=scene.cast.street_admin)
    case = report.case
    case.refresh_from_db()
    cases.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "green")])
    cases.verify_case(case, by=scene.inspector)

    phone.goto(f"{base}/r/t/{code}/")
    assert phone.locator("#case-state").get_attribute("data-state") == State.CLOSED
    assert phone.locator("#photos-after img").count() == 1
    phone.locator("#id_fixed_0").check()
    phone.screenshot(path=str(ARTIFACTS / "phone-public-track.png"), full_page=True)
    phone.locator("#send-answer").click()
    phone.wait_for_selector("#feedback")
    assert phone.locator("#feedback").get_attribute("data-feedback") == Feedback.FIXED
    report.refresh_from_db()
    assert report.feedback == Feedback.FIXED
