from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuangcheng.engagement.publicity import permissions as publicity
from chuangcheng.engagement.tasklists import permissions as tasklists
from chuangcheng.engagement.volunteering import permissions as volunteering
from chuangcheng.materials import permissions as materials
from chuangcheng.org import permissions
from chuangcheng.org.models import Role
from chuangcheng.org.permissions import has_role
from chuangcheng.org.queries import street_of_region
from chuangcheng.problems import permissions as problems
from chuangcheng.reports.permissions import BULLETIN_READERS, DASHBOARD_ROLES
from chuangcheng.surveys import permissions as surveys


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def menu_for(user: Any) -> list[NavItem]:
    items = [
        NavItem(str(_("Home")), reverse("web:home"), "home"),
        NavItem(str(_("Cases")), reverse("cases:list"), "cases"),
        NavItem(str(_("Points")), reverse("places:list"), "points"),
        NavItem(str(_("Map")), reverse("places:map"), "map"),
        NavItem(str(_("Regions")), reverse("org:regions"), "regions"),
        NavItem(str(_("Units")), reverse("org:units"), "units"),
        NavItem(str(_("Catalog")), reverse("standards:catalog"), "catalog"),
        NavItem(str(_("Inbox")), reverse("notify:inbox"), "inbox"),
    ]
    if permissions.has_role(user, Role.INSPECTOR, Role.GRID_WORKER):
        items.insert(1, NavItem(str(_("Today's round")), reverse("inspections:today"), "round"))
    if permissions.has_role(user, *permissions.ADMIN_ROLES):
        items.insert(1, NavItem(str(_("Morning board")), reverse("inspections:board"), "board"))
    if permissions.has_role(user, Role.INSPECTOR, Role.GRID_WORKER, *permissions.ADMIN_ROLES):
        items.insert(3, NavItem(str(_("Inspection records")), reverse("inspections:history"), "inspection_records"))
    if has_role(user, *DASHBOARD_ROLES):
        items.insert(1, NavItem(str(_("Dashboards")), reverse("reports:overview"), "dashboards"))
        items.insert(len(items) - 1, NavItem(str(_("One map")), reverse("reports:map"), "onemap"))
    if has_role(user, *BULLETIN_READERS, Role.COMMUNITY_ADMIN):
        items.insert(len(items) - 1, NavItem(str(_("Daily bulletins")), reverse("reports:bulletins"), "bulletins"))
        items.insert(len(items) - 1, NavItem(str(_("Weekly rankings")), reverse("reports:rankings"), "rankings"))
        items.insert(len(items) - 1, NavItem(str(_("Mock assessment")), reverse("assessment:rounds"), "assessment"))
    elif has_role(user, Role.UNIT_HANDLER, Role.GRID_WORKER):
        # They read the published bulletins that name their unit or community (reports.distribution).
        items.insert(len(items) - 1, NavItem(str(_("Daily bulletins")), reverse("reports:bulletins"), "bulletins"))
    if has_role(user, *permissions.ADMIN_ROLES):
        items.insert(len(items) - 1, NavItem(str(_("Residents' reports")), reverse("public:triage"), "triage"))
    if has_role(user, Role.STREET_ADMIN):
        items.append(NavItem(str(_("Moderation")), reverse("public:moderation"), "moderation"))
        if user.is_superuser or _street_of(user) is not None:  # a district's admin has no street's keys
            items.append(NavItem(str(_("Open311 API keys")), reverse("open311:keys"), "open311"))
    if settings.PUBLIC_POINTS_ENABLED and has_role(user, *permissions.ADMIN_ROLES):
        items.append(NavItem(str(_("Civility points")), reverse("public:points"), "points_ledger"))
    items += _campaign_items(user)
    if permissions.can_list_people(user):
        items.insert(5, NavItem(str(_("People")), reverse("org:people"), "people"))
    if permissions.can_import(user):
        items.append(NavItem(str(_("Import")), reverse("web:import"), "import"))
    if permissions.can_view_audit(user):
        items.append(NavItem(str(_("Change log")), reverse("web:audit"), "audit"))
    return items


def _street_of(user: Any) -> Any:
    scope = getattr(user, "scope", None)
    return street_of_region(scope) if scope is not None else None


def _campaign_items(user: Any) -> list[NavItem]:
    """Task lists, volunteers, publicity and surveys: each role sees its own way in, as each area's
    permissions say."""
    items: list[NavItem] = []
    if has_role(user, Role.STREET_ADMIN, Role.LEADER, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR):
        items.append(NavItem(str(_("Task list")), reverse("tasklists:list"), "tasks"))
    if has_role(user, Role.UNIT_HANDLER):
        items.append(NavItem(str(_("My tasks")), reverse("tasklists:mine"), "my_tasks"))
    if tasklists.can_read_meetings(user):
        items.append(NavItem(str(_("Promotion meetings")), reverse("tasklists:meetings"), "meetings"))
    if tasklists.can_see_overview(user):
        items.append(NavItem(str(_("Completion by unit")), reverse("tasklists:by_unit"), "tasks_by_unit"))
    items.append(NavItem(str(_("Volunteer actions")), reverse("volunteering:list"), "volunteering"))
    if has_role(user, Role.VOLUNTEER) or volunteering.can_sign_up(user):
        items.append(NavItem(str(_("My volunteer record")), reverse("volunteering:mine"), "my_volunteering"))
    if volunteering.can_see_participation(user):
        items.append(NavItem(str(_("Party-member participation")), reverse("volunteering:participation"),
                             "participation"))
    if publicity.can_view_publicity(user):
        items.append(NavItem(str(_("Publicity")), reverse("publicity:index"), "publicity"))
    if publicity.can_push_anywhere(user):
        items.append(NavItem(str(_("Household visits")), reverse("publicity:visit_new"), "household_visit"))
    if surveys.can_read_surveys(user):
        items.append(NavItem(str(_("Surveys")), reverse("surveys:list"), "surveys"))
    if materials.reads_materials(user):
        items.append(NavItem(str(_("Assessment materials")), reverse("materials:index"), "materials"))
    if problems.reads_problem_lists(user):
        items.append(NavItem(str(_("Problem lists from above")), reverse("problems:lists"), "problem_lists"))
    return items
