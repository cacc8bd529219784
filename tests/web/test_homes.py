"""Each role's home (issue 16): the first screen is what that person needs now, and every figure
links to the list behind it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chuangcheng.cases.models import Case, State
from chuangcheng.core import clock
from chuangcheng.engagement.volunteering import services as volunteering
from chuangcheng.inspections.models import Assignment, DailyPlan
from chuangcheng.org.models import Role
from chuangcheng.public.models import Report
from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
from tests import factories as f
from tests.cases.conftest import Scene, dispatched, reported
from tests.conftest import client_for
from tests.engagement.volunteering.conftest import END, LAT, LON, START, _volunteer, at, plan
from tests.inspections.test_plans import inspected


def page(user: Any, url: str = "/") -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def section(html: str, ident: str) -> str:
    match = re.search(rf'<section[^>]*id="{ident}".*?</section>', html, re.S)
    assert match, ident
    return match.group(0)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def scene(cast: Any) -> Scene:
    from chuangcheng.cases.models import Category
    from chuangcheng.org.models import Unit

    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit)
    return Scene(cast, unit, other, handler, inspector, point, Category.objects.get(code="XC01"))


@pytest.mark.parametrize("role", [r for r, _ in Role.choices])
def test_every_role_has_a_home_with_one_heading_and_no_inventory_but_the_street_admins(cast, role):
    user = f.UserFactory(role=role, scope=cast.grid_a if role in (Role.GRID_WORKER, Role.VOLUNTEER) else cast.street)
    html = main(page(user))
    assert html.count("<h1") == 1
    assert ('id="h-inventory"' in html) == (role == Role.STREET_ADMIN)


# --- grid worker and inspector ----------------------------------------------------------------


def test_a_grid_worker_sees_todays_round_in_walking_order_with_its_progress(scene):
    cast = scene.cast
    lane = f.PointFactory(code="A-LANE", name="甲巷", grid=cast.grid_a)
    road = f.PointFactory(code="A-ROAD", name="甲大街", grid=cast.grid_a)
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for position, point in enumerate([road, scene.point, lane]):
        Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point, position=position,
                                  reason=Assignment.Reason.DUE)
    inspected(scene.point, clock.today(), cast.grid_worker_a)
    html = section(page(cast.grid_worker_a), "todays-round")
    assert re.findall(r'class="visit-name" href="[^"]*">([^<]+)<', html) == ["甲大街", "甲小区", "甲巷"]
    assert "已督查 1 / 3 个点位" in words(html)
    assert 'value="1"' in html and 'max="3"' in html
    assert reverse("inspections:today") in html
    assert html.count("✓") == 1


def test_a_grid_worker_without_a_plan_is_told_so(cast):
    html = section(page(cast.grid_worker_a), "todays-round")
    assert "当日计划尚未生成，由街道创城办每天早上生成。" in words(html)
    assert 'class="visit' not in html


def test_an_inspector_sees_the_cases_waiting_for_verification(scene):
    case = dispatched(scene)
    Case.objects.filter(pk=case.pk).update(state=State.RECTIFIED, rectified_at=clock.now())
    html = section(page(scene.inspector), "to-verify")
    assert reverse("cases:detail", args=[case.number]) in html
    assert f'href="{reverse("cases:list")}?state=rectified">(1<' in html


# --- unit handler -----------------------------------------------------------------------------


def test_a_unit_handler_sees_the_units_open_cases_overdue_first(scene):
    later, overdue = dispatched(scene), dispatched(scene)
    Case.objects.filter(pk=overdue.pk).update(deadline=clock.now() - dt.timedelta(hours=2))
    Case.objects.filter(pk=later.pk).update(deadline=clock.now() + dt.timedelta(days=2))
    elsewhere = dispatched(scene)
    Case.objects.filter(pk=elsewhere.pk).update(unit=scene.other_unit)
    html = main(page(scene.handler))
    assert "甲物业" in html.split("</h1>")[0]
    listed = re.findall(r'href="/cases/([^/]+)/"', section(html, "unit-cases"))
    assert listed == [overdue.number, later.number]
    cards = words(html.split('id="unit-cases"')[0])
    assert "2 未结案件" in cards and "1 已超期" in cards
    assert f'href="{reverse("cases:list")}?mine=1&amp;overdue=1"' in html
    assert "点位" not in cards  # no inventory of points and units


def test_a_unit_handler_sees_the_units_tasks(scene):
    assert reverse("tasklists:mine") in section(page(scene.handler), "unit-tasks")


# --- community and street admins ----------------------------------------------------------------


def test_a_community_admin_sees_the_board_and_yesterdays_figures(scene):
    cast = scene.cast
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=scene.point, position=0,
                              reason=Assignment.Reason.DUE)
    html = main(page(cast.admin_a))
    board = section(html, "board-summary")
    assert "计划巡查已完成 0 / 1" in words(board) and reverse("inspections:board") in board
    yesterday = section(html, "yesterday")
    day = (clock.today() - dt.timedelta(days=1)).isoformat()
    assert f"since={day}&amp;until={day}" in yesterday
    assert reverse("reports:community", args=[cast.community_a.code]) in yesterday


def test_a_street_admin_sees_drafts_to_publish_triage_and_overdue_by_unit(scene):
    cast = scene.cast
    case = dispatched(scene)
    Case.objects.filter(pk=case.pk).update(deadline=clock.now() - dt.timedelta(hours=1))
    resident = reported(scene)
    Report.objects.create(case=resident, code="R-HOME-1")
    bulletin = draft_bulletin(cast.street, clock.today() - dt.timedelta(days=1))
    html = main(page(cast.street_admin))
    drafts = section(html, "to-publish")
    assert reverse("reports:bulletin", args=[cast.street.code, bulletin.day.isoformat()]) in drafts
    assert re.search(r'href="/r/triage/"><span class="n">1</span>', html.replace(reverse("public:triage"),
                                                                                 "/r/triage/"))
    overdue = section(html, "overdue-by-unit")
    assert "甲物业" in overdue and "overdue=1&amp;unit=WY-A" in overdue


# --- leader ---------------------------------------------------------------------------------------


def test_a_leader_reads_yesterdays_bulletin_and_the_weeks_ranking(scene):
    from chuangcheng.reports.services.rankings import compute_ranking, monday_of

    cast = scene.cast
    yesterday = clock.today() - dt.timedelta(days=1)
    publish_bulletin(draft_bulletin(cast.street, yesterday), by=cast.street_admin)
    ranking = compute_ranking(cast.street, monday_of(clock.today()))
    html = main(page(cast.leader))
    bulletin = section(html, "leader-bulletin")
    assert reverse("reports:bulletin", args=[cast.street.code, yesterday.isoformat()]) in bulletin
    assert "第 1 期" in bulletin
    assert reverse("reports:ranking", args=[cast.street.code, ranking.week]) in section(html, "leader-ranking")
    assert 'id="overdue-by-unit"' in html
    assert 'id="h-inventory"' not in html


# --- volunteer ------------------------------------------------------------------------------------


def test_a_volunteer_sees_the_next_action_with_a_large_check_in_then_check_out(cast):
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    action = plan(cast)
    with at(START - dt.timedelta(days=1)):
        volunteering.sign_up(action, by=volunteer)
        html = section(page(volunteer), "next-action")
    assert action.title in html
    checkin = reverse("volunteering:checkin", args=[action.code])
    assert re.search(rf'<a class="button big-action" id="check-in" href="{checkin}">签到</a>', html)
    with at(START + dt.timedelta(minutes=5)):
        volunteering.check_in(action, by=volunteer, lon=LON, lat=LAT)
        html = section(page(volunteer), "next-action")
    assert 'id="check-out"' in html and 'id="check-in"' not in html and "确认签退" in html


def test_a_volunteer_sees_the_hours_of_this_month_and_year_labelled(cast):
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    action = plan(cast)
    with at(START + dt.timedelta(minutes=5)):
        volunteering.check_in(action, by=volunteer, lon=LON, lat=LAT)
    with at(END - dt.timedelta(minutes=5)):
        row = volunteering.check_out(action, by=volunteer, lon=LON, lat=LAT)
    with time_machine.travel(END + dt.timedelta(hours=1), tick=False):
        text = words(page(volunteer))
    hours = f"{row.hours.normalize():f}"
    assert f"{hours} 本月服务时长（小时）" in text and f"{hours} 本年服务时长（小时）" in text
    assert "1 本年参加活动次数" in text
    assert "您还没有报名即将开展的活动" in text


# --- menus: no link that answers 403 ----------------------------------------------------------------


def test_no_menu_or_home_link_of_any_role_answers_an_error(scene):
    cast = scene.cast
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    people = [cast.street_admin, cast.admin_a, cast.grid_worker_a, cast.leader, scene.inspector, scene.handler,
              volunteer]
    for user in people:
        client = client_for(user)
        html = client.get("/").content.decode()
        links = set(re.findall(r'href="(/[^"#]*)"', html)) - {"/static/"}
        for url in sorted(links):
            if url.startswith("/static/") or url.endswith((".xlsx", ".docx")):
                continue
            status = client.get(url.replace("&amp;", "&")).status_code
            assert status < 400, (user.username, url, status)


def test_a_districts_admin_has_no_link_to_a_streets_api_keys(cast):
    from chuangcheng.org.models import Role

    district_admin = f.UserFactory(role=Role.STREET_ADMIN, scope=cast.district)
    assert reverse("open311:keys") not in page(district_admin)
    assert reverse("open311:keys") in page(cast.street_admin)


def test_the_homes_read_the_same_number_of_queries_for_more_rows(scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cast = scene.cast
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())

    def counted(user: Any) -> int:
        client = client_for(user)
        client.get("/")  # the session and the language once
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries.captured_queries)

    def more(n: int) -> None:
        for _ in range(n):
            point = f.PointFactory(grid=cast.grid_a)
            Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point,
                                      position=daily.assignments.count(), reason=Assignment.Reason.DUE)
            case = dispatched(scene)
            Case.objects.filter(pk=case.pk).update(point=point)

    more(2)
    before = {user.username: counted(user) for user in (cast.grid_worker_a, scene.handler, cast.admin_a,
                                                        cast.street_admin, cast.leader)}
    more(4)
    after = {user.username: counted(user) for user in (cast.grid_worker_a, scene.handler, cast.admin_a,
                                                       cast.street_admin, cast.leader)}
    assert after == before
