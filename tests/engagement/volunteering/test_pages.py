"""The pages a volunteer and an organizer use on a phone: list, detail with sign-up, check-in
with and without JS (typed location), roster, closing, my record, QR code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Action, Attendance
from tests.conftest import client_for
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, jpeg, offset, plan


def test_the_list_shows_upcoming_actions_of_the_scope_only(cast, crew, action):
    plan(cast, community=cast.community_b, lon=111.70, by=cast.admin_b, title="乙社区清理")
    with at(PLANNED_AT):
        page = client_for(crew.v1).get(reverse("volunteering:list"))
        whole = client_for(cast.street_admin).get(reverse("volunteering:list"))
        past = client_for(crew.v1).get(reverse("volunteering:list") + "?when=past")
    assert page.status_code == 200
    assert re.findall(r'data-code="([^"]+)"', page.content.decode()) == [action.code]
    assert len(re.findall(r'data-code="', whole.content.decode())) == 2
    assert action.code not in past.content.decode()


def test_an_admin_plans_an_action_through_the_form(cast):
    with at(PLANNED_AT):
        client = client_for(cast.admin_a)
        response = client.post(reverse("volunteering:new"), {
            "kind": "cleanup", "title": "清理小广告", "community": cast.community_a.code, "place_name": "3号楼",
            "lon": "111.651", "lat": "40.821", "starts_at": "2026-11-22T09:00", "ends_at": "2026-11-22T10:30",
            "capacity": "5", "targets": ["flyposting"]})
        bad = client.post(reverse("volunteering:new"), {
            "kind": "cleanup", "title": "x", "community": cast.community_a.code, "place_name": "3号楼",
            "lon": "111.651", "lat": "40.821", "starts_at": "2026-11-22T09:00", "ends_at": "2026-11-22T08:30",
            "capacity": "5"})
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("volunteering:detail", args=[action.code])
    assert action.targets == ["flyposting"] and action.capacity == 5
    assert bad.status_code == 200 and Action.objects.count() == 1
    assert client_for(cast.leader).get(reverse("volunteering:new")).status_code == 403


def test_a_volunteer_signs_up_from_the_detail_page(crew, action):
    with at(PLANNED_AT):
        client = client_for(crew.v1)
        detail = client.get(reverse("volunteering:detail", args=[action.code]))
        assert 'id="sign-up"' in detail.content.decode()
        response = client.post(reverse("volunteering:signup", args=[action.code]))
        assert response.status_code == 302
        after = client.get(reverse("volunteering:detail", args=[action.code]))
    assert Attendance.objects.get(action=action).person == crew.v1.person
    assert 'id="sign-up"' not in after.content.decode()
    assert reverse("volunteering:withdraw", args=[action.code]) in after.content.decode()


def test_a_volunteer_of_another_community_does_not_see_the_action(crew, action):
    with at(PLANNED_AT):
        assert client_for(crew.outsider).get(reverse("volunteering:detail", args=[action.code])).status_code == 404
        client_for(crew.outsider).post(reverse("volunteering:signup", args=[action.code]))
    assert not Attendance.objects.exists()


def test_check_in_without_js_by_typed_location_then_check_out(crew, action):
    url = reverse("volunteering:checkin", args=[action.code])
    lon, lat = offset(40)
    with at(START + dt.timedelta(minutes=2)):
        client = client_for(crew.v1)
        page = client.get(url)
        assert 'name="lon"' in page.content.decode() and "data-locate" in page.content.decode()
        response = client.post(url, {"step": "in", "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})
        assert response.status_code == 302
    row = Attendance.objects.get(action=action)
    assert row.walk_in and row.checkin_distance_m == 40
    with at(START + dt.timedelta(minutes=92)):
        page = client.get(url)
        assert 'value="out"' in page.content.decode()
        client.post(url, {"step": "out", "lon": "", "lat": ""})
    row.refresh_from_db()
    assert row.hours == Decimal("1.50")


def test_a_far_check_in_on_the_page_shows_the_distance_and_stores_nothing(crew, action):
    lon, lat = offset(900)
    with at(START):
        response = client_for(crew.v1).post(reverse("volunteering:checkin", args=[action.code]),
                                            {"step": "in", "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})
    assert response.status_code == 400
    assert "900" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_qr_code_links_to_the_check_in_page(cast, action):
    response = client_for(cast.admin_a).get(reverse("volunteering:qr", args=[action.code, "png"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    svg = client_for(cast.admin_a).get(reverse("volunteering:qr", args=[action.code, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    with at(PLANNED_AT):
        detail = client_for(cast.admin_a).get(reverse("volunteering:detail", args=[action.code])).content.decode()
    assert "http://testserver" + reverse("volunteering:checkin", args=[action.code]) in detail


def test_the_organizer_reads_the_roster_closes_and_corrects_hours(cast, crew, action, media):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
        services.sign_up(action, by=crew.v2)
    with at(START):
        services.check_in(action, by=crew.v1, lon=offset(25)[0], lat=offset(25)[1])
    with at(END + dt.timedelta(minutes=10)):
        client = client_for(cast.admin_a)
        roster = client.get(reverse("volunteering:roster", args=[action.code])).content.decode()
        assert 'data-person="V1"' in roster and 'data-person="V2"' in roster and ">25<" in roster
        assert client_for(crew.v1).get(reverse("volunteering:roster", args=[action.code])).status_code == 403
        form = {f"outcome_{k}": "2" for k in ("vehicles_persuaded", "bicycles_rearranged", "flyers_removed",
                                              "people_persuaded", "litter_bags")}
        bad = client.post(reverse("volunteering:close", args=[action.code]), {**form, "summary": ""})
        assert bad.status_code == 400
        response = client.post(reverse("volunteering:close", args=[action.code]),
                               {**form, "summary": "劝导顺利", "after_photos": [jpeg("green")]})
        assert response.status_code == 302
        detail = client.get(reverse("volunteering:detail", args=[action.code])).content.decode()
        assert 'data-code="litter_bags"' in detail and "劝导顺利" in detail
        sha = action.photos.get().photo.sha256
        assert client.get(reverse("volunteering:photo", args=[action.code, sha, "thumbnail"])).status_code == 200
        client.post(reverse("volunteering:correct_hours", args=[action.code, "V2"]),
                    {"hours": "1.25", "reason": "忘记签到"})
    action.refresh_from_db()
    assert action.status == Action.Status.HELD and action.outcome["litter_bags"] == 2
    assert Attendance.objects.get(person=crew.v2.person).hours == Decimal("1.25")


def test_my_record_sums_hours_by_month_and_year(cast, crew):
    first = plan(cast)
    with at(PLANNED_AT):
        services.sign_up(first, by=crew.v1)
    with at(START):
        services.check_in(first, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(END):
        services.close_action(first, by=cast.admin_a, outcome={}, summary="好")
    second_start = START + dt.timedelta(days=14)
    second = plan(cast, starts_at=second_start, ends_at=second_start + dt.timedelta(minutes=90))
    with at(second_start):
        services.check_in(second, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(second_start + dt.timedelta(hours=2)):
        services.close_action(second, by=cast.admin_a, outcome={}, summary="好")
        page = client_for(crew.v1).get(reverse("volunteering:mine")).content.decode()
        api = client_for(crew.v1).get("/api/volunteering/me/hours").json()
    assert re.search(r'data-month="2026-11"><td>2026-11</td><td>2\.00</td><td>1<', page)
    assert re.search(r'data-month="2026-12"><td>2026-12</td><td>1\.50</td><td>1<', page)
    assert re.search(r'data-year="2026"><td>2026</td><td>3\.50</td><td>2<', page)
    assert api["total_hours"] == "3.50" and api["total_actions"] == 2


@pytest.mark.parametrize("name", ["list", "mine"])
def test_pages_need_a_login(client, name):
    assert client.get(reverse(f"volunteering:{name}")).status_code == 302


def test_the_list_and_the_api_do_not_query_per_action(cast, crew, django_assert_max_num_queries):
    for n in range(6):
        plan(cast, title=f"活动{n}")
    with at(PLANNED_AT):
        client = client_for(crew.v1)
        client.get(reverse("volunteering:list"))
        with django_assert_max_num_queries(12):
            page = client.get(reverse("volunteering:list"))
        with django_assert_max_num_queries(10):
            api = client.get("/api/volunteering/actions")
    assert page.content.decode().count('class="card"') == 6 and api.json()["count"] == 6
