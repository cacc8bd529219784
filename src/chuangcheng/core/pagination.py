from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

PER_PAGE = 50

# Far beyond any real list, far below what a database integer holds: an offset past it is refused
# (422) instead of overflowing the query (500).
MAX_OFFSET = 1_000_000_000


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page:
    """The requested page; a page number that is not a number or out of range gives the
    nearest real page instead of an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class LimitOffset(LimitOffsetPagination):
    """The API's list pages: `limit` from 1 to API_MAX_LIMIT (default 100), `offset` from 0; a value
    outside is a 422 in the API's error format, never a 500 or a whole table in one answer."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=settings.API_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=settings.API_MAX_LIMIT, **kwargs)
