"""Benchmark: building the demo subdistrict (`chuangcheng.demo.generator.build_demo`), the eight
weeks of history every test run and every `chuangcheng demo` writes through the real services.

1. One build on a fresh SQLite database in a temporary CHUANGCHENG_HOME: the wall time of each
   stage (from the build's `progress` callback: a stage runs from its first report to the next
   stage's) and the total, with the SQL statements of each stage.
2. Then, on the demo just built, the cost of one inspection submission (`submit_inspection`) at a
   point of today's plan: SQL statements and wall time, for an all-pass visit and for one with a
   failed item (a photo accepted, a case opened, accepted and dispatched).

One seed and one reference date (`--today`, a fixed Monday by default) always give the same demo,
so two runs on two commits compare like with like. A build takes one to a few minutes.

    python bench/demo_build.py [--seed 1] [--today 2026-11-30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-demo-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class Stages:
    """The build's progress reports as (stage, seconds, SQL statements), in order."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.rows: list[tuple[str, float, int]] = []
        self.label: str | None = None
        self.started = 0.0
        self.queries = 0

    def count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def report(self, label: str, done: int, total: int) -> None:
        if label != self.label:
            self.close()
            self.label, self.started, self.queries = label, time.perf_counter(), 0

    def close(self) -> None:
        if self.label is not None:
            self.rows.append((self.label, time.perf_counter() - self.started, self.queries))
            self.label = None


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def one_submission(*, failing: bool, today: dt.date, n: int) -> tuple[int, float, int]:
    """Submit one inspection at a point of today's plan, as its planned inspector at 10:00: every
    item passes, or the first presence item fails with a photo. Returns (SQL statements, seconds,
    items)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangcheng.core import clock
    from chuangcheng.demo.scenes import scene_jpeg
    from chuangcheng.inspections.models import Assignment
    from chuangcheng.inspections.queries.records import checklist_of
    from chuangcheng.inspections.services.submit import ItemInput, submit_inspection
    from chuangcheng.standards.models import CheckItem

    visits = (Assignment.objects.filter(plan__day=today).select_related("point__point_type", "point__grid", "person")
              .order_by("person__username", "position"))
    visit = list(visits)[n]
    point = visit.point
    answers = []
    failed = False
    for item in checklist_of(point):
        if failing and not failed and item.measure == CheckItem.Measure.PRESENCE:
            photo = SimpleUploadedFile("bench.jpg", scene_jpeg("HJ01", tidy=False, key=f"bench {n}"),
                                       content_type="image/jpeg")
            answers.append(ItemInput(item.code, "fail", photos=[photo]))
            failed = True
        elif item.measure in {CheckItem.Measure.COUNT, CheckItem.Measure.RATE}:
            answers.append(ItemInput(item.code, "pass", count=int(item.threshold or 0) + 1))
        elif item.measure == CheckItem.Measure.OCCURRENCES:
            answers.append(ItemInput(item.code, "pass", count=0))
        else:
            answers.append(ItemInput(item.code, "pass"))
    moment = clock.start_of(today) + dt.timedelta(hours=10, minutes=n)
    with clock.pinned(moment), CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        _inspection, created = submit_inspection(by=visit.person, point=point, key=f"bench-{today:%Y%m%d}-{n:04d}",
                                                 items=answers, lon=str(point.lon), lat=str(point.lat),
                                                 started_at=moment - dt.timedelta(minutes=5))
        seconds = time.perf_counter() - start
    assert created  # noqa: S101 - a bench, not a service
    return len(queries), seconds, len(answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    args = parser.parse_args()
    setup_django()
    # The demo's robots and SMS go to the console log (invalid webhook URLs, the SMS stand-in).
    logging.disable(logging.WARNING)
    from django.db import connection

    from chuangcheng.demo.generator import build_demo
    from chuangcheng.inspections.models import Inspection, ItemResult

    stages = Stages()
    with connection.execute_wrapper(stages.count):
        start = time.perf_counter()
        build_demo(seed=args.seed, today=args.today, progress=stages.report)
        total = time.perf_counter() - start
        stages.close()
    inspections, results = Inspection.objects.count(), ItemResult.objects.count()
    print(f"demo build, seed {args.seed}, reference date {args.today}: {inspections:,} inspections, "
          f"{results:,} item results")
    print(f"  {pad('stage', 20)} {'seconds':>8} {'share':>6} {'SQL statements':>15}")
    for label, seconds, queries in stages.rows:
        print(f"  {pad(label, 20)} {seconds:8.1f} {seconds / total:6.0%} {queries:15,}")
    print(f"  {pad('total', 20)} {total:8.1f} {1:6.0%} {sum(q for _l, _s, q in stages.rows):15,}")

    print("one submission at a point of today's plan (after the build)")
    for n, failing in enumerate([False, False, True]):
        queries, seconds, items = one_submission(failing=failing, today=args.today, n=n)
        kind = "one failure (photo, new case)" if failing else "all items pass"
        print(f"  {kind:<32} {items:3d} items  {queries:4d} SQL statements  {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
