"""`{% options pairs current %}` and `{% row_options rows current %}`: the <option>s of a select,
the current value selected. One tag for a long list: a loop in the template costs several variable
lookups per option, and a filter's list of units, grids or categories has hundreds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SELECTED = mark_safe(" selected")  # noqa: S308 - a constant
_NONE = mark_safe("")  # noqa: S308 - a constant


@register.simple_tag
def options(pairs: Iterable[tuple[Any, Any]] | None, current: Any, prefix: str = "") -> SafeString:
    """(value, text) pairs; `prefix` before each text (an indent such as "— ")."""
    return format_html_join("", '<option value="{}"{}>{}{}</option>',
                            ((value, _SELECTED if value == current else _NONE, prefix, text)
                             for value, text in pairs or ()))


@register.simple_tag
def row_options(rows: Iterable[Any] | None, current: Any, prefix: str = "") -> SafeString:
    """Rows with a `code` (the value) and a `name` (the text)."""
    return options(((row.code, row.name) for row in rows or ()), current, prefix)

