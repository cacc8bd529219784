"""Residents' reports (随手拍) over the demo's weeks, written through the public services with the
clock pinned to the moment each thing happened, like demo.cases: a pool of residents (each a
device, some with a verified phone) report problems in the demo subdistrict's grids with a photo;
the street office accepts most, rejects a few with a reason, merges a few into a nearby open
report; accepted ones are dispatched, rectified and verified, and their reporters answer "fixed"
(now and then "not fixed" with a photo, which reopens the case). The last days leave reports
waiting for triage. History stops at midnight before today; one seed gives the same reports.

Called after the demo's cases (it needs the demo's users, units and grids)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, Rating, State
from chuangcheng.core import clock, geo
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.cases import CasePlayer
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.evidence.uploads import accepted_uploads, place_of
from chuangcheng.org.models import Region, Role
from chuangcheng.public import services
from chuangcheng.public.models import Report

# What residents most often report, with the words they use.
TOPICS: dict[str, list[str]] = {
    "SR02": ["小区门口垃圾堆了好几天没人清理", "路边绿化带里扔了很多垃圾袋"],
    "SR04": ["人行道上很脏，到处是烟头和纸屑", "路面有大片油污，走路容易滑倒"],
    "SR08": ["楼下有人扔了旧沙发和床垫", "路边堆着废弃的家具"],
    "XC01": ["单元门和电线杆上贴满小广告", "公交站牌上贴满了办证小广告"],
    "JM05": ["消防通道被私家车堵住了", "人行道上停满了车，行人只能走机动车道"],
    "JM06": ["共享单车堆在盲道上", "地铁口的电动车乱停，挡住出入口"],
    "JM04": ["商户把货摆到门外人行道上", "早点摊占道经营，油烟很大"],
    "JM15": ["楼上有人从窗户拉电线给电动车充电", "楼道里飞线充电，很危险"],
    "BJ01": ["路边井盖缺了一块，晚上看不清", "路灯坏了好几天，晚上很黑"],
    "BJ03": ["垃圾桶破了，垃圾撒了一地", "公厕的水龙头坏了一直在流水"],
}
REJECT_REASONS = ["该位置属于小区物业内部管理，已告知物业处理，请直接联系物业。",
                  "照片与描述的问题不一致，请补充清楚后重新反映。"]
NOT_FIXED_NOTES = ["昨天看还是老样子", "只清理了一半"]
UNSATISFIED_REASONS = ["清理了但两天后又堆上了", "处理得太慢，拖了好几天", "只清了表面，角落里还有"]
CLOSE_AGAIN_NOTES = ["已回访核实：整改到位，向居民说明了长效管理安排，维持结案。",
                     "复查现场已保持整洁，已电话回复居民，重新结案。"]
RESIDENTS = 30
HOUR = 3600


@dataclass
class _Resident:
    device: str
    phone: str
    notify: bool


def add_resident_reports(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None,
                         per_day: tuple[int, int] = (0, 3)) -> int:
    """Write the residents' reports of the last `weeks` weeks of working days; returns how many."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    if street is None:
        return 0
    grids = [g for g in Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path)
             .exclude(boundary="").order_by("path")]
    categories = {c.code: c for c in Category.objects.filter(code__in=TOPICS, public=True, active=True)}
    if not grids or not categories:
        return 0
    rng = random.Random(f"public-{seed}")
    calendar = WorkCalendar()
    player = CasePlayer(calendar, now=now, cutoff=cutoff)
    residents = [_Resident(device=f"demo-device-{seed}-{i}",
                           phone=f"13{rng.randint(5, 9)}{rng.randint(0, 99_999_999):08d}" if i % 3 else "",
                           notify=i % 2 == 0) for i in range(RESIDENTS)]
    count = 0
    first_day = (cutoff - dt.timedelta(weeks=weeks)).date()
    days = [first_day + dt.timedelta(days=d) for d in range((cutoff.date() - first_day).days)]
    stories: list[tuple[dt.datetime, Report, _Resident]] = []
    for day in days:
        if not calendar.is_working_day(day):
            continue
        for _i in range(rng.randint(*per_day)):
            at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=cutoff.tzinfo) + dt.timedelta(
                seconds=rng.randint(0, 13 * HOUR))
            made = _report(rng, at, rng.choice(residents), rng.choice(grids), categories, stories)
            count += made
    answers: list[bool] = []
    ratings: list[str] = []
    for at, report, resident in stories:
        _play(rng, player, calendar, at, report, resident, cutoff, stories, answers, ratings)
    return count + _same_problem_again(rng, player, residents, categories, cutoff)


def _same_problem_again(rng: random.Random, player: CasePlayer, residents: list[_Resident],
                        categories: dict[str, Category], cutoff: dt.datetime) -> int:
    """Two more residents see a problem already reported and still open: one follows it instead of
    reporting, the other reports it anyway and the office merges that report into the first."""
    open_reports = (Report.objects.filter(case__state__in=[State.DISPATCHED, State.RECTIFYING],
                                          case__category__code__in=list(categories),
                                          case__reported_at__lt=cutoff - dt.timedelta(hours=2))
                    .select_related("case__category").order_by("-case__reported_at"))
    target = open_reports.first()
    if target is None:
        return 0
    case = target.case
    follower, reporter = residents[-1], residents[-2]
    moment = clock.local(case.reported_at) + dt.timedelta(minutes=20)
    with clock.pinned(moment):
        services.follow_case(case, device=follower.device)
    moment += dt.timedelta(minutes=25)
    photo = SimpleUploadedFile(f"IMG_{moment:%Y%m%d_%H%M%S}.jpg",
                               scene_jpeg(case.category.code, tidy=False, key=f"again {target.code}"),
                               content_type="image/jpeg")
    try:
        with clock.pinned(moment):
            again = services.submit_report(category=case.category, photos=[photo], lon=case.lon, lat=case.lat,
                                           description=rng.choice(TOPICS[case.category.code]), device=reporter.device)
    except services.RateLimited:
        return 0
    with clock.pinned(moment + dt.timedelta(minutes=30)):
        services.merge_report(again, by=player.users["street_admin"], into=case)
    return 1


def _place(rng: random.Random, grid: Region) -> tuple[float, float]:
    shape = geo.parse_boundary(grid.boundary)
    min_x, min_y, max_x, max_y = shape.bounds
    for _i in range(30):
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if geo.contains(grid.boundary, lon, lat):
            return round(lon, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _report(rng: random.Random, at: dt.datetime, resident: _Resident, grid: Region,
            categories: dict[str, Category], stories: list[tuple[dt.datetime, Report, _Resident]]) -> int:
    code = rng.choice(sorted(categories))
    lon, lat = _place(rng, grid)
    key = f"resident {at.isoformat()} {resident.device}"
    photo = SimpleUploadedFile(f"IMG_{at:%Y%m%d_%H%M%S}.jpg", scene_jpeg(code, tidy=False, key=key),
                               content_type="image/jpeg")
    with clock.pinned(at):
        try:
            report = services.submit_report(
                category=categories[code], description=rng.choice(TOPICS[code]), photos=[photo], lon=lon, lat=lat,
                device=resident.device, phone=resident.phone, phone_verified=bool(resident.phone),
                notify_sms=resident.notify and bool(resident.phone))
        except services.RateLimited:
            return 0
    stories.append((at, report, resident))
    return 1


def _play(rng: random.Random, player: CasePlayer, calendar: WorkCalendar, at: dt.datetime, report: Report,
          resident: _Resident, cutoff: dt.datetime, stories: list[tuple[dt.datetime, Report, _Resident]],
          answers: list[bool], ratings: list[str]) -> None:
    """Triage and handle one report at plausible later moments, stopping at the cutoff. About one
    resident in sixteen says it is not fixed, and the fourth to answer does if nobody has yet, so
    every history has one whatever day it ends on."""
    admin = player.users["street_admin"]

    def later(moment: dt.datetime, hours: float) -> dt.datetime:
        return calendar.add_working_seconds(moment, hours * HOUR).replace(microsecond=0)

    case = Case.objects.select_related("category", "grid", "point").get(pk=report.case_id)
    moment = later(at, rng.uniform(0.3, 3))
    if moment >= cutoff:
        return  # waits for triage
    roll = rng.random()
    with clock.pinned(moment):
        if roll < 0.08:
            services.reject_report(report, by=admin, reason=rng.choice(REJECT_REASONS))
            return
        if roll < 0.16:
            target = _earlier_open(report, stories, at)
            if target is not None:
                services.merge_report(report, by=admin, into=target)
                return
        services.accept_report(report, by=admin)
    moment = moment + dt.timedelta(minutes=rng.randint(2, 15))  # a look at the map, then the unit
    with clock.pinned(moment):
        case.refresh_from_db()
        cases.dispatch_case(case, by=admin, unit=player.right_unit(case))
    moment = later(moment, rng.uniform(2, 20))
    if moment >= cutoff:
        return
    handler = player.handler_for(case)
    with clock.pinned(moment):
        case.refresh_from_db()
        after = SimpleUploadedFile("after.jpg", scene_jpeg(case.category.code, tidy=True, key=f"after {report.code}"),
                                   content_type="image/jpeg")
        with accepted_uploads([after], by=handler, place=place_of(case)) as photos:
            cases.rectify_case(case, by=handler, photos=photos)
    moment = later(moment, rng.uniform(1, 8))
    if moment >= cutoff:
        return
    # Verified on site by an inspector, never by whoever rectified it.
    verifier = next((u for _name, u in sorted(player.users.items()) if u.role == Role.INSPECTOR and u != handler),
                    admin)
    with clock.pinned(moment):
        case.refresh_from_db()
        cases.verify_case(case, by=verifier)
    moment = later(moment, rng.uniform(1, 16))
    if moment >= cutoff:
        return
    with clock.pinned(moment):
        report.refresh_from_db()
        fixed = rng.random() > 0.06 and (len(answers) != 3 or not all(answers))
        answers.append(fixed)
        still: Any = () if fixed else [SimpleUploadedFile(
            "still.jpg", scene_jpeg(case.category.code, tidy=False, key=f"still {report.code}"),
            content_type="image/jpeg")]
        services.answer_report(report, fixed=fixed, device=resident.device,
                               note="" if fixed else rng.choice(NOT_FIXED_NOTES), photos=still)
    if fixed:
        _rate(rng, calendar, later(moment, rng.uniform(0.1, 6)), report, resident, cutoff, admin, ratings)


def _rate(rng: random.Random, calendar: WorkCalendar, moment: dt.datetime, report: Report, resident: _Resident,
          cutoff: dt.datetime, admin: Any, ratings: list[str]) -> None:
    """The resident rates the fix (群众满意率): mostly satisfied, some basically, now and then not,
    with a reason; the fourth to rate is not satisfied if nobody has been yet. The street office
    looks again and closes it again (the fix stands) a few working hours later."""
    if moment >= cutoff:
        return
    draw = rng.random()
    if draw < 0.08 or (len(ratings) == 3 and Rating.UNSATISFIED not in ratings):
        rating = Rating.UNSATISFIED
    else:
        rating = Rating.SATISFIED if draw < 0.78 else Rating.BASIC
    ratings.append(rating)
    with clock.pinned(moment):
        report.refresh_from_db()
        services.rate_report(report, rating=rating, device=resident.device,
                             reason=rng.choice(UNSATISFIED_REASONS) if rating == Rating.UNSATISFIED else "")
    if rating != Rating.UNSATISFIED:
        return
    moment = calendar.add_working_seconds(moment, rng.uniform(1, 6) * HOUR).replace(microsecond=0)
    if moment >= cutoff:
        return
    with clock.pinned(moment):
        case = Case.objects.get(pk=report.case_id)
        cases.close_again(case, by=admin, note=rng.choice(CLOSE_AGAIN_NOTES))


def _earlier_open(report: Report, stories: list[tuple[dt.datetime, Report, _Resident]],
                  at: dt.datetime) -> Case | None:
    """An earlier resident's report of the same kind nearby that is still open: the one to merge into."""
    case = report.case
    for when, other, _resident in stories:
        if when >= at or other.pk == report.pk:
            continue
        target = Case.objects.get(pk=other.case_id)
        if (target.category_id == case.category_id and target.is_open and target.state != State.REPORTED
                and target.grid_id == case.grid_id):
            return target
    return None
