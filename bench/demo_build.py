"""Benchmark: building the demo subdistrict (`chuangcheng.demo.generator.build_demo`), the eight
weeks of history every test run and every `chuangcheng demo` writes through the real services.

1. One build on a fresh SQLite database in a temporary CHUANGCHENG_HOME: for each stage (from the
   build's `progress` callback: a stage runs from its first report to the next stage's) the wall
   time, the CPU time of this process (steadier than the wall on a shared machine) and the SQL
   statements; then the total.
2. On the demo just built, one inspection submission (`submit_inspection`) at points of today's
   plan, each undone after it is measured: its SQL statements (an all-pass visit; one with a failed
   item, which accepts a photo and opens, accepts and dispatches a case), and the ratio, measured
   in this run, of an all-pass submission to writing the same rows bare (the inspection row and
   its item results in one insert, no checks): what the service costs above its own writes.

One seed and one reference date (`--today`, a fixed Monday by default) always give the same demo,
so runs on two commits compare like with like. A build takes one to three minutes.

    python bench/demo_build.py [--seed 1] [--today 2026-11-30] [--repeat 25]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
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
    """The build's progress reports as (stage, wall seconds, CPU seconds, SQL statements), in order."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, int]] = []
        self.label: str | None = None
        self.started = self.cpu = 0.0
        self.queries = 0

    def count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def report(self, label: str, done: int, total: int) -> None:
        if label != self.label:
            self.close()
            self.label, self.started, self.cpu, self.queries = label, time.perf_counter(), time.process_time(), 0

    def close(self) -> None:
        if self.label is not None:
            self.rows.append((self.label, time.perf_counter() - self.started, time.process_time() - self.cpu,
                              self.queries))
            self.label = None


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


class Visits:
    """Today's planned visits of the demo, each with its inspector and checklist."""

    def __init__(self, today: dt.date) -> None:
        from chuangcheng.inspections.models import Assignment
        from chuangcheng.inspections.queries.records import checklist_of

        self.today = today
        self.visits = list(Assignment.objects.filter(plan__day=today)
                           .select_related("point__point_type", "point__grid", "person__scope")
                           .order_by("person__username", "position"))
        self.checklists = {v.point.point_type_id: checklist_of(v.point) for v in self.visits}

    def answers(self, n: int, *, failing: bool) -> list[Any]:
        """Every item passing (counts at their threshold), or the first presence item failed with a photo."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from chuangcheng.demo.scenes import scene_jpeg
        from chuangcheng.inspections.services.submit import ItemInput
        from chuangcheng.standards.models import CheckItem

        Measure = CheckItem.Measure
        out = []
        for item in self.checklists[self.visits[n].point.point_type_id]:
            if failing and not any(a.result == "fail" for a in out) and item.measure == Measure.PRESENCE:
                photo = SimpleUploadedFile("bench.jpg", scene_jpeg("HJ01", tidy=False, key=f"bench {n}"),
                                           content_type="image/jpeg")
                out.append(ItemInput(item.code, "fail", photos=[photo]))
            elif item.measure in {Measure.COUNT, Measure.RATE}:
                out.append(ItemInput(item.code, "pass", count=int(item.threshold or 0)))
            elif item.measure == Measure.OCCURRENCES:
                out.append(ItemInput(item.code, "pass", count=0))
            else:
                out.append(ItemInput(item.code, "pass"))
        return out

    def submit(self, n: int, answers: list[Any]) -> tuple[float, int]:
        """Submit at visit `n` as its inspector at 10:00, undone after: (seconds, SQL statements)."""
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from chuangcheng.core import clock
        from chuangcheng.inspections.services.submit import submit_inspection

        visit = self.visits[n]
        moment = clock.start_of(self.today) + dt.timedelta(hours=10)
        with transaction.atomic(), clock.pinned(moment), CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            _inspection, created = submit_inspection(
                by=visit.person, point=visit.point, key=f"bench-{n:04d}", items=answers, lon=str(visit.point.lon),
                lat=str(visit.point.lat), started_at=moment - dt.timedelta(minutes=5))
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        assert created  # noqa: S101 - a bench, not a service
        return seconds, len(queries)

    def bare(self, n: int) -> float:
        """The rows an all-pass submission at visit `n` writes, written directly, undone after."""
        from django.db import transaction

        from chuangcheng.core import clock
        from chuangcheng.inspections.models import Inspection, ItemResult

        visit, items = self.visits[n], self.checklists[self.visits[n].point.point_type_id]
        with transaction.atomic():
            start = time.perf_counter()
            inspection = Inspection.objects.create(
                key=f"bare-{n:04d}", point=visit.point, grid=visit.point.grid, inspector=visit.person,
                version_id=items[0].version_id, day=self.today, submitted_at=clock.now(),
                score=sum(i.weight for i in items), max_score=sum(i.weight for i in items), failed_count=0)
            ItemResult.objects.bulk_create([ItemResult(inspection=inspection, item=item, result="pass",
                                                       score=item.weight, max_score=item.weight) for item in items])
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    setup_django()
    # The demo's robots and SMS go to the console log (invalid webhook URLs, the SMS stand-in).
    logging.disable(logging.WARNING)
    from django.db import connection

    from chuangcheng.demo.generator import build_demo
    from chuangcheng.inspections.models import Inspection, ItemResult

    stages = Stages()
    with connection.execute_wrapper(stages.count):
        start, cpu = time.perf_counter(), time.process_time()
        build_demo(seed=args.seed, today=args.today, progress=stages.report)
        total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
        stages.close()
    inspections, results = Inspection.objects.count(), ItemResult.objects.count()
    print(f"demo build, seed {args.seed}, reference date {args.today}: {inspections:,} inspections, "
          f"{results:,} item results")
    print(f"  {pad('stage', 20)} {'wall s':>8} {'CPU s':>8} {'share':>6} {'SQL statements':>15}")
    for label, seconds, cpu_seconds, queries in stages.rows:
        print(f"  {pad(label, 20)} {seconds:8.1f} {cpu_seconds:8.1f} {seconds / total:6.0%} {queries:15,}")
    print(f"  {pad('total', 20)} {total:8.1f} {total_cpu:8.1f} {1:6.0%} "
          f"{sum(row[-1] for row in stages.rows):15,}")

    visits = Visits(args.today)
    repeat = min(args.repeat, len(visits.visits))
    print(f"one submission at a point of today's plan (undone after), median of {repeat}")
    for failing in (False, True):
        answers = visits.answers(0, failing=failing)
        _seconds, queries = visits.submit(0, answers)
        kind = "one failure (photo, new case)" if failing else "all items pass"
        print(f"  {kind:<32} {len(answers):3d} items  {queries:4d} SQL statements")
    service, bare = [], []
    for n in range(repeat):
        # Interleaved, so drift on a noisy machine hits both alike.
        service.append(visits.submit(n, visits.answers(n, failing=False))[0])
        bare.append(visits.bare(n))
    m_service, m_bare = statistics.median(service), statistics.median(bare)
    print(f"  submit_inspection, all pass          {m_service * 1000:7.1f} ms")
    print(f"  the same rows written bare           {m_bare * 1000:7.1f} ms")
    print(f"ratio submit_inspection / bare writes: {m_service / m_bare:.2f}")


if __name__ == "__main__":
    main()
