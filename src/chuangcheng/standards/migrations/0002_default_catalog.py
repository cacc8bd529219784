"""Load the default catalog as it was shipped with this migration, as version 1, so a fresh
`chuangcheng migrate` has a catalog in force.

The data is a frozen copy (0002_default_catalog.json beside this file) and the loading code is
written out here with the historical models, so a later change to standards/data/default_catalog.json
or standards/loading.py (which `services.load_default_catalog` uses) cannot change what this
migration does to a database."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models
from django.utils import timezone

DATA = Path(__file__).with_suffix(".json")
PUBLISHED = "published"


def _read():
    with DATA.open(encoding="utf-8") as handle:
        return json.load(handle)


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _item(CheckItem, version, data, order, **owner):
    return CheckItem(
        version=version,
        code=data["code"],
        text=data["text"],
        measure=data.get("measure", "presence"),
        threshold=_decimal(data.get("threshold")),
        distance_m=data.get("distance_m"),
        weight=_decimal(data.get("weight", 1)),
        deduction=_decimal(data.get("deduction")),
        unit_kinds=list(data.get("unit_kinds", [])),
        sort_order=order,
        **owner,
    )


def load(apps, schema_editor):
    PointType = apps.get_model("standards", "PointType")
    CatalogVersion = apps.get_model("standards", "CatalogVersion")
    CheckGroup = apps.get_model("standards", "CheckGroup")
    TypeProfile = apps.get_model("standards", "TypeProfile")
    CheckItem = apps.get_model("standards", "CheckItem")
    data = _read()
    if CatalogVersion.objects.filter(status=PUBLISHED).exists():
        return

    types = {}
    for order, entry in enumerate(data["point_types"], start=1):
        point_type = PointType.objects.filter(code=entry["code"]).first()
        if point_type is None:
            point_type = PointType(code=entry["code"], name=entry["name"], sort_order=order * 10)
            point_type.full_clean()
            point_type.save()
        types[entry["code"]] = point_type

    now = timezone.now()
    last = CatalogVersion.objects.order_by("-number").values_list("number", flat=True).first()
    version = CatalogVersion(
        number=(last or 0) + 1, title=data["title"], status=PUBLISHED, changelog=data.get("changelog", ""),
        created_at=now, published_at=now,
    )
    version.full_clean()
    version.save()

    groups = {}
    items = []
    for order, entry in enumerate(data["groups"], start=1):
        group = CheckGroup(version=version, code=entry["code"], name=entry["name"], sort_order=order * 10)
        group.full_clean()
        group.save()
        groups[entry["code"]] = group
        items += [_item(CheckItem, version, it, n * 10, group=group) for n, it in enumerate(entry["items"], start=1)]

    for entry in data["point_types"]:
        point_type = types[entry["code"]]
        profile = TypeProfile(
            version=version, point_type=point_type, description=entry.get("description", ""),
            unit_kinds=list(entry.get("unit_kinds", [])),
        )
        profile.full_clean()
        profile.save()
        profile.groups.set([groups[code] for code in entry["groups"]])
        items += [
            _item(CheckItem, version, it, n * 10, point_type=point_type)
            for n, it in enumerate(entry["items"], start=1)
        ]

    for item in items:
        item.full_clean()
    CheckItem.objects.bulk_create(items)


def unload(apps, schema_editor):
    """Remove the loaded version when no later version was built on it, and the point types that
    nothing refers to any more."""
    PointType = apps.get_model("standards", "PointType")
    CatalogVersion = apps.get_model("standards", "CatalogVersion")
    data = _read()
    version = CatalogVersion.objects.filter(title=data["title"], based_on__isnull=True).order_by("number").first()
    if version is not None and not CatalogVersion.objects.filter(based_on=version).exists():
        for name in ("CheckItem", "TypeProfile", "CheckGroup"):
            apps.get_model("standards", name).objects.filter(version=version).delete()
        version.delete()
    for entry in data["point_types"]:
        point_type = PointType.objects.filter(code=entry["code"]).first()
        if point_type is None:
            continue
        try:
            point_type.delete()
        except models.ProtectedError:
            continue  # still used by a point or a later catalog version


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
