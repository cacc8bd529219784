"""The demo's problem list from above: the district 创城办's covert visit (暗访) of three weeks ago,
about twenty problems at the street's points, with its deadline passed. Most problems were fixed
and verified on site; two are rectified and wait for verification; the rest are still open and
overdue; three named no unit and were dispatched by the office. Entered and played through the
same services as the pages, with the clock pinned to each moment, so the 销号 report tells what
the pages show."""

from __future__ import annotations

import datetime as dt
import random

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category, State
from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.evidence.services import accept_photo, prepare_photo
from chuangcheng.org.models import Region, Role, User
from chuangcheng.places.models import Point
from chuangcheng.problems import services
from chuangcheng.problems.models import Kind, Problem

REFERENCE = "回创城办〔2026〕27号"
ISSUER = "回民区创城办"
PROBLEMS = 20
ISSUED_DAYS_AGO = 21
DAYS_TO_FIX = 10
# How the problems end: verified, rectified and waiting, still open (by row, after the shuffle).
VERIFIED = 13
RECTIFIED = 2
# What a covert visit finds, by category code, with the words of the list.
FINDINGS = [
    ("SR02", "垃圾桶满溢，周边地面散落生活垃圾"),
    ("XC01", "电线杆、墙面张贴小广告多处"),
    ("JM04", "沿街商户店外经营，占用人行道"),
    ("JM06", "非机动车乱停乱放，堵塞盲道"),
    ("SR06", "绿地内有垃圾杂物，未及时清理"),
    ("JM14", "楼道内堆放杂物，存在消防隐患"),
    ("SR03", "背街小巷积存建筑垃圾渣土"),
    ("XC05", "门头招牌破损，存在安全隐患"),
    ("SR01", "私搭乱建彩钢板房，占用公共空间"),
]


def add_problem_lists(*, seed: int = 1) -> int:
    """Enter the district's list and play its problems; how many problems. Nothing without the street."""
    street = Region.objects.filter(code=STREET_CODE).first()
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street).order_by("username").first()
    inspector = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username").first()
    if street is None or admin is None or inspector is None:
        return 0
    rng = random.Random(f"problems-{seed}")
    categories = {c.code: c for c in Category.objects.filter(code__in=[code for code, _ in FINDINGS])}
    findings = [(categories[code], text) for code, text in FINDINGS if code in categories]
    points = list(Point.objects.filter(grid__path__startswith=street.path, active=True)
                  .select_related("primary_unit", "grid").order_by("code"))
    if not findings or not points:
        return 0
    today = clock.today()
    issued = today - dt.timedelta(days=ISSUED_DAYS_AGO)
    entered_at = clock.start_of(issued + dt.timedelta(days=1)) + dt.timedelta(hours=9, minutes=30)
    chosen = rng.sample(points, min(PROBLEMS, len(points)))
    rows: list[services.ProblemInput] = []
    for row, point in enumerate(chosen, start=1):
        category, text = findings[(row - 1) % len(findings)]
        key = f"problem-list-{seed}-{row}"
        photo = prepare_photo(scene_jpeg(category.code, tidy=False, key=key), filename=f"{row:02d}.jpg")
        # Three problems name no unit: the office dispatches them after entering the list.
        unit = None if row % 7 == 3 else point.primary_unit
        rows.append(services.ProblemInput(row=row, place=point.name, description=f"{point.name}{text}",
                                          category=category, point=point, unit=unit, photos=[photo]))
    header = services.ListHeader(street=street, reference=REFERENCE, issuer=ISSUER, kind=Kind.COVERT,
                                 issued_on=issued, deadline=issued + dt.timedelta(days=DAYS_TO_FIX),
                                 note="2026年第四季度第二轮暗访反馈问题，请于期限内整改并报送销号材料。")
    with clock.pinned(entered_at):
        batch = services.enter_problem_list(header, rows, by=admin)
    with clock.pinned(entered_at + dt.timedelta(hours=2)):
        for problem in batch.problems.select_related("case", "point__primary_unit").filter(unit__isnull=True):
            assert problem.point is not None  # noqa: S101 - every demo problem is at a point
            services.dispatch_problem(problem, by=admin, unit=problem.point.primary_unit)
    order = list(batch.problems.select_related("case", "category").order_by("row"))
    rng.shuffle(order)
    for index, problem in enumerate(order[: VERIFIED + RECTIFIED]):
        _fix(problem, admin=admin, inspector=inspector, seed=seed, day=rng.randint(2, DAYS_TO_FIX + 5),
             verify=index < VERIFIED, entered_at=entered_at)
    return len(order)


def _fix(problem: Problem, *, admin: User, inspector: User, seed: int, day: int, verify: bool,
         entered_at: dt.datetime) -> None:
    case = problem.case
    assert case is not None  # noqa: S101 - every entered problem has its case
    handler = (User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit=case.unit_id)
               .order_by("username").first()) or admin
    moment = entered_at + dt.timedelta(days=day, hours=5)
    if moment.date() >= clock.today():
        moment = clock.start_of(clock.today() - dt.timedelta(days=1)) + dt.timedelta(hours=15)
    with clock.pinned(moment):
        case.refresh_from_db()
        after = accept_photo(scene_jpeg(case.category.code, tidy=True, key=f"problem-fixed-{seed}-{problem.row}"),
                             filename=f"{problem.row:02d}-after.jpg", by=handler)
        cases.rectify_case(case, by=handler, photos=[after], note=_NOTES[problem.row % len(_NOTES)])
    if verify:
        with clock.pinned(moment + dt.timedelta(hours=18)):
            case.refresh_from_db()
            if case.state == State.RECTIFIED:
                cases.verify_case(case, by=inspector, note="现场核查，已整改到位")


_NOTES = [
    "已组织人员清理完毕，并安排专人每日巡查保洁。",
    "已全部铲除，墙面重新粉刷，纳入日常巡查。",
    "已约谈商户，物品全部收回店内，签订门前三包责任书。",
    "已规范停放，增设停车引导标识。",
    "已清运完毕，后续由物业每日巡查。",
]
