"""A large inspection ledger is built in the background (core.exports): the request answers at once
with the export's page, the page shows the rows done out of the total, the file is downloaded by
the person who asked for it and nobody else, and it is gone a day later. Built by a thread of the
process in the embedded default, and by a Celery worker over a real Redis broker with REDIS_URL."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from chuangcheng.core import exports
from chuangcheng.core import tasks as core_tasks
from chuangcheng.core.models import AuditEvent, ExportJob
from tests.conftest import stored_files
from tests.notify.conftest import _read_uncommitted, broker, wait_for, worker  # noqa: F401 -- fixtures
from tests.reports.test_dashboard import NOON, Street, build_street

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = {"since": "2026-06-01", "until": "2026-06-10"}


@pytest.fixture
def street(cast: Any, media: Any, settings: Any) -> Any:
    settings.EXPORT_BACKGROUND_ROWS = 3  # the street has five inspections in the period: a "large" ledger
    settings.REDIS_URL = ""
    with time_machine.travel(NOON, tick=False):
        yield build_street(cast)


def ledger_rows(body: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [row[4].value for row in sheet.iter_rows(min_row=3)]


def start(client: Any, django_capture_on_commit_callbacks: Any, **params: str) -> tuple[Any, list[Any]]:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("inspections:export"), {**PERIOD, **params})
    return response, callbacks


@pytest.mark.django_db
def test_a_small_ledger_still_answers_at_once(street: Street, as_user: Any, settings: Any) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 5
    response = as_user(street.cast.street_admin).get(reverse("inspections:export"), PERIOD)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_large_ledger_answers_with_its_page_and_is_built_after_commit(
        street: Street, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(street.cast.street_admin)
    response, callbacks = start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:page", args=[job.token])
    assert (job.owner, job.kind, job.state, job.params) == (
        street.cast.street_admin, "inspections.ledger", "queued", {"query": "since=2026-06-01&until=2026-06-10"})
    assert len(callbacks) == 1  # handed to the background once the request's transaction commits

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="export-progress"' in html and 'role="status"' in html and "等待中" in html
    assert 'id="export-ready" hidden' in html

    # A second click while it is being built does not start a second build.
    again, more = start(client, django_capture_on_commit_callbacks)
    assert again["Location"] == response["Location"] and more == [] and ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_the_progress_tells_rows_done_of_the_total_then_the_download(
        street: Street, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(street.cast.street_admin)
    start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    status_url = reverse("exports:status", args=[job.token])

    ExportJob.objects.filter(pk=job.pk).update(state="running", done=2, total=5)
    assert client.get(status_url).json() == {"state": "running", "label": "进行中", "done": 2, "total": 5,
                                             "percent": 40, "error": False, "download": ""}
    # The download before the file is ready leads back to the page.
    assert client.get(reverse("exports:download", args=[job.token]))["Location"] == \
        reverse("exports:page", args=[job.token])

    ExportJob.objects.filter(pk=job.pk).update(state="queued", done=0, total=0)
    seen: list[tuple[int, int]] = []
    build = exports._BUILDERS["inspections.ledger"].build
    assert build(job.owner, job.params, lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)

    assert exports.run_export(job.pk) == "done"
    assert exports.run_export(job.pk) is None  # a retried task finds it built and does nothing
    status = client.get(status_url).json()
    assert (status["state"], status["done"], status["total"], status["percent"]) == ("done", 5, 5, 100)
    assert status["download"] == reverse("exports:download", args=[job.token])
    download = client.get(status["download"])
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert "inspection-ledger-20260601-20260610.xlsx" in download["Content-Disposition"]
    assert ledger_rows(b"".join(download.streaming_content)) == ["PA1", "PB1", "PA2", "PA1", "PB1"]
    # Each build is in the change log: the one called above by hand, and the job's.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=street.cast.street_admin).count() == 2
    page = client.get(reverse("exports:page", args=[job.token])).content.decode()
    assert f'href="{status["download"]}"' in page and 'id="export-ready" hidden' not in page


@pytest.mark.django_db
def test_only_the_person_who_asked_can_see_or_download_the_export(
        street: Street, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    start(as_user(street.cast.street_admin), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    exports.run_export(job.pk)
    urls = [reverse(name, args=[job.token]) for name in ("exports:page", "exports:status", "exports:download")]
    for other in (street.cast.leader, street.cast.admin_a):
        client = as_user(other)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    from django.test import Client

    assert Client().get(urls[2]).status_code == 302  # signed out: to the sign-in page, no file


@pytest.mark.django_db
def test_an_export_expires_after_a_day_and_its_file_is_removed(
        street: Street, as_user: Any, media: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(street.cast.street_admin)
    start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    exports.run_export(job.pk)
    download = reverse("exports:download", args=[job.token])
    assert [p.name for p in stored_files(media / "exports")] == [f"{job.token}.xlsx"]
    with time_machine.travel(NOON + dt.timedelta(hours=23), tick=False):
        client = as_user(street.cast.street_admin)  # a fresh sign-in: the session has its own age
        assert client.get(download).status_code == 200
        assert exports.purge_expired() == 0
    with time_machine.travel(NOON + dt.timedelta(days=1, minutes=1), tick=False):
        client = as_user(street.cast.street_admin)
        assert client.get(download).status_code == 404
        assert exports.purge_expired() == 1
    assert stored_files(media / "exports") == [] and ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_build_that_fails_says_so_on_its_page(
        street: Street, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(street.cast.street_admin)
    start(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()

    def broken(user: Any, params: dict[str, Any], progress: Any) -> bytes:
        raise RuntimeError("disk full")

    exports.register("test.broken", broken)
    ExportJob.objects.filter(pk=job.pk).update(kind="test.broken")
    assert exports.run_export(job.pk) == "failed"
    status = client.get(reverse("exports:status", args=[job.token])).json()
    assert status["error"] is True and status["download"] == "" and status["label"] == "失败"


@pytest.mark.django_db
def test_a_ledger_over_the_row_limit_is_refused_before_any_build(street: Street, as_user: Any,
                                                                 settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 4
    client = as_user(street.cast.street_admin)
    response = client.get(reverse("inspections:export"), PERIOD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("inspections:history"))
    assert ExportJob.objects.count() == 0


@pytest.fixture
def lock_free_reads() -> Any:
    """The background thread writes while the test polls: on the in-memory SQLite test database
    (shared cache, table locks) the polling reads are made lock-free, as for the Celery worker."""
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_uncommitted)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")
    yield
    connection_created.disconnect(_read_uncommitted)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 0")


@pytest.fixture
def shipped_categories(transactional_db: Any) -> None:
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def _state(token: str) -> str:
    return ExportJob.objects.get(token=token).state


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_a_thread_of_the_process_builds_it(
        shipped_categories: None, cast: Any, media: Any, settings: Any, as_user: Any, lock_free_reads: Any) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 3
    settings.REDIS_URL = ""
    with time_machine.travel(NOON, tick=True):
        street = build_street(cast)
        client = as_user(street.cast.street_admin)
        response = client.get(reverse("inspections:export"), PERIOD)
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        wait_for(lambda: _state(token) == "done", timeout=60, what="the background thread to build the ledger")
        download = client.get(reverse("exports:download", args=[token]))
        assert ledger_rows(b"".join(download.streaming_content)) == ["PA1", "PB1", "PA2", "PA1", "PB1"]


@pytest.mark.django_db(transaction=True)
def test_with_redis_a_celery_worker_builds_it(shipped_categories: None, cast: Any, media: Any, settings: Any,
                                              as_user: Any, monkeypatch: Any, lock_free_reads: Any,
                                              request: Any) -> None:
    assert core_tasks.RUN_EXPORT  # imported above, before the worker starts: the task it runs
    threads: list[int] = []  # the fallback when the broker cannot be reached: must not be taken here
    monkeypatch.setattr(exports, "_run_in_thread", threads.append)
    settings.EXPORT_BACKGROUND_ROWS = 3
    with time_machine.travel(NOON, tick=True):
        street = build_street(cast)
        # The worker starts once the street is written: on the in-memory SQLite test database its
        # thread's connection would otherwise lock tables under the writes above.
        request.getfixturevalue("worker")
        assert settings.REDIS_URL
        client = as_user(street.cast.street_admin)
        response = client.get(reverse("inspections:export"), PERIOD)
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        wait_for(lambda: _state(token) == "done", timeout=60, what="the Celery worker to build the ledger")
        download = client.get(reverse("exports:download", args=[token]))
        assert ledger_rows(b"".join(download.streaming_content)) == ["PA1", "PB1", "PA2", "PA1", "PB1"]
    assert threads == []
