"""The tracking page: the public timeline without personal data, photos without EXIF, the
reporter's "fixed / not fixed" answer (only from their device or verified phone)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import State
from chuangcheng.public import services
from chuangcheng.public.models import Feedback
from chuangcheng.public.views import DEVICE_COOKIE
from tests.public.conftest import Scene, jpeg, report, upload


def handled(scene: Scene, r: Any, *, close: bool = True) -> None:
    """The office accepts and dispatches, the unit rectifies, the inspector verifies."""
    from tests.cases.conftest import photo

    admin = scene.cast.street_admin
    services.accept_report(r, by=admin)
    case = r.case
    case.refresh_from_db()
    cases.dispatch_case(case, by=admin, unit=scene.unit)
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "green")], note="已清理 李师傅 13912345678")
    if close:
        cases.verify_case(case, by=scene.inspector)
    case.refresh_from_db()


def resident(device: str = "device-1") -> Client:
    client = Client()
    client.cookies[DEVICE_COOKIE] = device
    return client


def test_the_tracking_page_shows_progress_but_no_personal_data(scene: Scene) -> None:
    r = report(scene, photos=[upload("red")], phone="13800138000", phone_verified=True, name="王秀英")
    handled(scene, r)
    body = resident("someone-else").get(f"/r/t/{r.code}/").content.decode()
    for private in ("13800138000", "王秀英", "138****8000", "物业经办人", "handler", "inspector",
                    "street_admin", "13912345678", "李师傅"):
        assert private not in body
    assert 'data-state="closed"' in body
    assert body.count("/r/p/") >= 2  # before and after photos


def test_public_photos_carry_no_exif_and_no_uploader(scene: Scene) -> None:
    exif_photo = SimpleUploadedFile("exif.jpg", jpeg("red", exif=True), content_type="image/jpeg")
    r = report(scene, photos=[exif_photo])
    sha = r.case.events.get(action="report").photos.get().sha256
    response = Client().get(f"/r/p/{sha}.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"SecretPhone" not in response.content


def test_a_photo_of_no_case_or_a_hidden_photo_is_not_served(scene: Scene) -> None:
    from tests.cases.conftest import photo

    loose = photo(scene.cast.street_admin, "blue")
    assert Client().get(f"/r/p/{loose.sha256}.jpg").status_code == 404
    r = report(scene, photos=[upload("red")])
    shown = r.case.events.get(action="report").photos.get()
    services.hide_photo(r.case, shown, by=scene.cast.street_admin, reason="人脸")
    assert Client().get(f"/r/p/{shown.sha256}.jpg").status_code == 404
    assert f"/r/p/{shown.sha256}" not in resident().get(f"/r/t/{r.code}/").content.decode()


def test_an_unknown_code_is_not_found_and_the_lookup_forgives_spaces(scene: Scene) -> None:
    r = report(scene)
    assert Client().get("/r/t/ZZZZZZZZ/").status_code == 404
    lowered = " ".join(r.code.lower())
    response = Client().get("/r/t/", {"code": lowered})
    assert response.status_code == 302 and response["Location"] == f"/r/t/{r.code}/"


def test_the_reporter_says_fixed(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r)
    client = resident()
    page = client.get(f"/r/t/{r.code}/").content.decode()
    assert 'id="answer"' in page
    response = client.post(f"/r/t/{r.code}/answer/", {"fixed": "yes"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.feedback == Feedback.FIXED
    assert 'id="answer"' not in client.get(f"/r/t/{r.code}/").content.decode()


def test_someone_else_cannot_answer(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r)
    assert 'id="answer"' not in resident("other").get(f"/r/t/{r.code}/").content.decode()
    response = resident("other").post(f"/r/t/{r.code}/answer/", {"fixed": "yes"})
    assert response.status_code == 403
    r.refresh_from_db()
    assert r.feedback == Feedback.NONE


def test_not_fixed_with_a_photo_reopens_a_closed_case_and_counts_against_the_unit(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r)
    response = resident().post(f"/r/t/{r.code}/answer/", {"fixed": "no", "note": "还在", "photos": [upload("gray")]})
    assert response.status_code == 302
    r.case.refresh_from_db()
    assert r.case.state == State.DISPATCHED
    assert r.case.unit == scene.unit
    assert r.case.reopen_count == 1
    assert r.case.events.filter(action="reopen").get().photos.count() == 1


def test_not_fixed_while_awaiting_verification_sends_it_back_for_rework(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r, close=False)
    services.answer_report(r, fixed=False, device="device-1", photos=[upload("gray")])
    r.case.refresh_from_db()
    assert r.case.state == State.RECTIFYING and r.case.rework_count == 1


def test_not_fixed_needs_a_photo(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r)
    with pytest.raises(ValidationError) as exc:
        services.answer_report(r, fixed=False, device="device-1")
    assert "photos" in exc.value.message_dict
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and r.case.reopen_count == 0


def test_there_is_nothing_to_answer_before_the_work_is_done(scene: Scene) -> None:
    r = report(scene)
    with pytest.raises(ValidationError):
        services.answer_report(r, fixed=True, device="device-1")


def test_a_verified_phone_may_answer_from_another_device(scene: Scene) -> None:
    r = report(scene, phone="13800138000", phone_verified=True)
    handled(scene, r)
    services.answer_report(r, fixed=True, phone="13800138000")
    r.refresh_from_db()
    assert r.feedback == Feedback.FIXED
    unverified = report(scene, phone="13800138001", device="d9")
    handled(scene, unverified)
    with pytest.raises(PermissionDenied):
        services.answer_report(unverified, fixed=True, phone="13800138001")


def test_the_reject_reason_is_shown_to_the_resident(scene: Scene) -> None:
    r = report(scene)
    services.reject_report(r, by=scene.cast.street_admin, reason="属于私人住宅内部，请联系物业")
    body = resident().get(f"/r/t/{r.code}/").content.decode()
    assert "属于私人住宅内部，请联系物业" in body
    assert 'data-state="rejected"' in body


def test_html_in_a_description_is_shown_as_text(scene: Scene) -> None:
    r = report(scene, description="<b>bold</b><script>x()</script>")
    body = resident().get(f"/r/t/{r.code}/").content.decode()
    assert "<script>x()</script>" not in body
    assert "&lt;script&gt;" in body
