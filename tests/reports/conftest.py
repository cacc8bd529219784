"""A small street with five days of history, for the rollup and figures tests (and others).

`week`: the cast's street (tests/conftest.py) with five points in its two grids, a plan and
inspections on Monday 1 June 2026 (D1) and Tuesday (D2), and four cases moved through the case
services at pinned moments from D1 to Friday (D5). The expected figures are listed in
tests/reports/test_rollups.py, counted by hand from what is written here.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.places.models import Point
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
D1 = dt.date(2026, 6, 1)  # a Monday, a working day
D2, D3, D4, D5, D6 = (D1 + dt.timedelta(days=i) for i in range(1, 6))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def after_photo(by: Any, color: str = "green") -> Any:
    from chuangcheng.evidence.services import accept_photo

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return accept_photo(out.getvalue(), filename=f"{color}.jpg", by=by)


@dataclass
class Week:
    cast: Any
    inspector: User
    property_unit: Unit  # in community A
    squad: Unit  # the street's city-management squad
    points: dict[str, Point]
    items: list[Any]
    cases: dict[str, Case] = field(default_factory=dict)


def inspect(week: Week, point: str, day: dt.date, results: list[tuple[str, str | None]],
            by: User | None = None) -> Inspection:
    """An inspection as `submit_inspection` stores it: one (result, category code) per item, each
    item worth 2 points (pass 2, fail 0, n.a. not scored)."""
    spot = week.points[point]
    scored = [(item, result, code) for item, (result, code) in zip(week.items, results, strict=True)]
    inspection = Inspection.objects.create(
        key=f"{point}-{day}-{(by or week.inspector).username}", point=spot, grid=spot.grid,
        inspector=by or week.inspector, version=week.items[0].version, day=day, submitted_at=at(day, 10),
        score=sum((Decimal(2) for _i, r, _c in scored if r == "pass"), Decimal(0)),
        max_score=sum((Decimal(2) for _i, r, _c in scored if r != "na"), Decimal(0)),
        failed_count=sum(1 for _i, r, _c in scored if r == "fail"),
    )
    for item, result, code in scored:
        ItemResult.objects.create(
            inspection=inspection, item=item, result=result,
            score=Decimal(2) if result == "pass" else Decimal(0),
            max_score=Decimal(0) if result == "na" else Decimal(2),
            category=Category.objects.get(code=code) if code else None,
        )
    return inspection


@pytest.fixture
def week(cast: Any, media: Any) -> Week:
    prop = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    points = {
        "A1": f.PointFactory(code="A1", grid=cast.grid_a, primary_unit=prop, zero_loss=True),
        "A2": f.PointFactory(code="A2", grid=cast.grid_a, primary_unit=prop),
        "A3": f.PointFactory(code="A3", grid=cast.grid_a, primary_unit=prop),
        "A4": f.PointFactory(code="A4", grid=cast.grid_a, primary_unit=prop, active=False),
        "B1": f.PointFactory(code="B1", grid=cast.grid_b, primary_unit=squad),
        "B2": f.PointFactory(code="B2", grid=cast.grid_b, primary_unit=squad, zero_loss=True),
    }
    version = f.CatalogVersionFactory()
    items = [f.CheckItemFactory(version=version, code=f"I{n}") for n in range(1, 4)]
    w = Week(cast, inspector, prop, squad, points, items)

    # D1: the plan has A1, A2 and B1; A1 is inspected twice (once by the grid worker), A3 unplanned.
    plan = DailyPlan.objects.create(street=cast.street, day=D1)
    for n, code in enumerate(["A1", "A2", "B1"]):
        Assignment.objects.create(plan=plan, person=inspector, point=points[code], position=n)
    inspect(w, "A1", D1, [("pass", None), ("fail", "XC01"), ("na", None)])
    inspect(w, "A1", D1, [("pass", None), ("pass", None), ("pass", None)], by=cast.grid_worker_a)
    inspect(w, "A3", D1, [("fail", "XC01"), ("fail", "SR01"), ("pass", None)])
    inspect(w, "B1", D1, [("pass", None), ("pass", None), ("na", None)])
    # D2: B2 passes everything.
    inspect(w, "B2", D2, [("pass", None), ("pass", None), ("pass", None)])

    admin, worker = cast.street_admin, cast.grid_worker_a
    flyposting = Category.objects.get(code="XC01")  # one working day
    other = Category.objects.get(code="SR01")
    # C1 at A1: dispatched D1, rectified late D3, returned, rectified again, closed D4, reopened D5.
    with clock.pinned(at(D1, 9)):
        c1 = cases.report_case(by=worker, source="inspection", category=flyposting, description="小广告",
                               point=points["A1"])
    with clock.pinned(at(D1, 9, 30)):
        cases.accept_case(c1, by=admin)
        cases.dispatch_case(c1, by=admin, unit=prop)
    with clock.pinned(at(D3, 10)):
        cases.rectify_case(c1, by=SYSTEM, photos=[after_photo(None, "green")])
    with clock.pinned(at(D3, 14)):
        cases.return_for_rework(c1, by=SYSTEM, note="没清干净")
    with clock.pinned(at(D3, 16)):
        cases.rectify_case(c1, by=SYSTEM, photos=[after_photo(None, "blue")])
    with clock.pinned(at(D4, 10)):
        cases.verify_case(c1, by=SYSTEM)
    with clock.pinned(at(D5, 10)):
        cases.reopen_case(c1, by=SYSTEM, note="又贴上了", photos=[after_photo(None, "red")])
    # C2: a resident's report in grid B, never handled.
    with clock.pinned(at(D1, 11)):
        c2 = cases.report_case(by=SYSTEM, source="resident", category=other, description="垃圾",
                               grid=cast.grid_b)
    # C4: a hotline report in grid B, rejected the same day.
    with clock.pinned(at(D1, 12)):
        c4 = cases.report_case(by=SYSTEM, source="hotline", category=other, description="重复", grid=cast.grid_b)
        cases.reject_case(c4, by=admin, reason="重复反映", resolution="duplicate")
    # C3 at A2 on D2: to the squad, sent back, to the property company, rectified, closed.
    with clock.pinned(at(D2, 9)):
        c3 = cases.report_case(by=worker, source="staff", category=flyposting, description="小广告",
                               point=points["A2"])
        cases.accept_case(c3, by=admin)
        cases.dispatch_case(c3, by=admin, unit=squad)
    with clock.pinned(at(D2, 10)):
        cases.send_back(c3, by=SYSTEM, reason="不归我们管")
    with clock.pinned(at(D2, 11)):
        cases.dispatch_case(c3, by=admin, unit=prop)
    with clock.pinned(at(D2, 14)):
        cases.rectify_case(c3, by=SYSTEM, photos=[after_photo(None, "yellow")])
    with clock.pinned(at(D2, 15)):
        cases.verify_case(c3, by=admin)
    w.cases = {"C1": c1, "C2": c2, "C3": c3, "C4": c4}
    return w
