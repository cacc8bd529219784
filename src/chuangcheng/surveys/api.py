"""The survey endpoints, read-only for staff: surveys, a survey's questions and options, its
indicators per region (with n and the 95 % interval), its trend per ISO week and its raw responses
(paginated). Mounted at /api/surveys; everything limited to the caller's region, a survey or region
outside it is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from chuangcheng.core import clock
from chuangcheng.core.periods import parse_period
from chuangcheng.surveys import queries, results
from chuangcheng.surveys.indicators import Rate, Score
from chuangcheng.surveys.models import Answer, Response, Survey

router = Router(tags=["surveys"])


class SurveyFields(Schema):
    id: int
    code: str  # names the survey in the paths below
    title: str
    status: str
    template: str
    region: str
    region_name: str
    min_sample: int
    created_at: dt.datetime


class SurveyOut(SurveyFields):
    @staticmethod
    def resolve_region(obj: Survey) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Survey) -> str:
        return obj.region.name


class OptionOut(Schema):
    code: str
    text: str
    role: str
    score: float | None


class QuestionOut(Schema):
    code: str
    text: str
    indicator: str
    topic: str
    definition: str | None
    options: list[OptionOut]


class SurveyDetail(SurveyFields):
    questions: list[QuestionOut]


class RateOut(Schema):
    indicator: str
    positive: int
    valid: int
    excluded: int
    rate: float | None
    low: float | None
    high: float | None
    too_small: bool


class ScoreOut(Schema):
    n: int
    mean: float | None
    low: float | None
    high: float | None
    too_small: bool


class RegionIndicators(Schema):
    region: str
    region_name: str
    level: int
    responses: int
    self_responses: int
    visit_responses: int
    rates: list[RateOut]
    satisfaction_score: ScoreOut


class IndicatorsOut(Schema):
    survey: int
    region: str
    since: dt.date | None
    until: dt.date | None
    total: RegionIndicators
    rows: list[RegionIndicators]


class WeekOut(Schema):
    week: str
    start: dt.date
    end: dt.date
    responses: int
    rates: list[RateOut]
    satisfaction_score: ScoreOut


class AnswerOut(Schema):
    question: str
    options: list[str]
    text: str


class ResponseOut(Schema):
    id: int
    submitted_at: dt.datetime
    region: str
    mode: str
    answers: list[AnswerOut]


def _rate(indicator: str, rate: Rate) -> RateOut:
    interval = rate.interval
    return RateOut(indicator=indicator, positive=rate.positive, valid=rate.valid, excluded=rate.excluded,
                   rate=rate.value, low=interval.low if interval else None, high=interval.high if interval else None,
                   too_small=rate.too_small)


def _score(score: Score) -> ScoreOut:
    interval = score.interval
    return ScoreOut(n=score.n, mean=score.mean, low=interval.low if interval else None,
                    high=interval.high if interval else None, too_small=score.too_small)


def _region_out(region: Any, figures: results.Figures, indicators: list[str]) -> RegionIndicators:
    return RegionIndicators(
        region=region.code, region_name=region.name, level=region.level, responses=figures.responses,
        self_responses=figures.by_mode.get("self", 0), visit_responses=figures.by_mode.get("visit", 0),
        rates=[_rate(i, figures.rate(i)) for i in indicators], satisfaction_score=_score(figures.score()))


@router.get("/", response=list[SurveyOut], operation_id="surveys_list")
@paginate(LimitOffsetPagination)
def list_surveys(request: HttpRequest) -> QuerySet[Survey]:
    """The surveys the caller may read: made in their region or above it, or published in it."""
    return queries.surveys_visible_to(request.user).order_by("-created_at", "-id")


@router.get("/{code}", response=SurveyDetail, operation_id="surveys_detail")
def survey_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """A survey with its questions and options, each option's role for the indicator and score."""
    survey = results.survey_for(request.user, code)
    out: dict[str, Any] = {"id": survey.pk, "code": survey.code, "title": survey.title, "status": survey.status,
                           "template": survey.template, "region": survey.region.code,
                           "region_name": survey.region.name, "min_sample": survey.min_sample,
                           "created_at": survey.created_at}
    out["questions"] = [
        {"code": q.code, "text": q.text, "indicator": q.indicator, "topic": q.topic,
         "definition": q.definition if q.indicator else None,
         "options": [{"code": o.code, "text": o.text, "role": o.role, "score": o.score} for o in q.options]}
        for q in results.questions_of(survey)]
    return out


@router.get("/{code}/indicators", response=IndicatorsOut, operation_id="surveys_indicators")
def survey_indicators(request: HttpRequest, code: str, region: str = "", since: dt.date | None = None,
                      until: dt.date | None = None) -> IndicatorsOut:
    """The indicators in a region (default: the caller's) and each region just below it, with the
    sample size, the 95 % interval (Wilson for rates, t for the mean score) and the small-sample flag.
    Rates are fractions (0–1)."""
    parse_period({"since": since, "until": until})  # a period that ends before it starts: 400
    survey = results.survey_for(request.user, code)
    where = results.region_for(request.user, survey, region)
    res = results.results(request.user, survey, where, since=since, until=until)
    return IndicatorsOut(survey=survey.pk, region=where.code, since=since, until=until,
                         total=_region_out(where, res.total, res.indicators),
                         rows=[_region_out(r.region, r.figures, res.indicators) for r in res.rows])


@router.get("/{code}/trend", response=list[WeekOut], operation_id="surveys_trend")
def survey_trend(request: HttpRequest, code: str, region: str = "", weeks: int | None = None) -> list[WeekOut]:
    """The indicators per ISO week (Monday first, local dates) in a region, oldest week first."""
    if weeks is not None and not 1 <= weeks <= 104:
        raise ValidationError({"weeks": [_("Weeks must be a whole number from 1 to %(n)d.") % {"n": 104}]})
    survey = results.survey_for(request.user, code)
    where = results.region_for(request.user, survey, region)
    trend = results.trend(request.user, survey, where, weeks=weeks)
    return [WeekOut(week=w.label, start=w.start, end=w.end, responses=w.figures.responses,
                    rates=[_rate(i, w.figures.rate(i)) for i in trend.indicators],
                    satisfaction_score=_score(w.figures.score())) for w in trend.weeks]


class _ResponsePage(LimitOffsetPagination):
    """Limit-offset pages whose answers are read in one query per page."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        rows = list(page["items"])
        answers: dict[int, dict[str, dict[str, Any]]] = {}
        for response_id, code, option, text in (Answer.objects.filter(response__in=[r.pk for r in rows])
                                                .order_by("response_id", "question__order", "question_id",
                                                          "option__order", "id")
                                                .values_list("response_id", "question__code", "option__code", "text")):
            slot = answers.setdefault(response_id, {}).setdefault(code, {"question": code, "options": [], "text": ""})
            if option is not None:
                slot["options"].append(option)
            else:
                slot["text"] = text
        page["items"] = [{"id": r.pk, "submitted_at": clock.local(r.submitted_at), "region": r.region.code,
                          "mode": r.mode, "answers": list(answers.get(r.pk, {}).values())} for r in rows]
        return page


@router.get("/{code}/responses", response=list[ResponseOut], operation_id="surveys_responses")
@paginate(_ResponsePage)
def survey_responses(request: HttpRequest, code: str, region: str = "", since: str = "",
                     until: str = "") -> QuerySet[Response]:
    """The raw responses in a region (default: the caller's), oldest first; anonymous (no device).
    `since` and `until`: local dates, YYYY-MM-DD."""
    # Plain strings: the pagination wrapper cannot resolve postponed date annotations.
    period = parse_period({"since": since, "until": until})
    first, last = period.since, period.until
    survey = results.survey_for(request.user, code)
    where = results.region_for(request.user, survey, region)
    qs = Response.objects.filter(survey=survey, region__path__startswith=where.path).select_related("region")
    if first:
        qs = qs.filter(submitted_at__gte=clock.start_of(first))
    if last:
        qs = qs.filter(submitted_at__lt=clock.start_of(last + dt.timedelta(days=1)))
    return qs.order_by("submitted_at", "id")
