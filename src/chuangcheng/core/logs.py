"""Structured logs: every line carries its time, level, logger and the id of the request it belongs
to; one access line per request on the `chuangcheng.access` logger.

The request id comes from the client's (or the proxy's) X-Request-ID when it is a sane token, else
is made here; it is returned in the response's X-Request-ID header and shown on the error pages, so
a user's report, nginx's log and ours can be matched."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from chuangcheng.core import metrics

access_logger = logging.getLogger("chuangcheng.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and . _ : - only, at most 64: a UUID, nginx's $request_id, a trace id. Anything
# else (spaces, quotes, newlines that would forge log lines, very long values) is replaced.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("chuangcheng_request_id", default="-")


def current_request_id() -> str:
    """The id of the request this thread is serving, "-" outside a request."""
    return _request_id.get()


def request_id_from(incoming: str | None) -> str:
    if incoming and SANE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (for the formatters below); on the handlers, so records
    of every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}"
            + time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for field in ("method", "path", "status", "duration_ms"):
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    """Outermost middleware: sets the request id, answers it in X-Request-ID and logs one access
    line (method, path without the query string, status, duration) per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = _request_id.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            seconds = time.perf_counter() - started
            metrics.observe_request(request, response.status_code, seconds)
            duration_ms = round(seconds * 1000, 1)
            # The path only: query strings can carry keys (Open311's api_key) and personal data.
            access_logger.info(
                "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": duration_ms},
            )
            return response
        finally:
            _request_id.reset(token)
