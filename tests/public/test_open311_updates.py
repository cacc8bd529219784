"""The service request updates extension: clients poll for what changed since their last poll and
post comments back; a comment joins the feed with our own update_id and changes no state."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, State
from chuangcheng.public.models import Open311Client
from chuangcheng.public.open311 import services
from tests import factories as f
from tests.public.conftest import LAT, LON, Scene
from tests.public.open311 import FORMATS, call

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def key(scene: Scene) -> str:
    return services.issue_key(street=scene.cast.street, name="12345热线", by=scene.cast.street_admin)[1]


def posted(client: Client, key: str) -> Case:
    answer = call(client, "POST", "requests", "json", {"api_key": key, "service_code": "XC01", "lat": str(LAT),
                                                      "long": str(LON), "description": "小广告"})
    return Case.objects.get(number=answer.body[0]["service_request_id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_poll_returns_what_changed_in_its_window(client: Client, scene: Scene, key: str, fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        case = posted(client, key)
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        cases.accept_case(case, by=scene.cast.street_admin)
    with time_machine.travel(NOW + dt.timedelta(minutes=40), tick=False):
        cases.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
        feed = call(client, "GET", "servicerequestupdates", fmt, {
            "start_date": "2026-11-30T09:15:00+08:00", "end_date": "2026-11-30T09:45:00+08:00"}).body
        assert [(u["status"], u["updated_datetime"], u["external_status_code"]) for u in feed] == [
            ("INVESTIGATING", "2026-11-30T09:20:00+08:00", "accepted"),
            ("ACTION_SCHEDULED", "2026-11-30T09:40:00+08:00", "dispatched"),
        ]
        # Without dates: the last day.
        assert len(call(client, "GET", "servicerequestupdates", fmt).body) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_posts_a_comment_that_joins_the_feed(client: Client, scene: Scene, key: str, fmt: str) -> None:
    with time_machine.travel(NOW, tick=False):
        case = posted(client, key)
        version = case.version
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        answer = call(client, "POST", "servicerequestupdates", fmt, {
            "api_key": key, "service_request_id": case.number, "update_id": "hotline-77", "status": "open",
            "updated_datetime": "2026-11-30T09:59:00+08:00", "description": "<b>市民来电</b>：还在",
            "first_name": "张", "email": "zhang@example.com"})
        assert answer.status == 200, answer.body
        [receipt] = answer.body
        feed = call(client, "GET", "servicerequestupdates", fmt).body
    assert feed[-1]["update_id"] == receipt["update_id"]
    assert feed[-1]["description"] == "<b>市民来电</b>：还在"
    assert feed[-1]["updated_datetime"] == "2026-11-30T10:00:00+08:00"  # our time, not the client's
    assert feed[-1]["status"] == "OPEN"
    case.refresh_from_db()
    assert case.state == State.REPORTED and case.version == version
    event = case.events.get(action="comment")
    assert event.actor_name == "12345热线" and event.data["client_update_id"] == "hotline-77"
    assert event.data["from_requester"] is True
    assert "zhang@example.com" not in str(event.data) + event.note
    assert Open311Client.objects.get(name="12345热线").last_used_at is not None


def test_a_comment_outside_the_keys_subdistrict_is_refused(client: Client, scene: Scene, key: str) -> None:
    case = posted(client, key)
    other = f.street(scene.cast.district, code="150103002", name="环河街街道")
    other_key = services.issue_key(street=other, name="别的街道", by=None)[1]
    answer = call(client, "POST", "servicerequestupdates", "json", {
        "api_key": other_key, "service_request_id": case.number, "description": "评论"})
    assert answer.status == 400
    assert not case.events.filter(action="comment").exists()


def test_staff_read_a_clients_comment_on_the_case_page(client: Client, scene: Scene, key: str) -> None:
    from tests.conftest import client_for

    case = posted(client, key)
    call(client, "POST", "servicerequestupdates", "json", {
        "api_key": key, "service_request_id": case.number, "description": "市民回访：还在"})
    page = client_for(scene.cast.street_admin).get(f"/cases/{case.number}/")
    assert page.status_code == 200
    assert "市民回访：还在" in page.content.decode() and "12345热线" in page.content.decode()
