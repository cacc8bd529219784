from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page:
    """The requested page; a page number that is not a number or out of range gives the
    nearest real page instead of an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
