"""Household visits: building / unit / room checked and made uniform, coverage per grid counts
distinct households reached (nobody home and refused do not cover), rolled up per community."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from chuangcheng.engagement.publicity import queries, services
from chuangcheng.engagement.publicity.models import HouseholdVisit
from chuangcheng.org.models import Role
from tests import factories as f
from tests.conftest import Cast, client_for

NOW = "2026-11-27 10:00 +0800"
TODAY = dt.date(2026, 11, 27)
VISITED = HouseholdVisit.Result.VISITED


def _visit(cast: Cast, room: str, *, result: str = VISITED, day: dt.date = TODAY, **kw: Any) -> HouseholdVisit:
    values: dict[str, Any] = {"building": "3", "unit": "2", "topics": ["campaign"] if result == VISITED else []}
    values.update(kw)
    grid = values.pop("grid", cast.grid_a)
    by = values.pop("by", cast.grid_worker_a)
    return services.record_visit(grid, by=by, room=room, day=day, result=result, **values)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_household_is_the_same_however_it_was_typed(cast: Cast) -> None:
    visit = _visit(cast, "５０１室", building="3号楼", unit="2单元", surname="王")
    again = _visit(cast, "501", building=" 3 ", unit="2")
    assert visit.household == again.household == "3/2/501"
    assert visit.visitor == cast.grid_worker_a and visit.address == "3-2-501"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_bad_households_dates_and_topics_are_named_and_nothing_is_stored(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        _visit(cast, "5楼左手边", unit="二", building="", day=TODAY + dt.timedelta(days=1), topics=["cooking"],
               surname="Wang")
    assert set(error.value.message_dict) == {"room", "unit", "building", "day", "topics", "surname"}
    with pytest.raises(ValidationError) as error:
        _visit(cast, "501", topics=[])
    assert "topics" in error.value.message_dict  # visited but nothing explained
    with pytest.raises(ValidationError) as error:
        _visit(cast, "501", result="maybe")
    assert "result" in error.value.message_dict
    assert not HouseholdVisit.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_grid_outside_ones_region_or_a_visitor_from_elsewhere_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        _visit(cast, "501", grid=cast.grid_b)
    assert "grid" in error.value.message_dict
    stranger = f.UserFactory(username="gw_b", role=Role.GRID_WORKER, scope=cast.grid_b)
    with pytest.raises(ValidationError) as error:
        _visit(cast, "501", by=cast.admin_a, visitor=stranger)
    assert "visitor" in error.value.message_dict
    with pytest.raises(ValidationError):
        _visit(cast, "501", by=cast.leader)
    assert not HouseholdVisit.objects.exists()
    volunteer = f.UserFactory(username="vol_a", role=Role.VOLUNTEER, scope=cast.community_a)
    assert _visit(cast, "501", by=cast.admin_a, visitor=volunteer).visitor == volunteer


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_coverage_counts_distinct_households_reached_over_the_grids_households(cast: Cast) -> None:
    cast.grid_a.households = 40
    cast.grid_a.save()
    second = f.grid(cast.community_a, code="150103001001-02", name="甲二网格", households=10)
    _visit(cast, "501")
    _visit(cast, "501", day=TODAY - dt.timedelta(days=3))  # the same household again
    _visit(cast, "502")
    _visit(cast, "601", result=HouseholdVisit.Result.NOBODY_HOME)
    _visit(cast, "602", result=HouseholdVisit.Result.REFUSED)
    _visit(cast, "101", grid=second, by=cast.admin_a)
    _visit(cast, "102", day=TODAY - dt.timedelta(days=40))  # before the period
    [block] = queries.coverage(cast.admin_a, start=TODAY - dt.timedelta(days=7), end=TODAY)
    grids = {row.region.code: row for row in block.grids}
    assert (grids[cast.grid_a.code].covered, grids[cast.grid_a.code].visits) == (2, 3)
    assert grids[cast.grid_a.code].rate == pytest.approx(2 / 40)
    assert grids[second.code].covered == 1
    assert (block.total.region, block.total.covered, block.total.households) == (cast.community_a, 3, 50)
    assert block.total.rate == pytest.approx(3 / 50)
    # Another community's admin sees nothing of it.
    assert all(b.total.covered == 0 for b in queries.coverage(cast.admin_b, start=TODAY, end=TODAY))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_quick_entry_keeps_building_unit_date_and_topics_for_the_next_room(cast: Cast) -> None:
    client = client_for(cast.grid_worker_a)
    url = reverse("publicity:visit_new")
    response = client.post(url, {"grid": cast.grid_a.code, "building": "3号楼", "unit": "2", "room": "501",
                                 "result": "visited", "topics": ["campaign", "garbage"], "day": "2026-11-27",
                                 "visitor": "grid_worker_a"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"grid": [cast.grid_a.code], "building": ["3"], "unit": ["2"], "day": ["2026-11-27"],
                     "topics": ["campaign", "garbage"]}
    page = client.get(response["Location"]).content.decode()
    assert 'name="building" value="3"' in page and 'name="unit" value="2"' in page
    assert 'data-draft-done="visit|grid_worker_a"' in page  # the saved visit's draft goes
    assert 'name="room"' in page and 'name="room" value' not in page
    bad = client.post(url, {"grid": cast.grid_a.code, "building": "3", "room": "5楼", "result": "visited",
                            "topics": ["campaign"], "day": "2026-11-27"})
    assert bad.status_code == 400 and b'id="id_room_errors"' in bad.content
    assert b'data-draft-store="visit|grid_worker_a" data-draft-bound="1"' in bad.content
    assert HouseholdVisit.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_visit_list_and_coverage_pages_show_the_region_only(
    cast: Cast, django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        _visit(cast, f"50{n}")
    client = client_for(cast.admin_a)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("publicity:visits")).content.decode()
    assert html.count('data-household="3/2/') == 5
    assert client_for(cast.admin_b).get(reverse("publicity:visits")).content.decode().count("data-household=") == 0
    period = {"since": "2026-11-01", "until": "2026-11-30"}
    coverage = client.get(reverse("publicity:coverage"), period).content.decode()
    assert f'data-region="{cast.grid_a.code}"' in coverage and f'data-region="{cast.grid_b.code}"' not in coverage
    bad = client_for(cast.admin_a).get(reverse("publicity:visits"), {"since": "bad", "until": "x"})
    assert bad.status_code == 400  # the error beside the fields, the list of this month below
    assert "“bad”" in bad.content.decode() and bad.content.decode().count('data-household="3/2/') == 5
