"""The day's figures for the rollups, party-member participation by community, and the ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.figures import day_extra
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.engagement.volunteering.queries import participation
from tests.conftest import client_for
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, jpeg, offset, plan

DAY = dt.date(2026, 11, 21)


@pytest.fixture
def held_day(cast, crew, media):
    """A held action in 甲社区 (v1 2 h, v2 1 h, v3 signed up but absent), a held action in 乙社区
    with the outsider (1 h), and a cancelled one."""
    a = plan(cast)
    b = plan(cast, community=cast.community_b, lon=111.70, by=cast.admin_b, title="乙社区劝导")
    c = plan(cast, title="取消的活动")
    with at(PLANNED_AT):
        for user in (crew.v1, crew.v2, crew.v3):
            services.sign_up(a, by=user)
        services.sign_up(b, by=crew.outsider)
        services.cancel_action(c, by=cast.admin_a, reason="下雨")
    with at(START):
        services.check_in(a, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
        services.check_in(a, by=crew.v2, lon=offset(0)[0], lat=offset(0)[1])
        services.check_in(b, by=crew.outsider, lon=111.70, lat=40.82)
    with at(START + dt.timedelta(hours=1)):
        services.check_out(a, by=crew.v2)
        services.check_out(b, by=crew.outsider)
    with at(END):
        services.close_action(a, by=cast.admin_a, summary="好", outcome={"vehicles_persuaded": 5, "litter_bags": 2},
                              before_photos=[jpeg("red")], after_photos=[jpeg("green")])
        services.close_action(b, by=cast.admin_b, summary="好", outcome={"vehicles_persuaded": 3})
    return a, b


def test_day_extra_counts_held_actions_by_street_community_and_grid(cast, held_day):
    figures = day_extra(DAY, cast.street)
    street, a, b, grid = (figures[r.id] for r in (cast.street, cast.community_a, cast.community_b, cast.grid_a))
    assert a["volunteer_actions"] == 1 and a["volunteer_attendances"] == 2 and a["volunteer_hours"] == 3.0
    assert a["party_member_attendances"] == 2 and a["outcome_vehicles_persuaded"] == 5 and a["outcome_litter_bags"] == 2
    assert grid == a
    assert b["volunteer_actions"] == 1 and b["volunteer_hours"] == 1.0 and b["outcome_vehicles_persuaded"] == 3
    assert figures[cast.grid_b.id] == b
    assert street["volunteer_actions"] == 2 and street["volunteer_attendances"] == 3
    assert street["volunteer_hours"] == 4.0 and street["outcome_vehicles_persuaded"] == 8
    assert all(isinstance(v, int | float) for row in figures.values() for v in row.values())
    assert day_extra(DAY + dt.timedelta(days=1), cast.street)[cast.street.id]["volunteer_actions"] == 0


def test_participation_counts_party_members_by_their_own_community(cast, crew, held_day):
    rows = {r.community.code: r for r in participation(cast.street_admin, DAY, DAY)}
    a, b = rows[cast.community_a.code], rows[cast.community_b.code]
    assert (a.party_members, a.party_members_took_part, a.volunteers_took_part) == (2, 2, 2)
    assert a.hours == Decimal("3.00") and a.actions_held == 1 and a.rate == 100.0
    assert (b.party_members, b.party_members_took_part, b.hours) == (1, 1, Decimal("1.00"))
    assert [r.community.code for r in participation(cast.admin_a, DAY, DAY)] == [cast.community_a.code]
    assert participation(cast.street_admin, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2))[0].hours == 0


def test_the_participation_page_is_for_admins_and_leaders(cast, crew, held_day):
    url = reverse("volunteering:participation") + "?since=2026-11-21&until=2026-11-21"
    page = client_for(cast.leader).get(url).content.decode()
    assert f'data-community="{cast.community_a.code}"' in page and 'class="took-part">2<' in page
    assert client_for(crew.v1).get(url).status_code == 403
    assert client_for(cast.leader).get(reverse("volunteering:participation") + "?since=x&until=y").status_code == 400


def test_the_ledger_has_actions_with_outcome_and_photo_links_and_attendance(cast, crew, held_day):
    a, _b = held_day
    url = reverse("volunteering:export") + f"?since=2026-11-01&until=2026-11-30&community={cast.community_a.code}"
    response = client_for(cast.admin_a).get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    actions, people = book.worksheets
    header = [c.value for c in actions[2]]
    rows = [[c.value for c in row] for row in actions.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == [a.code, "ZY-20261121-03"]  # the cancelled one is listed too
    assert len(header) == len(rows[0]) == 24
    assert rows[0][13:16] == [3, 2, 3.0]  # signed up, attended, hours
    assert rows[0][16:21] == [5, 0, 0, 0, 2]
    before_sha = a.photos.get(stage="before").photo.sha256
    assert rows[0][22] == "http://testserver" + reverse("volunteering:photo", args=[a.code, before_sha, "original"])
    people_rows = [[c.value for c in row] for row in people.iter_rows(min_row=3)]
    assert [(r[4], r[13]) for r in people_rows if r[0] == a.code] == [("V1", 2.0), ("V2", 1.0), ("V3", None)]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    photo = client_for(cast.admin_a).get(rows[0][22].removeprefix("http://testserver"))
    assert photo.status_code == 200


def test_the_ledger_refuses_a_bad_period_and_volunteers(cast, crew):
    url = reverse("volunteering:export")
    assert client_for(cast.admin_a).get(url + "?since=2026-11-30&until=2026-11-01").status_code == 400
    assert client_for(crew.v1).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_summary_with_control_characters_is_exported_without_them(cast, crew, held_day):
    a, _b = held_day
    Action.objects.filter(pk=a.pk).update(summary=control_text(), title=control_text("劝导", "文明"))
    url = reverse("volunteering:export") + "?since=2026-11-01&until=2026-11-30"
    book = read_back(client_for(cast.admin_a).get(url))
    assert_cleaned(book)
    assert_cleaned(book, "劝导", "文明")


def test_more_actions_than_an_export_holds_are_refused_beside_the_form(cast, crew, held_day, settings):
    settings.EXPORT_MAX_ROWS = 1
    response = client_for(cast.street_admin).get(reverse("volunteering:export") + "?since=2026-11-01&until=2026-11-30")
    assert response.status_code == 400 and response.context["form"].non_field_errors()
