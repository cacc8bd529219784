"""The survey figures of a day for the daily rollups: summable counts by region, the street's
communities and grids, so rates and mean scores over any period are sums divided."""

from __future__ import annotations

import datetime as dt

from chuangcheng.core import clock
from chuangcheng.surveys.figures import day_extra
from chuangcheng.surveys.models import Option
from tests.conftest import Cast
from tests.surveys.test_results import answer, make_survey


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.start_of(day) + dt.timedelta(hours=hour, minutes=minute)


def test_a_days_figures_count_each_region_and_add_up_the_tree(cast: Cast) -> None:
    day = dt.date(2026, 11, 24)
    survey = make_survey(cast.street)
    # Grid 甲一: 知道 + 满意 (100), 不知道 + 不清楚 (not valid, no score), 听说过 + skipped.
    answer(survey, cast.grid_a, {"A1": "know", "M1": "5"}, at=at(day, 9))
    answer(survey, cast.grid_a, {"A1": "dont_know", "M1": "0"}, at=at(day, 23, 59))
    answer(survey, cast.grid_a, {"A1": "heard"}, at=at(day, 0, 1))
    # 甲社区 itself: 不知道 + 一般 (60).
    answer(survey, cast.community_a, {"A1": "dont_know", "M1": "3"}, at=at(day, 12),
           publication_region=cast.community_a)
    # Other days do not count: a minute before midnight the day before, midnight the day after.
    answer(survey, cast.grid_b, {"A1": "know", "M1": "5"}, at=at(day, 0) - dt.timedelta(minutes=1))
    answer(survey, cast.grid_b, {"A1": "know", "M1": "5"}, at=at(day, 24))

    figures = day_extra(day, cast.street)
    grid = figures[cast.grid_a.pk]
    assert grid["survey_responses"] == 3
    assert (grid["survey_awareness_positive"], grid["survey_awareness_valid"]) == (2, 3)
    assert (grid["survey_satisfaction_positive"], grid["survey_satisfaction_valid"]) == (1, 1)
    assert (grid["survey_satisfaction_score_sum"], grid["survey_satisfaction_scored"]) == (100, 1)
    community = figures[cast.community_a.pk]
    assert community["survey_responses"] == 4
    assert (community["survey_awareness_positive"], community["survey_awareness_valid"]) == (2, 4)
    assert (community["survey_satisfaction_score_sum"], community["survey_satisfaction_scored"]) == (160, 2)
    street = figures[cast.street.pk]
    assert street == community
    assert figures[cast.grid_b.pk]["survey_responses"] == 0
    assert figures[cast.community_b.pk]["survey_support_valid"] == 0
    assert set(figures) == {cast.street.pk, cast.community_a.pk, cast.community_b.pk, cast.grid_a.pk,
                            cast.grid_b.pk}
    assert all(isinstance(v, int | float) for row in figures.values() for v in row.values())

    # The definition in force decides: 听说过 no longer aware.
    Option.objects.filter(question__survey=survey, code="heard").update(role=Option.Role.NEGATIVE)
    assert day_extra(day, cast.street)[cast.grid_a.pk]["survey_awareness_positive"] == 1


def test_a_day_without_answers_gives_zeros(cast: Cast) -> None:
    figures = day_extra(dt.date(2026, 11, 24), cast.street)
    assert figures[cast.street.pk]["survey_responses"] == 0
    assert not any(v for row in figures.values() for v in row.values())
