"""A hotline's interface on loopback, in a thread: it serves orders, takes our steps (remembering
each Idempotency-Key, answering 409 to one seen before), and can fail (500), lose its answer
after taking a step, or be slow (longer than the client's timeout)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeHotline:
    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.steps: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (path, body): each step taken once
        self.requests: list[tuple[str, str]] = []  # (method, path) as they came
        self.fail_next = 0  # this many requests answer 500
        self.lose_next = 0  # this many steps are taken, then answered 500 (the answer is lost)
        self.slow = 0.0  # seconds to wait before answering
        self.tokens: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout)

            def _common(self) -> bool:
                fake.requests.append((self.command, self.path))
                fake.tokens.append(self.headers.get("Authorization", ""))
                if fake.slow:
                    time.sleep(fake.slow)
                if fake.fail_next:
                    fake.fail_next -= 1
                    self._reply(500, {"error": "down"})
                    return False
                return True

            def do_GET(self) -> None:  # noqa: N802
                if self._common():
                    self._reply(200, {"orders": fake.orders})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self._common():
                    return
                key = self.headers.get("Idempotency-Key", "")
                if key in fake.steps:
                    self._reply(409, {"error": "duplicate"})
                    return
                fake.steps[key] = (self.path, body)
                if fake.lose_next:
                    fake.lose_next -= 1
                    self._reply(500, {"error": "lost"})
                    return
                self._reply(200, {"ok": True})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHotline:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
