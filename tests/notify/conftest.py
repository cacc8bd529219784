"""A local webhook receiver standing in for the WeCom/DingTalk robots, and (when Redis answers)
a real Celery worker over a Redis broker on a database number of its own."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# A database of its own on the local Redis; CI gives a second run at the same time another one.
REDIS_TEST_URL = os.environ.get("CHUANGCHENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class Receiver:
    url: str
    down: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    failed_calls: int = 0
    paths: list[str] = field(default_factory=list)
    # Seconds to wait before answering (a slow robot), and the answer's status (200 unless set).
    delay: float = 0.0
    status: int = 200
    # The message key of every call, as it arrived (before any delay): (Idempotency-Key, X-Chuangcheng-Message-Key).
    keys: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 (random port) answering like a group robot; `down` makes it
    answer 502 until switched back, `delay` answer late, `status` answer that status."""
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            state.keys.append((self.headers.get("Idempotency-Key", ""),
                               self.headers.get("X-Chuangcheng-Message-Key", "")))
            if state.delay:
                time.sleep(state.delay)
            if state.down or state.status != 200:
                state.failed_calls += 1
                self.send_response(502 if state.down else state.status)
                self.end_headers()
                return
            state.received.append(body)
            state.paths.append(self.path)
            answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # a handler still waiting out its delay does not hold the teardown
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test-robot"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def redis_answers(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture
def broker(settings: Any) -> Iterator[str]:
    """Distributed mode against a real Redis (database 15, flushed before and after)."""
    import redis

    if not redis_answers():
        pytest.skip("Redis is not answering on 127.0.0.1:6379 (start redis-server to run the broker tests)")
    from chuangcheng.celery import app

    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    saved = {"broker_url": app.conf.broker_url, "result_backend": app.conf.result_backend}
    app.conf.broker_url = REDIS_TEST_URL
    app.conf.result_backend = None
    settings.REDIS_URL = REDIS_TEST_URL
    yield REDIS_TEST_URL
    app.conf.update(saved)
    client.flushdb()
    client.close()


def _read_uncommitted(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def worker(broker: str) -> Iterator[Any]:
    """A real Celery worker (solo pool, in a thread of this process so it shares the test database).

    The SQLite test database lives in memory with a shared cache, whose table locks make a
    reader fail a writer at once instead of waiting as a database file does: the test's polling
    reads are made lock-free (read_uncommitted) in both threads."""
    from celery.contrib.testing.worker import start_worker
    from django.db import connection
    from django.db.backends.signals import connection_created

    from chuangcheng.celery import app
    from chuangcheng.notify import tasks  # noqa: F401 -- registers the tasks with the app

    connection_created.connect(_read_uncommitted)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=10) as running:
            yield running
    finally:
        connection_created.disconnect(_read_uncommitted)
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 0")
