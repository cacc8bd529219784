"""The indicators of a hand-made set of answers, read from the database, match a hand calculation:
rates, sample sizes, Wilson intervals, mean scores and their intervals, per community and grid.

The set (40 responses, min_sample 14), questions A1 (awareness: 知道 / 听说过 positive, 不知道
negative, no 不清楚) and M1 (satisfaction, topic 市容环境: 满意 100, 比较满意 80 positive; 一般 60,
不太满意 40, 不满意 0 negative; 不清楚 excluded, no score):

| counts to          | A1 知道 | 听说过 | 不知道 | skipped | M1 满意 | 比较 | 一般 | 不太 | 不满意 | 不清楚 | skipped |
|--------------------|--------|-------|-------|--------|--------|-----|-----|-----|-------|-------|--------|
| grid 甲一 (16)       | 6      | 4     | 3     | 3      | 5      | 4   | 3   | 1   | 1     | 2     | 0      |
| 甲社区 itself (8)    | 2      | 3     | 2     | 1      | 2      | 2   | 2   | 0   | 1     | 1     | 0      |
| grid 乙一 (16)       | 3      | 2     | 9     | 2      | 1      | 3   | 4   | 3   | 2     | 1     | 2      |

Wilson, z = 1.959964, z² = 3.841459: centre = (p + z²/2n) / (1 + z²/n),
half = z / (1 + z²/n) × √(p(1 − p)/n + z²/4n²).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.surveys import results
from chuangcheng.surveys.models import Answer, Option, Publication, Question, Response, Survey
from tests.conftest import Cast

AWARE = [("know", "知道", "positive", None), ("heard", "听说过", "positive", None),
         ("dont_know", "不知道", "negative", None)]
SATISFIED = [("5", "满意", "positive", 100), ("4", "比较满意", "positive", 80), ("3", "一般", "negative", 60),
             ("2", "不太满意", "negative", 40), ("1", "不满意", "negative", 0), ("0", "不清楚", "excluded", None)]
QUESTIONS: list[tuple[str, str, str, str, list[Any]]] = [
    ("A1", "您知道我市正在创建全国文明城市吗？", "awareness", "创城知晓", AWARE),
    ("M1", "您对市容环境卫生满意吗？", "satisfaction", "市容环境", SATISFIED),
    ("T1", "您的意见和建议", "", "", []),
]


def make_survey(region: Region, *, min_sample: int = 30, questions: Sequence[tuple[str, str, str, str, list[Any]]]
                = QUESTIONS, status: str = "open", title: str = "创城问卷") -> Survey:
    """A survey written through the ORM (the builder's services are another helper's), published
    to nothing yet."""
    survey = Survey.objects.create(region=region, title=title, min_sample=min_sample, status=status)
    for order, (code, text, indicator, topic, options) in enumerate(questions):
        question = Question.objects.create(survey=survey, code=code, order=order, text=text, indicator=indicator,
                                           topic=topic, kind="single" if options else "text", required=False)
        for i, (ocode, otext, role, score) in enumerate(options):
            Option.objects.create(question=question, code=ocode, order=i, text=otext, role=role,
                                  score=Decimal(score) if score is not None else None)
    return survey


def publication(survey: Survey, region: Region) -> Publication:
    return Publication.objects.get_or_create(survey=survey, region=region,
                                             defaults={"token": secrets.token_hex(6)})[0]


def answer(survey: Survey, region: Region, answers: dict[str, Any], *, at: dt.datetime | None = None,
           mode: str = "self", publication_region: Region | None = None) -> Response:
    """One response counted to `region`: {question code: option code(s), or text}."""
    pub = publication(survey, publication_region or region)
    response = Response.objects.create(survey=survey, publication=pub, region=region, mode=mode,
                                       device=secrets.token_hex(8) if mode == "self" else "",
                                       submitted_at=at or clock.now())
    questions = {q.code: q for q in survey.questions.all()}
    for code, given in answers.items():
        if given is None:
            continue
        question = questions[code]
        if not question.options.exists():
            Answer.objects.create(response=response, question=question, text=given)
            continue
        for ocode in [given] if isinstance(given, str) else given:
            Answer.objects.create(response=response, question=question, option=question.options.get(code=ocode))
    return response


def column(*counts: tuple[str | None, int]) -> list[str | None]:
    return [code for code, n in counts for _ in range(n)]


def hand_made(cast: Cast) -> Survey:
    survey = make_survey(cast.street, min_sample=14)
    sets = [
        (cast.grid_a, column(("know", 6), ("heard", 4), ("dont_know", 3), (None, 3)),
         column(("5", 5), ("4", 4), ("3", 3), ("2", 1), ("1", 1), ("0", 2)), 0),
        (cast.community_a, column(("know", 2), ("heard", 3), ("dont_know", 2), (None, 1)),
         column(("5", 2), ("4", 2), ("3", 2), ("1", 1), ("0", 1)), 0),
        (cast.grid_b, column(("know", 3), ("heard", 2), ("dont_know", 9), (None, 2)),
         column(("5", 1), ("4", 3), ("3", 4), ("2", 3), ("1", 2), ("0", 1), (None, 2)), 5),
    ]
    at = clock.now() - dt.timedelta(days=1)
    for region, a1, m1, visits in sets:
        assert len(a1) == len(m1) == 16 if region.level == Region.Level.GRID else len(a1) == len(m1) == 8
        for i, (a, m) in enumerate(zip(a1, m1, strict=True)):
            answer(survey, region, {"A1": a, "M1": m, "T1": "=多种点树" if i == 0 else None},
                   at=at, mode="visit" if i < visits else "self",
                   publication_region=region if region.level == Region.Level.GRID else cast.community_a)
    return survey


def rounded(interval: Any, places: int = 4) -> tuple[float, float]:
    return round(interval.low, places), round(interval.high, places)


@pytest.fixture
def survey(cast: Cast) -> Survey:
    return hand_made(cast)


def test_the_street_office_reads_the_hand_calculated_indicators(cast: Cast, survey: Survey) -> None:
    r = results.results(cast.street_admin, survey, cast.street)
    assert r.total.responses == 40
    assert r.indicators == ["awareness", "satisfaction"]

    # Awareness, the whole street: (知道 + 听说过) = 6+4 + 2+3 + 3+2 = 20 of valid 13 + 7 + 14 = 34.
    # p = 0.588235; z²/n = 0.112984; centre = (0.588235 + 0.056492) / 1.112984 = 0.579278;
    # half = 1.760999 × √(0.588235 × 0.411765 / 34 + 3.841459 / 4624) = 1.760999 × √(0.007124 + 0.000831)
    # = 1.760999 × 0.089189 = 0.157062 → [0.4222, 0.7363]
    aware = r.total.rate("awareness")
    assert (aware.positive, aware.n) == (20, 34)
    assert round(aware.value or 0, 4) == 0.5882
    assert rounded(aware.interval) == (0.4222, 0.7363)

    rows = {row.region.code: row for row in r.rows}
    assert list(rows) == [cast.community_a.code, cast.community_b.code]
    # 甲社区 = its grid and the answers counted to the community itself: 10 + 5 = 15 of 13 + 7 = 20.
    # p = 0.75; centre = (0.75 + 0.096036) / 1.192073 = 0.709719;
    # half = 1.644164 × √(0.009375 + 0.002401) = 1.644164 × 0.108517 = 0.178420 → [0.5313, 0.8881];
    # 20 ≥ 14, not flagged.
    a = rows[cast.community_a.code].figures.rate("awareness")
    assert (a.positive, a.n, round(a.value or 0, 4)) == (15, 20, 0.75)
    assert rounded(a.interval) == (0.5313, 0.8881)
    assert not a.too_small
    # 乙社区: 5 of 14; p = 0.357143, z²/n = 0.274390; centre = (0.357143 + 0.137195) / 1.274390 = 0.387902;
    # half = 1.537963 × √(0.357143 × 0.642857 / 14 + 3.841459 / 784) = 1.537963 × √(0.016399 + 0.004900)
    # = 1.537963 × 0.145943 = 0.224454 → [0.1634, 0.6124]; 14 ≥ 14, not flagged.
    b = rows[cast.community_b.code].figures.rate("awareness")
    assert (b.positive, b.n) == (5, 14)
    assert rounded(b.interval) == (0.1634, 0.6124)
    assert not b.too_small

    # Satisfaction rate, street: (满意 + 比较满意) = 9 + 4 + 4 = 17 of valid (16−2) + (8−1) + (16−1−2) = 34
    # → 0.5, Wilson [0.3407, 0.6593] (centre 0.5; half = 1.760999 × √(0.25 / 34 + 3.841459 / 4624)
    # = 1.760999 × √(0.007353 + 0.000831) = 1.760999 × 0.090464 = 0.159307).
    sat = r.total.rate("satisfaction")
    assert (sat.positive, sat.n, sat.excluded) == (17, 34, 4)
    assert rounded(sat.interval) == (0.3407, 0.6593)
    # 乙社区 satisfaction: 4 of 13 → p = 0.307692, z²/n = 0.295497;
    # centre = (0.307692 + 0.147748) / 1.295497 = 0.351557; half = 1.512905 × √(0.016386 + 0.005683)
    # = 1.512905 × 0.148555 = 0.224750 → [0.1268, 0.5763]; 13 < 14: too small to rank.
    b_sat = rows[cast.community_b.code].figures.rate("satisfaction")
    assert (b_sat.positive, b_sat.n) == (4, 13)
    assert rounded(b_sat.interval) == (0.1268, 0.5763)
    assert b_sat.too_small


def test_the_mean_satisfaction_score_and_its_interval_match_the_hand_calculation(cast: Cast, survey: Survey) -> None:
    r = results.results(cast.street_admin, survey, cast.street)
    rows = {row.region.code: row for row in r.rows}
    # 甲社区: grid 5×100 + 4×80 + 3×60 + 1×40 + 1×0 = 1040 (14 scored), itself 2×100 + 2×80 + 2×60 + 0 = 480 (7)
    # mean = 1520 / 21 = 72.3810; Σx² = 88000 + 40000 = 128000
    # s² = (128000 − 1520² / 21) / 20 = (128000 − 110019.05) / 20 = 899.0476, s = 29.9841
    # t(20) = 2.0860; half = 2.0860 × 29.9841 / √21 = 2.0860 × 6.54309 = 13.6489 → [58.73, 86.03]
    a = rows[cast.community_a.code].figures.score()
    assert a.n == 21
    assert round(a.mean or 0, 4) == 72.3810
    assert rounded(a.interval, 2) == (58.73, 86.03)
    # 乙社区: 100 + 3×80 + 4×60 + 3×40 + 2×0 = 700 (13 scored) → 53.8462; Σx² = 10000 + 19200 + 14400 + 4800
    # = 48400; s² = (48400 − 700²/13) / 12 = 892.3077, s = 29.8715; t(12) = 2.1788;
    # half = 2.1788 × 29.8715 / √13 = 18.0511 → [35.80, 71.90]
    b = rows[cast.community_b.code].figures.score()
    assert (b.n, round(b.mean or 0, 4)) == (13, 53.8462)
    assert rounded(b.interval, 2) == (35.80, 71.90)
    # Street: 2220 / 34 = 65.2941; Σx² = 176400; s² = (176400 − 2220²/34) / 33 = 952.9412, s = 30.8697;
    # t(33) = 2.0345; half = 2.0345 × 30.8697 / √34 = 10.7709 → [54.52, 76.07]
    total = r.total.score()
    assert (total.n, round(total.mean or 0, 4)) == (34, 65.2941)
    assert total.interval is not None
    assert total.interval.low == pytest.approx(54.5232, abs=0.001)
    assert total.interval.high == pytest.approx(76.0650, abs=0.001)
    # One topic (市容环境): the same figures.
    assert [(t.topic, t.rate.positive, t.rate.n, t.score.n) for t in r.topics] == [("市容环境", 17, 34, 34)]


def test_a_community_reads_its_grids_and_not_the_other_community(cast: Cast, survey: Survey) -> None:
    region = results.region_for(cast.admin_a, survey, "")
    assert region == cast.community_a
    r = results.results(cast.admin_a, survey, region)
    assert r.total.responses == 24
    # The grid alone: 10 of 13 = 0.7692, Wilson: z²/n = 0.295497, centre = (0.769231 + 0.147748) / 1.295497
    # = 0.707820, half = 1.512905 × √(0.769231 × 0.230769 / 13 + 3.841459 / 676) = 1.512905 × √(0.013655
    # + 0.005683) = 1.512905 × 0.139060 = 0.210384 → [0.4974, 0.9182]; 13 < 14: too small to rank.
    [grid] = r.rows
    assert grid.region == cast.grid_a
    rate = grid.figures.rate("awareness")
    assert (rate.positive, rate.n) == (10, 13)
    assert rounded(rate.interval) == (0.4974, 0.9182)
    assert rate.too_small
    # The 8 answers counted to the community itself count in its total, in no grid: 5 of 7.
    assert (r.direct.rate("awareness").positive, r.direct.rate("awareness").n) == (5, 7)
    assert (r.total.rate("awareness").positive, r.total.rate("awareness").n) == (15, 20)
    from django.http import Http404

    with pytest.raises(Http404):
        results.region_for(cast.admin_a, survey, cast.community_b.code)


def test_counting_heard_of_as_not_aware_changes_awareness_as_calculated_by_hand(cast: Cast, survey: Survey) -> None:
    Option.objects.filter(question__survey=survey, code="heard").update(role=Option.Role.NEGATIVE)
    r = results.results(cast.street_admin, survey, cast.street)
    # Street: only 知道 = 6 + 2 + 3 = 11 of the same 34 valid → 0.3235; z²/n = 0.112984;
    # centre = (0.323529 + 0.056492) / 1.112984 = 0.341444; half = 1.760999 × √(0.323529 × 0.676471 / 34
    # + 0.000831) = 1.760999 × √(0.006437 + 0.000831) = 1.760999 × 0.085251 = 0.150127 → [0.1913, 0.4916]
    aware = r.total.rate("awareness")
    assert (aware.positive, aware.n) == (11, 34)
    assert round(aware.value or 0, 4) == 0.3235
    assert rounded(aware.interval) == (0.1913, 0.4916)
    # 甲社区: 6 + 2 = 8 of 20 = 0.4; centre = (0.4 + 0.096036) / 1.192073 = 0.416113;
    # half = 1.644164 × √(0.012 + 0.002401) = 1.644164 × 0.120004 = 0.197306 → [0.2188, 0.6134]
    a = next(row for row in r.rows if row.region == cast.community_a).figures.rate("awareness")
    assert (a.positive, a.n) == (8, 20)
    assert rounded(a.interval) == (0.2188, 0.6134)
    # The definition in force, in words.
    [a1] = [q for q in r.questions if q.code == "A1"]
    assert "知道 / " in a1.definition and "听说过" in a1.definition
    assert "(知道 + 听说过)" not in a1.definition


def test_samples_by_mode_count_the_household_visits(cast: Cast, survey: Survey) -> None:
    r = results.results(cast.street_admin, survey, cast.street)
    assert r.total.by_mode == {"self": 35, "visit": 5}
    rows = {row.region: row.figures.by_mode for row in r.rows}
    assert rows[cast.community_b] == {"self": 11, "visit": 5}


def test_a_date_range_keeps_only_the_answers_of_those_days(cast: Cast, survey: Survey) -> None:
    yesterday = clock.local(clock.now() - dt.timedelta(days=1)).date()
    assert results.results(cast.street_admin, survey, cast.street, since=yesterday,
                           until=yesterday).total.responses == 40
    assert results.results(cast.street_admin, survey, cast.street,
                           since=yesterday + dt.timedelta(days=1)).total.responses == 0


def test_an_indicator_over_two_questions_pools_their_answers(cast: Cast) -> None:
    survey = make_survey(cast.street, questions=[
        ("A1", "创城", "awareness", "创城知晓", AWARE), ("A2", "核心价值观", "awareness", "核心价值观", AWARE)])
    # Response 1: A1 知道, A2 不知道; 2: A1 听说过, A2 skipped; 3: A1 不知道, A2 知道.
    # A1: 2 of 3, A2: 1 of 2 → pooled (2 + 1) / (3 + 2) = 3 / 5 = 0.6 (not the mean of 2/3 and 1/2).
    for a1, a2 in [("know", "dont_know"), ("heard", None), ("dont_know", "know")]:
        answer(survey, cast.grid_a, {"A1": a1, "A2": a2})
    r = results.results(cast.street_admin, survey, cast.street)
    rate = r.total.rate("awareness")
    assert (rate.positive, rate.n) == (3, 5)


def test_a_reader_outside_the_survey_cannot_open_it(cast: Cast, survey: Survey) -> None:
    from django.http import Http404

    other = make_survey(cast.community_b)
    with pytest.raises(Http404):
        results.survey_for(cast.admin_a, other.code)
    assert results.survey_for(cast.admin_a, survey.code) == survey
