"""Every response carries a request id (the caller's when it is a sane token), every request gets
one access line on chuangcheng.access, and every log line shows time, level, logger and request id."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import pytest
from django.test import Client

from chuangcheng.core.logs import JsonFormatter, RequestIdFilter


def test_a_request_gets_an_id_in_its_response(db: None) -> None:
    response = Client().get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert Client().get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(db: None) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a:9b.1_x")
    assert response["X-Request-ID"] == "nginx-4f2a:9b.1_x"


@pytest.mark.parametrize("forged", ["two words", "a\nERROR forged line", "x" * 65, "<script>", ""])
def test_an_insane_incoming_request_id_is_replaced(db: None, forged: str) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=forged)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_writes_one_access_line_with_its_id(db: None, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="chuangcheng.access")
    response = Client().get("/healthz?api_key=secret", HTTP_X_REQUEST_ID="abc123")
    lines = [r for r in caplog.records if r.name == "chuangcheng.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line.levelname == "INFO"
    assert line.getMessage().startswith("GET /healthz 200 ")
    assert line.getMessage().endswith("ms")
    assert "secret" not in line.getMessage()  # no query strings in the log
    assert line.request_id == response["X-Request-ID"] == "abc123"
    assert (line.method, line.path, line.status) == ("GET", "/healthz", 200)
    assert line.duration_ms >= 0


def test_a_refused_request_is_logged_with_its_status(db: None, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="chuangcheng.access")
    Client().get("/changes/")  # not signed in: sent to the sign-in page
    assert [r.status for r in caplog.records if r.name == "chuangcheng.access"] == [302]


def configured_handler() -> logging.Handler:
    """The console handler settings.LOGGING installs on the root logger."""
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, RequestIdFilter) for f in handler.filters):
            return handler
    raise AssertionError("no handler with the request id filter")


def test_log_lines_show_time_level_logger_and_request_id(db: None, caplog: Any) -> None:
    handler = configured_handler()
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    caplog.set_level(logging.INFO, logger="chuangcheng.access")
    try:
        Client().get("/healthz", HTTP_X_REQUEST_ID="req-42")
        logging.getLogger("chuangcheng.test").warning("outside any request")
    finally:
        handler.setStream(previous)
    first, second = stream.getvalue().splitlines()[-2:]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO chuangcheng\.access \[req-42\] GET /healthz 200 "
                        r"[\d.]+ms", first)
    assert second.endswith(" WARNING chuangcheng.test [-] outside any request")


def test_the_json_format_has_the_same_fields() -> None:
    record = logging.LogRecord("chuangcheng.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.request_id = "r1"
    record.status = 200
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "INFO" and entry["logger"] == "chuangcheng.access"
    assert entry["request_id"] == "r1" and entry["message"] == "GET /x" and entry["status"] == 200
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", entry["time"])
