"""Benchmark: the campaign's other work (task lists, volunteers, publicity, surveys) in the nightly
rollups and the survey results page.

1. `reports.services.extra.day_extra(day, street)` (all four sources, and each source alone) for
   yesterday in one subdistrict, first with one week of history in the database, then after
   bulk-inserting the rest of a year, in one run. Per subdistrict and day: one task (≈3 task events:
   created, progress, submitted, verified; some late, sent back or cancelled), one volunteer action
   held with 20 sign-ups, two pushes to a community's 5 grid robots (10 deliveries), one offline
   item, 40 household visits, 60 responses to the street's campaign survey (≈16 answers each).
   The ratio year/week is what to compare (aim ≤ 1.5: the cost follows a day's rows, not history).
2. The survey results page (`surveys.results.results`, and the trend page's `results.trend`) for
   one subdistrict's survey with 2,000 and then 20,000 responses (≈16 answers each).

The city (10 subdistricts × 10 communities × 5 grids, 2 points a grid) lives in its own temporary
database; rows are written with bulk inserts shaped like the services write them. Medians of
repeated runs. `--explain` prints, for each rollup source, its slowest query with the year in the
database and the database's plan for it.

    python bench/campaign.py [--small] [--days 365] [--repeat 7] [--explain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
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
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-campaign-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Street:
    region: Any
    communities: list[Any] = field(default_factory=list)
    grids: dict[int, list[Any]] = field(default_factory=dict)  # community id → grids
    points: list[Any] = field(default_factory=list)
    hooks: dict[int, Any] = field(default_factory=dict)  # grid id → webhook
    volunteers: list[Any] = field(default_factory=list)
    unit: Any = None
    admin: Any = None
    worker: Any = None
    survey: Any = None
    publications: dict[int, Any] = field(default_factory=dict)  # community id → publication


@dataclass
class SurveyShape:
    """A survey's questions as ids: code → (question id, kind, {option code: option id})."""

    questions: dict[str, tuple[int, str, dict[str, int]]]


def build_city(streets: int, communities: int, grids: int, people: int) -> list[Street]:
    from chuangcheng.notify.models import Webhook
    from chuangcheng.org.models import Person, Region, Role, Unit, User
    from chuangcheng.places.models import Point
    from chuangcheng.standards.models import PointType
    from chuangcheng.surveys import services as surveys

    district = Region.objects.create(code="BD", name="基准区", level=Region.Level.DISTRICT, path="/BD/")
    point_type = PointType.objects.first() or PointType.objects.create(code="ROAD", name="道路")
    city = []
    for s in range(streets):
        code = f"BS{s:02d}"
        region = Region.objects.create(code=code, name=f"街道{s}", level=Region.Level.STREET, parent=district,
                                       path=f"{district.path}{code}/")
        street = Street(region)
        street.unit = Unit.objects.create(code=f"{code}-CG", name=f"城管{s}", kind="city_management", region=region)
        street.admin = User.objects.create(username=f"admin{s}", role=Role.STREET_ADMIN, scope=region)
        street.worker = User.objects.create(username=f"worker{s}", role=Role.GRID_WORKER, scope=region)
        for c in range(communities):
            ccode = f"{code}C{c:02d}"
            community = Region.objects.create(code=ccode, name=f"社区{s}-{c}", level=Region.Level.COMMUNITY,
                                              parent=region, path=f"{region.path}{ccode}/", sort_order=c)
            street.communities.append(community)
            street.grids[community.pk] = Region.objects.bulk_create([
                Region(code=f"{ccode}G{g}", name=f"网格{g}", level=Region.Level.GRID, parent=community,
                       path=f"{community.path}{ccode}G{g}/", sort_order=g)
                for g in range(grids)])
        every_grid = [g for gs in street.grids.values() for g in gs]
        street.points = Point.objects.bulk_create([
            Point(code=f"{g.code}P{n}", name=f"点位{n}", point_type=point_type, grid=g, lon=Decimal("111.65"),
                  lat=Decimal("40.82"), primary_unit=street.unit)
            for g in every_grid for n in range(2)])
        hooks = Webhook.objects.bulk_create([
            Webhook(name=f"{g.name}工作群", kind="wecom", region=g, url=f"https://qyapi.example/{g.code}")
            for g in every_grid])
        street.hooks = {h.region_id: h for h in hooks}
        street.volunteers = Person.objects.bulk_create([
            Person(code=f"{code}V{n:03d}", name=f"志愿者{n}", phone=f"139{s:02d}{n:06d}",
                   region=street.communities[n % communities], party_member=n % 3 == 0, volunteer=True)
            for n in range(people)])
        # The street's campaign survey, made and published by the services (a handful of rows).
        street.survey = surveys.create_from_template(region=region, template="campaign", by=None)
        for publication in surveys.publish(street.survey, regions=street.communities, by=None):
            street.publications[publication.region_id] = publication
        city.append(street)
    return city


def survey_shape(survey: Any) -> SurveyShape:
    from chuangcheng.surveys.models import Option, Question

    options: dict[int, dict[str, int]] = {}
    for question_id, code, pk in Option.objects.filter(question__survey=survey).values_list(
            "question_id", "code", "id"):
        options.setdefault(question_id, {})[code] = pk
    return SurveyShape({code: (pk, kind, options.get(pk, {}))
                        for pk, code, kind in Question.objects.filter(survey=survey).values_list(
                            "id", "code", "kind")})


# How residents answer the campaign template (option code: weight).
AWARE = {"know": 60, "heard": 25, "dont_know": 15}
SUPPORT = {"support": 85, "indifferent": 10, "oppose": 5}
PARTICIPATED = {"yes": 55, "no": 35, "unsure": 10}
SATISFIED = {"5": 40, "4": 30, "3": 15, "2": 7, "1": 3, "0": 5}
ACTIVITIES = ["volunteer", "cleanup", "publicity", "order", "other"]


def _pick(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def answers_of(rnd: random.Random, shape: SurveyShape) -> list[tuple[int, int | None, str]]:
    """One questionnaire as the services store it: (question, option, text) rows; P2 only after P1
    "yes" (skip logic), several rows for its options; the optional suggestion T1 mostly."""
    rows: list[tuple[int, int | None, str]] = []
    for code, (qid, _kind, options) in shape.questions.items():
        if code.startswith("A"):
            rows.append((qid, options[_pick(rnd, AWARE)], ""))
        elif code == "S1":
            rows.append((qid, options[_pick(rnd, SUPPORT)], ""))
        elif code == "P1":
            rows.append((qid, options[_pick(rnd, PARTICIPATED)], ""))
        elif code.startswith("M"):
            rows.append((qid, options[_pick(rnd, SATISFIED)], ""))
    p1 = shape.questions["P1"]
    if rows and any(r[1] == p1[2]["yes"] for r in rows if r[0] == p1[0]):
        qid, _kind, options = shape.questions["P2"]
        rows += [(qid, options[a], "") for a in rnd.sample(ACTIVITIES, rnd.randint(1, 3))]
    if rnd.random() < 0.9:
        rows.append((shape.questions["T1"][0], None, "希望多组织志愿服务活动，加强背街小巷的环境整治。"))
    return rows


_DEVICES = iter(range(10**9))


def write_responses(survey: Any, street: Street, shape: SurveyShape, moments: list[dt.datetime],
                    rnd: random.Random) -> tuple[int, int]:
    """Responses at `moments` (80 % on residents' phones, counted to the publication's community;
    20 % recorded on household visits, counted to a grid) with their answers. Returns (responses, answers)."""
    from chuangcheng.surveys.models import Answer, Response

    publications = [p for p in street.publications.values() if p.survey_id == survey.pk] \
        or list(survey.publications.all())
    responses, planned = [], []
    for at in moments:
        publication = rnd.choice(publications)
        if rnd.random() < 0.8:
            device = hashlib.sha256(f"device-{next(_DEVICES)}".encode()).hexdigest()
            responses.append(Response(survey=survey, publication=publication, region_id=publication.region_id,
                                      mode="self", device=device, submitted_at=at))
        else:
            grid = rnd.choice(street.grids[publication.region_id])
            responses.append(Response(survey=survey, publication=publication, region=grid, mode="visit",
                                      device="", recorded_by=street.worker, submitted_at=at))
        planned.append(answers_of(rnd, shape))
    Response.objects.bulk_create(responses, batch_size=2000)
    answers = [Answer(response=response, question_id=q, option_id=o, text=t)
               for response, rows in zip(responses, planned, strict=True) for q, o, t in rows]
    Answer.objects.bulk_create(answers, batch_size=5000)
    return len(responses), len(answers)


def task_life(rnd: random.Random, created: dt.datetime, due: dt.date) -> list[tuple[str, str, str, dt.datetime]]:
    """The events of one task as the services write them: (action, from, to, at)."""
    day = dt.timedelta(days=1)
    life = [("create", "", "open", created)]
    r = rnd.random()
    if r < 0.05:
        return [*life, ("cancel", "open", "cancelled", created + 2 * day)]
    life.append(("progress", "open", "in_progress", created + day))
    if r < 0.75:  # on time
        return [*life, ("submit", "in_progress", "submitted", created + 3 * day),
                ("verify", "submitted", "done", created + 4 * day)]
    if r < 0.85:  # sent back once, then on time
        return [*life, ("submit", "in_progress", "submitted", created + 2 * day),
                ("send_back", "submitted", "in_progress", created + 3 * day),
                ("submit", "in_progress", "submitted", created + 4 * day),
                ("verify", "submitted", "done", created + 5 * day)]
    late = 7 if r < 0.95 else 30  # late: overdue for a few days, a few for a month
    return [*life, ("submit", "in_progress", "submitted", created + late * day),
            ("verify", "submitted", "done", created + (late + 1) * day)]


def write_days(city: list[Street], days: list[dt.date], now: dt.datetime, seed: int = 7) -> dict[str, int]:
    """Every source's rows of `days`, in bulk, nothing after `now`. Returns row counts."""
    from django.db import transaction

    from chuangcheng.engagement.models import OfflineItem

    shapes = {s.survey.pk: survey_shape(s.survey) for s in city}
    n: dict[str, int] = dict.fromkeys(["task events", "attendances", "deliveries", "visits", "responses",
                                       "answers"], 0)
    kinds = list(OfflineItem.Kind.values)
    for day in days:
        with transaction.atomic():  # one commit a day
            _write_day(city, day, now, random.Random(f"{seed}-{day}"), shapes, kinds, n)
    return n


def _write_day(city: list[Street], day: dt.date, now: dt.datetime, rnd: random.Random,
               shapes: dict[int, SurveyShape], kinds: list[str], n: dict[str, int]) -> None:
    from chuangcheng.core import clock
    from chuangcheng.engagement.models import (
        Action,
        Attendance,
        HouseholdVisit,
        OfflineItem,
        Push,
        PushDelivery,
        Task,
        TaskEvent,
    )
    from chuangcheng.engagement.tasklists.services import warn_day
    from chuangcheng.notify.models import Message

    start = clock.start_of(day)
    tasks, lives, actions, pushes, items, visits = [], [], [], [], [], []
    for s, street in enumerate(city):
        # Task list: one task a day, due five days later, scoped to a community.
        created = start + dt.timedelta(hours=9, minutes=s)
        due = day + dt.timedelta(days=5)
        life = [e for e in task_life(rnd, created, due) if e[3] <= now]
        last = life[-1]
        deadline = clock.start_of(due + dt.timedelta(days=1))
        submits = [e[3] for e in life if e[0] == "submit"]
        done = last[2] == "done"
        tasks.append(Task(
            number=f"RW-{day:%Y%m%d}-{s:04d}", street=street.region, title="背街小巷环境整治",
            unit=street.unit, due_on=due, warn_on=warn_day(due, day), state=last[2],
            percent=100 if last[2] in ("submitted", "done") else (30 if last[2] == "in_progress" else 0),
            created_by=street.admin, created_at=created,
            started_at=life[1][3] if len(life) > 1 and life[1][0] == "progress" else None,
            submitted_at=submits[-1] if last[2] in ("submitted", "done") else None,
            completed_at=submits[-1] if done else None, verified_at=last[3] if done else None,
            verified_by=street.admin if done else None, on_time=submits[-1] < deadline if done else None,
            cancelled_at=last[3] if last[2] == "cancelled" else None,
            sent_back_count=sum(1 for e in life if e[0] == "send_back"), version=len(life)))
        lives.append((street, rnd.choice(street.communities), life))

        # Volunteering: one action held in a community, 20 sign-ups (one cancelled, one no-show).
        community = street.communities[day.toordinal() % len(street.communities)]
        begins = start + dt.timedelta(hours=9)
        actions.append(Action(
            code=f"ZY-{day:%Y%m%d}-{s + 1:02d}", kind="persuasion", title="文明交通劝导", community=community,
            grid=street.grids[community.pk][0], place_name="路口", lon=Decimal("111.65"),
            lat=Decimal("40.82"), starts_at=begins, ends_at=begins + dt.timedelta(hours=2),
            organizer=street.admin, capacity=30, targets=["parking"], status="held",
            outcome={"vehicles_persuaded": rnd.randint(5, 40), "people_persuaded": rnd.randint(10, 80)},
            summary="劝导完成", closed_at=begins + dt.timedelta(hours=3), closed_by=street.admin,
            created_at=begins - dt.timedelta(days=3), created_by=street.admin))

        # Publicity: two pushes to a community's grids, one offline item, 40 household visits.
        for k in range(2):
            target = street.communities[(day.toordinal() + k) % len(street.communities)]
            pushes.append((street, target, Push(
                number=f"XC{day:%Y%m%d}{s:02d}{k}", title="文明创建倡议", text="讲文明树新风",
                scope=target, author=street.admin, created_at=start + dt.timedelta(hours=10 + k))))
        if rnd.random() < 0.9:
            down = day + dt.timedelta(days=30)  # taken down a month later, if that has come
            items.append(OfflineItem(
                code=f"GG{day:%Y%m%d}{s:02d}", point=rnd.choice(street.points), kind=rnd.choice(kinds),
                theme="讲文明树新风", count=rnd.randint(1, 3), put_up_on=day,
                taken_down_on=down if down <= clock.local(now).date() else None, registered_by=street.worker,
                created_at=start + dt.timedelta(hours=15)))
        grids = [g for gs in street.grids.values() for g in gs]
        for v in range(40):
            building, unit, room = rnd.randint(1, 12), rnd.randint(1, 3), 100 * rnd.randint(1, 6) + rnd.randint(1, 4)
            result = rnd.choices(["visited", "nobody_home", "refused"], weights=[75, 20, 5])[0]
            visits.append(HouseholdVisit(
                grid=rnd.choice(grids), building=str(building), unit=str(unit), room=str(room),
                household=f"{building}/{unit}/{room}", visitor=street.worker, day=day,
                topics=["campaign", "convention"] if result == "visited" else [], result=result,
                recorded_by=street.worker, created_at=start + dt.timedelta(hours=14, minutes=v)))

    Task.objects.bulk_create(tasks)
    Task.regions.through.objects.bulk_create([
        Task.regions.through(task_id=task.pk, region_id=community.pk)
        for task, (_street, community, _life) in zip(tasks, lives, strict=True)])
    events = [TaskEvent(task=task, at=at, actor=street.admin, actor_name=street.admin.username, action=action,
                        from_state=src, to_state=dst, percent=100 if action == "submit" else None,
                        data={"unit": street.unit.code, "due_on": task.due_on.isoformat()}
                        if action == "create" else {})
              for task, (street, _community, life) in zip(tasks, lives, strict=True)
              for action, src, dst, at in life]
    TaskEvent.objects.bulk_create(events)
    n["task events"] += len(events)

    Action.objects.bulk_create(actions)
    attendances = []
    for street, action in zip(city, actions, strict=True):
        for i, person in enumerate(rnd.sample(street.volunteers, 20)):
            row = Attendance(action=action, person=person, signed_up_at=action.starts_at - dt.timedelta(days=1))
            if i == 0:
                row.cancelled_at = row.signed_up_at + dt.timedelta(hours=2)
            elif i > 1:
                row.checked_in_at = action.starts_at + dt.timedelta(minutes=rnd.randint(-10, 15))
                row.checkin_lon, row.checkin_lat, row.checkin_distance_m = action.lon, action.lat, 20
                row.checked_out_at = action.ends_at
                row.hours = action.credited_hours(row.checked_in_at, row.checked_out_at)
            attendances.append(row)
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    n["attendances"] += len(attendances)

    Push.objects.bulk_create([p for _s, _c, p in pushes])
    messages, deliveries = [], []
    for street, community, push in pushes:
        for grid in street.grids[community.pk]:
            hook = street.hooks[grid.pk]
            sent = rnd.random() < 0.95
            message = Message(
                key=f"publicity:{push.number}:{grid.code}:{hook.kind}:robot{hook.pk}", channel=hook.kind,
                target=hook.url, webhook=hook, title=push.title, body=push.text, status="sent" if sent else "failed",
                attempts=1 if sent else 5, next_attempt_at=push.created_at,
                sent_at=push.created_at + dt.timedelta(seconds=30) if sent else None,
                last_error="" if sent else "errcode 93000")
            messages.append(message)
            deliveries.append(PushDelivery(push=push, grid=grid, webhook=hook, group_name=hook.name,
                                           channel=hook.kind, message=message))
    Message.objects.bulk_create(messages, batch_size=2000)
    PushDelivery.objects.bulk_create(deliveries, batch_size=2000)
    n["deliveries"] += len(deliveries)
    OfflineItem.objects.bulk_create(items)
    HouseholdVisit.objects.bulk_create(visits, batch_size=2000)
    n["visits"] += len(visits)

    for street in city:
        moments = sorted(start + dt.timedelta(hours=8, seconds=rnd.randint(0, 13 * 3600)) for _ in range(60))
        responses, answers = write_responses(street.survey, street, shapes[street.survey.pk], moments, rnd)
        n["responses"] += responses
        n["answers"] += answers


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def queries_of(fn: Callable[[], Any]) -> list[dict[str, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return list(captured.captured_queries)


def rollup_reads(street: Street, day: dt.date) -> dict[str, Callable[[], Any]]:
    from importlib import import_module

    from chuangcheng.reports.services import extra

    reads: dict[str, Callable[[], Any]] = {"extra.day_extra (all four)": lambda: extra.day_extra(day, street.region)}
    for name in extra.SOURCES:
        module = import_module(name)
        label = name.removeprefix("chuangcheng.").removeprefix("engagement.").removesuffix(".figures")
        reads[f"  {label}.day_extra"] = lambda m=module: m.day_extra(day, street.region)
    return reads


def measure(reads: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, int]]:
    """{name: (median ms, queries)}."""
    return {name: (median_ms(fn, repeat), len(queries_of(fn))) for name, fn in reads.items()}


def explain(reads: dict[str, Callable[[], Any]]) -> None:
    """Each source's slowest queries (a quarter of its query time or more) and their plans."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for name, fn in reads.items():
        if name.startswith("extra"):
            continue
        captured = sorted(queries_of(fn), key=lambda q: -float(q["time"]))
        total = sum(float(q["time"]) for q in captured)
        print(f"\n{name.strip()}: {len(captured)} queries, {total * 1000:.0f} ms")
        for query in [q for q in captured if float(q["time"]) >= total / 4] or captured[:1]:
            print(f"  {float(query['time']) * 1000:.0f} ms: {query['sql'][:700]}")
            with connection.cursor() as cursor:
                cursor.execute(prefix + query["sql"])
                for row in cursor.fetchall():
                    print("     ", " ".join(str(c) for c in row))


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def print_table(title: str, small: dict[str, tuple[float, int]], large: dict[str, tuple[float, int]],
                heads: tuple[str, str]) -> None:
    print(f"{title:<36}{heads[0]:>12}{heads[1]:>12}{'ratio':>8}{'queries':>10}")
    for name, (ms, queries) in small.items():
        big, big_queries = large[name]
        count = f"{queries}→{big_queries}" if queries != big_queries else str(queries)
        print(f"{name:<36}{ms:>12.1f}{big:>12.1f}{big / ms:>8.2f}{count:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true",
                        help="2 subdistricts × 3 communities × 3 grids, 60 days, surveys of 200 and 2,000")
    parser.add_argument("--days", type=int, help="days of history (default 365, --small 60)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print each source's slowest query and its plan")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from chuangcheng.core import clock
    from chuangcheng.surveys import results
    from chuangcheng.surveys import services as surveys

    shape = (2, 3, 3, 40) if args.small else (10, 10, 5, 40)
    history = args.days or (60 if args.small else 365)
    sizes = (200, 2_000) if args.small else (2_000, 20_000)
    started = time.perf_counter()
    city = build_city(*shape)
    now = clock.now()
    day = clock.today() - dt.timedelta(days=1)  # the nightly rollup's day
    every = [day - dt.timedelta(days=i) for i in range(history - 1, -1, -1)]
    week, earlier = every[-7:], every[:-7]
    street = city[0]

    t = time.perf_counter()
    written = write_days(city, week, now)
    print(f"database: {connection.vendor}; {len(city)} subdistricts × {shape[1]} communities × {shape[2]} grids; "
          f"week written in {time.perf_counter() - t:.1f} s")
    analyze()
    reads = rollup_reads(street, day)
    small = measure(reads, args.repeat)

    t = time.perf_counter()
    more = write_days(city, earlier, now)
    print(f"{len(earlier)} more days written in {time.perf_counter() - t:.1f} s: "
          + ", ".join(f"{written[k] + more[k]} {k}" for k in written))
    analyze()
    large = measure(reads, args.repeat)
    print(f"\nrollup figures of {day} for one subdistrict (median ms of {args.repeat})")
    print_table("read", small, large, (f"{len(week)} days", f"{len(every)} days"))
    if args.explain:
        explain(reads)

    # The survey results page: one subdistrict's survey with few, then many responses.
    survey = surveys.create_from_template(region=street.region, template="campaign", by=None, title="基准问卷")
    for publication in surveys.publish(survey, regions=street.communities, by=None):
        street.publications[publication.region_id] = publication
    survey_shape_ = survey_shape(survey)
    rnd = random.Random(11)
    last = clock.start_of(clock.today())

    def answer(count: int) -> int:
        moments = [last - dt.timedelta(seconds=rnd.randint(60, 60 * 86400)) for _ in range(count)]
        return write_responses(survey, street, survey_shape_, moments, rnd)[1]

    survey_reads: dict[str, Callable[[], Any]] = {
        "results.results (subdistrict)": lambda: results.results(street.admin, survey, street.region),
        "results.results (community)": lambda: results.results(street.admin, survey, street.communities[0]),
        "results.trend (subdistrict)": lambda: results.trend(street.admin, survey, street.region),
    }
    answers = answer(sizes[0])
    analyze()
    few = measure(survey_reads, args.repeat)
    answers += answer(sizes[1] - sizes[0])
    analyze()
    many = measure(survey_reads, args.repeat)
    print(f"\nsurvey results ({len(survey_shape_.questions)} questions, {answers / sizes[1]:.1f} answers a response; "
          f"median ms of {args.repeat})")
    print_table("read", few, many, (f"{sizes[0]:,} resp", f"{sizes[1]:,} resp"))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
