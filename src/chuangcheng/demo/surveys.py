"""The demo's resident survey: the full campaign questionnaire made from its template by the street
office, published to every community, answered over the last weeks through the same service as a
resident's phone (self mode, a random device token each) or a grid worker's household visit. Each
community has its own tendency, and every community improves week by week, so the rates differ and
rise. Written with the clock pinned to each answer's moment; nothing at or after today's midnight;
one seed gives the same answers."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.org.models import Region, Role, User
from chuangcheng.surveys import services
from chuangcheng.surveys.models import Publication, Question

PER_DAY = (1, 4)
VISIT_SHARE = 0.25


def _choose(rng: random.Random, question: Question, positive: float) -> list[str] | str | None:
    options = list(question.options.all())
    if question.kind == Question.Kind.TEXT:
        texts = ["希望多组织志愿活动", "小区停车还需要管理", "环境比以前好多了"]
        return rng.choice(texts) if rng.random() < 0.1 else None
    if not options:
        return None
    if question.kind == Question.Kind.MULTIPLE:
        return [o.code for o in rng.sample(options, k=min(len(options), rng.randint(1, 2)))]
    by_role: dict[str, list[Any]] = {}
    for o in options:
        by_role.setdefault(o.role, []).append(o)
    roll = rng.random()
    if by_role.get("excluded") and roll < 0.05:
        return rng.choice(by_role["excluded"]).code
    if by_role.get("positive") and roll < positive:
        return rng.choice(by_role["positive"]).code
    pool = by_role.get("negative") or options
    return rng.choice(pool).code


def _answers(rng: random.Random, questions: list[Question], positive: float) -> dict[str, list[str] | str]:
    given: dict[str, list[str] | str] = {}
    for q in questions:
        if q.show_if_question_id:
            before = given.get(q.show_if_question.code) if q.show_if_question else None
            chosen = [before] if isinstance(before, str) else list(before or [])
            if not set(chosen) & set(q.show_if_options or []):
                continue
        if not q.required and rng.random() < 0.3:
            continue
        value = _choose(rng, q, positive)
        if value:
            given[q.code] = value
    return given


def add_surveys(*, seed: int = 1, weeks: int = 8, now: dt.datetime | None = None) -> int:
    """Make, publish and answer the demo's campaign survey; returns the number of responses."""
    now = now or clock.now()
    cutoff = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    street = Region.objects.filter(code=STREET_CODE).first()
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street, is_active=True).order_by("pk").first()
    if street is None or admin is None:
        return 0
    rng = random.Random(f"surveys-{seed}")
    start = cutoff - dt.timedelta(weeks=weeks)
    with clock.pinned(start - dt.timedelta(hours=2)):
        survey = services.create_from_template(region=street, template="campaign", by=admin)
        communities = list(Region.objects.filter(parent=street, level=Region.Level.COMMUNITY).order_by("path"))
        publications = services.publish(survey, regions=communities, by=admin)
    questions = list(survey.questions.select_related("show_if_question").prefetch_related("options")
                     .order_by("order", "id"))
    workers: dict[int, list[tuple[User, Region]]] = {}
    for user in User.objects.filter(role=Role.GRID_WORKER, is_active=True, scope__parent__parent=street
                                    ).select_related("scope").order_by("pk"):
        if user.scope is not None and user.scope.parent_id is not None:
            workers.setdefault(user.scope.parent_id, []).append((user, user.scope))
    base = {p.pk: rng.uniform(0.45, 0.8) for p in publications}
    count = 0
    for day_index in range((cutoff - start).days):
        day_start = start + dt.timedelta(days=day_index)
        progress = day_index / max(1, (cutoff - start).days)
        for pub in publications:
            for _i in range(rng.randint(*PER_DAY)):
                moment = day_start + dt.timedelta(minutes=rng.randint(8 * 60, 21 * 60))
                if moment >= cutoff:
                    continue
                positive = min(0.97, base[pub.pk] + 0.2 * progress)
                count += _answer(rng, pub, questions, positive, moment, workers.get(pub.region_id, []))
    return count


def _answer(rng: random.Random, pub: Publication, questions: list[Question], positive: float,
            moment: dt.datetime, workers: list[tuple[User, Region]]) -> int:
    answers = _answers(rng, questions, positive)
    with clock.pinned(moment):
        try:
            if workers and rng.random() < VISIT_SHARE:
                worker, grid = rng.choice(workers)
                services.submit_response(pub, answers, mode="visit", by=worker, region=grid)
            else:
                services.submit_response(pub, answers, device=f"demo-{rng.getrandbits(64):016x}")
        except ValidationError:
            return 0
    return 1
