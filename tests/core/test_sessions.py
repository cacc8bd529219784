"""A signed-in session ends after SESSION_IDLE_MINUTES without a request, and every request extends
it; but a page read does not write the session each time (that was a write transaction per page,
issue 19): the session is saved at most once a SESSION_TOUCH_SECONDS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Cast

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def session_writes(client: Any, path: str = "/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, sum('"django_session"' in q["sql"] and not q["sql"].startswith("SELECT")
                                      for q in queries.captured_queries)


def signed_in(client: Any) -> bool:
    response = client.get("/")
    return response.status_code == 200 and "/accounts/login/" not in response.get("Location", "")


def test_pages_read_within_a_minute_write_the_session_once(cast: Cast, as_user: Any, time_machine: Any) -> None:
    time_machine.move_to(START, tick=False)
    client = as_user(cast.street_admin)
    assert session_writes(client) == (200, 1)  # the first page after signing in
    for seconds in (5, 20, 59):
        time_machine.move_to(START + dt.timedelta(seconds=seconds), tick=False)
        assert session_writes(client) == (200, 0)
    time_machine.move_to(START + dt.timedelta(seconds=61), tick=False)
    assert session_writes(client) == (200, 1)


def test_a_session_idle_past_the_limit_ends_and_one_kept_busy_does_not(cast: Cast, as_user: Any, settings: Any,
                                                                        time_machine: Any) -> None:
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    time_machine.move_to(START, tick=False)
    busy, idle_client = as_user(cast.street_admin), as_user(cast.leader)
    assert signed_in(busy) and signed_in(idle_client)
    # The busy one reads a page every 50 minutes, for three times the idle limit.
    at = START
    while at < START + 3 * idle:
        at += dt.timedelta(minutes=50)
        time_machine.move_to(at, tick=False)
        assert signed_in(busy), at
    time_machine.move_to(at + idle - dt.timedelta(minutes=2), tick=False)
    assert signed_in(busy), "a session is extended by its last request, to within a minute"
    assert not signed_in(idle_client)
    assert idle_client.get("/").status_code == 302
