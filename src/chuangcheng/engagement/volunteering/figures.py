"""The day's volunteer figures for the daily rollups (reports): summable numbers per region."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from chuangcheng.core import clock
from chuangcheng.engagement.volunteering.models import OUTCOMES, Action, Attendance
from chuangcheng.engagement.volunteering.queries import ATTENDED
from chuangcheng.org.models import Region

FIGURES = ["volunteer_actions", "volunteer_attendances", "volunteer_hours", "party_member_attendances",
           *[f"outcome_{code}" for code, _label in OUTCOMES]]


def _zeros() -> dict[str, int | float]:
    return {name: (0.0 if name == "volunteer_hours" else 0) for name in FIGURES}


def day_extra(day: dt.date, street: Region) -> dict[int, dict[str, int | float]]:
    """Keyed by region id: the street, each of its communities, and each grid an action sits in.
    Actions held (closed as held) that started on the local date count: `volunteer_actions`,
    `volunteer_attendances` (people who attended), `volunteer_hours`, `party_member_attendances`
    and `outcome_<code>` for each outcome counter. Every number adds up from grid to street."""
    start, end = clock.day_bounds(day)
    result: dict[int, dict[str, int | float]] = defaultdict(_zeros)
    result[street.id] = _zeros()
    for community_id in Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=street.path) \
            .values_list("id", flat=True):
        result[community_id] = _zeros()
    actions = list(Action.objects.filter(status=Action.Status.HELD, starts_at__gte=start, starts_at__lt=end,
                                         community__path__startswith=street.path)
                   .only("id", "community_id", "grid_id", "outcome"))
    attendance: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for action_id, hours, party in (Attendance.objects.filter(ATTENDED, cancelled_at__isnull=True,
                                                              action__in=[a.id for a in actions])
                                    .values_list("action_id", "hours", "person__party_member")):
        attendance[action_id].append((float(hours or 0), bool(party)))
    for action in actions:
        keys = [street.id, action.community_id] + ([action.grid_id] if action.grid_id else [])
        rows = attendance[action.id]
        for key in keys:
            figures = result[key]
            figures["volunteer_actions"] += 1
            figures["volunteer_attendances"] += len(rows)
            figures["volunteer_hours"] = round(float(figures["volunteer_hours"]) + sum(h for h, _p in rows), 2)
            figures["party_member_attendances"] += sum(1 for _h, p in rows if p)
            for code, _label in OUTCOMES:
                figures[f"outcome_{code}"] += int((action.outcome or {}).get(code, 0))
    return dict(result)
