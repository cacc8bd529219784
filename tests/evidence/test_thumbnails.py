"""Pictures at the size they are shown (issue 16): a page shows the 320 px thumbnail or the
1024 px medium version, with its width and height, and links to the full picture; both are
derived files (the original stays byte for byte as sent), sent with a year-long private cache
life, and only to people who may see the photo."""

from __future__ import annotations

import hashlib
import io
import random
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image, ImageFilter

from chuangcheng.evidence.services import accept_photo
from chuangcheng.public.models import Report
from tests import factories as f
from tests.cases.conftest import Scene, reported
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def phone_photo(size: tuple[int, int] = (4000, 3000)) -> bytes:
    """A picture a phone might take: detail everywhere (noise, softened), a few MB of JPEG."""
    rng = random.Random(16)
    small = Image.frombytes("RGB", (size[0] // 8, size[1] // 8), rng.randbytes(size[0] // 8 * size[1] // 8 * 3))
    image = small.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def dimensions(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def scene(cast: Any) -> Scene:
    from chuangcheng.cases.models import Category
    from chuangcheng.org.models import Role, Unit

    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit)
    return Scene(cast, unit, other, handler, inspector, point, Category.objects.get(code="XC01"))


@pytest.fixture
def case_photo(scene: Scene, media: Any) -> tuple[Any, Any, bytes]:
    data = phone_photo()
    photo = accept_photo(data, filename="IMG_0001.jpg", by=scene.cast.grid_worker_a)
    case = reported(scene, photos=[photo])
    return case, photo, data


def test_a_case_page_shows_thumbnails_of_a_few_kb_and_the_original_is_unchanged(scene, case_photo):
    case, photo, data = case_photo
    admin = client_for(scene.cast.street_admin)
    thumb_url = reverse("cases:photo", args=[case.number, photo.sha256, "thumbnail"])
    html = admin.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f'<img src="{thumb_url}"' in html and 'width="144" height="144"' in html
    assert reverse("cases:photo", args=[case.number, photo.sha256, "display"]) in html  # the link to the full one

    thumb = admin.get(thumb_url)
    thumbnail = body(thumb)
    assert len(data) > 1_000_000 and len(thumbnail) < 40 * 1024, len(thumbnail)
    assert dimensions(thumbnail) == (320, 240) == photo.thumbnail_size
    assert thumb["Cache-Control"] == "private, max-age=31536000"

    medium = admin.get(reverse("cases:photo", args=[case.number, photo.sha256, "medium"]))
    picture = body(medium)
    assert dimensions(picture) == (1024, 768) == photo.medium_size
    display = body(admin.get(reverse("cases:photo", args=[case.number, photo.sha256, "display"])))
    assert len(picture) < len(display) / 2 and medium["Cache-Control"] == "private, max-age=31536000"

    original = body(admin.get(reverse("cases:photo", args=[case.number, photo.sha256, "original"])))
    photo.refresh_from_db()
    with photo.original.open("rb") as handle:
        stored = handle.read()
    assert original == stored == data and hashlib.sha256(stored).hexdigest() == photo.sha256


def test_someone_who_may_not_see_the_case_gets_no_thumbnail(scene, case_photo):
    case, photo, _data = case_photo
    outsider = f.UserFactory(username="outsider", role="community_admin", scope=scene.cast.community_b)
    for variant in ("thumbnail", "medium", "display"):
        url = reverse("cases:photo", args=[case.number, photo.sha256, variant])
        assert client_for(outsider).get(url).status_code == 404, variant
        assert client_for(scene.cast.street_admin).get(url).status_code == 200, variant


def test_the_tracking_page_shows_the_medium_public_version_and_links_the_full_one(scene, case_photo, client):
    case, photo, data = case_photo
    Report.objects.create(case=case, code="R-THUMB-1")
    html = client.get(reverse("public:track", args=["R-THUMB-1"])).content.decode()
    medium_url = reverse("public:photo_sized", args=[photo.sha256, "medium"])
    assert f'src="{medium_url}" width="1024" height="768"' in html
    assert f'href="{reverse("public:photo", args=[photo.sha256])}"' in html
    picture = client.get(medium_url).content
    full = client.get(reverse("public:photo", args=[photo.sha256])).content
    assert dimensions(picture) == (1024, 768) and len(picture) < len(full) / 2
    thumb = client.get(reverse("public:photo_sized", args=[photo.sha256, "thumb"])).content
    assert dimensions(thumb) == (320, 240)
    assert client.get(f"/r/p/{photo.sha256}/huge.jpg").status_code == 404
    with photo.original.open("rb") as handle:
        assert handle.read() == data


def test_a_points_page_shows_thumbnails_of_its_photos(scene, media):
    from chuangcheng.places.services import add_point_photo

    data = phone_photo((3000, 4000))
    point_photo = add_point_photo(scene.point, by=scene.cast.street_admin, data=data, filename="gate.jpg")
    admin = client_for(scene.cast.street_admin)
    html = admin.get(reverse("places:detail", args=[scene.point.code])).content.decode()
    thumb_url = reverse("places:photo_thumbnail", args=[scene.point.code, point_photo.sha256])
    assert f'<img src="{thumb_url}"' in html
    assert f'href="{reverse("places:photo", args=[scene.point.code, point_photo.sha256])}"' in html
    response = admin.get(thumb_url)
    thumbnail = body(response)
    assert dimensions(thumbnail) == (240, 320) and len(thumbnail) < 40 * 1024
    assert response["Cache-Control"] == "private, max-age=31536000"
    with point_photo.image.open("rb") as handle:
        assert handle.read() == data
    outsider = f.UserFactory(username="outsider", role="community_admin", scope=scene.cast.community_b)
    assert client_for(outsider).get(thumb_url).status_code == 404


