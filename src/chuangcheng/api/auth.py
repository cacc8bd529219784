from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chuangcheng.core import clock
from chuangcheng.org.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cc_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = clock.now()
        found = (
            ApiToken.objects.select_related("user", "user__scope")
            .filter(key_hash=ApiToken.hash_key(token), revoked=False, user__is_active=True,
                    created_at__gt=now - ApiToken.lifetime())
            .first()
        )
        if found is None:
            return None
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session, with its CSRF check on writes. A request without the session cookie
    is not a browser session: it is not checked for CSRF here (a bearer token cannot be sent by a
    forged cross-site form), and is left to the token."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
