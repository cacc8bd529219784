"""Dashboards and the one map (一张图): the overview of the user's scope, a community's page, a
responsible unit's page, the wall display (大屏) and the map of today's status. Read-only pages:
a region or unit outside the user's scope is a 404, whatever the role."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from chuangcheng.cases.queries import CaseFilter
from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.hotline import figures as hotline_figures
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.reports import charts as chart_rules
from chuangcheng.reports import permissions
from chuangcheng.reports.queries import dashboard
from chuangcheng.reports.queries import map as map_queries
from chuangcheng.reports.queries.rate_rows import UNIT_RATES, rate_rows
from chuangcheng.reports.services import rankings
from chuangcheng.standards.models import PointType


def _reader(request: HttpRequest) -> Any:
    user = request.user
    if not permissions.can_view_dashboards(user):
        raise PermissionDenied(_("Your role does not read the dashboards."))
    return user


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None, False)})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _pct(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def links(region: Region, ov: dashboard.Overview) -> dict[str, Any]:
    """The list behind each figure: the case list's and the inspection records' filters."""
    code = region.code
    narrow = code if region.level >= Region.Level.COMMUNITY else ""

    def history(since: dt.date, until: dt.date, **extra: Any) -> str:
        return _url("inspections:history", since=since.isoformat(), until=until.isoformat(),
                    community=narrow, **extra)

    periods = {"today": (ov.day, ov.day), "this_week": (ov.week_start, ov.day),
               "last_week": (ov.last_week_start, ov.last_week_end)}
    return {
        **{name: {
            "inspections": history(a, b), "failed": history(a, b, failed="1"),
            "coverage": _url("inspections:coverage", since=a.isoformat(), until=b.isoformat()),
            "ledger": _url("inspections:export", since=a.isoformat(), until=b.isoformat(), community=narrow),
            "opened": _url("cases:list", region=code, since=a.isoformat(), until=b.isoformat()),
            "residents": _url("cases:list", region=code, source="public", since=a.isoformat(),
                              until=b.isoformat()),
            "due": _url("cases:list", region=code, due="due", since=a.isoformat(), until=b.isoformat()),
            "rectified": _url("cases:list", region=code, did="rectified", since=a.isoformat(), until=b.isoformat()),
        } for name, (a, b) in periods.items()},
        "cases": _url("cases:list", region=code),
        "open": _url("cases:list", state="open", region=code),
        "overdue": _url("cases:list", overdue="1", region=code),
        "closed": _url("cases:list", state="closed", region=code),
        "map": _url("reports:map", region=narrow),
    }


def charts(ov: dashboard.Overview) -> dict[str, Any]:
    """The data dashboard.js draws with Plotly; each chart's table in the page has the same numbers."""
    weeks = chart_rules.week_labels([monday for _l, monday, _s in ov.week_dates()])
    by_week = chart_rules.weeks_title()
    trend = [figs for _label, figs in ov.trend]
    history = reverse("inspections:history")
    week_links = [f"{history}?since={a.isoformat()}&until={b.isoformat()}" for _l, a, b in ov.week_dates()]
    cats = ov.categories[::-1]  # Plotly draws horizontal bars bottom-up: the largest on top
    cases_url = reverse("cases:list")
    units = ov.units[::-1]
    return {
        "rate": chart_rules.chart("chart-rate", _("Score rate and on-time handling rate (%)"), "line", weeks, [
            {"name": _("Field score rate (all checks)"), "y": [_pct(f.field_rate) for f in trend]},
            {"name": _("On-time handling rate"), "y": [_pct(f.on_time_rate) for f in trend]},
        ], percent=True, links=week_links, x_title=by_week),
        "counts": chart_rules.chart("chart-counts", _("Items failed and cases opened"), "bar", weeks, [
            {"name": _("Items failed"), "y": [int(f.items_failed) for f in trend]},
            {"name": _("Cases opened"), "y": [int(f.cases_opened) for f in trend]},
        ], links=week_links, x_title=by_week),
        "categories": chart_rules.chart("chart-categories", _("Problems by category, this week"), "hbar",
                             [c.name for c in cats], [
                                 {"name": _("Items failed"), "y": [c.failed for c in cats]},
                                 {"name": _("Cases opened"), "y": [c.opened for c in cats]},
                             ], links=[f"{cases_url}?category={c.code}&region={ov.region.code}" for c in cats]),
        "units": chart_rules.chart("chart-units", _("On-time handling rate by unit, last 4 weeks (%)"), "hbar",
                        [u.name for u, _uf in units],
                        [{"name": _("On-time handling rate"), "y": [_pct(uf.on_time_rate) for _u, uf in units]}],
                        percent=True, links=[reverse("reports:unit", args=[u.code]) for u, _uf in units]),
    }


def rate_table(fig: Any, since: dt.date, until: dt.date, *, region: str = "", unit: str = "",
               keys: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The case rates of `fig` with their formulas in words and each count's case list (href)."""
    rows = rate_rows(fig, since=since, until=until, region=region, unit=unit, keys=keys)
    for row in rows:
        for part in row["parts"]:
            filters = part.pop("filters")
            part["href"] = f"{reverse('cases:list')}?{CaseFilter(**filters).query_string()}" if filters else ""
    return rows


def week_rows(ov: dashboard.Overview) -> list[tuple[tuple[str, dt.date, dt.date], Any]]:
    """The trend's weeks for the tables beside the charts: ((label, Monday, last day), figures),
    labelled by date as the chart's axis is."""
    dates = ov.week_dates()
    labels = chart_rules.week_labels([monday for _l, monday, _s in dates])
    return [((label, monday, end), figs)
            for label, (_l, monday, end), (_w, figs) in zip(labels, dates, ov.trend, strict=True)]


def _child_url(child: Region) -> str:
    if child.level == Region.Level.COMMUNITY:
        return reverse("reports:community", args=[child.code])
    if child.level == Region.Level.GRID:
        return _url("cases:list", region=child.code)
    return _url("reports:overview", region=child.code)


def _context(request: HttpRequest, region: Region) -> dict[str, Any]:
    ov = dashboard.overview(request.user, clock.today(), region=region)
    return {
        "ov": ov, "region": region, "links": links(region, ov), "charts": charts(ov),
        "children": [(child, figs, _child_url(child)) for child, figs in ov.children],
        "weeks": week_rows(ov),
        "rates": rate_table(ov.this_week, ov.week_start, ov.day, region=region.code),
        "rates_last_week": rate_table(ov.last_week, ov.last_week_start, ov.last_week_end, region=region.code),
        "hotline": _hotline(region, ov.week_start, ov.day),
        # When today's figures were computed: they may be shared for a minute (figures.page_live).
        "now": clock.local(ov.as_of or clock.now()),
        "unstored": ov.unstored, "today_cache_seconds": settings.REPORTS_TODAY_CACHE_SECONDS,
    }


def _hotline(region: Region, since: dt.date, until: dt.date) -> list[dict[str, Any]] | None:
    """A subdistrict's 12345 work orders this week: each rate with its formula and counts (orders
    belong to a street, so communities and grids have none)."""
    if region.level != Region.Level.STREET:
        return None
    figures = hotline_figures.period_totals(region, since, until)
    if not (figures["received"] or figures["due_to_sign"] or figures["due_to_finish"] or figures["rated"]):
        return None
    parts = {"timely_signing": ("signed_in_time", "due_to_sign"), "on_time_finishing": ("finished_in_time",
                                                                                        "due_to_finish"),
             "satisfaction": ("satisfied", "rated"), "redo": ("unsatisfied", "finished")}
    return [{"key": key, "name": hotline_figures.LABELS[key], "words": hotline_figures.FORMULAS[key],
             "value": figures["rates"][key], "counts": [figures[parts[key][0]], figures[parts[key][1]]]}
            for key in hotline_figures.LABELS]


def _region(request: HttpRequest, code: str, *, level: int | None = None) -> Region:
    region = org_queries.region_for(request.user, code)
    if region is None or (level is not None and region.level != level):
        raise Http404
    return region


def overview(request: HttpRequest) -> HttpResponse:
    """街道总览: the user's scope (or a region below it, `?region=`)."""
    user = _reader(request)
    code = request.GET.get("region", "").strip()[:40]
    region = or_404(_region(request, code) if code else dashboard.home_region(user))
    return render(request, "reports/overview.html", _context(request, region))


def community(request: HttpRequest, code: str) -> HttpResponse:
    _reader(request)
    region = _region(request, code, level=Region.Level.COMMUNITY)
    return render(request, "reports/community.html", _context(request, region))


WALL_ROWS = 14
WALL_UNITS = 8


def wall(request: HttpRequest) -> HttpResponse:
    """大屏: the overview in large type on a dark screen, refreshed every five minutes."""
    user = _reader(request)
    code = request.GET.get("region", "").strip()[:40]
    region = or_404(_region(request, code) if code else dashboard.home_region(user))
    context = _context(request, region)
    return render(request, "reports/wall.html", {
        **context, "refresh_seconds": 300,
        # What one 1080-line screen holds; the rest is on the overview, and the wall says how many.
        "wall_rows": f":{WALL_ROWS}", "children_more": max(0, len(context["children"]) - WALL_ROWS),
        "wall_units": f":{WALL_UNITS}", "units_more": max(0, len(context["ov"].units) - WALL_UNITS),
    })


def unit(request: HttpRequest, code: str) -> HttpResponse:
    found = or_404(org_queries.units_visible_to(request.user).filter(code=code).first())
    if not permissions.can_view_unit_dashboard(request.user, found):
        raise PermissionDenied(_("Your role does not read this unit's figures."))
    page = dashboard.unit_page(found, clock.today())
    weeks = page.weeks if page else []
    labels = chart_rules.week_labels([monday for _l, monday, _f in weeks])
    chart = chart_rules.chart("chart-unit", _("On-time handling rate by week (%)"), "line", labels, [
        {"name": _("On-time handling rate"), "y": [_pct(f.on_time_rate) for _l, _s, f in weeks]},
        {"name": _("Rework rate"), "y": [_pct(f.rework_rate) for _l, _s, f in weeks]},
    ], percent=True, x_title=chart_rules.weeks_title())
    since = clock.today() - dt.timedelta(weeks=dashboard.UNIT_WEEKS) + dt.timedelta(days=1)
    return render(request, "reports/unit.html", {
        "unit": found, "page": page, "charts": {"unit": chart},
        "weeks": [(label, monday, figs) for label, (_l, monday, figs) in zip(labels, weeks, strict=True)],
        "place": rankings.unit_place(found),
        "rates": rate_table(page.recent, since, clock.today(), unit=found.code, keys=UNIT_RATES) if page else [],
        "links": {
            "open": _url("cases:list", unit=found.code, state="open"),
            "overdue": _url("cases:list", unit=found.code, overdue="1"),
            "closed": _url("cases:list", unit=found.code, state="closed"),
            "all": _url("cases:list", unit=found.code),
        },
    })


def onemap(request: HttpRequest) -> HttpResponse:
    """一张图: every point of the scope with today's status; the same points as a text list."""
    user = _reader(request)
    flt = map_queries.MapFilter.from_params(request.GET)
    points = map_queries.map_points(user, flt)
    page = Paginator(points, 100).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "reports/map.html", {
        "flt": flt, "page": page, "query": params.urlencode(),
        "legend": map_queries.status_counts(points), "total": len(points),
        "map_data": {"points": [p.as_json() for p in points], **map_queries.boundaries(user, flt)},
        "types": PointType.objects.all(),
        "communities": org_queries.communities_visible_to(user),
        "grids": org_queries.grids_visible_to(user),
        "statuses": [(s, label) for s, label, _n in map_queries.status_counts([])],
        "today": clock.today(),
    })


urlpatterns = [
    path("", overview, name="overview"),
    path("community/<str:code>/", community, name="community"),
    path("unit/<str:code>/", unit, name="unit"),
    path("wall/", wall, name="wall"),
    path("map/", onemap, name="map"),
]
