"""12345 work orders over the demo's eight weeks, written through the hotline's services with the
clock pinned to each moment, like demo.public: about 40 orders from the hotline's Excel export (a
few through its interface), each opening a case the street office dispatches, the unit rectifies
and an inspector verifies; the office signs for the order (now and then late), answers and
finishes it, sometimes asks for more time (granted or refused) or returns it as not ours; the
hotline centre's callback rates it 满意, 基本满意 or 不满意 (redone: handled again, answered and
finished again). The last days leave orders waiting to be signed for, answered or rated, one
never signed, one signed but stuck past its date and one answered while the unit is still at
work. One seed gives the same orders.

Called after the demo's cases (it needs the demo's users, units and points)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, State
from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.cases import CasePlayer
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.evidence.uploads import accepted_uploads, place_of
from chuangcheng.hotline import services
from chuangcheng.hotline.models import Callback, OrderSource, WorkOrder
from chuangcheng.org.models import Region, Role, User
from chuangcheng.places.models import Point

ORDERS = 40
HOUR = 3600
# What callers ask the hotline about, by our category.
REQUESTS: dict[str, list[str]] = {
    "SR02": ["来电反映小区门口垃圾堆放多日无人清运，气味很大，要求尽快处理。",
             "市民反映路边绿化带内垃圾袋较多，影响环境，希望清理。"],
    "JM04": ["来电反映早点摊长期占道经营，油烟扰民，行人通行不便。",
             "市民反映商户将货物摆放至人行道，要求规范经营。"],
    "JM05": ["来电反映消防通道被私家车长期占用，存在安全隐患。",
             "市民反映小区门口车辆乱停乱放，早晚高峰通行困难。"],
    "XC01": ["来电反映单元门及电线杆上小广告较多，希望清理。"],
    "BJ01": ["来电反映路灯损坏多日，夜间出行不便，要求维修。",
             "市民反映人行道井盖缺失，存在安全隐患。"],
    "JM15": ["来电反映楼道内有居民飞线给电动车充电，存在火灾隐患。"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
ANSWERS = ["经核实，来电反映问题属实。街道已协调责任单位于当日完成整改，并将加强日常巡查，防止问题反弹。",
           "您好，来电反映的问题已转责任单位处理，现场已整改到位，感谢您对创城工作的支持。"]
INTERIM_ANSWER = "您好，来电反映的问题已转责任单位，正在处置，办结后再告知您。"
REDO_ANSWERS = ["收到回访意见后，街道再次组织责任单位现场处置，已彻底清理并建立长效管理台账。"]
RETURN_REASONS = ["经核实，该点位属燃气公司产权，不属本街道职责范围，请转燃气公司办理。",
                  "来电所述地址位于相邻街道辖区，请转相邻街道办理。"]
EXTENSION_REASONS = ["涉及产权单位协调，需延期办理。", "需待施工队伍进场维修，申请延期。"]
UNSATISFIED_NOTES = ["来电人表示问题反弹，对处理结果不满意。", "来电人表示处理不及时，不满意。"]
# Each order's story; the list repeats over the orders, the last ones stop where the cutoff is.
FATES = ["satisfied", "basic", "late_sign", "redo", "returned", "extended", "satisfied", "refused",
         "late_finish", "basic"]


def add_hotline_orders(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None) -> int:
    """Write about ORDERS work orders over the last `weeks` weeks; returns how many."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    if street is None:
        return 0
    categories = {c.code: c for c in Category.objects.filter(code__in=REQUESTS, active=True)}
    points = list(Point.objects.filter(grid__path__startswith=street.path).exclude(address="").order_by("code"))
    if not categories or not points:
        return 0
    rng = random.Random(f"hotline-{seed}")
    calendar = WorkCalendar()
    player = CasePlayer(calendar, now=now, cutoff=cutoff)
    admin = player.users["street_admin"]
    start = cutoff - dt.timedelta(weeks=weeks)
    span = (cutoff - start).total_seconds() - 2 * 86400
    count = 0
    for i in range(ORDERS):
        received = calendar.add_working_seconds(start + dt.timedelta(seconds=span * i / ORDERS),
                                                rng.uniform(0.5, 6) * HOUR).replace(microsecond=0)
        if received >= cutoff:
            break
        fate = FATES[i % len(FATES)]
        if i == ORDERS - 3:
            fate = "ignored"  # never signed: overdue to sign
        elif i == ORDERS - 12:
            fate = "stuck"  # signed, never answered: overdue to finish
        elif i == ORDERS - 2:
            fate = "answered"  # answered, the unit still at work: not finished yet
        code = rng.choice(sorted(categories))
        point = rng.choice(points)
        with clock.pinned(received):
            order, _outcome = services.receive_order(
                services.Incoming(number=f"GD{clock.local(received):%Y%m%d}{i + 1:04d}",
                                  request=rng.choice(REQUESTS[code]), received_at=received,
                                  category_text=categories[code].name,
                                  caller_name=rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
                                  caller_phone=f"13{rng.randint(5, 9)}{rng.randint(0, 99_999_999):08d}",
                                  address=point.address, point_code=point.code),
                street=street, source=OrderSource.API if i % 8 == 5 else OrderSource.EXCEL, source_system="12345",
                category=categories[code], by=admin)
        count += 1
        _play(rng, player, calendar, order, fate, cutoff)
    return count


def _play(rng: random.Random, player: CasePlayer, calendar: WorkCalendar, order: WorkOrder, fate: str,
          cutoff: dt.datetime) -> None:
    admin = player.users["street_admin"]

    def later(moment: dt.datetime, hours: float) -> dt.datetime:
        return calendar.add_working_seconds(moment, hours * HOUR).replace(microsecond=0)

    if fate == "ignored":
        return
    moment = order.received_at + dt.timedelta(hours=rng.uniform(26, 40) if fate == "late_sign"
                                              else rng.uniform(0.3, 5))
    if moment >= cutoff:
        return
    with clock.pinned(moment):
        services.sign_order(order, by=admin)
        if fate == "returned":
            services.return_order(order, by=admin, reason=rng.choice(RETURN_REASONS))
            return
    if fate == "stuck":
        return
    if fate == "answered":
        moment = later(moment, rng.uniform(1, 3))
        if moment < cutoff:
            with clock.pinned(moment):
                services.answer_order(order, by=admin, answer=INTERIM_ANSWER)
        return
    if fate in ("extended", "refused"):
        moment = later(moment, rng.uniform(8, 16))
        if moment >= cutoff:
            return
        with clock.pinned(moment):
            order.refresh_from_db()
            services.request_extension(order, by=admin, until=order.finish_due + dt.timedelta(days=4),
                                       reason=rng.choice(EXTENSION_REASONS))
        moment = later(moment, rng.uniform(1, 4))
        if moment >= cutoff:
            return
        with clock.pinned(moment):
            services.decide_extension(order, by=admin, grant=fate == "extended",
                                      note="" if fate == "extended" else "请在原时限内办结。")
    slow = fate in ("late_finish", "extended", "refused")
    handled = _handle_case(rng, player, calendar, order.case, moment, cutoff, hours=(40, 56) if slow else (3, 20))
    finished = handled and _answer_and_finish(rng, order, handled, cutoff, admin, ANSWERS, later)
    if finished is None:
        return
    moment = later(finished, rng.uniform(4, 16))
    if moment >= cutoff:
        return
    with clock.pinned(moment):
        if fate == "redo":
            services.record_callback(order, by=admin, rating=Callback.UNSATISFIED, note=rng.choice(UNSATISFIED_NOTES))
        else:
            services.record_callback(order, by=admin, rating=Callback.BASIC if fate in ("basic", "refused")
                                     else Callback.SATISFIED)
    if fate != "redo":
        return
    # 重办: the case is back with the office; handled again, answered and finished again.
    handled = _handle_case(rng, player, calendar, order.case, moment, cutoff, hours=(3, 12))
    finished = handled and _answer_and_finish(rng, order, handled, cutoff, admin, REDO_ANSWERS, later)
    if finished is None:
        return
    moment = later(finished, rng.uniform(4, 16))
    if moment < cutoff:
        with clock.pinned(moment):
            services.record_callback(order, by=admin, rating=Callback.BASIC)


def _answer_and_finish(rng: random.Random, order: WorkOrder, moment: dt.datetime, cutoff: dt.datetime, admin: User,
                       answers: list[str], later: Callable[[dt.datetime, float], dt.datetime]) -> dt.datetime | None:
    moment = later(moment, rng.uniform(0.5, 2))
    if moment >= cutoff:
        return None
    with clock.pinned(moment):
        services.answer_order(order, by=admin, answer=rng.choice(answers))
    moment = moment + dt.timedelta(minutes=rng.randint(10, 60))
    if moment >= cutoff:
        return None
    with clock.pinned(moment):
        services.finish_order(order, by=admin)
    return moment


def _handle_case(rng: random.Random, player: CasePlayer, calendar: WorkCalendar, case: Case, moment: dt.datetime,
                 cutoff: dt.datetime, *, hours: tuple[float, float]) -> dt.datetime | None:
    """Accept and dispatch the case, rectified by the unit, verified by an inspector; the moment
    it was verified, or None when the cutoff came first."""
    admin = player.users["street_admin"]
    moment = moment + dt.timedelta(minutes=rng.randint(5, 40))
    if moment >= cutoff:
        return None
    with clock.pinned(moment):
        case.refresh_from_db()
        if case.state == State.REPORTED:
            cases.accept_case(case, by=admin)
        cases.dispatch_case(case, by=admin, unit=player.right_unit(case))
    moment = calendar.add_working_seconds(moment, rng.uniform(*hours) * HOUR).replace(microsecond=0)
    if moment >= cutoff:
        return None
    handler = player.handler_for(case)
    with clock.pinned(moment):
        case.refresh_from_db()
        # Each rectification its own picture (a redone order's case is rectified twice).
        picture = scene_jpeg(case.category.code, tidy=True, key=f"after {case.number} {case.version}")
        after = SimpleUploadedFile("after.jpg", picture, content_type="image/jpeg")
        with accepted_uploads([after], by=handler, place=place_of(case)) as photos:
            cases.rectify_case(case, by=handler, photos=photos)
    moment = calendar.add_working_seconds(moment, rng.uniform(1, 6) * HOUR).replace(microsecond=0)
    if moment >= cutoff:
        return None
    verifier = next((u for _name, u in sorted(player.users.items()) if u.role == Role.INSPECTOR and u != handler),
                    admin)
    with clock.pinned(moment):
        case.refresh_from_db()
        cases.verify_case(case, by=verifier)
    return moment
