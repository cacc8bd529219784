"""The arithmetic of the survey indicators, on plain counts (no database): rates with their Wilson
interval, the mean satisfaction score with its interval, and the small-sample flag.

Definitions (the defaults of docs/guide/surveys.md; which answer counts where is set on the options):
- An answer to a question is **valid** when an option chosen has the role `positive` or `negative`;
  options with the role `excluded` (不清楚) are not valid answers; a respondent who skipped the
  question is not counted at all. A multiple-choice question counts once per respondent: positive
  when any option chosen is positive.
- **Rate** = positive ÷ valid answers.
- **An indicator over several questions** (three awareness questions, say) pools their answers:
  rate = Σ positive ÷ Σ valid over the questions, so `n` counts answers, not respondents, and a
  respondent answering three questions weighs three times. Pooling keeps the figures summable over
  days and regions (the daily rollups store positive and valid); its interval treats the answers as
  independent, which is somewhat too narrow when one respondent's answers agree with each other.
- **Satisfaction score** = the mean of the option scores over valid answers whose option has a score
  (满意 100 … 不满意 0; 不清楚 is excluded, hence not scored).
- **95 % interval of a rate**: the Wilson score interval with z = 1.959964. It stays inside [0, 1]
  and behaves at rates of 0 % or 100 % and small samples, where the textbook p ± z·√(p(1−p)/n) fails.
- **95 % interval of a mean score**: mean ± t · s/√n, s the sample standard deviation (n − 1), t the
  0.975 quantile of Student's t with n − 1 degrees of freedom (a table up to 30, the Cornish–Fisher
  expansion above, which tends to z). No interval below two scored answers.
- **Too small to rank**: fewer valid answers than the survey's `min_sample` (default 30); the figure
  is shown, flagged, and should not be compared with others.

Values are floats at full precision; round only for display.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959964

# The 0.975 quantile of Student's t for 1 … 30 degrees of freedom.
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom (df ≥ 1)."""
    if df < 1:
        raise ValueError("t needs at least one degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(positive: int, valid: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of positive/valid; None with no valid answer."""
    if valid <= 0:
        return None
    if not 0 <= positive <= valid:
        raise ValueError("positive answers must be between 0 and the valid answers")
    p = positive / valid
    z2n = z * z / valid
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / valid + z * z / (4 * valid * valid))
    # At 0 % or 100 % one bound is exactly 0 or 1 (the float arithmetic would miss it by a hair).
    low = 0.0 if positive == 0 else max(0.0, centre - half)
    high = 1.0 if positive == valid else min(1.0, centre + half)
    return Interval(low, high)


@dataclass(frozen=True)
class Rate:
    """A rate from counts of answers: `positive` of `valid`, and `excluded` answers (不清楚) that
    are not valid. `min_sample` is the survey's smallest sample to rank."""

    positive: int = 0
    valid: int = 0
    excluded: int = 0
    min_sample: int = 0

    @property
    def n(self) -> int:
        return self.valid

    @property
    def value(self) -> float | None:
        return self.positive / self.valid if self.valid else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value

    @property
    def interval(self) -> Interval | None:
        return wilson(self.positive, self.valid)

    @property
    def percent_interval(self) -> Interval | None:
        interval = self.interval
        return Interval(100 * interval.low, 100 * interval.high) if interval else None

    @property
    def too_small(self) -> bool:
        return self.valid < self.min_sample

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.positive + other.positive, self.valid + other.valid, self.excluded + other.excluded,
                    max(self.min_sample, other.min_sample))


@dataclass(frozen=True)
class Score:
    """A mean score from `n` scored answers, the sum of their scores and the sum of their squares."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0
    min_sample: int = 0

    @classmethod
    def of(cls, scores: Iterable[float], *, min_sample: int = 0) -> Score:
        values = [float(s) for s in scores]
        return cls(len(values), sum(values), sum(v * v for v in values), min_sample)

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def sd(self) -> float | None:
        """The sample standard deviation (divisor n − 1); None below two answers."""
        if self.n < 2:
            return None
        variance = (self.squares - self.total * self.total / self.n) / (self.n - 1)
        return math.sqrt(max(variance, 0.0))

    @property
    def interval(self) -> Interval | None:
        sd, mean = self.sd, self.mean
        if sd is None or mean is None:
            return None
        half = t975(self.n - 1) * sd / math.sqrt(self.n)
        return Interval(mean - half, mean + half)

    @property
    def too_small(self) -> bool:
        return self.n < self.min_sample

    def __add__(self, other: Score) -> Score:
        return Score(self.n + other.n, self.total + other.total, self.squares + other.squares,
                     max(self.min_sample, other.min_sample))


def pooled(rates: Iterable[Rate]) -> Rate:
    """An indicator over several questions: their answers pooled (see the module's notes)."""
    total = Rate()
    for rate in rates:
        total = total + rate
    return total
