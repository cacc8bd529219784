from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from chuangcheng.core.models import AuditEvent
from chuangcheng.places import services
from chuangcheng.places.models import Point
from tests import factories as f


@pytest.fixture
def road(db):
    return f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")


@pytest.fixture
def unit(cast):
    return f.UnitFactory(code="CG", name="城管中队", region=cast.street)


def save(by, **overrides):
    fields = {"name": "中山西路", "point_type": overrides.pop("point_type"), "lon": 111.650, "lat": 40.820,
              "primary_unit": overrides.pop("primary_unit")}
    fields.update(overrides)
    return services.save_point(by=by, code=overrides.pop("code", "P1"), **fields)


def test_the_grid_is_found_from_the_location(cast, road, unit):
    point, created = save(cast.street_admin, point_type=road, primary_unit=unit, lon=111.7005, lat=40.8202)
    assert created
    assert point.grid == cast.grid_b


def test_a_location_outside_china_is_refused_naming_the_field(cast, road, unit):
    with pytest.raises(ValidationError) as exc:
        save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a, lon=2.35, lat=48.85)
    assert "lon" in exc.value.message_dict
    assert not Point.objects.exists()


def test_a_location_outside_its_grid_is_refused(cast, road, unit):
    with pytest.raises(ValidationError) as exc:
        save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a, lon=111.70, lat=40.82)
    assert "lon" in exc.value.message_dict
    assert not Point.objects.exists()


def test_a_location_in_no_grid_asks_for_the_grid(cast, road, unit):
    with pytest.raises(ValidationError) as exc:
        save(cast.street_admin, point_type=road, primary_unit=unit, lon=112.5, lat=41.5)
    assert "grid" in exc.value.message_dict


def test_a_community_admin_may_not_add_a_point_in_another_community(cast, road, unit):
    with pytest.raises(PermissionDenied):
        save(cast.admin_a, point_type=road, primary_unit=unit, grid=cast.grid_b, lon=111.70, lat=40.82)


def test_every_change_is_recorded_and_a_no_op_is_not(cast, road, unit):
    save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a)
    save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a, name="中山西路东段")
    save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a, name="中山西路东段")
    events = list(AuditEvent.objects.filter(object_key="P1").order_by("at", "id"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["name"] == ["中山西路", "中山西路东段"]
    assert events[1].actor == cast.street_admin


def test_the_point_form_shows_the_grid_error_on_the_page(cast, road, unit, as_user):
    response = as_user(cast.street_admin).post("/points/new/", {
        "code": "P9", "name": "错位点位", "point_type": road.pk, "grid": cast.grid_a.pk,
        "lon": "111.70", "lat": "40.82", "primary_unit": unit.pk,
    })
    assert response.status_code == 200
    assert "lies outside the boundary" in response.content.decode() or "边界" in response.content.decode()
    assert not Point.objects.filter(code="P9").exists()


def test_the_point_form_saves_a_good_point(cast, road, unit, as_user):
    response = as_user(cast.admin_a).post("/points/new/", {
        "code": "P8", "name": "甲小区门口", "point_type": road.pk, "lon": "111.6501", "lat": "40.8199",
        "primary_unit": unit.pk, "zero_loss": "on",
    })
    assert response.status_code == 302
    point = Point.objects.get(code="P8")
    assert point.grid == cast.grid_a and point.zero_loss


def test_a_new_point_may_not_take_an_existing_code(cast, road, unit, as_user):
    save(cast.street_admin, point_type=road, primary_unit=unit, grid=cast.grid_a)
    response = as_user(cast.street_admin).post("/points/new/", {
        "code": "P1", "name": "重复", "point_type": road.pk, "lon": "111.65", "lat": "40.82",
        "primary_unit": unit.pk,
    })
    assert response.status_code == 200
    assert Point.objects.get(code="P1").name == "中山西路"


def test_the_list_filters_by_type_and_community(cast, road, unit, as_user):
    market = f.PointTypeFactory(code="MARKET", name="农贸市场")
    f.PointFactory(code="A-ROAD", name="甲路", point_type=road, grid=cast.grid_a, primary_unit=unit)
    f.PointFactory(code="A-MKT", name="甲市场", point_type=market, grid=cast.grid_a, primary_unit=unit)
    f.PointFactory(code="B-MKT", name="乙市场", point_type=market, grid=cast.grid_b, primary_unit=unit,
                   lon="111.70")
    body = as_user(cast.street_admin).get(f"/points/?type=MARKET&region={cast.community_a.code}").content.decode()
    assert "甲市场" in body
    assert "甲路" not in body and "乙市场" not in body


def test_the_list_page_costs_the_same_queries_for_10_or_60_points(cast, road, unit, as_user):
    client = as_user(cast.street_admin)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/points/").status_code == 200
        return len(ctx.captured_queries)

    f.PointFactory.create_batch(10, point_type=road, grid=cast.grid_a, primary_unit=unit)
    count_queries()  # the first page after signing in also saves the session
    few = count_queries()
    f.PointFactory.create_batch(50, point_type=road, grid=cast.grid_a, primary_unit=unit)
    assert count_queries() == few


def test_the_qr_code_opens_the_point_page(cast, road, unit, as_user):
    f.PointFactory(code="QR1", grid=cast.grid_a, point_type=road, primary_unit=unit)
    client = as_user(cast.grid_worker_a)
    svg = client.get("/points/QR1/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml")
    png = client.get("/points/QR1/qr.png?download=1")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'filename="QR1.png"' in png["Content-Disposition"]
    from PIL import Image as PILImage

    image = PILImage.open(io.BytesIO(png.content))
    assert image.size[0] >= 300
    assert client.get("/points/QR1/qr/").status_code == 200


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_is_kept_byte_for_byte_with_its_hash(cast, road, unit, as_user):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    point = f.PointFactory(code="PH1", grid=cast.grid_a, point_type=road, primary_unit=unit)
    data = _jpeg()
    response = as_user(cast.admin_a).post(
        "/points/PH1/photos/", {"photo": SimpleUploadedFile("a.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 302
    photo = point.photos.get()
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    with photo.image.open("rb") as handle:
        assert handle.read() == data


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(cast, road, unit, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    point = f.PointFactory(code="PH2", grid=cast.grid_a, point_type=road, primary_unit=unit)
    client = as_user(cast.admin_a)
    response = client.post(
        "/points/PH2/photos/", {"photo": SimpleUploadedFile("a.jpg", b"MZ not an image", "image/jpeg")},
        follow=True,
    )
    assert not point.photos.exists()
    assert response.status_code == 200
    assert any("JPEG" in str(m) for m in response.context["messages"])


def test_a_grid_worker_sees_no_edit_button(cast, road, unit, as_user):
    f.PointFactory(code="RO1", grid=cast.grid_a, point_type=road, primary_unit=unit)
    client = as_user(cast.grid_worker_a)
    assert "/points/RO1/edit/" not in client.get("/points/RO1/").content.decode()
    assert client.get("/points/RO1/edit/").status_code == 403


def test_a_photo_is_served_to_people_who_see_the_point_and_to_nobody_else(cast, road, unit, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    point = f.PointFactory(code="PH3", grid=cast.grid_a, point_type=road, primary_unit=unit)
    data = _jpeg()
    as_user(cast.admin_a).post("/points/PH3/photos/", {"photo": SimpleUploadedFile("a.jpg", data, "image/jpeg")})
    sha = point.photos.get().sha256
    url = f"/points/PH3/photos/{sha}/"
    assert url in as_user(cast.grid_worker_a).get("/points/PH3/").content.decode()
    response = as_user(cast.grid_worker_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/jpeg"
    assert as_user(cast.admin_b).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302
