"""Prometheus metrics, served at /metrics for the monitoring network.

Two kinds of figures:
- counted by each process as it works: requests by route and status, their latency, job runs
  and failures (database unavailable, photo store errors). Several processes of one server
  (`serve --workers N`, gunicorn) share them through files in PROMETHEUS_MULTIPROC_DIR, which
  `serve` sets up itself; prometheus_client is imported only when a figure is first counted, so
  that the directory is known by then.
- read from the database at each scrape: the outbox by channel and state, the oldest waiting
  message, and the age of each background process's heartbeat. These are the same on every app
  server, so any one of them can be scraped.

Routes are the URL patterns (`cases/<str:number>/`), never the paths, so the number of series
stays small whatever is requested."""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


_made: dict[str, Any] | None = None
_making = threading.Lock()


def _instruments() -> dict[str, Any]:
    """The process's counters, made by the first request (after `serve` forked its workers). Made
    under a lock: two threads answering a new worker's first requests together each registered the
    same counters, and the second one's request failed with a 500 (seen by bench/served.py)."""
    global _made
    if _made is None:
        with _making:
            if _made is None:
                _made = _make_instruments()
    return _made


def _make_instruments() -> dict[str, Any]:
    from prometheus_client import Counter, Histogram

    return {
        "requests": Counter("chuangcheng_http_requests_total", "HTTP requests answered",
                            ["method", "route", "status"]),
        "latency": Histogram("chuangcheng_http_request_duration_seconds", "Time to answer a request",
                             ["route"], buckets=LATENCY_BUCKETS),
        "jobs": Counter("chuangcheng_job_runs_total", "Periodic job runs by outcome", ["job", "outcome"]),
        "job_seconds": Histogram("chuangcheng_job_duration_seconds", "Time a periodic job run took", ["job"],
                                 buckets=(0.1, 0.5, 1, 5, 15, 60, 300)),
        "failures": Counter("chuangcheng_failures_total", "Failures answered cleanly, by kind", ["kind"]),
    }


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route.lstrip("^")
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def observe_request(request: HttpRequest, status: int, seconds: float) -> None:
    route = route_of(request)
    metrics = _instruments()
    metrics["requests"].labels(request.method or "", route, str(status)).inc()
    metrics["latency"].labels(route).observe(seconds)


def observe_job(name: str, outcome: str, seconds: float) -> None:
    metrics = _instruments()
    metrics["jobs"].labels(name, outcome).inc()
    metrics["job_seconds"].labels(name).observe(seconds)


def count_failure(kind: str) -> None:
    """`kind` is a small fixed word ("database", "photo_store", "broker"), not an error text."""
    _instruments()["failures"].labels(kind).inc()


# Figures read from the database at each scrape, registered by the apps that own the tables
# (the outbox by chuangcheng.notify), so core needs to know none of them.
_SCRAPED: list[Callable[[dt.datetime], Iterable[Any]]] = []


def register_scraped(figures: Callable[[dt.datetime], Iterable[Any]]) -> None:
    if figures not in _SCRAPED:
        _SCRAPED.append(figures)


def heartbeat_figures(now: dt.datetime) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    from chuangcheng.core.models import Heartbeat

    ages = GaugeMetricFamily("chuangcheng_heartbeat_age_seconds",
                             "Seconds since each background process was last seen", labels=["process"])
    for name, at in Heartbeat.objects.values_list("name", "at"):
        ages.add_metric([name], max(0.0, (now - at).total_seconds()))
    yield ages


class DatabaseFigures:
    """A collector that reads the registered figures at scrape time; with the database down it
    says so in `chuangcheng_database_up` and gives none of them."""

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("chuangcheng_database_up", "1 when the database answered this scrape")
        now = timezone.now()
        try:
            read = [metric for figures in [heartbeat_figures, *_SCRAPED] for metric in figures(now)]
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from read


def process_figures() -> bytes:
    """What the processes counted: all of this server's processes through the shared directory,
    or this process's own without one."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    _instruments()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return bytes(generate_latest(registry))
    return bytes(generate_latest(REGISTRY))


def exposition() -> tuple[bytes, str]:
    """The processes' figures and the database's."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    database = CollectorRegistry()
    database.register(DatabaseFigures())
    return process_figures() + generate_latest(database), CONTENT_TYPE_LATEST


def may_scrape(request: HttpRequest, address_of: Callable[[HttpRequest], str | None]) -> bool:
    """From METRICS_ALLOWED_NETWORKS (loopback by default; the real client behind a trusted proxy),
    or with `Authorization: Bearer <METRICS_TOKEN>` when a token is set."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(address_of(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


def metrics_response(request: HttpRequest, address_of: Callable[[HttpRequest], str | None]) -> HttpResponse:
    if not may_scrape(request, address_of):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = exposition()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
