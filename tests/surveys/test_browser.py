"""A resident answers a survey on a phone in a real Chromium, from the link its QR code encodes:
skip logic shows the follow-up question only to those who took part, the answers are sent, the
thank-you page shows; opening the link again says "already answered", and one response is counted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from chuangcheng.places.qr import render_qr
from chuangcheng.surveys import queries, services
from chuangcheng.surveys.models import Answer, Response
from tests.conftest import Cast, client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def choose(page: Any, code: str, option: str) -> None:
    page.locator(f"#q-{code} input[value='{option}']").check()


def test_a_resident_answers_on_a_phone_from_the_qr_link(live_server: Any, cast: Cast, phone: Any,
                                                        settings: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    settings.PUBLIC_BASE_URL = live_server.url
    survey = services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)
    publication = services.publish(survey, regions=[cast.community_a], by=cast.street_admin)[0]
    link = queries.answer_url(publication)
    assert link == f"{live_server.url}/s/{publication.token}/"

    # The poster's QR code is an image of exactly this link.
    qr = client_for(cast.street_admin).get(reverse("surveys:qr_png", args=[survey.code, publication.token]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    assert qr.content == render_qr(link, "png")

    phone.set_default_timeout(10_000)
    phone.goto(link)
    assert phone.locator("#survey-form").is_visible()
    follow_up = phone.locator("#q-P2")
    assert follow_up.is_hidden()  # asked only of those who took part
    for code in ("A1", "A2", "A3", "A4"):
        choose(phone, code, "know")
    choose(phone, "S1", "support")
    choose(phone, "P1", "no")
    assert follow_up.is_hidden()
    choose(phone, "P1", "yes")
    assert follow_up.is_visible()
    choose(phone, "P2", "cleanup")
    choose(phone, "P2", "publicity")
    for i in range(1, 9):
        choose(phone, f"M{i}", "4" if i % 2 else "5")
    phone.locator("#id_q-T1").fill("希望多组织志愿活动")
    # Big enough to tap with a thumb.
    box = phone.locator("#q-S1 label.sq-option").first.bounding_box()
    assert box is not None and box["height"] >= 44
    phone.screenshot(path=str(ARTIFACTS / "phone-survey-answer.png"), full_page=True)
    phone.locator("#submit-survey").click()
    phone.wait_for_url(f"{link}thanks/")
    assert phone.locator("#survey-thanks").is_visible()

    phone.goto(link)
    assert phone.locator("#survey-already").is_visible()
    assert phone.locator("#survey-form").count() == 0

    response = Response.objects.get()
    assert response.region == cast.community_a and response.mode == Response.Mode.SELF and response.device
    chosen = set(Answer.objects.filter(response=response, question__code="P2").values_list("option__code", flat=True))
    assert chosen == {"cleanup", "publicity"}
    assert Answer.objects.get(response=response, question__code="T1").text == "希望多组织志愿活动"


def test_on_a_phone_the_questions_shown_are_renumbered_as_a_branch_opens_and_closes(live_server: Any, cast: Cast,
                                                                                     phone: Any) -> None:
    survey = services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)
    publication = services.publish(survey, regions=[cast.community_a], by=cast.street_admin)[0]
    phone.set_default_timeout(10_000)
    phone.goto(f"{live_server.url}/s/{publication.token}/")

    def shown_numbers() -> list[list[str]]:
        return phone.eval_on_selector_all(
            "fieldset.sq:not([hidden])",
            "boxes => boxes.map(b => [b.dataset.code, b.querySelector('.qn').textContent])")

    def expect(codes: list[str]) -> None:
        assert shown_numbers() == [[code, f"{n}."] for n, code in enumerate(codes, start=1)]

    before = ["A1", "A2", "A3", "A4", "S1", "P1"]
    after = [f"M{i}" for i in range(1, 9)] + ["T1"]
    expect([*before, *after])
    choose(phone, "P1", "yes")
    expect([*before, "P2", *after])
    assert phone.locator("#q-M1 .qn").text_content() == "8."
    choose(phone, "P1", "no")
    expect([*before, *after])
    assert phone.locator("#q-M1 .qn").text_content() == "7."
    # The instruction for the interviewer is not on the resident's phone.
    assert phone.locator(".interviewer-note").count() == 0
    assert "不读出" not in phone.content()
