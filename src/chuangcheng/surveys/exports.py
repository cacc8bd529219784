"""The surveys ledger (问卷台账) as an Excel workbook: one row per response, as the assessors ask for
it (submitted, where it counts, how it was taken, each question's answer), and a second sheet with
the indicators of the same responses. For one survey, a date range and a region (a community) in
the reader's scope. Answers are anonymous: the device hash is not exported; text answers stay text
(never a formula); every export is written to the change log. Surveys carry no photos."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.org.models import Region
from chuangcheng.surveys import results
from chuangcheng.surveys.models import Answer, Response, Survey


def _local(moment: dt.datetime) -> dt.datetime:
    return clock.local(moment).replace(tzinfo=None)


def _pct(value: float | None) -> float | None:
    return round(100 * value, 1) if value is not None else None


def _answers(responses: Any) -> dict[int, dict[int, list[str]]]:
    """{response id: {question id: [chosen option texts, or the text]}} in the options' order."""
    out: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = (Answer.objects.filter(response__in=responses)
            .order_by("response_id", "question_id", "option__order", "id")
            .values_list("response_id", "question_id", "option__text", "text"))
    for response_id, question_id, option_text, text in rows.iterator(chunk_size=2000):
        out[response_id][question_id].append(option_text if option_text is not None else text)
    return out


def ledger_rows(survey: Survey, responses: Any) -> tuple[list[str], list[list[Any]]]:
    questions = results.questions_of(survey)
    header = [_("Submitted"), _("Community"), _("Grid"), _("How"), _("Recorded by"),
              *[f"{q.code} {q.text}" for q in questions]]
    answers = _answers(responses)
    modes = dict(Response.Mode.choices)
    rows = []
    for r in responses:
        region = r.region
        community = region.parent if region.level == Region.Level.GRID else region
        grid = region.name if region.level == Region.Level.GRID else ""
        given = answers.get(r.pk, {})
        rows.append([
            _local(r.submitted_at), community.name if community else "", grid, str(modes.get(r.mode, r.mode)),
            r.recorded_by.display_name if r.recorded_by_id else "",
            *["、".join(given.get(q.id, [])) for q in questions],
        ])
    return header, rows


def indicator_rows(res: results.Results) -> tuple[list[str], list[list[Any]]]:
    header = [_("Region"), _("Responses"), _("on their own device"), _("household visits")]
    for indicator in res.indicators:
        name = str(results.RATE_NAMES[indicator])
        header += [f"{name} (%)", f"{name} · n", f"{name} · 95% " + _("low"), f"{name} · 95% " + _("high"),
                   f"{name} · " + _("too small to rank")]
    if res.scored:
        header += [_("Mean satisfaction score"), _("scored answers"), "95% " + _("low"), "95% " + _("high")]

    def line(name: str, f: results.Figures) -> list[Any]:
        row: list[Any] = [name, f.responses, f.by_mode.get("self", 0), f.by_mode.get("visit", 0)]
        for indicator in res.indicators:
            rate = f.rate(indicator)
            interval = rate.interval
            row += [_pct(rate.value), rate.n, _pct(interval.low) if interval else None,
                    _pct(interval.high) if interval else None, _("yes") if rate.too_small else ""]
        if res.scored:
            score = f.score()
            interval = score.interval
            row += [round(score.mean, 1) if score.mean is not None else None, score.n,
                    round(interval.low, 1) if interval else None, round(interval.high, 1) if interval else None]
        return row

    rows = [line(res.region.name, res.total), *[line(r.region.name, r.figures) for r in res.rows]]
    return header, rows


def survey_ledger(user: Any, survey: Survey, region: Region, *, since: dt.date,
                  until: dt.date) -> tuple[bytes, int]:
    """The workbook and its number of responses. `region` is already checked to be in the user's
    scope. Raises sheets.TooManyRows when more responses
    match than an export may hold."""
    responses = (Response.objects.filter(survey=survey, region__path__startswith=region.path,
                                         submitted_at__gte=clock.start_of(since),
                                         submitted_at__lt=clock.start_of(until + dt.timedelta(days=1)))
                 .select_related("region__parent", "recorded_by__person").order_by("submitted_at", "id"))
    total = sheets.check_rows(responses.count())
    header, rows = ledger_rows(survey, responses)
    heading = [_("Surveys ledger (问卷台账)"), survey.title, region.name, f"{since:%Y-%m-%d} – {until:%Y-%m-%d}",
               f"{clock.local(clock.now()):%Y-%m-%d %H:%M}"]
    book, sheet = sheets.table_sheet(_("Responses"), heading, header, rows)
    for cell in sheet["A"][2:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.column_dimensions["A"].width = 17
    sheet.freeze_panes = "B3"

    res = results.results(user, survey, region, since=since, until=until)
    sheet2 = book.create_sheet(sheets.sheet_title(_("Indicators")))
    sheets.append_row(sheet2, [_("Indicators"), survey.title, region.name, f"{since:%Y-%m-%d} – {until:%Y-%m-%d}"],
                      bold=True)
    ih, irows = indicator_rows(res)
    sheets.append_row(sheet2, ih, bold=True)
    for row in irows:
        sheets.append_row(sheet2, row)
    sheets.append_row(sheet2, [])
    sheets.append_row(sheet2, [_("Definitions in force")], bold=True)
    for _indicator, q in res.definitions():
        sheets.append_row(sheet2, [f"{q.code} {q.text}", q.definition])
    sheets.append_row(sheet2, [_("95%% intervals: Wilson for rates, Student's t for the mean score. "
                                 "Fewer valid answers than %(n)d: too small to rank.") % {"n": survey.min_sample}])
    sheets.log_export(user, region, what="survey_responses", count=total,
                      note=f"survey ledger: survey={survey.pk} region={region.code} {since:%Y-%m-%d}..{until:%Y-%m-%d}")
    return sheets.to_bytes(book), total
