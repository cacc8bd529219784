"""Small filters for the catalog pages: numbers as a clerk writes them, unit kinds by name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import pgettext

from chuangcheng.org.models import Unit
from chuangcheng.standards.models import plain_number

register = template.Library()


@register.filter
def plain(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return ""
    return plain_number(Decimal(str(value)))


@register.filter
def unit_kind_names(kinds: Any) -> str:
    labels = dict(Unit.Kind.choices)
    return pgettext("list separator", ", ").join(str(labels.get(kind, kind)) for kind in (kinds or []))
