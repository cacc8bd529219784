"""Decoding a photo holds no lock: while one request's photo is being decoded (blocked here on an
Event), another thread's write transaction on SQLite (`transaction_mode: IMMEDIATE`, which takes
the write lock when it opens) completes at once (issue 20: nine 64 MP PNGs held the lock for 39 s)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from chuangcheng.core import clock
from chuangcheng.evidence import pipeline
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.public.models import Attempt
from tests.evidence.conftest import jpeg


@pytest.mark.django_db(transaction=True)
def test_another_write_completes_while_a_photo_is_decoded(monkeypatch: Any) -> None:
    decoding, release = threading.Event(), threading.Event()
    real = pipeline.make_derivatives
    errors: list[BaseException] = []

    def slow_decode(*args: Any, **kwargs: Any) -> pipeline.Derivatives:
        decoding.set()
        assert release.wait(10)  # noqa: S101
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "make_derivatives", slow_decode)

    def upload() -> None:
        try:
            with accepted_uploads([SimpleUploadedFile("big.jpg", jpeg())], by=None, place="甲小区"):
                pass
        except BaseException as exc:  # noqa: BLE001  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=upload)
    worker.start()
    try:
        assert decoding.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            Attempt.objects.create(kind="report", key="d:other", at=clock.now())
        elapsed = time.monotonic() - started
    finally:
        release.set()
        worker.join(20)
    assert elapsed < 1.0
    assert not errors, errors
    assert Photo.objects.count() == 1 and Attempt.objects.count() == 1
