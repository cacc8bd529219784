"""The survey figures of one local day for the daily rollups (`reports.services.extra`): summable
counts per region, so that rates and mean scores over any period and any region are sums divided
(positive ÷ valid, score sum ÷ scored), the same definitions as the results page (`results.count`):
a question counts once per response, valid when an option chosen is positive or negative."""

from __future__ import annotations

import datetime as dt

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.surveys.models import Indicator, Question, Response, Survey
from chuangcheng.surveys.results import Counts, count

INDICATORS = [i.value for i in Indicator]


def names() -> list[str]:
    out = ["survey_responses"]
    for indicator in INDICATORS:
        out += [f"survey_{indicator}_positive", f"survey_{indicator}_valid"]
    return [*out, "survey_satisfaction_score_sum", "survey_satisfaction_scored"]


def _add(row: dict[str, int | float], counts: Counts, indicators: dict[int, str]) -> None:
    row["survey_responses"] += sum(counts.responses.values())
    for qid, rate in counts.rates.items():
        indicator = indicators.get(qid)
        if indicator:
            row[f"survey_{indicator}_positive"] += rate.positive
            row[f"survey_{indicator}_valid"] += rate.valid
    for score in counts.scores.values():
        row["survey_satisfaction_score_sum"] += score.total
        row["survey_satisfaction_scored"] += score.n


def day_extra(day: dt.date, street: Region) -> dict[int, dict[str, int | float]]:
    """{region id: figures} for the street, each community and each grid: the answers submitted on
    `day` (local) in the street, whichever survey they answer."""
    regions = list(Region.objects.filter(path__startswith=street.path, level__gte=street.level)
                   .only("id", "path"))
    rows: dict[int, dict[str, int | float]] = {r.pk: dict.fromkeys(names(), 0) for r in regions}
    start, end = clock.day_bounds(day)
    survey_ids = set(Response.objects.filter(region__path__startswith=street.path, submitted_at__gte=start,
                                             submitted_at__lt=end).values_list("survey_id", flat=True).distinct())
    if not survey_ids:
        return rows
    indicators = dict(Question.objects.filter(survey_id__in=survey_ids).exclude(indicator="")
                      .values_list("id", "indicator"))
    for survey in Survey.objects.filter(pk__in=survey_ids):
        by_path = count(survey, street, since=day, until=day)
        for region in regions:
            for path, counts in by_path.items():
                if path.startswith(region.path):
                    _add(rows[region.pk], counts, indicators)
    for row in rows.values():
        row["survey_satisfaction_score_sum"] = round(float(row["survey_satisfaction_score_sum"]), 1)
    return rows
