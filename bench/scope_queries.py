"""Benchmark: a community admin's reads cost the same whether the database holds one subdistrict
or ten. Builds 1 street, measures, grows to 10 streets, measures again, and prints the ratios
(measured in one run; these machines are noisy, ratios are what to compare).

What is timed (median of repeated runs): the points list for a community admin (count + first
page, as the page does), the region subtree of a street admin, and a region page's children
with their point counts.

    python bench/scope_queries.py [--streets 10] [--points-per-grid 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-scope-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_street(index: int, points_per_grid: int) -> Any:
    """One street: 10 communities × 5 grids × N points, written in bulk (a benchmark, not a user)."""
    from chuangcheng.org.models import Region, Unit
    from chuangcheng.places.models import Point
    from chuangcheng.standards.models import PointType

    district = Region.objects.get(code="BD")
    street = Region.objects.create(code=f"BS{index:02d}", name=f"街道{index}", level=Region.Level.STREET,
                                   parent=district, path=f"{district.path}BS{index:02d}/")
    unit = Unit.objects.create(code=f"BU{index:02d}", name=f"城管{index}", kind="city_management", region=street)
    types = list(PointType.objects.all())
    points = []
    for c in range(10):
        code = f"{street.code}C{c:02d}"
        community = Region.objects.create(code=code, name=f"社区{index}-{c}", level=Region.Level.COMMUNITY,
                                          parent=street, path=f"{street.path}{code}/")
        grids = Region.objects.bulk_create([
            Region(code=f"{code}G{g}", name=f"网格{g}", level=Region.Level.GRID, parent=community,
                   path=f"{community.path}{code}G{g}/")
            for g in range(5)
        ])
        for grid in grids:
            for n in range(points_per_grid):
                points.append(Point(code=f"{grid.code}P{n:03d}", name=f"点位{n}", point_type=types[n % len(types)],
                                    grid=grid, lon=Decimal("111.65"), lat=Decimal("40.82"), primary_unit=unit))
    Point.objects.bulk_create(points, batch_size=2000)
    return street


def median_ms(fn: Any, repeat: int = 30) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(community_admin: Any, street_admin: Any, street: Any) -> dict[str, float]:
    from chuangcheng.org.queries import regions_visible_to
    from chuangcheng.places.queries import PointFilter, filter_points, region_children_with_counts

    def points_page() -> None:
        qs = filter_points(community_admin, PointFilter())
        qs.count()
        list(qs[:50])

    def subtree() -> None:
        list(regions_visible_to(street_admin))

    def children() -> None:
        list(region_children_with_counts(street_admin, street))

    return {"community points page": median_ms(points_page), "street subtree": median_ms(subtree),
            "region page children": median_ms(children)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streets", type=int, default=10)
    parser.add_argument("--points-per-grid", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from chuangcheng.org.models import Region, Role, User
    from chuangcheng.places.models import Point

    Region.objects.create(code="BD", name="基准区", level=Region.Level.DISTRICT, path="/BD/")
    first = build_street(0, args.points_per_grid)
    community = Region.objects.get(code=f"{first.code}C00")
    community_admin = User.objects.create(username="bench_c", role=Role.COMMUNITY_ADMIN, scope=community)
    street_admin = User.objects.create(username="bench_s", role=Role.STREET_ADMIN, scope=first)

    small = measure(community_admin, street_admin, first)
    small_points = Point.objects.count()
    for index in range(1, args.streets):
        build_street(index, args.points_per_grid)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    large = measure(community_admin, street_admin, first)
    large_points = Point.objects.count()

    print(f"database: {connection.vendor}")
    print(f"points in the database: {small_points} then {large_points} ({large_points / small_points:.0f}x)")
    print(f"{'read':<24}{'1 street ms':>12}{'all streets ms':>16}{'ratio':>8}")
    for name in small:
        print(f"{name:<24}{small[name]:>12.2f}{large[name]:>16.2f}{large[name] / small[name]:>8.2f}")


if __name__ == "__main__":
    main()
