"""Every read of the organization, already scoped to the user who asks.

Scope is a region: a user sees that region's subtree. A unit registered higher up (say at the
street office) serves the whole subtree, so it is visible below too; a unit of a sibling
community is not."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chuangcheng.org.models import ApiToken, Person, Region, Unit, User


def scope_of(user: Any) -> Region | None:
    """The region a user sees; None for a superuser (everything)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionError("anonymous users have no scope")
    if user.is_superuser:
        return None
    return user.scope


def _ancestor_paths(region: Region) -> list[str]:
    codes = region.ancestor_codes()
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def street_of_region(region: Region) -> Region | None:
    """The subdistrict (街道) at or above `region`; None above the street level. Kept on the region
    object: a request asks it of the user's scope several times (board, plan, coverage, menu)."""
    if region.level == Region.Level.STREET:
        return region
    if region.level < Region.Level.STREET:
        return None
    if _STREET not in region.__dict__:
        region.__dict__[_STREET] = Region.objects.filter(code__in=region.ancestor_codes(),
                                                         level=Region.Level.STREET).first()
    street: Region | None = region.__dict__[_STREET]
    return street


_STREET = "_street_of_region"  # the memo's attribute on a Region instance


def regions_visible_to(user: Any) -> QuerySet[Region]:
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    scope = scope_of(user)
    qs = Region.objects.select_related("parent")
    if user.is_superuser:
        return qs
    if scope is None:
        return qs.none()
    return qs.filter(path__startswith=scope.path)


def region_for(user: Any, code: str) -> Region | None:
    return regions_visible_to(user).filter(code=code).first()


def units_visible_to(user: Any) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    qs = Unit.objects.select_related("region")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(Q(region__path__startswith=scope.path) | Q(region__path__in=_ancestor_paths(scope)))


def units_managed_by(user: Any) -> QuerySet[Unit]:
    """Units registered inside the user's own scope: those whose people they may register
    (a unit of the street office is visible to a community, but not theirs to staff)."""
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    qs = Unit.objects.select_related("region")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(region__path__startswith=scope.path)


def people_visible_to(user: Any) -> QuerySet[Person]:
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    qs = Person.objects.select_related("region", "unit", "user")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(region__path__startswith=scope.path)


def users_visible_to(user: Any) -> QuerySet[User]:
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    qs = User.objects.select_related("scope", "person")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(scope__path__startswith=scope.path)


def communities_visible_to(user: Any) -> QuerySet[Region]:
    return regions_visible_to(user).filter(level=Region.Level.COMMUNITY)


def grids_visible_to(user: Any) -> QuerySet[Region]:
    return regions_visible_to(user).filter(level=Region.Level.GRID)


def active_tokens_of(user: User, now: Any = None) -> QuerySet[ApiToken]:
    """A login's tokens that still work (not revoked, not expired), newest first."""
    from chuangcheng.core import clock

    now = now or clock.now()
    return ApiToken.objects.filter(user=user, revoked=False, created_at__gt=now - ApiToken.lifetime())
