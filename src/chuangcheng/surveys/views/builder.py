"""The office's pages: the survey list, making a survey (blank or from a template), the builder,
preview, publishing to communities and grids with a link and QR code each, the printable poster,
closing; and the grid workers' household-visit page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.org.queries import regions_visible_to
from chuangcheng.places.qr import render_qr
from chuangcheng.surveys import permissions, queries, services
from chuangcheng.surveys.forms import (
    BLANK,
    CreateForm,
    NewQuestionForm,
    OptionForm,
    PublishForm,
    QuestionForm,
    QuestionTextForm,
    SettingsForm,
)
from chuangcheng.surveys.models import Option, Publication, Question, Response, Survey
from chuangcheng.surveys.views.answer import error_dict, questionnaire, read_answers


def _survey(request: HttpRequest, survey_code: str) -> Survey:
    return or_404(queries.survey_for(request.user, survey_code))


def _editable(request: HttpRequest, survey_code: str) -> Survey:
    survey = _survey(request, survey_code)
    if not permissions.can_edit(request.user, survey):
        raise PermissionDenied(_("Only the office that made this survey may change it."))
    return survey


def _question(survey: Survey, code: str) -> Question:
    return or_404(survey.questions.filter(code=code).first())


def _option(question: Question, code: str) -> Option:
    return or_404(question.options.filter(code=code).first())


def _cleaned(form: forms.Form) -> dict[str, Any]:
    """The form's data, or its errors raised as a ValidationError (shown by `_say`)."""
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form.cleaned_data


def _to_builder(survey: Survey, anchor: str = "") -> HttpResponse:
    """Back to the builder, at the question just changed."""
    return redirect(reverse("surveys:builder", args=[survey.code]) + anchor)


def _say(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for errors in error_dict(exc).values():
            for message in errors:
                messages.error(request, message)
    else:
        messages.error(request, str(exc))


def maker_regions(user: Any) -> Any:
    return regions_visible_to(user).filter(level__in=permissions.MAKER_LEVELS).order_by("path")


# --- list, create, detail ----------------------------------------------------------------------


def survey_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(request, "surveys/list.html", {
        "surveys": queries.survey_list(user)[:200], "can_make": permissions.can_make_surveys(user),
        "visits": queries.visit_publications(user),
    })


def create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_make_surveys(user):
        raise PermissionDenied(_("Surveys are made by the street office or a community."))
    regions = maker_regions(user)
    form = CreateForm(request.POST or None, regions=regions,
                      initial={"template": "campaign", "region": user.scope if user.scope else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["template"] == BLANK:
                    survey = services.create_survey(region=data["region"], by=user, title=data["title"])
                else:
                    survey = services.create_from_template(region=data["region"], template=data["template"],
                                                           by=user, title=data["title"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                messages.success(request, _("Survey made. Check the questions, then publish it."))
                return redirect("surveys:builder", survey.code)
    return render(request, "surveys/create.html", {"form": form}, status=status)


def detail(request: HttpRequest, survey_code: str) -> HttpResponse:
    survey = _survey(request, survey_code)
    user: Any = request.user
    publications = queries.publications_of(user, survey)
    for publication in publications:
        publication.url = queries.answer_url(publication, request)  # type: ignore[attr-defined]
    return render(request, "surveys/detail.html", {
        "survey": survey, "questions": queries.questions_of(survey), "publications": publications,
        "can_edit": permissions.can_edit(user, survey), "is_open": services.is_open(survey),
        "closed_message": services.closed_message(survey), "problems": services.problems(survey)
        if survey.status == Survey.Status.DRAFT else [],
        "responses": Response.objects.filter(survey=survey).count(),
    })


# --- the builder ---------------------------------------------------------------------------------


def _option_form(option: Option) -> OptionForm:
    return OptionForm(initial={"text": option.text, "code": option.code, "role": option.role, "score": option.score},
                      prefix=f"o-{option.question_id}-{option.code}")


def builder(request: HttpRequest, survey_code: str, *, settings_form: SettingsForm | None = None,
            new_form: NewQuestionForm | None = None, status: int = 200) -> HttpResponse:
    survey = _editable(request, survey_code)
    questions = queries.questions_of(survey)
    rows = []
    for q in questions:
        initial_if = [f"{q.show_if_question.code}:{c}" for c in q.show_if_options] if q.show_if_question else []
        form = QuestionForm(questions=questions, before=q, prefix=f"q-{q.code}", initial={
            "text": q.text, "help_text": q.help_text, "interviewer_note": q.interviewer_note, "kind": q.kind,
            "required": q.required, "indicator": q.indicator, "topic": q.topic, "show_if": initial_if})
        text_form = QuestionTextForm(prefix=f"t-{q.code}", initial={"text": q.text, "help_text": q.help_text,
                                                                    "interviewer_note": q.interviewer_note})
        rows.append({"question": q, "form": form, "text_form": text_form,
                     "options": [(o, _option_form(o)) for o in q.options.all()],
                     "new_option": OptionForm(prefix=f"n-{q.code}")})
    return render(request, "surveys/builder.html", {
        "survey": survey, "rows": rows, "draft": survey.status == Survey.Status.DRAFT,
        "settings_form": settings_form or SettingsForm(instance=survey, prefix="s"),
        "new_form": new_form or NewQuestionForm(questions=questions, prefix="new", initial={"required": True}),
        "problems": services.problems(survey) if survey.status == Survey.Status.DRAFT else [],
    }, status=status)


@require_POST
def builder_settings(request: HttpRequest, survey_code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    form = SettingsForm(request.POST, instance=Survey.objects.get(pk=survey.pk), prefix="s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_survey(survey, by=request.user, title=data["title"], intro=data["intro"],
                                   thanks=data["thanks"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                                   allow_visits=data["allow_visits"], min_sample=data["min_sample"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("surveys:builder", survey.code)
    return builder(request, survey_code, settings_form=form, status=400)


@require_POST
def add_question(request: HttpRequest, survey_code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    questions = queries.questions_of(survey)
    form = NewQuestionForm(request.POST, questions=questions, prefix="new")
    if form.is_valid():
        try:
            condition, codes = form.condition(questions)
            data = form.cleaned_data
            question = services.add_question(
                survey, by=request.user, text=data["text"], kind=data["kind"], required=data["required"],
                indicator=data["indicator"], topic=data["topic"], help_text=data["help_text"],
                interviewer_note=data["interviewer_note"],
                show_if_question=condition, show_if_options=codes, options=form.option_texts())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Question %(code)s added.") % {"code": question.code})
            return _to_builder(survey, f"#q-{question.code}")
    return builder(request, survey_code, new_form=form, status=400)


@require_POST
def edit_question(request: HttpRequest, survey_code: str, code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    question = _question(survey, code)
    questions = queries.questions_of(survey)
    try:
        if survey.status != Survey.Status.DRAFT:
            texts = QuestionTextForm(request.POST, prefix=f"t-{code}")
            data = _cleaned(texts)
            services.update_question(question, by=request.user, text=data["text"], help_text=data["help_text"],
                                     interviewer_note=data["interviewer_note"])
        else:
            form = QuestionForm(request.POST, questions=questions, before=question, prefix=f"q-{code}")
            data = _cleaned(form)
            condition, codes = form.condition(questions)
            services.update_question(question, by=request.user, text=data["text"], help_text=data["help_text"],
                                     interviewer_note=data["interviewer_note"], kind=data["kind"],
                                     required=data["required"], indicator=data["indicator"],
                                     topic=data["topic"], show_if_question=condition, show_if_options=codes)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("Saved."))
    return _to_builder(survey, f"#q-{code}")


@require_POST
def question_action(request: HttpRequest, survey_code: str, code: str, action: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    question = _question(survey, code)
    anchor = f"#q-{code}"
    try:
        if action == "up" or action == "down":
            services.move_question(question, by=request.user, up=action == "up")
        elif action == "delete":
            services.delete_question(question, by=request.user)
            anchor = ""
            messages.success(request, _("Question %(code)s deleted.") % {"code": code})
        else:
            raise Http404
    except ValidationError as exc:
        _say(request, exc)
    return _to_builder(survey, anchor)


@require_POST
def add_option(request: HttpRequest, survey_code: str, code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    question = _question(survey, code)
    form = OptionForm(request.POST, prefix=f"n-{code}")
    try:
        data = _cleaned(form)
        services.add_option(question, by=request.user, text=data["text"], code=data["code"], role=data["role"],
                            score=data["score"])
    except ValidationError as exc:
        _say(request, exc)
    return _to_builder(survey, f"#q-{code}")


@require_POST
def edit_option(request: HttpRequest, survey_code: str, code: str, option: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    question = _question(survey, code)
    row = _option(question, option)
    form = OptionForm(request.POST, prefix=f"o-{question.pk}-{row.code}")
    try:
        data = _cleaned(form)
        services.update_option(row, by=request.user, text=data["text"], role=data["role"], score=data["score"],
                               code=data["code"] or None)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("Saved."))
    return _to_builder(survey, f"#q-{code}")


@require_POST
def option_action(request: HttpRequest, survey_code: str, code: str, option: str, action: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    row = _option(_question(survey, code), option)
    try:
        if action == "up" or action == "down":
            services.move_option(row, by=request.user, up=action == "up")
        elif action == "delete":
            services.delete_option(row, by=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        _say(request, exc)
    return _to_builder(survey, f"#q-{code}")


def preview(request: HttpRequest, survey_code: str) -> HttpResponse:
    """The questionnaire as residents see it; nothing can be sent from here."""
    survey = _survey(request, survey_code)
    return questionnaire(request, None, survey, preview=True)


# --- publishing ----------------------------------------------------------------------------------


def publish(request: HttpRequest, survey_code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    regions = queries.publishable_regions(request.user, survey).select_related("parent")
    already = set(survey.publications.values_list("region_id", flat=True))
    form = PublishForm(request.POST or None, regions=regions, initial={"regions": list(already)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = services.publish(survey, regions=list(form.cleaned_data["regions"]), by=request.user)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                messages.success(request, _("Published in %(n)s communities or grids.") % {"n": len(made)})
                return redirect("surveys:detail", survey.code)
    return render(request, "surveys/publish.html", {
        "survey": survey, "form": form, "already": already,
        "problems": services.problems(survey) if survey.status == Survey.Status.DRAFT else [],
    }, status=status)


def _publication(request: HttpRequest, survey_code: str, token: str) -> tuple[Survey, Publication]:
    survey = _survey(request, survey_code)
    found = or_404(queries.publication_for(request.user, survey, token))
    return survey, found


def qr(request: HttpRequest, survey_code: str, token: str) -> HttpResponse:
    """The printable poster: title, community or grid, QR code and the link."""
    survey, publication = _publication(request, survey_code, token)
    return render(request, "surveys/qr.html", {"survey": survey, "publication": publication,
                                               "url": queries.answer_url(publication, request)})


def qr_image(request: HttpRequest, survey_code: str, token: str, fmt: str) -> HttpResponse:
    _survey_row, publication = _publication(request, survey_code, token)
    body = render_qr(queries.answer_url(publication, request), fmt)
    response = HttpResponse(body, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{publication.region.code}.{fmt}"'
    return response


@require_POST
def close(request: HttpRequest, survey_code: str) -> HttpResponse:
    survey = _editable(request, survey_code)
    services.close(survey, by=request.user)
    messages.success(request, _("The survey is closed. The answers given stay counted."))
    return redirect("surveys:detail", survey.code)


# --- household visits ------------------------------------------------------------------------------


def visits(request: HttpRequest) -> HttpResponse:
    """The open surveys a grid worker may record door to door."""
    return render(request, "surveys/visits.html", {"publications": queries.visit_publications(request.user)})


def visit(request: HttpRequest, token: str) -> HttpResponse:
    """Record one household's answers, then the next: the grid stays chosen."""
    user: Any = request.user
    publication = or_404(queries.publication_by_token(token))
    if not permissions.can_record_visit(user, publication):
        raise PermissionDenied(_("Household visits are recorded by grid workers, in a grid of their area that the "
                                 "survey covers."))
    survey = publication.survey
    grids = queries.visit_grids(user, publication)
    grid_code = request.POST.get("grid") or request.GET.get("grid") or (grids[0].code if len(grids) == 1 else "")
    extra: dict[str, Any] = {"visit": True, "grids": grids, "grid_code": grid_code,
             "recorded": queries.visits_recorded(user, survey), "closed_message": services.closed_message(survey)}
    if request.method != "POST" or extra["closed_message"]:
        return questionnaire(request, publication, survey, status=409 if request.method == "POST" else 200, **extra)
    answers = read_answers(request.POST, queries.questions_of(survey))
    grid = next((g for g in grids if g.code == grid_code), None)
    try:
        if grid is None:
            raise ValidationError({NON_FIELD_ERRORS: [_("Choose the grid of the household.")]})
        services.submit_response(publication, answers, mode=Response.Mode.VISIT, by=user, region=grid)
    except ValidationError as exc:
        return questionnaire(request, publication, survey, answers=answers, errors=error_dict(exc), status=400,
                             **extra)
    except PermissionDenied as exc:
        return questionnaire(request, publication, survey, answers=answers,
                             errors={NON_FIELD_ERRORS: [str(exc)]}, status=403, **extra)
    messages.success(request, _("Recorded. Next household."))
    return redirect(reverse("surveys:visit", args=[token]) + f"?grid={grid.code}")


urlpatterns: list[URLPattern] = [
    path("", survey_list, name="list"),
    path("new/", create, name="create"),
    path("visit/", visits, name="visits"),
    path("visit/<str:token>/", visit, name="visit"),
    path("<str:survey_code>/", detail, name="detail"),
    path("<str:survey_code>/build/", builder, name="builder"),
    path("<str:survey_code>/build/settings/", builder_settings, name="builder_settings"),
    path("<str:survey_code>/build/questions/", add_question, name="builder_add_question"),
    path("<str:survey_code>/build/questions/<str:code>/", edit_question, name="builder_question"),
    path("<str:survey_code>/build/questions/<str:code>/options/", add_option, name="builder_add_option"),
    path("<str:survey_code>/build/questions/<str:code>/options/<str:option>/", edit_option, name="builder_option"),
    path("<str:survey_code>/build/questions/<str:code>/options/<str:option>/<str:action>/", option_action,
         name="builder_option_action"),
    path("<str:survey_code>/build/questions/<str:code>/<str:action>/", question_action, name="builder_question_action"),
    path("<str:survey_code>/preview/", preview, name="preview"),
    path("<str:survey_code>/publish/", publish, name="publish"),
    path("<str:survey_code>/close/", close, name="close"),
    path("<str:survey_code>/qr/<str:token>/", qr, name="qr"),
    path("<str:survey_code>/qr/<str:token>.svg", qr_image, {"fmt": "svg"}, name="qr_svg"),
    path("<str:survey_code>/qr/<str:token>.png", qr_image, {"fmt": "png"}, name="qr_png"),
]
