"""The publicity API: scoped reads and writes over the same services, in the OpenAPI document."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine

from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem, Push
from tests.conftest import Cast, client_for
from tests.engagement.publicity.conftest import Places, Receiver, jpeg, robot

NOW = "2026-11-27 10:00 +0800"


@pytest.mark.django_db
def test_the_publicity_endpoints_are_in_the_openapi_document(cast: Cast) -> None:
    document = client_for(cast.street_admin).get("/api/openapi.json").json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"listPublicityPushes", "getPublicityPush", "createPublicityPush", "listOfflineItems",
            "registerOfflineItem", "listHouseholdVisits", "recordHouseholdVisit",
            "getHouseholdCoverage"} <= operations


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_push_is_created_and_listed_through_the_api(cast: Cast, receiver: Receiver) -> None:
    robot(cast.grid_a, receiver.url)
    client = client_for(cast.admin_a)
    response = client.post("/api/publicity/pushes", {"title": "通知", "text": "内容",
                                                     "targets": [cast.community_a.code]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scope"] == cast.community_a.code
    assert [d["state"] for d in body["deliveries"]] == ["queued"]
    listed = client.get("/api/publicity/pushes").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == body["number"]
    assert client_for(cast.admin_b).get("/api/publicity/pushes").json()["count"] == 0
    assert client_for(cast.admin_b).get(f"/api/publicity/pushes/{body['number']}").status_code == 404
    refused = client.post("/api/publicity/pushes", {"title": "t", "text": "x", "targets": [cast.grid_b.code]})
    assert refused.status_code == 400 and "targets" in refused.json()["error"]["fields"]
    no_robot = client_for(cast.admin_b).post("/api/publicity/pushes", {"title": "t", "text": "x",
                                                                        "targets": [cast.grid_b.code]})
    assert no_robot.status_code == 400 and "grids" in no_robot.json()["error"]["fields"]
    assert Push.objects.count() == 1
    assert client_for(cast.leader).post("/api/publicity/pushes", {"title": "t", "text": "x",
                                                                  "targets": [cast.grid_a.code]}).status_code == 403


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_items_are_registered_and_listed_per_point(cast: Cast, places: Places, media: Any) -> None:
    client = client_for(cast.grid_worker_a)
    response = client.post("/api/publicity/points/BUS-A/items", {
        "kind": "board", "theme": "讲文明树新风", "count": 2, "put_up_on": "2026-11-26", "photo": jpeg()})
    assert response.status_code == 201, response.content
    assert response.json()["photo_url"].endswith(f"/publicity/items/{response.json()['code']}/photo/display/")
    listed = client.get("/api/publicity/points/BUS-A/items").json()
    assert (listed["have"], listed["need"], listed["short"]) == (2, 2, 0)
    assert client.get("/api/publicity/points/ROAD-B/items").status_code == 404
    future = client.post("/api/publicity/points/BUS-A/items", {"kind": "board", "theme": "x", "count": 1,
                                                               "put_up_on": "2026-12-26"})
    assert future.status_code == 400 and "put_up_on" in future.json()["error"]["fields"]
    not_a_photo = client.post("/api/publicity/points/BUS-A/items", {
        "kind": "board", "theme": "x", "count": 1, "put_up_on": "2026-11-26",
        "photo": io.BytesIO(b"nope")})
    assert not_a_photo.status_code == 400
    assert OfflineItem.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_visits_are_recorded_listed_and_covered_through_the_api(cast: Cast) -> None:
    cast.grid_a.households = 4
    cast.grid_a.save()
    client = client_for(cast.grid_worker_a)
    payload = {"grid": cast.grid_a.code, "building": "3号楼", "unit": "2", "room": "501", "day": "2026-11-27",
               "result": "visited", "topics": ["campaign"]}
    response = client.post("/api/publicity/visits", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["household"] == "3/2/501"
    bad = client.post("/api/publicity/visits", {**payload, "room": "楼顶"}, content_type="application/json")
    assert bad.status_code == 400 and "room" in bad.json()["error"]["fields"]
    outside = client.post("/api/publicity/visits", {**payload, "grid": cast.grid_b.code},
                          content_type="application/json")
    assert outside.status_code == 400 and "grid" in outside.json()["error"]["fields"]
    assert HouseholdVisit.objects.count() == 1
    assert client.get("/api/publicity/visits").json()["count"] == 1
    [community] = client.get("/api/publicity/coverage").json()
    assert community["grids"][0]["covered"] == 1 and community["grids"][0]["rate"] == 0.25
    assert client_for(cast.admin_b).get("/api/publicity/visits").json()["count"] == 0


@pytest.mark.django_db
def test_a_bad_period_is_answered_400_with_the_field_named(cast: Cast) -> None:
    client = client_for(cast.street_admin)
    for url in ("/api/publicity/visits", "/api/publicity/coverage"):
        bad = client.get(url, {"since": "2026-02-30"})
        assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["since"]
        backwards = client.get(url, {"since": "2026-11-30", "until": "2026-11-01"})
        assert backwards.status_code == 400 and list(backwards.json()["error"]["fields"]) == ["until"]
