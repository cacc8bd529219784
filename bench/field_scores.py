"""Benchmark: a week's field scores (the ranking's inputs, in the assessment's terms) cost the same
whether the database holds a week of inspections or a year. Builds a city of 5 subdistricts × 10
communities (50 communities, 250 grids, 1,500 points) in its own temporary SQLite database with the
city and data generator of bench/reports.py, under a catalog version of its own in force: one check
group of five items costing 1–2 points each from the assessment item of every point type (分值 10,
sample 3). A third of the inspections are the street's (independent), the rest self-checks; 2 % of
item results fail. It writes the last week, stores the rollups and measures; then writes the rest of
the year, rebuilds the year's rollups and measures again, in one run (medians).

What is timed, for one subdistrict's last full week: the field scores of its ten communities from
the stored rollups (`figures.children` + `Figures.field_score`, independent checks and all checks),
the whole ranking (`compute_ranking`, rolled back), and one day's rollup computation (`compute_day`,
which tallies the day's field deductions). The ratio year / week is what to compare (aim ≤ 1.5).

    python bench/field_scores.py [--small] [--days 365] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reports as base  # noqa: E402 - bench/reports.py: the city, the data and the timing helpers


def scoring_catalog(city: base.City) -> None:
    """A published catalog version, newer than any other (so it is in force), whose five check items
    cost their point type's assessment item 1 or 2 points; the city's inspections are written with it."""
    from chuangcheng.standards.models import (
        AssessmentItem,
        CatalogVersion,
        CheckGroup,
        CheckItem,
        PointType,
        TypeProfile,
    )

    last = CatalogVersion.objects.order_by("-number").first()
    version = CatalogVersion.objects.create(number=(last.number if last else 0) + 1, title="基准测评",
                                            status=CatalogVersion.Status.PUBLISHED)
    group = CheckGroup.objects.create(version=version, code="BENCH", name="基准检查组")
    items = [CheckItem.objects.create(version=version, code=f"BENCH-{n}", group=group, text=f"基准检查{n}",
                                      penalty=Decimal(1 + n % 2)) for n in range(5)]
    for n, point_type in enumerate(PointType.objects.order_by("sort_order", "code")):
        TypeProfile.objects.create(version=version, point_type=point_type, sample_size=3).groups.add(group)
        AssessmentItem.objects.create(version=version, code=f"BENCH-{point_type.code}"[:40],
                                      name=f"{point_type.name}测评", point_type=point_type, group=group,
                                      points=Decimal(10), sort_order=n)
    city.version, city.items = version, items


def independent_third() -> None:
    """A third of the inspections (by id) are the street's own checks, the rest self-checks."""
    from django.db.models import F
    from django.db.models.functions import Mod

    from chuangcheng.inspections.models import Inspection

    Inspection.objects.annotate(m=Mod(F("id"), 3)).filter(m=0).update(kind=Inspection.Kind.STREET)


def measure(city: base.City, repeat: int) -> dict[str, float]:
    from django.db import transaction

    from chuangcheng.core import clock
    from chuangcheng.reports.queries import figures
    from chuangcheng.reports.services.rankings import compute_ranking
    from chuangcheng.reports.services.rollups import compute_day

    street = city.streets[0]
    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    sunday = monday + dt.timedelta(days=6)

    def scores() -> list[Any]:
        out = []
        for _region, week in figures.children(street, monday, sunday):
            out.append((week.field_score(independent_only=True).rate, week.field_score().rate))
        return out

    def ranking() -> None:
        with transaction.atomic():  # a draft is written: roll it back so every run does the same
            compute_ranking(street, monday)
            transaction.set_rollback(True)

    reads: dict[str, Callable[[], Any]] = {
        "field scores of 10 communities": scores,
        "compute_ranking (last week)": ranking,
        "compute_day (yesterday)": lambda: compute_day(today - dt.timedelta(days=1), street),
    }
    rates = [independent for independent, _all in scores() if independent is not None]
    if rates:
        print(f"  field 得分率 of the communities (independent checks): {min(rates):.1f}–{max(rates):.1f} %")
    return {name: base.median_ms(fn, repeat) for name, fn in reads.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="2 streets × 2 communities × 3 grids, 60 days")
    parser.add_argument("--days", type=int, help="days of history (default 365, --small 60)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    base.setup_django()
    from django.db import connection

    from chuangcheng.core import clock
    from chuangcheng.inspections.models import Inspection
    from chuangcheng.reports.services import rollups

    shape = (2, 2, 3, 6) if args.small else (5, 10, 5, 6)
    history = args.days or (60 if args.small else 365)
    started = time.perf_counter()
    city = base.build_city(*shape)
    scoring_catalog(city)
    now = clock.now()
    today = clock.today()
    every = [today - dt.timedelta(days=i) for i in range(history, -1, -1)]
    week, earlier = every[-15:], every[:-15]  # the last two weeks: last week whole, and this one so far

    t = time.perf_counter()
    base.write_days(city, week, now)
    independent_third()
    print(f"database: {connection.vendor}; {sum(len(p) for p in city.points.values())} points in "
          f"{len(city.streets)} streets; two weeks written in {time.perf_counter() - t:.1f} s")
    rollups.build_missing_days()
    small = measure(city, args.repeat)
    small_rows = Inspection.objects.count()

    t = time.perf_counter()
    base.write_days(city, earlier, now)
    independent_third()
    print(f"{history} days written in {time.perf_counter() - t:.1f} s: {Inspection.objects.count()} inspections")
    t = time.perf_counter()
    rollups.rebuild(every[0], today - dt.timedelta(days=1))
    built = time.perf_counter() - t
    print(f"rollups of {len(every) - 1} days × {len(city.streets)} streets rebuilt in {built:.1f} s "
          f"({1000 * built / (len(every) - 1):.0f} ms a day)")
    large = measure(city, args.repeat)
    large_rows = Inspection.objects.count()

    print(f"inspections in the database: {small_rows} then {large_rows} ({large_rows / max(1, small_rows):.0f}x)")
    print(f"{'one subdistrict':<34}{'2 weeks ms':>11}{'year ms':>10}{'ratio':>8}")
    for name in small:
        print(f"{name:<34}{small[name]:>11.1f}{large[name]:>10.1f}{large[name] / small[name]:>8.2f}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
