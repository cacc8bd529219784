"""Eight weeks of daily plans and inspections (日调度·日督查) for the demo subdistrict, played
together with its cases so that the two tell one story.

Every morning of the history the street's plan is made by the planning service, as the morning
job would. The visits are then walked in each person's order through office hours and submitted
through the submission service: most visits are done, some are missed (a person away for the day,
a point left out), and on days off only the zero-loss points are seen (a duty round, no new
problems reported). Most items pass; the failures are the demo's inspection-sourced cases, planned
by demo.cases: each is placed on a visit of its day (the planned point where it is visited, else
a point of a fitting type) and opened by that failed item, accepted and dispatched by the system;
its story then goes on from dispatched. A point whose case is still open fails that item again
at the next visit, joining the case. Every action of every case and every visit is taken in the
order it happened, one clock for all, so each plan sees the cases as they stood that morning and
a case awaiting verification is verified by a street inspector who has the point in their plan
that day where there is one.

Everything is drawn from the seed, the days and the rows written before (never from primary
keys), so one seed and one day give the same plans, inspections and case numbers."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chuangcheng.cases.models import Case, Severity, Source, State
from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.cases import (
    FITTING_TYPES,
    WEEKS,
    CasePlayer,
    CaseStory,
    CategoryInfo,
    PlannedCase,
    case_days,
    categories_in_use,
    describe,
    plan_cases,
)
from chuangcheng.demo.plan import STREET_CODE, DemoPlan, PlannedPoint
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.inspections.models import Assignment
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.inspections.services.plans import make_plan, save_rules
from chuangcheng.inspections.services.submit import ItemInput, default_category_code, open_case_at, submit_inspection
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CheckItem, PointType
from chuangcheng.standards.queries import checklist_for

Measure = CheckItem.Measure
Job = Callable[[], None]

MORNING = dt.time(6, 30)  # when the plan of the day is made (the default `plan_at`)
DUTY_START = dt.time(9, 0)  # the duty round on a day off
ABSENT = 0.04  # a person away for the whole day
MISSED = 0.06  # one visit left out
NOT_APPLICABLE = 0.03  # an item that does not apply this time
MISSING_FIX, FAR_FIX = 0.03, 0.03  # no location sent; sent from far away (flagged)
NEAR_M, FAR_M = (3.0, 90.0), (450.0, 1500.0)
ZERO_LOSS_FAILS = 0.1  # how often a planned problem may go to a zero-loss point (kept tidy)
CROSS_CHECKS = 3  # points of another community each community cross-checks a working day
# How much likelier a problem is found on an independent visit than on a community's own round:
# a self-check tends to see what it expects.
INDEPENDENT_EYES = 6.0
# How many more items of a new problem's category an independent visit fails, per unit of quality.
ALONG = 3.0
CLOSED = {State.CLOSED, State.REJECTED}
METRES_PER_DEGREE = 111_320.0


def history_days(today: dt.date, weeks: int = WEEKS) -> list[dt.date]:
    """Every day of the `weeks` weeks before `today`, oldest first (the cases' days and the days off)."""
    first = today - dt.timedelta(weeks=weeks)
    return [first + dt.timedelta(days=n) for n in range((today - first).days)]


def write_history(seed: int, plan: DemoPlan, *, progress: Callable[[int, int], None] | None = None
                  ) -> tuple[int, int]:
    """Plan and play the demo's days: plans, inspections and cases. Returns (cases, inspections)."""
    now = clock.now()
    calendar = WorkCalendar()
    today = clock.local(now).date()
    working = case_days(calendar, today)
    street = Region.objects.get(code=STREET_CODE)
    # The street checks itself the way the ranking wants: cross-checks between its communities.
    save_rules(street, by=None, cross_checks_per_day=CROSS_CHECKS)
    planned = plan_cases(seed, plan, categories_in_use(), working, inspectable_categories())
    cutoff = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    rounds = _Rounds(seed, plan, calendar, CasePlayer(calendar, now=now, cutoff=cutoff), set(working))
    rounds.run(planned, history_days(today), progress or _no_progress)
    make_plan(rounds.street, today)  # today's round, ready for the phones
    return len(planned), rounds.inspections


def _no_progress(done: int, total: int) -> None:
    return None


def inspectable_categories() -> dict[str, list[str]]:
    """Category code → the point types with a check item whose failure goes under that category
    by default: the only problems an inspection of such a point can report truthfully."""
    found: dict[str, list[str]] = defaultdict(list)
    for point_type in PointType.objects.order_by("sort_order", "code"):
        for item in checklist_for(point_type):
            types = found[default_category_code(item)]
            if point_type.code not in types:
                types.append(point_type.code)
    return dict(found)


@dataclass
class _Visit:
    assignment: Assignment
    started: dt.datetime
    submitted: dt.datetime
    failures: list[PlannedCase] = field(default_factory=list)


class _Rounds:
    """One clock for the plans, the visits and the cases' actions: a queue of what happens next."""

    def __init__(self, seed: int, plan: DemoPlan, calendar: WorkCalendar, player: CasePlayer,
                 working: set[dt.date]) -> None:
        self.seed = seed
        self.calendar = calendar
        self.player = player
        self.working = working
        self.street = Region.objects.get(code=STREET_CODE)
        self.planned_points: dict[str, PlannedPoint] = {p.code: p for p in plan.points}
        self.quality = dict(plan.quality)
        self.category_info: dict[str, CategoryInfo] = {c.code: c for c in categories_in_use()}
        self.queue: list[tuple[dt.datetime, int, Job]] = []
        self.seq = 0
        self.checklists: dict[int, list[CheckItem]] = {}  # by point type
        self.default_codes: dict[int, str] = {}  # check item → the category its failure goes under
        # The failures an inspection opened a case for, by point: item code → case id.
        self.opened: dict[int, dict[str, int]] = defaultdict(dict)
        self.inspections = 0

    # -- the clock -------------------------------------------------------------------------

    def _push(self, at: dt.datetime, job: Job) -> None:
        heapq.heappush(self.queue, (at, self.seq, job))
        self.seq += 1

    def run(self, planned: Sequence[PlannedCase], days: Sequence[dt.date], progress: Callable[[int, int], None]
            ) -> None:
        found: dict[dt.date, list[PlannedCase]] = defaultdict(list)
        for case in planned:
            if case.source == Source.INSPECTION:
                found[case.day].append(case)
            else:
                self._push(self.player.report_moment(case), partial(self._report, case))
        for index, day in enumerate(days):
            morning = timezone.make_aware(dt.datetime.combine(day, MORNING))
            self._push(morning, partial(self._morning, day, found.get(day, []),
                                        partial(progress, index, len(days))))
        while self.queue:
            _at, _seq, job = heapq.heappop(self.queue)
            job()
        progress(len(days), len(days))

    def _follow(self, story: CaseStory) -> None:
        at = story.next_due()
        if at is not None:
            self._push(at, partial(self._step, story))

    def _step(self, story: CaseStory) -> None:
        story.step()
        self._follow(story)

    def _report(self, case: PlannedCase, source: str | None = None, at: dt.datetime | None = None) -> None:
        self._follow(self.player.report(case, source=source, at=at))

    # -- the morning ---------------------------------------------------------------------------

    def _morning(self, day: dt.date, failures: list[PlannedCase], progress: Callable[[], None]) -> None:
        progress()
        rng = random.Random(f"demo rounds {self.seed} {day:%Y%m%d}")
        with clock.pinned(timezone.make_aware(dt.datetime.combine(day, MORNING))):
            plan = make_plan(self.street, day)
        visits = list(plan.assignments.select_related("plan", "point__point_type", "point__grid__parent",
                                                      "person__scope")
                      .order_by("person__username", "position"))
        mine: dict[str, list[Assignment]] = defaultdict(list)
        for visit in visits:
            self.player.visitors[(day, visit.point_id)] = visit.person
            mine[visit.person.username].append(visit)
        duty = day not in self.working
        jobs: list[_Visit] = []
        for username in sorted(mine):
            if rng.random() < ABSENT:
                continue
            kept = [a for a in mine[username] if (a.point.zero_loss if duty else rng.random() >= MISSED)]
            jobs += self._walk(day, kept, rng, duty=duty)
        self._place(failures, jobs, rng)
        for job in jobs:
            self._push(job.submitted, partial(self._visit, job))

    def _walk(self, day: dt.date, visits: list[Assignment], rng: random.Random, *, duty: bool) -> list[_Visit]:
        """When each visit is made: through office hours in walking order (on a day off, a morning round)."""
        if not visits:
            return []
        periods = self.calendar.periods(day)
        if duty or not periods:
            at = timezone.make_aware(dt.datetime.combine(day, DUTY_START)) + dt.timedelta(minutes=rng.uniform(0, 40))
            walked = []
            for visit in visits:
                at += dt.timedelta(minutes=rng.uniform(12, 30))
                walked.append(_Visit(visit, at.replace(microsecond=0),
                                     (at + dt.timedelta(minutes=rng.uniform(4, 12))).replace(microsecond=0)))
            return walked
        total = sum((closes - opens).total_seconds() for opens, closes in periods)
        offset = total * rng.uniform(0.0, 0.1)
        step = (total * 0.92 - offset) / len(visits)
        walked = []
        for visit in visits:
            started = self.calendar.add_working_seconds(periods[0][0], offset + step * rng.uniform(0.0, 0.5))
            submitted = self.calendar.add_working_seconds(started, rng.uniform(4, 12) * 60)
            walked.append(_Visit(visit, started.replace(microsecond=0), submitted.replace(microsecond=0)))
            offset += step
        return walked

    def _place(self, failures: list[PlannedCase], jobs: list[_Visit], rng: random.Random) -> None:
        """Give each problem the day's inspections find to a visit: its planned point if visited,
        else a point of a fitting type, else any; never where the same problem is open already."""
        open_here = set(Case.objects.exclude(state__in=CLOSED).filter(point__isnull=False)
                        .values_list("point_id", "category__code"))
        for case in sorted(failures, key=lambda c: (c.at, c.key)):
            fitting = FITTING_TYPES.get(case.category_code) or FITTING_TYPES.get(case.category_code[:2]) or ()
            # Only a visit whose checklist has an item failing under the case's category can find it.
            free = [j for j in jobs if (j.assignment.point_id, case.category_code) not in open_here
                    and all(f.category_code != case.category_code for f in j.failures)
                    and self._can_find(j.assignment.point, case.category_code)
                    and (not j.assignment.point.zero_loss or rng.random() < ZERO_LOSS_FAILS)]
            tiers = ([j for j in free if j.assignment.point.code == case.point_code],
                     [j for j in free if j.assignment.point.point_type.code in fitting], free)
            pool = next((tier for tier in tiers if tier), [])
            pool = [j for j in pool if not j.failures] or pool
            if not pool:  # nobody is out today: somebody reports it from the office
                self._push(self.player.report_moment(case), partial(self._report, case, Source.STAFF))
                continue
            rng.choices(pool, weights=[self._finding_weight(j.assignment) for j in pool])[0].failures.append(case)

    def _open_here(self, point: Point, items: list[CheckItem], *, taken: set[str]) -> dict[str, str]:
        """Items whose category has a case open (not yet rectified) at the point: item code → category."""
        open_codes = set(Case.objects.filter(point=point).exclude(state__in={*CLOSED, State.RECTIFIED})
                         .values_list("category__code", flat=True))
        found: dict[str, str] = {}
        for item in items:
            code = self.default_codes[item.pk]
            if code in open_codes and item.code not in taken and code not in found.values() and self._failable(item):
                found[item.code] = code
        return found

    def _along(self, point: Point, items: list[CheckItem], new: dict[str, PlannedCase], quality: float, *,
               taken: set[str]) -> dict[str, str]:
        """Other items of a new problem's category that fail with it at an independent visit."""
        rng = random.Random(f"demo along {self.seed} {point.code} {sorted(new)}")
        found: dict[str, str] = {}
        for case in new.values():
            others = [i for i in items if self.default_codes[i.pk] == case.category_code and i.code not in taken
                      and i.code not in found and self._failable(i)]
            for item in rng.sample(others, min(len(others), int(rng.uniform(0, ALONG * quality) + 0.5))):
                found[item.code] = case.category_code
        return found

    @staticmethod
    def _failable(item: CheckItem) -> bool:
        return item.measure not in {Measure.COUNT, Measure.RATE} or (item.threshold or 0) >= 1

    @staticmethod
    def _independent(visit: Assignment) -> bool:
        scope = visit.person.scope
        return visit.reason == Assignment.Reason.CROSS or (scope is not None and scope.level <= Region.Level.STREET)

    def _can_find(self, point: Point, category_code: str) -> bool:
        self._checklist(point)
        return any(self.default_codes[item.pk] == category_code for item in self.checklists[point.point_type_id])

    def _finding_weight(self, visit: Assignment) -> float:
        """How likely this visit is the one that finds a problem: the community's quality, and
        more so when the visitor is independent of the community (the street's inspectors or
        another community's cross-check)."""
        community = visit.point.grid.parent
        weight = self.quality.get(community.code if community is not None else "", 1.0)
        return weight * (INDEPENDENT_EYES if self._independent(visit) else 1.0)

    # -- a visit ---------------------------------------------------------------------------------

    def _visit(self, job: _Visit) -> None:
        visit = job.assignment
        point, person, day = visit.point, visit.person, visit.plan.day
        rng = random.Random(f"demo visit {self.seed} {day:%Y%m%d} {point.code}")
        items = self._checklist(point)
        key = f"demo-{day:%Y%m%d}-{re.sub(r'[^A-Za-z0-9_-]', '-', point.code)}"
        failing = self._still_failing(point)  # item code → category code
        new: dict[str, PlannedCase] = {}
        for case in job.failures:
            item = self._item_for(case, items, taken={*failing, *new}, rng=rng)
            if item is None or open_case_at(point, self.player.categories[case.category_code]) is not None:
                # Reported meanwhile (or nothing on the checklist fits): noted from the office.
                self._report(case, Source.STAFF, job.submitted)
                continue
            new[item.code] = case
        quality = self.quality.get(point.grid.parent.code if point.grid.parent is not None else "", 1.0)
        # A problem still open here is still there: its item fails again and joins the case.
        failing.update(self._open_here(point, items, taken={*failing, *new}))
        if self._independent(visit):
            # An independent eye sees a problem whole: the other items it touches fail with it, all
            # under its one case (the more so, the worse the community is kept).
            failing.update(self._along(point, items, new, quality, taken={*failing, *new}))
        answers = []
        for item in items:
            if item.code in new:
                case = new[item.code]
                note = describe(random.Random(case.key), self.category_info[case.category_code], Source.INSPECTION,
                                Severity.NORMAL, self.planned_points.get(point.code), point.address)
                answers.append(self._fail(item, case.category_code, note, f"{key} {item.code}", rng, quality=quality))
            elif item.code in failing:
                answers.append(self._fail(item, failing[item.code], "", f"{key} {item.code}", rng, quality=quality))
            else:
                answers.append(self._pass(item, rng))
        lon, lat = self._fix(point, rng)
        with clock.pinned(job.submitted):
            inspection, _created = submit_inspection(by=person, point=point, key=key, items=answers, lon=lon,
                                                     lat=lat, started_at=job.started)
        self.inspections += 1
        if not new:
            return
        for result in inspection.results.filter(case_opened=True).select_related("item", "case__point",
                                                                                 "case__category"):
            planned = new.get(result.item.code)
            if planned is None or result.case is None:
                continue
            self.opened[point.pk][result.item.code] = result.case.pk
            self._follow(self.player.adopt(planned, result.case, job.submitted))

    def _checklist(self, point: Point) -> list[CheckItem]:
        items = self.checklists.get(point.point_type_id)
        if items is None:
            items = self.checklists[point.point_type_id] = checklist_of(point)
            for item in items:
                self.default_codes[item.pk] = default_category_code(item)
        return items

    def _still_failing(self, point: Point) -> dict[str, str]:
        """Items whose case (opened by an inspection here) is still open and not yet rectified."""
        opened = self.opened.get(point.pk)
        if not opened:
            return {}
        states = dict(Case.objects.filter(pk__in=opened.values()).values_list("pk", "state"))
        codes = dict(Case.objects.filter(pk__in=opened.values()).values_list("pk", "category__code"))
        failing = {}
        for item_code, case_id in list(opened.items()):
            if states[case_id] in CLOSED:
                del opened[item_code]
            elif states[case_id] != State.RECTIFIED:  # rectified: the verification decides
                failing[item_code] = codes[case_id]
        return failing

    def _item_for(self, case: PlannedCase, items: list[CheckItem], *, taken: set[str], rng: random.Random
                  ) -> CheckItem | None:
        """The checklist item whose failure is this problem: one that maps to its category, else
        to its group, else any item that can fail."""
        failable = [i for i in items if i.code not in taken
                    and (i.measure not in {Measure.COUNT, Measure.RATE} or (i.threshold or 0) >= 1)]
        # Only an item whose failure goes under the case's category: the case and the item agree.
        exact = [i for i in failable if self.default_codes[i.pk] == case.category_code]
        return rng.choice(exact) if exact else None

    @staticmethod
    def _pass(item: CheckItem, rng: random.Random) -> ItemInput:
        if rng.random() < NOT_APPLICABLE:
            return ItemInput(item.code, "na")
        if item.measure == Measure.OCCURRENCES:
            return ItemInput(item.code, "pass", count=0)
        if item.measure in {Measure.COUNT, Measure.RATE}:
            least = math.ceil(item.threshold or 0)
            top = 100 if item.measure == Measure.RATE else least + max(2, least // 2)
            return ItemInput(item.code, "pass", count=rng.randint(least, max(least, top)))
        return ItemInput(item.code, "pass")

    @staticmethod
    def _fail(item: CheckItem, category_code: str, note: str, photo_key: str, rng: random.Random, *,
              quality: float = 1.0) -> ItemInput:
        count = None
        if item.measure == Measure.OCCURRENCES:
            # A poorly kept community's problems are bigger: up to 2 + 2 × quality occurrences.
            count = rng.randint(2, 2 + round(2 * quality)) if quality > 1.0 else rng.randint(1, 3)
        elif item.measure in {Measure.COUNT, Measure.RATE}:
            least = math.ceil(item.threshold or 1)
            count = rng.randint(least // 2, least - 1)
        photo = SimpleUploadedFile(f"{photo_key.replace(' ', '-')}.jpg",
                                   scene_jpeg(category_code, tidy=False, key=f"demo {photo_key}"),
                                   content_type="image/jpeg")
        return ItemInput(item.code, "fail", count=count, category_code=category_code, note=note, photos=[photo])

    @staticmethod
    def _fix(point: Point, rng: random.Random) -> tuple[str | None, str | None]:
        """Where the phone said it was: near the point, now and then far off, or nothing."""
        draw = rng.random()
        if draw < MISSING_FIX:
            return None, None
        metres = rng.uniform(*FAR_M) if draw < MISSING_FIX + FAR_FIX else rng.uniform(*NEAR_M)
        angle = rng.uniform(0, 2 * math.pi)
        lat = float(point.lat) + metres * math.cos(angle) / METRES_PER_DEGREE
        lon = float(point.lon) + metres * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
        return f"{lon:.6f}", f"{lat:.6f}"
