"""Reading a survey: its indicators per community and grid (results), week by week (trend), and the
surveys ledger as a workbook (export). Read-only; a survey or region outside the reader's scope is
a 404. Query strings: `region` (a region code), `from` and `to` (YYYY-MM-DD), `weeks`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.core.periods import PeriodForm, parse_period
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.surveys import results
from chuangcheng.surveys.exports import survey_ledger

MAX_WEEKS = 104


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _url(name: str, survey_code: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    base = reverse(name, args=[survey_code])
    return f"{base}?{query}" if query else base


def _crumbs(user: Any, survey: Any, region: Region) -> list[Region]:
    """The regions from the reader's own down to `region`, for the way back up."""
    home = results.home_region(user, survey)
    codes = region.ancestor_codes()
    above = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [above[c] for c in codes if c in above and above[c].path.startswith(home.path) and c != region.code]


def results_page(request: HttpRequest, survey_code: str) -> HttpResponse:
    user = request.user
    survey = results.survey_for(user, survey_code)
    region = results.region_for(user, survey, request.GET.get("region"))
    # Without dates: every response; a bad date is shown beside the fields, with every response.
    period_form = PeriodForm(request.GET or None)
    since, until = period_form.period.since, period_form.period.until
    res = results.results(user, survey, region, since=since, until=until)
    dates = period_form.period.params()
    table_rows: list[dict[str, Any]] = [
        {"region": region, "figures": res.total, "url": "", "total": True, "score": res.total.score()}]
    table_rows += [{"region": row.region, "figures": row.figures, "total": False, "score": row.figures.score(),
                    "url": _url("surveys:results", survey.code, region=row.region.code, **dates)
                    if row.has_children else ""}
                   for row in res.rows]
    sections = [{"indicator": i, "name": results.RATE_NAMES[i],
                 "rows": [(row, row["figures"].rate(i)) for row in table_rows]} for i in res.indicators]
    question_rows = [(q, res.total.question_rate(q.id)) for q in res.questions if q.indicator]
    crumbs = [(r, _url("surveys:results", survey.code, region=r.code, **dates)) for r in _crumbs(user, survey, region)]
    return render(request, "surveys/results.html", {
        "survey": survey, "res": res, "region": region, "since": since, "until": until, "period_form": period_form,
        "table_rows": table_rows, "sections": sections, "question_rows": question_rows,
        "crumbs": crumbs, "trend_url": _url("surveys:trend", survey.code, region=region.code),
        "export_since": since or clock.local(survey.created_at).date(), "export_until": until or clock.today(),
        "communities": org_queries.communities_visible_to(user).filter(path__startswith=region.path)
        if region.level < Region.Level.COMMUNITY else [],
    }, status=400 if period_form.errors else 200)


def _chart(trend: results.Trend) -> dict[str, Any]:
    """The data the project's dashboard.js draws with Plotly (the table beside it has the numbers)."""
    series = []
    for indicator in trend.indicators:
        values = [w.figures.rate(indicator).percent for w in trend.weeks]
        series.append({"name": str(results.RATE_NAMES[indicator]),
                       "y": [round(v, 1) if v is not None else None for v in values]})
    return {"id": "chart-trend", "title": _("Rates week by week (%)"), "kind": "line",
            "x": [w.label for w in trend.weeks], "series": series, "percent": True, "links": []}


def trend_page(request: HttpRequest, survey_code: str) -> HttpResponse:
    user = request.user
    survey = results.survey_for(user, survey_code)
    region = results.region_for(user, survey, request.GET.get("region"))
    raw = (request.GET.get("weeks") or "").strip()
    weeks: int | None = None
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_WEEKS:
            return _bad(request, _("Weeks must be a whole number from 1 to %(n)d.") % {"n": MAX_WEEKS})
        weeks = int(raw)
    trend = results.trend(user, survey, region, weeks=weeks)
    if weeks is None and len(trend.weeks) > MAX_WEEKS:
        trend = results.trend(user, survey, region, weeks=MAX_WEEKS)
    return render(request, "surveys/results_trend.html", {
        "survey": survey, "trend": trend, "region": region, "chart": _chart(trend),
        "names": [results.RATE_NAMES[i] for i in trend.indicators],
        "rows": [{"week": w, "score": w.figures.score(),
                  "rates": [(results.RATE_NAMES[i], w.figures.rate(i)) for i in trend.indicators]}
                 for w in trend.weeks],
        "results_url": _url("surveys:results", survey.code, region=region.code),
        "scored": any(q.scored and q.indicator == "satisfaction" for q in trend.questions),
    })


def export(request: HttpRequest, survey_code: str) -> HttpResponse:
    user = request.user
    survey = results.survey_for(user, survey_code)
    region = results.region_for(user, survey, request.GET.get("community") or request.GET.get("region"))
    try:
        period = parse_period(request.GET)
    except ValidationError as exc:
        return _bad(request, " ".join(exc.messages))
    since = period.since or clock.local(survey.created_at).date()
    until = period.until or clock.today()
    return sheets.export_response(
        request, lambda: survey_ledger(user, survey, region, since=since, until=until),
        filename=f"survey-{survey.code}-{region.code}-{since:%Y%m%d}-{until:%Y%m%d}.xlsx",
        back=_url("surveys:results", survey_code, region=region.code, since=since.isoformat(),
                  until=until.isoformat()))


urlpatterns: list[URLPattern] = [
    path("<str:survey_code>/results/", results_page, name="results"),
    path("<str:survey_code>/trend/", trend_page, name="trend"),
    path("<str:survey_code>/export/", export, name="export"),
]
