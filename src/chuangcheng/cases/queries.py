"""Reads of cases, already scoped: staff see the cases of their region; a unit's handlers see
their unit's cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chuangcheng.cases.models import Case, CaseEvent, Category, Rating, Source, State
from chuangcheng.core import clock
from chuangcheng.core.periods import Period, parse_period
from chuangcheng.org.models import Region, Role
from chuangcheng.org.queries import scope_of


def cases_visible_to(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    qs = Case.objects.select_related("category", "category__parent", "grid", "grid__parent", "point", "unit")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    in_region = Q(grid__path__startswith=scope.path)
    if user.role == Role.UNIT_HANDLER:
        person = getattr(user, "person", None)
        unit_id = person.unit_id if person is not None else None
        return qs.filter(in_region, unit_id=unit_id) if unit_id else qs.none()
    if user.role == Role.VOLUNTEER:
        return qs.filter(in_region, reported_by=user)
    return qs.filter(in_region)


def case_for(user: Any, number: str) -> Case | None:
    return cases_visible_to(user).filter(number=number).first()


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent")


OPEN_STATES = [State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.RECTIFYING, State.RECTIFIED, State.SUSPENDED]
RUNNING_STATES = [State.DISPATCHED, State.RECTIFYING]


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to: from a page's query string or an API call alike."""

    q: str = ""
    state: str = ""  # a State value, or "open"
    category: str = ""  # a leaf or group code
    unit: str = ""  # unit code
    region: str = ""  # community or grid code
    source: str = ""
    overdue: bool = False
    due_soon: bool = False
    mine: bool = False  # handled by me, or my unit's cases for a unit handler
    point: str = ""  # point code
    # A period of local dates (ISO, inclusive): when the case was reported, or, with `did`, when
    # it was dispatched / rectified / closed ... — the lists behind the daily figures.
    since: str = ""
    until: str = ""
    did: str = ""  # a key of EVENT_FILTERS
    # The lists behind the due-based rates (reports.rates): "due" the cases whose deadline fell in
    # the period or that were open and overdue at its start, "met" those rectified by the deadline
    # that fell, "missed" the others (see `due_in_period`).
    due: str = ""
    first_time: bool = False  # with did=closed: closed without rework or reopening before
    rating: str = ""  # with did=rated: the rating given (a Rating value, or "positive": satisfied or basic)

    @classmethod
    def from_params(cls, params: Any, *, period: Period | None = None) -> CaseFilter:
        """The filter of a query string, for `period` (already read by the page's period form) or
        the query string's `since`/`until`: ValidationError for a bad date or a reversed period."""
        period = period or parse_period(params)

        def flag(name: str) -> bool:
            return params.get(name, "") in {"1", "true", "on"}

        return cls(
            q=params.get("q", "").strip()[:100], state=params.get("state", "")[:20],
            category=params.get("category", "")[:40], unit=params.get("unit", "")[:40],
            region=params.get("region", "")[:40], source=params.get("source", "")[:20],
            overdue=flag("overdue"), due_soon=flag("due_soon"), mine=flag("mine"),
            point=params.get("point", "")[:40],
            since=period.since.isoformat() if period.since else "",
            until=period.until.isoformat() if period.until else "",
            did=params.get("did", "") if params.get("did", "") in EVENT_FILTERS else "",
            due=params.get("due", "") if params.get("due", "") in DUE_FILTERS else "",
            first_time=flag("first_time"),
            rating=params.get("rating", "") if params.get("rating", "") in RATING_FILTERS else "",
        )

    def is_empty(self) -> bool:
        return self == CaseFilter()

    def query_string(self) -> str:
        """The filter as a page's query string (only what is set)."""
        from urllib.parse import urlencode

        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return urlencode([(name, "1" if value is True else value) for name, value in values.items() if value])


# What a case did in the period (`did`), as the event actions the daily figures count.
EVENT_FILTERS: dict[str, tuple[str, ...]] = {
    "dispatched": ("dispatch", "redispatch"),
    "rectified": ("rectify",),
    "closed": ("verify", "close_again"),
    "returned": ("return_for_rework",),
    "reopened": ("reopen",),
    "sent_back": ("send_back",),
    "rated": ("rate",),
}
DUE_FILTERS = ("due", "met", "missed")
RATING_FILTERS = (*Rating.values, "positive")
# `source=public`: what residents reported, themselves or through the hotline (监督举报率).
PUBLIC_SOURCES = [Source.RESIDENT, Source.HOTLINE]


def _period(flt: CaseFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The filter's dates as moments: from the start of `since` to the end of `until`, local time."""
    start = clock.start_of(dt.date.fromisoformat(flt.since)) if flt.since else None
    end = clock.start_of(dt.date.fromisoformat(flt.until) + dt.timedelta(days=1)) if flt.until else None
    return start, end


def filter_cases(user: Any, flt: CaseFilter, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The user's cases narrowed by `flt`; unknown codes give an empty list, never an error."""
    now = now or clock.now()
    qs = cases_visible_to(user)
    if flt.q:
        qs = qs.filter(Q(number__icontains=flt.q) | Q(description__icontains=flt.q) | Q(address__icontains=flt.q)
                       | Q(point__name__icontains=flt.q))
    if flt.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif flt.state:
        qs = qs.filter(state=flt.state)
    if flt.category:
        qs = qs.filter(Q(category__code=flt.category) | Q(category__parent__code=flt.category))
    if flt.unit == NO_UNIT:
        qs = qs.filter(unit__isnull=True)
    elif flt.unit:
        qs = qs.filter(unit__code=flt.unit)
    if flt.region:
        region = Region.objects.filter(code=flt.region).only("path").first()
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    if flt.source == "public":
        qs = qs.filter(source__in=PUBLIC_SOURCES)
    elif flt.source:
        qs = qs.filter(source=flt.source)
    if flt.point:
        qs = qs.filter(point__code=flt.point)
    start, end = _period(flt)
    if flt.due:
        # Deadlines that have not come yet have not fallen.
        due = due_in_period(start, min(end, now) if end else now, cases=qs)
        wanted = {"due": due.due, "met": due.met, "missed": due.missed}[flt.due]
        qs = qs.filter(id__in=sorted(wanted))
    if flt.did:
        events = CaseEvent.objects.filter(action__in=EVENT_FILTERS[flt.did])
        if flt.did == "reopened":  # by staff, or by a resident's rating of 不满意
            events = CaseEvent.objects.filter(Q(action="reopen") | Q(action="rate", data__reopened=True))
        events = events.filter(at__gte=start) if start else events
        events = events.filter(at__lt=end) if end else events
        if flt.did == "rated" and flt.rating == "positive":
            events = events.filter(data__rating__in=[Rating.SATISFIED, Rating.BASIC])
        elif flt.did == "rated" and flt.rating:
            events = events.filter(data__rating=flt.rating)
        if flt.did == "closed" and flt.first_time:
            # Closed at the first attempt: no rework nor reopening before that closing.
            earlier = CaseEvent.objects.filter(case_id=OuterRef("case_id"), at__lt=OuterRef("at"),
                                               action__in=FIRST_TIME_BREAKERS)
            events = events.filter(~Exists(earlier))
        qs = qs.filter(id__in=events.values("case_id"))
    elif not flt.due:
        qs = qs.filter(reported_at__gte=start) if start else qs
        qs = qs.filter(reported_at__lt=end) if end else qs
    if flt.overdue:
        qs = qs.filter(overdue_q(now))
    if flt.due_soon:
        qs = qs.filter(due_soon_q(now))
    if flt.mine:
        person = getattr(user, "person", None)
        if user.role == Role.UNIT_HANDLER and person is not None and person.unit_id:
            qs = qs.filter(unit_id=person.unit_id, state__in=OPEN_STATES)
        else:
            qs = qs.filter(Q(handler=user) | Q(reported_by=user))
    return qs


# The unit filter's value for cases no unit holds (not dispatched yet, or sent back).
NO_UNIT = "-"


def overdue_q(now: dt.datetime) -> Q:
    """Past the deadline with the clock running (the same rule as `Case.is_overdue`)."""
    return Q(state__in=RUNNING_STATES, deadline__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    return Q(state__in=RUNNING_STATES, warn_at__lte=now, deadline__gte=now)


def counts_by_state(qs: QuerySet[Case]) -> dict[str, int]:
    return {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}


def case_counts(user: Any, now: dt.datetime) -> dict[str, int]:
    """The user's open cases per state, plus "open", "overdue" and "due_soon": the cards of the home
    page and the case list. Closed and rejected cases are not counted: no card shows them, and they
    are nearly all of a year's cases (the open ones are found through the grid-and-state index)."""
    rows = list(cases_visible_to(user).filter(state__in=OPEN_STATES).order_by().values("state").annotate(
        n=Count("id"), overdue=Count("id", filter=overdue_q(now)), due_soon=Count("id", filter=due_soon_q(now))))
    by_state = {row["state"]: row["n"] for row in rows}  # one query, grouped by state
    return {
        **by_state,
        "open": sum(by_state.get(state, 0) for state in OPEN_STATES),
        "overdue": sum(row["overdue"] for row in rows),
        "due_soon": sum(row["due_soon"] for row in rows),
    }


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("photos").order_by("at", "id")


# --- deadlines that fell (按期处置率) ---------------------------------------------------------------

# Events that set the deadline (send-back clears it) and those that give the case its unit.
# (set_deadline: a stricter deadline from above, services.hold_to_deadline.)
CLOCK_ACTIONS = ("dispatch", "redispatch", "reopen", "grant_extension", "resume", "send_back", "rate",
                 "set_deadline")
UNIT_ACTIONS = ("dispatch", "redispatch", "send_back")
# A case closed after one of these was not done at the first attempt (一次完成率).
# (A rating can only precede a later closing by reopening the case: a satisfied one stays closed.)
FIRST_TIME_BREAKERS = ("return_for_rework", "reopen", "rate")
# A deadline that falls while the case is in one of these was met; in a running state, missed.
# (Suspended: the clock is stopped and resuming sets a new deadline; rejected: nothing was due.)
MET_STATES = {State.RECTIFIED, State.CLOSED}


@dataclass(frozen=True)
class FellDue:
    """A deadline that fell: the case, the moment, whether the case was rectified (or closed) by
    then, and the unit responsible at that moment (its code, or None)."""

    case_id: int
    deadline: dt.datetime
    met: bool
    unit: str | None


@dataclass
class DueCases:
    """The case ids behind 按期处置率 over a period: `due` = fell due in it or carried in overdue,
    `met` = a deadline that fell in it was met, `missed` = due and not met."""

    due: set[int]
    met: set[int]
    missed: set[int]


def _replay(cases: dict[int, Any], events: dict[int, list[Any]], case_id: int, moment: dt.datetime,
            *, inclusive: bool) -> tuple[dt.datetime | None, str, str | None]:
    """The deadline in force, the state and the unit code of a case at `moment`.

    The deadline is the one the last clock event before `moment` set, or the case row's own when
    no clock event came at or after it (as the daily rollups read it). The state and the unit are
    those after the last event before `moment` (or at it, when `inclusive`)."""
    case = cases[case_id]
    case_events = events.get(case_id, [])
    clocks = [e for e in case_events if e.action in CLOCK_ACTIONS]
    if all(e.at < moment for e in clocks):
        deadline = case.deadline
    else:
        deadline = None
        for e in clocks:
            if e.at >= moment:
                break
            deadline = e.deadline
    state, unit, has_unit_event = "", None, False
    for e in case_events:
        if e.at > moment or (e.at == moment and not inclusive):
            break
        if e.to_state:
            state = e.to_state
        if e.action in UNIT_ACTIONS:
            has_unit_event = True
            unit = None if e.action == "send_back" else (e.data or {}).get("unit")
    if not has_unit_event:
        unit = case.unit.code if case.unit_id and case.unit else None
    return deadline, state, unit


def _load(case_ids: Iterable[int]) -> tuple[dict[int, Any], dict[int, list[Any]]]:
    ids = sorted(set(case_ids))
    cases: dict[int, Any] = {}
    events: dict[int, list[Any]] = defaultdict(list)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for case in Case.objects.filter(pk__in=chunk).select_related("unit").only(
                "id", "deadline", "unit_id", "unit__code", "grid_id"):
            cases[case.pk] = case
        for event in (CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "at", "id")
                      .only("id", "case_id", "at", "action", "to_state", "deadline", "data")):
            events[event.case_id].append(event)
    return cases, events


def fell_due(start: dt.datetime | None, end: dt.datetime, *, cases: QuerySet[Case] | None = None) -> list[FellDue]:
    """Every deadline that fell from `start` to `end` (`start` included, `end` not) for the cases of
    `cases` (all by default), one row per (case, deadline), in the order they fell.

    A deadline D falls when it is still the one in force at D: an extension granted (or a
    redispatch made) before D replaced it, so only the new deadline falls; one granted after D
    leaves D fallen (missed) and the new one falls again later. A reopened case gets a new deadline
    and falls due again: each fallen deadline is counted on its own day. At D the case must be in
    the unit's hands (dispatched, being rectified) or already rectified or closed: rectified (or
    closed) by D is met, however early — a case rectified the day before its deadline counts on the
    deadline's day. A case suspended or sent back at D has no running clock: nothing falls."""
    base = cases if cases is not None else Case.objects.all()
    window = Q(deadline__lt=end) & (Q(deadline__gte=start) if start else Q())
    ids = set(base.filter(window).order_by().values_list("id", flat=True))
    from_events = set(CaseEvent.objects.filter(window).order_by().values_list("case_id", flat=True))
    if from_events:
        ids |= set(base.filter(id__in=sorted(from_events)).order_by().values_list("id", flat=True))
    rows, events = _load(ids)
    out: list[FellDue] = []
    for case_id, case in rows.items():
        candidates = {e.deadline for e in events.get(case_id, []) if e.action in CLOCK_ACTIONS and e.deadline}
        if case.deadline:
            candidates.add(case.deadline)
        for deadline in sorted(candidates):
            if deadline >= end or (start and deadline < start):
                continue
            in_force, _state, _unit = _replay(rows, events, case_id, deadline, inclusive=False)
            if in_force != deadline:
                continue
            _deadline, state, unit = _replay(rows, events, case_id, deadline, inclusive=True)
            if state in MET_STATES:
                out.append(FellDue(case_id, deadline, True, unit))
            elif state in {State.DISPATCHED, State.RECTIFYING}:
                out.append(FellDue(case_id, deadline, False, unit))
    out.sort(key=lambda f: (f.deadline, f.case_id))
    return out


def overdue_at(moment: dt.datetime, *, cases: QuerySet[Case] | None = None) -> dict[int, str | None]:
    """The cases open and overdue at `moment` (a running clock past its deadline, as
    `Case.is_overdue`), with the unit responsible then: the overdue cases a period starting at
    `moment` carries in. Only cases open now or closed since `moment` can have been open then."""
    base = cases if cases is not None else Case.objects.all()
    candidates = base.filter(Q(state__in=OPEN_STATES) | Q(closed_at__gte=moment), reported_at__lt=moment)
    rows, events = _load(candidates.order_by().values_list("id", flat=True))
    out: dict[int, str | None] = {}
    for case_id in rows:
        deadline, state, unit = _replay(rows, events, case_id, moment, inclusive=False)
        if deadline is not None and state in RUNNING_STATES and deadline < moment:
            out[case_id] = unit
    return out


def due_in_period(start: dt.datetime | None, end: dt.datetime, *, cases: QuerySet[Case] | None = None) -> DueCases:
    """The cases behind 按期处置率 from `start` to `end`: due = a deadline fell in the period, or the
    case was open and overdue at its start (carried in: it counts against the period, not met);
    met = a deadline that fell in the period was met; missed = one that fell was missed, or carried
    in. The rates count deadlines, the lists cases: a case that falls due twice in a period (met,
    reopened, due again) is one row of the list and two of the count."""
    fell = fell_due(start, end, cases=cases)
    carried = set(overdue_at(start, cases=cases)) if start else set()
    return DueCases(due={f.case_id for f in fell} | carried, met={f.case_id for f in fell if f.met},
                    missed={f.case_id for f in fell if not f.met} | carried)
