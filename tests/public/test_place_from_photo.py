"""A photo's GPS is the place of a report that gives none; a typed place wins over it."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chuangcheng.evidence.models import Photo
from chuangcheng.public.models import Report
from tests.evidence.conftest import camera_exif, gps_hohhot, jpeg
from tests.public.conftest import Scene, report, upload


def photo_taken_in_grid_a(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(exif=camera_exif(gps=gps_hohhot())), content_type="image/jpeg")


def test_the_page_takes_the_place_from_the_photos_gps_when_none_is_given(scene: Scene) -> None:
    response = Client().post("/r/", {"category": scene.category.code, "description": "墙上贴满小广告",
                                     "photos": [upload("red"), photo_taken_in_grid_a()]})
    assert response.status_code == 302
    case = Report.objects.get().case
    assert (case.lon, case.lat) == (Decimal("111.650000"), Decimal("40.820000"))
    assert case.grid == scene.cast.grid_a
    assert Photo.objects.count() == 2  # both photos were still read whole after the peek


def test_a_typed_place_wins_over_the_photos_gps(scene: Scene) -> None:
    made = report(scene, lon=111.70, lat=40.82, photos=[photo_taken_in_grid_a()])
    assert made.case.grid == scene.cast.grid_b


def test_without_gps_or_a_typed_place_the_resident_is_asked_where(scene: Scene) -> None:
    response = Client().post("/r/", {"category": scene.category.code, "description": "墙上贴满小广告",
                                     "photos": [upload("red")]})
    assert response.status_code == 400
    assert 'id="id_location_errors"' in response.content.decode()
