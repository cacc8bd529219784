"""Typing a long list in, in a real Chromium: the page offers eight rows and adds more on demand,
each with the next number, and the server takes every row added."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.core import clock
from chuangcheng.problems.models import ProblemList
from tests.cases.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def categories(transactional_db):
    """Transactional tests empty the tables the migrations filled; the categories are shipped data."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def test_a_ninth_problem_row_is_added_and_entered(live_server, scene, desk):
    page = desk
    sign_in(page, live_server.url, scene.cast.street_admin.username)
    page.goto(f"{live_server.url}/problems/new/")
    assert page.locator("fieldset.problem-row").count() == 8

    page.get_by_role("button", name="添加问题").click()

    rows = page.locator("fieldset.problem-row")
    assert rows.count() == 9
    assert rows.nth(8).locator("legend").inner_text() == "问题 9"
    assert page.locator("input[name='form-TOTAL_FORMS']").input_value() == "9"
    page.get_by_label("文号").fill("呼创城督〔2026〕99号")
    page.get_by_label("下发单位").fill("市创城办")
    today = clock.today()
    page.get_by_label("下发日期").fill(f"{today - dt.timedelta(days=2):%Y-%m-%d}")
    page.get_by_label("整改期限").fill(f"{today + dt.timedelta(days=14):%Y-%m-%d}")
    ninth = rows.nth(8)
    ninth.get_by_label("地点").fill("甲一网格路口")
    ninth.get_by_label("网格").select_option(label=scene.cast.grid_a.name)
    ninth.get_by_label("描述").fill("路口垃圾堆放")
    ninth.get_by_label("类别").select_option(index=1)
    page.get_by_role("button", name="录入清单").click()
    page.wait_for_url("**/problems/*/")

    batch = ProblemList.objects.get()
    assert [(p.row, p.place) for p in batch.problems.all()] == [(9, "甲一网格路口")]
