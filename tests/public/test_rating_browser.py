"""The rating on a phone, in a real Chromium: the text message's link opens without signing in, the
three choices are reached and chosen with the keyboard, "not satisfied" without a reason is refused
on the page, and with one the case goes back to the street office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chuangcheng.cases.models import Rating, State
from chuangcheng.notify.models import Channel, Message
from chuangcheng.public import services
from tests.public.conftest import Scene, report
from tests.public.test_track import handled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def categories(transactional_db: Any) -> None:
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def test_a_resident_rates_from_the_text_message_on_a_phone_with_the_keyboard(live_server: Any, scene: Scene,
                                                                           phone: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    r = report(scene, phone="13800138000")
    handled(scene, r)
    services.notify_reporters()
    body = Message.objects.get(channel=Channel.SMS, target="13800138000").body
    link = body.split()[0]
    assert link.startswith("/r/v/")
    phone.set_default_timeout(10_000)
    phone.goto(f"{live_server.url}{link}")
    assert phone.locator("#rate").is_visible() and phone.locator("#photos-after img").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    # The keyboard: the first choice, then the arrow keys to the third (不满意); no reason yet.
    phone.locator("#id_rate_rating_0").focus()
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    assert phone.locator("#id_rate_rating_2").is_checked()
    phone.locator("#send-rating").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#id_rate_reason_errors")
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and r.case.rating == ""
    phone.screenshot(path=str(ARTIFACTS / "phone-rating-reason-needed.png"), full_page=True)

    # The choice is kept; the reason is typed and the form sent.
    assert phone.locator("#id_rate_rating_2").is_checked()
    phone.locator("#id_rate_reason").fill("井盖还是松的，踩上去会响")
    phone.locator("#send-rating").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#rating[data-rating='unsatisfied']")
    r.case.refresh_from_db()
    assert r.case.state == State.ACCEPTED and r.case.rating == Rating.UNSATISFIED and r.case.reopen_count == 1
    assert phone.locator("#rate").count() == 0
    phone.screenshot(path=str(ARTIFACTS / "phone-rating-sent.png"), full_page=True)
