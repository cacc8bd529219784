"""Who a published bulletin is addressed to by name: the responsible units and the communities it
names (in its 红黑榜, its problems by community and by unit, its overdue list).

Publication tells those units' handlers and those communities' admins (reports.services.bulletins),
and the units' handlers and the communities' grid workers may read it (reports.permissions).
`named_of` is the one reading of a bulletin's content for this, whatever its age."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.db.models import Case, JSONField, QuerySet, Value, When
from django.db.models.fields.json import KeyTransform

from chuangcheng.org.models import Region, Role, Unit
from chuangcheng.org.permissions import has_role


def named_of(content: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(unit codes, community codes) the bulletin names. A snapshot composed before bulletins
    listed them names the units of its overdue list and every community of its table."""
    named = content.get("named")
    if isinstance(named, Mapping):
        return ({str(code) for code in named.get("units") or [] if code},
                {str(code) for code in named.get("communities") or [] if code})
    units = {str(row["unit"]) for row in content.get("overdue_by_unit") or []
             if isinstance(row, Mapping) and row.get("unit")}
    communities = {str(row["code"]) for row in content.get("communities") or []
                   if isinstance(row, Mapping) and row.get("code")}
    return units, communities


@dataclasses.dataclass(frozen=True)
class Addressee:
    """What a login answers for when a bulletin names it: a unit handler's unit, or the community a
    grid worker works in (a community's grid workers read what names their community, as its admin
    does)."""

    unit: str = ""
    community: str = ""

    def named_in(self, content: Mapping[str, Any]) -> bool:
        units, communities = named_of(content)
        return bool((self.unit and self.unit in units) or (self.community and self.community in communities))


def addressee_of(user: Any) -> Addressee | None:
    """The unit or community a user reads bulletins for by name; None for roles that read every
    published bulletin of their street (or none). A unit's handlers answer for their unit
    (user.person.unit), a grid worker for the community of their grid."""
    if not has_role(user, Role.UNIT_HANDLER, Role.GRID_WORKER) or user.is_superuser:
        return None
    if user.role == Role.UNIT_HANDLER:
        code = (Unit.objects.filter(people__user=user, people__active=True)
                .values_list("code", flat=True).first())
        return Addressee(unit=code) if code else None
    scope = user.scope
    if scope is None or scope.level < Region.Level.COMMUNITY:
        return None
    return Addressee(community=scope.ancestor_codes()[Region.Level.COMMUNITY - 1])


def naming(bulletins: QuerySet[Any], addressee: Addressee, *, recent: int | None = None) -> list[int]:
    """The ids of `bulletins` (published ones, say) that name the addressee, newest first: one query
    that reads only the parts of each content `named_of` needs (a newer snapshot's short lists; an
    older one's overdue list, and its community table when the question is about a community).
    `recent` looks at that many of the latest only."""
    def older(key: str) -> Case:
        # Read from older snapshots only: a newer one says what it names.
        return Case(When(content__has_key="named", then=Value(None, output_field=JSONField())),
                    default=KeyTransform(key, "content"), output_field=JSONField())

    rows = bulletins.order_by("-day", "-pk").annotate(
        _named=KeyTransform("named", "content"), _overdue=older("overdue_by_unit"),
        _communities=older("communities") if addressee.community else Value(None, output_field=JSONField()),
    ).values_list("pk", "_named", "_overdue", "_communities")
    if recent is not None:
        rows = rows[:recent]
    return [pk for pk, named, overdue, communities in rows
            if addressee.named_in({"named": named} if named is not None
                                  else {"overdue_by_unit": overdue or [], "communities": communities or []})]
