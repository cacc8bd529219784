"""Every read of the archive a page, the export or the demo needs, already limited to the reader.

Completeness: an item of the catalog in force assessed from documents is complete when, for each
kind of document it needs (`NEEDED_KINDS`), the street has at least one material that is not
withdrawn and is dated inside the rolling year before the assessment date (the year that ends on
that day: from the same date a year earlier, exclusive, to the assessment date, inclusive)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from chuangcheng.core import clock
from chuangcheng.materials import permissions
from chuangcheng.materials.models import Archive, Kind, Material
from chuangcheng.org.models import Region
from chuangcheng.standards.models import AssessmentItem, CatalogVersion
from chuangcheng.standards.queries import version_in_force

# What every item needs by default: the rules that govern the work, an account of how it was done
# and pictures of it. A statistical table is filed when an item has figures to show and counts
# as a material, but its absence does not make an item incomplete.
NEEDED_KINDS: tuple[str, ...] = (Kind.REGULATION, Kind.STATEMENT, Kind.PHOTO)
KIND_ORDER = {kind: i for i, kind in enumerate(Kind.values)}


def streets_for(user: Any) -> QuerySet[Region]:
    """The subdistricts whose archive this user may open."""
    streets = Region.objects.filter(level=Region.Level.STREET)
    if getattr(user, "is_superuser", False):
        return streets
    scope = getattr(user, "scope", None)
    if scope is None or not permissions.reads_materials(user):
        return streets.none()
    return streets.filter(path__startswith=scope.path)


def street_for(user: Any, code: str) -> Region | None:
    """The street a page names, if the user may read its archive."""
    street = Region.objects.filter(level=Region.Level.STREET, code=code).first()
    if street is None or not permissions.can_read_materials(user, street):
        return None
    return street


def materials_items(version: CatalogVersion | None = None) -> list[AssessmentItem]:
    """The items of the catalog in force (or `version`) assessed from documents, in catalog order."""
    version = version or version_in_force()
    if version is None:
        return []
    return list(AssessmentItem.objects.filter(version=version, method=AssessmentItem.Method.MATERIALS)
                .order_by("sort_order", "code"))


def item_for(code: str) -> AssessmentItem | None:
    """The item of the catalog in force with this code, if it is assessed from documents."""
    version = version_in_force()
    if version is None:
        return None
    return AssessmentItem.objects.filter(version=version, method=AssessmentItem.Method.MATERIALS,
                                         code=code).first()


def assessment_date(street: Region) -> dt.date | None:
    """The assessment date the street admin set, if any."""
    return Archive.objects.filter(street=street).values_list("assessment_on", flat=True).first()


def year_before(on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the rolling year that ends on `on`."""
    try:
        year_ago = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_ago = on.replace(year=on.year - 1, day=28)
    return year_ago + dt.timedelta(days=1), on


def street_materials(street: Region, *, codes: list[str] | None = None,
                     withdrawn: bool = False) -> QuerySet[Material]:
    """The street's materials (withdrawn ones only with `withdrawn`), for some item codes."""
    qs = Material.objects.filter(street=street).select_related("uploaded_by", "withdrawn_by")
    if codes is not None:
        qs = qs.filter(item_code__in=codes)
    if not withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs


def material_for(user: Any, street: Region, number: str) -> Material | None:
    """A material of a street the user reads, by its number (withdrawn ones too)."""
    if not permissions.can_read_materials(user, street):
        return None
    return street_materials(street, withdrawn=True).filter(number=number).first()


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ItemStatus:
    """One item's row: its materials (not withdrawn), which of them count, what is missing."""

    position: int  # 1-based, in catalog order
    item: AssessmentItem
    needed: tuple[str, ...]
    materials: list[Material]
    counted: list[Material]

    @property
    def present(self) -> list[str]:
        kinds = {m.kind for m in self.counted}
        return [kind for kind in self.needed if kind in kinds]

    @property
    def missing(self) -> list[str]:
        kinds = {m.kind for m in self.counted}
        return [kind for kind in self.needed if kind not in kinds]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def needed_labels(self) -> list[str]:
        return [str(Kind(kind).label) for kind in self.needed]

    @property
    def missing_labels(self) -> list[str]:
        return [str(Kind(kind).label) for kind in self.missing]


@dataclass
class Completeness:
    street: Region
    on: dt.date
    start: dt.date
    date_set: bool
    items: list[ItemStatus] = field(default_factory=list)

    @property
    def items_complete(self) -> int:
        return sum(1 for row in self.items if row.complete)

    @property
    def kinds_present(self) -> int:
        return sum(len(row.present) for row in self.items)

    @property
    def kinds_needed(self) -> int:
        return sum(len(row.needed) for row in self.items)

    @property
    def items_percent(self) -> Decimal | None:
        return _percent(self.items_complete, len(self.items))

    @property
    def kinds_percent(self) -> Decimal | None:
        return _percent(self.kinds_present, self.kinds_needed)

    def row(self, code: str) -> ItemStatus | None:
        return next((row for row in self.items if row.item.code == code), None)


def completeness(street: Region, *, on: dt.date | None = None) -> Completeness:
    """Every materials item of the catalog in force, in catalog order, with the street's materials
    and what is missing over the rolling year before `on` (default: the assessment date the street
    admin set, else today). Two queries."""
    date_set = assessment_date(street)
    on = on or date_set or clock.today()
    start, end = year_before(on)
    items = materials_items()
    by_code: dict[str, list[Material]] = {}
    for material in street_materials(street, codes=[item.code for item in items]).order_by("-dated_on", "id"):
        by_code.setdefault(material.item_code, []).append(material)
    rows = []
    for position, item in enumerate(items, start=1):
        materials = sorted(by_code.get(item.code, []), key=lambda m: KIND_ORDER.get(m.kind, 99))
        counted = [m for m in materials if start <= m.dated_on <= end]
        rows.append(ItemStatus(position, item, NEEDED_KINDS, materials, counted))
    return Completeness(street=street, on=on, start=start, date_set=date_set is not None, items=rows)
