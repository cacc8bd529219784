"""Every read of volunteer actions, already scoped to the user who asks: a user sees the actions
of the communities in their scope (and their own record wherever they took part)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chuangcheng.core import clock
from chuangcheng.engagement.volunteering.models import Action, ActionPhoto, Attendance
from chuangcheng.org.models import Person, Region
from chuangcheng.org.queries import communities_visible_to, people_visible_to, scope_of

ATTENDED = Q(checked_in_at__isnull=False) | Q(hours__gt=0)


def actions_visible_to(user: Any) -> QuerySet[Action]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Action.objects.none()
    qs = Action.objects.select_related("community", "grid", "organizer__person", "point")
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    # A volunteer scoped to a grid still sees the actions of the community the grid belongs to.
    path = scope.path
    parent = scope.parent if scope.level == Region.Level.GRID else None
    if parent is not None:
        path = parent.path
    return qs.filter(community__path__startswith=path)


def action_for(user: Any, code: str) -> Action | None:
    return actions_visible_to(user).filter(code=code).first()


def with_counts(actions: QuerySet[Action], user: Any) -> QuerySet[Action]:
    """Places taken, people who attended, and whether the user holds a place."""
    actions = actions.annotate(
        taken=Count("attendances", filter=Q(attendances__cancelled_at__isnull=True), distinct=True),
    )
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        actions = actions.annotate(mine=Exists(Attendance.objects.filter(
            action=OuterRef("pk"), person_id=person_id, cancelled_at__isnull=True)))
    return actions


@dataclass(frozen=True)
class ActionFilter:
    when: str = "upcoming"  # upcoming | past
    community: str = ""
    kind: str = ""


def filter_actions(user: Any, flt: ActionFilter) -> QuerySet[Action]:
    now = clock.now()
    qs = with_counts(actions_visible_to(user), user)
    if flt.community:
        qs = qs.filter(community__code=flt.community)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.when == "past":
        return qs.filter(Q(ends_at__lte=now) | ~Q(status=Action.Status.PLANNED)).order_by("-starts_at", "code")
    return qs.filter(ends_at__gt=now, status=Action.Status.PLANNED).order_by("starts_at", "code")


def roster(action: Action) -> QuerySet[Attendance]:
    """Everybody who signed up or walked in, with their check-in and check-out."""
    return (Attendance.objects.filter(action=action).select_related("person__region", "user")
            .order_by("cancelled_at", "signed_up_at", "id"))


def volunteers_for(user: Any, action: Action) -> QuerySet[Person]:
    """The volunteers of the action's community the organizer may check in on their behalf."""
    return (people_visible_to(user).filter(active=True, volunteer=True, region__path__startswith=action.community.path)
            .order_by("name", "code"))


def attendance_of(user: Any, action: Action) -> Attendance | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return Attendance.objects.filter(action=action, person_id=person_id).first()


def attendance_for(action: Action, person_code: str) -> Attendance | None:
    return Attendance.objects.filter(action=action, person__code=person_code).select_related("person").first()


def photos_of(action: Action) -> QuerySet[ActionPhoto]:
    return ActionPhoto.objects.filter(action=action).select_related("photo").order_by("-stage", "id")


def photo_of(action: Action, sha256: str) -> Any:
    row = ActionPhoto.objects.filter(action=action, photo__sha256=sha256).select_related("photo").first()
    return row.photo if row else None


# --- a volunteer's own record ----------------------------------------------------------------


@dataclass
class Record:
    rows: list[Attendance]
    months: list[tuple[str, Decimal, int]]
    years: list[tuple[int, Decimal, int]]
    total_hours: Decimal
    total_actions: int


def my_record(user: Any) -> Record:
    """The person's actions (newest first) and hours per month, per year and in all, counting
    actions that were held (or are under way) and not cancelled."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return Record([], [], [], Decimal(0), 0)
    rows = list(Attendance.objects.filter(person_id=person_id, cancelled_at__isnull=True)
                .exclude(action__status=Action.Status.CANCELLED)
                .select_related("action__community").order_by("-action__starts_at", "id"))
    months: dict[str, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    years: dict[int, list[Any]] = defaultdict(lambda: [Decimal(0), 0])
    total, count = Decimal(0), 0
    for row in rows:
        if not row.attended:
            continue
        day = clock.local(row.action.starts_at)
        hours = row.hours or Decimal(0)
        for bucket in (months[f"{day:%Y-%m}"], years[day.year]):
            bucket[0] += hours
            bucket[1] += 1
        total += hours
        count += 1
    return Record(
        rows=rows,
        months=[(k, v[0], v[1]) for k, v in sorted(months.items(), reverse=True)],
        years=[(k, v[0], v[1]) for k, v in sorted(years.items(), reverse=True)],
        total_hours=total, total_actions=count,
    )


# --- party-member participation by community --------------------------------------------------


@dataclass
class ParticipationRow:
    community: Region
    party_members: int
    party_members_took_part: int
    party_member_hours: Decimal
    volunteers_took_part: int
    hours: Decimal
    actions_held: int

    @property
    def rate(self) -> float | None:
        if not self.party_members:
            return None
        return round(100.0 * self.party_members_took_part / self.party_members, 1)


def participation(user: Any, since: dt.date, until: dt.date) -> list[ParticipationRow]:
    """Per community in scope, for actions held between the two local dates (inclusive): its
    registered party members and how many of them took part in any action, their hours; all
    volunteers of the community who took part and their hours; actions held in the community.
    People count for the community they are registered in; actions for where they were held."""
    start, end = clock.start_of(since), clock.start_of(until + dt.timedelta(days=1))
    communities = list(communities_visible_to(user).order_by("sort_order", "path"))
    held = Action.objects.filter(status=Action.Status.HELD, starts_at__gte=start, starts_at__lt=end)
    actions_by_community = dict(held.values("community_id").annotate(n=Count("id")).values_list("community_id", "n"))
    party: dict[int, int] = defaultdict(int)
    paths = {c.path: c.id for c in communities}
    for path in Person.objects.filter(party_member=True, active=True).values_list("region__path", flat=True):
        community_path = _community_path(path)
        if community_path in paths:
            party[paths[community_path]] += 1
    took_part: dict[int, set[int]] = defaultdict(set)
    party_took_part: dict[int, set[int]] = defaultdict(set)
    hours: dict[int, Decimal] = defaultdict(Decimal)
    party_hours: dict[int, Decimal] = defaultdict(Decimal)
    attended = (Attendance.objects.filter(ATTENDED, cancelled_at__isnull=True, action__in=held)
                .values_list("person_id", "person__region__path", "person__party_member", "hours"))
    for person_id, path, is_party, row_hours in attended:
        community_id = paths.get(_community_path(path))
        if community_id is None:
            continue
        took_part[community_id].add(person_id)
        hours[community_id] += row_hours or Decimal(0)
        if is_party:
            party_took_part[community_id].add(person_id)
            party_hours[community_id] += row_hours or Decimal(0)
    return [ParticipationRow(
        community=c, party_members=party[c.id], party_members_took_part=len(party_took_part[c.id]),
        party_member_hours=party_hours[c.id], volunteers_took_part=len(took_part[c.id]), hours=hours[c.id],
        actions_held=actions_by_community.get(c.id, 0),
    ) for c in communities]


def _community_path(path: str) -> str:
    """The community's path at or above a region's path (/district/street/community/...)."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:3]) + "/" if len(parts) >= 3 else ""

