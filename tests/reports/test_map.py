"""The one map (一张图): each point's status today, the filters (with or without JavaScript), the
text list beside the map, scope, and one query for all points whatever their number."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuangcheng.reports.queries.map import MapFilter, Status, map_points
from tests import factories as f
from tests.reports.test_dashboard import NOON, Street, build_street


@pytest.fixture
def street(cast: Any, media: Any) -> Any:
    with time_machine.travel(NOON, tick=False):
        yield build_street(cast)


def statuses(user: Any, **flt: str) -> dict[str, str]:
    return {p.code: str(p.status) for p in map_points(user, MapFilter(**flt))}


def test_each_point_gets_the_worst_status_true_of_it_today(street: Street) -> None:
    assert statuses(street.cast.street_admin) == {
        "PA1": Status.OK,  # passed today; its case of last week is closed
        "PA2": Status.OVERDUE,  # C1 past its deadline
        "PA3": Status.PENDING,  # nothing today
        "PB1": Status.FAILED,  # failed an item today
        "PB2": Status.OPEN,  # C2 reported this morning
    }


def test_the_filters_narrow_by_type_community_and_status(street: Street) -> None:
    admin = street.cast.street_admin
    assert set(statuses(admin, point_type="MARKET")) == {"PA3", "PB2"}
    assert set(statuses(admin, region=street.cast.community_b.code)) == {"PB1", "PB2"}
    assert set(statuses(admin, region=street.cast.grid_a.code, point_type="ROAD_MAIN")) == {"PA1", "PA2"}
    assert set(statuses(admin, status="overdue")) == {"PA2"}
    assert statuses(admin, region="no-such-region") == {}


def test_a_community_admin_sees_only_the_community(street: Street) -> None:
    assert set(statuses(street.cast.admin_b)) == {"PB1", "PB2"}
    # Another community's code as a filter shows nothing rather than the other community.
    assert statuses(street.cast.admin_b, region=street.cast.community_a.code) == {}


def test_one_query_reads_every_point_with_its_status(street: Street) -> None:
    admin = street.cast.street_admin
    with CaptureQueriesContext(connection) as few:
        map_points(admin, MapFilter())
    for n in range(20):
        f.PointFactory(code=f"PX{n:02d}", grid=street.cast.grid_b, primary_unit=street.squad)
    with CaptureQueriesContext(connection) as many:
        points = map_points(admin, MapFilter())
    assert len(points) == 25
    assert len(many) == len(few) <= 2


def test_the_page_lists_the_points_with_their_status_in_text_and_filters_without_js(
        street: Street, as_user: Any) -> None:
    page = as_user(street.cast.street_admin).get(reverse("reports:map"), {"type": "MARKET"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-point="PA3" data-status="pending"' in html and 'data-point="PB2" data-status="open"' in html
    assert 'data-point="PA1"' not in html
    data = json.loads(html.split('id="onemap-data" type="application/json">')[1].split("</script>")[0])
    assert {p["code"]: p["status"] for p in data["points"]} == {"PA3": "pending", "PB2": "open"}
    assert {g["code"] for g in data["grids"]} == {street.cast.grid_a.code, street.cast.grid_b.code}
    assert {c["code"] for c in data["communities"]} == {street.cast.community_a.code, street.cast.community_b.code}
    # The legend counts each status (text, not colour alone) and links to the points in it.
    legend = {str(s): n for s, _label, n in page.context["legend"]}
    assert legend == {"overdue": 0, "failed": 0, "open": 1, "ok": 0, "pending": 1}
    assert "status=open" in html
    assert reverse("places:detail", args=["PB2"]) in html
    assert 'href="/cases/?point=PB2&amp;state=open"' in html


def test_the_map_groups_the_list_by_community_and_pages_it(street: Street, as_user: Any) -> None:
    for n in range(100):
        f.PointFactory(code=f"PZ{n:03d}", name=f"乙{n}", grid=street.cast.grid_b, primary_unit=street.squad)
    client = as_user(street.cast.street_admin)
    first = client.get(reverse("reports:map"))
    assert first.context["total"] == 105 and len(first.context["page"].object_list) == 100
    html = first.content.decode()
    assert html.index(street.cast.community_a.name) < html.index(street.cast.community_b.name)
    second = client.get(reverse("reports:map"), {"page": "2"})
    assert [p.code for p in second.context["page"].object_list] == ["PZ095", "PZ096", "PZ097", "PZ098", "PZ099"]
    assert client.get(reverse("reports:map"), {"page": "x", "status": "bogus"}).status_code == 200
