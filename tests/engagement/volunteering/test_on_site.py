"""Checking in on site (place, window, once, walk-ins) and checking out with hours credited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Attendance
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, offset, plan


@pytest.fixture
def signed(cast, crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    return action


def _stored(action):
    return list(Attendance.objects.filter(action=action).order_by("id").values())


def test_a_check_in_near_the_place_in_the_window_is_kept_with_its_distance(crew, signed):
    with at(START - dt.timedelta(minutes=10)):
        lon, lat = offset(120)
        row = services.check_in(signed, by=crew.v1, lon=lon, lat=lat)
    assert row.checked_in_at == START - dt.timedelta(minutes=10)
    assert 115 <= row.checkin_distance_m <= 125
    assert not row.walk_in


def test_a_check_in_far_from_the_place_is_refused_naming_the_distance(settings, crew, signed):
    settings.VOLUNTEER_CHECKIN_RADIUS_M = 300
    before = _stored(signed)
    events = AuditEvent.objects.count()
    lon, lat = offset(1500)
    with at(START + dt.timedelta(minutes=5)), pytest.raises(ValidationError) as exc:
        services.check_in(signed, by=crew.v1, lon=lon, lat=lat)
    message = exc.value.message_dict["location"][0]
    assert "1500" in message and "300" in message
    assert _stored(signed) == before
    assert AuditEvent.objects.count() == events


def test_the_radius_is_configurable(settings, crew, signed):
    settings.VOLUNTEER_CHECKIN_RADIUS_M = 2000
    lon, lat = offset(1500)
    with at(START + dt.timedelta(minutes=5)):
        row = services.check_in(signed, by=crew.v1, lon=lon, lat=lat)
    assert row.checkin_distance_m == 1500


@pytest.mark.parametrize("moment", [START - dt.timedelta(minutes=31), END + dt.timedelta(minutes=1)])
def test_a_check_in_outside_the_window_is_refused_naming_the_window(settings, crew, signed, moment):
    settings.VOLUNTEER_CHECKIN_EARLY_MINUTES = 30
    before = _stored(signed)
    with at(moment), pytest.raises(ValidationError) as exc:
        services.check_in(signed, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    assert "2026-11-21 08:30" in exc.value.messages[0] and "2026-11-21 11:00" in exc.value.messages[0]
    assert _stored(signed) == before


def test_a_second_check_in_is_refused(crew, signed):
    with at(START):
        services.check_in(signed, by=crew.v1, lon=offset(10)[0], lat=offset(10)[1])
    with at(START + dt.timedelta(minutes=3)), pytest.raises(ValidationError, match="09:00"):
        services.check_in(signed, by=crew.v1, lon=offset(10)[0], lat=offset(10)[1])
    assert Attendance.objects.get(action=signed).checked_in_at == START


def test_a_walk_in_is_welcome_while_places_are_left(cast, crew):
    action = plan(cast, capacity=1)
    with at(START):
        row = services.check_in(action, by=crew.v2, lon=offset(0)[0], lat=offset(0)[1])
        assert row.walk_in and row.active
        with pytest.raises(ValidationError, match="已满员"):
            services.check_in(action, by=crew.v3, lon=offset(0)[0], lat=offset(0)[1])
    assert not Attendance.objects.filter(person=crew.v3.person).exists()


def test_a_missing_or_garbled_location_is_named(crew, signed):
    with at(START), pytest.raises(ValidationError) as exc:
        services.check_in(signed, by=crew.v1, lon="", lat="")
    assert "location" in exc.value.message_dict
    with at(START), pytest.raises(ValidationError) as exc:
        services.check_in(signed, by=crew.v1, lon="abc", lat="40.8")
    assert "lon" in exc.value.message_dict
    assert Attendance.objects.get(action=signed).checked_in_at is None


def test_check_out_credits_the_hours_clipped_to_the_window(crew, signed):
    with at(START - dt.timedelta(minutes=20)):
        services.check_in(signed, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(END + dt.timedelta(minutes=40)):
        row = services.check_out(signed, by=crew.v1, lon=offset(50)[0], lat=offset(50)[1])
    assert row.hours == Decimal("2.00")  # 08:40–11:40 clipped to 09:00–11:00
    assert row.checkout_distance_m == 50
    with at(END + dt.timedelta(minutes=41)), pytest.raises(ValidationError, match="签退"):
        services.check_out(signed, by=crew.v1)


def test_check_out_without_check_in_is_refused(crew, signed):
    with at(START + dt.timedelta(minutes=30)), pytest.raises(ValidationError):
        services.check_out(signed, by=crew.v1)
    assert Attendance.objects.get(action=signed).checked_out_at is None


def test_a_partial_stay_counts_its_own_length(crew, signed):
    with at(START + dt.timedelta(minutes=30)):
        services.check_in(signed, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
    with at(START + dt.timedelta(minutes=75)):
        row = services.check_out(signed, by=crew.v1)
    assert row.hours == Decimal("0.75")


def test_the_organizer_checks_in_a_volunteer_without_a_phone_and_a_volunteer_cannot(cast, crew, action):
    lon, lat = offset(15)
    with at(START):
        with pytest.raises(PermissionDenied):
            services.check_in(action, by=crew.v1, person=crew.v3.person, lon=lon, lat=lat)
        row = services.check_in(action, by=cast.admin_a, person=crew.v3.person, lon=lon, lat=lat)
    assert row.person == crew.v3.person and row.walk_in and row.checkin_distance_m == 15
    with at(START + dt.timedelta(hours=1)):
        row = services.check_out(action, by=cast.admin_a, person=crew.v3.person)
    assert row.hours == Decimal("1.00")


def test_the_roster_form_checks_in_on_behalf(cast, crew, action):
    from django.urls import reverse

    from tests.conftest import client_for

    lon, lat = offset(5)
    with at(START):
        client = client_for(cast.admin_a)
        page = client.get(reverse("volunteering:roster", args=[action.code])).content.decode()
        assert 'value="V3"' in page and 'value="V9"' not in page
        client.post(reverse("volunteering:checkin_for", args=[action.code]),
                    {"person": "V3", "step": "in", "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})
    assert Attendance.objects.get(action=action).person == crew.v3.person
