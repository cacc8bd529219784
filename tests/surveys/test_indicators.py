"""The arithmetic of the indicators on plain counts, checked against values worked out by hand
(z = 1.959964, z² = 3.841459)."""

from __future__ import annotations

import pytest

from chuangcheng.surveys.indicators import Rate, Score, pooled, t975, wilson


def test_a_rate_is_positive_over_valid_answers_with_its_wilson_interval() -> None:
    # 15 of 20: p = 0.75, z²/n = 0.192073
    # centre = (0.75 + 0.096036) / 1.192073 = 0.709719
    # half   = 1.959964 / 1.192073 × √(0.75 × 0.25 / 20 + 3.841459 / 1600)
    #        = 1.644164 × √(0.009375 + 0.002401) = 1.644164 × 0.108517 = 0.178420
    # → [0.5313, 0.8881]
    rate = Rate(positive=15, valid=20, excluded=3, min_sample=30)
    assert rate.value == 0.75
    assert rate.n == 20
    assert rate.interval is not None
    assert round(rate.interval.low, 4) == 0.5313
    assert round(rate.interval.high, 4) == 0.8881
    assert rate.too_small  # 20 < 30


def test_the_wilson_interval_stays_inside_0_and_1_at_the_extremes() -> None:
    # 0 of 10: centre = (0 + 0.192073) / 1.384146 = 0.138766, half = 1.415999 × √(3.841459/400)
    # = 1.415999 × 0.097998 = 0.138766 → [0, 0.2775]
    none = wilson(0, 10)
    assert none is not None and none.low == 0.0 and round(none.high, 4) == 0.2775
    everyone = wilson(10, 10)
    assert everyone is not None and everyone.high == 1.0 and round(everyone.low, 4) == 0.7225
    assert wilson(0, 0) is None
    assert Rate().value is None and Rate().interval is None
    with pytest.raises(ValueError):
        wilson(5, 4)


def test_a_sample_is_too_small_below_the_surveys_minimum_only() -> None:
    assert Rate(positive=5, valid=29, min_sample=30).too_small
    assert not Rate(positive=5, valid=30, min_sample=30).too_small
    assert Score(n=29, total=2000, squares=0, min_sample=30).too_small


def test_an_indicator_over_several_questions_pools_their_answers() -> None:
    # Question 1: 8 of 10, question 2: 3 of 10 → pooled 11 of 20 = 0.55 (not the mean of 0.8 and
    # 0.3, which would be the same here, so take unequal sizes): question 2: 3 of 5 → 11 of 15.
    total = pooled([Rate(8, 10, 1, 10), Rate(3, 5, 2, 10)])
    assert (total.positive, total.valid, total.excluded) == (11, 15, 3)
    assert total.value == pytest.approx(11 / 15)


def test_the_mean_score_has_a_t_interval() -> None:
    # Scores 100, 80, 80, 60, 0 (n = 5): sum = 320, mean = 64; Σx² = 10000 + 6400 + 6400 + 3600 = 26400
    # s² = (26400 − 320² / 5) / 4 = (26400 − 20480) / 4 = 1480, s = 38.4708
    # t(4) = 2.7764; half = 2.7764 × 38.4708 / √5 = 2.7764 × 17.2047 = 47.7672 → [16.2328, 111.7672]
    score = Score.of([100, 80, 80, 60, 0], min_sample=3)
    assert score.mean == 64
    assert score.sd is not None and round(score.sd, 4) == 38.4708
    assert score.interval is not None
    assert round(score.interval.low, 2) == 16.23
    assert round(score.interval.high, 2) == 111.77
    assert not score.too_small


def test_one_score_has_a_mean_but_no_interval() -> None:
    assert Score.of([80]).mean == 80
    assert Score.of([80]).interval is None
    assert Score().mean is None


def test_t_follows_the_table_and_tends_to_z() -> None:
    # Published 0.975 quantiles: t(1) 12.706, t(10) 2.228, t(30) 2.042, t(40) 2.021, t(120) 1.980.
    assert round(t975(1), 3) == 12.706
    assert round(t975(10), 3) == 2.228
    assert round(t975(30), 3) == 2.042
    assert round(t975(40), 3) == 2.021
    assert round(t975(120), 3) == 1.980
    assert 1.959964 < t975(10_000) < 1.9603
    with pytest.raises(ValueError):
        t975(0)
