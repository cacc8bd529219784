"""The periodic jobs: each run claimed through the database, so several schedulers (one per serve
process) never run a job twice at once, and recorded, so /readyz shows when each last ran."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chuangcheng.core import jobs
from chuangcheng.core.models import JobRun


def test_the_embedded_scheduler_runs_the_registered_jobs_and_survives_a_failing_one(db):
    calls: list[str] = []

    def failing() -> None:
        raise RuntimeError("boom")

    jobs.register("test.failing", failing)
    jobs.register("test.ok", lambda: calls.append("ok"))
    try:
        results = jobs.run_periodic_jobs()
    finally:
        jobs._JOBS.pop("test.failing")
        jobs._JOBS.pop("test.ok")
    assert calls == ["ok"]
    assert "notify.deliver_pending" in results


def test_every_scheduled_task_runs_both_under_celery_beat_and_under_serve():
    from django.conf import settings

    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat == set(jobs._JOBS)


# --- each run claimed through the database --------------------------------------------------------

@pytest.fixture
def counted() -> Iterator[list[str]]:
    """Only two jobs of the test's own, one that works and one that fails, each noting its calls."""
    calls: list[str] = []

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("boom")

    saved = dict(jobs._JOBS)
    jobs._JOBS.clear()
    jobs.register("test.ok", lambda: calls.append("ok"))
    jobs.register("test.failing", failing)
    try:
        yield calls
    finally:
        jobs._JOBS.clear()
        jobs._JOBS.update(saved)


def test_a_job_another_process_is_running_is_not_started_a_second_time(db: None, counted: list[str]) -> None:
    JobRun.objects.create(name="test.ok", claimed_by="other-host:4242",
                          claimed_until=timezone.now() + dt.timedelta(minutes=5))
    results = jobs.run_periodic_jobs()
    assert counted == ["failing"]
    assert "test.ok" not in results
    assert JobRun.objects.get(name="test.ok").claimed_by == "other-host:4242"  # left to its holder


def test_the_claim_of_a_holder_that_died_ends_and_the_job_runs_again(db: None, counted: list[str]) -> None:
    JobRun.objects.create(name="test.ok", claimed_by="crashed-host:4242",
                          claimed_until=timezone.now() - dt.timedelta(seconds=1))
    jobs.run_periodic_jobs()
    assert counted.count("ok") == 1
    run = JobRun.objects.get(name="test.ok")
    assert run.claimed_by == "" and run.claimed_until is None


def test_each_run_is_recorded_with_its_outcome_and_shown_by_readyz(db: None, counted: list[str],
                                                                  settings: Any) -> None:
    settings.REDIS_URL = settings.CELERY_BROKER_URL = ""
    before = timezone.now()
    jobs.run_periodic_jobs()
    ok, failing = JobRun.objects.get(name="test.ok"), JobRun.objects.get(name="test.failing")
    assert ok.last_outcome == JobRun.Outcome.OK and failing.last_outcome == JobRun.Outcome.FAILED
    assert before <= ok.last_started <= ok.last_finished
    body = Client().get("/readyz").json()
    shown = body["checks"]["jobs"]
    assert shown["runs"]["test.ok"]["outcome"] == "ok" and shown["runs"]["test.ok"]["running"] is False
    assert shown["runs"]["test.ok"]["last_finished"] == timezone.localtime(ok.last_finished).isoformat()
    assert shown["failed"] == ["test.failing"] and "jobs" in body["warnings"]
    assert body["ok"] is True  # shown for monitoring, not a reason to take the server out


def test_schedulers_ticking_every_minute_run_each_job_once_a_minute_between_them(
        db: None, counted: list[str], time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    jobs.run_periodic_jobs(every=60)  # one serve process's scheduler
    time_machine.shift(dt.timedelta(seconds=20))
    jobs.run_periodic_jobs(every=60)  # another's, 20 s later: the jobs ran a moment ago
    assert counted == ["failing", "ok"]
    time_machine.shift(dt.timedelta(seconds=40))
    jobs.run_periodic_jobs(every=60)  # the first one again, a minute on
    assert counted == ["failing", "ok", "failing", "ok"]


def test_a_job_called_by_hand_runs_each_time(db: None, counted: list[str]) -> None:
    jobs.run_periodic_jobs()
    jobs.run_periodic_jobs()
    assert counted.count("ok") == 2


def test_a_celery_task_skips_a_run_another_worker_is_doing_and_records_its_own(db: None) -> None:
    calls: list[str] = []
    JobRun.objects.create(name="test.task", claimed_by="worker-2:77",
                          claimed_until=timezone.now() + dt.timedelta(minutes=5))
    assert jobs.run_claimed("test.task", lambda: calls.append("ran")) is None
    assert calls == []

    JobRun.objects.filter(name="test.task").update(claimed_by="", claimed_until=None)
    assert jobs.run_claimed("test.task", lambda: 7) == 7
    assert JobRun.objects.get(name="test.task").last_outcome == JobRun.Outcome.OK

    def broken() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):  # raised, so Celery's own retry and logging see it
        jobs.run_claimed("test.task", broken)
    run = JobRun.objects.get(name="test.task")
    assert run.last_outcome == JobRun.Outcome.FAILED and run.claimed_by == ""


def test_the_embedded_scheduler_runs_a_task_that_claims_its_own_run_once(db: None, counted: list[str]) -> None:
    jobs.register("test.task", lambda: jobs.run_claimed("test.task", lambda: counted.append("task")))
    jobs.run_periodic_jobs()
    assert counted.count("task") == 1
    assert JobRun.objects.get(name="test.task").last_outcome == JobRun.Outcome.OK
