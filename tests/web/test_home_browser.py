"""A grid worker's home on a phone (390×844), in a real Chromium: the first screen is today's round
with its progress, without sideways scrolling, and a point's name opens its checklist. And every
role's home on the device it is used on (phone for the field roles, 1366×900 desk for the office),
its first section on the first screen; with CHUANGCHENG_SCREENSHOTS=<directory> each is saved there
as the picture of that role's day in docs/guide/day.md (without the variable nothing is saved)."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, DailyPlan
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE_HEIGHT = 844
PHONE = {"width": 390, "height": PHONE_HEIGHT}
DESK = {"width": 1366, "height": 900}
# Documentation pictures, not evidence: kept small (a PNG over this is reduced to 256 colours).
SCREENSHOT_BUDGET = 150_000


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    """Transactional tests empty the tables the migrations filled: the categories and the catalog."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from chuangcheng.standards.services import load_default_catalog

    load_categories(Category)
    load_default_catalog()


def test_a_grid_worker_opens_the_phone_and_sees_todays_round_first(live_server, cast, phone):
    ARTIFACTS.mkdir(exist_ok=True)
    points = [f.PointFactory(code=f"A-{n}", name=name, grid=cast.grid_a, lon=Decimal("111.65"), lat=Decimal("40.82"))
              for n, name in enumerate(["甲大街", "甲小区", "甲巷"])]
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for position, point in enumerate(points):
        Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point, position=position,
                                  reason=Assignment.Reason.DUE)
    base = live_server.url
    page = phone
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(cast.grid_worker_a.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")

    heading = page.get_by_role("heading", name="今日任务")
    progress = page.get_by_text("已督查 0 / 3 个点位")
    first = page.get_by_role("link", name="甲大街")
    for element in (heading, progress, first):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE_HEIGHT  # on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing to scroll sideways
    page.screenshot(path=str(ARTIFACTS / "home-grid-worker-phone.png"))
    first.click()
    page.wait_for_url(f"{base}/inspections/points/A-0/")


# --- every role's home, on the device it is used on (and the pictures of docs/guide/day.md) ------

# role → (file name, device, the section that must be on the first screen)
HOMES = {
    "grid_worker": ("grid-worker", PHONE, "todays-round"),
    "inspector": ("inspector", PHONE, "todays-round"),
    "unit_handler": ("unit-handler", PHONE, "unit-cases"),
    "community_admin": ("community-admin", DESK, "board-summary"),
    "street_admin": ("street-admin", DESK, "to-publish"),
    "leader": ("leader", DESK, "leader-bulletin"),
    "volunteer": ("volunteer", PHONE, "next-action"),
}


def a_day(cast: Any) -> dict[str, Any]:
    """Enough of a working day for every home to show something: a round of three points for the
    grid worker and the inspector, cases with a unit (one overdue, one awaiting verification), a
    resident's report to triage, yesterday's bulletin published and today's drafted, this week's
    ranking, and a volunteer signed up for this afternoon's action."""
    from chuangcheng.cases.models import Case, Category, State
    from chuangcheng.engagement.volunteering import services as volunteering
    from chuangcheng.org.models import Role, Unit
    from chuangcheng.public.models import Report
    from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
    from chuangcheng.reports.services.rankings import compute_ranking, monday_of, publish_ranking
    from tests.cases.conftest import Scene, dispatched, reported
    from tests.engagement.volunteering.conftest import LAT, LON, _volunteer

    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street,
                            person=f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit))
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    points = [f.PointFactory(code=f"A-{n}", name=name, grid=cast.grid_a, primary_unit=unit,
                             lon=Decimal("111.65"), lat=Decimal("40.82"))
              for n, name in enumerate(["甲大街", "甲小区", "甲巷"])]
    others = [f.PointFactory(code=f"B-{n}", name=name, grid=cast.grid_b, lon=Decimal("111.70"), lat=Decimal("40.82"))
              for n, name in enumerate(["乙大街", "乙农贸市场", "乙公园"])]
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for person, round_ in ((cast.grid_worker_a, points), (inspector, others)):
        for position, point in enumerate(round_):
            Assignment.objects.create(plan=daily, person=person, point=point, position=position,
                                      reason=Assignment.Reason.DUE)
    scene = Scene(cast, unit, other, handler, inspector, points[1], Category.objects.get(code="XC01"))
    overdue, later, done = dispatched(scene), dispatched(scene), dispatched(scene)
    Case.objects.filter(pk=overdue.pk).update(deadline=clock.now() - dt.timedelta(hours=3))
    Case.objects.filter(pk=later.pk).update(deadline=clock.now() + dt.timedelta(days=2))
    Case.objects.filter(pk=done.pk).update(state=State.RECTIFIED, rectified_at=clock.now())
    Report.objects.create(case=reported(scene), code="R-DAY-1")
    yesterday = clock.today() - dt.timedelta(days=1)
    publish_bulletin(draft_bulletin(cast.street, yesterday), by=cast.street_admin)
    draft_bulletin(cast.street, clock.today())
    last_week = monday_of(clock.today()) - dt.timedelta(days=7)
    publish_ranking(compute_ranking(cast.street, last_week), by=cast.street_admin)
    compute_ranking(cast.street, monday_of(clock.today()))
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    start = clock.local(clock.now()).replace(hour=14, minute=0, second=0, microsecond=0)
    action = volunteering.plan_action(
        by=cast.admin_a, kind="persuasion", title="劝导乱停车", community=cast.community_a,
        place_name="甲社区广场", lon=LON, lat=LAT, starts_at=start, ends_at=start + dt.timedelta(hours=2),
        capacity=10, targets=["parking"])
    volunteering.sign_up(action, by=volunteer)
    return {"grid_worker": cast.grid_worker_a, "inspector": inspector, "unit_handler": handler,
            "community_admin": cast.admin_a, "street_admin": cast.street_admin, "leader": cast.leader,
            "volunteer": volunteer}


def save_screenshot(page: Any, name: str) -> Path | None:
    """The first screen as docs/guide/img/home-<name>.png when CHUANGCHENG_SCREENSHOTS names a
    directory; nothing otherwise."""
    folder = os.environ.get("CHUANGCHENG_SCREENSHOTS", "").strip()
    if not folder:
        return None
    from PIL import Image

    path = Path(folder) / f"home-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = page.screenshot()
    if len(data) > SCREENSHOT_BUDGET:
        image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        data = out.getvalue()
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("role", list(HOMES))
def test_each_roles_home_shows_its_first_section_on_the_first_screen(live_server, cast, browser, role):
    users = a_day(cast)
    name, viewport, first = HOMES[role]
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("用户名").fill(users[role].username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")
        assert page.locator("main h1").count() == 1
        box = page.locator(f"#{first}").bounding_box()
        assert box is not None and box["y"] < viewport["height"]  # it starts on the first screen
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        saved = save_screenshot(page, name)
        if saved is not None:
            assert saved.stat().st_size <= SCREENSHOT_BUDGET * 1.2
    finally:
        context.close()


def test_without_the_variable_no_screenshot_is_saved(monkeypatch, tmp_path):
    monkeypatch.delenv("CHUANGCHENG_SCREENSHOTS", raising=False)

    class Page:
        def screenshot(self) -> bytes:
            raise AssertionError("no screenshot should be taken")

    assert save_screenshot(Page(), "leader") is None
    assert list(tmp_path.iterdir()) == []
