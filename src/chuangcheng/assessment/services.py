"""Every write of a mock assessment round: draw (create), assign, start, record a drawn point,
finish (freeze the report), cancel. The state changes go through `ROUNDS` (workflow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chuangcheng.assessment import permissions
from chuangcheng.assessment.draw import draw_sample
from chuangcheng.assessment.models import Round, RoundEvent, RoundPoint, State
from chuangcheng.assessment.report import compute_report
from chuangcheng.assessment.workflow import ROUNDS
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM, Actor, actor_name, actor_user, check_actor
from chuangcheng.inspections.models import Inspection
from chuangcheng.inspections.services.submit import ItemInput, submit_inspection
from chuangcheng.org.models import Region, User
from chuangcheng.standards.queries import version_in_force


def _may(by: Actor, allowed: bool) -> None:
    if by is not SYSTEM and not allowed:
        raise PermissionDenied(_("Only the subdistrict office's admins run mock assessment rounds."))


def round_robin(points: Sequence[Any], team: Sequence[User]) -> list[User | None]:
    """The default assignment: the drawn points in order, dealt to the team by username."""
    members = sorted(team, key=lambda u: u.username)
    return [members[i % len(members)] if members else None for i in range(len(points))]


@transaction.atomic
def draw_round(street: Region, *, by: Actor, seed: int, team: Sequence[User] = (), title: str = "",
               team_kind: str = Round.Team.STREET) -> Round:
    """Draw a new round of `street` (第 N 轮, the next number) with the catalog in force, and deal
    its points to the team. Refused with the numbers when a type asks for more points than exist."""
    check_actor(by)
    _may(by, permissions.can_manage_rounds(by, street))
    if street.level != Region.Level.STREET:
        raise ValidationError({"street": _("Choose a subdistrict.")})
    catalog = version_in_force()
    if catalog is None:
        raise ValidationError(_("No catalog version is in force."))
    if team_kind not in Round.Team.values:
        raise ValidationError({"team_kind": _("Choose who assesses.")})
    members = list(dict.fromkeys(team))
    outsiders = [u.display_name for u in members if not permissions.can_join_team(u, street)]
    if outsiders:
        raise ValidationError({"team": _("Only the subdistrict's inspectors and admins can assess: %(names)s.")
                               % {"names": "、".join(outsiders)}})
    title = (title or "").strip()
    if len(title) > 120:
        raise ValidationError({"title": _("Keep the title under 120 characters.")})
    draw = draw_sample(street, seed=seed, catalog=catalog)
    # The street's row is the lock of its round numbers (no FOR UPDATE with an aggregate in PostgreSQL).
    Region.objects.select_for_update().get(pk=street.pk)
    last = Round.objects.filter(street=street).aggregate(n=Max("number"))["n"] or 0
    now = clock.now()
    round = Round.objects.create(  # noqa: A001
        street=street, number=last + 1, title=title, seed=draw.seed, catalog=catalog, team_kind=team_kind,
        drawn_at=now, drawn_by=actor_user(by))
    round.team.set(members)
    assessors = round_robin(draw.points, members)
    RoundPoint.objects.bulk_create([
        RoundPoint(round=round, point=point, point_type=point.point_type, position=i + 1, assessor=assessor)
        for i, (point, assessor) in enumerate(zip(draw.points, assessors, strict=True))])
    RoundEvent.objects.create(round=round, at=now, actor=actor_user(by), actor_name=actor_name(by),
                              action="draw", from_state="", to_state=State.DRAWN,
                              data={"seed": draw.seed, "catalog": catalog.number, "points": len(draw.points)})
    return round


@transaction.atomic
def assign_points(round: Round, *, by: Actor, assessors: Mapping[int, User | None],  # noqa: A002
                  version: int | None = None) -> RoundEvent | None:
    """Change who assesses which drawn point (by position), before the start. Only team members."""
    ROUNDS.check(round, "assign", by=by, version=version)
    team = {u.pk for u in round.team.all()}
    by_position = {rp.position: rp for rp in round.points.all()}
    changes = []
    for position, user in assessors.items():
        rp = by_position.get(position)
        if rp is None:
            raise ValidationError({"assessors": _("No drawn point has the number %(n)s.") % {"n": position}})
        if user is not None and user.pk not in team:
            raise ValidationError({"assessors": _("%(name)s is not on the round's team.")
                                   % {"name": user.display_name}})
        new_id = user.pk if user is not None else None
        if rp.assessor_id != new_id:
            changes.append({"position": position, "point": rp.point.code, "from": rp.assessor_id, "to": new_id})
            RoundPoint.objects.filter(pk=rp.pk).update(assessor=user)
    if not changes:
        return None
    return ROUNDS.move(round, "assign", by=by, version=version, data={"changes": changes})


@transaction.atomic
def start_round(round: Round, *, by: Actor, version: int | None = None) -> RoundEvent:  # noqa: A002
    """From now on the team records the drawn points (and the communities may see the round)."""
    return ROUNDS.move(round, "start", by=by, version=version, started_at=clock.now(), started_by=actor_user(by))


@transaction.atomic
def cancel_round(round: Round, *, by: Actor, note: str = "", version: int | None = None) -> RoundEvent:  # noqa: A002
    return ROUNDS.move(round, "cancel", by=by, version=version, note=(note or "").strip()[:500])


@transaction.atomic
def finish_round(round: Round, *, by: Actor, version: int | None = None,  # noqa: A002
                 at: dt.datetime | None = None) -> RoundEvent:
    """Freeze the report (scores, lost items, the comparison with the previous finished round)."""
    ROUNDS.check(round, "finish", by=by, version=version)
    now = at or clock.now()
    report = compute_report(round)
    report["finished_at"] = now.isoformat()
    return ROUNDS.move(round, "finish", by=by, version=version, finished_at=now, finished_by=actor_user(by),
                       report=report, data={"rate": report["overall"]["rate"]})


def record_point(round_point: RoundPoint, *, by: Any, key: str, items: Sequence[ItemInput], lon: Any = None,
                 lat: Any = None, started_at: dt.datetime | None = None,
                 note: str = "") -> tuple[Inspection, bool]:
    """Inspect a drawn point with the inspection form (submitted as the team's kind of check: a
    failure opens its case as any inspection's does) and link the inspection to the drawn point.
    A retried submission (same key) links the inspection it already stored."""
    round = round_point.round  # noqa: A001
    if not permissions.can_record(by, round_point):
        raise PermissionDenied(_("This drawn point is assigned to someone else."))
    if round.state != State.STARTED:
        raise ValidationError(_("Drawn points are recorded while the round runs: this round is “%(state)s”.")
                              % {"state": State(round.state).label})
    if round_point.inspection_id is not None:
        existing = round_point.inspection
        if existing is not None and existing.key == (key or "").strip():
            return existing, False
        raise ValidationError(_("This drawn point is already recorded."))
    inspection, created = submit_inspection(by=by, point=round_point.point, key=key, items=items, lon=lon, lat=lat,
                                            started_at=started_at, note=note, kind=round.kind_of_inspections())
    with transaction.atomic():
        linked = RoundPoint.objects.filter(pk=round_point.pk, inspection__isnull=True).update(
            inspection=inspection, recorded_at=clock.now())
        if not linked and not RoundPoint.objects.filter(pk=round_point.pk, inspection=inspection).exists():
            raise ValidationError(_("This drawn point is already recorded."))
    round_point.refresh_from_db(fields=["inspection", "recorded_at"])
    return inspection, created
