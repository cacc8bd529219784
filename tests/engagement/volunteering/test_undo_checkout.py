"""A check-out made by mistake is undone within VOLUNTEER_UNDO_CHECKOUT_MINUTES (default 10): the
volunteer is checked in again and the undo is kept as an audit event; after the window it is
refused with a message that says what to do. On the home page, the check-in page and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Attendance
from tests.conftest import client_for
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, offset

CHECKED_OUT = START + dt.timedelta(minutes=60)
JSON = "application/json"


@pytest.fixture
def checked_out(crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    with at(START):
        lon, lat = offset(20)
        services.check_in(action, by=crew.v1, lon=lon, lat=lat)
    with at(CHECKED_OUT):
        lon, lat = offset(60)
        services.check_out(action, by=crew.v1, lon=lon, lat=lat)
    return action


def test_the_default_window_is_ten_minutes(settings):
    from chuangcheng import settings as project_settings

    assert project_settings.VOLUNTEER_UNDO_CHECKOUT_MINUTES == 10


def test_an_undo_within_the_window_checks_the_volunteer_in_again_and_is_audited(crew, checked_out):
    with at(CHECKED_OUT + dt.timedelta(minutes=9)):
        row = services.undo_check_out(checked_out, by=crew.v1)
    row = Attendance.objects.get(pk=row.pk)
    assert row.checked_in_at == START and row.checked_out_at is None
    assert row.hours is None and row.checkout_distance_m is None and row.checkout_lon is None
    event = AuditEvent.objects.filter(note="undo check out").get()
    assert event.actor == crew.v1 and event.object_key == checked_out.code
    assert event.changes["check_out"] == ["V1", None] and event.changes["hours"] == ["1.00", None]
    # Checked in again: the next check-out credits the hours up to then.
    with at(CHECKED_OUT + dt.timedelta(minutes=30)):
        row = services.check_out(checked_out, by=crew.v1)
    assert row.hours == Decimal("1.50")


def test_an_undo_after_the_window_is_refused_and_changes_nothing(settings, crew, checked_out):
    settings.VOLUNTEER_UNDO_CHECKOUT_MINUTES = 10
    events = AuditEvent.objects.count()
    with at(CHECKED_OUT + dt.timedelta(minutes=10, seconds=1)), pytest.raises(ValidationError) as exc:
        services.undo_check_out(checked_out, by=crew.v1)
    assert "10 分钟" in exc.value.messages[0] and "10:00" in exc.value.messages[0]
    row = Attendance.objects.get(action=checked_out)
    assert row.checked_out_at == CHECKED_OUT and row.hours == Decimal("1.00")
    assert AuditEvent.objects.count() == events


def test_the_window_is_a_setting(settings, crew, checked_out):
    settings.VOLUNTEER_UNDO_CHECKOUT_MINUTES = 30
    with at(CHECKED_OUT + dt.timedelta(minutes=25)):
        services.undo_check_out(checked_out, by=crew.v1)
    assert Attendance.objects.get(action=checked_out).checked_out_at is None


def test_nothing_to_undo_without_a_check_out_and_not_for_another_volunteer(cast, crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    with at(START), pytest.raises(ValidationError):
        services.undo_check_out(action, by=crew.v1)
    with at(START), pytest.raises(PermissionDenied):
        services.undo_check_out(action, by=crew.v3, person=crew.v1.person)


def test_a_check_out_by_the_closing_of_the_action_is_not_undone(cast, crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    with at(START):
        services.check_in(action, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(END):
        services.close_action(action, by=cast.admin_a, outcome={}, summary="劝导 30 辆")
    with at(END + dt.timedelta(minutes=2)), pytest.raises(ValidationError):
        services.undo_check_out(action, by=crew.v1)
    assert Attendance.objects.get(action=action).checked_out_at == END


def test_the_check_in_page_asks_to_confirm_the_check_out_then_offers_the_undo(crew, action):
    url = reverse("volunteering:checkin", args=[action.code])
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    with at(START):
        services.check_in(action, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(CHECKED_OUT):
        client = client_for(crew.v1)
        page = client.get(url).content.decode()
        assert 'id="confirm-checkout"' in page and "确认" in page and 'value="out"' in page
        assert Attendance.objects.get(action=action).checked_out_at is None  # opening the page is not checking out
        client.post(url, {"step": "out", "lon": "", "lat": ""})
        page = client.get(url).content.decode()
        assert "撤销签退" in page and "10:10" in page
    with at(CHECKED_OUT + dt.timedelta(minutes=5)):
        response = client.post(url, {"step": "undo"}, follow=True)
        assert "已撤销签退" in response.content.decode()
    assert Attendance.objects.get(action=action).checked_out_at is None


def test_after_the_window_the_page_no_longer_offers_the_undo_and_refuses_it_in_words(crew, checked_out):
    url = reverse("volunteering:checkin", args=[checked_out.code])
    with at(CHECKED_OUT + dt.timedelta(minutes=11)):
        client = client_for(crew.v1)
        assert "撤销签退" not in client.get(url).content.decode()
        response = client.post(url, {"step": "undo"})
    assert response.status_code == 400
    refused = response.content.decode()
    assert 'id="undo-refused"' in refused and "10 分钟" in refused
    assert Attendance.objects.get(action=checked_out).checked_out_at == CHECKED_OUT


def test_the_volunteer_home_offers_the_undo_for_ten_minutes(crew, checked_out):
    with at(CHECKED_OUT + dt.timedelta(minutes=3)):
        client = client_for(crew.v1)
        home = client.get("/").content.decode()
        assert 'id="undo-checkout"' in home and "撤销签退" in home and "10:10" in home
        client.post(reverse("volunteering:checkin", args=[checked_out.code]), {"step": "undo"})
        home = client.get("/").content.decode()
    assert 'id="undo-checkout"' not in home and 'id="check-out"' in home
    with at(CHECKED_OUT + dt.timedelta(minutes=20)):
        client.post(reverse("volunteering:checkin", args=[checked_out.code]), {"step": "out", "lon": "", "lat": ""})
    with at(CHECKED_OUT + dt.timedelta(minutes=31)):
        assert 'id="undo-checkout"' not in client_for(crew.v1).get("/").content.decode()


def test_the_api_undoes_a_check_out_within_the_window_and_refuses_it_after(crew, checked_out):
    url = f"/api/volunteering/actions/{checked_out.code}/checkout/undo"
    with at(CHECKED_OUT + dt.timedelta(minutes=4)):
        undone = client_for(crew.v1).post(url, {}, content_type=JSON)
    assert undone.status_code == 200
    assert undone.json()["checked_out_at"] is None and undone.json()["hours"] is None
    assert undone.json()["undo_checkout_until"] is None
    with at(CHECKED_OUT + dt.timedelta(minutes=40)):
        out = client_for(crew.v1).post(f"/api/volunteering/actions/{checked_out.code}/checkout", {}, content_type=JSON)
    assert out.json()["undo_checkout_until"] == "2026-11-21T02:50:00Z"  # 10:50 local: ten minutes to undo it
    with at(CHECKED_OUT + dt.timedelta(minutes=51)):
        late = client_for(crew.v1).post(url, {}, content_type=JSON)
    assert late.status_code == 400 and "10 分钟" in str(late.json()["error"])
