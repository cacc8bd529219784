"""The daily plan (日调度) as a pure function: which points are visited today, by whom, in which
walking order. No database here; `services.plans` reads the street, calls `plan`, writes the rows.

Which points:
- zero-loss points every day; points where a case awaits verification; points whose N-day window
  ends today (never inspected counts as overdue): these are *required*;
- points with priority (open cases, recent failures, resident reports) next;
- then, so that the load is even from day to day rather than everything falling due on the same
  day, the earliest-due other points up to a daily quota: enough that, looking ahead over the
  window, every point can still be seen in time at a steady pace.

Who: grid workers (`grid_ids` set) only in their own grids, street inspectors (`grid_ids` None)
anywhere. The smallest even load level that fits the day's points is found with a bipartite
b-matching (augmenting paths, taken in order of urgency, so when capacity runs short it is the
least urgent that is left over, and the required ones left over are reported, never dropped in
silence). Everybody under that level then takes spare points (earliest due, nearest first), so
nobody walks much more than the others.

Cross-checks (交叉检查): with `cross_checks_per_day` > 0 each community's grid workers are given
that many points of another community, on top of their day. The pairing is a rotation of the
communities that changes every day (community i checks community i + r, r = 1 … n − 1 by the
date), so nobody checks the same neighbour day after day and nobody checks their own; the points
are the target's most due ones (zero-loss points and points awaiting verification are left to
their own community), spread over the checkers in turn.

Walking order: nearest neighbour, then 2-opt, on great-circle distances in metres."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from chuangcheng.core.geo import distance_m

VERIFY = "verify"
ZERO_LOSS = "zero_loss"
DUE = "due"
PRIORITY = "priority"
FILL = "fill"
CROSS = "cross"
# Urgency: the order points claim people in, and what is left over first when capacity runs short.
TIERS = {VERIFY: 0, ZERO_LOSS: 1, DUE: 2, PRIORITY: 3, FILL: 4}
REQUIRED = {VERIFY, ZERO_LOSS, DUE}

Coord = tuple[float, float]


@dataclass(frozen=True)
class PlanPoint:
    id: int
    lon: float
    lat: float
    grid_id: int
    zero_loss: bool = False
    last_inspected: dt.date | None = None
    priority: int = 0  # 0 none; higher = more urgent (open cases, failures, reports)
    verify: bool = False  # a case here awaits verification


@dataclass(frozen=True)
class PlanPerson:
    id: int
    grid_ids: frozenset[int] | None = None  # None: anywhere in the street
    start: Coord | None = None


@dataclass
class DayPlan:
    """`visits`: person id → [(point id, reason)] in walking order. `leftover`: required or
    priority points nobody could take (no one may go there, or everyone is full)."""

    visits: dict[int, list[tuple[int, str]]]
    leftover: list[tuple[int, str]] = field(default_factory=list)
    level: int = 0  # the even load the day was planned at


def plan_day(day: dt.date, points: Sequence[PlanPoint], people: Sequence[PlanPerson], *, every_n_days: int,
             max_per_person: int) -> dict[int, list[tuple[int, str]]]:
    """Person id → [(point id, reason)] in walking order. See `plan` for the leftover too."""
    return plan(day, points, people, every_n_days=every_n_days, max_per_person=max_per_person).visits


def plan(day: dt.date, points: Sequence[PlanPoint], people: Sequence[PlanPerson], *, every_n_days: int,
         max_per_person: int, cross_checks_per_day: int = 0,
         community_of_grid: dict[int, int] | None = None) -> DayPlan:
    n_days = max(1, every_n_days)
    cap = max(0, max_per_person)
    crossing = cross_checks(day, points, people, per_day=cross_checks_per_day,
                            community_of_grid=community_of_grid or {}, every_n_days=n_days)
    crossed = {pid for mine in crossing.values() for pid in mine}
    all_points = points
    points = [p for p in points if p.id not in crossed]
    chosen = choose_points(day, points, every_n_days=n_days)
    by_id = {p.id: p for p in points}
    eligible = {pid: _eligible(by_id[pid], people) for pid, _reason in chosen}

    # The smallest level at which as many points are placed as at full capacity.
    best = _match(chosen, eligible, people, cap)
    level = cap
    for trial in range(1, cap):
        attempt = _match(chosen, eligible, people, trial)
        if len(attempt) == len(best):
            best, level = attempt, trial
            break
    reasons = dict(chosen)
    loads: dict[int, list[int]] = {person.id: [] for person in people}
    for pid, person_id in best.items():
        loads[person_id].append(pid)
    leftover = [(pid, reason) for pid, reason in chosen if pid not in best and reason != FILL]

    _balance(points, people, loads, eligible)
    _fill(day, points, people, loads, reasons, level, n_days)
    for person_id, mine in crossing.items():
        loads[person_id] += mine
        reasons.update((pid, CROSS) for pid in mine)
    by_id = {p.id: p for p in all_points}

    visits: dict[int, list[tuple[int, str]]] = {}
    for person in people:
        mine = loads[person.id]
        if not mine:
            visits[person.id] = []
            continue
        order = route([(by_id[pid].lon, by_id[pid].lat) for pid in mine], person.start)
        visits[person.id] = [(mine[i], reasons[mine[i]]) for i in order]
    return DayPlan(visits=visits, leftover=leftover, level=level if best else 0)


def cross_checks(day: dt.date, points: Sequence[PlanPoint], people: Sequence[PlanPerson], *, per_day: int,
                 community_of_grid: dict[int, int], every_n_days: int) -> dict[int, list[int]]:
    """Person id → the points of another community they cross-check on `day` (see the module's
    note). Only grid workers whose grids all lie in one community check; a community without such
    people neither checks nor, when it has no points, is checked."""
    if per_day <= 0 or not community_of_grid:
        return {}
    checkers: dict[int, list[PlanPerson]] = {}
    for person in people:
        if not person.grid_ids:
            continue
        homes = {community_of_grid.get(g) for g in person.grid_ids}
        if len(homes) == 1 and None not in homes:
            checkers.setdefault(next(iter(homes)), []).append(person)  # type: ignore[arg-type]
    targets: dict[int, list[PlanPoint]] = {}
    for point in points:
        community = community_of_grid.get(point.grid_id)
        if community is not None and not point.verify and not point.zero_loss:
            targets.setdefault(community, []).append(point)
    communities = sorted(set(checkers) | set(targets))
    n = len(communities)
    if n < 2:
        return {}
    shift = 1 + day.toordinal() % (n - 1)  # 1 … n − 1: never the community itself
    found: dict[int, list[int]] = {}
    for index, community in enumerate(communities):
        mine = sorted(checkers.get(community, []), key=lambda p: p.id)
        target = communities[(index + shift) % n]
        if not mine or not targets.get(target):
            continue
        candidates = sorted(targets[target], key=lambda p: (
            deadline(p, day, every_n_days), -p.priority, (p.id * 2654435761 + day.toordinal()) % 4294967296))
        first = day.toordinal() % len(mine)  # which checker starts turns today
        for k, point in enumerate(candidates[:per_day]):
            person = mine[(first + k) % len(mine)]
            found.setdefault(person.id, []).append(point.id)
    return found


def deadline(point: PlanPoint, day: dt.date, every_n_days: int) -> dt.date:
    """The last day the point may be visited without going more than N days unseen."""
    if point.zero_loss or point.last_inspected is None:
        return day
    return point.last_inspected + dt.timedelta(days=every_n_days)


def choose_points(day: dt.date, points: Sequence[PlanPoint], *, every_n_days: int) -> list[tuple[int, str]]:
    """The day's points with their reason, most urgent first."""
    reason_of: dict[int, str] = {}
    for point in points:
        if point.verify:
            reason_of[point.id] = VERIFY
        elif point.zero_loss:
            reason_of[point.id] = ZERO_LOSS
        elif deadline(point, day, every_n_days) <= day:
            reason_of[point.id] = DUE
        elif point.priority > 0:
            reason_of[point.id] = PRIORITY
    # Spread the others: at least 1/N of them a day, and enough that whatever falls due within
    # the next k days can still be seen at this pace.
    others = [p for p in points if not p.zero_loss]
    quota = math.ceil(len(others) / every_n_days) if others else 0
    for k in range(every_n_days):
        horizon = day + dt.timedelta(days=k)
        due_by = sum(1 for p in others if deadline(p, day, every_n_days) <= horizon)
        quota = max(quota, math.ceil(due_by / (k + 1)))
    taken = sum(1 for p in others if p.id in reason_of)
    spare = sorted((p for p in others if p.id not in reason_of),
                   key=lambda p: (deadline(p, day, every_n_days), -p.priority, p.id))
    for point in spare[: max(0, quota - taken)]:
        reason_of[point.id] = FILL
    by_id = {p.id: p for p in points}
    return sorted(reason_of.items(), key=lambda item: (
        TIERS[item[1]], -by_id[item[0]].priority, deadline(by_id[item[0]], day, every_n_days), item[0]))


def _eligible(point: PlanPoint, people: Sequence[PlanPerson]) -> list[int]:
    """Grid workers of the point's grid first (they are there anyway), then street inspectors."""
    local = [p.id for p in people if p.grid_ids is not None and point.grid_id in p.grid_ids]
    anywhere = [p.id for p in people if p.grid_ids is None]
    return local + anywhere


def _match(chosen: Sequence[tuple[int, str]], eligible: dict[int, list[int]], people: Sequence[PlanPerson],
           level: int) -> dict[int, int]:
    """Point id → person id, at most `level` points a person. Points are taken in order and an
    augmenting path never unplaces one already placed, so the urgent ones are placed first."""
    holding: dict[int, list[int]] = {person.id: [] for person in people}
    owner: dict[int, int] = {}
    if level <= 0:
        return owner

    def augment(pid: int, seen: set[int], current: int | None = None) -> bool:
        """Place `pid` with someone other than `current`, moving others along if need be."""
        for person_id in eligible[pid]:
            if person_id == current or person_id in seen:
                continue
            seen.add(person_id)
            held = holding[person_id]
            # Full: can one of theirs go to someone else instead?
            if len(held) >= level and not any(augment(other, seen, person_id) for other in list(held)):
                continue
            held.append(pid)
            owner[pid] = person_id
            if current is not None:
                holding[current].remove(pid)
            return True
        return False

    for pid, _reason in chosen:
        augment(pid, set())
    return owner


def _balance(points: Sequence[PlanPoint], people: Sequence[PlanPerson], loads: dict[int, list[int]],
             eligible: dict[int, list[int]]) -> None:
    """Even out: while someone has two more than someone else who may take one of their points,
    hand over the point nearest to what the other already has."""
    by_id = {p.id: p for p in points}
    for _round in range(sum(len(v) for v in loads.values()) * 2):
        moved = False
        light = sorted(people, key=lambda p: len(loads[p.id]))
        heavy = sorted(people, key=lambda p: -len(loads[p.id]))
        for taker in light:
            for giver in heavy:
                if len(loads[giver.id]) - len(loads[taker.id]) < 2:
                    break
                movable = [pid for pid in loads[giver.id] if taker.id in eligible[pid]]
                if not movable:
                    continue
                anchor = _centre([(by_id[pid].lon, by_id[pid].lat) for pid in loads[taker.id]]) or taker.start
                pick = min(movable, key=lambda pid: (
                    distance_m(anchor[0], anchor[1], by_id[pid].lon, by_id[pid].lat) if anchor else 0.0, pid))
                loads[giver.id].remove(pick)
                loads[taker.id].append(pick)
                moved = True
                break
            if moved:
                break
        if not moved:
            return


def _fill(day: dt.date, points: Sequence[PlanPoint], people: Sequence[PlanPerson], loads: dict[int, list[int]],
          reasons: dict[int, str], level: int, every_n_days: int) -> None:
    """Bring everybody under `level` up to it with spare points they may visit: earliest due
    first, and among those the nearest to what they already have. Grid workers choose first
    (they have fewer points to choose from)."""
    by_id = {p.id: p for p in points}
    placed = {pid for mine in loads.values() for pid in mine}
    ordered = sorted(people, key=lambda p: (p.grid_ids is None, p.id))
    for person in ordered:
        mine = loads[person.id]
        while len(mine) < level:
            candidates = [p for p in points if p.id not in placed
                          and (person.grid_ids is None or p.grid_id in person.grid_ids)]
            if not candidates:
                break
            anchor = _centre([(by_id[pid].lon, by_id[pid].lat) for pid in mine]) or person.start
            first_due = min(deadline(p, day, every_n_days) for p in candidates)
            soonest = [p for p in candidates if deadline(p, day, every_n_days) == first_due]
            pick = min(soonest, key=lambda p: (
                distance_m(anchor[0], anchor[1], p.lon, p.lat) if anchor else 0.0, -p.priority, p.id))
            mine.append(pick.id)
            placed.add(pick.id)
            reasons[pick.id] = PRIORITY if pick.priority > 0 else FILL


def _centre(coords: Sequence[Coord]) -> Coord | None:
    if not coords:
        return None
    return (sum(c[0] for c in coords) / len(coords), sum(c[1] for c in coords) / len(coords))


# -- walking order -------------------------------------------------------------------------------

def _dist(a: Coord, b: Coord) -> float:
    return distance_m(a[0], a[1], b[0], b[1])


def route_length_m(points: Sequence[Coord], order: Sequence[int], start: Coord | None = None) -> float:
    """Metres walked visiting `points` in `order` (from `start` when given)."""
    stops = [points[i] for i in order]
    if start is not None and stops:
        stops = [start, *stops]
    return sum(_dist(a, b) for a, b in zip(stops, stops[1:], strict=False))


def route(points: Sequence[Coord], start: Coord | None = None) -> list[int]:
    """A short open walk through `points` (indices in visiting order): nearest neighbour from
    `start` (or from whichever point gives the shortest walk), then 2-opt until nothing improves."""
    n = len(points)
    if n <= 1:
        return list(range(n))
    dist = [[_dist(a, b) for b in points] for a in points]
    from_start = [_dist(start, p) for p in points] if start is not None else None

    def length(order: list[int]) -> float:
        total = from_start[order[0]] if from_start is not None else 0.0
        return total + sum(dist[a][b] for a, b in zip(order, order[1:], strict=False))

    def nearest_from(first: int) -> list[int]:
        order, left = [first], set(range(n)) - {first}
        while left:
            here = order[-1]
            nxt = min(left, key=lambda j: (dist[here][j], j))
            order.append(nxt)
            left.remove(nxt)
        return order

    if from_start is not None:
        best = nearest_from(min(range(n), key=lambda j: (from_start[j], j)))
    else:
        best = min((nearest_from(i) for i in range(n)), key=length)
    return _two_opt(best, dist, from_start)


def _two_opt(order: list[int], dist: list[list[float]], from_start: list[float] | None) -> list[int]:
    """Reverse order[i..j] while that shortens the walk. The walk is open: the edge into i is
    from the previous stop (or the start, or nothing), the edge out of j to the next (or nothing)."""
    n = len(order)

    def edge_in(i: int, node: int) -> float:
        if i > 0:
            return dist[order[i - 1]][node]
        return from_start[node] if from_start is not None else 0.0

    def edge_out(j: int, node: int) -> float:
        return dist[node][order[j + 1]] if j + 1 < n else 0.0

    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for j in range(i + 1, n):
                before = edge_in(i, order[i]) + edge_out(j, order[j])
                after = edge_in(i, order[j]) + edge_out(j, order[i])
                if after < before - 1e-6:
                    order[i:j + 1] = reversed(order[i:j + 1])
                    improved = True
    return order
