"""Where a page goes after an action: the `next` it was given, only if that stays on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's `next` (form field, else query string) when it points at this site; otherwise
    `default`. Anything else (`https://evil.example/`, `//evil.example`, `javascript:`) would let
    a crafted link send a signed-in person elsewhere with our name on it."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default
