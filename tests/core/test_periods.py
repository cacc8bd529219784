"""The one period form (core.periods): `since`/`until` as ISO dates, one message for a date that
is not a date, a period that ends before it starts or one that is too long; a default span; the
bad period shown beside the fields while the page falls back to its default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from chuangcheng.core.periods import Period, PeriodForm, day_or_default, parse_day, parse_period

TODAY = dt.date(2026, 11, 29)


def test_a_period_is_read_from_iso_dates_both_inclusive() -> None:
    period = parse_period({"since": "2026-11-01", "until": "2026-11-30"})
    assert period == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) and period.days == 30
    assert period.query_string() == "since=2026-11-01&until=2026-11-30"
    assert parse_period({}) == Period(None, None)


def test_a_default_span_fills_what_is_missing() -> None:
    assert parse_period({}, default_days=30, today=TODAY) == Period(dt.date(2026, 10, 31), TODAY)
    assert parse_period({"until": "2026-11-10"}, default_days=7, today=TODAY).since == dt.date(2026, 11, 4)
    assert parse_period({"since": "2026-11-10"}, default_days=7, today=TODAY).until == TODAY
    month = Period(dt.date(2026, 11, 1), TODAY)
    assert parse_period({}, default=month) == month


@pytest.mark.parametrize("params, field, words", [
    ({"since": "2026-13-01"}, "since", "“2026-13-01”"),
    ({"until": "yesterday"}, "until", "“yesterday”"),
    ({"since": "29/11/2026"}, "since", "2026-11-29"),
    ({"since": "2026-11-20", "until": "2026-11-01"}, "until", ""),
    ({"since": "2025-01-01", "until": "2026-11-01"}, "since", "366"),
])
def test_a_bad_period_is_refused_on_its_field(params: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_period(params, max_days=366)
    assert list(refused.value.message_dict) == [field]
    assert words in refused.value.message_dict[field][0]


def test_links_in_bulletins_frozen_before_the_one_spelling_still_work() -> None:
    assert parse_period({"from": "2026-11-01", "to": "2026-11-02"}) == Period(dt.date(2026, 11, 1),
                                                                               dt.date(2026, 11, 2))
    form = PeriodForm(QueryDict("from=2026-11-01&to=2026-11-02"))
    assert form.is_valid() and form.period.days == 2


def test_the_form_keeps_the_error_beside_the_field_and_falls_back_to_the_default() -> None:
    form = PeriodForm(QueryDict("since=2026-11-40&until=2026-11-20"), default_days=7, today=TODAY)
    assert not form.is_valid() and "since" in form.errors and "until" not in form.errors
    assert form.period == Period(dt.date(2026, 11, 23), TODAY)
    unbound = PeriodForm(default_days=7, today=TODAY)
    assert unbound.period == Period(dt.date(2026, 11, 23), TODAY)
    assert 'value="2026-11-23"' in str(unbound["since"])
    reversed_ = PeriodForm(QueryDict("since=2026-11-20&until=2026-11-01"))
    assert not reversed_.is_valid() and reversed_.errors["until"] and reversed_.period == Period(None, None)


def test_a_single_day_has_the_same_message_and_falls_back_to_today() -> None:
    assert parse_day("2026-11-29") == TODAY and parse_day("") is None
    with pytest.raises(ValidationError) as refused:
        parse_day("tomorrow")
    assert list(refused.value.message_dict) == ["date"]
    day, error = day_or_default({"date": "tomorrow"}, TODAY)
    assert day == TODAY and "“tomorrow”" in error
    assert day_or_default({"date": "2026-11-01"}) == (dt.date(2026, 11, 1), "")
