"""The parts of a 通报 that are written from the figures rather than copied from them: the opening
paragraph, the 红榜 and 黑榜, the problems by community and by responsible unit, the shares of the
problem categories, the campaign's own work (volunteers, publicity, visits, tasks) and the default
整改要求. Each is plain data built from figures already composed (`reports.queries.bulletins`) or
from the period's rows, bounded by the period through indexed filters.

No sentence states a fact the figures do not hold: every sentence is a template filled with counts,
and a sentence whose count is zero is left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from chuangcheng.core.gongwen import chinese_date, month_day
from chuangcheng.engagement.volunteering.models import OUTCOMES, Action
from chuangcheng.inspections.models import ItemResult
from chuangcheng.org.models import Region

# 红榜 / 黑榜: at most this many communities (and units) on each.
HONOR_SIZE = 2
# Problems named one by one; beyond this the rest are counted.
MAX_PROBLEM_POINTS = 60
MAX_ACTIONS = 12

# The campaign's own work, in the order a street's daily report leads with it: DailyRollup.extra
# names with their labels (units of measure included).
WORK_FIGURES: list[tuple[str, str]] = [
    ("volunteer_actions", "volunteer actions held"),
    ("volunteer_attendances", "volunteer attendances"),
    ("party_member_attendances", "of them party members"),
    ("volunteer_hours", "volunteer hours"),
    *[(f"outcome_{code}", str(label)) for code, label in OUTCOMES],
    ("pushes_sent", "pushes delivered to grid groups"),
    ("offline_items_added", "posters, screens and boards put up"),
    ("household_visits", "households visited"),
    ("tasks_completed", "tasks completed"),
    ("survey_responses", "survey answers"),
]


def work_labels() -> dict[str, str]:
    labels = {
        "volunteer_actions": _("volunteer actions held"),
        "volunteer_attendances": _("volunteer attendances"),
        "party_member_attendances": _("of them party members"),
        "volunteer_hours": _("volunteer hours"),
        "pushes_sent": _("pushes delivered to grid groups"),
        "offline_items_added": _("posters, screens and boards put up"),
        "household_visits": _("households visited"),
        "tasks_completed": _("tasks completed"),
        "survey_responses": _("survey answers"),
    }
    labels.update({f"outcome_{code}": str(label) for code, label in OUTCOMES})
    return labels


# --- shares that add up --------------------------------------------------------------------------


def shares(counts: Sequence[int], *, places: int = 1) -> list[float | None]:
    """Percentages of `counts` in their sum, rounded so they add up to exactly 100 (largest
    remainder); None for every row when the sum is 0."""
    whole = sum(counts)
    if not whole:
        return [None for _count in counts]
    unit = Decimal(1).scaleb(-places)
    exact = [Decimal(c) * 100 / whole for c in counts]
    floors = [(e / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for e in exact]
    left = int(((Decimal(100) - sum(floors)) / unit).to_integral_value(rounding=ROUND_HALF_UP))
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += unit
    return [float(f) for f in floors]


def categories(by_category: dict[str, dict[str, int]], names: dict[str, str], *, items_failed: int,
               cases_opened: int, top: int) -> list[dict[str, Any]]:
    """Problems by category over the same sets as the summary: every failed check item of the
    period (those with no category under "uncategorized") and every case opened, each with its
    share of its own total; categories past `top` are added up as "other categories". The rows'
    `failed` add up to `items_failed`, their `opened` to `cases_opened`, each share column to 100."""
    rows: list[dict[str, Any]] = [
        {"code": code, "name": names.get(code, code), "failed": int(v.get("failed", 0) or 0),
         "opened": int(v.get("opened", 0) or 0)}
        for code, v in by_category.items()
    ]
    rows = [row for row in rows if row["failed"] or row["opened"]]
    rows.sort(key=lambda row: (-row["failed"], -row["opened"], row["code"]))
    if len(rows) > top:
        rest = rows[top - 1:]
        rows = rows[:top - 1] + [{"code": "", "name": _("other categories"), "other": len(rest),
                                  "failed": sum(r["failed"] for r in rest), "opened": sum(r["opened"] for r in rest)}]
    missing_failed = items_failed - sum(r["failed"] for r in rows)
    missing_opened = cases_opened - sum(r["opened"] for r in rows)
    if missing_failed > 0 or missing_opened > 0:
        rows.append({"code": "", "name": _("no category"), "failed": max(missing_failed, 0),
                     "opened": max(missing_opened, 0)})
    for row, share in zip(rows, shares([r["failed"] for r in rows]), strict=True):
        row["share"] = share
    for row, share in zip(rows, shares([r["opened"] for r in rows]), strict=True):
        row["opened_share"] = share
    return rows


# --- problems by community and by unit -------------------------------------------------------------


def problems(street: Region, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Every point that failed a check item in the period, with the items it failed, its
    community and the unit answering for it (the unit the case went to, else the point's primary
    unit), grouped by community and by unit. Named one by one up to MAX_PROBLEM_POINTS points."""
    results = (ItemResult.objects
               .filter(result=ItemResult.Result.FAIL, inspection__day__gte=since, inspection__day__lte=until,
                       inspection__grid__path__startswith=street.path)
               .select_related("item", "inspection__point__grid__parent", "inspection__point__primary_unit",
                               "case__unit")
               .order_by("inspection__point__code", "inspection__submitted_at", "id"))
    points: dict[str, dict[str, Any]] = {}
    for result in results:
        point = result.inspection.point
        unit = (result.case.unit if result.case is not None and result.case.unit is not None
                else point.primary_unit)
        community = point.grid.parent
        row = points.setdefault(point.code, {
            "point": point.code, "name": point.name,
            "community": community.code if community else "", "community_name": community.name if community else "",
            "unit": unit.code, "unit_name": unit.name, "items": [], "failures": 0, "cases": [],
        })
        row["failures"] += 1
        text = result.item.text.strip()
        text = text if len(text) <= 40 else f"{text[:39]}…"
        if text not in row["items"]:
            row["items"].append(text)
        if result.case is not None and result.case.number not in row["cases"]:
            row["cases"].append(result.case.number)
    rows = sorted(points.values(), key=lambda r: (r["community"], -r["failures"], r["point"]))
    by_community: dict[str, dict[str, Any]] = {}
    by_unit: dict[str, dict[str, Any]] = {}
    for row in rows:
        c = by_community.setdefault(row["community"], {"code": row["community"], "name": row["community_name"],
                                                        "points": [], "failures": 0, "count": 0})
        c["count"] += 1
        c["failures"] += row["failures"]
        if sum(len(x["points"]) for x in by_community.values()) < MAX_PROBLEM_POINTS:
            c["points"].append(row)
        u = by_unit.setdefault(row["unit"], {"code": row["unit"], "name": row["unit_name"], "points": 0,
                                             "failures": 0, "names": []})
        u["points"] += 1
        u["failures"] += row["failures"]
        if len(u["names"]) < 5:
            u["names"].append(row["name"])
    communities = sorted(by_community.values(), key=lambda c: (-c["failures"], c["code"]))
    for c in communities:
        c["more"] = c["count"] - len(c["points"])
    units = sorted(by_unit.values(), key=lambda u: (-u["failures"], u["code"]))
    return {"points": len(rows), "failures": sum(r["failures"] for r in rows),
            "by_community": communities, "by_unit": units}


# --- 红榜 / 黑榜 --------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def honor_roll(communities: Sequence[dict[str, Any]], summary: dict[str, Any],
               units: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The day's 红榜 and 黑榜 by the rules the bulletin prints (`honor_rules`):

    - communities inspected in the period are compared with the subdistrict's field score rate:
      红榜 the best (at or above the subdistrict's rate, no overdue case), 黑榜 the worst (below it,
      or with overdue cases), at most HONOR_SIZE each, never both;
    - units: 红榜 those that met every deadline that fell (at least one) and have nothing overdue,
      most met first; 黑榜 those with the most overdue cases.
    Each entry carries its reason in words, from its own figures."""
    street_rate = summary.get("field_rate")
    inspected = [c for c in communities if c.get("inspections")]

    def key_best(c: dict[str, Any]) -> tuple[Any, ...]:
        return (-(c.get("field_rate") or 0), c.get("cases_overdue", 0), c.get("items_failed", 0), c["code"])

    red = [c for c in sorted(inspected, key=key_best)
           if street_rate is not None and (c.get("field_rate") or 0) >= street_rate and not c.get("cases_overdue")]
    red = red[:HONOR_SIZE]
    red_codes = {c["code"] for c in red}
    def key_worst(c: dict[str, Any]) -> tuple[Any, ...]:
        rate = c.get("field_rate") if c.get("inspections") and c.get("field_rate") is not None else 101.0
        return (rate, -(c.get("cases_overdue") or 0), c["code"])

    below = [c for c in communities if c["code"] not in red_codes
             and ((c.get("inspections") and street_rate is not None and (c.get("field_rate") or 0) < street_rate)
                  or c.get("cases_overdue"))]
    black = sorted(below, key=key_worst)
    black = black[:HONOR_SIZE]

    def community_reason(c: dict[str, Any], good: bool) -> str:
        parts = []
        if c.get("inspections"):
            parts.append(_("field score rate %(rate)s against the subdistrict's %(street)s")
                         % {"rate": _fmt(c.get("field_rate")), "street": _fmt(street_rate)})
        if good:
            parts.append(_("no overdue case"))
        elif c.get("cases_overdue"):
            parts.append(_("%(n)s cases overdue") % {"n": c["cases_overdue"]})
        if c.get("items_failed"):
            parts.append(_("%(n)s check items failed") % {"n": c["items_failed"]})
        return _("; ").join(parts)

    unit_red = sorted((u for u in units if u.get("cases_due") and u.get("cases_due_met") == u.get("cases_due")
                       + u.get("cases_carried", 0) and not u.get("cases_overdue")),
                      key=lambda u: (-u["cases_due_met"], u["code"]))[:HONOR_SIZE]
    unit_black = sorted((u for u in units if u.get("cases_overdue")),
                        key=lambda u: (-u["cases_overdue"], u["code"]))[:HONOR_SIZE]
    return {
        "red": [{"kind": "community", "code": c["code"], "name": c["name"], "reason": community_reason(c, True)}
                for c in red]
        + [{"kind": "unit", "code": u["code"], "name": u["name"],
            "reason": _("all %(n)s cases that fell due rectified by their deadlines; nothing overdue")
            % {"n": u["cases_due_met"]}} for u in unit_red],
        "black": [{"kind": "community", "code": c["code"], "name": c["name"], "reason": community_reason(c, False)}
                  for c in black]
        + [{"kind": "unit", "code": u["code"], "name": u["name"],
            "reason": _("%(n)s cases overdue and not rectified") % {"n": u["cases_overdue"]}} for u in unit_black],
    }


def honor_rules() -> str:
    return _("Red list: communities inspected whose field score rate is at or above the subdistrict's and "
             "that have no overdue case, best first, and units that rectified every case that fell due by its "
             "deadline; black list: communities below the subdistrict's rate or with overdue cases, worst "
             "first, and the units with the most overdue cases; at most %(n)s of each.") % {"n": HONOR_SIZE}


# --- the campaign's work --------------------------------------------------------------------------


def work(extra: dict[str, Any], communities: Iterable[tuple[Region, dict[str, Any]]], street: Region,
         since: dt.date, until: dt.date) -> dict[str, Any]:
    """四、创城工作开展情况: the period's volunteer actions, publicity and visits from the rollups'
    figures (the street's total and each community's), and the actions held, named."""
    labels = work_labels()
    figures = [{"key": key, "label": labels[key], "value": _plain(extra.get(key, 0))}
               for key, _label in WORK_FIGURES if extra.get(key)]
    columns = ["volunteer_actions", "volunteer_attendances", "volunteer_hours", "pushes_sent", "household_visits"]
    rows = []
    for region, their in communities:
        values = [_plain(their.get(key, 0)) for key in columns]
        rows.append({"code": region.code, "name": region.name, "values": values})
    start, _end = _bounds(since)
    _start, end = _bounds(until)
    actions = []
    for action in (Action.objects.filter(status=Action.Status.HELD, starts_at__gte=start, starts_at__lt=end,
                                         community__path__startswith=street.path)
                   .select_related("community").order_by("starts_at", "code")[:MAX_ACTIONS]):
        outcome = "、".join(f"{labels[f'outcome_{code}']}{int(n)}" for code, n in (action.outcome or {}).items()
                           if n and f"outcome_{code}" in labels)
        actions.append({"code": action.code, "title": action.title, "community": action.community.name,
                        "place": action.place_name, "outcome": outcome})
    return {"figures": figures, "columns": [labels[c] for c in columns], "by_community": rows, "actions": actions}


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from chuangcheng.core import clock

    return clock.day_bounds(day)


def _plain(value: Any) -> int | float:
    if isinstance(value, float | Decimal) and float(value) != int(value):
        return round(float(value), 1)
    return int(value or 0)


# --- the opening paragraph and the requirements -------------------------------------------------------


def period_words(since: dt.date, until: dt.date) -> str:
    if since == until:
        return chinese_date(since)
    return _("from %(since)s to %(until)s") % {"since": chinese_date(since), "until": month_day(until)}


def lead(summary: dict[str, Any], *, since: dt.date, until: dt.date, honor: dict[str, Any],
         work_figures: Sequence[dict[str, Any]]) -> list[str]:
    """The opening paragraph, sentence by sentence, each filled from the figures."""
    s = summary
    facts = {"period": period_words(since, until), "points": s.get("points_inspected", 0),
             "inspections": s.get("inspections", 0), "done": s.get("visits_done", 0),
             "planned": s.get("visits_planned", 0), "rate": _fmt(s.get("field_rate")),
             "independent": _fmt(s.get("independent_field_rate"))}
    if s.get("independent_field_rate") is None:
        sentences = [_("%(period)s, the subdistrict inspected %(points)s points in %(inspections)s inspections "
                       "(%(done)s of %(planned)s planned visits made); the field score rate in the assessment's "
                       "terms was %(rate)s (no independent check).") % facts]
    else:
        sentences = [_("%(period)s, the subdistrict inspected %(points)s points in %(inspections)s inspections "
                       "(%(done)s of %(planned)s planned visits made); the field score rate in the assessment's "
                       "terms was %(rate)s (independent checks: %(independent)s).") % facts]
    sentences.append(_(
        "%(failed)s check items failed; %(opened)s cases were opened (%(residents)s reported by residents), "
        "%(rectified)s rectified and %(closed)s verified and closed; %(overdue)s cases are overdue, and the "
        "on-time handling rate is %(on_time)s.") % {
        "failed": s.get("items_failed", 0), "opened": s.get("cases_opened", 0),
        "residents": s.get("cases_from_residents", 0), "rectified": s.get("cases_rectified", 0),
        "closed": s.get("cases_closed", 0), "overdue": s.get("cases_overdue", 0),
        "on_time": _fmt(s.get("on_time_rate"))})
    if work_figures:
        sentences.append(_("Campaign work: %(items)s.") % {
            "items": _("; ").join(f"{row['label']} {row['value']}" for row in work_figures[:6])})
    red = [row["name"] for row in honor.get("red", [])]
    black = [row["name"] for row in honor.get("black", [])]
    if red:
        sentences.append(_("On the red list: %(names)s.") % {"names": "、".join(red)})
    if black:
        sentences.append(_("On the black list: %(names)s.") % {"names": "、".join(black)})
    return sentences


def default_requirements(summary: dict[str, Any], deadline: dt.date, *, problems_count: int,
                         overdue: int) -> list[str]:
    """五、整改要求, as a street office writes them, with the deadline; editable before publishing."""
    items = []
    if problems_count:
        items.append(_("Each community and responsible unit rectifies the %(n)s problem points listed above and "
                       "reports back with photos before and after by %(deadline)s.")
                     % {"n": problems_count, "deadline": chinese_date(deadline)})
    if overdue:
        items.append(_("The units with overdue cases finish them by %(deadline)s; cases still overdue then are "
                       "listed again and their units' heads are reminded.")
                     % {"deadline": chinese_date(deadline)})
    items.append(_("Communities keep up daily self-checks of their points, above all the zero-loss points and "
                   "those named in this bulletin."))
    return items
