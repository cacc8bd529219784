"""Publicity's cast: the shared cast, a catalog in force that asks for two public-service ads at
a bus stop, a bus stop and a road in grid A, a road in grid B, and the loopback robot receiver."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangcheng.notify.models import Webhook
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CheckItem
from tests import factories as f
from tests.conftest import Cast
from tests.notify.conftest import Receiver, receiver  # noqa: F401 -- the robot stand-in on loopback

__all__ = ["Receiver"]


@dataclass
class Places:
    bus_stop: Point
    road_a: Point
    road_b: Point


@pytest.fixture
def places(cast: Cast) -> Places:
    version = f.CatalogVersionFactory()
    bus = f.PointTypeFactory(code="BUS_STOP", name="公交站点")
    road = f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")
    f.CheckItemFactory(version=version, group=None, point_type=bus, measure=CheckItem.Measure.COUNT,
                       threshold=Decimal(2), text="每个站点至少有 2 块平面公益广告。")
    # Not about publicity: ignored, however high its number.
    f.CheckItemFactory(version=version, group=None, point_type=bus, measure=CheckItem.Measure.COUNT,
                       threshold=Decimal(9), text="步行 500 米范围内能看到公共厕所指示牌。")
    # About publicity but not a count: ignored.
    f.CheckItemFactory(version=version, group=None, point_type=bus, measure=CheckItem.Measure.PRESENCE,
                       text="公益广告无错别字、无破损。")
    group = f.CheckGroupFactory(version=version, code="PSA", name="公益广告")
    f.CheckItemFactory(version=version, group=group, point_type=None, measure=CheckItem.Measure.COUNT,
                       threshold=Decimal(1), text="每 200 米范围内至少有 1 处固定形式的公益广告。")
    profile = f.TypeProfileFactory(version=version, point_type=road)
    profile.groups.add(group)
    return Places(
        bus_stop=f.PointFactory(code="BUS-A", name="甲站", point_type=bus, grid=cast.grid_a),
        road_a=f.PointFactory(code="ROAD-A", name="甲路", point_type=road, grid=cast.grid_a),
        road_b=f.PointFactory(code="ROAD-B", name="乙路", point_type=road, grid=cast.grid_b),
    )


def robot(region: Any, url: str, *, name: str = "", kind: str = Webhook.Kind.WECOM) -> Webhook:
    return Webhook.objects.create(name=name or f"{region.name}群", kind=kind, region=region, url=url)


def jpeg(color: tuple[int, int, int] = (200, 30, 30), name: str = "photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")
