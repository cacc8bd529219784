from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from chuangcheng.org.models import ApiToken
from tests import factories as f
from tests.conftest import PASSWORD

SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_the_api_refuses_anonymous_callers_with_the_error_format(cast):
    response = Client().get("/api/points")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_mobile_client_gets_a_token_and_reads_its_points(cast):
    unit = f.UnitFactory(region=cast.street)
    f.PointFactory(code="A1", grid=cast.grid_a, primary_unit=unit)
    f.PointFactory(code="B1", grid=cast.grid_b, primary_unit=unit, lon="111.70")
    client = Client()
    response = client.post("/api/auth/token", {"username": "grid_worker_a", "password": PASSWORD, "name": "手机"},
                           content_type="application/json")
    assert response.status_code == 201
    key = response.json()["token"]
    assert ApiToken.objects.get().key_hash != key  # only the hash is kept
    points = Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [p["code"] for p in points["items"]] == ["A1"]


def test_a_wrong_password_gets_no_token_and_counts_towards_lockout(cast, settings):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post("/api/auth/token", {"username": "grid_worker_a", "password": "nope"},
                               content_type="application/json")
        assert response.status_code == 401
    response = client.post("/api/auth/token", {"username": "grid_worker_a", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429


def test_a_revoked_token_is_refused(cast):
    from chuangcheng.org.services import create_api_token, revoke_api_token

    token, key = create_api_token(cast.grid_worker_a, name="旧手机")
    revoke_api_token(token, by=cast.grid_worker_a)
    assert Client().get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_phone_numbers_are_masked_for_a_leader(cast, as_user):
    f.UnitFactory(code="U1", region=cast.street, head_phone="13912345678")
    unit = as_user(cast.leader).get("/api/org/units/U1").json()
    assert unit["head_phone"] == "139****5678"
    assert as_user(cast.street_admin).get("/api/org/units/U1").json()["head_phone"] == "13912345678"


def test_a_bad_query_parameter_gets_a_field_error(cast, as_user):
    response = as_user(cast.street_admin).get("/api/points?zero_loss=maybe")
    assert response.status_code == 422
    assert "zero_loss" in response.json()["error"]["fields"]


def test_the_openapi_document_changes_only_when_reviewed(cast, as_user):
    """On purpose: update tests/api/openapi.json with UPDATE_OPENAPI=1 when an API change is meant."""
    import os

    document = as_user(cast.street_admin).get("/api/openapi.json").json()
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("UPDATE_OPENAPI") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == SNAPSHOT.read_text(encoding="utf-8")
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"listPoints", "getPoint", "listRegions", "listUnits", "createToken"} <= operation_ids


def test_the_docs_page_loads(cast, as_user):
    assert as_user(cast.street_admin).get("/api/docs").status_code == 200



def test_a_token_client_writes_with_a_stale_session_cookie_and_no_csrf_token(cast, as_user):
    """The token decides: a phone app that also kept a session cookie is not held to CSRF."""
    from chuangcheng.org.services import create_api_token

    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    client = as_user(cast.grid_worker_a)  # a session cookie, no CSRF token
    response = client.post("/api/cases", {"category": "XC01", "description": "小广告", "source": "inspection"},
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code != 403, response.content
    assert response.status_code in {201, 400, 422}


# --- tokens: expiry, listing, revoking; bounded pages ---------------------------------------------


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_stops_working_after_api_token_days(cast, settings):
    import datetime as dt

    import time_machine

    from chuangcheng.core import clock
    from chuangcheng.org.services import create_api_token

    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    made = clock.now()
    with time_machine.travel(made + dt.timedelta(days=settings.API_TOKEN_DAYS) - dt.timedelta(minutes=1)):
        assert Client().get("/api/points", **bearer(key)).status_code == 200
    with time_machine.travel(made + dt.timedelta(days=settings.API_TOKEN_DAYS, minutes=1)):
        assert Client().get("/api/points", **bearer(key)).status_code == 401


def test_a_client_lists_and_revokes_its_own_tokens(cast):
    from chuangcheng.org.services import create_api_token

    old, old_key = create_api_token(cast.grid_worker_a, name="旧手机")
    _new, key = create_api_token(cast.grid_worker_a, name="新手机")
    create_api_token(cast.admin_a, name="别人的")
    mine = Client().get("/api/auth/tokens", **bearer(key)).json()
    assert [t["name"] for t in mine] == ["新手机", "旧手机"] and "key_hash" not in mine[0]
    assert mine[1]["prefix"] == old.prefix and mine[1]["expires_at"]
    assert Client().delete(f"/api/auth/tokens/{old.prefix}", **bearer(key)).status_code == 204
    assert Client().get("/api/points", **bearer(old_key)).status_code == 401
    assert [t["name"] for t in Client().get("/api/auth/tokens", **bearer(key)).json()] == ["新手机"]
    other = ApiToken.objects.get(user=cast.admin_a)
    assert Client().delete(f"/api/auth/tokens/{other.prefix}", **bearer(key)).status_code == 404


@pytest.mark.parametrize("query", ["limit=100000", f"limit={2**63 + 1}", f"offset={2**63 + 1}", "limit=0",
                                   "offset=-1", f"limit={2**64}&offset={2**64}"])
def test_a_page_out_of_bounds_is_refused_in_the_error_format(cast, as_user, query):
    for path in ("/api/points", "/api/cases", "/api/org/regions"):
        response = as_user(cast.street_admin).get(f"{path}?{query}")
        assert response.status_code == 422, (path, response.content)
        assert response.json()["error"]["code"] == "invalid"


def test_a_page_holds_at_most_api_max_limit_rows(cast, as_user, settings):
    for n in range(settings.API_MAX_LIMIT + 5):
        f.UnitFactory(code=f"U{n:04d}", region=cast.street)
    body = as_user(cast.street_admin).get(f"/api/org/units?limit={settings.API_MAX_LIMIT}").json()
    assert len(body["items"]) == settings.API_MAX_LIMIT and body["count"] == settings.API_MAX_LIMIT + 5


def test_no_write_operation_holds_a_token_client_to_csrf(cast):
    """Every write of the API, called as a phone app (token, no cookie) by a client that checks CSRF:
    whatever the answer (the body is empty, so mostly 4xx), it is never the CSRF refusal."""
    import re

    from chuangcheng.org.services import create_api_token

    _token, key = create_api_token(cast.street_admin, name="手机")
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    client = Client(raise_request_exception=False)
    writes = 0
    for path, operations in document["paths"].items():
        for method in operations:
            if method not in {"post", "put", "patch", "delete"}:
                continue
            writes += 1
            url = re.sub(r"\{[^}]+\}", "X1", path)
            response = getattr(client, method)(url, **bearer(key))
            assert response.status_code != 403 or response.json()["error"]["code"] != "csrf", (method, url)
    assert writes >= 29


def test_a_body_over_the_upload_limit_is_refused_with_413_in_the_error_format(cast, settings):
    from chuangcheng.org.services import create_api_token

    _token, key = create_api_token(cast.street_admin, name="手机")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = Client().post("/api/cases", {"description": "路" * 200}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "413" in Client().get("/api/openapi.json").json()["paths"]["/api/cases"]["post"]["responses"]


def test_every_refusal_is_documented_in_the_one_error_format(cast):
    document = Client().get("/api/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "403" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == error, (method, path, status)
    cases = document["paths"]
    assert {"401", "403", "404", "409", "422"} <= set(cases["/api/cases/{number}/verify"]["post"]["responses"])
    assert "413" in cases["/api/cases"]["post"]["responses"]
    assert "409" not in cases["/api/cases"]["get"]["responses"]
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"error"}
