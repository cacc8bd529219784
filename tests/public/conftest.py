"""The cast of tests/conftest.py plus a unit, a handler and an inspector, and helpers to report as a
resident: a grid around (111.650, 40.820) in 甲社区, another around (111.700, 40.820) in 乙社区."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangcheng.cases.models import Category
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.public import services
from chuangcheng.public.models import Report
from tests import factories as f

LON, LAT = 111.650, 40.820


@dataclass
class Scene:
    cast: Any
    unit: Unit
    handler: User
    inspector: User
    category: Category


def jpeg(color: str = "red", size: tuple[int, int] = (320, 240), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0110] = "SecretPhone 12"  # Model
        image.save(out, "JPEG", exif=data)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(color: str = "red", name: str = "", **kw: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or f"{color}.jpg", jpeg(color, **kw), content_type="image/jpeg")


@pytest.fixture
def scene(cast: Any, media: Any) -> Scene:
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    category = Category.objects.get(code="XC01")
    return Scene(cast, unit, handler, inspector, category)


def report(scene: Scene, **kw: Any) -> Report:
    values: dict[str, Any] = {"category": scene.category, "description": "路口电线杆上贴满小广告",
                              "lon": LON, "lat": LAT, "device": "device-1"}
    values.update(kw)
    return services.submit_report(**values)
