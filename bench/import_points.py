"""Benchmark: import N points from the app's own Excel template (default 500 and 5000).

Prints rows per second for the first import and for a re-import of the same file (a no-op),
and the ratio of the times for the largest and smallest N, all measured in one run. Not part of
the test suite. Uses a fresh SQLite database in a temporary data directory unless DATABASE_URL
is set (then it writes to that database: point it at a scratch one).

    python bench/import_points.py [--sizes 500 5000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def square(lon: float, lat: float, half: float) -> str:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


GRIDS = 10
BASE_LON, BASE_LAT, STEP = 111.60, 40.80, 0.01


def build_world() -> None:
    """A street with two communities of five grids each, units, people and point types."""
    from chuangcheng.org.models import Region, Unit
    from chuangcheng.org.services import save_person, save_region, save_unit
    from chuangcheng.standards.models import PointType

    district, _ = save_region(by=None, code="B150103", name="基准区", level=Region.Level.DISTRICT, parent=None)
    street, _ = save_region(by=None, code="B150103001", name="基准街道", level=Region.Level.STREET,
                            parent=district)
    for c in range(2):
        community, _ = save_region(by=None, code=f"BC{c}", name=f"基准社区{c}", level=Region.Level.COMMUNITY,
                                   parent=street)
        save_unit(by=None, code=f"BU{c}", name=f"物业{c}", kind=Unit.Kind.PROPERTY, region=community)
        for p in range(3):
            save_person(by=None, code=f"BP{c}{p}", name=f"责任人{c}{p}", phone=f"1390000{c}{p:03d}",
                        region=community)
        for g in range(GRIDS // 2):
            index = c * (GRIDS // 2) + g
            save_region(by=None, code=f"BG{index}", name=f"网格{index}", level=Region.Level.GRID, parent=community,
                        boundary=square(BASE_LON + index * STEP, BASE_LAT, STEP / 2))
    save_unit(by=None, code="BU-STREET", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=street)
    PointType.objects.get_or_create(code="ROAD_MAIN", defaults={"name": "主次干道"})
    PointType.objects.get_or_create(code="MARKET", defaults={"name": "农贸市场"})


def points_file(count: int, prefix: str) -> bytes:
    from openpyxl import load_workbook

    from chuangcheng.imports import build_template

    workbook = load_workbook(io.BytesIO(build_template("points")))
    sheet = workbook["数据"]
    for n in range(count):
        index = n % GRIDS
        community = index // (GRIDS // 2)
        lon = BASE_LON + index * STEP + ((n * 7) % 80 - 40) / 10000
        lat = BASE_LAT + ((n * 11) % 80 - 40) / 10000
        sheet.append([
            f"{prefix}{n:06d}", f"点位{n}", "ROAD_MAIN" if n % 3 else "MARKET", f"BG{index}", round(lon, 6),
            round(lat, 6), f"基准路{n}号", f"BU{community}", "BU-STREET",
            f"BP{community}0,BP{community}{1 + n % 2}", "是" if n % 10 == 0 else "否", "",
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(data: bytes) -> tuple[float, Any]:
    from chuangcheng.imports import run_import

    start = time.perf_counter()
    result = run_import("points", data, by=None)
    elapsed = time.perf_counter() - start
    if result.errors:
        raise SystemExit(f"unexpected errors: {result.errors[:5]}")
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-import-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    build_world()
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; data directory: {os.environ['CHUANGCHENG_HOME']}")
    print(f"{'rows':>7} {'import s':>9} {'rows/s':>8} {'re-import s':>12} {'rows/s':>8}")
    times: dict[int, float] = {}
    for size in sorted(set(args.sizes)):
        data = points_file(size, prefix=f"B{size}-")
        first, result = timed(data)
        assert result.created == size, result
        again, result = timed(data)
        assert result.unchanged == size, result
        times[size] = first
        print(f"{size:>7} {first:>9.2f} {size / first:>8.0f} {again:>12.2f} {size / again:>8.0f}")
    if len(times) > 1:
        small, large = min(times), max(times)
        print(f"time ratio {large}/{small}: {times[large] / times[small]:.2f} "
              f"(linear would be {large / small:.0f})")


if __name__ == "__main__":
    main()
