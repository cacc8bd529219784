"""The tracking page says when the problem is due to be fixed: the case's deadline in Beijing time,
in Chinese date words; before dispatch it says when the date will be known; once fixed, nothing."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.test import Client

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.public import services
from tests.public.conftest import Scene, report

WEEKDAYS = "一二三四五六日"


def due_text(body: str) -> str:
    found = re.search(r'<dd id="case-due"[^>]*>(.*?)</dd>', body, re.S)
    assert found, "no due date on the page"
    return re.sub(r"<[^>]+>", "", found.group(1))


def in_chinese(moment: dt.datetime) -> str:
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return f"{local.year}年{local.month}月{local.day}日（星期{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def test_the_tracking_page_shows_the_deadline_in_beijing_time_and_chinese_words(scene: Scene) -> None:
    r = report(scene)
    before = Client().get(f"/r/t/{r.code}/").content.decode()
    assert "派给责任单位后" in due_text(before)  # not dispatched yet: no date to promise

    admin = scene.cast.street_admin
    services.accept_report(r, by=admin)
    case = Case.objects.get(pk=r.case.pk)
    cases.dispatch_case(case, by=admin, unit=scene.unit)
    case.refresh_from_db()
    assert case.deadline is not None
    body = Client().get(f"/r/t/{r.code}/").content.decode()
    assert "应解决时间" in body
    assert due_text(body).startswith(in_chinese(case.deadline))
    assert "已超期" not in due_text(body)


def test_an_overdue_problem_says_so_and_a_fixed_one_shows_no_date(scene: Scene) -> None:
    from tests.cases.conftest import photo

    r = report(scene)
    admin = scene.cast.street_admin
    services.accept_report(r, by=admin)
    case = Case.objects.get(pk=r.case.pk)
    cases.dispatch_case(case, by=admin, unit=scene.unit)
    past = clock.now() - dt.timedelta(days=2, hours=3)
    Case.objects.filter(pk=case.pk).update(deadline=past)
    body = Client().get(f"/r/t/{r.code}/").content.decode()
    assert due_text(body).startswith(in_chinese(past))
    assert "已超期" in due_text(body)

    case.refresh_from_db()
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "green")])
    assert 'id="case-due"' not in Client().get(f"/r/t/{r.code}/").content.decode()
