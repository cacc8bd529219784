"""Every write of surveys: make one (blank or from a shipped template), build its questions while it
is a draft, publish it to communities and grids (a link and QR code each), close it, and take
answers — a resident on their own phone, or a grid worker on a household visit.

A resident has no account: their browser is recognised by a random device cookie, of which only a
keyed hash (per survey, so the same phone cannot be followed from one survey to the next) is kept.
One counted response per device and survey; a unique constraint backs the check against races."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.org.models import Region
from chuangcheng.surveys import permissions
from chuangcheng.surveys.models import Answer, Indicator, Option, Publication, Question, Response, Survey
from chuangcheng.surveys.templates import TEMPLATES, QuestionSpec

MAX_TEXT_ANSWER = 2000
CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE)


# --- helpers ---------------------------------------------------------------------------------


def hash_device(raw: str, survey: Survey | int) -> str:
    """The keyed hash kept for a browser's device token: HMAC with the secret key, salted with the
    survey, so the same phone is recognised within one survey and cannot be linked across surveys."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    survey_id = survey.pk if isinstance(survey, Survey) else survey
    return salted_hmac(f"chuangcheng.surveys.device.{survey_id}", raw, algorithm="sha256").hexdigest()


def new_token() -> str:
    """A publication's link token: 96 random bits, URL-safe, 16 characters."""
    while True:
        token = secrets.token_urlsafe(12)
        if not Publication.objects.filter(token=token).exists():
            return token


def is_open(survey: Survey, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return (survey.status == Survey.Status.OPEN and (survey.opens_at is None or survey.opens_at <= now)
            and (survey.closes_at is None or now < survey.closes_at))


def _refuse(user: Any, allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _must_edit(user: Any, survey: Survey) -> None:
    _refuse(user, permissions.can_edit(user, survey), _("Only the office that made this survey may change it."))


def _must_be_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("The survey has been published: questions and options can no longer be added, "
                                "removed, moved or recoded; only their texts may be corrected."), code="published")


def _clean_text(value: str, field: str, *, required: bool = True, max_length: int = 0) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("Keep it to %(n)s characters.") % {"n": max_length}})
    return value


def _clean_code(value: str, field: str = "code") -> str:
    value = (value or "").strip()
    if not value or len(value) > 20 or not all(ch.isalnum() or ch in "-_" for ch in value):
        raise ValidationError({field: _("Use up to 20 letters, digits, - or _.")})
    return value


def _score(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationError({"score": _("Give the score as a number from 0 to 100.")}) from exc
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({"score": _("Give the score as a number from 0 to 100.")})
    return number.quantize(Decimal("0.1"))


def _record(by: Any, action: str, instance: Any, survey: Survey, changes: dict[str, Any] | None = None,
            note: str = "") -> None:
    audit.record(actor=by, action=action, instance=instance, changes=changes, region_path=survey.region.path,
                 note=note)


# --- making a survey -------------------------------------------------------------------------


def create_survey(*, region: Region, by: Any, title: str, intro: str = "", thanks: str = "",
                  template: str = "") -> Survey:
    """A blank draft made by a street or community office."""
    _refuse(by, by is None or permissions.can_make_survey_in(by, region),
            _("Surveys are made by the street office or a community, within your area."))
    if region.level not in permissions.MAKER_LEVELS:
        raise ValidationError({"region": _("Surveys are made by the street office or a community.")})
    survey = Survey.objects.create(
        region=region, title=_clean_text(title, "title", max_length=120), intro=(intro or "").strip(),
        thanks=(thanks or "").strip(), template=template, created_by=by if getattr(by, "pk", None) else None,
        created_at=clock.now())
    _record(by, "create", survey, survey, audit.snapshot(survey, ["title", "region", "template"]))
    return survey


@transaction.atomic
def create_from_template(*, region: Region, template: str, by: Any, title: str = "") -> Survey:
    """A draft with the shipped questions of `template` (awareness, support, participation,
    satisfaction or campaign): codes, roles and scores as the defaults in docs/guide/surveys.md."""
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError({"template": _("Choose one of the shipped templates.")})
    from chuangcheng.surveys.templates import THANKS

    survey = create_survey(region=region, by=by, title=title.strip() or spec.title, intro=spec.intro,
                           thanks=THANKS, template=spec.name)
    made: dict[str, Question] = {}
    for order, q in enumerate(spec.questions, start=1):
        made[q.code] = _make_question(survey, q, order, made)
    return survey


def _make_question(survey: Survey, spec: QuestionSpec, order: int, made: Mapping[str, Question]) -> Question:
    condition = made[spec.show_if[0]] if spec.show_if else None
    question = Question.objects.create(
        survey=survey, code=spec.code, order=order, text=spec.text, help_text=spec.help_text,
        interviewer_note=spec.interviewer_note, kind=spec.kind,
        required=spec.required, indicator=spec.indicator, topic=spec.topic, show_if_question=condition,
        show_if_options=list(spec.show_if[1]) if spec.show_if else [])
    Option.objects.bulk_create([
        Option(question=question, code=o.code, order=i, text=o.text, role=o.role, score=o.score)
        for i, o in enumerate(spec.options, start=1)
    ])
    return question


@transaction.atomic
def update_survey(survey: Survey, *, by: Any, title: str, intro: str = "", thanks: str = "",
                  opens_at: dt.datetime | None = None, closes_at: dt.datetime | None = None,
                  allow_visits: bool = True, min_sample: int = 30) -> Survey:
    """Texts, the answering window, visits and the smallest sample: allowed at any time (audited)."""
    survey = Survey.objects.select_for_update().select_related("region").get(pk=survey.pk)
    _must_edit(by, survey)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The survey must close after it opens.")})
    if min_sample < 1:
        raise ValidationError({"min_sample": _("Give a whole number of at least 1.")})
    before = audit.snapshot(survey)
    survey.title = _clean_text(title, "title", max_length=120)
    survey.intro, survey.thanks = (intro or "").strip(), (thanks or "").strip()
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.allow_visits, survey.min_sample = allow_visits, min_sample
    survey.save()
    _record(by, "update", survey, survey, audit.diff(before, audit.snapshot(survey)))
    return survey


# --- questions and options -------------------------------------------------------------------


def _next_code(existing: Iterable[str], prefix: str) -> str:
    taken = set(existing)
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _clean_condition(question: Question | None, survey: Survey, condition: Question | None,
                     codes: Sequence[str], order: int) -> tuple[Question | None, list[str]]:
    """Skip logic: an earlier choice question of the same survey and some of its option codes."""
    if condition is None:
        return None, []
    if condition.survey_id != survey.pk or (question is not None and condition.pk == question.pk):
        raise ValidationError({"show_if_question": _("Choose an earlier question of this survey.")})
    if condition.kind not in CHOICE_KINDS:
        raise ValidationError({"show_if_question": _("Only a choice question can decide what is shown.")})
    if condition.order >= order:
        raise ValidationError({"show_if_question": _("Choose an earlier question of this survey.")})
    known = set(condition.options.values_list("code", flat=True))
    chosen = [c for c in dict.fromkeys(codes) if c]
    if not chosen:
        raise ValidationError({"show_if_options": _("Choose the answers that show this question.")})
    if unknown := [c for c in chosen if c not in known]:
        raise ValidationError({"show_if_options": _("Unknown answer: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return condition, chosen


def _clean_question_fields(kind: str, indicator: str) -> None:
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose single choice, multiple choice, scale or text.")})
    if indicator and indicator not in Indicator.values:
        raise ValidationError({"indicator": _("Choose one of the indicators.")})
    if indicator and kind not in (Question.Kind.SINGLE, Question.Kind.SCALE):
        raise ValidationError({"indicator": _("Only a single-choice or scale question counts for an indicator.")})


@transaction.atomic
def add_question(survey: Survey, *, by: Any, text: str, kind: str = Question.Kind.SINGLE, code: str = "",
                 required: bool = True, indicator: str = "", topic: str = "", help_text: str = "",
                 interviewer_note: str = "", show_if_question: Question | None = None,
                 show_if_options: Sequence[str] = (), options: Sequence[str] = ()) -> Question:
    """A new question at the end of a draft; choice questions get their options (texts, one each)."""
    survey = Survey.objects.select_for_update().select_related("region").get(pk=survey.pk)
    _must_edit(by, survey)
    _must_be_draft(survey)
    _clean_question_fields(kind, indicator)
    codes = list(survey.questions.values_list("code", flat=True))
    code = _clean_code(code) if code else _next_code(codes, "Q")
    if code in codes:
        raise ValidationError({"code": _("Another question already has this code.")})
    order = (survey.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    condition, chosen = _clean_condition(None, survey, show_if_question, show_if_options, order)
    texts = [t.strip() for t in options if t and t.strip()]
    if kind in CHOICE_KINDS and len(texts) < 2:
        raise ValidationError({"options": _("Give at least two options, one a line.")})
    if len(set(texts)) != len(texts):
        raise ValidationError({"options": _("Two options have the same text.")})
    if any(len(t) > 120 for t in texts):
        raise ValidationError({"options": _("Keep each option to %(n)s characters.") % {"n": 120}})
    question = Question.objects.create(
        survey=survey, code=code, order=order, text=_clean_text(text, "text"),
        help_text=_clean_text(help_text, "help_text", required=False, max_length=200),
        interviewer_note=_clean_text(interviewer_note, "interviewer_note", required=False, max_length=200), kind=kind,
        required=required, indicator=indicator, topic=_clean_text(topic, "topic", required=False, max_length=60),
        show_if_question=condition, show_if_options=chosen)
    if kind in CHOICE_KINDS:
        Option.objects.bulk_create([Option(question=question, code=chr(ord("A") + i) if i < 26 else f"O{i + 1}",
                                           order=i + 1, text=t) for i, t in enumerate(texts)])
    _record(by, "create", question, survey, audit.snapshot(question))
    return question


_QUESTION_STRUCTURE = ("kind", "required", "indicator", "topic", "show_if_question", "show_if_options")


@transaction.atomic
def update_question(question: Question, *, by: Any, text: str, help_text: str = "", interviewer_note: str | None = None,
                    kind: str | None = None, required: bool | None = None, indicator: str | None = None,
                    topic: str | None = None, show_if_question: Question | None = None,
                    show_if_options: Sequence[str] | None = None) -> Question:
    """A draft's question may change in every way; a published one only in its texts (question and
    hints), so answers already given keep their meaning. Fields passed as None stay as they are."""
    question = Question.objects.select_for_update().select_related("survey__region").get(pk=question.pk)
    survey = question.survey
    _must_edit(by, survey)
    before = audit.snapshot(question)
    new: dict[str, Any] = {
        "kind": question.kind if kind is None else kind,
        "required": question.required if required is None else required,
        "indicator": question.indicator if indicator is None else indicator,
        "topic": question.topic if topic is None else _clean_text(topic, "topic", required=False, max_length=60),
        "show_if_question": question.show_if_question if show_if_options is None else show_if_question,
        "show_if_options": question.show_if_options if show_if_options is None else list(show_if_options),
    }
    if survey.status != Survey.Status.DRAFT and any(
            new[f] != getattr(question, f) for f in _QUESTION_STRUCTURE):
        _must_be_draft(survey)
    _clean_question_fields(new["kind"], new["indicator"])
    if new["kind"] != question.kind and Question.Kind.TEXT in (new["kind"], question.kind) \
            and question.options.exists():
        raise ValidationError({"kind": _("Remove the options before making this a text question.")})
    condition, chosen = _clean_condition(question, survey, new["show_if_question"], new["show_if_options"],
                                         question.order)
    question.text = _clean_text(text, "text")
    question.help_text = _clean_text(help_text, "help_text", required=False, max_length=200)
    if interviewer_note is not None:
        question.interviewer_note = _clean_text(interviewer_note, "interviewer_note", required=False, max_length=200)
    question.kind, question.required, question.indicator = new["kind"], new["required"], new["indicator"]
    question.topic, question.show_if_question, question.show_if_options = new["topic"], condition, chosen
    question.save()
    changes = audit.diff(before, audit.snapshot(question))
    if changes:
        _record(by, "update", question, survey, changes)
    return question


@transaction.atomic
def move_question(question: Question, *, by: Any, up: bool) -> Question:
    """Swap with the neighbour above or below (drafts only); skip logic must still point backwards."""
    question = Question.objects.select_related("survey__region").get(pk=question.pk)
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _must_edit(by, question.survey)
    _must_be_draft(survey)
    rows = list(survey.questions.order_by("order", "id"))
    index = next(i for i, q in enumerate(rows) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return question
    rows[index], rows[other] = rows[other], rows[index]
    position = {q.pk: i for i, q in enumerate(rows)}
    for q in rows:
        if q.show_if_question_id is not None and position[q.show_if_question_id] >= position[q.pk]:
            raise ValidationError(_("Question %(code)s is shown depending on %(condition)s, which must come "
                                    "before it.") % {"code": q.code, "condition": q.show_if_question.code
                                                     if q.show_if_question else ""})
    for i, q in enumerate(rows, start=1):
        if q.order != i:
            q.order = i
            q.save(update_fields=["order"])
    _record(by, "update", question, survey, {"order": [index + 1, other + 1]})
    question.refresh_from_db()
    return question


@transaction.atomic
def delete_question(question: Question, *, by: Any) -> None:
    question = Question.objects.select_related("survey__region").get(pk=question.pk)
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _must_edit(by, question.survey)
    _must_be_draft(survey)
    if question.dependents.exists():
        raise ValidationError(_("Other questions are shown depending on this one: change them first."))
    _record(by, "delete", question, question.survey, audit.snapshot(question))
    question.options.all().delete()
    question.delete()


def _lock_question(question: Question) -> Question:
    question = Question.objects.select_related("survey__region").get(pk=question.pk)
    Survey.objects.select_for_update().filter(pk=question.survey_id).first()
    question.survey.refresh_from_db(fields=["status"])
    return question


@transaction.atomic
def add_option(question: Question, *, by: Any, text: str, code: str = "",
               role: str = Option.Role.NEGATIVE, score: Decimal | int | str | None = None) -> Option:
    question = _lock_question(question)
    _must_edit(by, question.survey)
    _must_be_draft(question.survey)
    if question.kind not in CHOICE_KINDS:
        raise ValidationError(_("A text question has no options."))
    codes = list(question.options.values_list("code", flat=True))
    if code:
        code = _clean_code(code)
    else:
        code = next(c for c in [chr(ord("A") + i) for i in range(26)] + [f"O{i}" for i in range(27, 999)]
                    if c not in codes)
    if code in codes:
        raise ValidationError({"code": _("Another option of this question already has this code.")})
    if role not in Option.Role.values:
        raise ValidationError({"role": _("Choose how the option counts.")})
    order = (question.options.aggregate(m=Max("order"))["m"] or 0) + 1
    option = Option.objects.create(question=question, code=code, order=order,
                                   text=_clean_text(text, "text", max_length=120), role=role, score=_score(score))
    _record(by, "create", option, question.survey, audit.snapshot(option))
    return option


@transaction.atomic
def update_option(option: Option, *, by: Any, text: str, role: str, score: Decimal | int | str | None,
                  code: str | None = None) -> Option:
    """Text, role and score may change at any time: the role and score are how an indicator's
    definition is configured (the answers stay as given). The code changes only in a draft."""
    option = Option.objects.select_related("question__survey__region").get(pk=option.pk)
    question = _lock_question(option.question)
    survey = question.survey
    _must_edit(by, survey)
    before = audit.snapshot(option)
    if code is not None and code != option.code:
        _must_be_draft(survey)
        code = _clean_code(code)
        if question.options.exclude(pk=option.pk).filter(code=code).exists():
            raise ValidationError({"code": _("Another option of this question already has this code.")})
        if any(option.code in (q.show_if_options or []) for q in question.dependents.all()):
            raise ValidationError({"code": _("A question is shown depending on this option: change it first.")})
        option.code = code
    if role not in Option.Role.values:
        raise ValidationError({"role": _("Choose how the option counts.")})
    option.text = _clean_text(text, "text", max_length=120)
    option.role, option.score = role, _score(score)
    option.save()
    changes = audit.diff(before, audit.snapshot(option))
    if changes:
        note = _("Changed after publication: the indicators are read again with the new definition.") \
            if survey.status != Survey.Status.DRAFT and ({"role", "score"} & set(changes)) else ""
        _record(by, "update", option, survey, changes, note=note)
    return option


@transaction.atomic
def move_option(option: Option, *, by: Any, up: bool) -> Option:
    question = _lock_question(option.question)
    _must_edit(by, question.survey)
    _must_be_draft(question.survey)
    rows = list(question.options.order_by("order", "id"))
    index = next(i for i, o in enumerate(rows) if o.pk == option.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
        for i, o in enumerate(rows, start=1):
            if o.order != i:
                o.order = i
                o.save(update_fields=["order"])
    option.refresh_from_db()
    return option


@transaction.atomic
def delete_option(option: Option, *, by: Any) -> None:
    question = _lock_question(option.question)
    _must_edit(by, question.survey)
    _must_be_draft(question.survey)
    if any(option.code in (q.show_if_options or []) for q in question.dependents.all()):
        raise ValidationError(_("A question is shown depending on this option: change it first."))
    if question.options.count() <= 2:
        raise ValidationError(_("A choice question keeps at least two options."))
    _record(by, "delete", option, question.survey, audit.snapshot(option))
    option.delete()


# --- publishing ------------------------------------------------------------------------------


def problems(survey: Survey) -> list[str]:
    """What stops a draft from being published (empty: ready)."""
    found: list[str] = []
    questions = list(survey.questions.prefetch_related("options"))
    if not questions:
        found.append(_("The survey has no questions yet."))
    for q in questions:
        if q.kind in CHOICE_KINDS and len(q.options.all()) < 2:
            found.append(_("Question %(code)s needs at least two options.") % {"code": q.code})
    return found


@transaction.atomic
def publish(survey: Survey, *, regions: list[Region], by: Any) -> list[Publication]:
    """Offer the survey in communities or grids: one publication (link and QR code) per region.
    Publishing a draft opens it; publishing again to a region already offered changes nothing."""
    survey = Survey.objects.select_for_update().select_related("region").get(pk=survey.pk)
    _refuse(by, by is None or permissions.can_publish(by, survey),
            _("Only the office that made this survey may publish it."))
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("The survey is closed; it cannot be published again."), code="closed")
    if not regions:
        raise ValidationError({"regions": _("Choose at least one community or grid.")})
    for region in regions:
        if region.level not in permissions.PUBLICATION_LEVELS or not region.is_within(survey.region):
            raise ValidationError({"regions": _("%(name)s is not a community or grid of %(region)s.")
                                   % {"name": region.name, "region": survey.region.name}})
        _refuse(by, by is None or permissions.can_publish_to(by, survey, region),
                _("%(name)s is outside your area.") % {"name": region.name})
    if survey.status == Survey.Status.DRAFT:
        if found := problems(survey):
            raise ValidationError(found)
        survey.status = Survey.Status.OPEN
        survey.save(update_fields=["status"])
        _record(by, "publish", survey, survey, {"status": [Survey.Status.DRAFT, Survey.Status.OPEN]})
    existing = {p.region_id: p for p in survey.publications.select_related("region")}
    made: list[Publication] = []
    for region in dict.fromkeys(regions):
        publication = existing.get(region.pk)
        if publication is None:
            publication = Publication.objects.create(survey=survey, region=region, token=new_token(),
                                                     created_at=clock.now(),
                                                     created_by=by if getattr(by, "pk", None) else None)
            _record(by, "publish", publication, survey, {"region": [None, region.code]})
        made.append(publication)
    return made


@transaction.atomic
def close(survey: Survey, *, by: Any) -> Survey:
    """No more answers; the answers already given stay and are counted. Closing twice is harmless."""
    survey = Survey.objects.select_for_update().select_related("region").get(pk=survey.pk)
    _refuse(by, by is None or permissions.can_close(by, survey),
            _("Only the office that made this survey may close it."))
    if survey.status != Survey.Status.CLOSED:
        before = survey.status
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
        _record(by, "update", survey, survey, {"status": [before, Survey.Status.CLOSED]})
    return survey


# --- answering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    question: Question
    option: Option | None = None
    text: str = ""


def _values(raw: list[str] | tuple[str, ...] | str | None) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [str(v).strip() for v in items if str(v).strip()]


def visible_questions(questions: Sequence[Question], answers: Mapping[str, Sequence[str]]) -> set[str]:
    """The codes of the questions shown given these answers (a question under a hidden one is hidden)."""
    shown: set[str] = set()
    by_pk = {q.pk: q for q in questions}
    for q in questions:
        condition = by_pk.get(q.show_if_question_id) if q.show_if_question_id else None
        if condition is None or (condition.code in shown
                                 and set(answers.get(condition.code, ())) & set(q.show_if_options or [])):
            shown.add(q.code)
    return shown


def clean_answers(survey: Survey, answers: Mapping[str, list[str] | str]) -> list[Chosen]:
    """Check a set of answers against the questions; every problem is named per question code.
    Two queries, the questions and then all their options (grouped here: the prefetch machinery
    would cost more than the reading, once per question)."""
    questions = list(survey.questions.order_by("order", "id"))
    options_of: dict[int, dict[str, Option]] = {q.pk: {} for q in questions}
    for option in Option.objects.filter(question__in=questions).order_by():
        options_of[option.question_id][option.code] = option
    known = {q.code: q for q in questions}
    errors: dict[str, list[str]] = {}
    unknown_questions = [code for code in answers if code not in known]
    if unknown_questions:
        errors[NON_FIELD_ERRORS] = [_("Unknown question: %(codes)s.") % {"codes": ", ".join(unknown_questions)}]
    given = {code: _values(value) for code, value in answers.items() if code in known}
    shown = visible_questions(questions, given)
    chosen: list[Chosen] = []
    missing: list[str] = []
    for number, q in enumerate(questions, start=1):
        if q.code not in shown:
            continue  # skip logic: answers to a hidden question are dropped, and it is not required
        values = given.get(q.code, [])
        if not values:
            if q.required:
                missing.append(_("%(number)s. %(text)s") % {"number": number, "text": _short(q.text)})
                errors[q.code] = [_("Please answer this question.")]
            continue
        if q.kind == Question.Kind.TEXT:
            text = "\n".join(values)
            if len(text) > MAX_TEXT_ANSWER:
                errors[q.code] = [_("Keep the answer to %(n)s characters.") % {"n": MAX_TEXT_ANSWER}]
                continue
            chosen.append(Chosen(q, text=text))
            continue
        options = options_of[q.pk]
        if bad := [v for v in values if v not in options]:
            errors[q.code] = [_("Unknown answer: %(codes)s.") % {"codes": ", ".join(bad)}]
            continue
        values = list(dict.fromkeys(values))
        if q.kind != Question.Kind.MULTIPLE and len(values) > 1:
            errors[q.code] = [_("Choose one answer.")]
            continue
        chosen.extend(Chosen(q, option=options[v]) for v in values)
    if missing:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("Please answer: %(questions)s") % {"questions": "; ".join(missing)})
    if errors:
        raise ValidationError(errors)
    return chosen


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def closed_message(survey: Survey, now: dt.datetime | None = None) -> str:
    """Why a survey takes no answers now ("" when it does)."""
    now = now or clock.now()
    if survey.status == Survey.Status.DRAFT or (survey.opens_at is not None and now < survey.opens_at):
        return _("This survey is not open yet. Please come back later.")
    if not is_open(survey, now):
        return _("This survey has closed and takes no more answers. Thank you for your interest!")
    return ""


def submit_response(publication: Publication, answers: Mapping[str, list[str] | str], *, device: str = "",
                    mode: str = Response.Mode.SELF, by: Any = None, region: Region | None = None) -> Response:
    """One questionnaire answered. `device` is the raw device token of the resident's browser (only
    its keyed hash is kept): a second response from it is refused with code "duplicate". On a
    household visit (`mode="visit"`) a grid worker records for a grid of their scope in the
    publication's region, without the device guard. Nothing is stored when anything is refused."""
    publication = Publication.objects.select_related("survey__region", "region").get(pk=publication.pk)
    survey = publication.survey
    if message := closed_message(survey):
        raise ValidationError(message, code="closed")
    if mode == Response.Mode.VISIT:
        region = region or publication.region
        _refuse(by, permissions.can_record_visit(by, publication, region),
                _("Household visits are recorded by grid workers, in a grid of their area that the survey covers."))
        device_hash = ""
    elif mode == Response.Mode.SELF:
        region = publication.region
        device_hash = hash_device(device, survey)
        if not device_hash:
            raise ValidationError(_("Your browser did not keep our cookie. Please allow cookies for this site "
                                    "and open the link again."), code="device")
    else:
        raise ValidationError({"mode": _("Unknown way of answering.")})
    chosen = clean_answers(survey, answers)
    duplicate = ValidationError(_("This survey has already been answered on this phone. Thank you!"),
                                code="duplicate")
    if device_hash and Response.objects.filter(survey=survey, device=device_hash).exists():
        raise duplicate
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey, publication=publication, region=region, mode=mode, device=device_hash,
                recorded_by=by if mode == Response.Mode.VISIT else None, submitted_at=clock.now())
            Answer.objects.bulk_create([Answer(response=response, question=c.question, option=c.option, text=c.text)
                                        for c in chosen])
    except IntegrityError as exc:  # the same phone, twice at the same moment
        raise duplicate from exc
    return response
