"""Large exports in the background. A ledger over the export threshold is not built on the
request's thread (it can take a minute): `start_export` writes an ExportJob row and, after commit,
hands it to a Celery worker (REDIS_URL set) or to a background thread of this process (the
embedded default). The build reports its progress on the row; the requester watches it on the
export's page and downloads the file there. Only the requester may see or download it (anyone
else gets a 404), and the file is removed a day after it was written (`purge_expired`, a periodic
job in both modes).

The apps own what is exported: each registers a builder for its kind (in AppConfig.ready), so core
knows none of them."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import close_old_connections, transaction
from django.db.models import Q

from chuangcheng.core import clock
from chuangcheng.core.models import ExportJob

log = logging.getLogger(__name__)
T = TypeVar("T")

# A finished export is kept this long for its owner, then removed.
KEEP_FOR = dt.timedelta(days=1)
REUSE_WITHIN = dt.timedelta(minutes=15)
# The build writes its progress at most this often (seconds), so a large export does not turn
# into thousands of small writes.
PROGRESS_EVERY = 0.5

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Builder:
    """What an app registers for one kind of export: `build(user, params, progress)` returns the
    file's bytes and calls `progress(done, total)` as it goes."""

    kind: str
    build: Callable[[Any, dict[str, Any], Progress], bytes]


_BUILDERS: dict[str, Builder] = {}


def register(kind: str, build: Callable[[Any, dict[str, Any], Progress], bytes]) -> None:
    _BUILDERS[kind] = Builder(kind, build)


def background_rows() -> int:
    """Exports of more rows than this run in the background (setting EXPORT_BACKGROUND_ROWS)."""
    return int(settings.EXPORT_BACKGROUND_ROWS)


def counted(rows: Iterable[T], total: int, progress: Progress) -> Iterator[T]:
    """`rows`, telling `progress` how many have been read (first at 0, then every so often, last at
    the end)."""
    progress(0, total)
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % 100 == 0:
            progress(done, total)
    progress(done, total)


# --- starting ----------------------------------------------------------------------------------


def start_export(user: Any, *, kind: str, params: dict[str, Any], title: str, filename: str) -> ExportJob:
    """The export job of `user` for these rows: the one already waiting or running for the same
    kind and parameters (a second click does not start a second build), or a new one, handed to
    the background after commit."""
    if kind not in _BUILDERS:
        raise ValueError(f"no export builder registered for {kind!r}")
    with transaction.atomic():
        now = clock.now()
        # A build that has not finished in this time is taken for lost (its process died).
        running = (ExportJob.objects.filter(owner=user, kind=kind, params=params, created_at__gt=now - REUSE_WITHIN,
                                            state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING])
                   .order_by("-created_at").first())
        if running is not None:
            return running
        job = ExportJob.objects.create(token=secrets.token_hex(16), owner=user, kind=kind, params=params,
                                       title=title[:200], filename=filename[:200], created_at=now,
                                       expires_at=now + KEEP_FOR)
        transaction.on_commit(partial(schedule, job.pk), robust=True)
    return job


def distributed() -> bool:
    return bool(settings.REDIS_URL)


def schedule(job_id: int) -> None:
    """Runs after commit: hand the job to a Celery worker, or to a thread of this process."""
    if distributed():
        try:
            from chuangcheng.core import tasks

            tasks.publish_export(job_id)
            return
        except Exception:
            log.warning("export %s: broker not reachable, built in this process", job_id, exc_info=True)
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), name=f"export-{job_id}", daemon=True)
    thread.start()


def _run_in_thread(job_id: int) -> None:
    try:
        run_export(job_id)
    except Exception:
        log.exception("export %s failed", job_id)
    finally:
        close_old_connections()


# --- building ----------------------------------------------------------------------------------


def _progress(job_id: int) -> Progress:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done and done < total and now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        ExportJob.objects.filter(pk=job_id).update(done=done, total=total)

    return report


def run_export(job_id: int) -> str | None:
    """Build one export, once: the worker that moves it from waiting to running builds it; a
    second call (a retried task) finds it taken and does nothing. Returns the new state."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    builder = _BUILDERS.get(job.kind)
    try:
        if builder is None:
            raise LookupError(f"no export builder registered for {job.kind!r}")
        body = builder.build(job.owner, job.params, _progress(job_id))
        name = storages["default"].save(f"exports/{job.token}.xlsx", ContentFile(body))
    except Exception as exc:
        log.exception("export %s (%s) failed", job.token, job.kind)
        now = clock.now()
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.FAILED, error=str(exc)[:500],
                                                   finished_at=now, expires_at=now + KEEP_FOR)
        return ExportJob.State.FAILED
    now = clock.now()
    job.refresh_from_db(fields=["total"])
    ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.DONE, file=name, done=job.total,
                                               finished_at=now, expires_at=now + KEEP_FOR)
    return ExportJob.State.DONE


# --- reading -----------------------------------------------------------------------------------


def job_for(user: Any, token: str) -> ExportJob | None:
    """The user's own export with this token, unexpired; None for anyone else's (a 404: another
    person's export is not even said to exist)."""
    if not getattr(user, "is_authenticated", False):
        return None
    job = ExportJob.objects.filter(owner=user, token=token).first()
    if job is None or job.is_expired():
        return None
    return job


def open_file(job: ExportJob) -> Any:
    return storages["default"].open(job.file, "rb")


def recent_for(user: Any, *, limit: int = 10) -> list[ExportJob]:
    return list(ExportJob.objects.filter(owner=user, expires_at__gt=clock.now())[:limit])


def purge_expired(now: dt.datetime | None = None) -> int:
    """Remove the exports kept past their day, files first; safe to run twice. Returns how many."""
    now = now or clock.now()
    expired = list(ExportJob.objects.filter(Q(expires_at__lte=now)))
    storage = storages["default"]
    for job in expired:
        if job.file:
            try:
                storage.delete(job.file)
            except Exception:
                log.warning("export %s: file %s not removed", job.token, job.file, exc_info=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
