"""The demo's finished mock assessment round (模拟测评): drawn with a fixed seed by the street admin a
few working days before the build's day, recorded over the next working days by the street's
inspectors with the inspection form (the round is their plan: the visits are not in the daily plans),
and finished, so the demo has a frozen report to look at.

It runs before the daily figures are stored, so the round's inspections count like any check by the
street office. A catalog without assessment items gives no round; when the catalog in force asks for
more points of a type than the demo street has, the draw is refused and the demo has no round either
(tests/demo/test_mock_assessment.py then fails with the numbers)."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chuangcheng.assessment import services
from chuangcheng.assessment.models import Round, RoundPoint
from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, State
from chuangcheng.core import clock
from chuangcheng.core.workcal import WorkCalendar
from chuangcheng.demo.cases import CasePlayer
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.scenes import scene_jpeg
from chuangcheng.evidence.uploads import accepted_uploads, place_of
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.inspections.services.submit import ItemInput, default_category_code
from chuangcheng.org.models import Region, Role, User
from chuangcheng.standards.models import AssessmentItem, CheckItem
from chuangcheng.standards.queries import version_in_force

SEED = 7  # the seed of the demo's round: `chuangcheng mock_assessment draw --street 150103001 --seed 7`
RECORD_DAYS = 3  # working days the team takes to visit the sample
FAILS = 0.05  # how often a check item fails at a drawn point
STILL_OPEN = 0.15  # of the problems the team found, those still being handled when the history ends
HOUR = 3600.0
Measure = CheckItem.Measure


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _working_days_before(today: dt.date, count: int, skip: int) -> list[dt.date]:
    """`count` working days, oldest first, ending `skip` working days before `today`."""
    calendar = WorkCalendar()
    days: list[dt.date] = []
    day = today
    while len(days) < count + skip:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return sorted(days[skip:])


def add_mock_assessment(*, seed: int = 1) -> int:
    """Draw, record and finish one round; returns the number of drawn points recorded (0: no round)."""
    street = Region.objects.filter(code=STREET_CODE).first()
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street, is_active=True).order_by("pk").first()
    team = list(User.objects.filter(role=Role.INSPECTOR, scope=street, is_active=True).order_by("username"))
    catalog = version_in_force()
    if street is None or admin is None or not team or catalog is None:
        return 0
    if not AssessmentItem.objects.filter(version=catalog, point_type__isnull=False).exists():
        return 0  # a catalog without assessment items (测评内容) scores nothing: no round to show
    draw_day, *record_days = _working_days_before(clock.today(), RECORD_DAYS + 1, skip=2)
    try:
        with clock.pinned(_at(draw_day, 16, 30)):
            round = services.draw_round(street, by=admin, seed=SEED, team=team,  # noqa: A001
                                        title="创城迎检模拟测评（演示）")
    except ValidationError:
        return 0
    with clock.pinned(_at(record_days[0], 8, 30)):
        services.start_round(round, by=admin)
    rng = random.Random(f"demo mock assessment {seed}")
    points = list(round.points.select_related("point", "point__grid", "point__point_type", "assessor")
                  .order_by("position"))
    per_assessor: dict[int, list[RoundPoint]] = {}
    for rp in points:
        per_assessor.setdefault(rp.assessor_id or 0, []).append(rp)
    for visits in per_assessor.values():
        for i, rp in enumerate(visits):
            day = record_days[i * len(record_days) // len(visits)]
            _record(round, rp, day, minute=9 * 60 + (i * 25) % (8 * 60), rng=rng)
    with clock.pinned(_at(record_days[-1], 17, 30)):
        services.finish_round(round, by=admin)
    _handle_findings(round, rng)
    return len(points)


def _handle_findings(round: Round, rng: random.Random) -> None:  # noqa: A002
    """Each lost item opened a case: the units fix most of them within their time limits and the
    street's inspectors verify them, the way the daily cases are handled; a few are still open."""
    calendar = WorkCalendar()
    now = clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    player = CasePlayer(calendar, now=now, cutoff=cutoff)
    admin = player.users["street_admin"]
    inspectors = [u for _name, u in sorted(player.users.items()) if u.role == Role.INSPECTOR]
    found = (Case.objects.filter(item_results__case_opened=True, item_results__inspection__round_point__round=round)
             .select_related("category", "grid", "point").distinct().order_by("reported_at", "id"))
    for case in found:
        if rng.random() < STILL_OPEN:
            continue
        if case.state == State.ACCEPTED:  # no unit answers for it by the rules: the office dispatches
            moment = calendar.add_working_seconds(case.reported_at, rng.uniform(0.2, 1) * HOUR)
            if moment >= cutoff:
                continue
            with clock.pinned(moment):
                cases.dispatch_case(case, by=admin, unit=player.right_unit(case))
            case.refresh_from_db()
        if case.state not in {State.DISPATCHED, State.RECTIFYING}:
            continue
        moment = player._within_limit(case, rng.uniform(0.2, 0.9))
        if moment >= cutoff:
            continue
        handler = player.handler_for(case)
        with clock.pinned(moment):
            after = SimpleUploadedFile(f"{case.number}-after.jpg",
                                       scene_jpeg(case.category.code, tidy=True, key=f"mock after {case.number}"),
                                       content_type="image/jpeg")
            with accepted_uploads([after], by=handler, place=place_of(case)) as photos:
                cases.rectify_case(case, by=handler, photos=photos)
        moment = calendar.add_working_seconds(moment, rng.uniform(1, 6) * HOUR).replace(microsecond=0)
        verifier = next((u for u in inspectors if u != handler), None)
        if moment >= cutoff or verifier is None:
            continue
        with clock.pinned(moment):
            case.refresh_from_db()
            cases.verify_case(case, by=verifier)


def _record(round: Round, rp: RoundPoint, day: dt.date, *, minute: int, rng: random.Random) -> None:  # noqa: A002
    point, person = rp.point, rp.assessor
    assert person is not None  # noqa: S101 - the round was started, so every point has an assessor
    items = []
    key = f"demo-mock-{round.number}-{rp.position:03d}"
    for item in checklist_of(point):
        if _failable(item) and rng.random() < FAILS:
            items.append(_fail(item, f"{key} {item.code}", rng))
        else:
            items.append(_pass(item))
    started = _at(day, minute // 60, minute % 60)
    with clock.pinned(started + dt.timedelta(minutes=12)):
        services.record_point(rp, by=person, key=key, items=items, lon=str(point.lon), lat=str(point.lat),
                              started_at=started)


def _failable(item: CheckItem) -> bool:
    return item.measure not in {Measure.COUNT, Measure.RATE} or (item.threshold or 0) >= 1


def _pass(item: CheckItem) -> ItemInput:
    if item.measure == Measure.OCCURRENCES:
        return ItemInput(item.code, "pass", count=0)
    if item.measure in {Measure.COUNT, Measure.RATE}:
        return ItemInput(item.code, "pass", count=math.ceil(item.threshold or 0))
    return ItemInput(item.code, "pass")


def _fail(item: CheckItem, photo_key: str, rng: random.Random) -> ItemInput:
    count = None
    if item.measure == Measure.OCCURRENCES:
        count = rng.randint(1, 3)
    elif item.measure in {Measure.COUNT, Measure.RATE}:
        count = max(0, math.ceil(item.threshold or 1) - 1)
    category = default_category_code(item)
    photo = SimpleUploadedFile(f"{photo_key.replace(' ', '-')}.jpg",
                               scene_jpeg(category, tidy=False, key=f"demo {photo_key}"), content_type="image/jpeg")
    return ItemInput(item.code, "fail", count=count, category_code=category, photos=[photo])
