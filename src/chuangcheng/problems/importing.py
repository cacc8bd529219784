"""Reading a problem list from a workbook (and a zip of photos beside it): every row checked
first, each fault reported by row and column in the user's language, and nothing written unless
every row is right. The typing-in form checks its rows through `check_row` too."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Category
from chuangcheng.core import geo
from chuangcheng.core.workflow import SYSTEM, Actor
from chuangcheng.evidence.services import PreparedPhoto, prepare_photo
from chuangcheng.imports.reading import check_file
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.models import Point
from chuangcheng.places.services import locate_grid
from chuangcheng.problems import permissions, services
from chuangcheng.problems.models import ProblemList
from chuangcheng.problems.sheet import COLUMNS, BadSheet, SheetRow, category_label, read_sheet, units_for
from chuangcheng.standards.models import PointType

HEADER_OF = {c.key: c.header for c in COLUMNS}
# A zip of photos: at most this many files and this many bytes once inflated.
ZIP_MAX_FILES = 500
ZIP_MAX_INFLATED = 500 * 1024 * 1024
PHOTO_SEPARATORS = re.compile(r"[;；,，、\n]+")


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the list itself or the files, not a row
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(line)d") % {"line": self.line} if self.line else ""
        return " · ".join(part for part in (where, self.column, self.message) if part)


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    problems: list[services.ProblemInput] = field(default_factory=list)
    problem_list: ProblemList | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class Lookups:
    """What the rows name, read once per import."""

    def __init__(self, street: Region) -> None:
        self.street = street
        self.categories: dict[str, Category] = {}
        for category in Category.objects.filter(active=True, parent__isnull=False).select_related("parent"):
            for key in (category.code, category_label(category), category.name):
                self.categories.setdefault(key, category)
        self.units: dict[str, Unit] = {}
        for unit in units_for(street):
            self.units.setdefault(unit.code, unit)
            self.units.setdefault(unit.name, unit)
        self.point_types = {t: pt for pt in PointType.objects.all() for t in (pt.code, pt.name)}
        grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path)
        self.grids = {key: g for g in grids for key in (g.code, g.name)}


def check_row(cells: dict[str, str], line: int, lookups: Lookups,
              photos: dict[str, PreparedPhoto] | None) -> tuple[services.ProblemInput | None, list[RowError]]:
    """One row as a problem, or the reasons it cannot be one (column by column)."""
    errors: list[RowError] = []

    def fail(key: str, message: str) -> None:
        errors.append(RowError(line, HEADER_OF[key], message))

    number = cells.get("row", "")
    if not number.isdigit() or int(number) < 1:
        fail("row", _("Give the problem's number on the list (a whole number from 1)."))
    place = cells.get("place", "")
    if not place:
        fail("place", _("Say where the problem is."))
    elif len(place) > 200:
        fail("place", _("Keep the place under 200 characters."))
    description = cells.get("description", "")
    if not description:
        fail("description", _("Describe the problem."))
    elif len(description) > 4000:
        fail("description", _("Keep the description under 4000 characters."))
    category = lookups.categories.get(cells.get("category", ""))
    if not cells.get("category"):
        fail("category", _("Choose the category."))
    elif category is None:
        fail("category", _("Unknown category “%(value)s”: choose one from the list.") % {"value": cells["category"]})
    unit = None
    if cells.get("unit"):
        unit = lookups.units.get(cells["unit"])
        if unit is None:
            fail("unit", _("Unknown unit “%(value)s”: no active unit of this name serves the subdistrict.")
                 % {"value": cells["unit"]})
    point_type = None
    if cells.get("point_type"):
        point_type = lookups.point_types.get(cells["point_type"])
        if point_type is None:
            fail("point_type", _("Unknown point type “%(value)s”.") % {"value": cells["point_type"]})
    point = grid = None
    lon = lat = None
    street = lookups.street
    if cells.get("point"):
        point = Point.objects.filter(code=cells["point"]).select_related("grid").first()
        if point is None:
            fail("point", _("No point has the code %(value)s.") % {"value": cells["point"]})
        elif not point.grid.path.startswith(street.path):
            fail("point", _("The point %(value)s is outside the subdistrict.") % {"value": cells["point"]})
            point = None
    elif cells.get("lon") or cells.get("lat"):
        try:
            lon, lat = Decimal(cells.get("lon", "")), Decimal(cells.get("lat", ""))
        except InvalidOperation:
            fail("lon", _("Give both longitude and latitude as numbers."))
        else:
            if not geo.in_china(float(lon), float(lat)):
                fail("lon", _("The location is outside China."))
            else:
                grid = locate_grid(float(lon), float(lat), within=street)
                if grid is None:
                    fail("lon", _("The point %(lon)s, %(lat)s is outside the subdistrict.")
                         % {"lon": lon, "lat": lat})
    elif cells.get("grid"):
        grid = lookups.grids.get(cells["grid"])
        if grid is None:
            fail("grid", _("No grid of the subdistrict is called %(value)s.") % {"value": cells["grid"]})
    else:
        fail("grid", _("Give the point, the location or the grid."))
    prepared: list[PreparedPhoto] = []
    names = [n.strip() for n in PHOTO_SEPARATORS.split(cells.get("photos", "")) if n.strip()]
    for name in names:
        photo = (photos or {}).get(PurePosixPath(name).name.lower())
        if photo is None:
            fail("photos", _("The photo %(name)s is not in the zip of photos.") % {"name": name})
        else:
            prepared.append(photo)
    if errors or category is None:
        return None, errors
    return services.ProblemInput(
        row=int(number), place=place, description=description, category=category, grid=grid, point=point,
        point_type=point_type, lon=lon, lat=lat, unit=unit, photos=prepared), []


def read_photos(data: bytes | None, wanted: set[str]) -> tuple[dict[str, PreparedPhoto], list[RowError]]:
    """The photos the rows name, by lower-case file name, each checked as an upload is; the zip's
    faults (not a zip, too large, a photo refused) as errors on line 0."""
    if not wanted:
        return {}, []
    column = HEADER_OF["photos"]
    if data is None:
        return {}, [RowError(0, column, _("The rows name photos: upload the zip of photos with the list."))]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}, [RowError(0, column, _("The photos file is not a zip archive."))]
    found: dict[str, PreparedPhoto] = {}
    errors: list[RowError] = []
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > ZIP_MAX_FILES or sum(i.file_size for i in infos) > ZIP_MAX_INFLATED:
            return {}, [RowError(0, column, _("The zip of photos is too large."))]
        for info in infos:
            name = PurePosixPath(info.filename).name.lower()
            if name not in wanted or name in found:
                continue
            if info.file_size > int(settings.PHOTO_MAX_BYTES):
                errors.append(RowError(0, column, _("The photo %(name)s is too large.") % {"name": name}))
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError):
                errors.append(RowError(0, column, _("The photo %(name)s in the zip is damaged.") % {"name": name}))
                continue
            try:
                found[name] = prepare_photo(data, filename=name)
            except ValidationError as exc:
                errors.extend(RowError(0, column, message) for message in exc.messages)
    return found, errors


def import_problem_list(data: bytes, header: services.ListHeader, *, by: Actor, photos_zip: bytes | None = None,
                        dry_run: bool = False) -> ImportResult:
    """Check the whole workbook; unless `dry_run` or anything is wrong, enter the list."""
    if by is not SYSTEM and not permissions.can_manage_lists(by, header.street):
        raise PermissionDenied(_("Only the subdistrict office enters its problem lists."))
    result = ImportResult()
    try:
        check_file(data)
        rows: list[SheetRow] = read_sheet(data)
    except ValidationError as exc:
        result.errors.extend(RowError(0, "", m) for m in exc.messages)
        return result
    except BadSheet as exc:
        result.errors.append(RowError(0, "", _("The sheet lacks the columns %(columns)s: start from the template.")
                                      % {"columns": str(exc)}))
        return result
    except Exception:  # noqa: BLE001 - a damaged workbook is the user's file, not our fault
        result.errors.append(RowError(0, "", _("The file could not be read as an Excel workbook (.xlsx).")))
        return result
    for key, messages in services.check_header(header).items():
        result.errors.extend(RowError(0, header_label(key), m) for m in messages)
    if not rows:
        result.errors.append(RowError(0, "", _("The list has no problems.")))
    if len(rows) > settings.IMPORT_MAX_ROWS:
        result.errors.append(RowError(0, "", _("At most %(n)d rows in one file.") % {"n": settings.IMPORT_MAX_ROWS}))
        return result
    wanted = {PurePosixPath(n.strip()).name.lower() for row in rows
              for n in PHOTO_SEPARATORS.split(row.cells.get("photos", "")) if n.strip()}
    photos, photo_errors = read_photos(photos_zip, wanted)
    result.errors.extend(photo_errors)
    lookups = Lookups(header.street)
    seen: dict[str, int] = {}
    for row in rows:
        problem, errors = check_row(row.cells, row.line, lookups, photos)
        number = row.cells.get("row", "")
        if number in seen:
            errors.append(RowError(row.line, HEADER_OF["row"], _("The number %(value)s is used on row %(line)d too.")
                                   % {"value": number, "line": seen[number]}))
        seen.setdefault(number, row.line)
        result.errors.extend(errors)
        if problem is not None and not errors:
            result.problems.append(problem)
    if result.errors or dry_run:
        return result
    result.problem_list = services.enter_problem_list(header, result.problems, by=by)
    return result


def header_label(key: str) -> str:
    """The name of a field of the list itself, as the import page and the command show it."""
    from chuangcheng.problems.models import ProblemList

    if key == "problems":
        return ""
    return str(getattr(ProblemList._meta.get_field(key), "verbose_name", key))


def parse_date(value: str) -> dt.date | None:
    """2026-12-10, 2026/12/10 or 2026年12月10日; None if it is none of these."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", value or "")
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None

