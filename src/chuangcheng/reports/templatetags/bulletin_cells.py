"""A bulletin table's cell as HTML, written here rather than by an included template: a bulletin's
tables have hundreds of cells, and an included template per cell was most of the page's time (the
markup is the one that template wrote, byte for byte).

A cell is a figure (a number, a text, None for "—"), or a dict: {"parts": [{"label", "count",
"link"}]}, {"text", "link"} or {"text", "more": [{"text", "link"}]}; a link's "href" is set by
`views.bulletins.with_hrefs`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
DASH = "—"


def _text(value: Any) -> str:
    """A value as `{{ value }}` shows it: localized, escaped."""
    return str(conditional_escape(localize(value)))


def _or_dash(value: Any) -> str:
    return DASH if value is None else _text(value)


def _href(link: Any) -> str:
    return str(link.get("href") or "") if isinstance(link, dict) else ""


@register.filter
def bulletin_cell(cell: Any) -> SafeString:
    parts: list[str] = []
    more = cell.get("more") if isinstance(cell, dict) else None
    if isinstance(cell, dict) and cell.get("parts"):
        pieces = []
        for part in cell["parts"]:
            href = _href(part.get("link"))
            count = format_html('<a href="{}">{}</a>', href, _text(part.get("count", ""))) if href else _text(
                part.get("count", ""))
            pieces.append(format_html('<span class="part">{} {}</span>', _text(part.get("label", "")), count))
        parts.append("；".join(pieces))
    elif isinstance(cell, dict) and cell.get("link"):
        href = _href(cell["link"])
        text = _or_dash(cell.get("text", ""))
        parts.append(format_html('<a href="{}">{}</a>', href, mark_safe(text)) if href else text)  # noqa: S308 - escaped
    elif more:
        parts.append(_text(cell.get("text", "")))
    else:
        parts.append(_or_dash(cell))
    if more:
        links = "".join(format_html(' <a href="{}">[{}]</a>', _href(m.get("link")), _text(m.get("text", "")))
                        for m in more)
        parts.append(f'<span class="no-print more">{links}</span>')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
