"""Volunteer actions (志愿服务) over the demo's weeks, written through the volunteering services
with the clock pinned to the moment each thing happened: each week two to four actions in the demo
subdistrict's communities, planned a few days ahead by the community office, signed up for by the
community's volunteers (those without a login are signed up and checked in by the organizer), checked
in on site a few dozen metres from the place, checked out (or out on closing), and closed with the
outcome counters and before/after photos. A few are called off. History stops before today's
midnight; one action is left planned for the coming days. One seed gives the same actions."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.core import clock, geo
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.org.models import Person, Region, Role, User
from chuangcheng.places.models import Point

# What each kind of action is about: a title, targets, the scene the photos show, and the
# outcome counters it typically moves (with a range).
KINDS: dict[str, dict[str, Any]] = {
    Action.Kind.PERSUASION: {
        "titles": ["文明劝导：规范停车", "党员志愿者劝导乱停乱放", "路口文明交通劝导"],
        "targets": ["parking", "bicycles"], "scene": "JM05",
        "outcome": {"vehicles_persuaded": (5, 25), "people_persuaded": (5, 30), "bicycles_rearranged": (0, 20)},
    },
    Action.Kind.CLEANUP: {
        "titles": ["清洁家园志愿服务", "背街小巷卫生大扫除", "清理卫生死角"],
        "targets": ["litter"], "scene": "SR02",
        "outcome": {"litter_bags": (3, 15), "flyers_removed": (0, 10)},
    },
    Action.Kind.PUBLICITY: {
        "titles": ["创城知识入户宣传", "文明城市创建宣传进广场"],
        "targets": ["flyposting", "other"], "scene": "XC04",
        "outcome": {"flyers_removed": (10, 60), "people_persuaded": (10, 40)},
    },
    Action.Kind.ORDER: {
        "titles": ["共享单车秩序维护", "早市秩序维护"],
        "targets": ["bicycles", "parking"], "scene": "JM06",
        "outcome": {"bicycles_rearranged": (15, 60), "vehicles_persuaded": (0, 10)},
    },
}
START_HOURS = [8, 9, 9, 10, 15, 16]
SUMMARIES = ["活动有序开展，志愿者分组负责，现场秩序良好。", "发放宣传资料，耐心劝导，群众反响积极。",
             "重点区域整治后环境明显改善，已拍照留存。"]


def add_volunteering(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None) -> int:
    """Write the volunteer actions of the last `weeks` weeks; returns how many actions were made."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    if street is None or Action.objects.filter(community__path__startswith=street.path).exists():
        return 0
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=street.path)
                       .exclude(boundary="").order_by("path"))
    staff = _organizers(street, communities)
    if not communities or not staff:
        return 0
    rng = random.Random(f"volunteering-{seed}")
    logins: dict[int, User] = {
        u.person_id: u for u in User.objects.filter(person__volunteer=True, is_active=True,
                                                    scope__path__startswith=street.path)
        if u.person_id is not None}
    count = 0
    first_monday = (cutoff - dt.timedelta(weeks=weeks)).date()
    first_monday -= dt.timedelta(days=first_monday.weekday())
    for week in range(weeks + 1):
        monday = first_monday + dt.timedelta(weeks=week)
        for _n in range(rng.randint(2, 4)):
            community = rng.choice(communities)
            day = monday + dt.timedelta(days=rng.randint(0, 6))
            start = clock.start_of(day) + dt.timedelta(hours=rng.choice(START_HOURS))
            end = start + dt.timedelta(minutes=rng.choice([90, 120, 150]))
            if end + dt.timedelta(hours=1) >= cutoff or start - dt.timedelta(days=3) < cutoff - dt.timedelta(
                    weeks=weeks + 1):
                continue
            _play(rng, community, staff[community.id], logins, start, end, key=f"{seed}-{day}-{count}")
            count += 1
    # One action ahead, planned now, for the pages' "upcoming" list.
    community = communities[0]
    start = clock.start_of(cutoff.date() + dt.timedelta(days=2)) + dt.timedelta(hours=9)
    with clock.pinned(now):
        _plan(rng, community, staff[community.id], start, start + dt.timedelta(hours=2))
    return count + 1


def _organizers(street: Region, communities: list[Region]) -> dict[int, User]:
    admins = User.objects.filter(is_active=True, scope__path__startswith=street.path,
                                 role__in=[Role.COMMUNITY_ADMIN, Role.STREET_ADMIN]).select_related("scope")
    street_admin = next((u for u in admins if u.role == Role.STREET_ADMIN), None)
    found: dict[int, User] = {}
    for community in communities:
        own = next((u for u in admins if u.role == Role.COMMUNITY_ADMIN and u.scope_id == community.id), None)
        chosen = own or street_admin
        if chosen is not None:
            found[community.id] = chosen
    return found


def _place(rng: random.Random, community: Region) -> tuple[str, float, float]:
    points = list(Point.objects.filter(grid__path__startswith=community.path, active=True).order_by("code")
                  .values_list("name", "lon", "lat"))
    if points:
        name, lon, lat = rng.choice(points)
        return name, float(lon), float(lat)
    centre = geo.parse_boundary(community.boundary).representative_point()
    return f"{community.name}文化广场", round(centre.x, 6), round(centre.y, 6)


def _plan(rng: random.Random, community: Region, organizer: User, start: dt.datetime, end: dt.datetime) -> Action:
    kind = rng.choice(list(KINDS))
    spec = KINDS[kind]
    name, lon, lat = _place(rng, community)
    return services.plan_action(
        by=organizer, kind=kind, title=rng.choice(spec["titles"]), community=community, place_name=name,
        lon=lon, lat=lat, starts_at=start, ends_at=end, capacity=rng.randint(6, 12), targets=spec["targets"],
        description="请着志愿者马甲，提前十分钟到达集合点。")


def _near(rng: random.Random, action: Action) -> tuple[float, float]:
    """A phone's fix 5–150 m from the place, in a random direction."""
    metres, angle = rng.uniform(5, 150), rng.uniform(0, 2 * math.pi)
    lat = float(action.lat) + metres * math.cos(angle) / 111_195.0
    lon = float(action.lon) + metres * math.sin(angle) / (111_195.0 * math.cos(math.radians(float(action.lat))))
    return round(lon, 6), round(lat, 6)


def _play(rng: random.Random, community: Region, organizer: User, logins: dict[int, User],
          start: dt.datetime, end: dt.datetime, *, key: str) -> None:
    with clock.pinned(start - dt.timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 5))):
        action = _plan(rng, community, organizer, start, end)
    people = list(Person.objects.filter(volunteer=True, active=True, region__path__startswith=community.path)
                  .order_by("code"))
    if organizer.person_id is not None and organizer.person is not None:
        people.append(organizer.person)
    rng.shuffle(people)
    people = people[: action.capacity]
    if rng.random() < 0.06:
        with clock.pinned(start - dt.timedelta(hours=rng.randint(3, 20))):
            services.cancel_action(action, by=organizer, reason="天气预警，活动取消")
        return
    moment = start - dt.timedelta(days=1, hours=12)
    signed = []
    for person in people:
        moment += dt.timedelta(minutes=rng.randint(5, 90))
        if rng.random() < 0.15:
            continue  # some will walk in instead
        with clock.pinned(min(moment, start - dt.timedelta(minutes=30))):
            services.sign_up(action, **_as(person, organizer, logins))
        signed.append(person)
    present = [p for p in people if (rng.random() < 0.88 if p in signed else rng.random() < 0.5)]
    checked: list[tuple[Person, dt.datetime]] = []
    for person in present:
        at = start + dt.timedelta(minutes=rng.randint(-20, 25))
        lon, lat = _near(rng, action)
        with clock.pinned(at):
            services.check_in(action, lon=lon, lat=lat, **_as(person, organizer, logins))
        checked.append((person, at))
    for person, at in checked:
        if rng.random() < 0.7:
            leave = max(at + dt.timedelta(minutes=30), end + dt.timedelta(minutes=rng.randint(-30, 20)))
            lon, lat = _near(rng, action)
            with clock.pinned(leave):
                services.check_out(action, lon=lon, lat=lat, **_as(person, organizer, logins))
    spec = KINDS[action.kind]
    outcome = {code: rng.randint(*bounds) for code, bounds in spec["outcome"].items()}
    before = [SimpleUploadedFile(f"before-{key}.jpg", scene_jpeg(spec["scene"], tidy=False, key=f"vb-{key}"),
                                 content_type="image/jpeg")]
    after = [SimpleUploadedFile(f"after-{key}.jpg", scene_jpeg(spec["scene"], tidy=True, key=f"va-{key}"),
                                content_type="image/jpeg")]
    with clock.pinned(end + dt.timedelta(minutes=rng.randint(25, 50))):
        services.close_action(action, by=organizer, outcome=outcome, summary=rng.choice(SUMMARIES),
                              before_photos=before, after_photos=after)


def _as(person: Person, organizer: User, logins: dict[int, User]) -> dict[str, Any]:
    """Who acts: the volunteer's own login, or the organizer on behalf of one without a login."""
    if person.pk == organizer.person_id:
        return {"by": organizer}
    login = logins.get(person.pk)
    return {"by": login} if login is not None else {"by": organizer, "person": person}
