"""Reads of mock assessment rounds, scoped: a drawn round is seen only at street level (the street's
admins, inspectors and leaders); community admins of the street see a round once it has started;
other community staff never see a round."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from chuangcheng.assessment.models import Round, RoundEvent, RoundPoint, State
from chuangcheng.assessment.permissions import STREET_ROLES
from chuangcheng.org.models import Region, Role, User
from chuangcheng.org.permissions import has_role


def rounds_visible_to(user: Any) -> QuerySet[Round]:
    qs = Round.objects.select_related("street", "catalog").annotate(
        point_count=Count("points", distinct=True),
        recorded_count=Count("points", filter=Q(points__inspection__isnull=False), distinct=True))
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    scope = user.scope
    if scope is None:
        return qs.none()
    if user.role in STREET_ROLES and scope.level <= Region.Level.STREET:
        # The street and everything above it: its street's (or streets') rounds, drawn ones too.
        return qs.filter(street__path__startswith=scope.path)
    if user.role == Role.COMMUNITY_ADMIN:
        street_paths = [p for p in _ancestor_paths(scope)]
        return qs.filter(street__path__in=street_paths, state__in=[State.STARTED, State.FINISHED])
    return qs.none()


def _ancestor_paths(region: Region) -> list[str]:
    codes = region.ancestor_codes()
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def round_for(user: Any, street_code: str, number: int) -> Round | None:
    return rounds_visible_to(user).filter(street__code=street_code, number=number).first()


def round_points(round: Round) -> list[RoundPoint]:  # noqa: A002
    points = list(RoundPoint.objects.filter(round=round).select_related(
        "point", "point__grid", "point__grid__parent", "point_type", "assessor", "assessor__person",
        "inspection").order_by("position"))
    for rp in points:
        rp.round = round  # the predicates read the round (and its street) of every drawn point
    return points


def events_of(round: Round) -> list[RoundEvent]:  # noqa: A002
    return list(RoundEvent.objects.filter(round=round).select_related("actor").order_by("at", "id"))


def streets_managed_by(user: Any) -> QuerySet[Region]:
    """The streets where `user` may draw a round."""
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    streets = Region.objects.filter(level=Region.Level.STREET).order_by("sort_order", "code")
    if user.is_superuser:
        return streets
    if not has_role(user, Role.STREET_ADMIN) or user.scope is None or user.scope.level > Region.Level.STREET:
        return streets.none()
    return streets.filter(path__startswith=user.scope.path)


def team_candidates(street: Region) -> QuerySet[User]:
    """Who may join a round's team: the street's (or higher) inspectors and admins."""
    paths = _ancestor_paths(street)
    return (User.objects.filter(is_active=True, role__in=[Role.INSPECTOR, Role.STREET_ADMIN],
                                scope__path__in=paths).select_related("person").order_by("role", "username"))
