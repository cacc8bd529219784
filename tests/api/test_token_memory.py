"""A valid API token is remembered by the process that checked it (`API_TOKEN_CACHE_SECONDS`):
what that may and may not change for a client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chuangcheng.api import auth
from chuangcheng.org.models import ApiToken
from chuangcheng.org.services import create_api_token, revoke_all_api_tokens, revoke_api_token
from tests import factories as f


@pytest.fixture(autouse=True)
def _nothing_remembered():
    auth.forget_tokens()
    yield
    auth.forget_tokens()


def _get(key: str, path: str = "/api/points") -> tuple[int, int]:
    """(status, queries) of one request with the token."""
    with CaptureQueriesContext(connection) as queries:
        status = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {key}").status_code
    return status, len(queries)


def test_a_token_in_use_is_not_looked_up_on_every_request(cast):
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    first, first_queries = _get(key)
    second, second_queries = _get(key)
    assert first == second == 200
    # The first request read the token with its user and scope and noted when it was last used.
    assert second_queries == first_queries - 2


def test_revoking_a_token_in_use_stops_it_at_once(cast):
    token, key = create_api_token(cast.grid_worker_a, name="旧手机")
    assert _get(key)[0] == 200
    revoke_api_token(token, by=cast.grid_worker_a)
    assert _get(key)[0] == 401


def test_revoking_every_token_of_a_login_stops_those_in_use_at_once(cast):
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    assert _get(key)[0] == 200
    revoke_all_api_tokens(cast.grid_worker_a)  # a bulk update: no model signal
    assert _get(key)[0] == 401


def test_a_disabled_login_or_a_moved_scope_counts_from_the_next_request(cast):
    f.PointFactory(code="A1", grid=cast.grid_a)
    f.PointFactory(code="B1", grid=cast.grid_b, lon="111.70")
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [p["code"] for p in client.get("/api/points").json()["items"]] == ["A1"]
    cast.grid_worker_a.scope = cast.grid_b
    cast.grid_worker_a.save()
    assert [p["code"] for p in client.get("/api/points").json()["items"]] == ["B1"]
    cast.grid_worker_a.is_active = False
    cast.grid_worker_a.save()
    assert client.get("/api/points").status_code == 401


def test_a_remembered_token_still_expires_on_time(cast, settings, time_machine):
    token, key = create_api_token(cast.grid_worker_a, name="手机")
    assert _get(key)[0] == 200
    time_machine.move_to(token.expires_at + dt.timedelta(seconds=1), tick=False)
    assert _get(key)[0] == 401


def test_another_process_stops_a_revoked_token_within_the_remembered_seconds(cast, settings, monkeypatch):
    """A revocation made by another worker process reaches this one only through the database: a
    token this process checked a moment ago keeps working until it is looked up again."""
    settings.API_TOKEN_CACHE_SECONDS = 10
    now = [1000.0]
    monkeypatch.setattr(auth, "monotonic", lambda: now[0])
    token, key = create_api_token(cast.grid_worker_a, name="手机")
    assert _get(key)[0] == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)  # as another process would, unseen here
    now[0] += 9
    assert _get(key)[0] == 200
    now[0] += 2
    assert _get(key)[0] == 401


def test_with_no_remembering_every_request_looks_the_token_up(cast, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    token, key = create_api_token(cast.grid_worker_a, name="手机")
    assert _get(key)[0] == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert _get(key)[0] == 401


def test_a_view_changing_its_user_does_not_change_the_next_requests(cast, rf):
    _token, key = create_api_token(cast.grid_worker_a, name="手机")
    request = rf.get("/api/points", HTTP_AUTHORIZATION=f"Bearer {key}")
    user = auth.TokenAuth().authenticate(request, key)
    user.first_name = "changed in one request"
    again = auth.TokenAuth().authenticate(rf.get("/api/points"), key)
    assert again.pk == user.pk and again.first_name != "changed in one request"
