"""Named predicates of the reports app: services use them to refuse, templates to show or hide an
action. Which rows a user may list is decided in the queries (scope); these decide what they may do
with one row. Each publication family keeps its predicates in its own section."""

from __future__ import annotations

from typing import Any

from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role, in_scope, is_superuser
from chuangcheng.reports.distribution import Addressee, addressee_of

# --- daily bulletin (日通报) ------------------------------------------------------------------

# Roles that read a subdistrict's published bulletins when their scope covers the subdistrict.
BULLETIN_READERS = {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR}


def can_manage_bulletins(user: Any, street: Region) -> bool:
    """Draft, refresh and publish the bulletins of `street`: its own street admins (or higher)."""
    return is_superuser(user) or (has_role(user, Role.STREET_ADMIN) and in_scope(user, street))


def _addressed_to(user: Any, street: Region) -> bool:
    """A community admin of a community in the street: a published bulletin is sent to them."""
    return has_role(user, Role.COMMUNITY_ADMIN) and _within(user, street)


def reads_published_bulletins(user: Any, street: Region) -> bool:
    """Every published bulletin of `street`: its leaders and inspectors, and the admins of its
    communities (the 发 line of every daily bulletin is 各社区)."""
    return (has_role(user, *BULLETIN_READERS) and in_scope(user, street)) or _addressed_to(user, street)


def _named_reader(user: Any, street: Region) -> Addressee | None:
    """A unit handler, or a grid worker of a community of `street`: they read the published
    bulletins that name their unit or community (reports.distribution)."""
    addressee = addressee_of(user)
    if addressee is None or (addressee.community and not _within(user, street)):
        return None
    return addressee


def _within(user: Any, street: Region) -> bool:
    scope = getattr(user, "scope", None)
    return scope is not None and scope.path.startswith(street.path)


def can_read_bulletin(user: Any, bulletin: Any) -> bool:
    """A draft is read by those who may publish it; a published bulletin also by the street's
    leaders and inspectors and the admins of its communities, and by the handlers of the units and
    the grid workers of the communities it names."""
    street = bulletin.street
    if can_manage_bulletins(user, street):
        return True
    if bulletin.status != "published":
        return False
    if reads_published_bulletins(user, street):
        return True
    addressee = _named_reader(user, street)
    return addressee is not None and addressee.named_in(bulletin.content)


def can_list_bulletins(user: Any, street: Region) -> bool:
    """Whether the bulletin list of `street` is for this user at all (drafts are filtered apart;
    a unit handler's or grid worker's list holds the bulletins that name them)."""
    return (can_manage_bulletins(user, street) or reads_published_bulletins(user, street)
            or _named_reader(user, street) is not None)


def can_publish_bulletin(user: Any, bulletin: Any) -> bool:
    return bulletin.status == "draft" and can_manage_bulletins(user, bulletin.street)


# --- dashboards and the one map (一张图) ---------------------------------------------------------

# Roles that read the dashboards and the map of their scope: those who organize or lead the work.
DASHBOARD_ROLES = {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.INSPECTOR, Role.GRID_WORKER, Role.LEADER}


def can_view_dashboards(user: Any) -> bool:
    """The overview, community pages, the wall display and the map (of the user's own scope)."""
    return has_role(user, *DASHBOARD_ROLES)


def can_view_unit_dashboard(user: Any, unit: Any) -> bool:
    """A unit's page: the dashboard readers (scope is checked by the query), and the unit's own handlers."""
    if can_view_dashboards(user):
        return True
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return has_role(user, Role.UNIT_HANDLER) and person is not None and person.unit_id == unit.pk


# --- weekly ranking (周排名) ------------------------------------------------------------------

# Roles that read a subdistrict's rankings, drafts included, when their scope covers the subdistrict.
RANKING_READERS = {Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR}


def can_manage_rankings(user: Any, street: Region) -> bool:
    """Compute, publish and set the formula of `street`'s rankings: its street admins (or higher)."""
    return is_superuser(user) or (has_role(user, Role.STREET_ADMIN) and in_scope(user, street))


def can_see_ranking_drafts(user: Any, street: Region) -> bool:
    return can_manage_rankings(user, street) or (has_role(user, *RANKING_READERS) and in_scope(user, street))


def _inside(user: Any, street: Region) -> bool:
    """Someone working inside the street (a community admin, a community's inspector): a published
    ranking is addressed to every community of the street."""
    scope = getattr(user, "scope", None)
    return (has_role(user, Role.COMMUNITY_ADMIN, *RANKING_READERS) and scope is not None
            and scope.path.startswith(street.path))


def can_list_rankings(user: Any, street: Region) -> bool:
    """Whether `street`'s ranking pages are for this user at all (drafts are filtered apart)."""
    return can_see_ranking_drafts(user, street) or _inside(user, street)


def can_read_ranking(user: Any, ranking: Any) -> bool:
    street = ranking.street
    if can_see_ranking_drafts(user, street):
        return True
    return ranking.status == "published" and _inside(user, street)


def can_publish_ranking(user: Any, ranking: Any) -> bool:
    """A draft of a finished week (computed after it ended), by the street's admins."""
    return (ranking.status == "draft" and bool(ranking.content.get("complete"))
            and can_manage_rankings(user, ranking.street))


def reads_rankings(user: Any) -> bool:
    """The roles for which ranking pages exist (others get 403, not 404)."""
    return has_role(user, Role.COMMUNITY_ADMIN, *RANKING_READERS)
