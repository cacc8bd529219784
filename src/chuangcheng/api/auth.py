from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from time import monotonic
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chuangcheng.core import clock
from chuangcheng.org.models import ApiToken, User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cc_…` with a personal API token.

    A token found valid is remembered by this process for `API_TOKEN_CACHE_SECONDS` (with its user
    and scope): the lookup and the user it loads were a quarter of a list request's time (issue 19).
    Revoking a token, changing a user or signing in anew forgets every remembered token at once in
    the process that did it (`forget_tokens`); another worker process or machine forgets within
    those seconds. The token's expiry is checked on every request."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = clock.now()
        key_hash = ApiToken.hash_key(token)
        known = _known.get(key_hash)
        if known is None or known.until < monotonic():
            known = _look_up(key_hash, now)
            if known is None:
                _known.pop(key_hash, None)
                return None
        if now >= known.expires_at:
            _known.pop(key_hash, None)
            return None
        if known.last_used_at is None or (now - known.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=known.token_id).update(last_used_at=now)
            known.last_used_at = now
        user = copy.copy(known.user)  # this request's own: attributes a view sets stay with it
        request.user = user
        return user


@dataclass
class _Known:
    token_id: int
    user: User
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    until: float  # monotonic() after which the token is looked up again


_known: dict[str, _Known] = {}
# Only valid tokens are remembered; past this many (a process serving very many clients), all are
# forgotten and looked up again.
_MAX_KNOWN = 1000


def _look_up(key_hash: str, now: dt.datetime) -> _Known | None:
    found = (
        ApiToken.objects.select_related("user", "user__scope")
        .filter(key_hash=key_hash, revoked=False, user__is_active=True, created_at__gt=now - ApiToken.lifetime())
        .first()
    )
    if found is None:
        return None
    known = _Known(token_id=found.pk, user=found.user, expires_at=found.expires_at,
                   last_used_at=found.last_used_at, until=monotonic() + settings.API_TOKEN_CACHE_SECONDS)
    if settings.API_TOKEN_CACHE_SECONDS > 0:
        if len(_known) >= _MAX_KNOWN:
            _known.clear()
        _known[key_hash] = known
    return known


def forget_tokens(**_kwargs: Any) -> None:
    """Every remembered token is looked up again on its next request (a token or user changed)."""
    _known.clear()


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
