"""Each role's home page: the first screen is what that person needs now (issue 16). Every part is
read through the owning app's queries; this module only picks and shapes them for one role, and
every figure it shows carries the address of the list behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, When
from django.urls import reverse

from chuangcheng.cases import queries as case_queries
from chuangcheng.cases.models import State
from chuangcheng.core import clock
from chuangcheng.engagement.tasklists import queries as task_queries
from chuangcheng.engagement.volunteering import queries as volunteer_queries
from chuangcheng.engagement.volunteering import services as volunteer_services
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.inspections.queries import plans as plan_queries
from chuangcheng.inspections.queries import records
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Role
from chuangcheng.public.queries import triage_count
from chuangcheng.reports import permissions as report_permissions
from chuangcheng.reports.models import Bulletin, Publication, Ranking
from chuangcheng.reports.queries import figures
from chuangcheng.reports.queries.bulletins import bulletins_visible_to
from chuangcheng.reports.services import rankings

# How many rows each list of a home shows before "all …" (the list behind it).
SHORT_LIST = 5
LONG_LIST = 10


def _url(name: str, *args: Any, **params: Any) -> str:
    url = reverse(name, args=args or None)
    query = urlencode([(k, v) for k, v in params.items() if v not in ("", None)])
    return f"{url}?{query}" if query else url


def template_for(user: Any) -> str:
    """The home template of the user's role; an operator with no role reads the street admin's."""
    role = getattr(user, "role", "") or Role.STREET_ADMIN
    if role in (Role.GRID_WORKER, Role.INSPECTOR):
        return "web/home/field.html"
    return f"web/home/{role}.html"


def context_for(user: Any) -> dict[str, Any]:
    builders: dict[str, Any] = {
        Role.GRID_WORKER: field_home, Role.INSPECTOR: field_home, Role.UNIT_HANDLER: unit_home,
        Role.COMMUNITY_ADMIN: community_home, Role.STREET_ADMIN: street_home, Role.LEADER: leader_home,
        Role.VOLUNTEER: volunteer_home,
    }
    builder = builders.get(getattr(user, "role", "") or Role.STREET_ADMIN, street_home)
    return {"scope": org_queries.scope_of(user), "today": clock.today(), **builder(user)}


# --- grid worker and inspector ------------------------------------------------------------------

def field_home(user: Any) -> dict[str, Any]:
    """Today's round in walking order with its progress, and the cases waiting for them to verify."""
    today = clock.today()
    visits = plan_queries.visits_of(user, today)
    point_ids = [v.point_id for v in visits]
    done = set(records.inspections_visible_to(user).filter(day=today, point_id__in=point_ids)
               .values_list("point_id", flat=True)) if point_ids else set()
    to_verify = case_queries.cases_visible_to(user).filter(state=State.RECTIFIED)
    counts = case_queries.case_counts(user, clock.now())
    return {
        "plan": plan_queries.plan_of(user, today),
        "visits": [{"visit": v, "point": v.point, "done": v.point_id in done} for v in visits],
        "done_count": sum(1 for v in visits if v.point_id in done),
        "to_verify": list(to_verify.order_by("rectified_at", "id")[:SHORT_LIST]),
        "to_verify_count": counts.get(State.RECTIFIED, 0),  # the same cases, counted with the others
        "to_verify_url": _url("cases:list", state=State.RECTIFIED),
        "cases": counts,
        "bulletins": latest_bulletins(user),
    }


# --- unit handler --------------------------------------------------------------------------------

def unit_home(user: Any) -> dict[str, Any]:
    """The unit's open cases by deadline (overdue first: the earliest deadlines), and its open tasks."""
    now = clock.now()
    mine = case_queries.filter_cases(user, case_queries.CaseFilter(mine=True), now=now)
    tasks = task_queries.filter_tasks(user, task_queries.TaskFilter(mine=True, state="open"), now=now)
    person = getattr(user, "person", None)
    counts = mine.aggregate(n=Count("id"), overdue=Count("id", filter=case_queries.overdue_q(now)),
                            due_soon=Count("id", filter=case_queries.due_soon_q(now)))
    return {
        "unit": person.unit if person is not None and person.unit_id else None,
        "open_cases": [(case, case.is_overdue(now)) for case in
                       mine.annotate(late=Case(When(case_queries.overdue_q(now), then=0), default=1))
                       .order_by("late", F("deadline").asc(nulls_last=True), "reported_at")[:LONG_LIST]],
        "open_count": counts["n"],
        "overdue_count": counts["overdue"],
        "due_soon_count": counts["due_soon"],
        "open_url": _url("cases:list", mine=1),
        "overdue_url": _url("cases:list", mine=1, overdue=1),
        "due_soon_url": _url("cases:list", mine=1, due_soon=1),
        "tasks": list(tasks.order_by("due_on", "number")[:SHORT_LIST]),
        "task_count": tasks.count(),
        "bulletins": latest_bulletins(user),
    }


# --- community admin ------------------------------------------------------------------------------

def community_home(user: Any) -> dict[str, Any]:
    """The community's morning board in short (today's visits done of planned, overdue by unit) and
    yesterday's figures."""
    today = clock.today()
    board = plan_queries.board(user, today)
    scope = org_queries.scope_of(user)
    return {
        "board": board,
        "board_url": reverse("inspections:board"),
        "overdue_by_unit": [row for row in board.cases if row.overdue][:LONG_LIST],
        "yesterday": yesterday_figures(scope, today - dt.timedelta(days=1)) if scope is not None else None,
        "cases": case_queries.case_counts(user, clock.now()),
        "bulletins": latest_bulletins(user),
    }


def yesterday_figures(region: Any, day: dt.date) -> list[dict[str, Any]]:
    """A few of the day's stored figures of `region`, each with the list behind it."""
    fig = figures.totals(region, day, day)
    span = {"since": day.isoformat(), "until": day.isoformat()}
    history = "inspections:history"
    return [
        {"label": "inspections", "n": fig.inspections, "url": _url(history, **span, community=region.code)},
        {"label": "items_failed", "n": fig.items_failed,
         "url": _url(history, **span, community=region.code, failed=1)},
        {"label": "cases_opened", "n": fig.cases_opened, "url": _url("cases:list", **span, region=region.code)},
        {"label": "cases_closed", "n": fig.cases_closed,
         "url": _url("cases:list", **span, region=region.code, did="closed")},
    ]


# --- street admin ---------------------------------------------------------------------------------

def street_home(user: Any) -> dict[str, Any]:
    """Today's board in short, the drafts waiting to be published, the residents' reports waiting to
    be triaged, and the cases overdue by unit."""
    today = clock.today()
    board = plan_queries.board(user, today)
    # Drafts they may publish now (a ranking's draft of the week under way waits for the week's end).
    # (Not their content: a bulletin's is tens of kilobytes of JSON, and the list shows day and street.)
    drafts = [b for b in bulletins_visible_to(user).filter(status=Publication.DRAFT).defer("content")
              .order_by("-day")[:SHORT_LIST] if report_permissions.can_publish_bulletin(user, b)]
    ranking_drafts = rankings.drafts_to_publish(user)
    return {
        "board": board,
        "board_url": reverse("inspections:board"),
        "bulletin_drafts": drafts,
        "ranking_drafts": ranking_drafts[:SHORT_LIST],
        "triage_count": triage_count(user),
        "overdue_by_unit": [row for row in board.cases if row.overdue][:LONG_LIST],
        "cases": case_queries.case_counts(user, clock.now()),
        "bulletins": latest_bulletins(user),
    }


# --- leader ---------------------------------------------------------------------------------------

def leader_home(user: Any) -> dict[str, Any]:
    """Yesterday's bulletin (the latest published), this week's ranking (the latest they read) with
    its red and black lists, and the cases overdue by unit."""
    from chuangcheng.reports.views.rankings import HONOUR_TITLES

    bulletin = (bulletins_visible_to(user).filter(status=Publication.PUBLISHED, kind=Bulletin.Kind.DAILY)
                .order_by("-day").first())
    ranking = latest_ranking(user)
    honours = rankings.honour_lists(ranking) if ranking is not None else {}
    return {
        "bulletin": bulletin,
        "bulletin_lead": "".join(bulletin.content.get("lead") or []) if bulletin is not None else "",
        "ranking": ranking,
        "ranked": [row for row in (ranking.content.get("rows", []) if ranking else []) if row.get("rank")],
        "honours": [(key, title, honours[key]) for key, title in HONOUR_TITLES if honours.get(key)],
        "overdue_by_unit": [row for row in plan_queries.cases_by_unit(user, clock.today()) if row.overdue],
        "cases": case_queries.case_counts(user, clock.now()),
        "bulletins": latest_bulletins(user),
    }


def latest_ranking(user: Any) -> Ranking | None:
    """The newest published weekly ranking of the user's first subdistrict (else the newest draft)."""
    street = rankings.streets_for(user).order_by("path").first()
    if street is None:
        return None
    readable = rankings.rankings_for(user, street).select_related("street").order_by("-week_start")
    # The one published this week (last week's) before a draft of the week still under way.
    return readable.filter(status=Publication.PUBLISHED).first() or readable.first()


# --- volunteer ------------------------------------------------------------------------------------

def volunteer_home(user: Any) -> dict[str, Any]:
    """The next action they signed up for (with check-in or check-out), and their hours this month and
    this year."""
    record = volunteer_queries.my_record(user)
    today = clock.today()
    month, year = f"{today:%Y-%m}", today.year
    now = clock.now()
    upcoming = [row for row in record.rows if row.action.status == Action.Status.PLANNED and row.action.ends_at >= now
                and not row.checked_out_at]
    upcoming.sort(key=lambda row: row.action.starts_at)
    undoable = [row for row in record.rows if volunteer_services.can_undo_check_out(row, now)]
    return {
        "undo": undoable[0] if undoable else None,
        "undo_until": volunteer_services.undo_checkout_until(undoable[0]) if undoable else None,
        "next": upcoming[0] if upcoming else None,
        "later": upcoming[1:SHORT_LIST],
        "hours_month": next((hours for key, hours, _n in record.months if key == month), 0),
        "hours_year": next((hours for key, hours, _n in record.years if key == year), 0),
        "actions_year": next((n for key, _h, n in record.years if key == year), 0),
    }


# The home page's "latest bulletins": how many it shows, and how many of the latest published ones
# it looks through for a unit handler or grid worker (those that name them).
LATEST_BULLETINS = 3
LATEST_SCAN = 30


def latest_bulletins(user: Any) -> list[Any]:
    """The latest published bulletins the user may read: a few small columns, not their content."""
    from django.db.models.fields.json import KT

    latest = (bulletins_visible_to(user, recent=LATEST_SCAN).filter(status=Publication.PUBLISHED)
              .order_by("-day", "street__path").values("pk")[:LATEST_BULLETINS])
    # The titles of those few only: read from each bulletin's JSON, they cost a parse of its whole
    # content per row, and the database reads them before it sorts and cuts.
    return list(
        Bulletin.objects.filter(pk__in=latest)
        .select_related("street").only("day", "number", "street__code", "street__name")
        .annotate(title=KT("content__title")).order_by("-day", "street__path")
    )
