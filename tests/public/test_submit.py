"""A resident reports a problem: good input opens a case with a tracking code; bad input is refused
field by field and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.cases.models import Case, Category, Source, State
from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.public import services
from chuangcheng.public.models import BlockedNumber, Report
from chuangcheng.public.services import CODE_ALPHABET
from tests.conftest import stored_files
from tests.public.conftest import LAT, LON, Scene, report, upload


def test_a_report_opens_a_resident_case_in_the_grid_with_a_short_code(scene: Scene) -> None:
    r = report(scene, photos=[upload("red")], phone="138 0013 8000", phone_verified=True, name="王女士")
    case = r.case
    assert case.source == Source.RESIDENT
    assert case.state == State.REPORTED
    assert case.grid == scene.cast.grid_a
    assert case.reported_by is None
    assert len(r.code) == 8 and set(r.code) <= set(CODE_ALPHABET)
    assert r.phone == "13800138000" and r.phone_verified
    assert r.device and r.device != "device-1"  # only the keyed hash is kept
    assert case.events.get(action="report").photos.count() == 1


def test_html_is_kept_as_text(scene: Scene) -> None:
    r = report(scene, description="<script>alert(1)</script> 垃圾")
    assert r.case.description == "<script>alert(1)</script> 垃圾"


@pytest.mark.parametrize(("kw", "field"), [
    ({"description": "  "}, "description"),
    ({"description": "字" * 4001}, "description"),
    ({"lon": 116.40, "lat": 39.90}, "location"),  # in China, but outside every grid
    ({"lon": 2.35, "lat": 48.85}, "location"),  # Paris
    ({"lon": None, "lat": None}, "location"),
    ({"lon": "east", "lat": 40}, "location"),
    ({"phone": "12345"}, "phone"),
])
def test_bad_input_is_refused_by_field(scene: Scene, kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        report(scene, **kw)
    assert field in exc.value.message_dict
    assert Case.objects.count() == 0


def test_a_category_residents_may_not_choose_is_refused(scene: Scene) -> None:
    hidden = Category.objects.filter(parent__isnull=False).exclude(pk=scene.category.pk).first()
    assert hidden is not None
    Category.objects.filter(pk=hidden.pk).update(public=False)
    hidden.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        report(scene, category=hidden)
    assert "category" in exc.value.message_dict


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(scene: Scene, media: Any) -> None:
    fake = SimpleUploadedFile("notes.jpg", b"this is not a picture at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        report(scene, photos=[upload("blue"), fake])
    assert "photos" in exc.value.message_dict
    assert "notes.jpg" in exc.value.message_dict["photos"][0]
    assert Case.objects.count() == 0 and Report.objects.count() == 0 and Photo.objects.count() == 0
    assert stored_files(media) == []


def test_a_photo_over_the_size_limit_is_refused(scene: Scene, settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        report(scene, photos=[upload("green", size=(800, 600))])
    assert "photos" in exc.value.message_dict
    assert Case.objects.count() == 0


def test_a_typed_address_with_a_community_goes_to_its_grid(scene: Scene) -> None:
    r = report(scene, lon=None, lat=None, address="甲社区3号楼东侧", community=scene.cast.community_b)
    assert r.case.grid == scene.cast.grid_b
    assert r.case.address == "甲社区3号楼东侧"


def test_a_blocked_number_is_refused_politely_and_nothing_else_is_lost(scene: Scene) -> None:
    kept = report(scene, phone="13900000001")
    BlockedNumber.objects.create(phone="13900000001")
    with pytest.raises(PermissionDenied):
        report(scene, phone="13900000001", device="device-2")
    assert list(Report.objects.values_list("code", flat=True)) == [kept.code]


def test_a_flood_from_one_device_is_throttled_and_earlier_reports_stay(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 3
    codes = [report(scene).code for _i in range(3)]
    with pytest.raises(services.RateLimited):
        report(scene)
    assert sorted(Report.objects.values_list("code", flat=True)) == sorted(codes)
    # another device is not affected
    assert report(scene, device="device-2").case.state == State.REPORTED


def test_the_same_phone_on_many_devices_is_throttled(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    report(scene, device="a", phone="13800000002")
    report(scene, device="b", phone="13800000002")
    with pytest.raises(services.RateLimited):
        report(scene, device="c", phone="13800000002")


def test_the_daily_limit_counts_the_whole_day(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 5
    settings.PUBLIC_REPORTS_PER_DAY = 6
    start = clock.now()
    for hour in (0, 2):
        with clock.pinned(start + dt.timedelta(hours=hour)):
            for _i in range(3):
                report(scene)
    with clock.pinned(start + dt.timedelta(hours=4)), pytest.raises(services.RateLimited):
        report(scene)
    assert Report.objects.count() == 6


def test_location_given_as_strings_is_read(scene: Scene) -> None:
    r = report(scene, lon=str(LON), lat=str(LAT))
    assert r.case.grid == scene.cast.grid_a
