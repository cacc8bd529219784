from __future__ import annotations

from chuangcheng.core import jobs


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
