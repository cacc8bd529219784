"""Behind a TLS proxy: `chuangcheng serve` (waitress) believes X-Forwarded-Proto and
X-Forwarded-For from the configured proxies only, so HTTPS redirects do not loop, HSTS is sent,
and the client address used for throttling is the real one. Waitress runs on 127.0.0.1 here and
the test plays the proxy."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import RequestFactory
from waitress.server import create_server

from chuangcheng.core.management.commands.serve import waitress_proxy_options
from chuangcheng.core.proxy import TrustedProxies, client_address, client_address_of


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.fixture
def serving() -> Iterator[Callable[[Any], int]]:
    """Start waitress on 127.0.0.1 (a free port) with what `serve` gives it; returns the port."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(app: Any) -> int:
        server = create_server(app, host="127.0.0.1", port=0, threads=2, **waitress_proxy_options())

        def run() -> None:  # waitress's own loop, a step at a time, so the test can stop it
            while not stop.is_set():
                server.asyncore.loop(timeout=0.05, map=server._map, count=1)
            server.close()
            server.task_dispatcher.shutdown()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return int(server.effective_port)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=5)


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """What the application sees: scheme, client address, the forwarded headers left."""
    body = {"scheme": environ["wsgi.url_scheme"], "client": client_address_of(environ),
            "xff": environ.get("HTTP_X_FORWARDED_FOR"), "proto": environ.get("HTTP_X_FORWARDED_PROTO")}
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def seen(port: int, headers: dict[str, str]) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/", headers=headers)
    body = json.loads(connection.getresponse().read())
    connection.close()
    return body


def test_behind_a_tls_proxy_https_is_not_redirected_again_and_hsts_is_sent(behind_proxy, serving):
    from chuangcheng.wsgi import build_application

    behind_proxy.SECURE_SSL_REDIRECT = True
    behind_proxy.SECURE_HSTS_SECONDS = 31536000
    port = serving(build_application())

    plain = fetch(port, "/accounts/login/", {"Host": "localhost"})
    assert plain.status == 301 and plain.getheader("Location") == "https://localhost/accounts/login/"

    proxied = fetch(port, "/", {"Host": "localhost", "X-Forwarded-Proto": "https"})
    assert proxied.status == 302  # to the sign-in page, not to https again
    assert proxied.getheader("Location", "").startswith("/accounts/login/")
    assert proxied.getheader("Strict-Transport-Security") == "max-age=31536000"


def test_a_trusted_proxy_gives_the_client_address_and_scheme(behind_proxy, serving):
    port = serving(TrustedProxies(echo))
    body = seen(port, {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"})
    # The proxy appended 203.0.113.9 (its client); what the client wrote to the left is not believed.
    assert body == {"scheme": "https", "client": "203.0.113.9", "xff": None, "proto": "https"}


def test_forwarded_headers_from_anyone_else_are_dropped(behind_proxy, serving):
    behind_proxy.TRUSTED_PROXIES = ["10.0.0.1"]
    port = serving(TrustedProxies(echo))
    body = seen(port, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert body == {"scheme": "http", "client": "127.0.0.1", "xff": None, "proto": None}


def test_without_behind_proxy_the_headers_mean_nothing(settings, serving):
    settings.BEHIND_PROXY = False
    port = serving(TrustedProxies(echo))
    body = seen(port, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert body["scheme"] == "http" and body["client"] == "127.0.0.1"


def test_the_client_address_walks_past_every_trusted_hop(behind_proxy):
    behind_proxy.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.1.2.3")
    assert client_address(request) == "203.0.113.9"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not an address")
    assert client_address(request) == "127.0.0.1"
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == "192.0.2.1"
