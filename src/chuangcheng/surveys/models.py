"""Resident questionnaires (问卷调查) and their answers.

A survey belongs to the region that made it (a street or a community) and is published to
communities or grids, each publication with its own link and QR code, so every answer counts to
one region. Indicators (知晓率, 支持率, 参与率, 满意度) are read from the options' roles: an option
counts as `positive`, as `negative` (in the denominator, not in the numerator) or is `excluded`
(不清楚: not a valid answer). Changing an option's role is how a definition is configured (whether
听说过 counts as aware, say); the answers stay as they were given.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.core.codes import random_code
from chuangcheng.org.models import Region


class Indicator(models.TextChoices):
    AWARENESS = "awareness", _("awareness")
    SUPPORT = "support", _("support")
    PARTICIPATION = "participation", _("participation")
    SATISFACTION = "satisfaction", _("satisfaction")


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("survey status", "draft")
        OPEN = "open", pgettext_lazy("survey status", "open")
        CLOSED = "closed", pgettext_lazy("survey status", "closed")

    region = models.ForeignKey(Region, verbose_name=_("made by"), on_delete=models.PROTECT,
                               related_name="surveys")
    # Names the survey in its staff pages and API paths (`/surveys/<code>/`), never the primary key.
    code = models.CharField(_("code"), max_length=12, unique=True, default=random_code, editable=False)
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    thanks = models.TextField(_("thank-you text"), blank=True)
    template = models.CharField(_("made from template"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # Household-visit mode: grid workers may record answers door to door.
    allow_visits = models.BooleanField(_("grid workers may record answers door to door"), default=True)
    # Below this many valid answers an indicator is shown but flagged too small to rank.
    min_sample = models.PositiveIntegerField(_("smallest sample to rank"), default=30)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        TEXT = "text", _("text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))
    help_text = models.CharField(_("hint"), max_length=200, blank=True)
    # Read only by whoever records the answers on a household visit ("do not read out …"); a
    # resident answering on their own never sees it.
    interviewer_note = models.CharField(_("note for the interviewer"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("required"), default=True)
    indicator = models.CharField(_("indicator"), max_length=16, choices=Indicator.choices, blank=True)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    # Skip logic: shown only when the earlier question `show_if_question` was answered with one of
    # `show_if_options` (option codes). Empty: always shown.
    show_if_question = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="dependents", verbose_name=_("show only if question"))
    show_if_options = models.JSONField(_("was answered with"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="survey_question_code_unique")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    class Role(models.TextChoices):
        POSITIVE = "positive", _("counts for the indicator")
        NEGATIVE = "negative", _("counts against")
        EXCLUDED = "excluded", _("not a valid answer")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("option"), max_length=120)
    role = models.CharField(_("for the indicator"), max_length=8, choices=Role.choices, default=Role.NEGATIVE)
    # Satisfaction score of this option (满意 100 … 不满意 0); none for options outside the score.
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["question", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="survey_option_code_unique")]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text


class Publication(models.Model):
    """The survey offered in one community or grid: its own link (`token`) and QR code."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="publications")
    region = models.ForeignKey(Region, verbose_name=_("community or grid"), on_delete=models.PROTECT,
                               related_name="survey_publications")
    token = models.CharField(max_length=16, unique=True, editable=False)
    created_at = models.DateTimeField(_("published"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["survey", "region__sort_order", "region__code"]
        constraints = [models.UniqueConstraint(fields=["survey", "region"], name="survey_publication_unique")]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.survey} · {self.region}"


class Response(models.Model):
    """One questionnaire answered. `device` is a keyed hash (never the raw cookie) of the browser's
    device token for this survey: one counted response per device and survey."""

    class Mode(models.TextChoices):
        SELF = "self", _("answered on their own device")
        VISIT = "visit", _("recorded on a household visit")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    publication = models.ForeignKey(Publication, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="responses")
    region = models.ForeignKey(Region, verbose_name=_("counts to"), on_delete=models.PROTECT,
                               related_name="survey_responses")
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices, default=Mode.SELF)
    device = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    submitted_at = models.DateTimeField(_("submitted"), default=clock.now, db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["survey", "device"], condition=~Q(device=""),
                                               name="survey_one_response_per_device")]
        indexes = [models.Index(fields=["survey", "region", "submitted_at"])]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    """One chosen option (a multiple-choice question has a row per option chosen), or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("text"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text or str(self.option_id or "")
