"""The 10× data set of issue 19 for the served-application benchmark (bench/served.py): a copy of the
built demo home grown to a city of 10 subdistricts with a year of history.

1. The demo home (`--home`, only read) is copied to `--city-home` (its database through SQLite's
   backup, its media and secret key as files), so the demo's users, passwords (`bench-password`),
   cases and pages are all there unchanged.
2. Nine more subdistricts in the demo's district, each a clone of the demo's one: its communities,
   grids (boundaries shifted east), units, people, users (`s02_street_admin`, … with the same
   password), points (with their cooperating units and responsible people), plan rules and group
   robots.
3. A year of history (the 365 days before today) for all ten, the demo's own days excepted in its
   subdistrict: with the generator of bench/reports.py (`write_days`), every point inspected every
   third day with five item results, 3.5 % of them failing, and a case for each failing inspection
   walked through its life (most closed, some reopened and overdue); one in twelve of these cases is
   made a resident's report (with its tracking code), so the public lists grow too.
4. The stored daily rollups of every missing day, by the rollup job's own functions
   (`rollups.missing_days` and `build_day`), and the weekly rankings of the year, computed and
   published as the demo does (`chuangcheng.demo.rankings.publish_history`); `--workers 2` shares
   them among processes.

Built once into a folder of its own (written as `<city-home>.building` and renamed when done), then
reused. Bulk inserts, one transaction a day; about 1M item results and 30,000 cases. About 12 min on
the 2-core machine (history 4.6 min, rollups 7 min, rankings 20 s).

    python bench/city_data.py [--home /tmp/cc-bench-demo] [--city-home /tmp/cc-bench-demo-city] [--force]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

# bench/reports.py (the city's history generator), loaded from its file.
BENCH = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_reports", BENCH / "reports.py")
assert _spec is not None and _spec.loader is not None
base = sys.modules["bench_reports"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

STREETS = 10
# The demo's subdistrict is 光明路街道; the others are named after the district's other subdistricts.
STREET_NAMES = ["环河街", "海西路", "新华西路", "中山西路", "通道街", "钢铁路", "攸攸板", "东瓦窑", "公主府"]
FAIL_RATE = 0.035  # of item results: ≈ 16 % of inspections open a case, ≈ 30,000 cases in the year
RESIDENTS_EVERY = 12  # one case in this many is a resident's report
LON_STEP = Decimal("0.045")  # each subdistrict's copy lies this far east of the one before


def default_city_home(home: Path) -> Path:
    return home.with_name(home.name + "-city")


def copy_home(home: Path, target: Path) -> None:
    """The demo's database (a consistent copy, the demo's file only read), media and secret key."""
    target.mkdir(parents=True)
    source = sqlite3.connect(f"file:{home / 'chuangcheng.sqlite3'}?mode=ro", uri=True)
    copy = sqlite3.connect(target / "chuangcheng.sqlite3")
    source.backup(copy)
    copy.close()
    source.close()
    for name in ("secret_key",):
        if (home / name).exists():
            shutil.copy2(home / name, target / name)
    if (home / "media").is_dir():
        shutil.copytree(home / "media", target / "media")


def setup_django(target: Path) -> None:
    os.environ["CHUANGCHENG_HOME"] = str(target)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "chuangcheng.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:  # a build, not a service: nothing to lose on a crash
        cursor.execute("PRAGMA synchronous=OFF")


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def _shift(boundary: str, dx: Decimal) -> str:
    if not boundary:
        return boundary
    shape = json.loads(boundary)

    def move(c: Any) -> Any:
        if c and isinstance(c[0], (int, float)):
            return [round(c[0] + float(dx), 6), *c[1:]]
        return [move(x) for x in c]

    shape["coordinates"] = move(shape["coordinates"])
    return json.dumps(shape, separators=(",", ":"))


def clone_street(street: Any, k: int, short_name: str) -> Any:
    """A copy of `street` and everything under it that makes it a working subdistrict, as the
    `k`-th (1…) subdistrict of the district. Returns the new street."""
    from chuangcheng.inspections.models import PlanRules
    from chuangcheng.notify.models import Webhook
    from chuangcheng.org.models import Person, Region, Unit, User
    from chuangcheng.places.models import Point

    old_short = street.name.removesuffix("街道")
    code = f"{street.code[:-3]}{int(street.code[-3:]) + k:03d}"
    tag = f"S{k + 1:02d}"
    dx = LON_STEP * k

    def rename(text: str) -> str:
        return text.replace(old_short, short_name)

    def recode(text: str) -> str:  # GM-0001 → S02-0001
        return re.sub(r"^[A-Z]+(?=-)", tag, text) if re.match(r"^[A-Z]+-", text) else f"{tag}-{text}"

    # Regions, parents first (the street, its communities, their grids).
    old_regions = list(Region.objects.filter(path__startswith=street.path).order_by("level", "path"))
    region_map: dict[int, int] = {}
    for level in sorted({r.level for r in old_regions}):
        rows = []
        for r in (r for r in old_regions if r.level == level):
            values = _fields(r)
            values.update(code=r.code.replace(street.code, code, 1), path=r.path.replace(f"/{street.code}", f"/{code}"),
                          parent_id=region_map.get(r.parent_id, r.parent_id), boundary=_shift(r.boundary, dx))
            if r.pk == street.pk:
                values["name"] = f"{short_name}街道"
            else:
                values["name"] = r.name.replace("社区", f"{k + 1}社区", 1)
            rows.append(Region(**values))
        made = Region.objects.bulk_create(rows)
        region_map.update({old.pk: new.pk for old, new in zip(
            (r for r in old_regions if r.level == level), made, strict=True)})

    units = list(Unit.objects.filter(region_id__in=region_map))
    made_units = Unit.objects.bulk_create([
        Unit(**{**_fields(u), "code": recode(u.code), "name": rename(u.name), "region_id": region_map[u.region_id]})
        for u in units])
    unit_map = {old.pk: new.pk for old, new in zip(units, made_units, strict=True)}

    people = list(Person.objects.filter(region_id__in=region_map))
    made_people = Person.objects.bulk_create([
        Person(**{**_fields(p), "code": recode(p.code), "phone": f"19{k}{p.pk:08d}",
                  "region_id": region_map[p.region_id], "unit_id": unit_map.get(p.unit_id, p.unit_id)})
        for p in people])
    person_map = {old.pk: new.pk for old, new in zip(people, made_people, strict=True)}

    users = list(User.objects.filter(scope_id__in=region_map))
    made_users = User.objects.bulk_create([
        User(**{**_fields(u), "username": f"s{k + 1:02d}_{u.username}", "email": "", "last_login": None,
                "scope_id": region_map[u.scope_id], "person_id": person_map.get(u.person_id)})
        for u in users])
    user_map = {old.pk: new.pk for old, new in zip(users, made_users, strict=True)}
    for through, column in ((User.groups.through, "group_id"), (User.user_permissions.through, "permission_id")):
        through.objects.bulk_create([
            through(user_id=user_map[row.user_id], **{column: getattr(row, column)})
            for row in through.objects.filter(user_id__in=user_map)])

    points = list(Point.objects.filter(grid_id__in=region_map))
    made_points = Point.objects.bulk_create([
        Point(**{**_fields(p), "code": recode(p.code), "name": rename(p.name), "address": rename(p.address),
                 "grid_id": region_map[p.grid_id], "lon": p.lon + dx,
                 "primary_unit_id": unit_map.get(p.primary_unit_id, p.primary_unit_id)})
        for p in points], batch_size=2000)
    point_map = {old.pk: new.pk for old, new in zip(points, made_points, strict=True)}
    for through, column, mapping in ((Point.cooperating_units.through, "unit_id", unit_map),
                                     (Point.responsible_people.through, "person_id", person_map)):
        through.objects.bulk_create([
            through(point_id=point_map[row.point_id], **{column: mapping.get(value, value)})
            for row in through.objects.filter(point_id__in=point_map) for value in [getattr(row, column)]],
            batch_size=2000)

    for rules in PlanRules.objects.filter(street=street):
        PlanRules.objects.create(**{**_fields(rules), "street_id": region_map[street.pk]})
    hooks = [h for h in Webhook.objects.filter(region_id__in=region_map)] + \
            [h for h in Webhook.objects.filter(unit_id__in=unit_map)]
    Webhook.objects.bulk_create([
        Webhook(**{**_fields(h), "name": rename(h.name), "url": f"{h.url}-{tag.lower()}",
                   "region_id": region_map.get(h.region_id) if h.region_id else None,
                   "unit_id": unit_map.get(h.unit_id) if h.unit_id else None})
        for h in hooks])
    return Region.objects.get(pk=region_map[street.pk])


def history_city(streets: list[Any]) -> Any:
    """The generator's view of the streets: their points and units, an inspector each, the checklist."""
    from chuangcheng.cases.models import Category
    from chuangcheng.org.models import Role, User
    from chuangcheng.places.models import Point
    from chuangcheng.standards.models import CatalogVersion, CheckItem

    city = base.City(streets=streets)
    for street in streets:
        city.points[street.pk] = list(Point.objects.filter(grid__path__startswith=street.path, active=True)
                                      .order_by("code"))
        city.unit_of.update({p.pk: p.primary_unit_id for p in city.points[street.pk]})
        city.inspector[street.pk] = User.objects.filter(role=Role.INSPECTOR, scope=street).order_by("username").first()
    city.version = CatalogVersion.objects.filter(status=CatalogVersion.Status.PUBLISHED).order_by("-number").first()
    city.items = list(CheckItem.objects.filter(version=city.version).order_by("pk")[:5])
    city.categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("pk")[:12])
    return city


def case_number(day: dt.date, n: int) -> str:
    # The app's own form (CC-<day>-<n>), from 0501 on so as not to meet the demo's numbers of the day.
    return f"CC-{day:%Y%m%d}-{n + 501:04d}"


def write_history(streets: list[Any], demo_street: Any, demo_first: dt.date, days: list[dt.date],
                  say: Callable[[str], None]) -> tuple[int, int]:
    from django.db import transaction

    from chuangcheng.core import clock

    every = history_city(streets)
    others = history_city([s for s in streets if s.pk != demo_street.pk])
    now = clock.now()
    inspections = cases = 0
    started = time.perf_counter()
    for index, day in enumerate(days, start=1):
        with transaction.atomic():
            i, c = base.write_days(every if day < demo_first else others, [day], now, fail_rate=FAIL_RATE,
                                   number=case_number)
        inspections, cases = inspections + i, cases + c
        if index % 30 == 0 or index == len(days):
            say(f"  history: {index}/{len(days)} days, {inspections} inspections, {cases} cases "
                f"({time.perf_counter() - started:.0f} s)")
    return inspections, cases


def residents_reports(first_new_case: int) -> int:
    """One in `RESIDENTS_EVERY` of the generated cases becomes a resident's report (web channel)."""
    from django.db import transaction

    from chuangcheng.cases.models import Case
    from chuangcheng.public.models import Report
    from chuangcheng.public.services import CODE_ALPHABET, CODE_LENGTH

    rnd = random.Random(19)
    taken = set(Report.objects.values_list("code", flat=True))
    chosen = list(Case.objects.filter(pk__gt=first_new_case).values_list("pk", "reported_at")
                  .order_by("pk"))[::RESIDENTS_EVERY]
    rows = []
    for pk, at in chosen:
        code = "".join(rnd.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        while code in taken:
            code = "".join(rnd.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken.add(code)
        rows.append(Report(case_id=pk, code=code, channel="web", created_at=at))
    with transaction.atomic():
        ids = [pk for pk, _at in chosen]
        for start in range(0, len(ids), 900):
            Case.objects.filter(pk__in=ids[start:start + 900]).update(source="resident", reported_by=None)
        Report.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _build_day(item: tuple[dt.date, list[int]]) -> dt.date:
    from chuangcheng.org.models import Region
    from chuangcheng.reports.services import rollups

    day, street_ids = item
    rollups.build_day(day, streets=list(Region.objects.filter(pk__in=street_ids).order_by("path")))
    return day


def _publish_rankings(item: tuple[int, list[dt.date]]) -> int:
    from chuangcheng.demo.rankings import publish_history
    from chuangcheng.org.models import Region, Role, User

    street = Region.objects.get(pk=item[0])
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street).order_by("username").first()
    return publish_history(street, item[1], by=admin)


def in_processes(fn: Callable[[Any], Any], items: list[Any], workers: int, say: Callable[[str], None],
                 label: str, every: int = 30) -> list[Any]:
    """`fn` of each item, in this process or in `workers` forked processes (each with its own
    database connection: the settings' IMMEDIATE transactions and busy timeout queue the writers),
    with progress."""
    from django.db import connections

    started = time.perf_counter()
    out = []

    def done(result: Any) -> None:
        out.append(result)
        if len(out) % every == 0 or len(out) == len(items):
            say(f"  {label}: {len(out)}/{len(items)} ({time.perf_counter() - started:.0f} s)")

    if workers <= 1:
        for item in items:
            done(fn(item))
        return out
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers, initializer=connections.close_all) as pool:
        for result in pool.imap_unordered(fn, items):
            done(result)
    return out


def store_rollups(say: Callable[[str], None], workers: int) -> int:
    """The rollup job's work (`build_missing_days`: every street's missing days), the days shared
    among `workers` processes."""
    from collections import defaultdict

    from chuangcheng.core import clock
    from chuangcheng.reports.services import rollups

    today = clock.today()
    wanted: dict[dt.date, list[int]] = defaultdict(list)
    for street in rollups.all_streets():
        for day in rollups.missing_days(street, today=today):
            wanted[day].append(street.pk)
    return len(in_processes(_build_day, sorted(wanted.items()), workers, say, "rollups (days)"))


def publish_rankings(streets: list[Any], days: list[dt.date], say: Callable[[str], None], workers: int) -> int:
    """Every finished week's ranking of each street, computed and published as the demo does (in
    week order within a street; the streets shared among `workers` processes)."""
    return sum(in_processes(_publish_rankings, [(s.pk, days) for s in streets], workers, say,
                            "rankings (subdistricts)", every=1))


def grow_to_city(home: Path, target: Path, *, days: int = 365, workers: int = 1,
                 say: Callable[[str], None] = print) -> dict[str, int]:
    """Copy the built demo `home` to `target` and grow it to the city (see the module's text).
    Returns the city's row counts."""
    started = time.perf_counter()
    building = target.with_name(target.name + ".building")
    if building.exists():
        shutil.rmtree(building)
    copy_home(home, building)
    say(f"copied {home} → {building} ({time.perf_counter() - started:.0f} s)")
    setup_django(building)
    from django.db import connections
    from django.db.models import Max, Min

    from chuangcheng.cases.models import Case
    from chuangcheng.core import clock
    from chuangcheng.inspections.models import Inspection, ItemResult
    from chuangcheng.org.models import Region
    from chuangcheng.places.models import Point
    from chuangcheng.reports.models import DailyRollup, Ranking

    demo_streets = list(Region.objects.filter(level=Region.Level.STREET))
    assert len(demo_streets) == 1, "the demo has one subdistrict"
    demo_street = demo_streets[0]
    streets = [demo_street] + [clone_street(demo_street, k, STREET_NAMES[k - 1]) for k in range(1, STREETS)]
    say(f"{len(streets)} subdistricts, {Point.objects.count()} points ({time.perf_counter() - started:.0f} s)")

    today = clock.today()
    history = [today - dt.timedelta(days=i) for i in range(days, 0, -1)]
    demo_first = Inspection.objects.aggregate(d=Min("day"))["d"] or today
    first_new_case = Case.objects.aggregate(m=Max("pk"))["m"] or 0
    write_history(streets, demo_street, demo_first, history, say)
    say(f"{residents_reports(first_new_case)} of the new cases made residents' reports")
    say(f"history written ({time.perf_counter() - started:.0f} s)")
    store_rollups(say, workers)
    say(f"rollups stored ({time.perf_counter() - started:.0f} s)")
    say(f"{publish_rankings(streets, history, say, workers)} weekly rankings published "
        f"({time.perf_counter() - started:.0f} s)")
    counts = {
        "subdistricts": Region.objects.filter(level=Region.Level.STREET).count(),
        "communities": Region.objects.filter(level=Region.Level.COMMUNITY).count(),
        "grids": Region.objects.filter(level=Region.Level.GRID).count(),
        "points": Point.objects.count(),
        "inspections": Inspection.objects.count(),
        "item results": ItemResult.objects.count(),
        "cases": Case.objects.count(),
        "open cases": Case.objects.exclude(state__in=["closed", "rejected"]).count(),
        "overdue cases": Case.objects.exclude(state__in=["closed", "rejected", "suspended"])
        .filter(deadline__lt=clock.now()).count(),
        "resident cases": Case.objects.filter(source="resident").count(),
        "daily rollups": DailyRollup.objects.count(),
        "rankings": Ranking.objects.count(),
    }
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connections.close_all()
    building.rename(target)
    say(f"city built in {target} in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", default=str(Path(tempfile.gettempdir()) / "cc-bench-demo"),
                        help="the built demo (only read)")
    parser.add_argument("--city-home", help="where the city goes (default: <home>-city)")
    parser.add_argument("--force", action="store_true", help="build again even if the city is there")
    parser.add_argument("--days", type=int, default=365, help="days of history (a smaller city for a try)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes storing the rollups and rankings (2 gained nothing on a busy 2-core machine)")
    args = parser.parse_args()
    home = Path(args.home)
    target = Path(args.city_home) if args.city_home else default_city_home(home)
    if not any(home.glob("*.sqlite3")):
        sys.exit(f"no built demo in {home}: run bench/served.py --home {home} once (it builds it)")
    if target.exists():
        if not args.force:
            print(f"{target} is there already (--force to build it again)")
            return
        shutil.rmtree(target)
    grow_to_city(home, target, days=args.days, workers=args.workers, say=lambda text: print(text, flush=True))


if __name__ == "__main__":
    main()
