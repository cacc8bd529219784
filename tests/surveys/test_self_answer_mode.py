"""Self-answer mode: a resident answering on their own phone never reads the notes meant for the
interviewer of a household visit, and the questions shown are numbered 1, 2, 3 … in page order
under skip logic (a follow-up the branch leaves out takes no number and leaves no gap)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chuangcheng.surveys import services
from chuangcheng.surveys.models import Publication, Question, Survey
from chuangcheng.surveys.templates import NOT_READ_OUT
from tests.conftest import Cast, client_for

pytestmark = pytest.mark.django_db

# The campaign questionnaire: A1–A4, S1, P1, then P2 only for those who took part in P1, M1–M8, T1.
ALWAYS = ["A1", "A2", "A3", "A4", "S1", "P1", *[f"M{i}" for i in range(1, 9)], "T1"]


@pytest.fixture
def campaign(cast: Cast) -> tuple[Survey, Publication]:
    survey = services.create_from_template(region=cast.street, template="campaign", by=cast.street_admin)
    return survey, services.publish(survey, regions=[cast.community_a], by=cast.street_admin)[0]


def numbers(html: str) -> dict[str, str]:
    """Question code → the number its legend shows ("" when none), in page order."""
    return dict(re.findall(r'id="q-([A-Z0-9]+)" data-code="[^"]*".*?<span class="qn">([^<]*)</span>', html,
                           flags=re.S))


def test_the_shipped_do_not_read_out_instruction_is_a_note_for_the_interviewer(campaign: Any) -> None:
    survey, _publication = campaign
    m1 = survey.questions.get(code="M1")
    assert m1.interviewer_note == NOT_READ_OUT and m1.help_text == ""


def test_a_resident_does_not_see_the_interviewer_notes(campaign: Any) -> None:
    _survey, publication = campaign
    html = Client().get(reverse("survey_answer:answer", args=[publication.token])).content.decode()
    assert "不读出" not in html and "interviewer-note" not in html
    assert "满意" in html  # the satisfaction questions themselves are there


def test_the_preview_shows_what_residents_see_without_the_notes(cast: Cast, campaign: Any) -> None:
    survey, _publication = campaign
    html = client_for(cast.street_admin).get(reverse("surveys:preview", args=[survey.code])).content.decode()
    assert "不读出" not in html


def test_the_grid_worker_on_a_household_visit_reads_the_notes(cast: Cast, campaign: Any) -> None:
    _survey, publication = campaign
    html = client_for(cast.grid_worker_a).get(reverse("surveys:visit", args=[publication.token])).content.decode()
    notes = re.findall(r'class="hint interviewer-note">([^<]*)</p>', html)
    assert len(notes) == 8 and all(NOT_READ_OUT in n and "访问员" in n for n in notes)


def test_the_shown_questions_are_numbered_without_a_gap_and_the_skipped_one_has_none(campaign: Any) -> None:
    _survey, publication = campaign
    html = Client().get(reverse("survey_answer:answer", args=[publication.token])).content.decode()
    shown = numbers(html)
    assert list(shown) == ["A1", "A2", "A3", "A4", "S1", "P1", "P2", *[f"M{i}" for i in range(1, 9)], "T1"]
    assert shown["P2"] == ""  # nobody has said yet that they took part
    assert [shown[c] for c in ALWAYS] == [f"{n}." for n in range(1, len(ALWAYS) + 1)]
    assert shown["M1"] == "7."
    # Without the script the follow-up still says which answer it belongs to, by that question's number.
    assert "仅当第 6 题" in html or "第 6 题" in html


def test_after_a_refusal_the_numbers_follow_the_branch_the_resident_took(campaign: Any) -> None:
    _survey, publication = campaign
    url = reverse("survey_answer:answer", args=[publication.token])
    resident = Client()
    resident.get(url)  # the device cookie
    took_part = resident.post(url, {"q-A1": "know", "q-P1": "yes"})
    assert took_part.status_code == 400
    shown = numbers(took_part.content.decode())
    assert (shown["P1"], shown["P2"], shown["M1"], shown["T1"]) == ("6.", "7.", "8.", "16.")
    stayed_away = resident.post(url, {"q-A1": "know", "q-P1": "no"})
    shown = numbers(stayed_away.content.decode())
    assert (shown["P1"], shown["P2"], shown["M1"], shown["T1"]) == ("6.", "", "7.", "15.")
    values = [v for v in shown.values() if v]
    assert len(values) == len(set(values))  # no number twice


def test_a_builder_note_for_the_interviewer_is_saved_and_shown_on_visits_only(cast: Cast) -> None:
    survey = services.create_survey(region=cast.street, by=cast.street_admin, title="楼道堆物")
    admin = client_for(cast.street_admin)
    response = admin.post(reverse("surveys:builder_add_question", args=[survey.code]), {
        "new-text": "您家楼道有堆物吗？", "new-kind": "single", "new-required": "on",
        "new-interviewer_note": "请先出示工作证", "new-options": "有\n没有"})
    assert response.status_code == 302
    question = Question.objects.get(survey=survey)
    assert question.interviewer_note == "请先出示工作证"
    publication = services.publish(survey, regions=[cast.community_a], by=cast.street_admin)[0]
    assert "请先出示工作证" not in Client().get(
        reverse("survey_answer:answer", args=[publication.token])).content.decode()
    assert "请先出示工作证" in client_for(cast.grid_worker_a).get(
        reverse("surveys:visit", args=[publication.token])).content.decode()


def test_the_migration_moves_the_shipped_hint_of_existing_surveys_to_the_interviewers_note(campaign: Any) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("chuangcheng.surveys.migrations.0006_move_not_read_out_notes")
    survey, _publication = campaign
    survey.questions.filter(interviewer_note=NOT_READ_OUT).update(help_text=NOT_READ_OUT, interviewer_note="")
    survey.questions.filter(code="M8").update(help_text="请按实际感受回答")
    migration.move(apps, None)
    assert survey.questions.filter(interviewer_note=NOT_READ_OUT, help_text="").count() == 7
    assert survey.questions.get(code="M8").help_text == "请按实际感受回答"  # a hint of one's own stays
    migration.back(apps, None)
    assert survey.questions.filter(help_text=NOT_READ_OUT, interviewer_note="").count() == 7
