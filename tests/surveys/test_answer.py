"""Answering: a resident on their own phone (device cookie, one counted response per device and
survey), a grid worker on a household visit; and every bad input of the issue — a closed survey
refuses politely, a second answer from one phone is not counted, missing required answers are
named, skip logic is honoured, and nothing stored is disturbed."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from chuangcheng.core import clock
from chuangcheng.surveys import services
from chuangcheng.surveys.models import Answer, Publication, Response, Survey
from chuangcheng.surveys.views.answer import DEVICE_COOKIE
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db

# A resident who knows about the campaign, supports it, took part in a clean-up and rates everything.
GOOD: dict[str, list[str] | str] = {
    "A1": ["know"], "A2": ["heard"], "A3": ["dont_know"], "A4": ["know"], "S1": ["support"],
    "P1": ["yes"], "P2": ["cleanup", "publicity"],
    **{f"M{i}": ["5"] for i in range(1, 9)}, "T1": "多设几个垃圾桶",
}


def make_campaign(cast: Cast) -> tuple[Survey, Publication]:
    survey = services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)
    publication = services.publish(survey, regions=[cast.community_a, cast.community_b], by=cast.street_admin)[0]
    return survey, publication


@pytest.fixture
def campaign(cast: Cast) -> tuple[Survey, Publication]:
    return make_campaign(cast)


def stored() -> tuple[int, int]:
    return Response.objects.count(), Answer.objects.count()


def form_data(answers: dict[str, list[str] | str]) -> dict[str, Any]:
    return {f"q-{code}": value for code, value in answers.items()}


# --- the service ---------------------------------------------------------------------------------


def test_a_response_keeps_the_answers_and_only_a_keyed_hash_of_the_device(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    response = services.submit_response(publication, GOOD, device="raw-device-token-1")
    assert response.region == cast.community_a and response.mode == Response.Mode.SELF
    assert response.device and "raw-device-token-1" not in response.device and len(response.device) == 64
    assert response.device == services.hash_device("raw-device-token-1", survey)
    other = services.create_from_template(region=cast.street, template="support", by=None)
    assert services.hash_device("raw-device-token-1", other) != response.device  # not linkable across surveys
    rows = {(a.question.code, a.option.code if a.option else a.text) for a in response.answers.select_related(
        "question", "option")}
    assert ("P2", "cleanup") in rows and ("P2", "publicity") in rows and ("T1", "多设几个垃圾桶") in rows
    assert len(rows) == 17 and response.recorded_by is None


def test_a_second_response_from_the_same_device_is_refused_and_not_counted(campaign: Any) -> None:
    _survey, publication = campaign
    services.submit_response(publication, GOOD, device="phone-1")
    before = stored()
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, {**GOOD, "S1": ["oppose"]}, device="phone-1")
    assert err.value.code == "duplicate"
    assert stored() == before
    assert not Answer.objects.filter(option__code="oppose").exists()


def test_the_same_device_through_another_communitys_link_is_still_one_response(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    other = survey.publications.get(region=cast.community_b)
    services.submit_response(publication, GOOD, device="phone-1")
    with pytest.raises(ValidationError) as err:
        services.submit_response(other, GOOD, device="phone-1")
    assert err.value.code == "duplicate" and Response.objects.count() == 1


def test_the_database_refuses_a_duplicate_that_slipped_past_the_check(campaign: Any, monkeypatch: Any) -> None:
    """Two taps at the same moment: both pass the look-up, the unique constraint stops the second."""
    survey, publication = campaign
    services.submit_response(publication, GOOD, device="phone-1")
    monkeypatch.setattr(services.Response.objects, "filter", lambda **kw: Response.objects.none())
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, GOOD, device="phone-1")
    monkeypatch.undo()
    assert err.value.code == "duplicate"
    assert stored() == (1, 17)


def test_missing_required_answers_are_named_and_nothing_is_stored(campaign: Any) -> None:
    _survey, publication = campaign
    answers = {k: v for k, v in GOOD.items() if k not in {"S1", "M5"}}
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, answers, device="phone-1")
    errors = err.value.message_dict
    assert set(errors) == {"S1", "M5", "__all__"}
    summary = " ".join(errors["__all__"])
    assert "5. 您支持我市创建全国文明城市吗？" in summary and "12." in summary and "政府部门的办事效率" in summary
    assert stored() == (0, 0)


@pytest.mark.parametrize(("change", "code"), [
    ({"S1": ["maybe"]}, "S1"),
    ({"A1": ["know", "heard"]}, "A1"),
    ({"M1": ["5", "4"]}, "M1"),
    ({"T1": "长" * 2001}, "T1"),
    ({"Z9": ["x"]}, "__all__"),
])
def test_bad_answers_are_refused_on_their_question(campaign: Any, change: dict[str, Any], code: str) -> None:
    _survey, publication = campaign
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, {**GOOD, **change}, device="phone-1")
    assert code in err.value.message_dict
    assert stored() == (0, 0)


def test_skip_logic_drops_answers_to_hidden_questions_and_does_not_require_them(campaign: Any) -> None:
    _survey, publication = campaign
    answers = {**GOOD, "P1": ["no"], "P2": ["volunteer"]}  # P2 is asked only of those who took part
    response = services.submit_response(publication, answers, device="phone-1")
    assert not response.answers.filter(question__code="P2").exists()
    answers = {k: v for k, v in GOOD.items() if k != "P2"}
    with pytest.raises(ValidationError) as err:  # shown (P1 = yes) and required
        services.submit_response(publication, answers, device="phone-2")
    assert "P2" in err.value.message_dict
    answers.pop("P1")
    with pytest.raises(ValidationError) as err:  # P1 unanswered: P2 hidden, only P1 is missing
        services.submit_response(publication, answers, device="phone-2")
    assert set(err.value.message_dict) == {"P1", "__all__"}


def test_optional_text_may_be_left_empty(campaign: Any) -> None:
    _survey, publication = campaign
    response = services.submit_response(publication, {**GOOD, "T1": "  "}, device="phone-1")
    assert not response.answers.filter(question__code="T1").exists()


def test_a_closed_survey_refuses_politely_and_keeps_what_it_has(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    services.submit_response(publication, GOOD, device="phone-1")
    services.close(survey, by=cast.street_admin)
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, GOOD, device="phone-2")
    assert err.value.code == "closed"
    assert stored() == (1, 17)


def test_the_answering_window_is_kept(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    start = clock.now()
    services.update_survey(survey, by=cast.street_admin, title=survey.title, opens_at=start + dt.timedelta(days=1),
                           closes_at=start + dt.timedelta(days=8))
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, GOOD, device="phone-1")
    assert err.value.code == "closed"
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        services.submit_response(publication, GOOD, device="phone-1")
    with time_machine.travel(start + dt.timedelta(days=8), tick=False), pytest.raises(ValidationError) as err:
        services.submit_response(publication, GOOD, device="phone-2")
    assert err.value.code == "closed" and Response.objects.count() == 1


def test_a_self_answer_needs_a_device(campaign: Any) -> None:
    _survey, publication = campaign
    with pytest.raises(ValidationError) as err:
        services.submit_response(publication, GOOD, device="")
    assert err.value.code == "device" and stored() == (0, 0)


def test_a_grid_worker_records_household_visits_in_their_grid(cast: Cast, campaign: Any) -> None:
    _survey, publication = campaign
    first = services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.grid_worker_a,
                                     region=cast.grid_a)
    second = services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.grid_worker_a,
                                      region=cast.grid_a)
    assert first.region == second.region == cast.grid_a and first.device == "" and first.mode == "visit"
    assert first.recorded_by == cast.grid_worker_a
    with pytest.raises(PermissionDenied):  # the other community's grid
        services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.grid_worker_a,
                                 region=cast.grid_b)
    with pytest.raises(PermissionDenied):  # the community as a whole is above the worker's grid
        services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.grid_worker_a)
    with pytest.raises(PermissionDenied):  # not a grid worker
        services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.admin_a, region=cast.grid_a)
    assert Response.objects.count() == 2


def test_visits_are_refused_when_the_survey_does_not_allow_them(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    services.update_survey(survey, by=cast.street_admin, title=survey.title, allow_visits=False)
    with pytest.raises(PermissionDenied):
        services.submit_response(publication, GOOD, mode=Response.Mode.VISIT, by=cast.grid_worker_a,
                                 region=cast.grid_a)
    assert stored() == (0, 0)


# --- the resident's page ---------------------------------------------------------------------------


def url(publication: Publication) -> str:
    return reverse("survey_answer:answer", args=[publication.token])


def test_the_page_needs_no_login_and_sets_a_long_lived_private_device_cookie(campaign: Any) -> None:
    _survey, publication = campaign
    response = Client().get(url(publication))
    assert response.status_code == 200
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 365 * 24 * 3600
    html = response.content.decode()
    assert html.count("<fieldset") == 16 and html.count("<legend") == 16
    assert 'data-show-if="P1"' in html and 'data-show-if-options="yes"' in html
    assert Client().get("/s/nonexistenttoken/").status_code == 404


def test_a_resident_answers_and_is_thanked_then_told_they_already_answered(campaign: Any) -> None:
    _survey, publication = campaign
    phone = Client()
    phone.get(url(publication))
    response = phone.post(url(publication), form_data(GOOD))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_answer:thanks", args=[publication.token])
    thanks = phone.get(response["Location"])
    assert thanks.status_code == 200 and b'id="survey-thanks"' in thanks.content
    again = phone.get(url(publication))
    assert b'id="survey-already"' in again.content and b'id="survey-form"' not in again.content
    posted = phone.post(url(publication), form_data(GOOD))
    assert posted.status_code == 409 and b'id="survey-already"' in posted.content
    assert Response.objects.count() == 1
    other_phone = Client()
    other_phone.get(url(publication))
    assert other_phone.post(url(publication), form_data(GOOD)).status_code == 302
    assert Response.objects.count() == 2


def test_errors_are_shown_next_to_the_questions_and_the_choices_are_kept(campaign: Any) -> None:
    _survey, publication = campaign
    phone = Client()
    phone.get(url(publication))
    answers = {k: v for k, v in GOOD.items() if k != "M3"}
    response = phone.post(url(publication), form_data(answers))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-M3"' in html and 'aria-describedby="err-M3"' in html and 'id="form-errors"' in html
    assert 'value="support" id="id_q-S1_0" checked' in html
    assert 'value="cleanup" id="id_q-P2_1" checked' in html and "多设几个垃圾桶" in html
    assert Response.objects.count() == 0


def test_a_closed_survey_shows_a_polite_page(cast: Cast, campaign: Any) -> None:
    survey, publication = campaign
    services.close(survey, by=cast.street_admin)
    phone = Client()
    page = phone.get(url(publication))
    assert page.status_code == 200 and b'id="survey-closed"' in page.content and b"survey-form" not in page.content
    posted = phone.post(url(publication), form_data(GOOD))
    assert posted.status_code == 409 and b'id="survey-closed"' in posted.content
    assert Response.objects.count() == 0


def test_a_browser_without_the_cookie_cannot_answer(campaign: Any) -> None:
    _survey, publication = campaign
    response = Client().post(url(publication), form_data(GOOD))
    assert response.status_code == 400 and Response.objects.count() == 0


# --- household visits --------------------------------------------------------------------------------


def test_a_grid_worker_records_one_household_after_another(cast: Cast, campaign: Any) -> None:
    _survey, publication = campaign
    worker = client_for(cast.grid_worker_a)
    listing = worker.get(reverse("surveys:visits"))
    assert [p.pk for p in listing.context["publications"]] == [publication.pk]
    visit_url = reverse("surveys:visit", args=[publication.token])
    page = worker.get(visit_url)
    assert page.status_code == 200 and [g.code for g in page.context["grids"]] == [cast.grid_a.code]
    response = worker.post(visit_url, {"grid": cast.grid_a.code, **form_data(GOOD)})
    assert response.status_code == 302 and response["Location"] == f"{visit_url}?grid={cast.grid_a.code}"
    response = worker.post(visit_url, {"grid": cast.grid_a.code, **form_data(GOOD)})
    assert response.status_code == 302
    assert list(Response.objects.values_list("mode", "region__code", "device")) == [
        ("visit", cast.grid_a.code, ""), ("visit", cast.grid_a.code, "")]
    wrong = worker.post(visit_url, {"grid": cast.grid_b.code, **form_data(GOOD)})
    assert wrong.status_code == 400 and Response.objects.count() == 2
    other = cast.community_b
    other_pub = Publication.objects.get(region=other)
    assert worker.get(reverse("surveys:visit", args=[other_pub.token])).status_code == 403
    assert client_for(cast.admin_b).get(visit_url).status_code == 403


def test_concurrent_duplicates_are_counted_once(campaign: Any, transactional_db: Any) -> None:
    """Guarded by the unique constraint even when both requests pass the first check."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the constraint test above covers it")
    _survey, publication = campaign
    outcomes: list[str] = []

    def answer() -> None:
        try:
            services.submit_response(publication, GOOD, device="same-phone")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "ok"]
    assert Response.objects.count() == 1
