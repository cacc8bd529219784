"""Factories for every model. Regions get a code from a sequence and the path from their parent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CatalogVersion, CheckGroup, CheckItem, PointType, TypeProfile


def square(lon: float, lat: float, half: float = 0.002) -> str:
    """A GeoJSON square boundary centred on lon/lat."""
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    import json

    return json.dumps({"type": "Polygon", "coordinates": [ring]})


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"R{n:05d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = Region.Level.DISTRICT
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


def district(**kw: Any) -> Region:
    return RegionFactory(level=Region.Level.DISTRICT, **kw)


def street(parent: Region | None = None, **kw: Any) -> Region:
    return RegionFactory(level=Region.Level.STREET, parent=parent or district(), **kw)


def community(parent: Region | None = None, **kw: Any) -> Region:
    return RegionFactory(level=Region.Level.COMMUNITY, parent=parent or street(), **kw)


def grid(parent: Region | None = None, **kw: Any) -> Region:
    return RegionFactory(level=Region.Level.GRID, parent=parent or community(), **kw)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"责任单位{n}")
    kind = Unit.Kind.PROPERTY
    region = factory.LazyFunction(street)
    head_name = "张主任"
    head_phone = factory.Sequence(lambda n: f"139{n:08d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"人员{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    region = factory.LazyFunction(street)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STREET_ADMIN
    scope = factory.LazyFunction(street)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class PointTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TYPE{n}")
    name = factory.Sequence(lambda n: f"类型{n}")


class CatalogVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogVersion

    number = factory.Sequence(lambda n: n + 100)  # the migration already made v1
    title = "测试目录"
    status = CatalogVersion.Status.PUBLISHED


class CheckGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckGroup

    version = factory.SubFactory(CatalogVersionFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"检查组{n}")


class CheckItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckItem

    version = factory.SubFactory(CatalogVersionFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    group = factory.SubFactory(CheckGroupFactory, version=factory.SelfAttribute("..version"))
    point_type = None
    text = factory.Sequence(lambda n: f"检查内容{n}")


class TypeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TypeProfile

    version = factory.SubFactory(CatalogVersionFactory)
    point_type = factory.SubFactory(PointTypeFactory)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Point

    code = factory.Sequence(lambda n: f"PT{n:05d}")
    name = factory.Sequence(lambda n: f"点位{n}")
    point_type = factory.SubFactory(PointTypeFactory, code="ROAD_MAIN", name="主次干道")
    grid = factory.LazyFunction(grid)
    lon = Decimal("111.650000")
    lat = Decimal("40.820000")
    primary_unit = factory.SubFactory(UnitFactory)


class MaterialsItemFactory(factory.django.DjangoModelFactory):
    """An assessment item assessed from documents (材料审核), in the catalog in force."""

    class Meta:
        model = "standards.AssessmentItem"

    version = factory.LazyFunction(lambda: _version_in_force())
    code = factory.Sequence(lambda n: f"DOC-{n}")
    name = factory.Sequence(lambda n: f"材料项目{n}")
    method = "materials"
    points = Decimal("2")
    sort_order = factory.Sequence(lambda n: n)


def _version_in_force() -> Any:
    from chuangcheng.standards.queries import version_in_force

    return version_in_force()


class AssessmentItemFactory(factory.django.DjangoModelFactory):
    """测评内容: an observed item of a point type (its own check items unless `group` is given)."""

    class Meta:
        model = "standards.AssessmentItem"

    version = factory.SubFactory(CatalogVersionFactory)
    code = factory.Sequence(lambda n: f"AI{n}")
    name = factory.Sequence(lambda n: f"测评内容{n}")
    point_type = factory.SubFactory(PointTypeFactory)
    group = None
    points = Decimal(10)
