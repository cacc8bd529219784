"""The indicators of a survey read from its answers, limited to the reader's region.

Every count is an aggregate query grouped by question and by the region the response counts to
(never a loop over responses); the counts of each region are then added up the region tree by
path: a response counted to a grid counts in its community and street too, one counted to a
community counts at the community level and above, not in any grid. The arithmetic (rates, Wilson
intervals, mean scores) is `indicators`; which option is positive, negative or excluded is read
from the options as they are now, so changing a role changes every figure, past weeks included.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.surveys import queries
from chuangcheng.surveys.indicators import Rate, Score, pooled
from chuangcheng.surveys.models import Answer, Indicator, Option, Question, Response, Survey

INDICATORS = [i.value for i in Indicator]
RATE_NAMES: dict[str, Any] = {
    Indicator.AWARENESS: gettext_lazy("awareness rate"),
    Indicator.SUPPORT: gettext_lazy("support rate"),
    Indicator.PARTICIPATION: gettext_lazy("participation rate"),
    Indicator.SATISFACTION: gettext_lazy("satisfaction rate"),
}
MODES = [m.value for m in Response.Mode]
POSITIVE, NEGATIVE, EXCLUDED = Option.Role.POSITIVE, Option.Role.NEGATIVE, Option.Role.EXCLUDED
VALID = [POSITIVE, NEGATIVE]


# --- what is asked and how it counts ------------------------------------------------------------


@dataclass(frozen=True)
class OptionInfo:
    code: str
    text: str
    role: str
    score: float | None


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    code: str
    text: str
    indicator: str
    topic: str
    options: tuple[OptionInfo, ...]

    def texts(self, role: str) -> list[str]:
        return [o.text for o in self.options if o.role == role]

    @property
    def definition(self) -> str:
        """The definition in force, in words: "知晓率 = (知道 + 听说过) / 有效回答 (…)"."""
        return definition(str(RATE_NAMES.get(self.indicator, self.indicator)), self.texts(POSITIVE),
                          self.texts(NEGATIVE), self.texts(EXCLUDED))

    @property
    def scored(self) -> bool:
        return any(o.score is not None and o.role != EXCLUDED for o in self.options)


def definition(name: str, positive: list[str], negative: list[str], excluded: list[str]) -> str:
    def summed(texts: list[str]) -> str:
        if not texts:
            return "0"
        return texts[0] if len(texts) == 1 else "(" + " + ".join(texts) + ")"

    text = _("%(name)s = %(positive)s / valid answers %(valid)s") % {
        "name": name, "positive": summed(positive), "valid": summed(positive + negative)}
    if excluded:
        text += _("; not counted: %(excluded)s") % {"excluded": "、".join(excluded)}
    return text


def questions_of(survey: Survey) -> list[QuestionInfo]:
    """The survey's questions with their options, in order (two queries)."""
    options: dict[int, list[OptionInfo]] = defaultdict(list)
    for o in Option.objects.filter(question__survey=survey).order_by("question_id", "order", "id").values(
            "question_id", "code", "text", "role", "score"):
        score = float(o["score"]) if o["score"] is not None else None
        options[o["question_id"]].append(OptionInfo(o["code"], o["text"], o["role"], score))
    return [QuestionInfo(q.pk, q.code, q.text, q.indicator, q.topic, tuple(options[q.pk]))
            for q in Question.objects.filter(survey=survey).order_by("order", "id")]


# --- counting -----------------------------------------------------------------------------------


@dataclass
class Counts:
    """Counts of one region (or one week): responses by mode, and per question the rate counts and
    the score sums."""

    responses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))
    rates: dict[int, Rate] = field(default_factory=dict)
    scores: dict[int, Score] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for mode, n in other.responses.items():
            self.responses[mode] = self.responses.get(mode, 0) + n
        for qid, rate in other.rates.items():
            self.rates[qid] = self.rates.get(qid, Rate()) + rate
        for qid, score in other.scores.items():
            self.scores[qid] = self.scores.get(qid, Score()) + score


def _window(prefix: str, survey: Survey, under: Region | None, since: dt.date | None,
            until: dt.date | None) -> Q:
    """The filter of a survey's responses (`prefix` "" for Response, "response__" for Answer)."""
    q = Q(**{f"{prefix}survey": survey})
    if under is not None:
        q &= Q(**{f"{prefix}region__path__startswith": under.path})
    if since is not None:
        q &= Q(**{f"{prefix}submitted_at__gte": clock.start_of(since)})
    if until is not None:
        q &= Q(**{f"{prefix}submitted_at__lt": clock.start_of(until + dt.timedelta(days=1))})
    return q


def _week_of(field: str, mondays: list[dt.date]) -> Case:
    """The index in `mondays` of the local week a moment falls in, by comparing it with each week's
    start: plain comparisons the database does on the column (no date function per row)."""
    whens = [When(**{f"{field}__lt": clock.start_of(monday)}, then=Value(i - 1))
             for i, monday in enumerate(mondays[1:], start=1)]
    return Case(*whens, default=Value(len(mondays) - 1), output_field=IntegerField())


def count(survey: Survey, under: Region | None, *, by: str = "path", since: dt.date | None = None,
          until: dt.date | None = None, mondays: list[dt.date] | None = None) -> dict[Any, Counts]:
    """Counts grouped by the path of the region each response counts to (`by="path"`) or by the
    local ISO week it was submitted in (`by="week"`: keyed by the week's Monday, one of `mondays`,
    in order, the first no later than `since`). Three aggregate queries."""
    responses: QuerySet[Any] = Response.objects.filter(_window("", survey, under, since, until))
    answers: QuerySet[Any] = Answer.objects.filter(_window("response__", survey, under, since, until))
    if by == "path":
        key, akey = "region__path", "response__region__path"
    else:
        assert mondays  # noqa: S101 - the caller names the weeks
        key = akey = "week"
        responses = responses.annotate(week=_week_of("submitted_at", mondays))
        answers = answers.annotate(week=_week_of("response__submitted_at", mondays))
    out: dict[Any, Counts] = defaultdict(Counts)
    for row in responses.values(key, "mode").annotate(n=Count("id")).order_by():
        out[row[key]].responses[row["mode"]] += row["n"]
    # A question counts once per response: positive if any option chosen is positive, valid if any
    # is positive or negative; answered only with excluded options counts as excluded.
    for row in (answers.filter(question__indicator__gt="", option__isnull=False)
                .values(akey, "question_id")
                .annotate(pos=Count("response_id", distinct=True, filter=Q(option__role=POSITIVE)),
                          valid=Count("response_id", distinct=True, filter=Q(option__role__in=VALID)),
                          answered=Count("response_id", distinct=True))
                .order_by()):
        out[row[akey]].rates[row["question_id"]] = Rate(row["pos"], row["valid"], row["answered"] - row["valid"],
                                                        survey.min_sample)
    squared = F("option__score") * F("option__score")
    for row in (answers.filter(question__indicator=Indicator.SATISFACTION, option__role__in=VALID,
                               option__score__isnull=False)
                .values(akey, "question_id")
                .annotate(n=Count("id"), total=Sum("option__score"), squares=Sum(squared))
                .order_by()):
        out[row[akey]].scores[row["question_id"]] = Score(row["n"], float(row["total"] or 0),
                                                          float(row["squares"] or 0), survey.min_sample)
    return out


def within(counts: dict[str, Counts], region: Region | None) -> Counts:
    """The counts of `region`'s subtree (everything, for None)."""
    total = Counts()
    for path, c in counts.items():
        if region is None or path.startswith(region.path):
            total.add(c)
    return total


# --- what a page shows --------------------------------------------------------------------------


@dataclass
class Figures:
    """The indicators of one region (or week), from its counts."""

    counts: Counts
    questions: list[QuestionInfo]
    min_sample: int

    @property
    def responses(self) -> int:
        return sum(self.counts.responses.values())

    @property
    def by_mode(self) -> dict[str, int]:
        return self.counts.responses

    def rate(self, indicator: str) -> Rate:
        """An indicator's answers pooled over its questions."""
        return pooled([self.question_rate(q.id) for q in self.questions if q.indicator == indicator])

    def question_rate(self, question_id: int) -> Rate:
        return self.counts.rates.get(question_id, Rate(min_sample=self.min_sample))

    def score(self, questions: Iterable[QuestionInfo] | None = None) -> Score:
        chosen = self.questions if questions is None else questions
        total = Score(min_sample=self.min_sample)
        for q in chosen:
            total = total + self.counts.scores.get(q.id, Score())
        return total

    @property
    def rates(self) -> dict[str, Rate]:
        return {i: self.rate(i) for i in INDICATORS}


@dataclass
class RegionRow:
    region: Region
    figures: Figures
    has_children: bool


@dataclass
class TopicRow:
    topic: str
    questions: list[QuestionInfo]
    rate: Rate
    score: Score


@dataclass
class Results:
    survey: Survey
    region: Region
    questions: list[QuestionInfo]
    total: Figures
    rows: list[RegionRow]
    # Responses counted to `region` itself (say, to a community rather than one of its grids).
    direct: Figures
    topics: list[TopicRow]
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def indicators(self) -> list[str]:
        """The indicators the survey asks about, in the usual order."""
        asked = {q.indicator for q in self.questions}
        return [i for i in INDICATORS if i in asked]

    @property
    def scored(self) -> bool:
        return any(q.scored and q.indicator == Indicator.SATISFACTION for q in self.questions)

    def definitions(self) -> list[tuple[str, QuestionInfo]]:
        return [(q.indicator, q) for q in self.questions if q.indicator]


def survey_for(user: Any, code: str) -> Survey:
    """A survey the user may read, named by its code, or 404."""
    return or_404(queries.survey_for(user, code))


def home_region(user: Any, survey: Survey) -> Region:
    """Where a reader's results start: their own region; for an operator, the survey's."""
    scope = org_queries.scope_of(user)
    return scope if scope is not None else survey.region


def region_for(user: Any, survey: Survey, code: str | None) -> Region:
    """The region asked for by code, within the user's scope (404 otherwise); the reader's own
    region without a code."""
    if not code:
        return home_region(user, survey)
    return or_404(org_queries.region_for(user, code))


def _rows_under(survey: Survey, region: Region, counts: dict[str, Counts]) -> list[Region]:
    """The regions just below `region` where the survey was published or answered."""
    published = list(survey.publications.values_list("region__path", flat=True))
    answered = list(counts)
    children = Region.objects.filter(parent=region).order_by("sort_order", "code")
    return [c for c in children
            if any(p.startswith(c.path) or c.path.startswith(p) for p in published)
            or any(p.startswith(c.path) for p in answered)]


def results(user: Any, survey: Survey, region: Region, *, since: dt.date | None = None,
            until: dt.date | None = None) -> Results:
    """The survey's indicators in `region` (already checked to be in the user's scope) and in each
    region just below it, with satisfaction per topic."""
    questions = questions_of(survey)
    counts = count(survey, region, since=since, until=until)
    children = _rows_under(survey, region, counts)
    with_children = set(Region.objects.filter(parent__in=children).values_list("parent_id", flat=True))

    def figures(c: Counts) -> Figures:
        return Figures(c, questions, survey.min_sample)

    total = figures(within(counts, region))
    direct = figures(counts.get(region.path, Counts()))
    rows = [RegionRow(child, figures(within(counts, child)), child.pk in with_children) for child in children]
    topics: dict[str, list[QuestionInfo]] = {}
    for q in questions:
        if q.indicator == Indicator.SATISFACTION:
            topics.setdefault(q.topic or q.text, []).append(q)
    topic_rows = [TopicRow(topic, qs, pooled(total.question_rate(q.id) for q in qs), total.score(qs))
                  for topic, qs in topics.items()]
    return Results(survey, region, questions, total, rows, direct, topic_rows, since, until)


# --- trend --------------------------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Week:
    start: dt.date
    figures: Figures

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _weekday = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass
class Trend:
    survey: Survey
    region: Region
    questions: list[QuestionInfo]
    weeks: list[Week]

    @property
    def indicators(self) -> list[str]:
        asked = {q.indicator for q in self.questions}
        return [i for i in INDICATORS if i in asked]


def trend(user: Any, survey: Survey, region: Region, *, weeks: int | None = None,
          today: dt.date | None = None) -> Trend:
    """The survey's indicators in `region` per ISO week (Monday first, local dates), from the first
    week with an answer (or the last `weeks` weeks) to this week; weeks without answers included."""
    questions = questions_of(survey)
    today = today or clock.today()
    since = monday_of(today) - dt.timedelta(weeks=weeks - 1) if weeks else None
    if since is None:
        earliest = Response.objects.filter(_window("", survey, region, None, today)).aggregate(
            first=Min("submitted_at"))["first"]
        since = monday_of(clock.local(earliest).date()) if earliest else monday_of(today)
    starts = []
    week = since
    while week <= monday_of(today):
        starts.append(week)
        week += dt.timedelta(weeks=1)
    by_index = count(survey, region, by="week", since=since, until=today, mondays=starts)
    by_week = {starts[index]: c for index, c in by_index.items()}
    return Trend(survey, region, questions,
                 [Week(s, Figures(by_week.get(s, Counts()), questions, survey.min_sample)) for s in starts])
