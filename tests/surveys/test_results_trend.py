"""The trend: indicators per ISO week (Monday first) of local dates, from the first week answered
to this week, empty weeks included."""

from __future__ import annotations

import datetime as dt

from chuangcheng.core import clock
from chuangcheng.surveys import results
from tests.conftest import Cast
from tests.surveys.test_results import answer, make_survey


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.start_of(day) + dt.timedelta(hours=hour, minutes=minute)


def test_weeks_follow_local_mondays(cast: Cast) -> None:
    survey = make_survey(cast.street, min_sample=2)
    # Sunday 22 November 23:30 in Shanghai is 15:30 UTC: still week 47. Monday 00:30 is week 48,
    # although it is Sunday 16:30 in UTC.
    sunday, monday = dt.date(2026, 11, 22), dt.date(2026, 11, 23)
    answer(survey, cast.grid_a, {"A1": "know", "M1": "5"}, at=local(sunday, 23, 30))
    answer(survey, cast.grid_a, {"A1": "dont_know", "M1": "1"}, at=local(sunday, 8))
    answer(survey, cast.grid_b, {"A1": "know", "M1": "4"}, at=local(monday, 0, 30))
    answer(survey, cast.grid_b, {"A1": "know", "M1": "0"}, at=local(monday, 9))
    answer(survey, cast.grid_b, {"A1": "heard"}, at=local(dt.date(2026, 11, 3), 9))  # week 45

    trend = results.trend(cast.street_admin, survey, cast.street, today=dt.date(2026, 11, 25))
    assert [w.label for w in trend.weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert [w.start for w in trend.weeks] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9),
                                              dt.date(2026, 11, 16), dt.date(2026, 11, 23)]
    by_label = {w.label: w.figures for w in trend.weeks}
    assert by_label["2026-W46"].responses == 0
    w47, w48 = by_label["2026-W47"], by_label["2026-W48"]
    assert (w47.responses, w47.rate("awareness").positive, w47.rate("awareness").n) == (2, 1, 2)
    assert (w48.responses, w48.rate("awareness").positive, w48.rate("awareness").n) == (2, 2, 2)
    # W47 scores 100 and 0 → mean 50; W48 80 and (不清楚, not scored) → 80 of one answer.
    assert (w47.score().mean, w47.score().n) == (50, 2)
    assert (w48.score().mean, w48.score().n) == (80, 1)
    assert w48.rate("satisfaction").too_small  # 1 valid < 2


def test_a_community_trend_counts_only_its_answers(cast: Cast) -> None:
    survey = make_survey(cast.street)
    day = dt.date(2026, 11, 24)
    answer(survey, cast.grid_a, {"A1": "know"}, at=local(day, 9))
    answer(survey, cast.grid_b, {"A1": "know"}, at=local(day, 9))
    trend = results.trend(cast.admin_a, survey, cast.community_a, weeks=3, today=day)
    assert [w.start for w in trend.weeks] == [dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 11, 23)]
    assert [w.figures.responses for w in trend.weeks] == [0, 0, 1]
