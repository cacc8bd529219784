"""A resident's browser, recognised without an account or personal data: a long-lived random
token in an HttpOnly cookie. Apps store only a keyed hash of it (rate limits, one answer per
device), never the token itself."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

TWO_YEARS = 2 * 365 * 24 * 3600


class DeviceCookie:
    def __init__(self, name: str, *, max_age: int = TWO_YEARS) -> None:
        self.name = name
        self.max_age = max_age
        self._new = f"_new_{name}"

    def sent(self, request: HttpRequest) -> str:
        """The token the browser sent, if any (for reads that must not hand out a new one)."""
        return request.COOKIES.get(self.name, "")

    def of(self, request: HttpRequest) -> str:
        """The browser's token, made on its first visit (set on the response by `keep`)."""
        raw = self.sent(request)
        if not raw or len(raw) > 64:
            raw = getattr(request, self._new, "") or secrets.token_urlsafe(24)
            setattr(request, self._new, raw)
        return raw

    def keep(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Set the cookie on `response` when `of` made a new token for this request."""
        new = getattr(request, self._new, "")
        if new:
            response.set_cookie(self.name, new, max_age=self.max_age, httponly=True, samesite="Lax",
                                secure=request.is_secure())
        return response
