"""The ledgers: 宣传台账 (pushes per group delivery, items with photo links, points against the
catalog) and 入户宣传台账 (visits, coverage), for a date range and a community; exports are logged."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.publicity import services
from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem
from tests.conftest import Cast, client_for
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.engagement.publicity.conftest import Places, Receiver, jpeg, robot

NOW = "2026-11-27 10:00 +0800"


def _rows(sheet: Any, skip: int) -> list[tuple[Any, ...]]:
    return [row for row in sheet.iter_rows(min_row=skip + 1, values_only=True)]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_publicity_ledger_has_a_row_per_group_delivery_and_per_item_with_its_photo_link(
    cast: Cast, places: Places, receiver: Receiver, media: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    robot(cast.grid_a, receiver.url, name="甲一网格居民群")
    robot(cast.grid_b, receiver.url, name="乙一网格居民群")
    with django_capture_on_commit_callbacks(execute=True):
        push = services.push_message(by=cast.street_admin, title="=cmd|' /C calc'!A0", text="x",
                                     grids=[cast.grid_a, cast.grid_b])
    item = services.register_item(places.bus_stop, by=cast.admin_a, kind=OfflineItem.Kind.BOARD, theme="诚信建设",
                                  count=2, put_up_on=dt.date(2026, 11, 20), photo=jpeg())
    services.register_item(places.road_b, by=cast.street_admin, kind=OfflineItem.Kind.BOARD, theme="b", count=1,
                           put_up_on=dt.date(2026, 11, 20))
    client = client_for(cast.admin_a)
    response = client.get(reverse("publicity:export"), {"ledger": "publicity", "since": "2026-11-01",
                                                        "until": "2026-11-27", "community": cast.community_a.code})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    pushes, items, points = book.worksheets
    [delivery] = _rows(pushes, 2)
    assert delivery[0] == push.number and delivery[2] == "'=cmd|' /C calc'!A0"  # kept as text
    assert delivery[7] == cast.grid_a.name and delivery[8] == "甲一网格居民群"
    [row] = _rows(items, 1)
    assert row[0] == item.code and row[9] == 2
    assert row[13] == f"http://testserver/publicity/items/{item.code}/photo/display/"
    assert items.cell(row=2, column=14).hyperlink is not None
    by_point = {r[0]: r for r in _rows(points, 1)}
    assert by_point["BUS-A"][5:8] == (2, 2, 0) and "ROAD-B" not in by_point
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert event.changes == {"publicity": 2} and event.region_path == cast.community_a.path


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_household_visit_ledger_lists_visits_and_coverage_per_grid(cast: Cast) -> None:
    cast.grid_a.households = 20
    cast.grid_a.save()
    for room, result in [("501", "visited"), ("502", "nobody_home"), ("503", "visited")]:
        services.record_visit(cast.grid_a, by=cast.grid_worker_a, building="3", unit="1", room=room,
                              day=dt.date(2026, 11, 10), result=result,
                              topics=["garbage", "campaign"] if result == "visited" else [])
    services.record_visit(cast.grid_a, by=cast.grid_worker_a, building="3", room="601", day=dt.date(2026, 10, 1),
                          result=HouseholdVisit.Result.VISITED, topics=["campaign"])
    response = client_for(cast.street_admin).get(reverse("publicity:export"), {
        "ledger": "visits", "since": "2026-11-01", "until": "2026-11-27"})
    book = load_workbook(io.BytesIO(response.content))
    visits, coverage = book.worksheets
    rows = _rows(visits, 2)
    assert [r[5] for r in rows] == ["501", "502", "503"]
    by_grid = {r[1]: r for r in _rows(coverage, 1)}
    assert by_grid[cast.grid_a.name][2:6] == (20, 2, 2, 0.1)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_bad_ledger_requests_are_explained_and_grid_workers_have_none(cast: Cast) -> None:
    client = client_for(cast.admin_a)
    backwards = client.get(reverse("publicity:export"), {"ledger": "visits", "since": "2026-11-20",
                                                         "until": "2026-11-01"})
    assert backwards.status_code == 400 and b'id="id_until_errors"' in backwards.content
    elsewhere = client.get(reverse("publicity:export"), {"ledger": "visits", "since": "2026-11-01",
                                                         "until": "2026-11-20", "community": cast.community_b.code})
    assert elsewhere.status_code == 400 and b'id="id_community_errors"' in elsewhere.content
    assert client_for(cast.grid_worker_a).get(reverse("publicity:export")).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_both_ledgers_drop_control_characters_instead_of_failing(cast: Cast, places: Places, media: Any) -> None:
    services.register_item(places.bus_stop, by=cast.admin_a, kind=OfflineItem.Kind.BOARD, theme=control_text(),
                           count=1, put_up_on=dt.date(2026, 11, 20))
    services.record_visit(cast.grid_a, by=cast.grid_worker_a, building="3", room="501", day=dt.date(2026, 11, 20),
                          topics=["garbage"], result=HouseholdVisit.Result.VISITED, note=control_text())
    client = client_for(cast.admin_a)
    for ledger in ("publicity", "visits"):
        response = client.get(reverse("publicity:export"), {"ledger": ledger, "since": "2026-11-01",
                                                            "until": "2026-11-27"})
        assert_cleaned(read_back(response))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_more_rows_than_an_export_holds_are_refused_beside_the_form(cast: Cast, places: Places, settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 1
    for room in ("501", "502"):
        services.record_visit(cast.grid_a, by=cast.grid_worker_a, building="3", room=room, day=dt.date(2026, 11, 20),
                              topics=["garbage"], result=HouseholdVisit.Result.VISITED)
    response = client_for(cast.admin_a).get(reverse("publicity:export"), {"ledger": "visits", "since": "2026-11-01",
                                                                           "until": "2026-11-27"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
