"""A full or read-only photo store: the upload is refused with a clear message, the form keeps what
was typed, and no file is left behind, not even a half-written one (core.files writes each file
under a temporary name and links it to its own name only once it is complete)."""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from chuangcheng.cases.models import Case
from chuangcheng.core.files import AtomicFileSystemStorage
from chuangcheng.evidence.models import Photo
from tests.cases.conftest import jpeg, scene  # noqa: F401 - the cases' scene fixture


def every_file(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class FillsTheDisk(ContentFile):
    """Content whose second chunk finds the disk full, as a write() would."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"x" * 4096
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_file_is_stored_whole_under_its_name_and_a_second_with_the_same_name_gets_another(tmp_path: Path) -> None:
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("evidence/a.jpg", ContentFile(b"one"))
    second = storage.save("evidence/a.jpg", ContentFile(b"two"))
    assert first == "evidence/a.jpg" and second != first
    assert (tmp_path / first).read_bytes() == b"one" and (tmp_path / second).read_bytes() == b"two"
    assert [p.name for p in every_file(tmp_path) if p.name.startswith(".")] == []
    assert oct((tmp_path / first).stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_disk_that_fills_up_mid_write_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space left"):
        storage.save("evidence/big.jpg", FillsTheDisk(b""))
    assert every_file(tmp_path) == []


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file the photo store writes fails once its bytes are handed to the disk."""

    def refuse(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", refuse)


def upload(name: str = "red.jpg") -> io.BytesIO:
    f = io.BytesIO(jpeg("red"))
    f.name = name
    return f


def test_a_report_on_a_full_photo_store_is_refused_clearly_and_keeps_what_was_typed(
    scene: Any, as_user: Any, media: Path, full_disk: None, caplog: Any  # noqa: F811
) -> None:
    assert isinstance(storages["default"], AtomicFileSystemStorage)  # what the settings chose
    worker = as_user(scene.cast.grid_worker_a)
    response = worker.post(reverse("cases:new"), {
        "category": scene.category.pk, "severity": "normal", "source": "inspection", "point": scene.point.code,
        "description": "路口护栏被撞坏了，需要尽快修复", "photos": [upload()],
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "照片存储空间已满或无法写入" in page
    assert "路口护栏被撞坏了，需要尽快修复" in page  # the form is kept
    assert not Case.objects.exists() and not Photo.objects.exists()
    assert every_file(media) == []  # neither photos nor half-written temporary files
    assert [r.name for r in caplog.records if "photo store" in r.getMessage()] == ["chuangcheng.faults"]
