"""The wall display (大屏) in a real Chromium at 1920×1080 on a street with many communities and
units whose names are long: everything fits the screen without scrolling, no text is cut off, the
charts' axes follow the data and every bar carries its value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category
from chuangcheng.core import clock
from chuangcheng.org.models import Unit
from tests import factories as f
from tests.reports.test_browser_reports import categories, sign_in, watch  # noqa: F401 -- the fixture too
from tests.reports.test_dashboard import MONDAY, NOON, at, build_street, store_finished_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

LONG = ["新华西路第一社区居民委员会", "光明南街道幸福里社区", "海拉尔东路铁路新村社区", "丁香路社区",
        "锡林南路滨河社区", "大学东路民族团结示范社区", "石羊桥东路社区", "工农兵路北社区", "中山西路社区",
        "通道南街回民区第二社区居民委员会", "环河街社区", "西菜园社区", "光明西路东社区", "钢铁路北社区"]


@pytest.fixture
def wall_scene(cast: Any, media: Any, settings: Any) -> Any:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(NOON, tick=True):
        street = build_street(cast)
        for n, name in enumerate(LONG, start=3):
            community = f.community(cast.street, code=f"150103001{n:03d}", name=name)
            f.grid(community, code=f"150103001{n:03d}-01", name=f"{name}第一网格")
        flyposting = Category.objects.get(code="XC01")
        with clock.pinned(at(MONDAY, 10)):
            for n in range(10):
                unit = f.UnitFactory(code=f"WY-L{n}", name=f"呼和浩特市某某物业服务有限公司第{n + 1}分公司",
                                     kind=Unit.Kind.PROPERTY, region=cast.street)
                case = cases.report_case(by=cast.street_admin, source="staff", category=flyposting,
                                         description="小广告", point=street.points["PB1"])
                cases.accept_case(case, by=cast.street_admin)
                cases.dispatch_case(case, by=cast.street_admin, unit=unit)
        store_finished_days()
        yield street


@pytest.fixture
def wall_screen(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


# Elements with text whose content is wider or taller than their box (cut off, or spilling over a
# neighbour), and elements that end below the screen's bottom edge.
CLIPPED = """() => [...document.querySelectorAll('main *')].filter(el => {
  if (!el.textContent.trim() || el.closest('.visually-hidden') || el.closest('.plot')) return false;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || style.display === 'inline') return false;
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
    || el.getBoundingClientRect().bottom > window.innerHeight;
}).map(el => el.tagName + '.' + el.className + ' ' + el.textContent.trim().slice(0, 30))"""

OUTSIDE = """() => [...document.querySelectorAll('.plot')].flatMap(plot => {
  const box = plot.getBoundingClientRect();
  return [...plot.querySelectorAll('svg text')].filter(t => t.textContent.trim()).filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
  }).map(t => plot.id + ': ' + t.textContent);
})"""


def test_the_wall_fits_a_1920_by_1080_screen_without_cut_text(live_server: Any, wall_scene: Any,
                                                               wall_screen: Any) -> None:
    page = wall_screen
    errors = watch(page)
    page.set_default_timeout(60_000)  # the overview's figures take seconds on a busy two-core machine
    sign_in(page, live_server.url, "street_admin")
    page.goto(f"{live_server.url}/reports/wall/")
    for chart in ["chart-rate", "chart-categories"]:
        page.locator(f"#{chart} svg.main-svg").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wall-1920x1080.png"))
    size = page.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight,"
                         " document.documentElement.scrollWidth, window.innerWidth]")
    assert size[0] <= size[1], f"the page is {size[0]} px high on a {size[1]} px screen"
    assert size[2] <= size[3]
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate(OUTSIDE) == []
    # 16 communities and 11 units with cases: what does not fit is counted, not cut.
    assert page.locator("#wall-children tbody tr").count() == 14
    assert page.locator("#wall-units tbody tr").count() == 8
    assert page.locator(".wall-more").all_inner_texts() == ["另有 2 个，见总览。", "另有 3 个，见总览。"]
    # Weeks are dates on the axis; each bar carries its value; the axes say what they count.
    texts = "els => els.map(e => e.textContent)"
    ticks = page.locator("#chart-rate .xtick text").evaluate_all(texts)
    assert ticks[-1] == "6月8日" and len(ticks) == 12
    bars = page.locator("#chart-categories g.point").count()
    assert bars == 4 and page.locator("#chart-categories text.bartext").evaluate_all(texts) == ["2", "1", "1", "11"]
    assert page.locator("#chart-rate .ytitle").evaluate_all(texts) == ["比率（%）"]
    assert errors == []
