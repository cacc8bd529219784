"""With the database unavailable, pages answer a Chinese 503 page with Retry-After, the API its JSON
error, Open311 its standard error document, and the log gets one line, not a traceback a request.
Other unhandled errors answer a Chinese 500 page (JSON on the API). Through Django's test client
(the database's connection made to fail) and through `chuangcheng serve` pointed at a PostgreSQL
port where nothing listens, or at one that accepts and never answers."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from chuangcheng.core import faults
from tests.static_cache import collected_static_root


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    faults.throttle.reset()
    yield
    faults.throttle.reset()


@contextlib.contextmanager
def database_down(message: str = 'connection to server at "127.0.0.1", port 5999 failed: Connection refused'
                  ) -> Iterator[None]:
    """Every attempt to use a database connection fails as a refused connection does."""
    original = BaseDatabaseWrapper.ensure_connection

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError(message)

    BaseDatabaseWrapper.ensure_connection = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseDatabaseWrapper.ensure_connection = original  # type: ignore[method-assign]


def signed_in(cast: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(cast.street_admin)
    return client


def test_a_page_answers_a_chinese_503_page_with_retry_after_when_the_database_refuses(cast: Any) -> None:
    client = signed_in(cast)
    with database_down():
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert 'href="/"' in page and "返回首页" in page
    assert response["X-Request-ID"] in page  # a user can quote it
    assert "Server Error" not in page


def test_the_api_answers_its_json_error_format_with_503(cast: Any) -> None:
    client = signed_in(cast)
    with database_down():
        response = client.get("/api/points")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "暂时不可用" in error["message"]


def test_open311_answers_its_standard_error_document_with_503(db: None) -> None:
    client = Client(raise_request_exception=False)
    with database_down():
        as_json = client.get("/open311/v2/services.json")
        as_xml = client.get("/open311/v2/services.xml")
    assert as_json.status_code == 503
    assert as_json.json()[0]["code"] == 503
    assert as_xml.status_code == 503
    assert as_xml["Content-Type"].startswith("text/xml")
    assert b"<errors><error><code>503</code>" in as_xml.content


def test_many_failing_requests_log_one_line_not_a_traceback_each(cast: Any, caplog: Any) -> None:
    client = signed_in(cast)
    caplog.set_level(logging.INFO)
    with database_down():
        for _ in range(25):
            assert client.get("/").status_code == 503
            assert client.get("/api/points").status_code == 503
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].name == "chuangcheng.faults"
    assert "database unavailable" in errors[0].getMessage()
    assert errors[0].exc_info is None
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_different_kind_of_failure_or_the_next_minute_logs_again(cast: Any, caplog: Any) -> None:
    clock = [1000.0]
    faults.throttle.clock = lambda: clock[0]
    try:
        client = signed_in(cast)
        with database_down():
            client.get("/")
            client.get("/")
        with database_down("canceling statement due to statement timeout"):
            client.get("/")
        clock[0] += 61
        with database_down():
            client.get("/")
    finally:
        faults.throttle.clock = time.monotonic
    lines = [r.getMessage() for r in caplog.records if r.name == "chuangcheng.faults"]
    assert len(lines) == 3
    assert "statement timeout" in lines[1]
    assert "(1 more since the last report)" in lines[2]


def test_healthz_stays_alive_without_the_database(db: None) -> None:
    with database_down():
        response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.urls("tests.core.fault_urls")
def test_a_bug_answers_a_chinese_500_page_with_a_way_back(db: None, caplog: Any) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出了点问题" in page and "返回首页" in page and 'href="/"' in page
    assert "Retry-After" not in response
    # A bug still logs its traceback: only database outages are folded into one line.
    assert [r for r in caplog.records if r.name == "django.request" and r.exc_info]


@pytest.mark.urls("tests.core.fault_urls")
def test_a_bug_behind_the_api_answers_its_json_error_format(db: None) -> None:
    response = Client(raise_request_exception=False).get("/api/boom/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    open311 = Client(raise_request_exception=False).get("/open311/v2/boom.json")
    assert open311.status_code == 500 and open311.json()[0]["code"] == 500


# --- a real server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stderr.read().decode() if process.stderr else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise AssertionError("serve did not start")


@contextlib.contextmanager
def serving(database_url: str, tmp_path: Path, **env: str) -> Iterator[tuple[int, Path]]:
    """`chuangcheng serve` in its own process on a database that is not there; yields its port and
    the file its log goes to."""
    port = free_port()
    log = tmp_path / "serve.log"
    environment = {**os.environ, "DATABASE_URL": database_url, "CHUANGCHENG_HOME": str(tmp_path / "home"),
                   # The static files collected already: the server starts without a minute of brotli.
                   "STATIC_ROOT": str(collected_static_root()),
                   "DJANGO_SETTINGS_MODULE": "chuangcheng.settings", "REDIS_URL": "", "LOG_LEVEL": "WARNING",
                   "LANGUAGE_CODE": "zh-hans", **env}
    environment.pop("CHUANGCHENG_TEST_NOW", None)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            # One worker process: the log's throttle (one line per failure kind a minute) is per process.
            [sys.executable, "-m", "chuangcheng", "serve", "--no-migrate", "--port", str(port), "--threads", "4",
             "--workers", "1"],
            env=environment, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(port, process)
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=10)


def fetch(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


SESSION = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}


def test_a_server_whose_postgresql_refuses_answers_503s_and_logs_one_line(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    with serving(f"postgres://postgres@127.0.0.1:{closed}/chuangcheng", tmp_path) as (port, log):
        answers = []
        for _ in range(15):
            answers.append(fetch(port, "/", **SESSION))
            answers.append(fetch(port, "/api/points", **SESSION))
            answers.append(fetch(port, "/open311/v2/services.json"))
        alive = fetch(port, "/healthz")
        ready = fetch(port, "/readyz")
        time.sleep(0.5)
        text = log.read_text(encoding="utf-8")
    assert {status for status, _headers, _body in answers} == {503}
    page_status, page_headers, page = answers[0]
    assert "服务暂时不可用" in page.decode() and page_headers["Retry-After"] == "30"
    assert json.loads(answers[1][2])["error"]["code"] == "unavailable"
    assert json.loads(answers[2][2])[0]["code"] == 503
    assert alive[0] == 200
    assert ready[0] == 503 and json.loads(ready[2])["failed"] == ["database"]
    assert "Traceback" not in text
    failures = [line for line in text.splitlines() if "database unavailable" in line]
    # The same failure seen by 45 requests and by /readyz's own check: one line in the minute.
    assert len(failures) == 1, text
    assert " ERROR chuangcheng.faults [" in failures[0]  # time, level, logger, request id
    access = [line for line in text.splitlines() if " INFO chuangcheng.access " in line]
    assert len(access) == 47
    assert any("GET /api/points 503 " in line for line in access)


def test_a_server_whose_postgresql_hangs_answers_503_within_the_connect_timeout(tmp_path: Path) -> None:
    """A network drop: the port accepts connections and never says a word."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(50)
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(silent.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        url = f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/chuangcheng"
        with serving(url, tmp_path, DB_CONNECT_TIMEOUT="2") as (port, _log):
            started = time.monotonic()
            status, _headers, body = fetch(port, "/api/points", **SESSION)
            took = time.monotonic() - started
    finally:
        silent.close()
        for connection in held:
            connection.close()
    assert status == 503
    assert json.loads(body)["error"]["code"] == "unavailable"
    assert took < 8
