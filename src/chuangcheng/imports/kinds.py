"""One importer per kind: `check` reads and validates every row against the file and the
database (collecting errors), `write` saves one checked row through the app's service."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from chuangcheng.core import geo
from chuangcheng.imports.cells import Cells, Errors
from chuangcheng.imports.columns import CHOICE_SOURCES, chinese_labels, choice_lookup
from chuangcheng.imports.reading import Row
from chuangcheng.org import permissions, queries
from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.org.services import save_login, save_person, save_region, save_unit
from chuangcheng.places.models import Point
from chuangcheng.places.services import save_point
from chuangcheng.standards.models import PointType

Outcome = Literal["created", "updated", "unchanged"]
CHUNK = 500


@dataclass
class Item:
    row: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)


def fetch(queryset: QuerySet[Any], codes: Iterable[str], field_name: str = "code") -> dict[str, Any]:
    """Rows by code, in chunks that stay under every database's parameter limit."""
    wanted = sorted({code for code in codes if code})
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        for obj in queryset.filter(**{f"{field_name}__in": wanted[start:start + CHUNK]}):
            found[getattr(obj, field_name)] = obj
    return found


def _outcome(existed: bool, changed: bool) -> Outcome:
    if not existed:
        return "created"
    return "updated" if changed else "unchanged"


class Importer:
    kind = ""

    def __init__(self, by: Any, errors: Errors) -> None:
        self.by = by
        self.errors = errors

    def check(self, rows: list[Row]) -> list[Item]:
        raise NotImplementedError

    def write(self, item: Item) -> Outcome:
        raise NotImplementedError

    def order(self, items: list[Item]) -> list[Item]:
        return items

    # Shared checks -------------------------------------------------------------------------

    def unique_codes(self, cells: Cells, column: str, code: str, seen: dict[str, int]) -> None:
        if not code:
            return
        if code in seen:
            cells.error(column, _("The code %(code)s also appears in row %(row)s.") % {"code": code, "row": seen[code]})
        else:
            seen[code] = cells.number

    def visible(self, queryset: QuerySet[Any], codes: Iterable[str]) -> set[str]:
        """Of the codes that exist, those the importer may see (all of them for the system)."""
        codes = list(codes)
        if self.by is None:
            return set(codes)
        return set(fetch(queryset, codes))

    def lookup_choice(self, source: str) -> tuple[dict[str, Any], list[str]]:
        choices = CHOICE_SOURCES[source]
        return choice_lookup(choices), chinese_labels(choices)

    def check_reference(
        self, cells: Cells, column: str, code: str, found: dict[str, Model], visible: set[str], unknown: str,
        outside: str,
    ) -> Any:
        if not code:
            return None
        if code not in found:
            cells.error(column, unknown % {"code": code})
            return None
        if code not in visible:
            cells.error(column, outside % {"code": code})
            return None
        return found[code]

    def may_manage(self, region: Region | None) -> bool:
        return self.by is None or (region is not None and permissions.can_manage_region(self.by, region))


class RegionImporter(Importer):
    kind = "regions"

    def check(self, rows: list[Row]) -> list[Item]:
        lookup, labels = self.lookup_choice("level")
        seen: dict[str, int] = {}
        items: list[Item] = []
        for row in rows:
            cells = Cells(row, self.errors)
            code = cells.code("编码", required=True)
            self.unique_codes(cells, "编码", code, seen)
            boundary = cells.text("边界GeoJSON")
            if boundary:
                try:
                    geo.parse_boundary(boundary)
                except ValidationError as exc:
                    for message in exc.messages:
                        cells.error("边界GeoJSON", message)
                except ValueError:  # not JSON at all
                    cells.error("边界GeoJSON", _("The boundary is not valid GeoJSON."))
            items.append(Item(row.number, code, {
                "name": cells.text("名称", required=True),
                "level": cells.choice("层级", lookup, labels, required=True),
                "parent": cells.code("上级编码"),
                "boundary": boundary,
                "households": cells.integer("户数"),
                "population": cells.integer("人口"),
            }))
        in_file = {item.code: item for item in reversed(items) if item.code}
        existing = fetch(Region.objects.select_related("parent"),
                         [i.code for i in items] + [i.values["parent"] for i in items])
        paths: dict[str, str | None] = {}

        def path_of(code: str, depth: int = 0) -> str | None:
            """The path a region has (or will have once the file is imported)."""
            if code in existing:
                return existing[code].path
            if code in paths:
                return paths[code]
            item = in_file.get(code)
            paths[code] = None
            if item is not None and depth < 8:
                parent = item.values["parent"]
                if not parent:
                    paths[code] = f"/{code}/"
                else:
                    parent_path = path_of(parent, depth + 1)
                    paths[code] = f"{parent_path}{code}/" if parent_path else None
            return paths[code]

        for item in items:
            cells = Cells(Row(item.row), self.errors)
            level, parent_code = item.values["level"], item.values["parent"]
            if level is None:
                continue
            level_label = Region.Level(level).label
            if level == Region.Level.DISTRICT and parent_code:
                cells.error("上级编码", _("A district has no parent region; leave this cell empty."))
            elif level != Region.Level.DISTRICT and not parent_code:
                cells.error("上级编码", _("A %(level)s needs the code of its parent region.") % {"level": level_label})
            elif parent_code:
                parent_level = (in_file[parent_code].values["level"] if parent_code in in_file
                                else existing[parent_code].level if parent_code in existing else None)
                if parent_code not in in_file and parent_code not in existing:
                    cells.error("上级编码", _("There is no region with the code %(code)s.") % {"code": parent_code})
                elif parent_level is not None and parent_level != level - 1:
                    cells.error("上级编码", _("A %(level)s must sit directly under a %(parent)s.")
                                % {"level": level_label, "parent": Region.Level(level - 1).label})
            region = existing.get(item.code)
            if region is not None and (
                region.level != level or (region.parent.code if region.parent else "") != parent_code
            ):
                cells.error("上级编码", _("Region %(code)s already exists under another parent or at another level; "
                                       "codes are stable and a region is not moved by an import.")
                            % {"code": item.code})
            if self.by is not None:
                if region is not None:
                    anchor_path, column = region.path, "编码"
                elif parent_code:
                    anchor_path, column = path_of(parent_code), "上级编码"
                else:
                    anchor_path, column = None, "编码"  # a new district: only the system adds one
                known = region is not None or anchor_path is not None or level == Region.Level.DISTRICT
                if known and not self.may_manage(Region(path=anchor_path) if anchor_path else None):
                    cells.error(column, _("You may only change regions inside your own scope."))
            item.values["existed"] = region is not None
        self.saved: dict[str, Region] = {code: existing[code] for code in existing}
        return items

    def order(self, items: list[Item]) -> list[Item]:
        # Parents before children, whatever order the rows are in.
        return sorted(items, key=lambda item: item.values["level"] or 0)

    def write(self, item: Item) -> Outcome:
        values = item.values
        parent_code = values["parent"]
        parent = self.saved.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            parent = Region.objects.get(code=parent_code)
        fields: dict[str, Any] = {"households": values["households"], "population": values["population"]}
        if values["boundary"]:
            fields["boundary"] = values["boundary"]
        region, changed = save_region(by=self.by, code=item.code, name=values["name"], level=values["level"],
                                      parent=parent, **fields)
        self.saved[item.code] = region
        return _outcome(values["existed"], changed)


class UnitImporter(Importer):
    kind = "units"

    def check(self, rows: list[Row]) -> list[Item]:
        lookup, labels = self.lookup_choice("unit_kind")
        seen: dict[str, int] = {}
        parsed: list[tuple[Cells, Item]] = []
        for row in rows:
            cells = Cells(row, self.errors)
            code = cells.code("编码", required=True)
            self.unique_codes(cells, "编码", code, seen)
            parsed.append((cells, Item(row.number, code, {
                "name": cells.text("名称", required=True),
                "kind": cells.choice("类型", lookup, labels, required=True),
                "region": cells.code("所属区域编码", required=True),
                "head_name": cells.text("负责人"),
                "head_phone": cells.phone("负责人手机"),
                "liaison_name": cells.text("联络人"),
                "liaison_phone": cells.phone("联络人手机"),
                "address": cells.text("地址"),
            })))
        regions = fetch(Region.objects.all(), [item.values["region"] for _c, item in parsed])
        existing = fetch(Unit.objects.select_related("region"), [item.code for _c, item in parsed])
        for cells, item in parsed:
            region_code = item.values["region"]
            region = regions.get(region_code)
            if region_code and region is None:
                cells.error("所属区域编码", _("There is no region with the code %(code)s.") % {"code": region_code})
            elif region is not None and not self.may_manage(region):
                cells.error("所属区域编码", _("You may only change units inside your own scope."))
            unit = existing.get(item.code)
            if unit is not None and not self.may_manage(unit.region):
                cells.error("编码", _("You may only change units inside your own scope."))
            item.values.update(region=region, existed=unit is not None)
        return [item for _c, item in parsed]

    def write(self, item: Item) -> Outcome:
        values = dict(item.values)
        existed = values.pop("existed")
        _unit, changed = save_unit(by=self.by, code=item.code, **values)
        return _outcome(existed, changed)


class PersonImporter(Importer):
    kind = "people"

    def check(self, rows: list[Row]) -> list[Item]:
        lookup, labels = self.lookup_choice("role")
        seen: dict[str, int] = {}
        seen_phones: dict[str, int] = {}
        seen_logins: dict[str, int] = {}
        parsed: list[tuple[Cells, Item]] = []
        username_validator = UnicodeUsernameValidator()
        for row in rows:
            cells = Cells(row, self.errors)
            code = cells.code("编码", required=True)
            self.unique_codes(cells, "编码", code, seen)
            phone = cells.phone("手机号", required=True)
            if phone and phone in seen_phones:
                cells.error("手机号", _("The phone number %(phone)s also appears in row %(row)s.")
                            % {"phone": phone, "row": seen_phones[phone]})
            seen_phones.setdefault(phone, row.number)
            username = cells.text("登录账号")
            role = cells.choice("角色", lookup, labels)
            if username:
                try:
                    username_validator(username)
                except ValidationError as exc:
                    for message in exc.messages:
                        cells.error("登录账号", message)
                if username in seen_logins:
                    cells.error("登录账号", _("The login name %(username)s also appears in row %(row)s.")
                                % {"username": username, "row": seen_logins[username]})
                seen_logins.setdefault(username, row.number)
            if bool(username) != bool(cells.text("角色")):
                cells.error("角色" if username else "登录账号",
                            _("Fill in both the login name and the role, or neither."))
            if role == Role.STREET_ADMIN and self.by is not None and not permissions.is_street_admin(self.by):
                cells.error("角色", _("Only a street office admin may give the street office admin role."))
            parsed.append((cells, Item(row.number, code, {
                "name": cells.text("姓名", required=True),
                "phone": phone,
                "region": cells.code("所属区域编码", required=True),
                "unit": cells.code("所属单位编码"),
                "post": cells.text("职务"),
                "party_member": cells.boolean("党员"),
                "volunteer": cells.boolean("志愿者"),
                "username": username,
                "role": role,
            })))
        items = [item for _c, item in parsed]
        regions = fetch(Region.objects.all(), [i.values["region"] for i in items])
        unit_codes = [i.values["unit"] for i in items]
        units = fetch(Unit.objects.all(), unit_codes)
        visible_units = self.visible(queries.units_visible_to(self.by) if self.by else Unit.objects.all(), units)
        existing = fetch(Person.objects.select_related("region", "user"), [i.code for i in items])
        phone_owners = fetch(Person.objects.only("code", "phone"), [i.values["phone"] for i in items], "phone")
        logins = fetch(User.objects.select_related("person"), [i.values["username"] for i in items], "username")
        for cells, item in parsed:
            values = item.values
            region = regions.get(values["region"])
            if values["region"] and region is None:
                cells.error("所属区域编码",
                            _("There is no region with the code %(code)s.") % {"code": values["region"]})
            elif region is not None and not self.may_manage(region):
                cells.error("所属区域编码", _("You may only change people inside your own scope."))
            person = existing.get(item.code)
            if person is not None and not self.may_manage(person.region):
                cells.error("编码", _("You may only change people inside your own scope."))
            unit = self.check_reference(
                cells, "所属单位编码", values["unit"], units, visible_units,
                _("There is no responsible unit with the code %(code)s."),
                _("The responsible unit %(code)s is outside your scope."),
            )
            # A unit registered above the importer (the street's squad) is visible to them but not
            # theirs to staff: attaching people to it, or giving its people logins, would mint
            # handlers acting street-wide. A row that only keeps such a unit unchanged may stay.
            if (unit is not None and self.by is not None and not permissions.can_assign_unit(self.by, unit)
                    and (person is None or person.unit_id != unit.pk or values["username"])):
                cells.error("所属单位编码", _("The responsible unit %(code)s is outside your scope.")
                            % {"code": unit.code})
                unit = None
            role = values["role"]
            if (role and role != Role.STREET_ADMIN and region is not None and self.by is not None
                    and self.may_manage(region) and not permissions.can_grant_role(self.by, role, region)):
                cells.error("角色", _("You may not give the role %(role)s.") % {"role": Role(role).label})
            owner = phone_owners.get(values["phone"])
            if owner is not None and owner.code != item.code:
                cells.error("手机号", _("The phone number %(phone)s already belongs to the person with the code "
                                     "%(code)s.") % {"phone": values["phone"], "code": owner.code})
            username = values["username"]
            if username:
                login = logins.get(username)
                if login is not None and (login.person is None or login.person.code != item.code):
                    cells.error("登录账号", _("The login name %(username)s is already used by someone else.")
                                % {"username": username})
                elif login is not None and self.by is not None and (login.is_superuser
                                                                    or not self.may_manage(login.scope)):
                    cells.error("登录账号", _("You may only give logins inside your own scope."))
                current = getattr(person, "user", None) if person is not None else None
                if current is not None and current.username != username:
                    cells.error("登录账号", _("This person already has the login %(username)s.")
                                % {"username": current.username})
            values.update(region=region, unit=unit, existed=person is not None)
        return items

    def write(self, item: Item) -> Outcome:
        values = dict(item.values)
        existed = values.pop("existed")
        username, role = values.pop("username"), values.pop("role")
        person, changed = save_person(by=self.by, code=item.code, **values)
        if username:
            _user, login_changed = save_login(by=self.by, username=username, role=role, scope=values["region"],
                                              person=person)
            changed = changed or login_changed
        return _outcome(existed, changed)


class PointImporter(Importer):
    kind = "points"

    def check(self, rows: list[Row]) -> list[Item]:
        seen: dict[str, int] = {}
        parsed: list[tuple[Cells, Item]] = []
        for row in rows:
            cells = Cells(row, self.errors)
            code = cells.code("编码", required=True)
            self.unique_codes(cells, "编码", code, seen)
            parsed.append((cells, Item(row.number, code, {
                "name": cells.text("名称", required=True),
                "point_type": cells.text("类型编码", required=True),
                "grid": cells.code("网格编码", required=True),
                "lon": cells.decimal("经度", required=True),
                "lat": cells.decimal("纬度", required=True),
                "address": cells.text("地址"),
                "primary_unit": cells.code("主责单位编码", required=True),
                "cooperating_units": cells.codes("协同单位编码"),
                "responsible_people": cells.codes("包点责任人编码"),
                "zero_loss": cells.boolean("零失分点位"),
                "note": cells.text("备注"),
            })))
        items = [item for _c, item in parsed]
        types = {t.code: t for t in PointType.objects.all()}
        types_by_name = {t.name: t for t in types.values()}
        grids = fetch(Region.objects.all(), [i.values["grid"] for i in items])
        unit_codes = [c for i in items for c in [i.values["primary_unit"], *i.values["cooperating_units"]]]
        units = fetch(Unit.objects.all(), unit_codes)
        visible_units = self.visible(queries.units_visible_to(self.by) if self.by else Unit.objects.all(), units)
        people = fetch(Person.objects.all(), [c for i in items for c in i.values["responsible_people"]])
        visible_people = self.visible(queries.people_visible_to(self.by) if self.by else Person.objects.all(),
                                      people)
        existing = fetch(Point.objects.select_related("grid"), [i.code for i in items])
        for cells, item in parsed:
            values = item.values
            type_code = values["point_type"]
            point_type = types.get(type_code) or types_by_name.get(type_code)
            if type_code and point_type is None:
                cells.error("类型编码", _("There is no point type with the code %(code)s.") % {"code": type_code})
            grid = self._check_grid(cells, values["grid"], grids)
            point = existing.get(item.code)
            if point is not None and self.by is not None and not permissions.can_edit_point(self.by, point.grid):
                cells.error("编码", _("You may only change points inside your own scope."))
            self._check_location(cells, values["lon"], values["lat"], grid)
            unit_args = (units, visible_units, _("There is no responsible unit with the code %(code)s."),
                         _("The responsible unit %(code)s is outside your scope."))
            primary = self.check_reference(cells, "主责单位编码", values["primary_unit"], *unit_args)
            cooperating = [self.check_reference(cells, "协同单位编码", code, *unit_args)
                           for code in values["cooperating_units"]]
            responsible = [
                self.check_reference(cells, "包点责任人编码", code, people, visible_people,
                                     _("There is no person with the code %(code)s."),
                                     _("The person %(code)s is outside your scope."))
                for code in values["responsible_people"]
            ]
            values.update(point_type=point_type, grid=grid, primary_unit=primary, cooperating_units=cooperating,
                          responsible_people=responsible, existed=point is not None)
        return items

    def _check_grid(self, cells: Cells, code: str, grids: dict[str, Region]) -> Region | None:
        grid = grids.get(code)
        if not code:
            return None
        if grid is None:
            cells.error("网格编码", _("There is no region with the code %(code)s.") % {"code": code})
            return None
        if grid.level != Region.Level.GRID:
            cells.error("网格编码", _("%(code)s is a %(level)s, not a grid.")
                        % {"code": code, "level": grid.get_level_display()})
            return None
        if self.by is not None and not permissions.can_edit_point(self.by, grid):
            cells.error("网格编码", _("You may only change points inside your own scope."))
            return None
        return grid

    def _check_location(self, cells: Cells, lon: Decimal | None, lat: Decimal | None, grid: Region | None) -> None:
        if lon is None or lat is None:
            return
        if not geo.in_china(float(lon), float(lat)):
            try:
                geo.validate_in_china(lon, lat)
            except ValidationError as exc:
                for message in exc.messages:
                    cells.error("经度", message)
            return
        if grid is not None and grid.boundary and not grid.contains(float(lon), float(lat)):
            cells.error("经度", _("The location %(lon)s, %(lat)s lies outside the boundary of grid %(grid)s.")
                        % {"lon": lon, "lat": lat, "grid": f"{grid.name} ({grid.code})"})

    def write(self, item: Item) -> Outcome:
        values = dict(item.values)
        existed = values.pop("existed")
        _point, changed = save_point(by=self.by, code=item.code, **values)
        return _outcome(existed, changed)


IMPORTERS: dict[str, type[Importer]] = {
    "regions": RegionImporter,
    "units": UnitImporter,
    "people": PersonImporter,
    "points": PointImporter,
}
