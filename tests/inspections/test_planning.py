"""The planner (pure) on small made-up streets, then on the demo subdistrict: a simulated month
of plans, and walking orders against the input order."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.inspections.planning import PlanPerson, PlanPoint, plan, plan_day, route, route_length_m
from chuangcheng.inspections.services.plans import plan_people, plan_points, rules_for
from chuangcheng.org.models import Region

DAY = dt.date(2026, 6, 1)


def points_in(grid: int, n: int, *, first_id: int = 1, seed: int = 1, **kw: Any) -> list[PlanPoint]:
    rng = random.Random(seed * 1000 + grid)
    return [PlanPoint(id=first_id + i, lon=111.65 + grid * 0.01 + rng.random() * 0.008,
                      lat=40.82 + rng.random() * 0.008, grid_id=grid, **kw) for i in range(n)]


def visited(result: dict[int, list[tuple[int, str]]]) -> dict[int, str]:
    return {pid: reason for visits in result.values() for pid, reason in visits}


def loads(result: dict[int, list[tuple[int, str]]]) -> list[int]:
    return [len(visits) for visits in result.values()]


# -- which points --------------------------------------------------------------------------------

def test_zero_loss_points_are_planned_every_day_even_when_inspected_yesterday() -> None:
    yesterday = DAY - dt.timedelta(days=1)
    points = [*points_in(1, 3, zero_loss=True, last_inspected=yesterday),
              *points_in(1, 6, first_id=10, last_inspected=yesterday)]
    for offset in range(5):
        result = plan_day(DAY + dt.timedelta(days=offset), points, [PlanPerson(1)], every_n_days=3,
                          max_per_person=12)
        chosen = visited(result)
        assert {1, 2, 3} <= set(chosen)
        assert all(chosen[pid] == "zero_loss" for pid in (1, 2, 3))


def test_a_point_at_the_end_of_its_window_is_due_and_the_others_are_spread_over_the_window() -> None:
    # Twelve points all inspected on the same day: a lump that the planner must spread out.
    last = DAY - dt.timedelta(days=1)
    points = points_in(1, 12, last_inspected=last)
    people = [PlanPerson(1), PlanPerson(2)]
    seen: dict[int, dt.date] = {p.id: last for p in points}
    daily = []
    for offset in range(12):
        day = DAY + dt.timedelta(days=offset)
        current = [replace(p, last_inspected=seen[p.id]) for p in points]
        result = plan_day(day, current, people, every_n_days=3, max_per_person=12)
        daily.append(len(visited(result)))
        for pid in visited(result):
            seen[pid] = day
        assert all((day - seen[pid]).days <= 2 for pid in seen), "a point went more than 3 days unseen"
    # After the first window the load is even: 12 points every 3 days is 4 a day.
    assert daily[3:] == [4] * 9


def test_a_point_never_inspected_is_due_today() -> None:
    points = [*points_in(1, 2, last_inspected=DAY - dt.timedelta(days=1)), *points_in(1, 1, first_id=5)]
    assert visited(plan_day(DAY, points, [PlanPerson(1)], every_n_days=3, max_per_person=12))[5] == "due"


def test_priority_and_verification_points_come_first_and_displace_the_rest_when_capacity_is_short() -> None:
    fresh = DAY - dt.timedelta(days=1)
    points = [
        *points_in(1, 6, last_inspected=fresh),  # not due
        PlanPoint(20, 111.66, 40.821, 1, last_inspected=fresh, priority=3),
        PlanPoint(21, 111.66, 40.822, 1, last_inspected=fresh, verify=True),
    ]
    result = plan(DAY, points, [PlanPerson(1)], every_n_days=3, max_per_person=2)
    chosen = visited(result.visits)
    assert chosen == {21: "verify", 20: "priority"}
    assert result.leftover == []  # the not-yet-due ones are not owed today


def test_grid_workers_stay_in_their_grids_and_inspectors_take_the_rest() -> None:
    points = [*points_in(1, 6), *points_in(2, 6, first_id=10), *points_in(3, 6, first_id=20)]  # grid 3: no worker
    people = [PlanPerson(101, frozenset({1})), PlanPerson(102, frozenset({2})), PlanPerson(201), PlanPerson(202)]
    result = plan_day(DAY, points, people, every_n_days=3, max_per_person=12)
    grid_of = {p.id: p.grid_id for p in points}
    assert {grid_of[pid] for pid, _r in result[101]} == {1}
    assert {grid_of[pid] for pid, _r in result[102]} == {2}
    assert len(visited(result)) == 18  # all never inspected: all due
    inspector_points = [pid for pid, _r in result[201] + result[202]]
    assert {pid for pid in inspector_points if grid_of[pid] == 3} == {p.id for p in points if p.grid_id == 3}
    assert max(loads(result)) - min(loads(result)) <= 1  # 18 points, 4 people: 4 or 5 each


def test_required_points_over_capacity_are_reported_as_leftover_not_dropped() -> None:
    points = [*points_in(1, 5, zero_loss=True), *points_in(2, 4, first_id=10, zero_loss=True)]
    people = [PlanPerson(101, frozenset({1}))]  # nobody may go to grid 2; grid 1 has one more than fits
    result = plan(DAY, points, people, every_n_days=3, max_per_person=4)
    assert len(result.visits[101]) == 4
    left = dict(result.leftover)
    assert len(left) == 5 and set(left.values()) == {"zero_loss"}
    assert {10, 11, 12, 13} <= set(left)


def test_an_even_load_within_a_quarter_of_the_mean() -> None:
    points = [*points_in(1, 9), *points_in(2, 4, first_id=20), *points_in(3, 8, first_id=30)]
    people = [PlanPerson(101, frozenset({1})), PlanPerson(102, frozenset({2})), PlanPerson(103, frozenset({3})),
              PlanPerson(201), PlanPerson(202)]
    result = plan_day(DAY, points, people, every_n_days=3, max_per_person=12)
    per_person = loads(result)
    assert sum(per_person) == 21
    assert max(per_person) <= 1.25 * (sum(per_person) / len(per_person))


# -- walking order -------------------------------------------------------------------------------

def test_the_route_of_points_on_a_line_walks_the_line() -> None:
    coords = [(111.650 + 0.001 * i, 40.82) for i in (3, 0, 5, 1, 4, 2)]
    order = route(coords)
    assert [coords[i][0] for i in order] in (sorted(c[0] for c in coords), sorted((c[0] for c in coords),
                                                                                 reverse=True))
    assert route_length_m(coords, order) < route_length_m(coords, range(len(coords))) / 2
    # From a start at the east end the walk goes west.
    from_east = route(coords, start=(111.660, 40.82))
    assert coords[from_east[0]][0] == max(c[0] for c in coords)


def test_the_route_is_never_longer_than_nearest_neighbour_and_visits_every_point_once() -> None:
    rng = random.Random(5)
    for _ in range(20):
        coords = [(111.6 + rng.random() * 0.03, 40.8 + rng.random() * 0.03) for _ in range(rng.randint(2, 14))]
        order = route(coords)
        assert sorted(order) == list(range(len(coords)))
        assert route_length_m(coords, order) <= route_length_m(coords, range(len(coords))) + 1e-6


# -- the demo subdistrict ------------------------------------------------------------------------

@pytest.fixture
def demo_street(demo: Any, db: None) -> Any:
    from chuangcheng.demo.plan import STREET_CODE

    street = Region.objects.get(code=STREET_CODE)
    day = clock.today()
    points, _rows = plan_points(street, day)
    people, _users = plan_people(street)
    rules = rules_for(street)
    return street, day, points, people, rules


def test_a_simulated_month_of_demo_plans_covers_every_point_in_time_with_a_fair_load(
        demo_street: Any, db: None) -> None:
    _street, start, points, people, rules = demo_street
    n_days = rules.every_n_days
    assert len(points) >= 100 and len(people) >= 20
    last = {p.id: p.last_inspected for p in points}
    verify = {p.id for p in points if p.verify}
    zero_loss = {p.id for p in points if p.zero_loss}
    month: Counter[int] = Counter()
    worst_daily = 0.0
    for offset in range(30):
        day = start + dt.timedelta(days=offset)
        current = [replace(p, last_inspected=last[p.id], verify=p.id in verify) for p in points]
        result = plan(day, current, people, every_n_days=n_days, max_per_person=rules.max_points_per_person)
        assert result.leftover == []
        chosen = visited(result.visits)
        assert zero_loss <= set(chosen), f"day {offset}: a zero-loss point was left out"
        for pid in chosen:
            last[pid] = day
        verify -= set(chosen)  # verified on site
        unseen = {pid: (day - seen).days for pid, seen in last.items() if seen is None or (day - seen).days >= n_days}
        assert not unseen, f"day {offset}: points would go more than {n_days} days unseen: {unseen}"
        per_person = {pid: len(v) for pid, v in result.visits.items()}
        mean = sum(per_person.values()) / len(people)
        worst_daily = max(worst_daily, max(per_person.values()) / mean)
        assert max(per_person.values()) <= 1.25 * mean, f"day {offset}: {sorted(per_person.values())}"
        month.update(per_person)
    totals = [month[p.id] for p in people]
    mean_month = sum(totals) / len(totals)
    print(f"\nsimulated month: {len(points)} points, {len(zero_loss)} zero-loss, "
          f"{sum(1 for p in points if p.priority)} with priority, {sum(1 for p in points if p.verify)} to verify, "
          f"{len(people)} people, "
          f"{sum(totals)} visits ({sum(totals) / 30:.1f} a day); per person a month: mean {mean_month:.1f}, "
          f"max {max(totals)} ({max(totals) / mean_month:.2f} × mean), min {min(totals)}; "
          f"worst day's max {worst_daily:.2f} × that day's mean")
    assert max(totals) <= 1.25 * mean_month


def test_demo_routes_are_measurably_shorter_than_the_input_order(demo_street: Any, db: None) -> None:
    _street, day, points, people, rules = demo_street
    by_id = {p.id: p for p in points}
    # A day as planned: nobody's walk is longer than in the order the points came in.
    result = plan_day(day, points, people, every_n_days=rules.every_n_days, max_per_person=rules.max_points_per_person)
    day_planned = day_input = 0.0
    for visits in result.values():
        given = sorted(pid for pid, _r in visits)  # the register's order
        coords = [(by_id[pid].lon, by_id[pid].lat) for pid in given]
        planned_order = [given.index(pid) for pid, _r in visits]
        day_planned += route_length_m(coords, planned_order)
        day_input += route_length_m(coords, range(len(coords)))
        assert route_length_m(coords, planned_order) <= route_length_m(coords, range(len(coords))) + 1e-6
    # A full round: a person covering a whole community or grid, as the register lists its points.
    groups: dict[Any, list[PlanPoint]] = defaultdict(list)
    grid_parent = dict(Region.objects.filter(level=Region.Level.GRID).values_list("pk", "parent_id"))
    for point in points:
        groups[grid_parent[point.grid_id]].append(point)
    routed = given_m = 0.0
    for members in groups.values():
        coords = [(p.lon, p.lat) for p in members]
        order = route(coords)
        routed += route_length_m(coords, order)
        given_m += route_length_m(coords, range(len(coords)))
    saved_day = 1 - day_planned / day_input if day_input else 0.0
    saved_round = 1 - routed / given_m
    print(f"\nroutes: the planned day {day_planned / 1000:.1f} km against {day_input / 1000:.1f} km in input order "
          f"({saved_day:.0%} shorter); whole communities {routed / 1000:.1f} km against {given_m / 1000:.1f} km "
          f"({saved_round:.0%} shorter)")
    assert saved_round >= 0.2
    # One day's visits may already lie in walking order (it depends on the day): never longer, then.
    assert day_planned <= day_input + 1e-6
