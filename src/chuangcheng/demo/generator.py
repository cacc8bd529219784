"""The demo subdistrict: 光明路街道 of 回民区, 呼和浩特, with its communities, grids, units,
people, points, a login for every role and eight weeks of daily plans, inspections and cases
(demo.inspections, demo.cases), residents' reports (demo.public), meetings and task lists,
volunteer actions, publicity and household visits, survey answers (demo.tasklists,
demo.volunteering, demo.publicity, demo.surveys), then the rollups, bulletins and rankings.

Two steps. `plan_demo` draws everything from one `random.Random(seed)` into plain records (so
one seed always gives the same codes, names and coordinates); `build_demo` writes the records
through the services, as the system (`by=None`), in one transaction.

The history ends the day before the reference date, today unless `today` names another; one seed
and one reference date always give the same subdistrict, whatever day the build runs on."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chuangcheng.core import clock, dbstats
from chuangcheng.demo.assessment import add_mock_assessment
from chuangcheng.demo.bulletins import publish_history as publish_bulletins
from chuangcheng.demo.escalation import add_escalations
from chuangcheng.demo.hotline import add_hotline_orders
from chuangcheng.demo.inspections import history_days, write_history
from chuangcheng.demo.materials import add_materials
from chuangcheng.demo.plan import DISTRICT_LOGIN, STREET_CODE, DemoPlan, TypeInfo, plan_demo
from chuangcheng.demo.problems import add_problem_lists
from chuangcheng.demo.public import add_resident_reports
from chuangcheng.demo.publicity import add_publicity
from chuangcheng.demo.rankings import publish_history as publish_rankings
from chuangcheng.demo.reports import build_rollups
from chuangcheng.demo.surveys import add_surveys
from chuangcheng.demo.tasklists import add_tasklists
from chuangcheng.demo.volunteering import add_volunteering
from chuangcheng.notify import services as notify_services
from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.org.services import save_login, save_person, save_region, save_unit
from chuangcheng.places.services import save_point
from chuangcheng.standards.models import PointType
from chuangcheng.standards.queries import memoised_checklists, version_in_force
from chuangcheng.standards.services import load_default_catalog

Progress = Callable[[str, int, int], None]

# The order accounts are listed in, and the usernames that make an account a demo account.
ROLE_ORDER = [Role.STREET_ADMIN, Role.LEADER, Role.INSPECTOR, Role.COMMUNITY_ADMIN, Role.GRID_WORKER,
              Role.UNIT_HANDLER, Role.VOLUNTEER]
DEMO_USERNAME = re.compile(
    r"^(?P<role>street_admin|leader|inspector|community_admin|grid_worker|unit_handler|volunteer)(?:_(?P<n>\d+))?$"
)


@dataclass
class DemoResult:
    created: bool
    street_name: str
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)


# The moment a build with a reference date runs at: early on that day, before anyone's shift.
BUILT_AT = dt.time(7, 0)


def build_demo(*, seed: int = 1, password: str | None = None, progress: Progress | None = None,
               today: dt.date | None = None) -> DemoResult:
    """Build the demo subdistrict unless it exists. When it exists nothing changes, except that a
    given password is set on every demo account (so scripts can sign in)."""
    if today is not None:
        with clock.pinned(clock.start_of(today) + dt.timedelta(hours=BUILT_AT.hour, minutes=BUILT_AT.minute)):
            return build_demo(seed=seed, password=password, progress=progress)
    report = progress or _no_progress
    chosen = password or _new_password()
    # Argon2 is slow on purpose: hash once, before the transaction takes the write lock, and
    # share the hash among all accounts (and not at all when there is nothing to set).
    needed = bool(password) or not Region.objects.filter(code=STREET_CODE).exists()
    password_hash = make_password(chosen) if needed else ""
    with transaction.atomic():
        street = Region.objects.filter(code=STREET_CODE).first()
        if street is not None:
            demo_users = _demo_users(street)
            if password:
                for user in demo_users:
                    if user.scope is None:  # never: _demo_users selects by scope
                        continue
                    save_login(by=None, username=user.username, role=user.role, scope=user.scope,
                               person=user.person, password_hash=password_hash)
            return DemoResult(created=False, street_name=street.name, password=password or "",
                              accounts=[(user.username, account_label(user)) for user in demo_users])
        password_hash = password_hash or make_password(chosen)
        report(_("Catalog"), 0, 1)
        load_default_catalog()
        report(_("Catalog"), 1, 1)
        plan = plan_demo(seed, _catalog_types())
        street = _write(plan, password_hash, report)
        # Thousands of inspections against the one catalog version: its checklists are read once.
        with memoised_checklists():
            write_history(seed, plan, progress=lambda done, total: _report(report, _("Inspections"), done, total))
        demo_users = _demo_users(street)
        _write_reports(seed, street, demo_users, report)
    # The history's notifications went to the delivery thread on commit: let them go out before
    # the demo counts as built (as they did when they were sent on the committing thread).
    notify_services.wait_for_delivery(600)
    dbstats.refresh_statistics()  # SQLite's planner reads the demo as it is, from its first request
    return DemoResult(created=True, street_name=street.name, password=chosen,
                      accounts=[(user.username, account_label(user)) for user in demo_users])


def _write_reports(seed: int, street: Region, users: list[User], report: Progress) -> None:
    """Residents' reports and the campaign's other work over the same weeks, then what the office
    published from it all: the stored daily figures, a bulletin for every day and a ranking for
    every finished week."""
    report(_("Residents' reports"), 0, 1)
    add_resident_reports(seed=seed)
    report(_("Residents' reports"), 1, 1)
    # The campaign's other work over the same weeks: meetings and task lists, volunteers,
    # publicity and household visits, survey answers.
    stages: list[tuple[str, Callable[..., int]]] = [
        (_("Task lists"), add_tasklists), (_("Volunteer actions"), add_volunteering),
        (_("Publicity"), add_publicity), (_("Surveys"), add_surveys),
        (_("Mock assessment"), add_mock_assessment), (_("Problem lists from above"), add_problem_lists),
        (_("12345 work orders"), add_hotline_orders), (_("Escalations"), add_escalations),
    ]
    for label, add in stages:
        report(label, 0, 1)
        add(seed=seed)
        report(label, 1, 1)
    add_materials(seed=seed)  # the assessment materials archive, partly filled
    build_rollups(progress=lambda label, done, total: _report(report, _("Daily figures"), done, total))
    days = history_days(clock.today())
    admin = next(user for user in users if user.role == Role.STREET_ADMIN)
    publish_bulletins(street, days, by=admin,
                      progress=lambda done, total: _report(report, _("Daily bulletins"), done, total))
    publish_rankings(street, days, by=admin,
                     progress=lambda done, total: _report(report, _("Weekly rankings"), done, total))


def account_label(user: User) -> str:
    """How the account list names a demo login: its role and what it answers for."""
    label = str(Role(user.role).label) if user.role in Role.values else user.role
    if user.scope is not None and user.scope.level == Region.Level.DISTRICT:
        label = _("district office admin")
    person = user.person
    if user.role == Role.UNIT_HANDLER and person is not None and person.unit is not None:
        return f"{label} · {person.unit.name}"
    return f"{label} · {user.scope.name}" if user.scope is not None else label


def _no_progress(label: str, done: int, total: int) -> None:
    return None


def _report(report: Progress, label: str, done: int, total: int) -> None:
    """About ten steps a stage: enough for a bar to move, not a flood in a log."""
    if done == total or done % max(1, total // 10) == 0:
        report(label, done, total)


def _new_password() -> str:
    alphabet = "".join(ch for ch in string.ascii_letters + string.digits if ch not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _demo_users(street: Region) -> list[User]:
    users = (
        User.objects.filter(Q(scope__path__startswith=street.path) | Q(username=DISTRICT_LOGIN, scope=street.parent_id))
        .select_related("scope", "person__unit")
    )
    found: list[tuple[int, int, User]] = []
    for user in users:
        if user.username == DISTRICT_LOGIN:  # listed last
            found.append((len(ROLE_ORDER), 0, user))
            continue
        match = DEMO_USERNAME.match(user.username)
        if match is None or match["role"] != user.role:
            continue
        found.append((ROLE_ORDER.index(Role(user.role)), int(match["n"] or 0), user))
    found.sort(key=lambda row: (row[0], row[1]))
    return [user for _, _, user in found]


def _catalog_types() -> list[TypeInfo]:
    version = version_in_force()
    kinds: dict[int, tuple[str, ...]] = {}
    if version is not None:
        for profile in version.profiles.all():
            kinds[profile.point_type_id] = tuple(profile.unit_kinds or ())
    types = PointType.objects.order_by("sort_order", "code")
    return [TypeInfo(t.code, t.name, kinds.get(t.pk, ())) for t in types]


def _write(plan: DemoPlan, password_hash: str, report: Progress) -> Region:
    regions: dict[str, Region] = {}
    label = _("Regions")
    for done, r in enumerate(plan.regions, start=1):
        regions[r.code], _changed = save_region(
            by=None, code=r.code, name=r.name, level=r.level,
            parent=regions[r.parent_code] if r.parent_code else None, boundary=r.boundary,
            households=r.households, population=r.population, sort_order=r.sort_order,
        )
        _report(report, label, done, len(plan.regions))

    units: dict[str, Unit] = {}
    label = _("Responsible units")
    for done, u in enumerate(plan.units, start=1):
        units[u.code], _changed = save_unit(
            by=None, code=u.code, name=u.name, kind=u.kind, region=regions[u.region_code],
            head_name=u.head_name, head_phone=u.head_phone, liaison_name=u.liaison_name,
            liaison_phone=u.liaison_phone, address=u.address,
        )
        _report(report, label, done, len(plan.units))

    people: dict[str, Person] = {}
    label = _("People")
    for done, p in enumerate(plan.people, start=1):
        people[p.code], _changed = save_person(
            by=None, code=p.code, name=p.name, phone=p.phone, region=regions[p.region_code],
            unit=units[p.unit_code] if p.unit_code else None, post=p.post,
            party_member=p.party_member, volunteer=p.volunteer,
        )
        _report(report, label, done, len(plan.people))

    types = {t.code: t for t in PointType.objects.all()}
    label = _("Points")
    for done, pt in enumerate(plan.points, start=1):
        save_point(
            by=None, code=pt.code, name=pt.name, point_type=types[pt.type_code], grid=regions[pt.grid_code],
            lon=pt.lon, lat=pt.lat, address=pt.address, primary_unit=units[pt.primary_unit_code],
            zero_loss=pt.zero_loss, note=pt.note,
            cooperating_units=[units[code] for code in pt.cooperating_unit_codes],
            responsible_people=[people[code] for code in pt.people_codes],
        )
        _report(report, label, done, len(plan.points))

    label = _("Accounts")
    for done, login in enumerate(plan.logins, start=1):
        save_login(by=None, username=login.username, role=login.role, scope=regions[login.scope_code],
                   person=people[login.person_code], password_hash=password_hash)
        _report(report, label, done, len(plan.logins))
    return regions[STREET_CODE]
