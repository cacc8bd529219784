"""Reading one row's cells into typed values, collecting a translated error per bad cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chuangcheng.core.validators import CHINESE_MOBILE, normalize_phone, validate_code
from chuangcheng.imports.columns import FALSE_WORDS, TRUE_WORDS
from chuangcheng.imports.reading import Row, cell_text

LIST_SEPARATORS = (",", "，", "、", ";", "；", "\n")


@dataclass(frozen=True)
class RowError:
    """One problem in the file: the Excel row (None for the file as a whole), the column header
    ("" when the problem is not one cell's) and a translated sentence."""

    row: int | None
    column: str
    message: str


@dataclass
class Errors:
    items: list[RowError] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, column: str, message: str) -> None:
        self.items.append(RowError(row, column, str(message)))
        if row is not None:
            self.rows.add(row)

    def __bool__(self) -> bool:
        return bool(self.items)


class Cells:
    """Typed access to one row; every problem is reported against its column."""

    def __init__(self, row: Row, errors: Errors) -> None:
        self.row = row
        self.number = row.number
        self.errors = errors

    def error(self, column: str, message: str) -> None:
        self.errors.add(self.number, column, message)

    def raw(self, column: str) -> Any:
        return self.row.values.get(column)

    def text(self, column: str, *, required: bool = False) -> str:
        value = cell_text(self.raw(column))
        if required and not value:
            self.error(column, _("This cell is required."))
        return value

    def code(self, column: str, *, required: bool = False) -> str:
        value = self.text(column, required=required)
        if value:
            try:
                validate_code(value)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(column, message)
        return value

    def codes(self, column: str) -> list[str]:
        """A comma-separated list of codes (Chinese commas and 、 too), without repeats."""
        text = self.text(column)
        for separator in LIST_SEPARATORS[1:]:
            text = text.replace(separator, LIST_SEPARATORS[0])
        return list(dict.fromkeys(part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()))

    def phone(self, column: str, *, required: bool = False) -> str:
        value = normalize_phone(self.text(column, required=required))
        if value and not CHINESE_MOBILE.match(value):
            self.error(column, _("“%(value)s” is not a Chinese mobile number (11 digits starting with 13–19).")
                       % {"value": self.text(column)})
        return value

    def boolean(self, column: str) -> bool:
        raw = self.raw(column)
        if isinstance(raw, bool):
            return raw
        value = cell_text(raw).casefold()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.error(column, _("Write 是 (yes) or 否 (no), not “%(value)s”.") % {"value": cell_text(raw)})
        return False

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = int(value.replace(",", ""))
        except ValueError:
            self.error(column, _("“%(value)s” is not a whole number.") % {"value": value})
            return None
        if number < 0:
            self.error(column, _("The number may not be negative."))
            return None
        return number

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        raw = self.raw(column)
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, _("“%(value)s” is not a number.") % {"value": value})
            return None
        return number

    def choice(self, column: str, lookup: dict[str, Any], labels: list[str], *, required: bool = False) -> Any:
        value = self.text(column, required=required)
        if not value:
            return None
        if value.casefold() not in lookup:
            self.error(column, _("“%(value)s” is not one of: %(choices)s.")
                       % {"value": value, "choices": "、".join(labels)})
            return None
        return lookup[value.casefold()]
