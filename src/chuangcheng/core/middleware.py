from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

from chuangcheng.core import clock

# Our own scripts and styles only; map tiles come from whatever tile server is configured.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob: https: http:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        return response


class SlidingSessionMiddleware(SessionMiddleware):
    """Sessions end after `SESSION_COOKIE_AGE` idle. Saving the session on every request
    (`SESSION_SAVE_EVERY_REQUEST`) kept that to the second, at the price of a write transaction per
    page: on SQLite, every reader of a page queued for the database's one writer. A signed-in
    visitor's session is saved when it changed, or when its last save is `SESSION_TOUCH_SECONDS`
    old: the idle limit holds to within that."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.modified and session.session_key:
            now = int(clock.now().timestamp())
            if now - int(session.get(_TOUCHED, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[_TOUCHED] = now
        return super().process_response(request, response)


_TOUCHED = "_chuangcheng_touched"
