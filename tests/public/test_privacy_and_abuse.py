"""Erase my data, moderation (hide a photo or the text, audited), blocked numbers, SMS codes and
their limits, points (文明积分) off and on, text messages to reporters who asked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.notify.models import Message
from chuangcheng.public import queries, services
from chuangcheng.public.models import BlockedNumber, Follower, PointsEntry, Report
from chuangcheng.public.views import DEVICE_COOKIE
from tests.conftest import client_for
from tests.public.conftest import Scene, report, upload


def resident(device: str = "device-1") -> Client:
    client = Client()
    client.cookies[DEVICE_COOKIE] = device
    return client


def sent_code(phone: str) -> str:
    message = Message.objects.filter(channel="sms", target=phone, key__startswith="public:sms-code:").first()
    assert message is not None
    found = re.search(r"\d{6}", message.title)
    assert found is not None
    return found.group(0)


# --- erase ---


def test_the_reporter_erases_their_data_and_the_report_stays(scene: Scene) -> None:
    r = report(scene, name="王秀英", phone="13800138000", phone_verified=True, email="w@example.com",
               notify_sms=True)
    response = resident().post(f"/r/t/{r.code}/erase/")
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.anonymized_at is not None
    assert (r.name, r.phone, r.email, r.device, r.notify_sms) == ("", "", "", "", False)
    assert r.case.description == "路口电线杆上贴满小广告"
    assert resident().get(f"/r/t/{r.code}/").status_code == 200
    assert AuditEvent.objects.filter(object_type="public.report", object_key=r.code).exists()


def test_someone_else_cannot_erase(scene: Scene) -> None:
    r = report(scene, phone="13800138000")
    resident("other").post(f"/r/t/{r.code}/erase/")
    r.refresh_from_db()
    assert r.anonymized_at is None and r.phone == "13800138000"


def test_the_office_erases_on_request(scene: Scene) -> None:
    r = report(scene, phone="13800138000")
    client_for(scene.cast.street_admin).post(f"/r/triage/{r.code}/erase/")
    r.refresh_from_db()
    assert r.anonymized_at is not None and r.phone == ""
    with pytest.raises(PermissionDenied):
        services.erase_report(report(scene, device="d2"), by=scene.cast.admin_b)


def test_erasing_a_merged_report_erases_the_follow_too(scene: Scene) -> None:
    target = report(scene, device="d1")
    dup = report(scene, device="d2", phone="13800138000", phone_verified=True)
    services.merge_report(dup, by=scene.cast.street_admin, into=target.case)
    services.erase_report(dup, device="d2")
    follower = Follower.objects.get(report=dup)
    assert follower.phone == "" and follower.device == "" and follower.anonymized_at is not None


# --- moderation ---


def test_hiding_the_text_keeps_it_off_the_public_page_and_is_audited(scene: Scene) -> None:
    r = report(scene, description="某某是骗子 13999999999")
    admin = client_for(scene.cast.street_admin)
    assert admin.get("/r/moderation/").status_code == 200
    admin.post(f"/r/moderation/{r.code}/", {"what": "text", "hide": "1"})
    r.refresh_from_db()
    assert r.text_hidden
    assert "13999999999" not in resident("x").get(f"/r/t/{r.code}/").content.decode()
    assert AuditEvent.objects.filter(object_type="public.report", changes__text_hidden=[False, True]).exists()
    r.case.refresh_from_db()
    assert r.case.description == "某某是骗子 13999999999"  # staff still see it


def test_hiding_a_photo_takes_it_off_the_public_page(scene: Scene) -> None:
    r = report(scene, photos=[upload("red")])
    sha = r.case.events.get(action="report").photos.get().sha256
    assert f"/r/p/{sha}" in resident().get(f"/r/t/{r.code}/").content.decode()
    client_for(scene.cast.street_admin).post(f"/r/moderation/{r.code}/", {"what": "photo", "photo": sha, "hide": "1"})
    assert f"/r/p/{sha}" not in resident().get(f"/r/t/{r.code}/").content.decode()
    client_for(scene.cast.street_admin).post(f"/r/moderation/{r.code}/", {"what": "photo", "photo": sha, "hide": "0"})
    assert f"/r/p/{sha}" in resident().get(f"/r/t/{r.code}/").content.decode()


def test_only_street_admins_moderate(scene: Scene) -> None:
    r = report(scene)
    assert client_for(scene.cast.admin_a).get("/r/moderation/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.hide_text(r, by=scene.cast.admin_a)


def test_blocking_a_number_through_the_page(scene: Scene) -> None:
    client_for(scene.cast.street_admin).post("/r/blocked/", {"phone": "139 0000 0001", "reason": "骚扰"})
    assert BlockedNumber.objects.filter(phone="13900000001").exists()
    client_for(scene.cast.street_admin).post("/r/blocked/", {"phone": "13900000001", "unblock": "1"})
    assert not BlockedNumber.objects.exists()


# --- SMS codes ---


def test_the_sms_code_flow_verifies_the_phone(scene: Scene) -> None:
    client = resident()
    response = client.post("/r/sms/", {"phone": "13800138000"})
    assert response.status_code == 200 and response.json()["sent"] is True
    code = sent_code("13800138000")
    response = client.post("/r/", {"category": "XC01", "description": "小广告", "lon": "111.65", "lat": "40.82",
                                   "phone": "13800138000", "sms_code": code, "notify_sms": "on"})
    assert response.status_code == 302
    r = Report.objects.get()
    assert r.phone_verified and r.notify_sms
    # the code is spent
    with pytest.raises(ValidationError):
        services.verify_sms_code(phone="13800138000", code=code)


def test_a_wrong_code_is_refused_and_the_report_not_made(scene: Scene) -> None:
    client = resident()
    client.post("/r/sms/", {"phone": "13800138000"})
    code = sent_code("13800138000")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/r/", {"category": "XC01", "description": "小广告", "lon": "111.65", "lat": "40.82",
                                   "phone": "13800138000", "sms_code": wrong})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_code_expires_and_wrong_tries_are_limited(scene: Scene) -> None:
    services.send_sms_code(phone="13800138000")
    code = sent_code("13800138000")
    for _i in range(services.SMS_CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            services.verify_sms_code(phone="13800138000", code="000000" if code != "000000" else "111111")
    with pytest.raises(ValidationError):
        services.verify_sms_code(phone="13800138000", code=code)  # spent by the wrong tries
    services.send_sms_code(phone="13800138001")
    later = clock.now() + dt.timedelta(minutes=11)
    with clock.pinned(later), pytest.raises(ValidationError):
        services.verify_sms_code(phone="13800138001", code=sent_code("13800138001"))


def test_sms_codes_are_limited_per_phone(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_SMS_PER_HOUR = 2
    assert resident("a").post("/r/sms/", {"phone": "13800138000"}).status_code == 200
    assert resident("b").post("/r/sms/", {"phone": "13800138000"}).status_code == 200
    assert resident("c").post("/r/sms/", {"phone": "13800138000"}).status_code == 429
    assert resident("d").post("/r/sms/", {"phone": "12"}).status_code == 400
    BlockedNumber.objects.create(phone="13800138009")
    assert resident("e").post("/r/sms/", {"phone": "13800138009"}).status_code == 403


def test_reporters_who_asked_get_a_text_message_on_changes(scene: Scene) -> None:
    r = report(scene, phone="13800138000", phone_verified=True, notify_sms=True)
    quiet = report(scene, phone="13800138001", phone_verified=True, device="d2")
    services.accept_report(r, by=scene.cast.street_admin)
    services.accept_report(quiet, by=scene.cast.street_admin)
    assert services.notify_reporters() == 1
    assert services.notify_reporters() == 1  # a second run enqueues the same key: nothing new
    messages = Message.objects.filter(channel="sms", key__startswith=f"public:{r.code}:")
    assert messages.count() == 1 and messages.get().target == "13800138000"
    assert not Message.objects.filter(target="13800138001").exists()


# --- points ---


def test_points_are_off_by_default(scene: Scene) -> None:
    r = report(scene, phone="13800138000", phone_verified=True)
    services.accept_report(r, by=scene.cast.street_admin)
    assert not PointsEntry.objects.exists()
    assert 'id="points"' not in resident().get(f"/r/t/{r.code}/").content.decode()


def test_points_when_on_an_accepted_report_earns_and_a_redemption_spends(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_POINTS_ENABLED = True
    settings.PUBLIC_POINTS_PER_REPORT = 10
    r = report(scene, phone="13800138000", phone_verified=True)
    unverified = report(scene, phone="13800138001", device="d2")
    services.accept_report(r, by=scene.cast.street_admin)
    services.accept_report(unverified, by=scene.cast.street_admin)
    assert queries.points_balance("13800138000") == 10
    assert queries.points_balance("13800138001") == 0
    assert services.award_due_points() == 0  # already earned, once
    response = client_for(scene.cast.admin_a).post(
        "/r/points/", {"phone": "13800138000", "amount": "4", "note": "兑换垃圾袋",
                       "community": scene.cast.community_a.code})
    assert response.status_code == 302
    assert queries.points_balance("13800138000") == 6
    assert AuditEvent.objects.filter(object_type="public.pointsentry").exists()
    with pytest.raises(ValidationError):
        services.redeem_points(phone="13800138000", amount=7, by=scene.cast.admin_a,
                               region=scene.cast.community_a)
    # the verified reporter sees the balance on the tracking page
    client = resident()
    session = client.session
    session["public_phone"] = "13800138000"
    session.save()
    page = client.get(f"/r/t/{r.code}/").content.decode()
    assert 'data-points="6"' in page


def test_points_for_reports_accepted_on_the_case_pages(scene: Scene, settings: Any) -> None:
    from chuangcheng.cases import services as cases

    settings.PUBLIC_POINTS_ENABLED = True
    r = report(scene, phone="13800138000", phone_verified=True)
    cases.accept_case(r.case, by=scene.cast.street_admin)
    assert services.award_due_points() == 1
    assert services.award_due_points() == 0
    assert queries.points_balance("13800138000") == settings.PUBLIC_POINTS_PER_REPORT
