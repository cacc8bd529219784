"""The long lists of the API (cases, points) are built from one `values()` query and encoded once
(`core.pagination.paginate_rows`), not through their schema per row. What a client reads must stay
what the schema describes: each item here is compared with the schema's own rendering of the same
row, and the queries of a page are counted, on both databases, as the list grows (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from chuangcheng.cases.api import CaseOut
from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.org.services import create_api_token
from chuangcheng.places.api import PointOut
from chuangcheng.places.models import Point
from tests import factories as f
from tests.cases.conftest import Scene, dispatched, reported

pytestmark = pytest.mark.django_db


def schema_json(schema: type[Any], objects: list[Any]) -> list[dict[str, Any]]:
    """What ninja's response schema and renderer made of these rows before the fast path."""
    dumped = [schema.from_orm(o).model_dump() for o in objects]
    return json.loads(JSONRenderer().render(None, dumped, response_status=200))  # type: ignore[arg-type]


def token_client(user: Any) -> Client:
    """A client as an API client is: a bearer token, no session."""
    _token, key = create_api_token(user, name="lists")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def get_list(client: Any, path: str) -> tuple[dict[str, Any], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json(), len(queries.captured_queries)


def cases_in_every_state(scene: Scene, n: int) -> None:
    for i in range(n):
        case = dispatched(scene) if i % 3 else reported(scene)
        if i % 4 == 1:  # past its deadline
            Case.objects.filter(pk=case.pk).update(deadline=clock.now() - dt.timedelta(hours=1))
        if i % 4 == 2:  # four fifths of the time used
            Case.objects.filter(pk=case.pk).update(warn_at=clock.now() - dt.timedelta(minutes=5),
                                                   deadline=clock.now() + dt.timedelta(hours=2))


def test_each_case_reads_as_its_schema_renders_it_and_the_page_costs_the_same_queries_at_any_length(
        scene: Scene) -> None:
    cases_in_every_state(scene, 6)
    client = token_client(scene.cast.street_admin)
    body, few = get_list(client, "/api/cases?limit=4")
    assert body["count"] == 6 and len(body["items"]) == 4

    cases_in_every_state(scene, 18)
    body, many = get_list(client, "/api/cases?limit=50")
    assert body["count"] == 24 and len(body["items"]) == 24
    ordered = list(Case.objects.filter(number__in=[i["number"] for i in body["items"]])
                   .select_related("category__parent", "grid__parent", "point", "unit").order_by("-reported_at", "-id"))
    assert body["items"] == schema_json(CaseOut, ordered)
    assert {i["overdue"] for i in body["items"]} == {True, False}
    assert any(i["due_soon"] for i in body["items"]) and any(i["unit"] is None for i in body["items"])
    assert any(i["state_label"] == "已派遣" for i in body["items"]), "labels are in the reader's language"
    # First: the token with its user and its last use noted; the page's keys, their rows; the count
    # when the page is full. Then the token is remembered, and the page reads its keys and their rows.
    assert few <= 5 and many <= 3 and many <= few


def test_a_page_past_the_end_still_counts_the_list(scene: Scene) -> None:
    cases_in_every_state(scene, 3)
    client = token_client(scene.cast.street_admin)
    assert get_list(client, "/api/cases?offset=10")[0] == {"items": [], "count": 3}
    assert get_list(client, "/api/cases?offset=1&limit=1")[0]["count"] == 3
    assert get_list(client, "/api/cases?offset=2&limit=5")[0]["count"] == 3
    refused = client.get("/api/cases?limit=0")
    assert refused.status_code == 422


def test_each_point_reads_as_its_schema_renders_it_and_queries_do_not_grow(scene: Scene) -> None:
    client = token_client(scene.cast.street_admin)
    body, few = get_list(client, "/api/points?limit=50")
    for n in range(30):
        f.PointFactory(code=f"P{n:03d}", name=f"点位{n}", grid=scene.cast.grid_b if n % 2 else scene.cast.grid_a,
                       primary_unit=scene.unit)
    body, many = get_list(client, "/api/points?limit=50")
    assert body["count"] == Point.objects.filter(active=True).count() > 30
    ordered = list(Point.objects.filter(code__in=[i["code"] for i in body["items"]])
                   .select_related("point_type", "grid__parent", "primary_unit").order_by("code"))
    assert body["items"] == schema_json(PointOut, ordered)
    assert isinstance(body["items"][0]["lon"], str), "decimals as text, as before"
    assert many <= 2 and few <= 4  # the token (first only: then remembered), the page's keys, their rows


def test_a_community_admin_sees_only_the_community_in_the_fast_list(scene: Scene) -> None:
    cases_in_every_state(scene, 2)
    other = f.PointFactory(code="B-POINT", name="乙点位", grid=scene.cast.grid_b, primary_unit=scene.unit)
    from chuangcheng.cases import services

    services.report_case(by=scene.cast.street_admin, source="inspection", category=scene.category,
                         description="乙社区的小广告", point=other)
    admin_b = scene.cast.admin_b
    body, _ = get_list(token_client(admin_b), "/api/cases")
    assert body["count"] == 1 and [i["point"] for i in body["items"]] == ["B-POINT"]


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 12, 3, 8, 12, 33, tzinfo=dt.UTC),  # no fraction: stored without one
    dt.datetime(2026, 12, 3, 8, 12, 33, 120000, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 3, 8, 12, 33, 999999, tzinfo=dt.UTC),  # milliseconds cut, never rounded up
    dt.datetime(2026, 12, 3, 23, 59, 59, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
])
def test_a_datetime_read_as_stored_is_written_as_the_encoder_writes_it(scene: Scene, moment: dt.datetime) -> None:
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db.models import F

    from chuangcheng.core.pagination import api_datetime, json_response, stored_datetime, stored_text

    scene_case = reported(scene)
    Case.objects.filter(pk=scene_case.pk).update(reported_at=moment)
    value = Case.objects.filter(pk=scene_case.pk).values(at=stored_text("reported_at")).get()["at"]
    plain = Case.objects.filter(pk=scene_case.pk).values(at=F("reported_at")).get()["at"]
    assert stored_datetime(value) == plain == moment
    written = json.loads(json_response({"at": api_datetime(value)}).content)["at"]
    assert written == json.loads(json.dumps(plain, cls=DjangoJSONEncoder))
    assert written.endswith("Z")


def test_rows_read_by_key_come_in_the_keys_order_converted_as_the_orm_converts_them(scene: Scene) -> None:
    from decimal import Decimal

    from chuangcheng.core.pagination import RowsByKey

    first = f.PointFactory(code="K1", name="甲", grid=scene.cast.grid_a, zero_loss=True)
    second = f.PointFactory(code="K2", name="乙", grid=scene.cast.grid_b, zero_loss=False)
    reader = RowsByKey(Point, "code", "zero_loss", "lon", "grid__code")
    rows = reader.read([second.pk, 10**9, first.pk])  # a key whose row is gone is skipped
    assert [row["code"] for row in rows] == ["K2", "K1"]
    assert rows[1]["zero_loss"] is True and rows[0]["zero_loss"] is False  # not SQLite's 1 and 0
    assert isinstance(rows[0]["lon"], Decimal) and rows[0]["grid__code"] == scene.cast.grid_b.code
    assert rows[0] == Point.objects.filter(pk=second.pk).values("pk", "code", "zero_loss", "lon", "grid__code").get()
    with CaptureQueriesContext(connection) as queries:
        reader.read([first.pk, second.pk, 10**9])
        reader.read([second.pk, first.pk, 10**9])
    assert len(queries.captured_queries) == 2 and len(reader._compiled) == 1  # one statement per page length
    assert reader.read([]) == []
