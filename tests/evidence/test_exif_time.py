"""A camera with an unset or wrong clock writes times that are not when the photo was taken: those
before 2000 or after now (with a small tolerance) are ignored, the rest kept."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from chuangcheng.evidence import pipeline
from tests.evidence.conftest import camera_exif

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("taken", ["2027:01:01 00:00:00", "2099:12:31 23:59:59", "1999:12:31 23:59:59",
                                   "1970:01:01 00:00:00", "2026:12:03 11:30:00"])
def test_an_unbelievable_exif_time_is_ignored(taken: str) -> None:
    with time_machine.travel(NOW, tick=False):
        assert pipeline.time_from_exif(camera_exif(taken=taken)) is None


@pytest.mark.parametrize(("taken", "expected"), [
    ("2026:12:03 09:59:00", dt.datetime(2026, 12, 3, 9, 59, tzinfo=SHANGHAI)),
    ("2026:12:03 10:30:00", dt.datetime(2026, 12, 3, 10, 30, tzinfo=SHANGHAI)),  # a camera a little fast
    ("2000:01:01 12:00:00", dt.datetime(2000, 1, 1, 12, 0, tzinfo=SHANGHAI)),
])
def test_a_believable_exif_time_is_kept(taken: str, expected: dt.datetime) -> None:
    with time_machine.travel(NOW, tick=False):
        assert pipeline.time_from_exif(camera_exif(taken=taken)) == expected
