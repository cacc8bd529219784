"""The volunteering API: scoped list and detail, sign-up, check-in and check-out, my hours."""

from __future__ import annotations

import datetime as dt

from chuangcheng.engagement.volunteering.models import Attendance
from tests.conftest import client_for
from tests.engagement.volunteering.conftest import PLANNED_AT, START, at, offset, plan

JSON = "application/json"


def test_a_volunteer_lists_signs_up_checks_in_and_out_through_the_api(cast, crew, action):
    plan(cast, community=cast.community_b, lon=111.70, by=cast.admin_b)
    base = f"/api/volunteering/actions/{action.code}"
    with at(PLANNED_AT):
        client = client_for(crew.v1)
        listed = client.get("/api/volunteering/actions").json()
        assert [a["code"] for a in listed["items"]] == [action.code]
        assert listed["items"][0]["signed_up"] is False and listed["items"][0]["taken"] == 0
        created = client.post(f"{base}/signup")
        assert created.status_code == 201 and created.json()["person"] == "V1"
        detail = client.get(base).json()
        assert detail["signed_up"] is True and detail["taken"] == 1 and detail["organizer"] == "admin_a"
        assert client.post(f"{base}/signup").status_code == 400
    lon, lat = offset(2000)
    with at(START):
        client = client_for(crew.v1)
        far = client.post(f"{base}/checkin", {"lon": lon, "lat": lat}, content_type=JSON)
        assert far.status_code == 400
        assert "2000" in far.json()["error"]["fields"]["location"][0]
        lon, lat = offset(30)
        near = client.post(f"{base}/checkin", {"lon": lon, "lat": lat}, content_type=JSON)
        assert near.status_code == 200 and near.json()["checkin_distance_m"] == 30
    with at(START + dt.timedelta(hours=1)):
        client = client_for(crew.v1)
        out = client.post(f"{base}/checkout", {}, content_type=JSON)
        assert out.status_code == 200 and out.json()["hours"] == "1.00"


def test_the_api_hides_actions_out_of_scope_and_cancels_a_sign_up(cast, crew, action):
    base = f"/api/volunteering/actions/{action.code}"
    with at(PLANNED_AT):
        assert client_for(crew.outsider).get(base).status_code == 404
        assert client_for(crew.outsider).post(f"{base}/signup").status_code == 404
        client = client_for(crew.v2)  # scoped to a grid of the community: sees its actions
        assert client.post(f"{base}/signup").status_code == 201
        assert client.delete(f"{base}/signup").status_code == 200
    assert Attendance.objects.get().cancelled_at is not None


def test_a_garbled_location_is_a_field_error(crew, action):
    with at(START):
        response = client_for(crew.v1).post(f"/api/volunteering/actions/{action.code}/checkin",
                                            {"lon": "east", "lat": 40.8}, content_type=JSON)
    assert response.status_code == 422
    assert not Attendance.objects.exists()


def test_the_endpoints_are_in_the_openapi_document(cast):
    document = client_for(cast.street_admin).get("/api/openapi.json").json()
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"listVolunteerActions", "getVolunteerAction", "signUpForVolunteerAction", "cancelVolunteerSignUp",
            "checkInVolunteerAction", "checkOutVolunteerAction", "getMyVolunteerHours"} <= operation_ids
