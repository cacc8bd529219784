"""Faults answered cleanly.

When the database refuses or drops connections (or a statement times out), every page answers 503
with a self-contained Chinese page and a `Retry-After`, the API and Open311 answer in their own
error formats, and the log gets one line per kind of failure a minute instead of a traceback per
request. Any other unhandled error answers a self-contained 500 page (JSON on the API).

None of this touches the database, the session or the context processors: `server_error` is the
project's `handler500`, called by Django inside the `except` of the failed request."""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chuangcheng.core.logs import current_request_id

logger = logging.getLogger("chuangcheng.faults")

# How long a client should wait before trying again, in seconds (the Retry-After header).
RETRY_AFTER_SECONDS = 30
# One log line per kind of failure in this many seconds.
THROTTLE_SECONDS = 60.0

# What "the database is unavailable" means here: refused or dropped connections, a server going
# away, a statement cancelled by statement_timeout, SQLite's "database is locked". All transient
# from the client's side: try again shortly.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def failure_kind(exc: BaseException) -> str:
    """A short, stable name for a failure: its class and the first line of its message with the
    numbers blanked (ports, process ids and timings change from one failure to the next)."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {re.sub(r'[0-9]+', '#', first_line)[:160]}"


class Throttle:
    """Lets one event of each kind through per period and counts the ones it held back."""

    def __init__(self, period: float = THROTTLE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self.clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, kind: str) -> tuple[bool, int]:
        """(whether to log now, how many of this kind were held back since the last line)."""
        now = self.clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.period:
                self._held[kind] = self._held.get(kind, 0) + 1
                return False, 0
            self._last[kind] = now
            return True, self._held.pop(kind, 0)

    def reset(self) -> None:
        with self._lock:
            self._last.clear()
            self._held.clear()


throttle = Throttle()


def log_database_unavailable(exc: BaseException, where: str) -> None:
    """One line (no traceback) per kind of database failure a minute, across all requests and jobs
    of this process."""
    from chuangcheng.core import metrics

    metrics.count_failure("database")
    kind = failure_kind(exc)
    allowed, held = throttle.allow(kind)
    if not allowed:
        return
    suffix = f" ({held} more since the last report)" if held else ""
    logger.error("database unavailable in %s: %s%s", where, kind, suffix)


def log_once_a_minute(kind: str, message: str, *args: object, metric: str = "other") -> None:
    """Log `message` as an error at most once a minute for each `kind` (a full disk, say); count it
    every time under the metric's fixed word."""
    from chuangcheng.core import metrics

    metrics.count_failure(metric)
    allowed, held = throttle.allow(kind)
    if allowed:
        logger.error(message + (f" ({held} more since the last report)" if held else ""), *args)


class DropDatabaseTracebacks(logging.Filter):
    """On the `django.request` logger: a request that failed because the database is unavailable
    logs one throttled line on `chuangcheng.faults` instead of its traceback, and /readyz's 503s
    are not logged again as errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            # /readyz answering 503 is its job; its checks log their failures (throttled) themselves.
            return getattr(getattr(record, "request", None), "path", "") != "/readyz"
        if not is_database_unavailable(exc):
            return True
        # A request can fail twice (its view, then the session middleware's answer): count it once.
        request = getattr(record, "request", None)
        if not getattr(request, "_database_failure_counted", False):
            if request is not None:
                request._database_failure_counted = True
            log_database_unavailable(exc, "a request")
        return False


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _is_open311(path: str) -> bool:
    return path.startswith("/open311/")


def _api_error(status: int, code: str, message: str) -> HttpResponse:
    """The API's one error format (chuangcheng.api.api.ErrorOut)."""
    body = {"error": {"code": code, "message": message}}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def _open311_error(path: str, status: int, message: str) -> HttpResponse:
    """GeoReport v2's error document, in the format of the URL's extension (XML by default)."""
    if path.endswith(".json"):
        text = json.dumps([{"code": status, "description": message}], ensure_ascii=False)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")
    escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xml = (f'<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>{status}</code>'
           f"<description>{escaped}</description></error></errors>")
    return HttpResponse(xml, status=status, content_type="text/xml; charset=utf-8")


def _page(template: str, status: int) -> HttpResponse:
    # No request: no context processors, no session, no user, nothing that reads the database.
    html = render_to_string(template, {"request_id": current_request_id(), "retry_after": RETRY_AFTER_SECONDS})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database (or what the request needs of it) is briefly unavailable."""
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if _is_api(request.path):
        response = _api_error(503, "unavailable", message)
    elif _is_open311(request.path):
        response = _open311_error(request.path, 503, message)
    else:
        response = _page("core/503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's handler500: 503 when the database is unavailable, else a plain 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable(request)
    message = _("Something went wrong on our side. The error has been logged; please try again later.")
    if _is_api(request.path):
        response = _api_error(500, "server_error", message)
    elif _is_open311(request.path):
        response = _open311_error(request.path, 500, message)
    else:
        response = _page("core/500.html", 500)
    response["Cache-Control"] = "no-store"
    return response
