"""How the daily planner (日调度) scales and how much walking its routes save.

Plans a simulated month for the demo subdistrict (150 points, 44 inspectors and grid workers, drawn
from the demo's seed without a database), then for the same street ten times over (1,500 points,
440 people), in one run: the time per planned day at both sizes and their ratio (linear growth
would be 10), and the walking distance of the planned routes against visiting the same points in
the order they were registered.

    python bench/plan_day.py [--days 30] [--scale 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    os.environ.setdefault("CHUANGCHENG_HOME", str(ROOT / "bench" / "out" / "plan_day"))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def street(scale: int):  # noqa: ANN201 - bench-local tuple of planner inputs
    """The demo street's points and people as the planner sees them, `scale` times over (each copy
    shifted east by a few kilometres, with its own grids and people)."""
    from chuangcheng.demo.plan import TypeInfo, plan_demo
    from chuangcheng.inspections.planning import PlanPerson, PlanPoint
    from chuangcheng.org.models import Role

    catalog = json.loads((ROOT / "src/chuangcheng/standards/data/default_catalog.json").read_text("utf-8"))
    types = [TypeInfo(t["code"], t["name"], tuple(t.get("unit_kinds", ()))) for t in catalog["point_types"]]
    plan = plan_demo(1, types)
    grids = {code: n for n, code in enumerate(sorted({p.grid_code for p in plan.points}))}
    points, people = [], []
    for copy in range(scale):
        shift = copy * 0.05
        for n, p in enumerate(plan.points):
            points.append(PlanPoint(id=copy * 10_000 + n, lon=p.lon + shift, lat=p.lat,
                                    grid_id=copy * 1_000 + grids[p.grid_code], zero_loss=p.zero_loss))
        for n, login in enumerate(plan.logins):
            if login.role == Role.GRID_WORKER and login.scope_code in grids:
                people.append(PlanPerson(id=copy * 10_000 + n,
                                         grid_ids=frozenset({copy * 1_000 + grids[login.scope_code]})))
            elif login.role == Role.INSPECTOR:
                people.append(PlanPerson(id=copy * 10_000 + n, grid_ids=None))
    return points, people


def simulate(points, people, days: int):  # noqa: ANN001, ANN201
    """Plan `days` days in a row, each day's visits counting as inspected; returns the seconds per
    day and the planned and input-order walking distances."""
    from dataclasses import replace

    from chuangcheng.inspections import planning

    by_id = {p.id: p for p in points}
    timings, planned_m, input_m = [], 0.0, 0.0
    start = dt.date(2026, 11, 2)
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        began = time.perf_counter()
        result = planning.plan(day, list(by_id.values()), people, every_n_days=3, max_per_person=12)
        timings.append(time.perf_counter() - began)
        for visits in result.visits.values():
            ids = [pid for pid, _reason in visits]
            coords = [(by_id[i].lon, by_id[i].lat) for i in ids]
            planned_m += planning.route_length_m(coords, list(range(len(coords))))
            registered = sorted(range(len(ids)), key=lambda k: ids[k])
            input_m += planning.route_length_m(coords, registered)
            for pid in ids:
                by_id[pid] = replace(by_id[pid], last_inspected=day)
    return timings, planned_m, input_m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    rows = {}
    for scale in (1, args.scale):
        points, people = street(scale)
        timings, planned_m, input_m = simulate(points, people, args.days)
        rows[scale] = (len(points), len(people), statistics.median(timings), planned_m, input_m)
    per_size: dict[int, list[str]] = defaultdict(list)
    for scale, (n_points, n_people, median, planned_m, input_m) in rows.items():
        per_size[scale].append(
            f"{n_points:5d} points, {n_people:4d} people: {median * 1000:8.1f} ms a day (median of {args.days}); "
            f"routes {planned_m / 1000:7.1f} km vs {input_m / 1000:7.1f} km in registration order "
            f"({1 - planned_m / input_m:.0%} shorter)")
        print(per_size[scale][0])
    base, big = rows[1][2], rows[args.scale][2]
    print(f"ratio of a day's planning time, {args.scale}× the street / 1×: {big / base:.1f} "
          f"(linear would be {args.scale})")


if __name__ == "__main__":
    main()
