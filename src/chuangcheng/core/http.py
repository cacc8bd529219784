"""What every page and endpoint answers the same way."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

T = TypeVar("T")


def or_404(found: T | None) -> T:
    """What a scoped lookup found, else 404: a row outside the reader's region is answered as one
    that does not exist."""
    if found is None:
        raise Http404
    return found
