"""Benchmark: reports read the same few rollup rows whether the database holds a week of history or a
year. Builds a city (10 subdistricts, 100 communities, 500 grids, 3,000 points) in its own temporary
database with bulk inserts; writes the last week of daily inspections (every point every ~3 days, five
item results each) with their cases and case events, stores the week's rollups and measures the
reads; then writes the rest of the year, rebuilds the year's rollups (timed) and measures again, in
one run. Medians of repeated runs; the ratio year/week is what to compare (aim ≤ 1.5).

What is timed for one subdistrict: `figures.totals` (this week so far, today live), `figures.children`
and `figures.units` (the last 7 days), `figures.per_week` (8 weeks), and when present the bulletin
(`compose_bulletin`), the weekly ranking (`compute_ranking`) and the dashboard (`overview`).

    python bench/reports.py [--small] [--days 365] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-reports-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class City:
    streets: list[Any] = field(default_factory=list)
    points: dict[int, list[Any]] = field(default_factory=dict)  # street id → points
    unit_of: dict[int, int] = field(default_factory=dict)  # point id → unit id
    inspector: dict[int, Any] = field(default_factory=dict)  # street id → user
    admin: Any = None
    items: list[Any] = field(default_factory=list)
    categories: list[Any] = field(default_factory=list)
    version: Any = None


def build_city(streets: int, communities: int, grids: int, points: int) -> City:
    from chuangcheng.cases.models import Category
    from chuangcheng.org.models import Region, Role, Unit, User
    from chuangcheng.places.models import Point
    from chuangcheng.standards.models import CatalogVersion, CheckItem, PointType

    city = City()
    district = Region.objects.create(code="BD", name="基准区", level=Region.Level.DISTRICT, path="/BD/")
    types = list(PointType.objects.all()) or [PointType.objects.create(code="ROAD", name="道路")]
    for s in range(streets):
        code = f"BS{s:02d}"
        street = Region.objects.create(code=code, name=f"街道{s}", level=Region.Level.STREET, parent=district,
                                       path=f"{district.path}{code}/")
        city.streets.append(street)
        squad = Unit.objects.create(code=f"{code}-CG", name=f"城管{s}", kind="city_management", region=street)
        city.inspector[street.pk] = User.objects.create(username=f"insp{s}", role=Role.INSPECTOR, scope=street)
        rows = []
        for c in range(communities):
            ccode = f"{code}C{c:02d}"
            community = Region.objects.create(code=ccode, name=f"社区{s}-{c}", level=Region.Level.COMMUNITY,
                                              parent=street, path=f"{street.path}{ccode}/", sort_order=c)
            prop = Unit.objects.create(code=f"{ccode}-WY", name=f"物业{s}-{c}", kind="property", region=community)
            grid_rows = Region.objects.bulk_create([
                Region(code=f"{ccode}G{g}", name=f"网格{g}", level=Region.Level.GRID, parent=community,
                       path=f"{community.path}{ccode}G{g}/", sort_order=g)
                for g in range(grids)
            ])
            for grid in grid_rows:
                for n in range(points):
                    rows.append(Point(code=f"{grid.code}P{n:02d}", name=f"点位{n}", point_type=types[n % len(types)],
                                      grid=grid, lon=Decimal("111.65"), lat=Decimal("40.82"),
                                      primary_unit=prop if n % 3 else squad, zero_loss=n == 0))
        city.points[street.pk] = Point.objects.bulk_create(rows, batch_size=2000)
        for p in city.points[street.pk]:
            city.unit_of[p.pk] = p.primary_unit_id
    city.admin = User.objects.create(username="bench_admin", role=Role.STREET_ADMIN, scope=city.streets[0])
    city.version = CatalogVersion.objects.filter(status=CatalogVersion.Status.PUBLISHED).order_by("number").first()
    city.items = list(CheckItem.objects.filter(version=city.version)[:5])
    city.categories = list(Category.objects.filter(parent__isnull=False, active=True)[:12])
    return city


def write_days(city: City, days: list[dt.date], now: dt.datetime, seed: int = 7, *, fail_rate: float = 0.02,
               number: Callable[[dt.date, int], str] | None = None) -> tuple[int, int]:
    """Plans, inspections, item results, cases and events of `days`, in bulk. Every point is
    inspected every third day; `fail_rate` of item results fail (2 %), and a failing inspection opens a
    case that is dispatched, rectified (10 % returned once), verified and, for 3 %, reopened two days
    later. Nothing is written after `now`. A case's number is `number(day, n)` (n: 0, 1, … in the
    call's day) or B-<ordinal>-<n>. Returns (inspections, cases)."""
    from chuangcheng.cases.models import Case, CaseEvent
    from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult

    tz = dt.timezone(dt.timedelta(hours=8))
    n_inspections = n_cases = 0
    for day in days:
        rnd = random.Random(f"{seed}-{day}")
        ordinal = day.toordinal()
        plans = DailyPlan.objects.bulk_create([DailyPlan(street=s, day=day) for s in city.streets])
        assignments, inspections = [], []
        failing: dict[int, tuple[Any, Any]] = {}
        for street, plan in zip(city.streets, plans, strict=True):
            person = city.inspector[street.pk]
            for i, point in enumerate(city.points[street.pk]):
                if (ordinal + i) % 3:
                    continue
                assignments.append(Assignment(plan=plan, person=person, point=point, position=i % 500))
                results = ["fail" if rnd.random() < fail_rate else ("na" if rnd.random() < 0.05 else "pass")
                           for _ in city.items]
                at = dt.datetime.combine(day, dt.time(8), tzinfo=tz) + dt.timedelta(minutes=i % 600)
                inspection = Inspection(
                    key=f"b-{point.pk}-{ordinal}", point=point, grid_id=point.grid_id, inspector=person,
                    version=city.version, day=day, submitted_at=at,
                    score=Decimal(2 * results.count("pass")), max_score=Decimal(2 * (5 - results.count("na"))),
                    failed_count=results.count("fail"))
                inspection.results_ = results  # type: ignore[attr-defined]
                inspections.append(inspection)
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        Inspection.objects.bulk_create(inspections, batch_size=2000)
        item_rows = []
        for inspection in inspections:
            for item, result in zip(city.items, inspection.results_, strict=True):  # type: ignore[attr-defined]
                category = city.categories[(inspection.point_id + item.pk) % len(city.categories)]
                item_rows.append(ItemResult(
                    inspection=inspection, item=item, result=result, score=Decimal(2 if result == "pass" else 0),
                    max_score=Decimal(0 if result == "na" else 2), category=category if result == "fail" else None))
                if result == "fail":
                    failing.setdefault(inspection.pk, (inspection, category))
        ItemResult.objects.bulk_create(item_rows, batch_size=5000)
        n_inspections += len(inspections)

        # Cases: one per failing inspection, walked through their life up to `now`.
        cases, lives = [], []
        for n, (inspection, category) in enumerate(failing.values()):
            reported = inspection.submitted_at + dt.timedelta(minutes=5)
            if reported > now:
                continue
            unit_id = city.unit_of[inspection.point_id]
            life = [("report", "", "reported", reported, {})]
            dispatched = reported + dt.timedelta(minutes=30)
            life.append(("accept", "reported", "accepted", dispatched, {}))
            life.append(("dispatch", "accepted", "dispatched", dispatched, {"unit": unit_id}))
            rectified = dispatched + dt.timedelta(hours=rnd.randint(2, 40))
            life.append(("rectify", "dispatched", "rectified", rectified, {}))
            last = rectified
            if rnd.random() < 0.1:
                life.append(("return_for_rework", "rectified", "rectifying", last + dt.timedelta(hours=2), {}))
                last += dt.timedelta(hours=6)
                life.append(("rectify", "rectifying", "rectified", last, {}))
            closed = last + dt.timedelta(hours=3)
            life.append(("verify", "rectified", "closed", closed, {}))
            if rnd.random() < 0.03:
                life.append(("reopen", "closed", "dispatched", closed + dt.timedelta(days=2), {}))
            life = [e for e in life if e[3] <= now]
            final = life[-1]
            deadline_from = max((e[3] for e in life if e[0] in {"dispatch", "reopen"}), default=None)
            cases.append(Case(
                number=number(day, n) if number else f"B-{ordinal}-{n:05d}", source="inspection", category=category,
                point_id=inspection.point_id,
                grid_id=inspection.grid_id, description="基准", state=final[2], reported_at=reported,
                unit_id=unit_id if deadline_from else None, dispatched_at=deadline_from,
                deadline=deadline_from + dt.timedelta(days=1) if deadline_from else None,
                closed_at=final[3] if final[2] == "closed" else None))
            lives.append(life)
        Case.objects.bulk_create(cases, batch_size=2000)
        unit_codes = _unit_codes()
        CaseEvent.objects.bulk_create([
            CaseEvent(case=case, at=at, action=action, from_state=src, to_state=dst, actor_name="bench",
                      data={"unit": unit_codes[data["unit"]]} if "unit" in data else {})
            for case, life in zip(cases, lives, strict=True) for action, src, dst, at, data in life
        ], batch_size=5000)
        n_cases += len(cases)
    return n_inspections, n_cases


_UNIT_CODES: dict[int, str] = {}


def _unit_codes() -> dict[int, str]:
    if not _UNIT_CODES:
        from chuangcheng.org.models import Unit

        _UNIT_CODES.update(Unit.objects.values_list("pk", "code"))
    return _UNIT_CODES


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(city: City, repeat: int) -> dict[str, float]:
    from django.db import transaction

    from chuangcheng.core import clock
    from chuangcheng.reports.queries import figures

    street = city.streets[0]
    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    week_ago = today - dt.timedelta(days=6)
    reads: dict[str, Callable[[], Any]] = {
        "figures.totals (this week)": lambda: figures.totals(street, monday, today),
        "figures.children (7 days)": lambda: figures.children(street, week_ago, today),
        "figures.units (7 days)": lambda: figures.units(street, week_ago, today),
        "figures.per_week (8 weeks)": lambda: figures.per_week(street, today - dt.timedelta(days=55), today),
    }
    try:
        try:
            from chuangcheng.reports.services.bulletins import compose_bulletin
        except ImportError:
            from chuangcheng.reports.queries.bulletins import compose_bulletin
        yesterday = today - dt.timedelta(days=1)
        reads["compose_bulletin (yesterday)"] = lambda: compose_bulletin(street, yesterday)
    except ImportError:
        pass
    try:
        from chuangcheng.reports.services.rankings import compute_ranking

        def ranking() -> None:
            with transaction.atomic():  # a draft is written: roll it back so every run does the same
                compute_ranking(street, monday - dt.timedelta(days=7))
                transaction.set_rollback(True)

        reads["compute_ranking (last week)"] = ranking
    except ImportError:
        pass
    try:
        from chuangcheng.reports.queries.dashboard import overview

        reads["dashboard overview (today)"] = lambda: overview(city.admin, today)
    except ImportError:
        pass
    out = {}
    for name, fn in reads.items():
        try:
            out[name] = median_ms(fn, repeat)
        except Exception as exc:  # noqa: BLE001 - a helper's module still in the making must not stop the bench
            print(f"  {name}: failed ({type(exc).__name__}: {exc})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="2 streets × 2 communities × 3 grids, 60 days")
    parser.add_argument("--days", type=int, help="days of history (default 365, --small 60)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from chuangcheng.core import clock
    from chuangcheng.inspections.models import Inspection, ItemResult
    from chuangcheng.reports.services import rollups

    shape = (2, 2, 3, 6) if args.small else (10, 10, 5, 6)
    history = args.days or (60 if args.small else 365)
    started = time.perf_counter()
    city = build_city(*shape)
    now = clock.now()
    today = clock.today()
    every = [today - dt.timedelta(days=i) for i in range(history, -1, -1)]  # the history and today
    week, earlier = every[-8:], every[:-8]

    t = time.perf_counter()
    write_days(city, week, now)
    print(f"database: {connection.vendor}; {sum(len(p) for p in city.points.values())} points in "
          f"{len(city.streets)} streets; week written in {time.perf_counter() - t:.1f} s")
    rollups.build_missing_days()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    small = measure(city, args.repeat)
    small_rows = Inspection.objects.count()

    t = time.perf_counter()
    n_inspections, n_cases = write_days(city, earlier, now)
    print(f"{history} days written in {time.perf_counter() - t:.1f} s: {Inspection.objects.count()} inspections, "
          f"{ItemResult.objects.count()} item results, {n_cases} more cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t = time.perf_counter()
    rows = rollups.rebuild(every[0], today - dt.timedelta(days=1))
    built = time.perf_counter() - t
    print(f"rollups of {len(every) - 1} days × {len(city.streets)} streets rebuilt in {built:.1f} s "
          f"({1000 * built / (len(every) - 1):.0f} ms a day, {rows} rows)")
    large = measure(city, args.repeat)
    large_rows = Inspection.objects.count()

    print(f"inspections in the database: {small_rows} then {large_rows} ({large_rows / max(1, small_rows):.0f}x)")
    print(f"{'read (one street)':<32}{'week ms':>10}{'year ms':>10}{'ratio':>8}")
    for name in small:
        if name in large:
            print(f"{name:<32}{small[name]:>10.1f}{large[name]:>10.1f}{large[name] / small[name]:>8.2f}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
