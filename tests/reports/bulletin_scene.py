"""The bulletin day: Wednesday 3 June 2026 (DAY) of the cast's street, with a little history before it,
written through the case services at pinned moments. The bulletin tests compose it at DAY 18:00.

Points (each check item worth 2): grid A: A1 zero-loss, A2; grid B: B1, B2 zero-loss.
Inspections:
- 28 May: B2 fails I1 (inside the 7-day window: one day only).  27 May: B2 fails I1 (outside).
- 1 June: A2 fails I1 (XC01); B1 fails I1.
- DAY: A1 fails I1 (XC01) and I2 (SR01) → 2/6; A2 fails I2 (SR01) → 4/6; B1 6/6; B2 6/6.
  Plan of DAY: A1, A2, B1 (all visited).
  → inspections 4, points inspected 4, items failed 3, score 18/24 = 75 %; zero-loss failed: A1;
    field score (all checks, assessment items AI1–AI3 worth 5, sample 2, 1 point per failure):
    street AI1 5 − 2 × 1 ÷ 4 = 4.5, AI2 5 − 2 × 2 ÷ 4 = 4, AI3 5 → 13.5 / 15 = 90 %; 甲 4 + 3 + 5 = 80 %;
    tomorrow's focus: A2 (2 days, 2 items); B1 and B2 failed on one day of the window only.
Cases:
- C1 at A1 (XC01): reported DAY 09:00 with a before photo, dispatched to 甲物业, rectified 15:00
  with an after photo (awaiting verification).                          → typical
- C2 at B1 (XC01): reported DAY 09:10 with a before photo, dispatched to 城管中队, rectified 15:30
  with an after photo, verified and closed 16:00.                        → typical
- C3 at A2 (SR01): reported DAY 10:00 without a photo, dispatched, rectified with an after photo.
- R: a resident's report in grid B (SR01), DAY 11:00, not handled.
- O1 at A2 (XC01) dispatched to 甲物业 on 28 May, O2 at B1 to 城管中队 on 29 May, O3 at A1 to
  甲物业 on 1 June: all overdue on DAY (one working day each).
  → opened 4 (XC01 2, SR01 2), rectified 3, closed 1; overdue 甲物业 2 (O1, O3), 城管中队 1 (O2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.inspections.models import Assignment, DailyPlan
from chuangcheng.org.models import Role, Unit, User
from tests import factories as f
from tests.reports.conftest import TZ, Week, after_photo, inspect

DAY = dt.date(2026, 6, 3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


EVENING = at(DAY, 18)


@dataclass
class Scene:
    cast: Any
    week: Week
    prop: Unit
    squad: Unit
    inspector: User
    handler: User
    cases: dict[str, Case] = field(default_factory=dict)
    photos: dict[str, Any] = field(default_factory=dict)


def _case(point: Any, category: Category, moment: dt.datetime, *, photo: Any = None, unit: Unit | None = None,
          admin: User) -> Case:
    with clock.pinned(moment):
        case = cases.report_case(by=SYSTEM, source="inspection", category=category, description=f"{point.code}的问题",
                                 point=point, photos=[photo] if photo else [])
    if unit is not None:
        with clock.pinned(moment + dt.timedelta(minutes=10)):
            cases.accept_case(case, by=admin)
            cases.dispatch_case(case, by=admin, unit=unit)
    return case


def build(cast: Any) -> Scene:
    prop = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    handler_person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=prop)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=handler_person)
    points = {
        "A1": f.PointFactory(code="A1", name="甲一路", grid=cast.grid_a, primary_unit=prop, zero_loss=True),
        "A2": f.PointFactory(code="A2", name="甲二巷", grid=cast.grid_a, primary_unit=prop),
        "B1": f.PointFactory(code="B1", name="乙一市场", grid=cast.grid_b, primary_unit=squad),
        "B2": f.PointFactory(code="B2", name="乙二广场", grid=cast.grid_b, primary_unit=squad, zero_loss=True),
    }
    version = f.CatalogVersionFactory()
    items = [f.CheckItemFactory(version=version, code=f"I{n}", text=f"检查项{n}", penalty=Decimal(1))
             for n in range(1, 4)]
    # The field score: each item's group is an assessment item of the points' type worth 5, sample 2.
    f.TypeProfileFactory(version=version, point_type=points["A1"].point_type, sample_size=2)
    for n, item in enumerate(items, start=1):
        f.AssessmentItemFactory(version=version, code=f"AI{n}", point_type=points["A1"].point_type,
                                group=item.group, points=Decimal(5), sort_order=n)
    week = Week(cast, inspector, prop, squad, points, items)
    ok = ("pass", None)

    inspect(week, "B2", dt.date(2026, 5, 27), [("fail", "XC01"), ok, ok])
    inspect(week, "B2", dt.date(2026, 5, 28), [("fail", "XC01"), ok, ok])
    inspect(week, "A2", dt.date(2026, 6, 1), [("fail", "XC01"), ok, ok])
    inspect(week, "B1", dt.date(2026, 6, 1), [("fail", "XC01"), ok, ok])
    plan = DailyPlan.objects.create(street=cast.street, day=DAY)
    for n, code in enumerate(["A1", "A2", "B1"]):
        Assignment.objects.create(plan=plan, person=inspector, point=points[code], position=n)
    inspect(week, "A1", DAY, [("fail", "XC01"), ("fail", "SR01"), ok])
    inspect(week, "A2", DAY, [ok, ("fail", "SR01"), ok])
    inspect(week, "B1", DAY, [ok, ok, ok])
    inspect(week, "B2", DAY, [ok, ok, ok])

    admin = cast.street_admin
    flyposting, other = Category.objects.get(code="XC01"), Category.objects.get(code="SR01")
    scene = Scene(cast, week, prop, squad, inspector, handler)
    scene.cases["O1"] = _case(points["A2"], flyposting, at(dt.date(2026, 5, 28), 9), unit=prop, admin=admin)
    scene.cases["O2"] = _case(points["B1"], flyposting, at(dt.date(2026, 5, 29), 9), unit=squad, admin=admin)
    scene.cases["O3"] = _case(points["A1"], flyposting, at(dt.date(2026, 6, 1), 9), unit=prop, admin=admin)

    for name, color in (("C1-before", "red"), ("C1-after", "green"), ("C2-before", "blue"),
                        ("C2-after", "yellow"), ("C3-after", "white")):
        scene.photos[name] = after_photo(None, color)
    c1 = _case(points["A1"], flyposting, at(DAY, 9), photo=scene.photos["C1-before"], unit=prop, admin=admin)
    c2 = _case(points["B1"], flyposting, at(DAY, 9, 10), photo=scene.photos["C2-before"], unit=squad, admin=admin)
    c3 = _case(points["A2"], other, at(DAY, 10), unit=prop, admin=admin)
    with clock.pinned(at(DAY, 11)):
        resident = cases.report_case(by=SYSTEM, source="resident", category=other, description="垃圾",
                                     grid=cast.grid_b)
    with clock.pinned(at(DAY, 15)):
        cases.rectify_case(c1, by=SYSTEM, photos=[scene.photos["C1-after"]])
        cases.rectify_case(c3, by=SYSTEM, photos=[scene.photos["C3-after"]])
    with clock.pinned(at(DAY, 15, 30)):
        cases.rectify_case(c2, by=SYSTEM, photos=[scene.photos["C2-after"]])
    with clock.pinned(at(DAY, 16)):
        cases.verify_case(c2, by=admin)
    scene.cases.update({"C1": c1, "C2": c2, "C3": c3, "R": resident})
    return scene
