"""Drafts kept in the browser (web/static/chuangcheng/drafts.js) are removed only once the server
has accepted what they held. A view that accepts a submission says so here; the next page shown to
the same session carries the marker (`{% drafts_done %}` in the base layout), wherever the redirect
leads, and drafts.js removes the draft there."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "chuangcheng.drafts_done"
KEEP = 10  # markers waiting for a page; more means nobody is looking


def draft_accepted(request: HttpRequest, prefix: str, *, token: str = "") -> None:
    """The submission of the draft named `prefix…` (with `token`, only the one that carried it) was
    accepted: its draft may go."""
    done = list(request.session.get(SESSION_KEY, []))[-(KEEP - 1):]
    done.append([prefix, token])
    request.session[SESSION_KEY] = done


def take_accepted(request: HttpRequest | None) -> list[tuple[str, str]]:
    """The markers waiting for a page, once: a page that shows them hands them to the browser."""
    if request is None or not hasattr(request, "session"):
        return []
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and not request.session.modified:
        return []  # no session yet: nothing was accepted (and the page stays cacheable)
    done = request.session.pop(SESSION_KEY, None) if SESSION_KEY in request.session else None
    return [(str(prefix), str(token)) for prefix, token in (done or [])]
