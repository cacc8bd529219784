"""The one way a page, an export, a figure or the API reads a period from a query string: `since`
and `until`, ISO dates (2026-11-29), both inclusive local days. A date that is not a date, a
period that ends before it starts or one longer than allowed gets one message, shown next to the
fields on a page (which falls back to its default period) and in the API's error format (400).
A single day (`date`, for a day's plan, board or bulletin) has its own parser with the same
message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock

BAD_DATE = _("“%(value)s” is not a date: write it as 2026-11-29.")
REVERSED = _("The first day comes after the last day.")
TOO_LONG = _("Choose a period of at most %(n)d days.")

# Bulletins published before `since`/`until` became the one spelling are frozen with links that say
# `from`/`to`; those two are still read (and only when the new names are absent), never written.
FROZEN_LINK_NAMES = {"since": "from", "until": "to"}


def _raw(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, "") and name in FROZEN_LINK_NAMES:
        value = params.get(FROZEN_LINK_NAMES[name])
    return value


@dataclass(frozen=True)
class Period:
    """Local days, both inclusive; None: open on that side."""

    since: dt.date | None
    until: dt.date | None

    @property
    def days(self) -> int | None:
        return (self.until - self.since).days + 1 if self.since and self.until else None

    def bounds(self) -> tuple[dt.date, dt.date]:
        """Both days, for a period with a default span (which is never open)."""
        if self.since is None or self.until is None:
            raise ValueError("an open period has no bounds")
        return self.since, self.until

    def params(self) -> dict[str, str]:
        """The period as query parameters, for links and forms."""
        return {name: day.isoformat() for name, day in (("since", self.since), ("until", self.until)) if day}

    def query_string(self) -> str:
        return urlencode(self.params())


def parse_day(raw: Any, *, name: str = "date") -> dt.date | None:
    """An ISO date from a query string (None when empty). Raises ValidationError on `name`."""
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: [BAD_DATE % {"value": text[:40]}]}, code="invalid") from None


def day_or_default(params: Mapping[str, Any], default: dt.date | None = None, *,
                   name: str = "date") -> tuple[dt.date, str]:
    """The day a page shows and the message to show next to its date field ("" when fine); a bad
    date falls back to `default` (today)."""
    try:
        return parse_day(params.get(name), name=name) or default or clock.today(), ""
    except ValidationError as exc:
        return default or clock.today(), " ".join(exc.messages)


def default_period(*, default_days: int | None, today: dt.date | None = None) -> Period:
    """The last `default_days` days up to today, or an open period."""
    if not default_days:
        return Period(None, None)
    until = today or clock.today()
    return Period(until - dt.timedelta(days=default_days - 1), until)


def parse_period(params: Mapping[str, Any], *, default_days: int | None = None, default: Period | None = None,
                 max_days: int | None = None, today: dt.date | None = None) -> Period:
    """The period of a query string. With a default (`default_days` up to today, or a `default`
    period), a missing `until` is the default's and a missing `since` is the default's span back
    from `until`. Raises ValidationError naming the field."""
    errors: dict[str, list[str]] = {}
    days: dict[str, dt.date | None] = {}
    for name in ("since", "until"):
        try:
            days[name] = parse_day(_raw(params, name), name=name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    since, until = days["since"], days["until"]
    fallback = default or default_period(default_days=default_days, today=today)
    if fallback.days:
        if since is None and until is None:
            since, until = fallback.bounds()
        elif until is None:
            until = max(fallback.bounds()[1], since or dt.date.min)
        elif since is None:
            since = until - dt.timedelta(days=fallback.days - 1)
    if since and until and since > until:
        raise ValidationError({"until": [REVERSED]}, code="reversed")
    period = Period(since, until)
    if max_days and (period.days or 0) > max_days:
        raise ValidationError({"since": [TOO_LONG % {"n": max_days}]}, code="too_long")
    return period


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        return value.isoformat() if isinstance(value, dt.date) else value


class PeriodForm(forms.Form):
    """`since`/`until` for a page or an export form; subclasses add their own filters. Unbound,
    it shows the default period; bound and invalid, it keeps the errors for the fields and
    `period` is the default period, so a page still shows something."""

    since = forms.CharField(label=_("From"), required=False, widget=DateInput)
    until = forms.CharField(label=_("To"), required=False, widget=DateInput)

    default_days: int | None = None
    max_days: int | None = None

    def __init__(self, data: Mapping[str, Any] | None = None, *args: Any, default_days: int | None = None,
                 default: Period | None = None, max_days: int | None = None, today: dt.date | None = None,
                 **kwargs: Any) -> None:
        if data is not None and any(_raw(data, name) != data.get(name) for name in FROZEN_LINK_NAMES):
            data = {**{key: data.get(key) for key in data}, **{name: _raw(data, name) for name in FROZEN_LINK_NAMES}}
        super().__init__(data, *args, **kwargs)
        if default_days is not None:
            self.default_days = default_days
        if max_days is not None:
            self.max_days = max_days
        self.today = today or clock.today()
        self._default = default
        for name, day in self.default.params().items():
            self.initial.setdefault(name, day)

    @property
    def default(self) -> Period:
        return self._default or default_period(default_days=self.default_days, today=self.today)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            period = parse_period(cleaned, default=self.default, max_days=self.max_days, today=self.today)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            cleaned["since"], cleaned["until"] = period.since, period.until
        return cleaned

    @property
    def period(self) -> Period:
        """The period asked for when it is valid, else the default (unbound: the initial one)."""
        if self.is_bound and self.is_valid():
            return Period(self.cleaned_data["since"], self.cleaned_data["until"])
        if not self.is_bound:
            try:
                return parse_period(self.initial, max_days=self.max_days, today=self.today)
            except ValidationError:
                pass
        return self.default

