"""Promotion meetings and task lists over the demo's weeks, written through the task-list services with
the clock pinned to the moment each thing happened: a meeting of the street office every week with
the units that answer for points, its decisions broken into tasks for those units (scoped to a
community, a grid or a point, due within a few working days); the units report progress with photos
and submit, most on time, some late, a few sent back once; the street office verifies; the deadline
sweep runs every morning, so late tasks carry their reminder and escalation. The last days leave
tasks open, some of them overdue. Nothing happens at or after today's midnight; one seed gives the
same history.

Called after the demo's cases (it needs the demo's users, units and regions)."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Meeting, Task
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.org.models import Region, Role, Unit, User
from chuangcheng.places.models import Point

# What a street office's weekly meeting decides, with the photo scene that goes with each.
DECISIONS: list[tuple[str, str]] = [
    ("清理责任区内楼道堆物和暴露垃圾", "SR02"),
    ("清除主次干道沿线小广告", "XC01"),
    ("整治商户占道经营和店外经营", "JM04"),
    ("规范非机动车停放，清理盲道上的共享单车", "JM06"),
    ("整治机动车乱停乱放，保持消防通道畅通", "JM05"),
    ("清理背街小巷卫生死角", "SR04"),
    ("排查整治楼道飞线充电", "JM15"),
    ("修复破损垃圾桶和公共设施", "BJ03"),
    ("清运废弃家具和大件垃圾", "SR08"),
    ("更新公益广告和创城宣传栏", "XC01"),
]
PROGRESS_NOTES = ["已组织人员开始清理", "已完成大部分，剩余部分正在处理", "已入户告知并开始整改",
                  "已安排专人每日巡查"]
DONE_NOTES = ["已全部整改完毕，现场已拍照", "整改完成，已建立长效管理台账", "已清理完毕并复查"]
SEND_BACK_REASONS = ["现场复查仍有遗漏，请继续整改", "照片不能反映整改全貌，请补充整改到位后再提交"]
HOUR = 3600


class _Player:
    """Takes the planned actions of all meetings and tasks in the order they happened."""

    def __init__(self, rng: random.Random, cutoff: dt.datetime) -> None:
        self.rng = rng
        self.cutoff = cutoff
        self.calendar = WorkCalendar()
        self.queue: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()

    def at(self, moment: dt.datetime, action: Callable[[], None]) -> None:
        if moment < self.cutoff:
            heapq.heappush(self.queue, (moment, next(self.order), action))

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        return self.calendar.add_working_seconds(moment, hours * HOUR).replace(second=0, microsecond=0)

    def run(self) -> None:
        while self.queue:
            moment, _n, action = heapq.heappop(self.queue)
            with clock.pinned(moment):
                action()


def _photo(code: str, key: str, *, tidy: bool) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{key}.jpg", scene_jpeg(code, tidy=tidy, key=key), content_type="image/jpeg")


def add_tasklists(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None) -> int:
    """Write the meetings and tasks of the last `weeks` weeks; returns how many tasks were assigned."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    if street is None:
        return 0
    users = list(User.objects.filter(scope__path__startswith=street.path, is_active=True)
                 .select_related("person__unit__region").order_by("username"))
    admin = next((u for u in users if u.role == Role.STREET_ADMIN and u.username == "street_admin"), None) or next(
        (u for u in users if u.role == Role.STREET_ADMIN), None)
    if admin is None:
        return 0
    handlers: dict[int, User] = {}
    for user in users:
        if user.role == Role.UNIT_HANDLER and user.person is not None and user.person.unit is not None:
            handlers.setdefault(user.person.unit.pk, user)
    units = [u for u in Unit.objects.filter(pk__in=handlers, active=True).select_related("region").order_by("code")
             if services.serves(u, street)]
    if not units:
        return 0
    communities = list(Region.objects.filter(parent=street, level=Region.Level.COMMUNITY).order_by("path"))
    grids = list(Region.objects.filter(path__startswith=street.path, level=Region.Level.GRID)
                 .select_related("parent").order_by("path"))
    points = list(Point.objects.filter(grid__path__startswith=street.path, active=True)
                  .select_related("grid").order_by("code"))
    rng = random.Random(f"tasklists-{seed}")
    player = _Player(rng, cutoff)
    chair = admin.person.name if admin.person is not None else admin.display_name
    count = [0]

    def scope_for(unit: Unit) -> tuple[list[Region], list[Point]]:
        """A community of the unit (or any, for a street unit), then perhaps one of its grids or points."""
        mine = [c for c in communities if services.serves(unit, c)] or communities
        if not mine:
            return [], []
        community = rng.choice(mine)
        roll = rng.random()
        in_it = [g for g in grids if g.parent_id == community.pk and services.serves(unit, g)]
        spots = [p for p in points if p.grid.path.startswith(community.path) and services.serves(unit, p.grid)]
        if roll < 0.3 and spots:
            return [], [rng.choice(spots)]
        if roll < 0.6 and in_it:
            return [rng.choice(in_it)], []
        return [community], []

    def play_task(task: Task, code: str) -> None:
        handler = handlers[task.unit_id]
        start = clock.now()
        due_end = clock.start_of(task.due_on) + dt.timedelta(hours=16)
        roll = rng.random()
        key = task.number

        def progress() -> None:
            task.refresh_from_db()
            with accepted_uploads([_photo(code, f"{key}-p", tidy=False)], by=handler, place=street.name) as ph:
                services.post_progress(task, by=handler, note=rng.choice(PROGRESS_NOTES),
                                       percent=rng.choice([30, 40, 50, 60, 70]), photos=ph)

        def submit(suffix: str) -> Callable[[], None]:
            def step() -> None:
                task.refresh_from_db()
                with accepted_uploads([_photo(code, f"{key}-{suffix}", tidy=True)], by=handler,
                                      place=street.name) as ph:
                    services.submit_task(task, by=handler, note=rng.choice(DONE_NOTES), photos=ph)
            return step

        def verify() -> None:
            task.refresh_from_db()
            services.verify_task(task, by=admin, note="现场核实，整改到位")

        def send_back() -> None:
            task.refresh_from_db()
            services.send_back_task(task, by=admin, reason=rng.choice(SEND_BACK_REASONS))

        first = player.later(start, rng.uniform(2, 10))
        player.at(first, progress)
        if roll < 0.08:
            return  # stuck: only a first report (overdue once the deadline passes)
        if roll < 0.22:
            submitted = clock.start_of(task.due_on + dt.timedelta(days=rng.randint(1, 3))) + dt.timedelta(
                hours=rng.uniform(9, 16))
            submitted = submitted.replace(second=0, microsecond=0)
        else:
            submitted = min(player.later(first, rng.uniform(4, 20)), due_end)
            submitted = max(submitted, first + dt.timedelta(minutes=30))
        player.at(submitted, submit("done"))
        checked = player.later(submitted, rng.uniform(1, 12))
        if roll > 0.92:
            player.at(checked, send_back)
            again = player.later(checked, rng.uniform(3, 12))
            player.at(again, submit("again"))
            checked = player.later(again, rng.uniform(1, 8))
        player.at(checked, verify)

    def assign(meeting_number: str, position: int, unit: Unit, code: str) -> Callable[[], None]:
        def step() -> None:
            meeting = Meeting.objects.get(number=meeting_number)
            decision = meeting.decisions.get(position=position)
            regions, spots = scope_for(unit)
            task = services.create_task(
                by=admin, street=street, title=decision.text[:200], unit=unit, working_days=rng.randint(2, 6),
                description=f"{meeting.title}第{position}项决定，由{unit.name}牵头落实。", decision=decision,
                priority=rng.choice(["normal", "normal", "high", "urgent"]), regions=regions, points=spots)
            count[0] += 1
            play_task(task, code)
        return step

    def hold(moment: dt.datetime, week_number: int) -> Callable[[], None]:
        def step() -> None:
            present = rng.sample(units, k=min(len(units), rng.randint(3, 6)))
            chosen = rng.sample(DECISIONS, k=rng.randint(2, 4))
            with accepted_uploads([_photo("XC01", f"meeting-{seed}-{week_number}", tidy=True)], by=admin,
                                  place=street.name) as ph:
                meeting = services.record_meeting(
                    by=admin, street=street, held_at=moment, title=f"第{week_number}周创城工作推进会",
                    place="街道办事处三楼会议室", chair=chair, units=present,
                    attendees=[h.person for h in (handlers[u.pk] for u in present) if h.person is not None],
                    decisions=[text for text, _code in chosen],
                    minutes="通报上周督查发现问题及整改情况，部署本周重点任务："
                    + "；".join(t for t, _c in chosen) + "。",
                    photos=ph)
            for position, ((_text, code), unit) in enumerate(zip(chosen, itertools.cycle(present), strict=False),
                                                             start=1):
                player.at(clock.now() + dt.timedelta(minutes=40 + 5 * position),
                          assign(meeting.number, position, unit, code))
        return step

    def sweep(moment: dt.datetime) -> Callable[[], None]:
        def step() -> None:
            services.sweep_tasks(moment)
        return step

    first_day = (cutoff - dt.timedelta(weeks=weeks)).date()
    for week in range(weeks):
        monday = first_day - dt.timedelta(days=first_day.weekday()) + dt.timedelta(weeks=week + 1)
        day = monday if player.calendar.is_working_day(monday) else player.calendar.next_working_day(monday)
        moment = clock.start_of(day) + dt.timedelta(hours=9, minutes=rng.randint(0, 30))
        player.at(moment, hold(moment, week + 1))
    day = first_day
    while day < cutoff.date():
        player.at(clock.start_of(day) + dt.timedelta(hours=8), sweep(clock.start_of(day) + dt.timedelta(hours=8)))
        day += dt.timedelta(days=1)
    player.run()
    return count[0]
