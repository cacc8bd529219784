"""Reads of cases, already scoped: staff see the cases of their region; a unit's handlers see
their unit's cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from chuangcheng.cases.models import Case, CaseEvent, Category, State
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
    "closed": ("verify",),
    "returned": ("return_for_rework",),
    "reopened": ("reopen",),
    "sent_back": ("send_back",),
}


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
    if flt.unit:
        qs = qs.filter(unit__code=flt.unit)
    if flt.region:
        region = Region.objects.filter(code=flt.region).only("path").first()
        qs = qs.filter(grid__path__startswith=region.path) if region else qs.none()
    if flt.source:
        qs = qs.filter(source=flt.source)
    if flt.point:
        qs = qs.filter(point__code=flt.point)
    start, end = _period(flt)
    if flt.did:
        events = CaseEvent.objects.filter(action__in=EVENT_FILTERS[flt.did])
        events = events.filter(at__gte=start) if start else events
        events = events.filter(at__lt=end) if end else events
        qs = qs.filter(id__in=events.values("case_id"))
    else:
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


def overdue_q(now: dt.datetime) -> Q:
    """Past the deadline with the clock running (the same rule as `Case.is_overdue`)."""
    return Q(state__in=RUNNING_STATES, deadline__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    return Q(state__in=RUNNING_STATES, warn_at__lte=now, deadline__gte=now)


def counts_by_state(qs: QuerySet[Case]) -> dict[str, int]:
    return {row["state"]: row["n"] for row in qs.order_by().values("state").annotate(n=Count("id"))}


def case_counts(user: Any, now: dt.datetime) -> dict[str, int]:
    """The user's cases per state, plus "open", "overdue" and "due_soon": the cards of the home
    page and the case list."""
    visible = cases_visible_to(user)
    by_state = counts_by_state(visible)
    return {
        **by_state,
        "open": sum(by_state.get(state, 0) for state in OPEN_STATES),
        "overdue": visible.filter(overdue_q(now)).count(),
        "due_soon": visible.filter(due_soon_q(now)).count(),
    }


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("photos").order_by("at", "id")
