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

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, CaseEvent, State
from chuangcheng.cases.queries import CaseFilter, overdue_q
from chuangcheng.core import clock
from chuangcheng.core.gongwen import week_label
from chuangcheng.hotline import figures as hotline_figures
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.org.models import Region, Role
from chuangcheng.org.queries import scope_of
from chuangcheng.places.models import Point
from chuangcheng.reports import distribution, issuing, permissions
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries import bulletin_parts as parts
from chuangcheng.reports.queries import figures
from chuangcheng.reports.queries.rate_rows import rate_rows

# The shape of `content`; a page reading an older snapshot can tell.
CONTENT_VERSION = 2
DAILY = "daily"
MONTHLY = "monthly"
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


def _region_links(region: Region, since: dt.date, until: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """The lists behind a region's figures: the period's inspections, and the cases that were reported,
    dispatched, rectified ... in it (the case list's period filter); open and overdue link to the
    cases in that state now."""
    first, last = since.isoformat(), (until or since).isoformat()
    history = link("inspections:history", query=f"since={first}&until={last}&community={region.code}")
    on_day = {"region": region.code, "since": first, "until": last}
    return {
        "inspections": history,
        "points_inspected": history,
        "items_failed": link("inspections:history",
                             query=f"since={first}&until={last}&community={region.code}&failed=1"),
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


def _rate_rows(fig: Any, region: Region, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """The case rates with their formulas in words and a link behind each count."""
    rows = rate_rows(fig, since=since, until=until, region=region.code)
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
    return issuing.issuing_for(street).issuer


def _field_items(total: Any) -> dict[str, Any]:
    """一、总体情况's score per assessment item (all checks): the items that lost points, heaviest
    loss first, the rest added up in one row, and the total, which is the summary's field score."""
    score = total.field_score()
    lost = score.lost()
    kept = [i for i in score.items if i not in lost]
    rows = [{"code": i.rule.code, "name": i.rule.name, "points": float(i.rule.points), "inspections": i.inspections,
             "deducted": float(i.deducted), "score": float(i.score),
             "rate": _rate(float(i.score * 100 / i.rule.points)) if i.rule.points else None} for i in lost]
    rest = None
    if kept:
        points = sum((i.rule.points for i in kept), Decimal(0))
        rest = {"items": len(kept), "points": float(points), "score": float(sum((i.score for i in kept), Decimal(0)))}
    return {"rows": rows, "rest": rest, "items": len(score.items), "points": float(score.points),
            "score": float(score.score), "rate": _rate(score.rate)}


def _unit_rows(street: Region, since: dt.date, until: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    out = []
    for unit, fig in figures.units(street, since, until, now=now):
        out.append({"code": unit.code, "name": unit.name, "cases_dispatched": fig.cases_dispatched,
                    "cases_rectified": fig.cases_rectified, "cases_due": fig.cases_due,
                    "cases_due_met": fig.cases_due_met, "cases_carried": fig.cases_carried,
                    "cases_overdue": fig.cases_overdue, "cases_returned": fig.cases_returned,
                    "on_time_rate": _rate(fig.on_time_rate)})
    return out


def compose_bulletin(street: Region, day: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the daily bulletin of `street` for `day` shows, as JSON-able data. Reads only."""
    return compose(street, day, day, kind=DAILY, now=now)


def compose_monthly(street: Region, month: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The monthly 通报 of the month holding `month` (up to today when it is the current month)."""
    now = now or clock.now()
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return compose(street, first, min(last, clock.local(now).date()), kind=MONTHLY, now=now)


def compose(street: Region, since: dt.date, until: dt.date, *, kind: str,
            now: dt.datetime | None = None) -> dict[str, Any]:
    """A 通报 of `street` over `since`..`until` (one day for the daily one)."""
    now = now or clock.now()
    start, _end = clock.day_bounds(since)
    _start, end = clock.day_bounds(until)
    # "At the end of the period" for a finished one; the present moment otherwise.
    at = min(now, end)
    live = figures.Live(now)  # days not stored yet, computed once for both reads
    total = figures.totals(street, since, until, now=now, live=live)
    kids = figures.children(street, since, until, now=now, live=live)
    communities = []
    for region, fig in kids:
        communities.append({"code": region.code, "name": region.name, **_figures(fig),
                            "links": _region_links(region, since, until)})
    summary = _figures(total)
    units = _unit_rows(street, since, until, now)
    found = parts.problems(street, since, until)
    honor = parts.honor_roll(communities, summary, units)
    work = parts.work(total.extra, [(region, fig.extra) for region, fig in kids], street, since, until)
    settings_ = issuing.issuing_for(street)
    deadline = issuing.rectify_deadline(until, settings_.rectify_days)
    overdue = _overdue_by_unit(street, at)
    name = street.name
    title = (_("%(street)s Civilized City Campaign Daily Bulletin") if kind == DAILY
             else _("%(street)s Civilized City Campaign Monthly Bulletin")) % {"street": name}
    content: dict[str, Any] = {
        "version": CONTENT_VERSION,
        "kind": kind,
        "street": {"code": street.code, "name": name},
        "day": until.isoformat(),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "title": title,
        "issuer": settings_.issuer,
        "issuing": settings_.as_dict(),
        "composed_at": clock.local(now).isoformat(timespec="seconds"),
        "as_of": clock.local(at).isoformat(timespec="seconds"),
        "lead": parts.lead(summary, since=since, until=until, honor=honor, work_figures=work["figures"]),
        "summary": summary,
        "links": _region_links(street, since, until),
        "field_items": _field_items(total),
        "rates": _rate_rows(total, street, since, until),
        "communities": communities,
        "honor": honor,
        "honor_rules": parts.honor_rules(),
        "problems": found,
        "units": units,
        "categories": _categories(total, street, since, until),
        "zero_loss_failed": _zero_loss_failed(street, since, until),
        "overdue_by_unit": overdue,
        "typical": _typical(street, start, end),
        "work": work,
        "focus": _focus(street, until) if kind == DAILY else [],
        "requirements": {
            "deadline": deadline.isoformat(),
            "items": parts.default_requirements(summary, deadline, problems_count=found["points"],
                                                overdue=summary["cases_overdue"]),
        },
    }
    # 12345 work orders: the hotline centre's figures of the period (the bulletin says them when any came).
    content["hotline"] = hotline_figures.period_figures(street, since, until, now=now)
    if kind == MONTHLY:
        content["trend"] = _trend(street, since, until, now)
    content["named"] = named(content)
    return content


def named(content: dict[str, Any]) -> dict[str, list[str]]:
    """The units and communities a bulletin names (its 红黑榜, problems, overdue list): they receive it."""
    units: set[str] = {row["unit"] for row in content.get("overdue_by_unit", [])}
    communities: set[str] = set()
    for row in content.get("honor", {}).get("red", []) + content.get("honor", {}).get("black", []):
        (units if row["kind"] == "unit" else communities).add(row["code"])
    found = content.get("problems", {})
    units |= {row["code"] for row in found.get("by_unit", [])}
    communities |= {row["code"] for row in found.get("by_community", []) if row["code"]}
    communities |= {row["code"] for row in content.get("communities", [])}
    return {"units": sorted(units), "communities": sorted(communities)}


def _trend(street: Region, since: dt.date, until: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The monthly bulletin's trend: each week of the month, and the month before over the same
    number of days, with the field score rate, problems, cases and the on-time rate."""
    weeks = []
    for label, fig in figures.per_week(street, since, until, now=now):
        monday = dt.date.fromisocalendar(int(label[:4]), int(label[6:]), 1)
        weeks.append({"week": label, "label": week_label(monday), **_trend_row(fig)})
    before_end = since - dt.timedelta(days=1)
    before_start = before_end.replace(day=1)
    span = (until - since).days
    before_until = min(before_start + dt.timedelta(days=span), before_end)
    previous = _trend_row(figures.totals(street, before_start, before_until, now=now))
    return {"weeks": weeks, "previous": {"since": before_start.isoformat(), "until": before_until.isoformat(),
                                         **previous}}


def _trend_row(fig: Any) -> dict[str, Any]:
    return {"inspections": fig.inspections, "items_failed": fig.items_failed, "field_rate": _rate(fig.field_rate),
            "cases_opened": fig.cases_opened, "cases_rectified": fig.cases_rectified,
            "cases_overdue": fig.cases_overdue, "on_time_rate": _rate(fig.on_time_rate)}


def _categories(total: Any, street: Region, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Problems by category over the same sets as the summary (bulletin_parts.categories), each
    category's new cases linked to the case list."""
    rows = parts.categories(getattr(total, "by_category", {}) or {}, figures.category_names(),
                            items_failed=int(total.items_failed), cases_opened=int(total.cases_opened),
                            top=TOP_CATEGORIES)
    for row in rows:
        row["links"] = ({"opened": case_list(region=street.code, category=row["code"], since=since.isoformat(),
                                             until=until.isoformat())} if row["code"] else {})
    return rows


def _zero_loss_failed(street: Region, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """零失分点位 that lost points in the period, with the items they failed."""
    inspections = list(
        Inspection.objects.filter(day__gte=since, day__lte=until, grid__path__startswith=street.path,
                                  point__zero_loss=True,
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


def _typical(street: Region, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
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


def bulletin_for(user: Any, street_code: str, day: dt.date, kind: str = Bulletin.Kind.DAILY) -> Bulletin | None:
    return (Bulletin.objects.select_related("street", "published_by")
            .filter(street__in=streets_for(user), street__code=street_code, kind=kind, day=day).first())
