"""The case scene of tests/cases (units, a handler, an inspector, a point) for the API tests,
and a media directory of each test's own, so "nothing stored" can be checked on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cases.conftest import scene  # noqa: F401  # the fixture, shared


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT
