"""Addresses people open from outside a page (QR codes, group messages, links in ledgers): under
PUBLIC_BASE_URL when it is set (a site behind a proxy or a public domain), else the request's host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url(request: HttpRequest | None, path: str) -> str:
    """`path` ("/s/abc/") as a full address; the path alone when there is neither a base nor a request."""
    base = str(settings.PUBLIC_BASE_URL or "").rstrip("/")
    if base:
        return f"{base}{path}"
    return request.build_absolute_uri(path) if request is not None else path


def site_root(request: HttpRequest | None) -> str:
    """The site's address without the trailing slash, to put paths after."""
    return absolute_url(request, "/").rstrip("/")
