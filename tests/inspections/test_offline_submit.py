"""An inspection sent late from a phone's offline queue (offline.js): the server keeps the phone's
moments (started, finished) within bounds and its own (received); the queue's requests ask for JSON
and get 201 for a new inspection, 200 with the same inspection for a key already stored, 400/403
with the messages for a refusal, and a key sent twice is stored once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from chuangcheng.inspections.models import Inspection
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.org.models import Role
from tests import factories as f
from tests.inspections.test_pages import MONDAY, counts, full_form, jpeg, site  # noqa: F401 - the fixture

JSON = {"HTTP_ACCEPT": "application/json"}
URL = reverse("inspections:inspect", args=["A-COMPOUND"])


@pytest.fixture(autouse=True)
def monday(media):
    with time_machine.travel(MONDAY, tick=False):
        yield


def test_an_inspection_sent_from_the_queue_keeps_the_phones_moments_and_the_servers(site, as_user):  # noqa: F811
    client = as_user(site.worker)
    finished = MONDAY + dt.timedelta(minutes=12)
    data = full_form(site.compound, key="queued-key-0001")
    data["submitted_at"] = finished.isoformat()
    with time_machine.travel(MONDAY + dt.timedelta(minutes=90), tick=False):  # the network came back at 11:30
        response = client.post(URL, data, **JSON)
    assert response.status_code == 201
    inspection = Inspection.objects.get()
    assert response.json() == {"key": "queued-key-0001", "created": True,
                               "url": reverse("inspections:detail", args=["queued-key-0001"])}
    assert inspection.started_at == MONDAY and inspection.submitted_at == finished
    assert inspection.received_at == MONDAY + dt.timedelta(minutes=90)
    assert inspection.day == MONDAY.date()
    with time_machine.travel(MONDAY + dt.timedelta(minutes=95), tick=False):
        html = client.get(response.json()["url"]).content.decode()
    assert "kept on the phone without network, received 2026-11-23 11:30" in html or "2026-11-23 11:30 送达" in html


def test_the_same_queued_inspection_sent_twice_is_stored_once_and_answered_with_it(site, as_user):  # noqa: F811
    client = as_user(site.worker)
    data = full_form(site.compound, key="queued-key-0002", ENV_2={"result": "fail", "count": "1",
                                                                   "photo": jpeg("red")})
    data["submitted_at"] = (MONDAY + dt.timedelta(minutes=5)).isoformat()
    first = client.post(URL, data, **JSON)
    stored = counts()
    data["photo_ENV-2"] = jpeg("red")
    again = client.post(URL, data, **JSON)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert counts() == stored and stored["inspections"] == 1 and stored["photos"] == 1


def test_a_refused_queued_inspection_is_answered_with_its_reasons_naming_the_item(site, as_user):  # noqa: F811
    client = as_user(site.worker)
    data = full_form(site.compound, key="queued-key-0003", ENV_2={"result": "fail", "count": "1"})  # no photo
    response = client.post(URL, data, **JSON)
    assert response.status_code == 400 and counts()["inspections"] == 0
    errors = response.json()["errors"]
    item = next(i for i in checklist_of(site.compound) if i.code == "ENV-2")
    assert any(e.startswith(f"{item.text}: ") and ("photo" in e or "照片" in e) for e in errors)


def test_a_queued_inspection_of_a_point_one_may_not_inspect_is_refused_in_json(site, as_user):  # noqa: F811
    handler = f.UserFactory(role=Role.UNIT_HANDLER, scope=site.cast.street)
    response = as_user(handler).post(URL, full_form(site.compound, key="queued-key-0004"), **JSON)
    assert response.status_code == 403 and response.json()["errors"]
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(("finished", "started", "refused"), [
    (MONDAY + dt.timedelta(minutes=30), MONDAY, True),  # in the future, beyond the phone's skew
    (MONDAY + dt.timedelta(minutes=5), MONDAY, False),  # within the skew
    (MONDAY - dt.timedelta(minutes=1), MONDAY, True),  # before it started
    (MONDAY - dt.timedelta(days=3, minutes=1), None, True),  # older than three days
    (MONDAY - dt.timedelta(hours=2), MONDAY - dt.timedelta(hours=3), False),  # this morning, sent now
])
def test_the_phones_finished_moment_is_taken_within_bounds(site, as_user, finished, started, refused):  # noqa: F811
    client = as_user(site.worker)
    data = full_form(site.compound, key="queued-key-0005")
    data["started_at"] = started.isoformat() if started else ""
    data["submitted_at"] = finished.isoformat()
    response = client.post(URL, data, **JSON)
    if refused:
        assert response.status_code == 400 and Inspection.objects.count() == 0
        assert response.json()["errors"]
    else:
        assert response.status_code == 201
        assert Inspection.objects.get().submitted_at == finished


def test_without_the_phones_moment_the_server_records_its_own(site, as_user):  # noqa: F811
    client = as_user(site.worker)
    response = client.post(URL, full_form(site.compound, key="page-key-0006"))
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.submitted_at == inspection.received_at == MONDAY


def test_a_queued_inspection_of_a_point_no_longer_in_ones_area_is_refused_in_json(site, as_user):  # noqa: F811
    other = f.PointFactory(code="B-ROAD", grid=site.cast.grid_b)
    url = reverse("inspections:inspect", args=[other.code])
    response = as_user(site.worker).post(url, full_form(site.compound, key="queued-key-0007"), **JSON)
    assert response.status_code == 404 and response.json()["errors"]
