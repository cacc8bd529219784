"""Closing an action with its outcome and photos; the organizer correcting hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Action, ActionPhoto, HoursCorrection
from chuangcheng.evidence.models import Photo
from tests.conftest import stored_files
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, jpeg, offset

OUTCOME = {"vehicles_persuaded": 12, "bicycles_rearranged": 30, "flyers_removed": 0, "people_persuaded": 8,
           "litter_bags": 3}


@pytest.fixture
def under_way(cast, crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
        services.sign_up(action, by=crew.v2)
    with at(START):
        services.check_in(action, by=crew.v1, lon=offset(0)[0], lat=offset(0)[1])
        services.check_in(action, by=crew.v2, lon=offset(0)[0], lat=offset(0)[1])
    with at(START + dt.timedelta(hours=1)):
        services.check_out(action, by=crew.v2)
    return action


def test_closing_keeps_the_outcome_the_photos_and_checks_out_who_is_still_there(cast, crew, under_way, media):
    with at(END + dt.timedelta(minutes=30)):
        action = services.close_action(under_way, by=cast.admin_a, outcome=OUTCOME, summary="劝离车辆12辆",
                                       before_photos=[jpeg("red")], after_photos=[jpeg("green"), jpeg("blue")])
    assert action.status == Action.Status.HELD
    assert action.outcome == OUTCOME
    assert ActionPhoto.objects.filter(action=action, stage="before").count() == 1
    assert ActionPhoto.objects.filter(action=action, stage="after").count() == 2
    rows = {r.person.code: r for r in action.attendances.select_related("person")}
    assert rows["V1"].auto_checkout and rows["V1"].checked_out_at == END and rows["V1"].hours == Decimal("2.00")
    assert not rows["V2"].auto_checkout and rows["V2"].hours == Decimal("1.00")


def test_a_bad_photo_refuses_the_closing_and_leaves_nothing(cast, under_way, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")
    with at(END), pytest.raises(ValidationError) as exc:
        services.close_action(under_way, by=cast.admin_a, outcome=OUTCOME, summary="好",
                              before_photos=[jpeg("red")], after_photos=[bad])
    assert "photos" in exc.value.message_dict
    under_way.refresh_from_db()
    assert under_way.status == Action.Status.PLANNED and under_way.outcome == {}
    assert not Photo.objects.exists() and stored_files(media) == []
    assert under_way.attendances.filter(auto_checkout=True).count() == 0


def test_a_negative_or_garbled_counter_is_named(cast, under_way):
    with at(END), pytest.raises(ValidationError) as exc:
        services.close_action(under_way, by=cast.admin_a, outcome={**OUTCOME, "flyers_removed": -1,
                                                                 "litter_bags": "many"}, summary="好")
    assert set(exc.value.message_dict) == {"flyers_removed", "litter_bags"}
    under_way.refresh_from_db()
    assert under_way.status == Action.Status.PLANNED


def test_an_action_cannot_be_closed_before_it_starts_nor_by_a_volunteer(cast, crew, action):
    with at(PLANNED_AT), pytest.raises(ValidationError):
        services.close_action(action, by=cast.admin_a, outcome=OUTCOME, summary="好")
    with at(END), pytest.raises(PermissionDenied):
        services.close_action(action, by=crew.v1, outcome=OUTCOME, summary="好")
    with at(END), pytest.raises(PermissionDenied):
        services.close_action(action, by=cast.admin_b, outcome=OUTCOME, summary="好")


def test_the_organizer_corrects_hours_with_a_reason_kept_and_audited(cast, crew, under_way):
    row = under_way.attendances.get(person=crew.v2.person)
    with at(END + dt.timedelta(hours=1)):
        with pytest.raises(ValidationError) as exc:
            services.correct_hours(row, by=cast.admin_a, hours="1.5", reason="")
        assert "reason" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.correct_hours(row, by=cast.admin_a, hours="3", reason="超时")
        assert "hours" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            services.correct_hours(row, by=crew.v1, hours="2", reason="我自己改")
        services.correct_hours(row, by=cast.admin_a, hours="1.5", reason="手机没电，未能签退")
    row.refresh_from_db()
    assert row.hours == Decimal("1.50") and row.hours_corrected
    correction = HoursCorrection.objects.get()
    assert (correction.before, correction.after, correction.by) == (Decimal("1.00"), Decimal("1.50"), cast.admin_a)
    event = AuditEvent.objects.filter(object_key=under_way.code, note="手机没电，未能签退").get()
    assert event.changes["hours"] == ["1.00", "1.50"]


def test_a_corrected_figure_survives_the_closing(cast, crew, under_way):
    row = under_way.attendances.get(person=crew.v1.person)
    with at(START + dt.timedelta(minutes=90)):
        services.correct_hours(row, by=cast.admin_a, hours="1", reason="提前离开")
    with at(END + dt.timedelta(minutes=5)):
        services.close_action(under_way, by=cast.admin_a, outcome=OUTCOME, summary="好")
    row.refresh_from_db()
    assert row.hours == Decimal("1.00") and row.auto_checkout
