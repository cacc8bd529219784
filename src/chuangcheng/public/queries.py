"""Reads of the public side: what a tracking page shows (no staff names, phones or internal notes),
nearby open cases that may be the same problem, the office's triage and moderation lists, points.
Staff lists are scoped through `cases.queries.cases_visible_to`."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from chuangcheng.cases.models import Case, CaseEvent, Category, State
from chuangcheng.cases.queries import OPEN_STATES, cases_visible_to
from chuangcheng.core import clock, geo, images
from chuangcheng.evidence.models import Photo
from chuangcheng.org.models import Region
from chuangcheng.public.models import Follower, HiddenPhoto, PhotoHash, PointsEntry, Report

# What the public timeline says, in plain words; actions not listed are internal and not shown.
PUBLIC_LABELS = {
    "report": gettext_lazy("Reported"),
    "accept": gettext_lazy("Accepted by the street office"),
    "reject": gettext_lazy("Not accepted"),
    "merge": gettext_lazy("Merged with an earlier report of the same problem"),
    "dispatch": gettext_lazy("Sent to the unit responsible"),
    "redispatch": gettext_lazy("Sent to another unit"),
    "send_back": gettext_lazy("Being passed to the right unit"),
    "start": gettext_lazy("Work started"),
    "rectify": gettext_lazy("Fixed by the unit, waiting for a check on site"),
    "verify": gettext_lazy("Checked on site and closed"),
    "return_for_rework": gettext_lazy("The check found it not fixed: sent back for more work"),
    "suspend": gettext_lazy("Paused: this needs longer work"),
    "resume": gettext_lazy("Work resumed"),
    "reopen": gettext_lazy("Reopened: the problem is back"),
    "rate": gettext_lazy("Rated by the reporter"),
    "close_again": gettext_lazy("The street office looked again: the fix stands, closed"),
}
# The resident sees the reason only where it is written for them (why a report was not accepted, why
# a fix they were not satisfied with stands).
PUBLIC_NOTES = {"reject", "merge", "close_again"}
BEFORE_ACTIONS = {"report", "reopen"}
AFTER_ACTIONS = {"rectify", "verify"}


# --- what is public ------------------------------------------------------------------------------


def public_case_q(prefix: str = "") -> Q:
    """The one rule for what the public may see of a case: a resident's report (the page or an
    Open311 client), or a case the street office marked public. Staff's and leaders' reports,
    inspections and hotline cases stay internal. `prefix` is the path to the case ("case__")."""
    return Q(**{f"{prefix}public": True}) | Q(**{f"{prefix}public_report__isnull": False})


def public_cases() -> QuerySet[Case]:
    """Every case the residents' pages, their tracking codes and Open311 may show."""
    return Case.objects.filter(public_case_q())


def public_case(number: str) -> Case | None:
    return public_cases().select_related("category").filter(number=str(number or "")[:40]).first()


def is_public(case: Case) -> bool:
    return public_cases().filter(pk=case.pk).exists()


def public_event_label(event: CaseEvent) -> str:
    return str(PUBLIC_LABELS.get(event.action, event.action))


# --- tracking ----------------------------------------------------------------------------------


@dataclass
class Tracking:
    """What a tracking code opens: the report (or follower) and the case it now follows."""

    code: str
    case: Case
    report: Report | None = None
    follower: Follower | None = None

    @property
    def merged(self) -> bool:
        return self.report is not None and self.case.pk != self.report.case_id


def tracking_for(code: str) -> Tracking | None:
    code = "".join(str(code or "").split()).upper()[:12]
    if not code:
        return None
    report = Report.objects.select_related("case", "case__category", "case__grid").filter(code=code).first()
    if report is not None:
        # A report merged into a case follows it, but only a public one (a merge marks it so).
        follow = (Follower.objects.select_related("case", "case__category", "case__grid")
                  .filter(public_case_q("case__"), report=report).first())
        return Tracking(code, follow.case if follow else report.case, report=report)
    follower = (Follower.objects.select_related("case", "case__category", "case__grid")
                .filter(public_case_q("case__"), code=code).first())
    if follower is not None:
        return Tracking(code, follower.case, follower=follower)
    return None


@dataclass
class PublicEvent:
    at: dt.datetime
    label: str
    state: str
    note: str = ""


def public_timeline(case: Case) -> list[PublicEvent]:
    """States and times in plain words: no names, phones or internal notes."""
    rows = []
    # (With the case's id: the related manager reads it on every row, a query each were it deferred.)
    for event in case.events.order_by("at", "id").only("case_id", "at", "action", "to_state", "note"):
        if event.action not in PUBLIC_LABELS:
            continue
        note = event.note if event.action in PUBLIC_NOTES else ""
        rows.append(PublicEvent(event.at, public_event_label(event), event.to_state, note))
    return rows


def hidden_photo_ids(case: Case) -> set[int]:
    return set(HiddenPhoto.objects.filter(case=case).values_list("photo_id", flat=True))


def public_photos(case: Case) -> dict[str, list[Photo]]:
    """Before (the report, a reopening) and after (rectification, verification) photos that are
    not hidden by moderation."""
    hidden = hidden_photo_ids(case)
    out: dict[str, list[Photo]] = {"before": [], "after": []}
    seen: set[int] = set()
    events = case.events.filter(action__in=BEFORE_ACTIONS | AFTER_ACTIONS).prefetch_related("photos")
    for event in events.order_by("at", "id"):
        for photo in event.photos.all():
            if photo.pk in hidden or photo.pk in seen:
                continue
            seen.add(photo.pk)
            out["before" if event.action in BEFORE_ACTIONS else "after"].append(photo)
    return out


def public_photo(sha256: str) -> Photo | None:
    """A photo of a case that the public may see (not hidden); None otherwise."""
    photo = Photo.objects.filter(sha256=sha256).first()
    if photo is None or HiddenPhoto.objects.filter(photo=photo).exists():
        return None
    event = (CaseEvent.objects.filter(public_case_q("case__"), photos=photo, action__in=BEFORE_ACTIONS | AFTER_ACTIONS)
             .select_related("case", "case__grid", "case__point").first())
    return photo if event is not None else None


def public_image(photo: Photo) -> bytes:
    """The public version: the display picture made again from the original with a watermark of
    time and place only (the staff display version names the uploader), no EXIF. Made once and
    kept in storage."""
    from chuangcheng.evidence import pipeline

    name = f"public/{photo.sha256}.jpg"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return bytes(handle.read())
    event = (CaseEvent.objects.filter(photos=photo).select_related("case", "case__grid", "case__point")
             .order_by("at", "id").first())
    place = ""
    if event is not None:
        case = event.case
        place = case.point.name if case.point_id and case.point else (case.address or case.grid.name)
    watermark = " · ".join(p for p in (f"{clock.local(photo.uploaded_at):%Y-%m-%d %H:%M}", place) if p)
    with photo.original.open("rb") as handle:
        data = handle.read()
    display = pipeline.make_derivatives(data, filename=photo.sha256, watermark=watermark).display
    default_storage.save(name, ContentFile(display))
    return display


# The smaller copies of the public version: long edge and JPEG quality.
PUBLIC_SIZES = {"medium": (1024, 78), "thumb": (320, 75)}


def public_image_sized(photo: Photo, size: str) -> bytes:
    """A smaller copy of the public version (made once and kept)."""

    name = f"public/{photo.sha256}-{size}.jpg"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return bytes(handle.read())
    long_edge, quality = PUBLIC_SIZES[size]
    data = images.shrink(public_image(photo), long_edge, quality)
    default_storage.save(name, ContentFile(data))
    return data


# --- duplicates ---------------------------------------------------------------------------------


def dhash(photo: Photo) -> str:
    """The 64-bit difference hash of the photo's display version (computed once, then kept)."""
    from PIL import Image

    kept = PhotoHash.objects.filter(photo=photo).values_list("dhash", flat=True).first()
    if kept:
        return str(kept)
    try:
        with photo.thumbnail.open("rb") as handle, Image.open(io.BytesIO(handle.read())) as image:
            small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
            pixels = list(small.tobytes())
    except (OSError, ValueError):
        return ""
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | int(pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    value = f"{bits:016x}"
    PhotoHash.objects.get_or_create(photo=photo, defaults={"dhash": value})
    return value


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count() if a and b else 64


def photo_similarity(a: list[Photo], b: list[Photo]) -> int | None:
    """0–100: how alike the closest pair of photos looks (100 = the same picture); None when a
    side has no photo. Bounded: the first four photos of each side."""
    if not a or not b:
        return None
    best = min(hamming(dhash(x), dhash(y)) for x in a[:4] for y in b[:4])
    return round(100 * (64 - best) / 64)


@dataclass
class Nearby:
    case: Case
    distance_m: int
    photos: list[Photo] = field(default_factory=list)
    similarity: int | None = None


def _box(lon: float, lat: float, metres: float) -> dict[str, Decimal]:
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(0.1, math.cos(math.radians(lat))))
    return {"lat__gte": Decimal(str(round(lat - dlat, 6))), "lat__lte": Decimal(str(round(lat + dlat, 6))),
            "lon__gte": Decimal(str(round(lon - dlon, 6))), "lon__lte": Decimal(str(round(lon + dlon, 6)))}


def nearby_open_cases(category: Category, lon: float, lat: float, *, exclude: Case | None = None,
                      limit: int = 5) -> list[Nearby]:
    """Open cases of the same category within PUBLIC_DUPLICATE_METERS reported in the last
    PUBLIC_DUPLICATE_DAYS, nearest first, with their public before-photos."""
    metres = float(settings.PUBLIC_DUPLICATE_METERS)
    since = clock.now() - dt.timedelta(days=int(settings.PUBLIC_DUPLICATE_DAYS))
    qs = (public_cases().filter(category=category, state__in=OPEN_STATES, reported_at__gte=since,
                                **_box(lon, lat, metres))
          .select_related("category", "grid"))
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    found = []
    for case in qs[:50]:
        assert case.lon is not None and case.lat is not None  # noqa: S101 - filtered by the box
        distance = geo.distance_m(lon, lat, float(case.lon), float(case.lat))
        if distance <= metres:
            found.append(Nearby(case, round(distance)))
    found.sort(key=lambda n: (n.distance_m, -n.case.reported_at.timestamp()))
    found = found[:limit]
    for item in found:
        item.photos = public_photos(item.case)["before"][:3]
    return found


# --- staff lists ----------------------------------------------------------------------------------


def reports_visible_to(user: Any) -> QuerySet[Report]:
    return (Report.objects.filter(case__in=cases_visible_to(user))
            .select_related("case", "case__category", "case__category__parent", "case__grid", "case__grid__parent"))


def report_for(user: Any, code: str) -> Report | None:
    return reports_visible_to(user).filter(code="".join(str(code or "").split()).upper()).first()


@dataclass
class TriageRow:
    report: Report
    photos: list[Photo]
    duplicates: list[Nearby]


def triage_rows(user: Any, *, limit: int = 50) -> list[TriageRow]:
    """Residents' reports waiting for the office (state reported), oldest first, each with its
    likely duplicates (distance, category, time, photo similarity)."""
    rows = []
    for report in reports_visible_to(user).filter(case__state=State.REPORTED).order_by("created_at")[:limit]:
        case = report.case
        photos = list(Photo.objects.filter(case_events__case=case, case_events__action="report"))
        duplicates: list[Nearby] = []
        if case.lon is not None and case.lat is not None:
            duplicates = nearby_open_cases(case.category, float(case.lon), float(case.lat), exclude=case)
            for item in duplicates:
                item.similarity = photo_similarity(photos, item.photos)
        rows.append(TriageRow(report, photos, duplicates))
    return rows


def moderation_rows(user: Any, *, days: int = 14, limit: int = 100) -> list[tuple[Report, list[Photo], set[int]]]:
    """Recent residents' reports with their photos, to hide a photo or the text from the public."""
    since = clock.now() - dt.timedelta(days=days)
    reports = (reports_visible_to(user).filter(created_at__gte=since).order_by("-created_at")
               .prefetch_related(Prefetch("case__events", queryset=CaseEvent.objects.filter(
                   action__in=BEFORE_ACTIONS | AFTER_ACTIONS).prefetch_related("photos"))))[:limit]
    hidden = set(HiddenPhoto.objects.filter(case__public_report__in=reports).values_list("photo_id", flat=True))
    rows = []
    for report in reports:
        photos = [p for e in report.case.events.all() for p in e.photos.all()]
        rows.append((report, photos, hidden))
    return rows


# --- points --------------------------------------------------------------------------------------


def points_balance(phone: str) -> int:
    total = PointsEntry.objects.filter(phone=phone).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def points_ledger(phone: str) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(phone=phone).order_by("-created_at", "-id")


def triage_count(user: Any) -> int:
    """How many residents' reports wait for the office (the triage page's rows, counted)."""
    # The waiting cases first (few, by the state's index), then their reports: not every report of
    # the region checked against every case of the region (16 ms for a district's year, issue 19).
    return Report.objects.filter(case__in=cases_visible_to(user).filter(state=State.REPORTED)).count()


# --- the residents' map: the area the street office looks after ------------------------------


def public_streets() -> QuerySet[Region]:
    """The subdistricts residents report to: `PUBLIC_STREET`, or every subdistrict when unset."""
    streets = Region.objects.filter(level=Region.Level.STREET)
    code = str(getattr(settings, "PUBLIC_STREET", "") or "")
    return streets.filter(code=code) if code else streets


def public_regions() -> QuerySet[Region]:
    """The public streets, their communities and grids (the report page's choices and map)."""
    paths = list(public_streets().values_list("path", flat=True))
    if not paths:
        return Region.objects.none()
    within = Q()
    for path in paths:
        within |= Q(path__startswith=path)
    return (Region.objects.filter(within, level__in=[Region.Level.STREET, Region.Level.COMMUNITY,
                                                     Region.Level.GRID])
            .select_related(None).order_by("path"))


def public_communities() -> QuerySet[Region]:
    return public_regions().filter(level=Region.Level.COMMUNITY).order_by("path")


@dataclass
class AreaCommunity:
    """A community and its grids' names, for the text list beside the report page's map."""

    code: str
    name: str
    grids: list[str] = field(default_factory=list)


def public_area_list() -> list[AreaCommunity]:
    out: dict[str, AreaCommunity] = {}
    rows = public_regions().filter(level__in=[Region.Level.COMMUNITY, Region.Level.GRID]).only(
        "code", "name", "level", "path", "sort_order")
    for region in sorted(rows, key=lambda r: (r.level, r.sort_order, r.path)):
        if region.level == Region.Level.COMMUNITY:
            out[region.path] = AreaCommunity(region.code, region.name)
        else:
            parent = region.path[: region.path.rstrip("/").rfind("/") + 1]
            if parent in out:
                out[parent].grids.append(region.name)
    return list(out.values())


def public_area() -> dict[str, Any]:
    """GeoJSON FeatureCollection of the public streets, their communities and grids: code, name,
    level and outline only (no people, no figures). A street or community without a boundary of its
    own is drawn as the union of its grids. A place is inside the area when a grid contains it, the
    same rule as the server's check (`places.services.locate_grid`)."""
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    regions = list(public_regions().only("code", "name", "level", "path", "boundary", "sort_order"))
    shapes: dict[str, Any] = {}
    for region in regions:
        if region.boundary:
            try:
                shapes[region.path] = geo.parse_boundary(region.boundary)
            except ValidationError:
                continue
    grid_paths = {r.path for r in regions if r.level == Region.Level.GRID}
    levels = {Region.Level.STREET: "street", Region.Level.COMMUNITY: "community", Region.Level.GRID: "grid"}
    features: list[dict[str, Any]] = []
    for region in regions:
        shape = shapes.get(region.path)
        if shape is None and region.level != Region.Level.GRID:
            parts = [s for path, s in shapes.items() if path in grid_paths and path.startswith(region.path)]
            shape = unary_union(parts) if parts else None
        if shape is None or shape.is_empty:
            continue
        features.append({"type": "Feature", "id": region.code, "geometry": mapping(shape), "properties": {
            "code": region.code, "name": region.name, "level": levels[Region.Level(region.level)]}})
    return {"type": "FeatureCollection", "features": features}
