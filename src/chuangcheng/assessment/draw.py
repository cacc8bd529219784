"""Drawing a round's sample the way the assessors sample: for every point type of the catalog version
with active points in the street, `TypeProfile.sample_size` of them at random (a type the street has
no point of is listed with nothing drawn: the assessors sample it elsewhere).

The draw depends on nothing but the seed and the data: the types are taken in the catalog's order,
each type's candidates sorted by code, and one `random.Random(seed)` draws them all. The same seed
over the same points gives the same sample; `chuangcheng mock_assessment draw` prints it unsaved."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CatalogVersion, PointType, TypeProfile

MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class DrawnType:
    point_type: PointType
    sample_size: int
    available: int  # active points of the type in the street (0: none, nothing drawn)
    points: list[Point]  # the drawn ones, by code


@dataclass(frozen=True)
class Draw:
    street: Region
    seed: int
    catalog: CatalogVersion
    types: list[DrawnType]

    @property
    def points(self) -> list[Point]:
        return [p for t in self.types for p in t.points]

    def as_json(self) -> dict[str, Any]:
        return {
            "street": self.street.code, "seed": self.seed, "catalog": self.catalog.number,
            "points": len(self.points),
            "types": [{
                "type": t.point_type.code, "name": t.point_type.name, "sample_size": t.sample_size,
                "points_in_street": t.available,
                "points": [{"code": p.code, "name": p.name, "community": p.grid.parent.name if p.grid.parent else "",
                            "grid": p.grid.name} for p in t.points],
            } for t in self.types],
        }


def check_seed(seed: Any) -> int:
    try:
        value = int(str(seed).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({"seed": _("The seed must be a whole number.")}) from exc
    if not 0 <= value <= MAX_SEED:
        raise ValidationError({"seed": _("The seed must be a whole number from 0 to %(max)s.") % {"max": MAX_SEED}})
    return value


def draw_sample(street: Region, *, seed: int, catalog: CatalogVersion) -> Draw:
    """The sample of `street` for `seed`, or a ValidationError naming every type that asks for more
    points than the street has ("农贸市场: 抽样 3 个，街道只有 2 个"). Reads only."""
    seed = check_seed(seed)
    profiles = (TypeProfile.objects.filter(version=catalog, sample_size__gt=0).select_related("point_type")
                .order_by("point_type__sort_order", "point_type__code"))
    candidates: dict[int, list[Point]] = {}
    points = (Point.objects.filter(active=True, grid__path__startswith=street.path,
                                   point_type__in=[p.point_type_id for p in profiles])
              .select_related("point_type", "grid", "grid__parent").order_by("code"))
    for point in points:
        candidates.setdefault(point.point_type_id, []).append(point)
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    types: list[DrawnType] = []
    too_few: list[str] = []
    for profile in profiles:
        pool = candidates.get(profile.point_type_id, [])
        if not pool:  # the street has no place of this kind: the assessors sample it elsewhere
            types.append(DrawnType(profile.point_type, profile.sample_size, 0, []))
            continue
        if profile.sample_size > len(pool):
            too_few.append(_("%(type)s: sample %(sample)d, the subdistrict has only %(count)d") % {
                "type": profile.point_type.name, "sample": profile.sample_size, "count": len(pool)})
            continue
        chosen = sorted(rng.sample(pool, profile.sample_size), key=lambda p: p.code)
        types.append(DrawnType(profile.point_type, profile.sample_size, len(pool), chosen))
    if too_few:
        raise ValidationError(too_few, code="too_few_points")
    if not any(t.points for t in types):
        raise ValidationError(_("The subdistrict has no active point of a type the catalog samples."),
                              code="nothing_to_draw")
    return Draw(street=street, seed=seed, catalog=catalog, types=types)
