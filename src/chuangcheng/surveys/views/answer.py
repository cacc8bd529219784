"""Residents' pages (no account): answer a survey from its link or QR code, thank-you, "already
answered" and "closed". A browser is recognised by a random device cookie; only its keyed hash per
survey is stored. The page works without JavaScript; a small script only hides questions that skip
logic leaves out (the server decides what counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from chuangcheng.core.devices import DeviceCookie
from chuangcheng.core.http import or_404
from chuangcheng.surveys import queries, services
from chuangcheng.surveys.models import Publication, Question, Survey

DEVICE = DeviceCookie("cc_survey_device")
DEVICE_COOKIE = DEVICE.name

# --- the resident's device: a random token in a cookie, stored only as a keyed hash per survey ---

device_of = DEVICE.of
keep = DEVICE.keep


# --- the questionnaire as a page (shared with the preview and the household-visit page) ----------


@dataclass
class Item:
    """A question as the page shows it. `number` counts only the questions shown under the answers
    so far (1, 2, 3 … in page order); a follow-up its branch leaves out has none (0) until the
    branch is taken, and the page's script renumbers in the same way as answers change."""

    question: Question
    number: int
    values: list[str] = field(default_factory=list)
    error: str = ""
    shown: bool = True
    condition_number: int = 0
    condition_question: str = ""
    condition_texts: list[str] = field(default_factory=list)

    @property
    def text_value(self) -> str:
        return self.values[0] if self.values else ""


def read_answers(data: QueryDict, questions: list[Question]) -> dict[str, list[str] | str]:
    """The answers in a posted form: field q-<code>, option codes (radios, checkboxes) or a text."""
    answers: dict[str, list[str] | str] = {}
    for q in questions:
        if q.kind == Question.Kind.TEXT:
            text = data.get(f"q-{q.code}", "").strip()
            if text:
                answers[q.code] = text
        else:
            chosen = [v for v in data.getlist(f"q-{q.code}") if v]
            if chosen:
                answers[q.code] = chosen
    return answers


def items_for(questions: list[Question], answers: dict[str, list[str] | str] | None = None,
              errors: dict[str, list[str]] | None = None) -> list[Item]:
    answers, errors = answers or {}, errors or {}
    values = {code: [value] if isinstance(value, str) else list(value) for code, value in answers.items()}
    shown = services.visible_questions(questions, values)
    numbers: dict[int, int] = {}
    for q in questions:
        if q.code in shown:
            numbers[q.pk] = len(numbers) + 1
    items = []
    for q in questions:
        item = Item(q, numbers.get(q.pk, 0), values.get(q.code, []), " ".join(errors.get(q.code, [])),
                    shown=q.code in shown)
        condition = q.show_if_question
        if condition is not None:
            item.condition_number = numbers.get(condition.pk, 0)
            item.condition_question = condition.text
            texts = {o.code: o.text for o in next(
                (c.options.all() for c in questions if c.pk == condition.pk), [])}
            item.condition_texts = [texts.get(code, code) for code in q.show_if_options or []]
        items.append(item)
    return items


def questionnaire(request: HttpRequest, publication: Publication | None, survey: Survey, *,
                  answers: dict[str, list[str] | str] | None = None, errors: dict[str, list[str]] | None = None,
                  status: int = 200, template: str = "surveys/answer.html", **extra: Any) -> HttpResponse:
    questions = queries.questions_of(survey)
    return render(request, template, {
        "survey": survey, "publication": publication, "items": items_for(questions, answers, errors),
        "summary": (errors or {}).get(NON_FIELD_ERRORS, []), **extra,
    }, status=status)


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


# --- pages ---------------------------------------------------------------------------------------


def _publication(token: str) -> Publication:
    return or_404(queries.publication_by_token(token))


def _closed(request: HttpRequest, publication: Publication, message: str, status: int) -> HttpResponse:
    return render(request, "surveys/answer_closed.html", {"publication": publication, "survey": publication.survey,
                                                           "message": message}, status=status)


def _already(request: HttpRequest, publication: Publication, status: int) -> HttpResponse:
    return render(request, "surveys/answer_already.html", {"publication": publication,
                                                            "survey": publication.survey}, status=status)


@login_not_required
@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire on a resident's phone."""
    publication = _publication(token)
    survey = publication.survey
    device = device_of(request)
    posted = request.method == "POST"
    if message := services.closed_message(survey):
        return keep(request, _closed(request, publication, message, 409 if posted else 200))
    if queries.has_answered(survey, services.hash_device(device, survey)):
        return keep(request, _already(request, publication, 409 if posted else 200))
    if not posted:
        return keep(request, questionnaire(request, publication, survey))
    answers = read_answers(request.POST, queries.questions_of(survey))
    # A browser that refused our cookie gets a new token on every visit: it cannot answer twice
    # unnoticed, so it cannot answer at all (the service says why).
    sent_device = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        services.submit_response(publication, answers, device=sent_device)
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code == "duplicate":
            return keep(request, _already(request, publication, 409))
        if code == "closed":
            return keep(request, _closed(request, publication, exc.messages[0], 409))
        return keep(request, questionnaire(request, publication, survey, answers=answers, errors=error_dict(exc),
                                           status=400))
    return keep(request, redirect("survey_answer:thanks", publication.token))


@login_not_required
@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    publication = _publication(token)
    return render(request, "surveys/answer_thanks.html", {"publication": publication, "survey": publication.survey})


urlpatterns: list[URLPattern] = [
    path("<str:token>/", answer, name="answer"),
    path("<str:token>/thanks/", thanks, name="thanks"),
]
