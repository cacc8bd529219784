"""Publicity over the demo's weeks, written through the publicity services with the clock pinned
to the moment each thing happened (like demo.cases): weekly pushes to the grids' group robots,
offline items at many points (some points left below the catalog's number), and household visits
by the demo's grid workers. History stops at midnight before today; one seed gives the same rows.

The demo's group robots are not real groups: their addresses are on this machine (127.0.0.1), and
while the demo writes history a small receiver on loopback answers for them, so the deliveries are
played through the outbox without a byte leaving the machine. One robot answers with an error, so
a failed delivery (with its reason) shows too. After the demo, a push to a demo robot fails with
"address not allowed" unless NOTIFY_WEBHOOK_HOSTS lets 127.0.0.1 in.

Called after the demo's regions, points and logins exist."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image, ImageDraw

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.engagement.publicity import queries, services
from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem
from chuangcheng.notify import services as notify
from chuangcheng.notify.models import Status, Webhook
from chuangcheng.org.models import Region, Role, User
from chuangcheng.places.models import Point

PUSHES = [
    ("创城知识每周一问", "本周主题：什么是全国文明城市？请大家在群里接龙回答，答对有小礼品。"),
    ("文明养犬倡议", "出门遛狗请牵绳，及时清理犬只粪便，文明养犬从我做起。"),
    ("垃圾分类小课堂", "厨余垃圾请沥干水分后投放到绿色桶，有害垃圾请投放到红色桶。"),
    ("志愿者招募", "本周六上午 9 点在社区广场开展清洁家园志愿服务，欢迎居民报名参加。"),
    ("文明交通倡议", "非机动车请停放在划线区域内，不占用盲道和消防通道。"),
    ("满意度调查提醒", "近期将有入户或电话调查，请大家支持创城工作，如实反映意见。"),
    ("讲文明树新风", "移风易俗，文明节俭办婚丧事，共建文明和谐社区。"),
    ("关爱未成年人", "暑期请看护好孩子，远离水域，注意交通安全。"),
]
THEMES = ["讲文明树新风", "社会主义核心价值观", "文明健康 有你有我", "关爱未成年人", "诚信建设", "垃圾分类"]
KINDS = [OfflineItem.Kind.BOARD, OfflineItem.Kind.FRAMED, OfflineItem.Kind.POSTER, OfflineItem.Kind.SLOGAN,
         OfflineItem.Kind.LED]
VISIT_TOPICS = [["campaign", "convention"], ["garbage"], ["campaign", "satisfaction"], ["volunteering"],
                ["campaign", "garbage", "safety"]]
PHOTO_VARIANTS = 4
HOUR = 3600


def add_publicity(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None) -> int:
    """Write the last `weeks` weeks of publicity in the demo subdistrict; returns how many rows
    (pushes, items, visits) were written."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    if street is None:
        return 0
    grids = list(Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path).order_by("path"))
    if not grids:
        return 0
    rng = random.Random(f"publicity-{seed}")
    first_day = (cutoff - dt.timedelta(weeks=weeks)).date()
    days = [first_day + dt.timedelta(days=d) for d in range((cutoff.date() - first_day).days)]
    users = list(User.objects.filter(scope__path__startswith=street.path, is_active=True)
                 .select_related("scope").order_by("username"))
    workers = {u.scope_id: u for u in users
               if u.scope_id and u.role == Role.GRID_WORKER and u.username.startswith("grid_worker")}
    admins = {u.scope_id: u for u in users if u.scope_id and u.role == Role.COMMUNITY_ADMIN}
    street_admin = next((u for u in users if u.role == Role.STREET_ADMIN), None)
    if street_admin is None:
        return 0
    with _demo_robots() as base_url:
        _robots(grids, base_url)
        count = _pushes(rng, days, grids, workers, admins, street_admin)
    count += _items(rng, days, street, workers, street_admin)
    count += _visits(rng, days, grids, workers)
    return count


# --- robots and pushes -------------------------------------------------------------------------


@contextlib.contextmanager
def _demo_robots() -> Iterator[str]:
    """A receiver on 127.0.0.1 answering like a WeCom/DingTalk robot (errcode 0), except for
    addresses with "broken" in them, which get the robots' own "invalid webhook" error."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            broken = "broken" in self.path
            answer = json.dumps({"errcode": 93000 if broken else 0,
                                 "errmsg": "invalid webhook url" if broken else "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hosts = [*settings.NOTIFY_WEBHOOK_HOSTS, "127.0.0.1"]
    try:
        with override_settings(NOTIFY_WEBHOOK_HOSTS=hosts):
            yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _robots(grids: list[Region], base_url: str) -> None:
    """A group robot for most grids (every fifth grid has none; one robot is broken). There is no
    service for robots (the back office adds them): the demo writes the rows as an admin would."""
    for index, grid in enumerate(grids):
        if index % 5 == 4:
            continue
        kind = Webhook.Kind.WECOM if index % 3 else Webhook.Kind.DINGTALK
        key = f"demo-broken-{grid.code}" if index == 1 else f"demo-{grid.code}"
        Webhook.objects.update_or_create(
            region=grid, name=f"{grid.name}居民群",
            defaults={"kind": kind, "url": f"{base_url}/cgi-bin/webhook/send?key={key}", "active": True},
        )


def _deliver(push: Any, at: dt.datetime) -> None:
    """Deliver the push's messages as the outbox would have: now, then retries after their backoff."""
    pending = [d.message_id for d in push.deliveries.all() if d.message_id]
    moment = at
    for _attempt in range(int(settings.NOTIFY_MAX_ATTEMPTS)):
        if not pending:
            return
        with clock.pinned(moment):
            pending = [pk for pk in pending if notify.deliver(pk) == Status.PENDING]
        moment = moment + notify.backoff(_attempt + 1) + dt.timedelta(seconds=1)


def _pushes(rng: random.Random, days: list[dt.date], grids: list[Region], workers: dict[int, User],
            admins: dict[int, User], street_admin: User) -> int:
    count = 0
    communities = sorted({g.parent_id for g in grids if g.parent_id})
    for day in days:
        weekday = day.weekday()
        if weekday == 0:  # Monday: each community's weekly push to all its grids
            for community_id in communities:
                author = admins.get(community_id, street_admin)
                title, text = PUSHES[rng.randrange(len(PUSHES))]
                moment = clock.start_of(day) + dt.timedelta(seconds=rng.randint(9 * HOUR, 11 * HOUR))
                chosen = [g for g in grids if g.parent_id == community_id]
                count += _push(author, title, text, chosen, moment)
        elif weekday == 3:  # Thursday: some grid workers push to their own grid
            for grid in grids:
                worker = workers.get(grid.pk)
                if worker is None or rng.random() > 0.4:
                    continue
                title, text = PUSHES[rng.randrange(len(PUSHES))]
                moment = clock.start_of(day) + dt.timedelta(seconds=rng.randint(14 * HOUR, 17 * HOUR))
                count += _push(worker, f"{grid.name}：{title}", text, [grid], moment)
    return count


def _push(author: User, title: str, text: str, grids: list[Region], moment: dt.datetime) -> int:
    with clock.pinned(moment):
        try:
            push = services.push_message(by=author, title=title, text=text, grids=grids)
        except ValidationError:  # none of these grids has a robot: nothing to push there
            return 0
    _deliver(push, moment + dt.timedelta(seconds=5))
    return 1


# --- offline items -----------------------------------------------------------------------------


def board_jpeg(kind: str, key: str) -> bytes:
    """A small made-up picture of a board, poster, slogan or screen (distinct bytes per key)."""
    rng = random.Random(key)
    image = Image.new("RGB", (480, 360), (180 + rng.randint(0, 40), 205, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 480, 360), fill=(150, 150, 145))
    if kind == OfflineItem.Kind.LED:
        draw.rectangle((90, 60, 390, 230), fill=(20, 20, 25))
        for i in range(6):
            draw.rectangle((110 + i * 45, 90, 140 + i * 45, 200), fill=(230, 40 + i * 30, 40))
    elif kind == OfflineItem.Kind.SLOGAN:
        draw.rectangle((0, 40, 480, 250), fill=(225, 215, 200))
        draw.rectangle((40, 110, 440, 170), fill=(200, 30, 30))
    else:
        draw.rectangle((120, 50, 360, 250), fill=(250, 250, 245), outline=(120, 120, 120), width=4)
        draw.rectangle((130, 60, 350, 100), fill=(200, 30, 30))
        for i in range(3):
            draw.rectangle((140, 115 + i * 40, 340 - rng.randint(0, 60), 135 + i * 40), fill=(60, 90, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, comment=key.encode())
    return out.getvalue()


def _items(rng: random.Random, days: list[dt.date], street: Region, workers: dict[int, User],
           street_admin: User) -> int:
    needs = queries.requirements()
    points = list(Point.objects.filter(grid__path__startswith=street.path, active=True)
                  .select_related("grid", "point_type").order_by("code"))
    count = 0
    for point in points:
        need = needs.get(point.point_type_id)
        if need is None and rng.random() > 0.3:
            continue
        target = need.need if need else rng.randint(1, 2)
        if rng.random() < 0.25:
            target = max(target - rng.randint(1, 2), 0)  # this point stays below the catalog's number
        by = workers.get(point.grid_id, street_admin)
        have = 0
        while have < target:
            kind = KINDS[rng.randrange(len(KINDS))]
            pieces = min(rng.choice([1, 1, 1, 2, 3]), target - have)
            day = days[rng.randrange(len(days))]
            moment = clock.start_of(day) + dt.timedelta(seconds=rng.randint(9 * HOUR, 17 * HOUR))
            photo_key = f"publicity-{kind}-{rng.randrange(PHOTO_VARIANTS)}"
            with clock.pinned(moment):
                services.register_item(
                    point, by=by, kind=kind, theme=THEMES[rng.randrange(len(THEMES))], count=pieces, put_up_on=day,
                    photo=SimpleUploadedFile(f"{photo_key}.jpg", board_jpeg(kind, photo_key), "image/jpeg"))
            have += pieces
            count += 1
        if rng.random() < 0.15:  # an old banner, taken down again (banners do not count anyway)
            day = days[rng.randrange(max(len(days) - 7, 1))]
            with clock.pinned(clock.start_of(day) + dt.timedelta(hours=10)):
                item = services.register_item(point, by=by, kind=OfflineItem.Kind.BANNER, theme="创建全国文明城市",
                                              count=1, put_up_on=day)
            down = day + dt.timedelta(days=7)
            if down < days[-1]:
                with clock.pinned(clock.start_of(down) + dt.timedelta(hours=10)):
                    services.take_down_item(item, by=by, on=down)
            count += 1
    return count


# --- household visits --------------------------------------------------------------------------


def _visits(rng: random.Random, days: list[dt.date], grids: list[Region], workers: dict[int, User]) -> int:
    results = ([HouseholdVisit.Result.VISITED] * 7 + [HouseholdVisit.Result.NOBODY_HOME] * 2
               + [HouseholdVisit.Result.REFUSED])
    count = 0
    for grid in grids:
        worker = workers.get(grid.pk)
        if worker is None:
            continue
        building = rng.randint(1, 4)
        for day in days:
            if day.weekday() not in (1, 5) or rng.random() < 0.3:
                continue
            unit = rng.randint(1, 3)
            floor = rng.randint(1, 6)
            start = clock.start_of(day) + dt.timedelta(seconds=rng.randint(15 * HOUR, 17 * HOUR))
            for n in range(rng.randint(4, 10)):
                room = f"{floor + n // 2}0{n % 2 + 1}"
                result = results[rng.randrange(len(results))]
                topics = VISIT_TOPICS[rng.randrange(len(VISIT_TOPICS))]
                if result != HouseholdVisit.Result.VISITED:
                    topics = []
                with clock.pinned(start + dt.timedelta(minutes=8 * n)):
                    services.record_visit(grid, by=worker, building=str(building), unit=str(unit), room=room,
                                          day=day, result=result, topics=topics)
                count += 1
            if rng.random() < 0.3:
                building += 1
    return count
