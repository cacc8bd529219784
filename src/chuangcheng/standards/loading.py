"""Loading a catalog from its JSON form (the shipped default catalog, data/default_catalog.json),
for the `load_default_catalog` service. It takes the model classes as an argument and imports no
model itself. The data migrations load their own frozen copies of the data with their own copies
of this code (0002_default_catalog: the first default catalog, v1; 0004_catalog_assessment_terms:
this one, in the assessment's terms, as v2 over an untouched v1); a test checks that a fresh
database's catalog in force has the rows this code makes.

The JSON holds the check groups with their items, the point types (with `sample_size`, their
groups and own items) and the assessment items (测评内容): `point_type` and `group` codes (both
empty for an item assessed from documents, `group` empty for a type's own items), `points`,
`method` and `description`. A check item's `penalty` is what a failure costs its assessment item."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models

DEFAULT_CATALOG = Path(__file__).resolve().parent / "data" / "default_catalog.json"
PUBLISHED = "published"

Recorder = Callable[[models.Model, dict[str, Any]], None]


@dataclass(frozen=True)
class CatalogModels:
    """The five catalog model classes, real or historical."""

    PointType: Any  # noqa: N815 - named as the model classes they hold
    CatalogVersion: Any  # noqa: N815
    CheckGroup: Any  # noqa: N815
    TypeProfile: Any  # noqa: N815
    CheckItem: Any  # noqa: N815
    AssessmentItem: Any  # noqa: N815

    @classmethod
    def from_apps(cls, apps: Any) -> CatalogModels:
        return cls(**{name: apps.get_model("standards", name) for name in cls.__dataclass_fields__})


def read_default_catalog() -> dict[str, Any]:
    with DEFAULT_CATALOG.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _item(m: CatalogModels, version: Any, data: dict[str, Any], order: int, **owner: Any) -> Any:
    return m.CheckItem(
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


def load_catalog(
    data: dict[str, Any],
    *,
    m: CatalogModels,
    now: Any,
    by: Any = None,
    record: Recorder | None = None,
) -> Any:
    """Create the point types that are missing and a published catalog version from `data`.

    Returns the version in force instead when there is one, so loading twice changes nothing.
    Every row is validated with `full_clean` (with real models that includes `CheckItem.clean`)
    before it is saved; the caller runs this in a transaction."""
    in_force = m.CatalogVersion.objects.filter(status=PUBLISHED).order_by("-number").first()
    if in_force is not None:
        return in_force

    types: dict[str, Any] = {}
    for order, entry in enumerate(data["point_types"], start=1):
        point_type = m.PointType.objects.filter(code=entry["code"]).first()
        if point_type is None:
            point_type = m.PointType(code=entry["code"], name=entry["name"], sort_order=order * 10)
            point_type.full_clean()
            point_type.save()
            if record:
                record(point_type, {"name": [None, point_type.name]})
        types[entry["code"]] = point_type

    last = m.CatalogVersion.objects.order_by("-number").values_list("number", flat=True).first()
    version = m.CatalogVersion(
        number=(last or 0) + 1,
        title=data["title"],
        status=PUBLISHED,
        changelog=data.get("changelog", ""),
        created_by=by,
        published_by=by,
        created_at=now,
        published_at=now,
    )
    version.full_clean()
    version.save()

    groups: dict[str, Any] = {}
    items: list[Any] = []
    for order, entry in enumerate(data["groups"], start=1):
        group = m.CheckGroup(version=version, code=entry["code"], name=entry["name"], sort_order=order * 10)
        group.full_clean()
        group.save()
        groups[entry["code"]] = group
        items += [_item(m, version, it, n * 10, group=group) for n, it in enumerate(entry["items"], start=1)]

    for entry in data["point_types"]:
        point_type = types[entry["code"]]
        profile = m.TypeProfile(
            version=version,
            point_type=point_type,
            description=entry.get("description", ""),
            unit_kinds=list(entry.get("unit_kinds", [])),
            sample_size=entry.get("sample_size", 3),
        )
        profile.full_clean()
        profile.save()
        profile.groups.set([groups[code] for code in entry["groups"]])
        items += [
            _item(m, version, it, n * 10, point_type=point_type)
            for n, it in enumerate(entry["items"], start=1)
        ]

    for item in items:
        item.full_clean()
    m.CheckItem.objects.bulk_create(items)

    assessment = []
    for order, entry in enumerate(data.get("assessment_items", []), start=1):
        item = m.AssessmentItem(
            version=version,
            code=entry["code"],
            name=entry["name"],
            method=entry.get("method", "observe"),
            point_type=types[entry["point_type"]] if entry.get("point_type") else None,
            group=groups[entry["group"]] if entry.get("group") else None,
            points=_decimal(entry["points"]),
            description=entry.get("description", ""),
            sort_order=order * 10,
        )
        item.full_clean()
        assessment.append(item)
    m.AssessmentItem.objects.bulk_create(assessment)
    if record:
        record(version, {
            "groups": [None, len(groups)],
            "point_types": [None, len(types)],
            "items": [None, len(items)],
            "assessment_items": [None, len(assessment)],
        })
    return version


def unload_catalog(data: dict[str, Any], *, m: CatalogModels) -> None:
    """Undo `load_catalog` for the data migration's way back: remove the loaded version when no
    later version was built on it, and the point types that nothing refers to any more."""
    version = (
        m.CatalogVersion.objects.filter(title=data["title"], based_on__isnull=True).order_by("number").first()
    )
    if version is not None and not m.CatalogVersion.objects.filter(based_on=version).exists():
        m.AssessmentItem.objects.filter(version=version).delete()
        m.CheckItem.objects.filter(version=version).delete()
        m.TypeProfile.objects.filter(version=version).delete()
        m.CheckGroup.objects.filter(version=version).delete()
        version.delete()
    for entry in data["point_types"]:
        point_type = m.PointType.objects.filter(code=entry["code"]).first()
        if point_type is None:
            continue
        try:
            point_type.delete()
        except models.ProtectedError:
            continue  # still used by a point or a later catalog version
