"""Prometheus metrics at /metrics: who may scrape them, what the processes count (by route, never
by path), what is read from the database, and the figures of several processes added up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chuangcheng.core.models import Heartbeat
from chuangcheng.notify.models import Channel, Message, Status
from tests.core.test_faults import database_down


def scrape(client: Client | None = None, **extra: Any) -> Any:
    return (client or Client(raise_request_exception=False)).get("/metrics", **extra)


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text, or None."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        series, _, label_text = head.partition("{")
        parts = sorted(p for p in label_text.rstrip("}").split(",") if p)
        if series == name and ",".join(parts) == wanted:
            return float(value)
    return None


@pytest.mark.django_db
def test_requests_are_counted_by_route_not_by_path() -> None:
    client = Client()
    before = sample(scrape(client).content.decode(), "chuangcheng_http_requests_total",
                    method="GET", route="/cases/<str:number>/", status="302") or 0
    client.get("/cases/GM-20261203-0001/")
    client.get("/cases/GM-20261203-0002/")
    text = scrape(client).content.decode()
    assert sample(text, "chuangcheng_http_requests_total",
                  method="GET", route="/cases/<str:number>/", status="302") == before + 2
    assert "GM-20261203" not in text
    assert sample(text, "chuangcheng_http_request_duration_seconds_count", route="/cases/<str:number>/") is not None


@pytest.mark.django_db
def test_the_outbox_and_the_heartbeats_are_read_at_each_scrape() -> None:
    now = timezone.now()
    for n, status in enumerate([Status.PENDING, Status.PENDING, Status.FAILED]):
        Message.objects.create(key=f"k{n}", channel=Channel.WECOM, target="x", title="t", status=status,
                               next_attempt_at=now)
    Heartbeat.objects.create(name="scheduler", at=now)
    text = scrape().content.decode()
    assert sample(text, "chuangcheng_database_up") == 1
    assert sample(text, "chuangcheng_outbox_messages", channel="wecom", state="pending") == 2
    assert sample(text, "chuangcheng_outbox_messages", channel="wecom", state="failed") == 1
    age = sample(text, "chuangcheng_heartbeat_age_seconds", process="scheduler")
    assert age is not None and 0 <= age < 60


@pytest.mark.django_db
def test_with_the_database_down_the_scrape_still_answers_and_says_so() -> None:
    with database_down():
        response = scrape()
    assert response.status_code == 200
    text = response.content.decode()
    assert sample(text, "chuangcheng_database_up") == 0
    assert sample(text, "chuangcheng_outbox_messages", channel="wecom", state="pending") is None


@pytest.mark.django_db
def test_a_page_that_meets_a_database_outage_counts_one_failure() -> None:
    before = sample(scrape().content.decode(), "chuangcheng_failures_total", kind="database") or 0
    with database_down():
        assert Client(raise_request_exception=False).get("/readyz").status_code == 503
    after = sample(scrape().content.decode(), "chuangcheng_failures_total", kind="database")
    assert after == before + 1


@pytest.mark.django_db
def test_only_the_monitoring_network_or_the_token_may_scrape(settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-token"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    assert scrape(outsider).status_code == 403
    assert scrape(outsider, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(outsider, HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert scrape(Client(REMOTE_ADDR="10.1.2.3")).status_code == 200


@pytest.mark.django_db
def test_a_forged_forwarded_for_from_outside_does_not_open_the_metrics(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert scrape(forged).status_code == 403
    # Through our own proxy, the client it names counts: an outsider stays outside.
    through_proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert scrape(through_proxy).status_code == 403


def test_the_figures_of_several_processes_are_added_up(tmp_path: Path) -> None:
    """Two processes count job runs into the shared directory; a third one reads the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    count = ("import django; django.setup(); from chuangcheng.core import metrics; "
             "metrics.observe_job('reports.build_rollups', 'ok', 0.2)")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, cwd=Path(__file__).parents[2])  # noqa: S603
    read = ("import django; django.setup(); from chuangcheng.core import metrics; "
            "import sys; sys.stdout.write(metrics.process_figures().decode())")
    text = subprocess.run([sys.executable, "-c", read], env=env, check=True, capture_output=True, text=True,  # noqa: S603
                          cwd=Path(__file__).parents[2]).stdout
    assert sample(text, "chuangcheng_job_runs_total", job="reports.build_rollups", outcome="ok") == 2


FIRST_REQUESTS_AT_ONCE = """
import os, threading
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
import django
django.setup()
from chuangcheng.core import metrics
start, failed = threading.Barrier(16), []
def first_request():
    start.wait()
    try:
        metrics.observe_job("test.job", "ok", 0.01)
    except Exception as error:
        failed.append(repr(error))
threads = [threading.Thread(target=first_request) for _ in range(16)]
[t.start() for t in threads]
[t.join() for t in threads]
print(len(failed), failed[:1])
"""


def test_a_new_workers_first_requests_arriving_together_all_count(tmp_path: Path) -> None:
    """A worker forked by `serve` makes its counters on its first request; 16 threads answering the
    first requests at once each registered them, and all but one failed with a 500."""
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", FIRST_REQUESTS_AT_ONCE], capture_output=True, text=True,  # noqa: S603
                              timeout=120, env={**os.environ, "CHUANGCHENG_HOME": str(tmp_path)}, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().startswith("0 "), done.stdout
