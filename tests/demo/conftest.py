"""The demo subdistrict, built once for the whole package (a build takes several seconds) and
read by each test inside its own rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Max

from chuangcheng.core.models import AuditEvent
from chuangcheng.demo.generator import DemoResult, build_demo
from tests.demo.support import PASSWORD, wipe


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock():
        last_event = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
        seen: list[tuple[str, int, int]] = []
        result = build_demo(seed=1, password=PASSWORD, progress=lambda *step: seen.append(step))
        result.stages = seen  # type: ignore[attr-defined]
        try:
            yield result
        finally:
            wipe(events_after=last_event)
