"""Reads of the daily bulletin (日通报): what one day's bulletin of a subdistrict says, and which
bulletins a user may see.

`compose_bulletin` reads the day's figures from the stored rollups (today's computed live) and
the few lists that need rows, each bounded by the day or the last seven days through indexed
filters, so a bulletin costs the same after years of history. What it returns is plain JSON: a
draft keeps it, publication freezes it. Every figure carries the link to the list behind it:
`{"view": url name, "args": [...], "query": query string}`, resolved by the page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, CaseEvent, State
from chuangcheng.cases.queries import CaseFilter, overdue_q
from chuangcheng.core import clock
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.org.models import Region, Role
from chuangcheng.org.queries import scope_of
from chuangcheng.places.models import Point
from chuangcheng.reports import distribution, permissions
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries import figures
from chuangcheng.reports.queries.rate_rows import rate_rows

# The shape of `content`; a page reading an older snapshot can tell.
CONTENT_VERSION = 1
# The counts of the summary and of each community's row, as DailyRollup names them.
COUNTS = [
    "points", "zero_loss_points", "visits_planned", "visits_done", "inspections", "points_inspected",
    "items_checked", "items_failed", "points_failed", "zero_loss_failed", "cases_opened",
    "cases_from_residents", "cases_dispatched", "cases_rectified", "cases_rectified_on_time", "cases_closed",
    "cases_returned", "cases_reopened", "cases_wrong_unit", "cases_open", "cases_overdue",
    "cases_due", "cases_due_met", "cases_carried", "cases_first_time",
    "ratings_satisfied", "ratings_basic", "ratings_unsatisfied",
]
# on_time_rate is 按期处置率 (due-based, reports.rates); the case rates' rows with their formulas
# and lists are under "rates".
RATES = ["score_rate", "fail_rate", "visit_rate", "on_time_rate", "closure_rate", "rework_rate",
         "first_time_rate", "dispatch_accuracy", "public_report_rate", "rating_satisfaction_rate"]
TOP_CATEGORIES = 8
TYPICAL_CASES = 4
FOCUS_DAYS = 7
FOCUS_MIN_DAYS = 2
FOCUS_MAX_POINTS = 20
OLDEST_CASES = 3


# --- links ------------------------------------------------------------------------------------


def link(view: str, *, args: list[Any] | None = None, query: str = "") -> dict[str, Any]:
    return {"view": view, "args": [str(a) for a in args or []], "query": query}


def case_list(**filters: Any) -> dict[str, Any]:
    """A link to the case list narrowed as CaseFilter understands it."""
    return link("cases:list", query=CaseFilter(**filters).query_string())


def _region_links(region: Region, day: dt.date) -> dict[str, dict[str, Any]]:
    """The lists behind a region's figures: the day's inspections, and the cases that were reported,
    dispatched, rectified ... that day (the case list's period filter); open and overdue link to the
    cases in that state now."""
    iso = day.isoformat()
    history = link("inspections:history", query=f"since={iso}&until={iso}&community={region.code}")
    on_day = {"region": region.code, "since": iso, "until": iso}
    return {
        "inspections": history,
        "points_inspected": history,
        "items_failed": link("inspections:history", query=f"since={iso}&until={iso}&community={region.code}&failed=1"),
        "cases_opened": case_list(**on_day),
        "cases_from_residents": case_list(**on_day, source="public"),
        "cases_dispatched": case_list(**on_day, did="dispatched"),
        "cases_rectified": case_list(**on_day, did="rectified"),
        "cases_closed": case_list(**on_day, did="closed"),
        "cases_returned": case_list(**on_day, did="returned"),
        "cases_reopened": case_list(**on_day, did="reopened"),
        "cases_open": case_list(region=region.code, state="open"),
        "cases_overdue": case_list(region=region.code, overdue=True),
        "cases_due": case_list(**on_day, due="due"),
        "cases_due_met": case_list(**on_day, due="met"),
        "cases_due_missed": case_list(**on_day, due="missed"),
        "cases_first_time": case_list(**on_day, did="closed", first_time=True),
        "cases_wrong_unit": case_list(**on_day, did="sent_back"),
        "ratings": case_list(**on_day, did="rated"),
    }


def _rate_rows(fig: Any, region: Region, day: dt.date) -> list[dict[str, Any]]:
    """The case rates with their formulas in words and a link behind each count."""
    rows = rate_rows(fig, since=day, until=day, region=region.code)
    for row in rows:
        for part in row["parts"]:
            filters = part.pop("filters")
            part["link"] = case_list(**filters) if filters is not None else None
    return rows


# --- composing ---------------------------------------------------------------------------------


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rate(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _figures(fig: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: int(getattr(fig, name, 0) or 0) for name in COUNTS}
    data["score"] = _number(getattr(fig, "score", 0))
    data["max_score"] = _number(getattr(fig, "max_score", 0))
    data.update({name: _rate(getattr(fig, name, None)) for name in RATES})
    # The field score rate in the assessment's terms, over all checks and over independent ones.
    data["field_rate"] = _rate(fig.field_rate)
    data["independent_field_rate"] = _rate(fig.independent_field_rate)
    return data


def issuer_of(street: Region) -> str:
    configured = str(getattr(settings, "BULLETIN_ISSUER", "") or "")
    if configured:
        return configured.replace("{street}", street.name)
    return _("%(street)s Civilized City Campaign Office") % {"street": street.name}


def compose_bulletin(street: Region, day: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the bulletin of `street` for `day` shows, as JSON-able data. Reads only."""
    now = now or clock.now()
    start, end = clock.day_bounds(day)
    # "At the end of the day" for a finished day; the present moment for today.
    at = min(now, end)
    live = figures.Live(now)  # the day, when it is not stored yet, computed once for both reads
    total = figures.totals(street, day, day, now=now, live=live)
    communities = []
    for region, fig in figures.children(street, day, day, now=now, live=live):
        communities.append({"code": region.code, "name": region.name, **_figures(fig),
                            "links": _region_links(region, day)})
    summary = _figures(total)
    return {
        "version": CONTENT_VERSION,
        "street": {"code": street.code, "name": street.name},
        "day": day.isoformat(),
        "title": _("%(street)s Civilized City Campaign Daily Bulletin") % {"street": street.name},
        "issuer": issuer_of(street),
        "composed_at": clock.local(now).isoformat(timespec="seconds"),
        "as_of": clock.local(at).isoformat(timespec="seconds"),
        "summary": summary,
        "links": _region_links(street, day),
        "rates": _rate_rows(total, street, day),
        "communities": communities,
        "categories": _categories(total, street, day),
        "zero_loss_failed": _zero_loss_failed(street, day),
        "overdue_by_unit": _overdue_by_unit(street, at),
        "typical": _typical(street, day, start, end),
        "focus": _focus(street, day),
    }


def _categories(total: Any, street: Region, day: dt.date) -> list[dict[str, Any]]:
    """Problems by category: items failed in inspections and cases opened, with each category's
    share of the day's new cases (of the failed items when no case was opened)."""
    by_category: dict[str, dict[str, int]] = getattr(total, "by_category", {}) or {}
    names = figures.category_names()
    rows: list[dict[str, Any]] = [
        {"code": code, "name": names.get(code, code), "failed": int(v.get("failed", 0) or 0),
         "opened": int(v.get("opened", 0) or 0)}
        for code, v in by_category.items()
    ]
    rows = [row for row in rows if row["failed"] or row["opened"]]
    opened = sum(row["opened"] for row in rows)
    failed = sum(row["failed"] for row in rows)
    basis, whole = ("opened", opened) if opened else ("failed", failed)
    rows.sort(key=lambda row: (-row[basis], -row["failed"] - row["opened"], row["code"]))
    iso = day.isoformat()
    for row in rows:
        row["share"] = round(row[basis] * 100 / whole, 1) if whole else None
        row["links"] = {"opened": case_list(region=street.code, category=row["code"], since=iso, until=iso)}
    return rows[:TOP_CATEGORIES]


def _zero_loss_failed(street: Region, day: dt.date) -> list[dict[str, Any]]:
    """零失分点位 that lost points on the day, with the items they failed."""
    inspections = list(
        Inspection.objects.filter(day=day, grid__path__startswith=street.path, point__zero_loss=True,
                                  failed_count__gt=0)
        .select_related("point", "grid__parent").order_by("point__code", "submitted_at", "id")
    )
    failed: dict[int, list[str]] = defaultdict(list)
    for result in (ItemResult.objects.filter(inspection__in=[i.pk for i in inspections], result="fail")
                   .select_related("item").order_by("inspection_id", "id")):
        text = result.item.text.strip()
        failed[result.inspection_id].append(text if len(text) <= 40 else f"{text[:39]}…")
    rows: dict[str, dict[str, Any]] = {}
    for inspection in inspections:
        point = inspection.point
        row = rows.setdefault(point.code, {
            "point": point.code, "name": point.name,
            "community": inspection.grid.parent.name if inspection.grid.parent else "",
            "items": [], "inspections": [],
            "link": link("inspections:history", query=f"point={point.code}"),
        })
        for name in failed[inspection.pk]:
            if name not in row["items"]:
                row["items"].append(name)
        row["inspections"].append({"id": inspection.pk, "link": link("inspections:detail", args=[inspection.key])})
    return list(rows.values())


def _overdue_by_unit(street: Region, at: dt.datetime) -> list[dict[str, Any]]:
    """Overdue cases per responsible unit, most first, with the oldest case numbers. Open cases
    only (a running clock), so the rows read do not grow with history."""
    cases = (Case.objects.filter(overdue_q(at), grid__path__startswith=street.path, unit__isnull=False)
             .select_related("unit").order_by("deadline", "number"))
    units: dict[str, dict[str, Any]] = {}
    for case in cases.only("number", "deadline", "unit__code", "unit__name"):
        assert case.unit is not None  # noqa: S101 - filtered above
        row = units.setdefault(case.unit.code, {
            "unit": case.unit.code, "name": case.unit.name, "count": 0, "oldest": [],
            "link": case_list(region=street.code, unit=case.unit.code, overdue=True),
        })
        row["count"] += 1
        if len(row["oldest"]) < OLDEST_CASES:
            row["oldest"].append({"number": case.number, "link": link("cases:detail", args=[case.number])})
    return sorted(units.values(), key=lambda row: (-row["count"], row["unit"]))


def _typical(street: Region, day: dt.date, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Up to four cases rectified or closed on the day with a photo from before and one from after."""
    # The day's rectifications and verifications, found through the events of that day (indexed by
    # time), so the search does not grow with the history.
    done_today = CaseEvent.objects.filter(action__in=["rectify", "verify"], at__gte=start, at__lt=end).order_by()
    events = CaseEvent.objects.filter(action__in=["report", "rectify"]).prefetch_related("photos").order_by("at", "id")
    candidates = (
        Case.objects.filter(id__in=done_today.values("case_id"), grid__path__startswith=street.path,
                            state__in=[State.RECTIFIED, State.CLOSED])
        .select_related("category", "point", "grid__parent", "unit")
        .prefetch_related(Prefetch("events", queryset=events, to_attr="photo_events"))
        .order_by("number")[:TYPICAL_CASES * 5]
    )
    rows = []
    for case in candidates:
        before = next((p for e in case.photo_events if e.action == "report" for p in e.photos.all()), None)
        after = next((p for e in reversed(case.photo_events) if e.action == "rectify" for p in e.photos.all()), None)
        if before is None or after is None:
            continue
        rows.append({
            "case": case.number, "category": case.category.name,
            "place": case.point.name if case.point else (case.address or case.grid.name),
            "community": case.grid.parent.name if case.grid.parent else "",
            "unit": case.unit.name if case.unit else "",
            "text": case.description[:120],
            "before": {"id": before.pk, "sha256": before.sha256},
            "after": {"id": after.pk, "sha256": after.sha256},
            "link": link("cases:detail", args=[case.number]),
        })
        if len(rows) == TYPICAL_CASES:
            break
    return rows


def _focus(street: Region, day: dt.date) -> list[dict[str, Any]]:
    """Tomorrow's focus: points that failed on at least two of the last seven days."""
    since = day - dt.timedelta(days=FOCUS_DAYS - 1)
    counted = list(
        Inspection.objects.filter(day__gte=since, day__lte=day, grid__path__startswith=street.path,
                                  failed_count__gt=0)
        .order_by().values("point_id").annotate(days=Count("day", distinct=True), failures=Sum("failed_count"))
        .filter(days__gte=FOCUS_MIN_DAYS)
    )
    points = Point.objects.select_related("grid__parent").in_bulk([row["point_id"] for row in counted])
    rows = []
    for row in counted:
        point = points[row["point_id"]]
        rows.append({
            "point": point.code, "name": point.name,
            "community": point.grid.parent.name if point.grid.parent else "",
            "days": row["days"], "failures": int(row["failures"] or 0),
            "link": link("inspections:history",
                         query=f"point={point.code}&since={since.isoformat()}&until={day.isoformat()}"),
        })
    rows.sort(key=lambda r: (-r["days"], -r["failures"], r["point"]))
    return rows[:FOCUS_MAX_POINTS]


def photo_ids(content: dict[str, Any]) -> dict[str, int]:
    """The photos a bulletin shows, by SHA-256: exactly those its readers may open."""
    out: dict[str, int] = {}
    for row in content.get("typical", []):
        for side in ("before", "after"):
            photo = row.get(side) or {}
            if photo.get("sha256") and photo.get("id"):
                out[photo["sha256"]] = int(photo["id"])
    return out


# --- which bulletins a user sees --------------------------------------------------------------


def streets_for(user: Any) -> QuerySet[Region]:
    """The subdistricts whose bulletins the user may list: those in their scope, or the one their
    community (or grid) belongs to."""
    streets = Region.objects.filter(level=Region.Level.STREET).order_by("path")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return streets.none()
    scope = scope_of(user)
    if user.is_superuser:
        return streets
    if scope is None:
        return streets.none()
    if scope.level <= Region.Level.STREET:
        return streets.filter(path__startswith=scope.path)
    return streets.filter(code__in=scope.ancestor_codes())


def bulletins_visible_to(user: Any, *, recent: int | None = None) -> QuerySet[Bulletin]:
    """Bulletins of the user's subdistricts; drafts only to those who manage them. Published ones go
    to the street's leaders, inspectors and community admins, and to the unit handlers and grid
    workers whose unit or community a bulletin names (reports.distribution); other roles see none.
    `recent`: for a named reader, only the latest that many published bulletins are looked through
    (a home page's panel)."""
    qs = Bulletin.objects.select_related("street", "published_by").filter(street__in=streets_for(user))
    if user.is_superuser or getattr(user, "role", "") == Role.STREET_ADMIN:
        return qs
    published = qs.filter(status=Publication.PUBLISHED)
    streets = list(streets_for(user))
    whole = [s.pk for s in streets if permissions.reads_published_bulletins(user, s)]
    visible = Q(street__in=whole)
    addressee = distribution.addressee_of(user)
    if addressee is not None:
        visible |= Q(pk__in=distribution.naming(published, addressee, recent=recent))
    return published.filter(visible)


def bulletin_for(user: Any, street_code: str, day: dt.date) -> Bulletin | None:
    return (Bulletin.objects.select_related("street", "published_by")
            .filter(street__in=streets_for(user), street__code=street_code, day=day).first())
