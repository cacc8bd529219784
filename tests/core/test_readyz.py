"""/readyz tells a load balancer whether this app server can take traffic: 200 when the database
(and the broker, when one is configured) answers, 503 naming what failed; the outbox backlog and
the background processes' heartbeats are shown for monitoring without failing it."""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chuangcheng.core import health, heartbeats
from chuangcheng.core.jobs import run_periodic_jobs
from chuangcheng.core.models import Heartbeat
from chuangcheng.notify.models import Channel, Message, Status
from tests.core.test_faults import database_down

REDIS_TEST_URL = os.environ.get("CHUANGCHENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def embedded(settings: Any) -> None:
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = ""
    health.forget_heartbeat_writes()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def readyz() -> Any:
    return Client(raise_request_exception=False).get("/readyz")


def test_it_is_ready_when_the_database_answers(db: None) -> None:
    response = readyz()
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["failed"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "required": False, "configured": False}
    assert response["Cache-Control"] == "no-store"


def test_it_is_not_ready_and_names_the_database_when_the_database_refuses(db: None) -> None:
    with database_down():
        response = readyz()
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["failed"] == ["database"]
    assert "Connection refused" in body["checks"]["database"]["error"]
    assert "outbox" not in body["checks"]  # nothing that needs the database is tried


def test_it_is_not_ready_and_names_the_broker_when_redis_does_not_answer(db: None, settings: Any) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/11"
    response = readyz()
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False


def test_it_is_ready_with_a_broker_that_answers(db: None, settings: Any) -> None:
    if not redis_answers():
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    settings.REDIS_URL = settings.CELERY_BROKER_URL = REDIS_TEST_URL
    response = readyz()
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is True


def test_the_scheduler_heartbeat_is_missing_until_the_jobs_run_and_stale_after(db: None, time_machine: Any) -> None:
    before = readyz().json()
    assert before["checks"]["scheduler"] == {"ok": False, "required": False, "last_seen": None, "age_seconds": None}
    assert "scheduler" in before["warnings"]

    run_periodic_jobs()
    fresh = readyz().json()
    assert fresh["checks"]["scheduler"]["ok"] is True
    assert fresh["checks"]["scheduler"]["age_seconds"] < 5
    assert "scheduler" not in fresh["warnings"]

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=10), tick=True)
    stale = readyz()
    assert stale.status_code == 200  # shown, not a reason to take the app server out
    assert stale.json()["checks"]["scheduler"]["ok"] is False
    assert stale.json()["checks"]["scheduler"]["age_seconds"] >= 600


def test_with_celery_the_worker_and_beat_heartbeats_come_from_finished_tasks(db: None, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/11"
    class Task:  # what Celery's task_postrun signal hands over
        def __init__(self, name: str) -> None:
            self.name = name

    heartbeats.on_task_finished(task=Task("notify.deliver_message"))
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"worker"}  # sent by a page, not beat
    health.forget_heartbeat_writes()
    heartbeats.on_task_finished(task=Task("notify.deliver_pending"))  # one of beat's scheduled jobs
    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"worker", "beat"}
    report = health.check_heartbeats()
    assert set(report) == {"worker", "beat"}
    assert all(check["ok"] for check in report.values())


def test_the_outbox_backlog_is_counted_and_an_old_one_is_a_warning(db: None) -> None:
    now = timezone.now()
    for n, (status, due) in enumerate([(Status.PENDING, now - dt.timedelta(minutes=20)),
                                       (Status.PENDING, now + dt.timedelta(minutes=5)),
                                       (Status.FAILED, now - dt.timedelta(hours=1)),
                                       (Status.SENT, now - dt.timedelta(hours=1))]):
        Message.objects.create(key=f"k{n}", channel=Channel.INBOX, target="1", title="t", status=status,
                               next_attempt_at=due)
    response = readyz()
    assert response.status_code == 200
    outbox = response.json()["checks"]["outbox"]
    assert outbox["pending"] == 2 and outbox["failed"] == 1
    assert outbox["oldest_due_seconds"] >= 20 * 60
    assert outbox["ok"] is False and "outbox" in response.json()["warnings"]


def test_a_failing_readyz_is_not_logged_as_a_request_error_each_time(db: None, caplog: Any) -> None:
    from chuangcheng.core import faults

    faults.throttle.reset()
    with database_down():
        for _ in range(10):
            assert readyz().status_code == 503
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert len([r for r in caplog.records if r.name == "chuangcheng.faults"]) == 1
    faults.throttle.reset()
