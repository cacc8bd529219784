"""Eight weeks of cases for the demo subdistrict, so every list, map, deadline and report has
something to show.

Two steps, like the rest of the demo. `plan_cases` draws every problem from the demo's seed into
plain records: the working day and moment it was reported, category, source, place, reporter,
description and its story (the actions it went through). `CasePlayer` then plays each story
through the case services with the clock pinned to the moment each action happened, so the event
log, deadlines, numbers and photos are exactly what the services write in real use. The cases an
inspection found are opened by a failed item of that day's inspection rounds (demo.inspections,
which also keeps the clock); their stories go on from dispatched. Older cases are mostly closed;
the last days leave cases in every open state, some past their deadline and some due soon.
History stops at midnight before today, so one seed and one day give the same numbers,
categories and states."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, Category, Resolution, Severity, Source, State
from chuangcheng.core import clock
from chuangcheng.core.workcal import NATURAL_UNITS, WorkCalendar
from chuangcheng.demo.layout import Box
from chuangcheng.demo.plan import STREET_CODE, DemoPlan, PlannedPoint
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.evidence.services import accept_photo
from chuangcheng.evidence.uploads import watermark_for
from chuangcheng.org.models import Region, Role, Unit, User
from chuangcheng.places.models import Point

WEEKS = 8
HOUR = 3600.0
DAY = 7 * HOUR  # a working day of the default office hours, for spacing actions days apart

# --- what a case goes through ---------------------------------------------------------------

# The actions of each kind of story, in order. A case that is still open stops part-way.
STORIES: dict[str, tuple[str, ...]] = {
    "plain": ("accept", "dispatch", "start", "rectify", "verify"),
    "direct": ("accept", "dispatch", "rectify", "verify"),  # rectified without taking it on first
    "late": ("accept", "dispatch", "start", "rectify_late", "verify"),
    "rework": ("accept", "dispatch", "start", "rectify", "return_for_rework", "rectify", "verify"),
    "send_back": ("accept", "dispatch_wrong", "send_back", "dispatch", "start", "rectify", "verify"),
    "redispatch": ("accept", "dispatch_wrong", "redispatch", "start", "rectify", "verify"),
    "granted": ("accept", "dispatch", "start", "request_extension", "grant_extension", "rectify", "verify"),
    "denied": ("accept", "dispatch", "start", "request_extension", "deny_extension", "rectify_late", "verify"),
    "asking": ("accept", "dispatch", "start", "request_extension"),
    "suspended": ("accept", "dispatch", "start", "suspend", "resume", "rectify", "verify"),
    "reopened": ("accept", "dispatch", "start", "rectify", "verify", "reopen", "start", "rectify", "verify"),
    "rejected": ("reject",),
    "duplicate": ("reject_duplicate",),
    # Given more time until a moment just after the build, so the case is due soon when shown.
    "due_soon": ("accept", "dispatch", "start", "request_extension", "grant_soon"),
}
# The state each action leaves a case in (None: unchanged; "back": the state before suspension).
AFTER: dict[str, str | None] = {
    "accept": State.ACCEPTED, "reject": State.REJECTED, "reject_duplicate": State.REJECTED,
    "dispatch": State.DISPATCHED, "dispatch_wrong": State.DISPATCHED, "redispatch": State.DISPATCHED,
    "send_back": State.ACCEPTED, "start": State.RECTIFYING, "rectify": State.RECTIFIED,
    "rectify_late": State.RECTIFIED, "verify": State.CLOSED, "return_for_rework": State.RECTIFYING,
    "request_extension": None, "grant_extension": None, "deny_extension": None, "grant_soon": None,
    "suspend": State.SUSPENDED, "resume": "back", "reopen": State.DISPATCHED,
}
# How a story usually goes, for cases that are not rejected.
VARIANT_WEIGHTS = {"plain": 46, "direct": 10, "late": 12, "rework": 9, "send_back": 5, "redispatch": 4,
                   "granted": 5, "denied": 3, "reopened": 3}
# Where a case ends, by how many working days before the last planned day it was reported.
OUTCOMES_OLD = {State.CLOSED: 87, State.REJECTED: 7, State.SUSPENDED: 1.5, State.RECTIFYING: 2,
                State.DISPATCHED: 1.5, State.RECTIFIED: 1}
OUTCOMES_RECENT = {State.CLOSED: 62, State.REJECTED: 7, State.RECTIFIED: 9, State.RECTIFYING: 10,
                   State.DISPATCHED: 7, State.ACCEPTED: 2, State.SUSPENDED: 1, State.REPORTED: 2}
OUTCOMES_NEW = {State.CLOSED: 12, State.REJECTED: 6, State.RECTIFIED: 12, State.RECTIFYING: 16,
                State.DISPATCHED: 18, State.ACCEPTED: 16, State.REPORTED: 20}
# Stories every demo shows at least once: (story, end state, youngest and oldest age in working days).
REQUIRED: list[tuple[str, str, int, int]] = [
    ("rework", State.CLOSED, 20, 99), ("send_back", State.CLOSED, 20, 99), ("redispatch", State.CLOSED, 20, 99),
    ("granted", State.CLOSED, 20, 99), ("denied", State.CLOSED, 20, 99), ("suspended", State.CLOSED, 20, 99),
    ("suspended", State.SUSPENDED, 15, 99), ("reopened", State.CLOSED, 20, 99),
    ("reopened", State.DISPATCHED, 20, 99), ("late", State.CLOSED, 12, 99),
    ("rejected", State.REJECTED, 5, 99), ("duplicate", State.REJECTED, 5, 99),
    ("plain", State.REPORTED, 0, 0), ("plain", State.ACCEPTED, 1, 3), ("plain", State.DISPATCHED, 1, 3),
    ("plain", State.RECTIFYING, 2, 4), ("plain", State.RECTIFIED, 2, 4), ("rework", State.RECTIFYING, 3, 6),
    ("send_back", State.ACCEPTED, 3, 6), ("asking", State.RECTIFYING, 3, 6),
    ("due_soon", State.RECTIFYING, 4, 8), ("due_soon", State.RECTIFYING, 4, 8),
    ("plain", State.RECTIFYING, 6, 12), ("plain", State.DISPATCHED, 6, 12),  # overdue
]

# --- what a case says ---------------------------------------------------------------------

CATEGORY_WEIGHT_BY_GROUP = {"SR": 4.0, "JM": 3.0, "XC": 2.5, "BJ": 2.0, "SG": 1.2, "WM": 1.2, "TF": 0.4}
CAMPAIGN_WEIGHT = 12.0  # the 四乱 the campaign is about
# Where a case opened by a failed inspection item never ends: it is dispatched when reported.
NOT_BY_INSPECTION = {State.REPORTED, State.ACCEPTED, State.REJECTED}
SOURCES = {Source.INSPECTION: 64, Source.STAFF: 10, Source.RESIDENT: 12, Source.HOTLINE: 10, Source.LEADER: 6}
POINT_SHARE = 0.85

# Point types where a problem of the category is usually found (by category code, then group).
FITTING_TYPES: dict[str, tuple[str, ...]] = {
    "SG": ("SITE",),
    "SR01": ("COMPOUND", "URBAN_VILLAGE"), "SR15": ("COMPOUND", "URBAN_VILLAGE"), "JM11": ("COMPOUND", "BACK_LANE"),
    "JM14": ("COMPOUND",), "JM15": ("COMPOUND", "URBAN_VILLAGE"),
    "JM04": ("COMMERCE", "MARKET", "ROAD_MAIN"), "JM08": ("COMMERCE", "MARKET"), "JM10": ("COMMERCE", "BACK_LANE"),
    "XC02": ("COMMERCE", "ROAD_MAIN"), "XC03": ("COMMERCE", "ROAD_MAIN"), "SR13": ("COMMERCE", "BACK_LANE"),
    "JM05": ("ROAD_MAIN", "CROSSING", "COMPOUND", "SCHOOL", "MARKET", "HOSPITAL"),
    "JM06": ("BUS_STOP", "ROAD_MAIN", "COMMERCE", "CROSSING", "STATION"),
    "JM09": ("STATION", "BUS_STOP", "HOSPITAL"), "WM02": ("CROSSING", "SCHOOL"), "WM03": ("CROSSING", "BUS_STOP"),
    "BJ02": ("BUS_STOP", "ROAD_MAIN", "STATION"), "BJ03": ("TOILET", "SANITATION", "PARK_SQUARE"),
    "BJ04": ("PARK_SQUARE", "SCENIC", "COMPOUND"), "SR05": ("PARK_SQUARE", "SCENIC"), "SR06": ("PARK_SQUARE",),
    "XC01": ("COMPOUND", "BACK_LANE", "BUS_STOP"),
    "SR02": ("COMPOUND", "BACK_LANE", "MARKET", "SANITATION", "URBAN_VILLAGE"),
    "SR03": ("BACK_LANE", "URBAN_VILLAGE", "COMPOUND"),
}
SPOTS: dict[str, tuple[str, ...]] = {
    "COMPOUND": ("东门口", "{n}号楼单元门前", "院内停车区", "垃圾分类亭旁", "北侧围墙边", "地下车库入口"),
    "BUS_STOP": ("站台旁", "候车亭后侧", "站牌附近"),
    "ROAD_MAIN": ("人行道上", "沿街商铺门前", "非机动车道旁"),
    "CROSSING": ("东南角", "西北角人行道", "斑马线附近"),
    "MARKET": ("入口处", "东侧通道", "门前停车场"),
    "SCHOOL": ("校门口", "校门东侧人行道", "接送等候区"),
    "BACK_LANE": ("巷口", "巷内中段", "巷子北头"),
    "": ("门口", "东侧", "西侧", "南侧", "北侧", "周边"),
}
# Categories whose words already say where in the place the problem is: only the building is named.
INDOORS = {"JM14", "JM15", "XC01"}
SUBJECTS: dict[str, tuple[str, ...]] = {
    "SR01": ("有住户私自搭建彩钢板房", "楼顶新建违章阳光房，正在施工", "私搭乱建简易棚"),
    "SR02": ("垃圾桶满溢，周边散落生活垃圾", "有一堆生活垃圾未装袋直接堆放在地面",
             "绿化带内有塑料袋、饮料瓶等暴露垃圾"),
    "SR03": ("堆放装修垃圾和渣土，长期未清运", "墙角积存大量建筑渣土"),
    "SR04": ("路面有油污和大量烟头、纸屑", "人行道落叶、泥土未清扫"),
    "SR05": ("景观水池内漂浮垃圾和落叶", "排水渠内淤积杂物"),
    "SR06": ("绿地内杂草丛生，夹杂生活垃圾", "绿化带被踩踏，有垃圾和杂物"),
    "SR07": ("停放一辆积灰严重的废弃轿车，长期无人挪动", "有报废电动三轮车长期占用车位"),
    "SR08": ("有旧沙发、床垫等废弃家具随意丢弃", "堆放废旧冰箱和柜子"),
    "SR09": ("人行道地砖松动破损，多处坑洼", "路面出现坑槽，雨天积水"),
    "SR10": ("渣土车经过后路面有泥土遗撒", "路面遗撒砂石"),
    "SR11": ("楼体外墙污渍明显，局部墙皮脱落", "临街商铺外立面污损"),
    "SR12": ("有人焚烧树叶和垃圾，烟雾较大", "有人露天焚烧废纸箱"),
    "SR13": ("临街餐馆油烟直排，无净化设施", "餐饮店排烟管道滴油，油烟扰民"),
    "SR14": ("路边有一只死猫", "绿化带内有动物尸体"),
    "SR15": ("有居民散养鸡鸭", "有人私自搭棚饲养家禽"),
    "XC01": ("墙面、电线杆上张贴大量小广告", "单元门和楼道内喷涂办证、开锁小广告", "公交站牌上贴满小广告"),
    "XC02": ("商铺违规设置落地广告牌", "未经审批悬挂横幅广告"),
    "XC03": ("商户在人行道摆放立式广告牌", "店外占道摆放易拉宝"),
    "XC04": ("有人散发传单，地面散落较多", "有人向行人散发楼盘广告单"),
    "XC05": ("商铺招牌字体脱落、灯箱破损", "广告牌面破损，有掉落风险"),
    "XC06": ("公益广告画面褪色破损", "围挡上的公益广告缺失"),
    "SG01": ("施工机械噪声大，居民反映强烈",),
    "SG02": ("施工现场裸土未覆盖，扬尘明显", "施工现场未洒水降尘"),
    "SG03": ("施工废料堆放在围挡外", "工地出口堆放建筑垃圾"),
    "SG04": ("施工材料占用人行道", "施工围挡超范围占用车行道"),
    "SG05": ("有人擅自开挖路面", "路面开挖后未设置警示标志"),
    "JM01": ("流动商贩占道摆摊售卖水果", "游商推车占用人行道经营"),
    "JM02": ("有人占道卖艺，围观人员较多", "有人沿街乞讨"),
    "JM03": ("废品收购点占道堆放纸箱、旧家电", "收废品三轮车长期占道"),
    "JM04": ("商户在店外摆放货架经营", "餐馆在店外摆桌占道经营", "店外堆放商品，占用人行道"),
    "JM05": ("多辆机动车停放在人行道上", "机动车占用消防通道停放", "车辆违停堵塞出入口"),
    "JM06": ("共享单车大量堆积，倒伏杂乱", "电动自行车随意停放，占用盲道", "共享单车停放在机动车道上"),
    "JM07": ("有人在路边堆放杂物", "堆放建材杂物"),
    "JM08": ("商铺门口音响声音过大", "店铺用喇叭循环叫卖"),
    "JM09": ("有无证车辆聚集拉客", "黑车在路边拉客"),
    "JM10": ("有商户露天烧烤，油烟较大", "店外设置露天烧烤摊"),
    "JM11": ("居民在临街护栏上晾晒衣物", "树木间拉绳晾晒被褥"),
    "JM12": ("报刊亭售卖来路不明的出版物",),
    "JM13": ("临街空调外机安装过低，滴水影响行人",),
    "JM14": ("楼道内堆放纸箱、旧家具等杂物", "单元楼道停放电动车、堆放杂物，堵塞通道"),
    "JM15": ("有住户从楼上私拉电线给电动车充电", "楼道内飞线充电，存在火灾隐患"),
    "TF01": ("路面出现塌陷坑洞", "人行道局部下沉塌陷"),
    "TF02": ("地下自来水管破裂，路面冒水", "供水管道漏水严重"),
    "TF03": ("闻到明显燃气味，疑似管道泄漏",),
    "TF04": ("下水道堵塞，污水外溢", "检查井污水冒溢"),
    "TF05": ("供热管道破裂，冒出大量热气",),
    "TF06": ("路面大面积积水，行人无法通行",),
    "TF07": ("路面积雪结冰，行人易滑倒", "人行道积雪未清理"),
    "TF08": ("架空线缆下垂，离地面过低", "通信线缆断落在路边"),
    "BJ01": ("井盖缺失", "路灯不亮", "消防栓被圈占"),
    "BJ02": ("公交候车亭玻璃破损", "交通标志牌倾斜", "道路护栏损坏倒伏"),
    "BJ03": ("垃圾桶破损无盖", "公厕门锁损坏", "灯箱破损"),
    "BJ04": ("行道树枝干折断", "公园座椅损坏"),
    "BJ05": ("宣传栏玻璃破损", "治安岗亭门窗损坏"),
    "WM01": ("有人随地吐痰、乱扔烟头", "有人在公共场所大声喧哗"),
    "WM02": ("行人闯红灯现象较多", "电动车逆行较多"),
    "WM03": ("文明交通志愿服务岗无人值守", "志愿服务站点未按时开放"),
    "WM04": ("无障碍坡道被车辆占用", "盲道被占用，部分缺失"),
    "SR99": ("有卫生死角未及时清理", "保洁不到位，有积存垃圾"),
    "SG99": ("施工现场管理不规范",),
    "JM99": ("现场秩序管理不到位，较为杂乱",),
    "TF99": ("有突发情况需要现场处置",),
    "BJ99": ("公共设施损坏未及时维修",),
    "WM99": ("测评要求落实不到位", "相关设施和宣传不符合测评要求"),
}
IMPACTS: dict[str, tuple[str, ...]] = {
    "SR": ("影响市容环境", "异味明显，周边居民意见较大", "影响测评点位形象"),
    "XC": ("影响街面整洁", "影响市容观感"),
    "SG": ("影响周边居民正常生活", "存在安全隐患"),
    "JM": ("影响行人通行", "影响街面秩序", "占用人行道和盲道"),
    "TF": ("存在安全隐患，需立即处置", "影响居民出行"),
    "BJ": ("存在安全隐患", "影响正常使用"),
    "WM": ("影响文明城市测评", "群众反映较多"),
}
OPENINGS: dict[str, tuple[str, ...]] = {
    Source.INSPECTION: ("巡查发现：", "日常督查发现，", ""),
    Source.STAFF: ("网格员巡查发现，", "网格员走访时发现，"),
    Source.RESIDENT: ("居民反映：", "有居民到社区反映，"),
    Source.HOTLINE: ("12345热线转办：市民来电反映，", "市民热线反映，"),
    Source.LEADER: ("街道领导检查时发现，", "领导督办："),
}
CLOSINGS = ("请尽快处理。", "请责任单位限时整改。", "已拍照留存，请跟进处理。", "")

REJECT_REASONS = ("经现场核实，该位置不在本街道辖区，已告知反映人向所属街道反映。",
                  "经核实，该处为铁路部门管理区域，不属于本街道处置范围。",
                  "经现场核实，未发现所反映的问题。")
SEND_BACK_REASONS = ("该点位不属于我单位管理范围，请重新派遣。", "经核实，该处由其他单位负责养护，申请退回。")
EXTENSION_REASONS = ("需协调产权单位共同处理，申请延期。", "所需材料正在采购，申请延长整改时限。",
                     "近期连续降雨，无法施工，申请延期。")
DENY_NOTES = ("问题影响较大，请按原时限完成。", "未说明具体困难，不同意延期。")
SUSPEND_REASONS = ("涉及历史遗留产权问题，需区级部门协调，暂时挂账。", "需纳入老旧小区改造计划统一解决，挂账处理。")
REWORK_NOTES = ("复查发现仍有部分垃圾未清理干净，请彻底整改。", "整改不彻底，现场仍有残留，请返工。",
                "整改后照片与现场情况不符，请重新整改。")
REOPEN_NOTES = ("回访发现问题反弹，重新交办。", "复查时发现同一位置问题再次出现。")
RECTIFY_NOTES = {"SR": "已清理完毕，附整改后照片。", "XC": "已清除，附整改后照片。", "JM": "已劝导规范，附整改后照片。",
                 "BJ": "已维修完成，附整改后照片。", "TF": "已抢修完成，附现场照片。", "SG": "已督促施工单位整改到位。",
                 "WM": "已劝导并加强值守。"}
VERIFY_NOTES = ("现场核查已整改到位。", "经复查，整改到位，同意结案。", "")


@dataclass(frozen=True)
class CategoryInfo:
    """What the plan needs of a problem category (a second-level one)."""

    code: str
    name: str
    campaign: str = ""
    limit_amount: int = 1
    limit_unit: str = "working_days"

    @property
    def group(self) -> str:
        return self.code[:2]

    @property
    def quick(self) -> bool:
        """Due within two working days: a story on it fits in a few weeks."""
        return self.limit_unit != "working_days" or self.limit_amount <= 2


@dataclass(frozen=True)
class PlannedCase:
    key: str  # the plan's name for the case ("20260105-03"), also the seed of its photos
    day: dt.date
    at: float  # how far into the day's office hours it was reported, 0 to 1
    age: int  # working days before the last planned day
    category_code: str
    source: str
    severity: str
    grid_code: str
    point_code: str | None
    lon: float | None
    lat: float | None
    address: str
    description: str
    reporter: str  # usernames
    triager: str
    inspector: str
    story: tuple[str, ...]
    duplicate_of: str = ""  # the key of the case it repeats


def case_days(calendar: WorkCalendar, today: dt.date, weeks: int = WEEKS) -> list[dt.date]:
    """The working days of the `weeks` weeks before `today`, oldest first."""
    first = today - dt.timedelta(weeks=weeks)
    span = (today - first).days
    return [day for day in (first + dt.timedelta(days=n) for n in range(span)) if calendar.is_working_day(day)]


def plan_cases(seed: int, plan: DemoPlan, categories: Sequence[CategoryInfo], days: Sequence[dt.date],
               inspectable: Mapping[str, Sequence[str]] | None = None) -> list[PlannedCase]:
    """Every case, oldest first, drawn from the seed alone (and the days and categories given).
    `inspectable`: category code → the point types with a check item whose failure is reported
    under it (the catalog and inspections/data/item_categories.json); a problem an inspection
    finds is of one of those categories, at a point of one of those types. None: any."""
    return _CasePlanner(seed, plan, categories, days, inspectable).plan()


def story_state(story: Sequence[str]) -> str:
    """The state a case is in after the story's actions."""
    state: str = State.REPORTED
    before: str = State.REPORTED
    for action in story:
        after = AFTER[action]
        if after == "back":
            state = before
        elif after is not None:
            if after == State.SUSPENDED:
                before = state
            state = after
    return state


def opens_by_inspection(story: Sequence[str]) -> bool:
    """Whether the story can begin with a failed inspection item: those cases are accepted and
    dispatched by the system the moment they are reported."""
    return tuple(story[:2]) == ("accept", "dispatch")


def cut_story(story: Sequence[str], end: str) -> tuple[str, ...] | None:
    """The longest beginning of the story that leaves the case in `end` (None: none does)."""
    for length in range(len(story), -1, -1):
        if story_state(story[:length]) == end:
            return tuple(story[:length])
    return None


def describe(rng: random.Random, category: CategoryInfo, source: str, severity: str, point: PlannedPoint | None,
             address: str) -> str:
    """What the reporter wrote: where, what, why it matters, and what they ask."""
    if point is not None:
        spots = ("{n}号楼",) if category.code in INDOORS and point.type_code == "COMPOUND" else (
            SPOTS.get(point.type_code) or SPOTS[""])
        spot = rng.choice(spots).replace("{n}", str(rng.randint(1, 12)))
        where = f"{point.name}{spot}"
    else:
        where = address
    subject = rng.choice(SUBJECTS.get(category.code) or (_problem(category.name),))
    impact = rng.choice(IMPACTS.get(category.group) or ("需要处理",))
    closing = rng.choice(CLOSINGS)
    if severity == Severity.URGENT:
        closing = "情况紧急，" + (closing or "请立即处置。")
    return f"{rng.choice(OPENINGS[source])}{where}{subject}，{impact}。{closing}"


def _problem(name: str) -> str:
    """“存在…问题” for a category without its own wording, never “问题问题” nor an “其他” lead-in."""
    name = name.removeprefix("其他").removesuffix("问题") or name
    return f"存在{name}问题"


class _CasePlanner:
    def __init__(self, seed: int, plan: DemoPlan, categories: Sequence[CategoryInfo],
                 days: Sequence[dt.date], inspectable: Mapping[str, Sequence[str]] | None = None) -> None:
        self.rng = random.Random(f"demo cases {seed}")
        self.days = list(days)
        self.categories = [c for c in categories if c.code]
        self.weights = [self._weight(c) for c in self.categories]
        self.inspectable = dict(inspectable) if inspectable is not None else None
        found = [c for c in self.categories if self.inspectable is None or self.inspectable.get(c.code)]
        self.found_by_inspection = found or self.categories
        self.found_weights = [self._weight(c) for c in self.found_by_inspection]
        self.quality = dict(plan.quality)
        self.points = list(plan.points)
        self.points_by_type: dict[str, list[PlannedPoint]] = {}
        for point in self.points:
            self.points_by_type.setdefault(point.type_code, []).append(point)
        self.points_by_grid: dict[str, list[PlannedPoint]] = {}
        for point in self.points:
            self.points_by_grid.setdefault(point.grid_code, []).append(point)
        regions = {r.code: r for r in plan.regions}
        self.grids = [r for r in plan.regions if r.parent_code and regions[r.parent_code].parent_code == STREET_CODE]
        self.community_of = {g.code: g.parent_code or "" for g in self.grids}
        self.boxes = {g.code: _box(g.boundary) for g in self.grids}
        self.logins: dict[tuple[str, str], list[str]] = {}
        for login in plan.logins:
            self.logins.setdefault((login.role, login.scope_code), []).append(login.username)
        self.inspectors = self.logins.get((Role.INSPECTOR, STREET_CODE), [])

    @staticmethod
    def _weight(category: CategoryInfo) -> float:
        if category.campaign:
            return CAMPAIGN_WEIGHT
        return CATEGORY_WEIGHT_BY_GROUP.get(category.group, 1.0)

    def plan(self) -> list[PlannedCase]:
        if not self.categories or not self.grids:
            return []
        cases: list[PlannedCase] = []
        last = len(self.days) - 1
        for index, day in enumerate(self.days):
            after_break = index == 0 or (day - self.days[index - 1]).days > 1
            count = self.rng.randint(7, 9) if after_break else self.rng.randint(4, 7)
            moments = sorted(round(self.rng.uniform(0.03, 0.97), 4) for _ in range(count))
            for number, at in enumerate(moments, start=1):
                cases.append(self._case(f"{day:%Y%m%d}-{number:02d}", day, at, last - index))
        self._require(cases)
        self._some_urgent(cases)
        return self._link_duplicates(cases)

    def _some_urgent(self, cases: list[PlannedCase]) -> None:
        """Every history shows an urgent case: an inspection's finding is reported as normal, so when
        chance gave the urgent ones only to inspections, one reported some other way becomes urgent."""
        # (A duplicate takes its severity from the case it repeats.)
        others = [i for i, case in enumerate(cases)
                  if case.source != Source.INSPECTION and case.story != STORIES["duplicate"]]
        if not others or any(cases[i].severity == Severity.URGENT for i in others):
            return
        index = self.rng.choice(others)
        case = cases[index]
        category = next(c for c in self.categories if c.code == case.category_code)
        point = next((p for p in self.points if p.code == case.point_code), None)
        cases[index] = replace(case, severity=Severity.URGENT, description=self._description(
            category, case.source, Severity.URGENT, point, case.address))

    def _case(self, key: str, day: dt.date, at: float, age: int) -> PlannedCase:
        rng = self.rng
        category = rng.choices(self.categories, weights=self.weights)[0]
        source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        if source == Source.INSPECTION and self.inspectable is not None and not self.inspectable.get(category.code):
            # An inspection finds what its checklist asks about: a category some item fails under.
            category = rng.choices(self.found_by_inspection, weights=self.found_weights)[0]
        severity = Severity.URGENT if rng.random() < (0.5 if category.group == "TF" else 0.05) else Severity.NORMAL
        point, grid_code, lon, lat, address = self._place(category, at_point=source == Source.INSPECTION)
        reporter, triager = self._people(source, grid_code)
        return PlannedCase(
            key=key, day=day, at=at, age=age, category_code=category.code, source=source, severity=severity,
            grid_code=grid_code, point_code=point.code if point else None, lon=lon, lat=lat, address=address,
            description=self._description(category, source, severity, point, address),
            reporter=reporter, triager=triager,
            inspector=rng.choice(self.inspectors) if self.inspectors else "street_admin",
            story=self._story(age, inspection=source == Source.INSPECTION),
        )

    def _people(self, source: str, grid_code: str) -> tuple[str, str]:
        """Who reports a case (someone whose scope covers the grid) and who triages it."""
        community = self.community_of[grid_code]
        reporter = self._reporter(source, grid_code, community)
        triager = self._one(Role.COMMUNITY_ADMIN, community) if self.rng.random() < 0.65 else "street_admin"
        return reporter, triager

    def _place(self, category: CategoryInfo, *, at_point: bool = False
               ) -> tuple[PlannedPoint | None, str, float | None, float | None, str]:
        rng = self.rng
        if rng.random() < POINT_SHARE or at_point:
            fitting = FITTING_TYPES.get(category.code) or FITTING_TYPES.get(category.group) or ()
            checked = (self.inspectable or {}).get(category.code, ()) if at_point else ()
            if checked:  # where the checklist has an item for it, the fitting types first
                fitting = tuple(t for t in fitting if t in checked) or tuple(checked)
            candidates = [p for t in fitting for p in self.points_by_type.get(t, [])]
            if not candidates or (not checked and rng.random() < 0.2):
                candidates = self.points
            if candidates:
                # Problems turn up more readily in some communities than in others.
                weights = [self.quality.get(self.community_of.get(p.grid_code, ""), 1.0) for p in candidates]
                point = rng.choices(candidates, weights=weights)[0]
                return point, point.grid_code, None, None, point.address
        grid = rng.choice(self.grids)
        lon, lat = self.boxes[grid.code].random_point(rng)
        nearby = self.points_by_grid.get(grid.code)
        address = f"{rng.choice(nearby).address}附近" if nearby else f"{grid.name}内"
        return None, grid.code, lon, lat, address

    def _description(self, category: CategoryInfo, source: str, severity: str, point: PlannedPoint | None,
                     address: str) -> str:
        return describe(self.rng, category, source, severity, point, address)

    def _one(self, role: str, scope_code: str) -> str:
        usernames = self.logins.get((role, scope_code))
        return self.rng.choice(usernames) if usernames else "street_admin"

    def _reporter(self, source: str, grid_code: str, community: str) -> str:
        rng = self.rng
        grid_worker = self._one(Role.GRID_WORKER, grid_code)
        if source == Source.INSPECTION:
            return rng.choice(self.inspectors) if self.inspectors and rng.random() < 0.5 else grid_worker
        if source == Source.STAFF:
            return grid_worker
        if source == Source.RESIDENT:
            return self._one(Role.COMMUNITY_ADMIN, community) if rng.random() < 0.6 else grid_worker
        if source == Source.HOTLINE:
            return "street_admin" if rng.random() < 0.5 else self._one(Role.COMMUNITY_ADMIN, community)
        return "leader"

    def _story(self, age: int, *, inspection: bool = False) -> tuple[str, ...]:
        """How the case goes. A failed inspection item is dispatched at once: never rejected, never
        left reported or accepted, never sent to the wrong unit first."""
        rng = self.rng
        outcomes = OUTCOMES_OLD if age >= 10 else OUTCOMES_RECENT if age >= 3 else OUTCOMES_NEW
        if inspection:
            outcomes = {end: weight for end, weight in outcomes.items() if end not in NOT_BY_INSPECTION}
        end = rng.choices(list(outcomes), weights=list(outcomes.values()))[0]
        if end == State.REJECTED:
            return STORIES["duplicate" if rng.random() < 0.35 else "rejected"]
        if end == State.SUSPENDED:
            return cut_story(STORIES["suspended"], end) or ()
        variants = {name: weight for name, weight in VARIANT_WEIGHTS.items() if (name != "reopened" or age >= 10)
                    and (not inspection or opens_by_inspection(STORIES[name]))}
        variant = rng.choices(list(variants), weights=list(variants.values()))[0]
        return cut_story(STORIES[variant], end) or cut_story(STORIES["plain"], end) or ()

    def _require(self, cases: list[PlannedCase]) -> None:
        """Give the stories every demo must show to cases of a fitting age and a quick category."""
        quick = {c.code for c in self.categories if c.quick}
        taken: set[int] = set()
        for name, end, youngest, oldest in REQUIRED:
            story = cut_story(STORIES[name], end) or ()
            fitting = [i for i, case in enumerate(cases) if youngest <= case.age <= oldest and i not in taken]
            if not opens_by_inspection(story):  # reported some other way, where there is one
                fitting = [i for i in fitting if cases[i].source != Source.INSPECTION] or fitting
            preferred = [i for i in fitting if cases[i].category_code in quick] or fitting
            if not preferred:
                continue
            index = self.rng.choice(preferred)
            taken.add(index)
            case = cases[index]
            if case.source == Source.INSPECTION and not opens_by_inspection(story):
                reporter, _triager = self._people(Source.STAFF, case.grid_code)
                case = replace(case, source=Source.STAFF, reporter=reporter)
            cases[index] = replace(case, story=story)

    def _link_duplicates(self, cases: list[PlannedCase]) -> list[PlannedCase]:
        """A duplicate is the problem of a case reported a little earlier, reported again."""
        categories = {c.code: c for c in self.categories}
        points = {p.code: p for p in self.points}
        for index, case in enumerate(cases):
            if case.story != STORIES["duplicate"] or index == 0:
                continue
            # Of a case reported some other way: where an inspection finds its problem is settled
            # only when the inspection happens.
            earlier = [c for c in cases[max(0, index - 12):index] if c.source != Source.INSPECTION]
            first = earlier[-self.rng.randint(1, min(6, len(earlier)))] if earlier else cases[index - 1]
            reporter, triager = self._people(case.source, first.grid_code)
            point = points.get(first.point_code or "")
            description = self._description(categories[first.category_code], case.source, first.severity, point,
                                            first.address)
            cases[index] = replace(
                case, category_code=first.category_code, grid_code=first.grid_code, point_code=first.point_code,
                lon=first.lon, lat=first.lat, address=first.address, severity=first.severity,
                description=description, reporter=reporter, triager=triager, duplicate_of=first.key,
            )
        return cases


def _box(boundary: str) -> Box:
    ring = json.loads(boundary)["coordinates"][0]
    lons, lats = [x for x, _y in ring], [y for _x, y in ring]
    return Box(min(lons), min(lats), max(lons), max(lats))


# --- playing the plan through the services -------------------------------------------------------


def categories_in_use() -> list[CategoryInfo]:
    leaves = Category.objects.filter(active=True, parent__isnull=False).order_by("sort_order", "code")
    return [CategoryInfo(c.code, c.name, c.campaign_label, c.limit_amount, c.limit_unit) for c in leaves]


class CasePlayer:
    """Writes planned cases through the services, action by action, at the moment each happened.
    The caller (demo.inspections) keeps the clock: it asks each story when its next action is due
    and takes the actions of all cases and inspections in the order they happened."""

    def __init__(self, calendar: WorkCalendar, *, now: dt.datetime, cutoff: dt.datetime) -> None:
        self.calendar = calendar
        self.now = now
        self.cutoff = cutoff
        self.users = {u.username: u for u in User.objects.select_related("scope", "person__unit")}
        self.handlers: dict[int, User] = {}
        for user in sorted(self.users.values(), key=lambda u: u.username):
            person = user.person
            if user.role == Role.UNIT_HANDLER and person is not None and person.unit_id is not None:
                self.handlers.setdefault(person.unit_id, user)
        self.points = {p.code: p for p in Point.objects.select_related("grid", "primary_unit")
                       .prefetch_related("cooperating_units")}
        self.grids = {g.code: g for g in Region.objects.filter(level=Region.Level.GRID)}
        self.categories = {c.code: c for c in Category.objects.all()}
        units = list(Unit.objects.filter(active=True).select_related("region").order_by("code"))
        self.committees = {u.region_id: u for u in units if u.kind == Unit.Kind.COMMUNITY}
        # Where a case goes by mistake first: a street-level unit with a handler who can send it back.
        self.street_units = [u for u in units if u.region.code == STREET_CODE and u.pk in self.handlers
                             and u.kind != Unit.Kind.LIAISON] or units
        self.numbers: dict[str, str] = {}
        # Who has a point in their plan on a day (set by the inspection rounds): a street inspector
        # there verifies the cases awaiting it on site.
        self.visitors: dict[tuple[dt.date, int], User] = {}

    def _user(self, username: str) -> User:
        return self.users.get(username) or self.users["street_admin"]

    # -- moments ------------------------------------------------------------------------------

    def report_moment(self, case: PlannedCase) -> dt.datetime:
        periods = self.calendar.periods(case.day)
        total = sum((closes - opens).total_seconds() for opens, closes in periods)
        moment = self.calendar.add_working_seconds(periods[0][0], total * case.at)
        return moment.replace(second=0, microsecond=0)

    def _later(self, moment: dt.datetime, seconds: float) -> dt.datetime:
        return self.calendar.add_working_seconds(moment, seconds).replace(microsecond=0)

    def _within_limit(self, case: Case, fraction: float) -> dt.datetime:
        """The moment `fraction` of the case's time limit is used (above 1: after the deadline)."""
        start, deadline = case.dispatched_at, case.deadline
        assert start is not None and deadline is not None  # noqa: S101 - a dispatched case has both
        if case.category.limit_unit in NATURAL_UNITS:
            return (start + (deadline - start) * fraction).replace(microsecond=0)
        span = self.calendar.working_seconds_between(start, deadline)
        return self._later(start, span * fraction)

    # -- playing ------------------------------------------------------------------------------

    def report(self, planned: PlannedCase, *, source: str | None = None, at: dt.datetime | None = None
               ) -> CaseStory:
        """Report a case found some other way than by an inspection, at its planned moment (or,
        `source` and `at` given, one no inspection could take, reported that other way then)."""
        at = at or self.report_moment(planned)
        reporter = self._user(planned.reporter)
        point = self.points.get(planned.point_code or "")
        grid = point.grid if point is not None else self.grids[planned.grid_code]
        category = self.categories[planned.category_code]
        place = point.name if point is not None else planned.address
        with clock.pinned(at):
            before = self._photo(planned, "before", category.code, reporter, place, tidy=False)
            case = services.report_case(
                by=reporter, source=source or planned.source, category=category, description=planned.description,
                point=point, grid=None if point is not None else grid, lon=planned.lon, lat=planned.lat,
                address=planned.address, severity=planned.severity, photos=[before],
            )
        self.numbers[planned.key] = case.number
        return CaseStory(self, planned, case, place, at=at, actions=planned.story)

    def adopt(self, planned: PlannedCase, case: Case, at: dt.datetime) -> CaseStory:
        """The story of a case a failed inspection item opened (accepted and dispatched already)."""
        self.numbers[planned.key] = case.number
        place = case.point.name if case.point is not None else case.address
        rest = planned.story[2:] if opens_by_inspection(planned.story) else ()
        return CaseStory(self, planned, case, place, at=at, actions=rest)

    def _photo(self, planned: PlannedCase, label: str, category_code: str, by: Any, place: str, *,
               tidy: bool) -> Any:
        key = f"demo {planned.key} {label}"
        return accept_photo(scene_jpeg(category_code, tidy=tidy, key=key), filename=f"{planned.key}-{label}.jpg",
                            by=by, watermark=watermark_for(place, by))

    def right_unit(self, case: Case) -> Unit:
        unit = services.suggest_unit(case)
        if unit is None:
            unit = self.committees.get(case.grid.parent_id or 0)
        if unit is None:
            unit = self.street_units[0]
        return unit

    def handler_for(self, case: Case) -> User:
        return self.handlers.get(case.unit_id or 0) or self.users["street_admin"]

    def triager_for(self, planned: PlannedCase, unit: Unit | None = None, grid: Region | None = None) -> User:
        """The case's triager, unless the unit is outside a community admin's view."""
        user = self._user(planned.triager)
        if user.role == Role.COMMUNITY_ADMIN and user.scope is not None and grid is not None \
                and not grid.path.startswith(user.scope.path):
            # The inspection found the problem in another community: its own admin triages.
            user = next((u for name, u in sorted(self.users.items()) if u.role == Role.COMMUNITY_ADMIN
                         and u.scope is not None and grid.path.startswith(u.scope.path)), self.users["street_admin"])
        if unit is not None and user.role == Role.COMMUNITY_ADMIN and user.scope is not None:
            region = unit.region
            if not (region.path.startswith(user.scope.path) or user.scope.path.startswith(region.path)):
                return self.users["street_admin"]
        return user


class CaseStory:
    """One case on its way: picks the moment of each action and takes it as the right person."""

    def __init__(self, player: CasePlayer, planned: PlannedCase, case: Case, place: str, *, at: dt.datetime,
                 actions: Sequence[str]) -> None:
        self.player = player
        self.planned = planned
        self.case = case
        self.rng = random.Random(planned.key)
        self.place = place
        self.rectified = 0
        self.last = at
        self.actions = list(actions)
        self.due: tuple[dt.datetime, str] | None = None

    def next_due(self) -> dt.datetime | None:
        """When the next action happens (None: the story is over, or goes on after the cutoff)."""
        if not self.actions:
            return None
        action = self.actions[0]
        at = max(self.next_moment(action, self.last), self.last + dt.timedelta(minutes=1))
        if at >= self.player.cutoff:
            self.actions = []
            return None
        self.due = (at, action)
        return at

    def step(self) -> None:
        """Take the action `next_due` announced, at its moment."""
        assert self.due is not None  # noqa: S101 - next_due comes first
        at, action = self.due
        self.actions.pop(0)
        self.due = None
        with clock.pinned(at):
            self.act(action)
        self.last = at

    def next_moment(self, action: str, last: dt.datetime) -> dt.datetime:
        """When the action happens, given when the last one did."""
        rng, later, case = self.rng, self.player._later, self.case
        if action in {"accept", "reject", "reject_duplicate"}:
            return later(last, rng.uniform(0.2, 2.5) * HOUR)
        if action in {"dispatch", "dispatch_wrong"}:
            return later(last, rng.uniform(5, 50) * 60)
        if action in {"send_back", "redispatch", "return_for_rework"}:
            return later(last, rng.uniform(0.5, 4) * HOUR)
        if action == "start":
            return max(later(last, rng.uniform(10, 40) * 60), self.player._within_limit(case, rng.uniform(0.02, 0.15)))
        if action == "rectify":
            if self.rectified:  # again, after a return for rework or a reopening
                return later(last, rng.uniform(1, 7) * HOUR)
            return max(later(last, rng.uniform(0.5, 3) * HOUR), self.player._within_limit(case, rng.uniform(0.3, 0.9)))
        if action == "rectify_late":
            return self.player._within_limit(case, rng.uniform(1.1, 1.6))
        if action == "verify":
            return later(last, rng.uniform(0.5, 6) * HOUR)
        if action == "request_extension":
            return later(last, rng.uniform(1, 5) * HOUR)
        if action in {"grant_extension", "deny_extension", "grant_soon"}:
            return later(last, rng.uniform(0.5, 3) * HOUR)
        if action == "suspend":
            return later(last, rng.uniform(0.2, 1.5) * DAY)
        if action == "resume":
            return later(last, rng.uniform(3, 8) * DAY)
        if action == "reopen":
            return later(last, rng.uniform(2, 8) * DAY)
        raise ValueError(f"unknown demo action {action!r}")

    def act(self, action: str) -> None:
        getattr(self, f"_{action}")()

    # -- the actions --------------------------------------------------------------------------

    def _triager(self, unit: Unit | None = None) -> User:
        return self.player.triager_for(self.planned, unit, self.case.grid)

    def _accept(self) -> None:
        services.accept_case(self.case, by=self._triager())

    def _reject(self) -> None:
        services.reject_case(self.case, by=self._triager(), reason=self.rng.choice(REJECT_REASONS),
                             resolution=Resolution.NOT_OURS)

    def _reject_duplicate(self) -> None:
        number = self.player.numbers.get(self.planned.duplicate_of, "")
        reason = f"与{number}反映的是同一问题，已合并办理。" if number else "与此前已立案的问题重复，已合并办理。"
        services.reject_case(self.case, by=self._triager(), reason=reason, resolution=Resolution.DUPLICATE)

    def _dispatch(self) -> None:
        unit = self.player.right_unit(self.case)
        services.dispatch_case(self.case, by=self._triager(unit), unit=unit)

    def _dispatch_wrong(self) -> None:
        right = self.player.right_unit(self.case)
        others = [u for u in self.player.street_units if u.pk != right.pk]
        wrong = self.rng.choice(others) if others else right
        services.dispatch_case(self.case, by=self._triager(wrong), unit=wrong)

    def _send_back(self) -> None:
        services.send_back(self.case, by=self.player.handler_for(self.case), reason=self.rng.choice(SEND_BACK_REASONS))

    def _redispatch(self) -> None:
        unit = self.player.right_unit(self.case)
        services.redispatch_case(self.case, by=self._triager(unit), unit=unit,
                                 note=f"经核实，该问题由{unit.name}负责，改派。")

    def _start(self) -> None:
        services.start_rectification(self.case, by=self.player.handler_for(self.case),
                                     note=self.rng.choice(("", "已安排人员前往处理。", "收到，马上处理。")))

    def _rectify(self) -> None:
        self.rectified += 1
        handler = self.player.handler_for(self.case)
        photo = self.player._photo(self.planned, f"after{self.rectified}", self.case.category.code, handler,
                                   self.place, tidy=True)
        note = RECTIFY_NOTES.get(self.case.category.code[:2], "已按要求整改完毕。")
        services.rectify_case(self.case, by=handler, photos=[photo], note=note)

    _rectify_late = _rectify

    def _verifier(self) -> User:
        """A street inspector with the point in their plan today, else the case's inspector."""
        point_id = self.case.point_id
        visitor = self.player.visitors.get((clock.today(), point_id)) if point_id is not None else None
        if visitor is not None and visitor.role == Role.INSPECTOR:
            return visitor
        return self.player._user(self.planned.inspector)

    def _verify(self) -> None:
        services.verify_case(self.case, by=self._verifier(), note=self.rng.choice(VERIFY_NOTES))

    def _return_for_rework(self) -> None:
        services.return_for_rework(self.case, by=self._verifier(), note=self.rng.choice(REWORK_NOTES))

    def _request_extension(self) -> None:
        case, calendar = self.case, self.player.calendar
        deadline = case.deadline or clock.now()
        if "grant_soon" in self.planned.story:
            # Until a few working hours after the real now: once granted, 80 % of the new time is
            # used by now, so the case shows as due soon.
            until = max(calendar.add_working_seconds(self.player.now, 3 * HOUR), deadline + dt.timedelta(hours=1))
        else:
            until = calendar.add_working_days(deadline, self.rng.randint(2, 5))
        services.request_extension(case, by=self.player.handler_for(case), until=until,
                                   reason=self.rng.choice(EXTENSION_REASONS))

    def _grant_extension(self) -> None:
        services.decide_extension(self.case, by=self._triager(), grant=True, note="同意延期。")

    def _deny_extension(self) -> None:
        services.decide_extension(self.case, by=self._triager(), grant=False, note=self.rng.choice(DENY_NOTES))

    _grant_soon = _grant_extension

    def _suspend(self) -> None:
        services.suspend_case(self.case, by=self._triager(), reason=self.rng.choice(SUSPEND_REASONS))

    def _resume(self) -> None:
        services.resume_case(self.case, by=self._triager(), note="协调会已明确责任，恢复办理。")

    def _reopen(self) -> None:
        inspector = self.player._user(self.planned.inspector)
        photo = self.player._photo(self.planned, "again", self.case.category.code, inspector, self.place, tidy=False)
        services.reopen_case(self.case, by=inspector, note=self.rng.choice(REOPEN_NOTES), photos=[photo])
