"""Publish the default catalog in the assessment's terms (测评内容 with 分值, sample sizes, penalties,
the materials items and the minors' section) as a new version over the shipped default v1.

It acts only when the version in force is the default catalog exactly as migration 0002 loaded it
(its title, no version before it, the same check items and point types) and no draft is open:
then it publishes this migration's frozen copy of the catalog (0004_catalog_assessment_terms.json
beside this file) as the next version, based on v1, and v1 is superseded. A street that has
published its own catalog, or is drafting one, keeps it untouched and defines its 测评内容 in a
draft. Published versions are never changed, so inspections made under v1 keep their items.

The data and the loading code are frozen here (no import of the app), so a later change to
standards/data/default_catalog.json or standards/loading.py cannot change what this migration does."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations, models
from django.utils import timezone

DATA = Path(__file__).with_suffix(".json")
V1_DATA = Path(__file__).with_name("0002_default_catalog.json")
DRAFT, PUBLISHED, SUPERSEDED = "draft", "published", "superseded"


def _read(path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _models(apps):
    return {name: apps.get_model("standards", name) for name in (
        "PointType", "CatalogVersion", "CheckGroup", "TypeProfile", "CheckItem", "AssessmentItem")}


def _item_codes(data):
    codes = {item["code"] for group in data["groups"] for item in group["items"]}
    return codes | {item["code"] for entry in data["point_types"] for item in entry["items"]}


def _is_shipped_v1(m, version, v1):
    if version.title != v1["title"] or version.based_on_id is not None:
        return False
    if m["AssessmentItem"].objects.filter(version=version).exists():
        return False
    codes = set(m["CheckItem"].objects.filter(version=version).values_list("code", flat=True))
    types = set(m["TypeProfile"].objects.filter(version=version).values_list("point_type__code", flat=True))
    return codes == _item_codes(v1) and types == {entry["code"] for entry in v1["point_types"]}


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
        penalty=_decimal(data.get("penalty")),
        unit_kinds=list(data.get("unit_kinds", [])),
        sort_order=order,
        **owner,
    )


def publish(apps, schema_editor):
    m = _models(apps)
    CatalogVersion = m["CatalogVersion"]
    in_force = CatalogVersion.objects.filter(status=PUBLISHED).order_by("-number").first()
    if in_force is None or CatalogVersion.objects.filter(status=DRAFT).exists():
        return
    if not _is_shipped_v1(m, in_force, _read(V1_DATA)):
        return
    data = _read(DATA)

    types = {}
    for order, entry in enumerate(data["point_types"], start=1):
        point_type = m["PointType"].objects.filter(code=entry["code"]).first()
        if point_type is None:
            point_type = m["PointType"](code=entry["code"], name=entry["name"], sort_order=order * 10)
            point_type.full_clean()
            point_type.save()
        types[entry["code"]] = point_type

    now = timezone.now()
    last = CatalogVersion.objects.order_by("-number").values_list("number", flat=True).first()
    in_force.status = SUPERSEDED
    in_force.save(update_fields=["status"])
    version = CatalogVersion(
        number=last + 1, title=data["title"], status=PUBLISHED, changelog=data.get("changelog", ""),
        based_on=in_force, created_at=now, published_at=now,
    )
    version.full_clean()
    version.save()

    groups = {}
    items = []
    for order, entry in enumerate(data["groups"], start=1):
        group = m["CheckGroup"](version=version, code=entry["code"], name=entry["name"], sort_order=order * 10)
        group.full_clean()
        group.save()
        groups[entry["code"]] = group
        items += [_item(m["CheckItem"], version, it, n * 10, group=group)
                  for n, it in enumerate(entry["items"], start=1)]

    for entry in data["point_types"]:
        point_type = types[entry["code"]]
        profile = m["TypeProfile"](
            version=version, point_type=point_type, description=entry.get("description", ""),
            unit_kinds=list(entry.get("unit_kinds", [])), sample_size=entry.get("sample_size", 3),
        )
        profile.full_clean()
        profile.save()
        profile.groups.set([groups[code] for code in entry["groups"]])
        items += [_item(m["CheckItem"], version, it, n * 10, point_type=point_type)
                  for n, it in enumerate(entry["items"], start=1)]

    for item in items:
        item.full_clean()
    m["CheckItem"].objects.bulk_create(items)

    assessment = []
    for order, entry in enumerate(data["assessment_items"], start=1):
        item = m["AssessmentItem"](
            version=version, code=entry["code"], name=entry["name"], method=entry.get("method", "observe"),
            point_type=types[entry["point_type"]] if entry.get("point_type") else None,
            group=groups[entry["group"]] if entry.get("group") else None,
            points=_decimal(entry["points"]), description=entry.get("description", ""), sort_order=order * 10,
        )
        item.full_clean()
        assessment.append(item)
    m["AssessmentItem"].objects.bulk_create(assessment)


def unpublish(apps, schema_editor):
    """Remove the version this migration published, when nothing was built on it, and put v1 back
    in force; the point types it added go too unless something refers to them."""
    m = _models(apps)
    CatalogVersion = m["CatalogVersion"]
    data = _read(DATA)
    version = CatalogVersion.objects.filter(title=data["title"], based_on__isnull=False,
                                            status=PUBLISHED).order_by("number").first()
    if version is None or CatalogVersion.objects.filter(based_on=version).exists():
        return
    base = version.based_on
    for name in ("AssessmentItem", "CheckItem", "TypeProfile", "CheckGroup"):
        m[name].objects.filter(version=version).delete()
    version.delete()
    base.status = PUBLISHED
    base.save(update_fields=["status"])
    v1_types = {entry["code"] for entry in _read(V1_DATA)["point_types"]}
    for entry in data["point_types"]:
        if entry["code"] in v1_types:
            continue
        point_type = m["PointType"].objects.filter(code=entry["code"]).first()
        if point_type is None:
            continue
        try:
            point_type.delete()
        except models.ProtectedError:
            continue  # a point or another catalog version uses it


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0003_assessment_items"),
    ]

    operations = [
        migrations.RunPython(publish, unpublish),
    ]
