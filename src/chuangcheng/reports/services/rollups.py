"""Daily rollups: one local day's figures per region and per responsible unit.

`compute_day` reads only the rows of that day (inspections, item results, plan assignments,
cases reported, case events) plus, for the state at the end of the day, the cases still open then;
so its cost follows a day's activity, not the length of history. `build_day` stores the result;
`build_missing_days` (the periodic job) stores every finished day not yet stored, gaps included:
pages never compute a finished day (DESIGN §6).

A case's state at a moment is the `to_state` of its last event before it; the deadline and the
responsible unit in force at a moment are the case's current ones unless a later event changed
them, in which case they are read from the case's clock events (dispatch, redispatch, extension,
resume, reopen, send-back): each records the deadline it set (`CaseEvent.deadline`) and the unit
it went to, so the deadline rules are never replayed here.

`field` holds the field score's inputs in the assessment's terms (standards.scoring), apart for
self-checks and independent checks: for each assessment item, the inspections of points of its
type and the sum of what their failed check items deducted from it, under the rules of each
inspection's own catalog version (read once per version per computation).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q, Sum

from chuangcheng.cases.models import Case, CaseEvent, Source, State
from chuangcheng.cases.queries import FIRST_TIME_BREAKERS, fell_due
from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.models import Point
from chuangcheng.reports.models import DailyRollup, UnitRollup
from chuangcheng.reports.services import extra
from chuangcheng.standards.queries import ScoringRules, scoring_rules
from chuangcheng.standards.scoring import Tally, add_tallies, penalty_of

# Every figure of a DailyRollup, in the model's order (`by_category` and `extra` apart).
REGION_FIELDS = [
    "points", "zero_loss_points", "visits_planned", "visits_done", "inspections", "points_inspected",
    "score", "max_score", "items_checked", "items_failed", "points_failed", "zero_loss_failed",
    "cases_opened", "cases_from_residents", "cases_dispatched", "cases_rectified", "cases_rectified_on_time",
    "cases_closed", "cases_returned", "cases_reopened", "cases_wrong_unit", "cases_open", "cases_overdue",
    "cases_due", "cases_due_met", "cases_first_time", "ratings_satisfied", "ratings_basic", "ratings_unsatisfied",
]
UNIT_FIELDS = [
    "cases_dispatched", "cases_rectified", "cases_rectified_on_time", "cases_closed", "cases_returned",
    "cases_reopened", "cases_wrong_unit", "cases_open", "cases_overdue", "cases_due", "cases_due_met",
    "cases_first_time",
]
# A resident's rating (the case action `rate`, its event's data["rating"]) → the figure it counts.
RATING_FIGURES = {"satisfied": "ratings_satisfied", "basic": "ratings_basic", "unsatisfied": "ratings_unsatisfied"}
# Figures that describe the end of a day rather than what happened in it: over a period they are
# the last day's value, not a sum.
SNAPSHOT_FIELDS = frozenset({"points", "zero_loss_points", "cases_open", "cases_overdue"})
DECIMAL_FIELDS = frozenset({"score", "max_score"})

# Event action → the figure it counts.
EVENT_FIGURES = {
    "dispatch": "cases_dispatched",
    "redispatch": "cases_dispatched",
    "rectify": "cases_rectified",
    "verify": "cases_closed",
    "close_again": "cases_closed",
    "return_for_rework": "cases_returned",
    "reopen": "cases_reopened",
    # A resident's rating reopens the case when they are not satisfied (`data["reopened"]`); any
    # other rating counts nowhere here (the ratings are counted apart).
    "rate": "cases_reopened",
    "send_back": "cases_wrong_unit",
}
# Events that set the deadline or the unit of a case (a rating that reopens clears the deadline).
CLOCK_ACTIONS = ["dispatch", "redispatch", "reopen", "grant_extension", "resume", "send_back", "rate",
                 "set_deadline"]
UNIT_ACTIONS = {"dispatch", "redispatch", "send_back"}
CLOSED_STATES = {State.CLOSED, State.REJECTED}
# The clock is stopped in these (as in `Case.is_overdue`).
NOT_OVERDUE_STATES = {State.CLOSED, State.REJECTED, State.SUSPENDED, State.RECTIFIED}
RESIDENT_SOURCES = [Source.RESIDENT, Source.HOTLINE]
MAX_DAYS_PER_RUN = 400

Row = dict[str, Any]


def empty_row(fields: Iterable[str] = REGION_FIELDS) -> Row:
    row: Row = {name: (Decimal(0) if name in DECIMAL_FIELDS else 0) for name in fields}
    return row


def _empty_region_row() -> Row:
    row = empty_row()
    row["by_category"] = {}
    row["extra"] = {}
    row["field"] = {}
    return row


# Who checked, as `DailyRollup.field` keys them.
FIELD_KINDS = ("self", "independent")


def add_field(target: dict[str, dict[str, Any]], source: dict[str, dict[str, Any]]) -> None:
    """Add stored field tallies ({kind: {code: [inspections, "deducted"]}}) to `target`, in the
    stored form."""
    for kind, stored in source.items():
        tallies: dict[str, Tally] = {}
        add_tallies(tallies, target.get(kind) or {})
        add_tallies(tallies, stored or {})
        target[kind] = {code: tally.as_json() for code, tally in sorted(tallies.items())}


def _field_of_day(inspections: Any) -> dict[int, dict[str, dict[str, Any]]]:
    """The day's field tallies per grid: every inspection counts once for each assessment item of its
    point's type, and each failed check item with a penalty adds what it costs to the item it falls
    under. Two queries, plus two per catalog version met."""
    rows = list(inspections.order_by().values_list("id", "grid_id", "kind", "version_id", "point__point_type_id"))
    if not rows:
        return {}
    versions: dict[int, ScoringRules] = {}
    for version_id in {r[3] for r in rows}:
        versions[version_id] = scoring_rules(version_id)
    tallies: dict[int, dict[str, dict[str, Tally]]] = defaultdict(lambda: {k: {} for k in FIELD_KINDS})
    of_inspection: dict[int, tuple[dict[str, Tally], ScoringRules, int]] = {}
    for inspection_id, grid_id, kind, version_id, type_id in rows:
        rules = versions[version_id]
        slot = tallies[grid_id]["self" if kind == Inspection.Kind.SELF else "independent"]
        for code in rules.codes_for_type(type_id):
            slot.setdefault(code, Tally()).add(1, 0)
        of_inspection[inspection_id] = (slot, rules, type_id)
    failed = (ItemResult.objects.filter(inspection__in=inspections, result=ItemResult.Result.FAIL,
                                        item__penalty__isnull=False)
              .order_by().values_list("inspection_id", "item__measure", "item__penalty", "item__group_id", "count"))
    for inspection_id, measure, penalty, group_id, count in failed:
        slot, rules, type_id = of_inspection[inspection_id]
        item_code = rules.item_for(type_id, group_id)
        if item_code is not None and item_code in slot:
            slot[item_code].add(0, penalty_of(measure, penalty, count))
    return {grid_id: {kind: {code: t.as_json() for code, t in sorted(by_code.items())}
                      for kind, by_code in kinds.items() if by_code}
            for grid_id, kinds in tallies.items()}


def add_category(target: dict[str, dict[str, int]], source: dict[str, dict[str, int]]) -> None:
    for code, counts in source.items():
        slot = target.setdefault(code, {})
        for key, n in counts.items():
            slot[key] = slot.get(key, 0) + n


def _bump_category(row: Row, code: str | None, key: str, n: int = 1) -> None:
    if code:
        slot = row["by_category"].setdefault(code, {"failed": 0, "opened": 0})
        slot[key] = slot.get(key, 0) + n


@dataclass
class DayFigures:
    """The figures of one street's local day: `regions` by region id (its grids, communities and
    the street), `units` by unit id (counting only this street's cases)."""

    day: dt.date
    street: Region
    regions: dict[int, Row] = field(default_factory=dict)
    units: dict[int, Row] = field(default_factory=dict)


class _CaseClock:
    """Deadline and responsible unit of cases at past moments, read from their clock events only
    where a later event changed what the case row holds now."""

    def __init__(self, case_ids: Iterable[int]) -> None:
        ids = list(set(case_ids))
        self.cases: dict[int, Any] = {}
        self.events: dict[int, list[Any]] = defaultdict(list)
        self.unit_ids: dict[str, int] = {}
        if not ids:
            return
        for chunk in _chunks(ids):
            for case in Case.objects.filter(pk__in=chunk).only("id", "unit_id", "deadline"):
                self.cases[case.pk] = case
            for event in CaseEvent.objects.filter(case_id__in=chunk, action__in=CLOCK_ACTIONS).only(
                    "id", "case_id", "at", "action", "data", "deadline").order_by("at", "id"):
                self.events[event.case_id].append(event)
        codes = {e.data.get("unit") for events in self.events.values() for e in events if e.data.get("unit")}
        self.unit_ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))

    @staticmethod
    def _before(event: Any, moment: dt.datetime, event_id: int | None) -> bool:
        """Before `moment`, or, with `event_id`, not after that event."""
        if event_id is not None:
            return bool((event.at, event.id) <= (moment, event_id))
        return bool(event.at < moment)

    def deadline_at(self, case_id: int, moment: dt.datetime, event_id: int | None = None) -> dt.datetime | None:
        """The deadline in force at `moment` (just after the event `event_id`, when given): the one
        the last clock event before it recorded."""
        case = self.cases[case_id]
        events = self.events.get(case_id, [])
        if all(self._before(e, moment, event_id) for e in events):
            return case.deadline
        deadline: dt.datetime | None = None
        for e in events:
            if not self._before(e, moment, event_id):
                break
            deadline = e.deadline
        return deadline

    def unit_at(self, case_id: int, moment: dt.datetime, event_id: int | None = None) -> int | None:
        case = self.cases[case_id]
        events = [e for e in self.events.get(case_id, []) if e.action in UNIT_ACTIONS]
        if all(self._before(e, moment, event_id) for e in events):
            return case.unit_id
        unit: int | None = None
        for e in events:
            if not self._before(e, moment, event_id):
                break
            unit = None if e.action == "send_back" else self.unit_ids.get(e.data.get("unit") or "")
        return unit


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def compute_day(day: dt.date, street: Region, *, now: dt.datetime | None = None) -> DayFigures:
    """The figures of `day` for every grid, community and the street itself, and for every unit
    with cases in the street. For today (or any day not yet over at `now`) the end-of-day state is
    the state at `now`."""
    now = now or clock.now()
    start, end = clock.day_bounds(day)
    cut = min(end, max(now, start))
    regions = list(Region.objects.filter(path__startswith=street.path).only("id", "parent_id", "level", "path"))
    grids = [r.pk for r in regions if r.level == Region.Level.GRID]
    rows: dict[int, Row] = {r.pk: _empty_region_row() for r in regions}
    units: dict[int, Row] = defaultdict(lambda: empty_row(UNIT_FIELDS))
    result = DayFigures(day=day, street=street)
    grid_filter = Q(grid_id__in=grids)

    # Points: what is active now (points carry no history of being active).
    for p in (Point.objects.filter(grid_filter, active=True).values("grid_id")
              .annotate(n=Count("id"), z=Count("id", filter=Q(zero_loss=True)))):
        rows[p["grid_id"]]["points"] = p["n"]
        rows[p["grid_id"]]["zero_loss_points"] = p["z"]

    # Inspections of the day.
    inspections = Inspection.objects.filter(grid_filter, day=day)
    for i in inspections.values("grid_id").annotate(
            n=Count("id"), pts=Count("point_id", distinct=True), score=Sum("score"), max_score=Sum("max_score"),
            failed_pts=Count("point_id", distinct=True, filter=Q(failed_count__gt=0)),
            zl_failed=Count("point_id", distinct=True, filter=Q(failed_count__gt=0, point__zero_loss=True))):
        row = rows[i["grid_id"]]
        row["inspections"] = i["n"]
        row["points_inspected"] = i["pts"]
        row["score"] = i["score"] or Decimal(0)
        row["max_score"] = i["max_score"] or Decimal(0)
        row["points_failed"] = i["failed_pts"]
        row["zero_loss_failed"] = i["zl_failed"]
    results = ItemResult.objects.filter(inspection__in=inspections).exclude(result=ItemResult.Result.NOT_APPLICABLE)
    for res in results.values("inspection__grid_id").annotate(
            n=Count("id"), failed=Count("id", filter=Q(result=ItemResult.Result.FAIL))):
        rows[res["inspection__grid_id"]]["items_checked"] = res["n"]
        rows[res["inspection__grid_id"]]["items_failed"] = res["failed"]
    for fail in (results.filter(result=ItemResult.Result.FAIL, category__isnull=False)
                 .values("inspection__grid_id", "category__code").annotate(n=Count("id"))):
        _bump_category(rows[fail["inspection__grid_id"]], fail["category__code"], "failed", fail["n"])
    for grid_id, tallied in _field_of_day(inspections).items():
        rows[grid_id]["field"] = tallied

    # The day's plan: visits planned, and made (the point was inspected that day, by anyone).
    inspected = set(inspections.order_by().values_list("point_id", flat=True))
    plan = DailyPlan.objects.filter(street=street, day=day).order_by().first()
    if plan is not None:
        visits = Assignment.objects.filter(plan=plan).order_by().values_list("point_id", "point__grid_id")
        for point_id, grid_id in visits:
            if grid_id in rows:
                rows[grid_id]["visits_planned"] += 1
                rows[grid_id]["visits_done"] += point_id in inspected

    # Cases reported that day. The day's rows are found by time (indexed) and kept by grid here, so
    # the cost follows the day's activity, not the street's history.
    grid_set = set(grids)
    for c in (Case.objects.filter(reported_at__gte=start, reported_at__lt=cut)
              .values("grid_id", "category__code", "source").annotate(n=Count("id"))):
        if c["grid_id"] not in grid_set:
            continue
        row = rows[c["grid_id"]]
        row["cases_opened"] += c["n"]
        if c["source"] in RESIDENT_SOURCES:
            row["cases_from_residents"] += c["n"]
        _bump_category(row, c["category__code"], "opened", c["n"])

    # What happened to cases that day.
    day_events = CaseEvent.objects.filter(at__gte=start, at__lt=cut, action__in=list(EVENT_FIGURES)).order_by()
    events = [e for e in day_events.values("id", "case_id", "case__grid_id", "action", "at", "data")
              if e["case__grid_id"] in grid_set]
    # The cases open at the end of the day: open now, or closed (or rejected) since the day began;
    # reported before it ended.
    states: dict[int, str] = {}
    grid_of: dict[int, int] = {}
    now_held: dict[int, tuple[dt.datetime | None, int | None]] = {}  # the deadline and unit the row holds
    open_now = Case.objects.filter(grid_filter, state__in=[s for s in State.values if s not in CLOSED_STATES])
    # For a recent day the closing time is the selective index; for an old day rebuilt late, the grids.
    recent = now - start < dt.timedelta(days=3)
    closed_since = Case.objects.filter(closed_at__gte=start) if recent else Case.objects.filter(
        grid_filter, closed_at__gte=start)
    for qs in (open_now, closed_since):
        # No default ordering: it would make SQLite walk the reported_at index instead.
        for case_id, state, grid_id, reported_at, held_deadline, held_unit in qs.order_by().values_list(
                "id", "state", "grid_id", "reported_at", "deadline", "unit_id"):
            if reported_at < cut and grid_id in grid_set:
                states[case_id], grid_of[case_id] = state, grid_id
                now_held[case_id] = (held_deadline, held_unit)
    changed: set[int] = set()
    for chunk in _chunks(sorted(states)):
        changed |= set(CaseEvent.objects.filter(case_id__in=chunk, at__gte=cut).order_by()
                       .values_list("case_id", flat=True))
    for chunk in _chunks(sorted(changed)):
        for case_id, to_state in (CaseEvent.objects.filter(case_id__in=chunk, at__lt=cut)
                                  .order_by("case_id", "at", "id").values_list("case_id", "to_state")):
            states[case_id] = to_state  # the last one wins
    open_ids = [cid for cid, state in states.items() if state not in CLOSED_STATES]
    # Only cases changed after the end of the day need their clock replayed.
    clock_of = _CaseClock([e["case_id"] for e in events] + [cid for cid in open_ids if cid in changed])

    for e in events:
        if e["action"] == "rate" and not (e["data"] or {}).get("reopened"):
            continue
        name = EVENT_FIGURES[e["action"]]
        row = rows[e["case__grid_id"]]
        row[name] += 1
        if e["action"] in {"dispatch", "redispatch", "send_back"}:
            unit_id = clock_of.unit_ids.get(e["data"].get("unit") or "")
        else:
            unit_id = clock_of.unit_at(e["case_id"], e["at"], e["id"])
        if unit_id is not None:
            units[unit_id][name] += 1
        if e["action"] == "rectify":
            deadline = clock_of.deadline_at(e["case_id"], e["at"], e["id"])
            if deadline is None or e["at"] <= deadline:
                row["cases_rectified_on_time"] += 1
                if unit_id is not None:
                    units[unit_id]["cases_rectified_on_time"] += 1

    _due_based(rows, units, events, grid_set, start, cut, clock_of)

    for case_id in open_ids:
        row = rows[grid_of[case_id]]
        if case_id in changed:
            unit_id, deadline = clock_of.unit_at(case_id, cut), clock_of.deadline_at(case_id, cut)
        else:
            deadline, unit_id = now_held[case_id]
        overdue = deadline is not None and states[case_id] not in NOT_OVERDUE_STATES and cut > deadline
        row["cases_open"] += 1
        row["cases_overdue"] += overdue
        if unit_id is not None:
            units[unit_id]["cases_open"] += 1
            units[unit_id]["cases_overdue"] += overdue

    # Communities are the sums of their grids, the street the sum of its communities.
    by_level = sorted(regions, key=lambda r: -r.level)
    for region in by_level:
        if region.pk == street.pk or region.parent_id not in rows:
            continue
        parent, child = rows[region.parent_id], rows[region.pk]
        for name in REGION_FIELDS:
            parent[name] += child[name]
        add_category(parent["by_category"], child["by_category"])
        add_field(parent["field"], child["field"])
    # The campaign's other work: each app gives every level its own figures.
    for region_id, figures in extra.day_extra(day, street).items():
        if region_id in rows:
            rows[region_id]["extra"] = figures
    result.regions = rows
    result.units = {k: v for k, v in units.items() if any(v.values())}
    return result


def _due_based(rows: dict[int, Row], units: dict[int, Row], events: Sequence[Any], grid_set: set[int],
               start: dt.datetime, cut: dt.datetime, clock_of: _CaseClock) -> None:
    """The due-based figures of the day (reports.rates) into the grids' and units' rows.

    - cases_due / cases_due_met: the deadlines that fell from the start of the day to its end (or
      now, today), each counted on the deadline's day — met when the case was rectified (or closed)
      by then, however early (`cases.queries.fell_due` says how extensions, reopening and
      suspension count); the unit is the one responsible at the deadline.
    - cases_first_time: closings (verify) of the day with no rework nor reopening before them.
    - ratings_*: residents' ratings given that day (`rate` events, by `data["rating"]`)."""
    fell = fell_due(start, cut, cases=Case.objects.filter(grid_id__in=grid_set))
    grids = dict(Case.objects.filter(pk__in=sorted({f.case_id for f in fell})).values_list("id", "grid_id"))
    codes = {f.unit for f in fell if f.unit} - set(clock_of.unit_ids)
    unit_ids = {**clock_of.unit_ids, **dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))}
    for f in fell:
        row = rows[grids[f.case_id]]
        row["cases_due"] += 1
        row["cases_due_met"] += f.met
        unit_id = unit_ids.get(f.unit or "")
        if unit_id is not None:
            units[unit_id]["cases_due"] += 1
            units[unit_id]["cases_due_met"] += f.met

    closings = [e for e in events if e["action"] == "verify"]
    breakers: dict[int, list[dt.datetime]] = defaultdict(list)
    for chunk in _chunks(sorted({e["case_id"] for e in closings})):
        for case_id, at in CaseEvent.objects.filter(case_id__in=chunk, action__in=FIRST_TIME_BREAKERS,
                                                    at__lt=cut).order_by().values_list("case_id", "at"):
            breakers[case_id].append(at)
    for e in closings:
        if any(at < e["at"] for at in breakers[e["case_id"]]):
            continue
        rows[e["case__grid_id"]]["cases_first_time"] += 1
        unit_id = clock_of.unit_at(e["case_id"], e["at"], e["id"])
        if unit_id is not None:
            units[unit_id]["cases_first_time"] += 1

    ratings = CaseEvent.objects.filter(at__gte=start, at__lt=cut, action="rate").order_by()
    for grid_id, data in ratings.values_list("case__grid_id", "data"):
        name = RATING_FIGURES.get(str((data or {}).get("rating") or ""))
        if grid_id in grid_set and name:
            rows[grid_id][name] += 1


def _store(day: dt.date, figures: list[DayFigures], *, all_units: dict[int, Row] | None) -> int:
    built = clock.now()
    region_ids = [rid for f in figures for rid in f.regions]
    subtrees = Q(pk__in=[])
    for f in figures:
        subtrees |= Q(region__path__startswith=f.street.path)
    DailyRollup.objects.filter(subtrees, day=day).delete()
    DailyRollup.objects.bulk_create([
        DailyRollup(region_id=rid, day=day, built_at=built, **row)
        for f in figures for rid, row in f.regions.items()
    ], batch_size=500)
    count = len(region_ids)
    if all_units is not None:
        UnitRollup.objects.filter(day=day).delete()
        UnitRollup.objects.bulk_create([UnitRollup(unit_id=uid, day=day, built_at=built, **row)
                                        for uid, row in all_units.items()], batch_size=500)
        count += len(all_units)
    return count


def _sum_units(figures: Iterable[DayFigures]) -> dict[int, Row]:
    total: dict[int, Row] = {}
    for f in figures:
        for uid, row in f.units.items():
            target = total.setdefault(uid, empty_row(UNIT_FIELDS))
            for name in UNIT_FIELDS:
                target[name] += row[name]
    return total


def all_streets() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.STREET).order_by("path"))


def build_day(day: dt.date, *, streets: Iterable[Region] | None = None) -> int:
    """Store (replace) the rows of `day` for the given streets (all by default); returns the number of
    rows written. Unit rows are per unit over all streets, so they are rebuilt whatever `streets` says."""
    if day >= clock.today():
        raise ValueError("Only finished days are stored; today is computed live.")
    everything = all_streets()
    chosen = everything if streets is None else list(streets)
    figures = [compute_day(day, street) for street in chosen]
    chosen_ids = {s.pk for s in chosen}
    others = [compute_day(day, s) for s in everything if s.pk not in chosen_ids]
    with transaction.atomic():
        return _store(day, figures, all_units=_sum_units(figures + others))


def rebuild(start: dt.date, end: dt.date, *, street: Region | None = None,
            progress: Callable[[dt.date, int, int], None] | None = None) -> int:
    """Store every finished day from `start` to `end` (inclusive); days from today on are skipped."""
    last = min(end, clock.today() - dt.timedelta(days=1))
    days = [start + dt.timedelta(days=i) for i in range((last - start).days + 1)] if last >= start else []
    written = 0
    for done, day in enumerate(days, start=1):
        written += build_day(day, streets=None if street is None else [street])
        if progress is not None:
            progress(day, done, len(days))
    return written


def first_day_with_data(street: Region) -> dt.date | None:
    """The first local day with an inspection, a plan or a case in the street."""
    candidates: list[dt.date] = []
    first_inspection = Inspection.objects.filter(grid__path__startswith=street.path).aggregate(d=Min("day"))["d"]
    if first_inspection:
        candidates.append(first_inspection)
    first_plan = DailyPlan.objects.filter(street=street).aggregate(d=Min("day"))["d"]
    if first_plan:
        candidates.append(first_plan)
    first_case = Case.objects.filter(grid__path__startswith=street.path).aggregate(m=Min("reported_at"))["m"]
    if first_case:
        candidates.append(clock.local(first_case).date())
    return min(candidates) if candidates else None


def missing_days(street: Region, *, today: dt.date) -> list[dt.date]:
    """The finished days of `street` not stored yet, from the first day with data to yesterday:
    before the first stored day (a single old day rebuilt by hand), gaps between stored days, and
    after the last. Pages read finished days only as stored, so none is left to a request."""
    first_data = first_day_with_data(street)
    if first_data is None or first_data >= today:
        return []
    stored = set(DailyRollup.objects.filter(region=street, day__gte=first_data, day__lt=today)
                 .values_list("day", flat=True))
    days = (first_data + dt.timedelta(days=i) for i in range((today - first_data).days))
    return [d for d in days if d not in stored]


def build_missing_days(now: dt.datetime | None = None, *, limit: int = MAX_DAYS_PER_RUN) -> int:
    """The periodic job: for every street, store each finished day not yet stored, oldest first, at
    most `limit` days per call. Returns the number of days built."""
    today = clock.local(now).date() if now else clock.today()
    wanted: dict[dt.date, list[Region]] = defaultdict(list)
    for street in all_streets():
        for day in missing_days(street, today=today):
            wanted[day].append(street)
    days = sorted(wanted)[:limit]
    for day in days:
        build_day(day, streets=wanted[day])
    return len(days)
