"""The escalation ladder (督办), run by the deadline sweep after its first escalation.

Per street (EscalationRules, defaults when a street has none): once a case is overdue its unit's
head and liaison are reminded every day at the street's hour until the case is rectified (SMS, the
unit's group robots, the inbox of the unit's handlers); after N working days overdue the unit gets a
numbered 督办通知单 listing all its cases past N (one per unit and day); after M working days its
cases put it on the week's 约谈 list. Nothing goes out in quiet hours: it waits for the next allowed
sweep. Each step is claimed with a conditional UPDATE or a unique row, writes an event on the case
and sends messages with fixed keys, so the sweep may run anywhere, any number of times."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, CaseEvent, EscalationRules, SupervisionNotice
from chuangcheng.core import clock, workcal
from chuangcheng.core.workflow import SYSTEM, actor_name
from chuangcheng.org.models import Region, Role, Unit, User

REPLY_WORKING_DAYS = 2


def street_code(region: Region) -> str | None:
    """The code of the street a region lies in (its own, for a street); None above the streets."""
    codes = region.ancestor_codes()
    return codes[1] if len(codes) >= 2 else None


def rules_for(street: Region | None) -> EscalationRules:
    """The street's rules, or the defaults (unsaved) when it has none."""
    if street is None:
        return EscalationRules()
    return EscalationRules.objects.filter(street=street).first() or EscalationRules(street=street)


def warn_fraction(region: Region) -> float:
    """The share of the time limit after which the unit is warned, by the rules of the region's street."""
    code = street_code(region)
    street = Region.objects.filter(code=code).first() if code else None
    return rules_for(street).warn_percent / 100


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


class Ladder:
    """Rules, streets and working days read once per sweep."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.local = clock.local(now)
        self.today = self.local.date()
        self.calendar = workcal.WorkCalendar()
        self._streets: dict[str, Region | None] = {}
        self._rules: dict[str, EscalationRules] = {}
        self._working: dict[dt.date, bool] = {}

    def street(self, grid: Region) -> Region | None:
        code = street_code(grid)
        if code is None:
            return None
        if code not in self._streets:
            self._streets[code] = Region.objects.filter(code=code).first()
        return self._streets[code]

    def rules(self, grid: Region) -> EscalationRules:
        code = street_code(grid) or ""
        if code not in self._rules:
            self._rules[code] = rules_for(self.street(grid))
        return self._rules[code]

    def may_send(self, grid: Region) -> bool:
        """Outside the street's quiet hours."""
        return not self.rules(grid).is_quiet(self.local.time())

    def reminder_due(self, grid: Region) -> bool:
        """Today's reminders may go: outside quiet hours, at or after the street's hour (an hour set
        inside the quiet hours waits for the end of them)."""
        rules = self.rules(grid)
        if rules.is_quiet(self.local.time()):
            return False
        return self.local.time() >= rules.remind_at or rules.is_quiet(rules.remind_at)

    def working_days_overdue(self, deadline: dt.datetime) -> int:
        """Working days after the deadline's day, up to and including today."""
        day = clock.local(deadline).date() + dt.timedelta(days=1)
        count = 0
        while day <= self.today:
            if day not in self._working:
                self._working[day] = self.calendar.is_working_day(day)
            count += self._working[day]
            day += dt.timedelta(days=1)
        return count


def in_its_state_at(now: dt.datetime) -> Q:
    """Cases that were in their present state at `now`: the last change of state up to `now`
    led to it. When `now` is the present that is every case; when the sweep is replayed over a
    written history (the demo does) a case that was, say, rectified at that moment and sent back
    for rework later is left alone, so no step is written with a state it did not have then."""
    then = (CaseEvent.objects.filter(case=OuterRef("pk"), at__lte=now).exclude(from_state=F("to_state"))
            .order_by("-at", "-id").values("to_state")[:1])
    return Q(state=Subquery(then))


def _overdue(now: dt.datetime) -> Any:
    from chuangcheng.cases.queries import overdue_q

    return (Case.objects.filter(overdue_q(now), in_its_state_at(now), unit__isnull=False)
            .select_related("category", "grid", "unit", "point").order_by("pk"))


def _event(case: Case, now: dt.datetime, action: str, note: str, data: dict[str, Any]) -> CaseEvent:
    return CaseEvent.objects.create(case=case, at=now, actor=None, actor_name=actor_name(SYSTEM), action=action,
                                    from_state=case.state, to_state=case.state, note=note, data=data)


def _handlers(unit: Unit) -> list[Any]:
    return list(User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit=unit).order_by("pk"))


def _street_admins(street: Region | None) -> list[Any]:
    if street is None:
        return []
    admins = User.objects.filter(role=Role.STREET_ADMIN, is_active=True, scope__isnull=False).select_related("scope")
    return [user for user in admins.order_by("pk")
            if user.scope is not None and street.path.startswith(user.scope.path)]


def sms(key: str, phones: Iterable[str], title: str, body: str) -> None:
    from chuangcheng.notify import services as notify
    from chuangcheng.notify.models import Channel

    for phone in dict.fromkeys(p for p in phones if p):
        notify.enqueue(key=f"{key}:{Channel.SMS}:{phone}", channel=Channel.SMS, target=phone, title=title, body=body)


def remind(now: dt.datetime, ladder: Ladder) -> int:
    """The daily reminder of every overdue case to its unit's head and liaison, once a day, from the
    day after its first escalation until it is rectified (or its clock stops)."""
    from chuangcheng.cases.services import case_link
    from chuangcheng.notify import services as notify

    day = ladder.today
    candidates = _overdue(now).filter(escalated_at__isnull=False).filter(Q(reminded_on__isnull=True)
                                                                          | Q(reminded_on__lt=day))
    sent = 0
    for case in candidates:
        assert case.deadline is not None and case.unit is not None  # noqa: S101 - selected so
        if not ladder.reminder_due(case.grid) or (case.escalated_at and clock.local(case.escalated_at).date() == day):
            continue
        with transaction.atomic():
            claimed = Case.objects.filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=day), pk=case.pk,
                                          state=case.state, deadline=case.deadline).update(reminded_on=day)
            if not claimed:
                continue
            days = ladder.working_days_overdue(case.deadline)
            unit = case.unit
            title = _("Reminder: case %(number)s of %(unit)s is overdue since %(deadline)s "
                      "(%(days)d working days)") % {"number": case.number, "unit": unit.name,
                                                     "deadline": f"{clock.local(case.deadline):%Y-%m-%d}",
                                                     "days": days}
            _event(case, now, "remind", "", {"day": day.isoformat(), "days_overdue": days, "unit": unit.code})
            key = f"case:{case.number}:remind:{day.isoformat()}"
            body = f"{case.category.name} · {case.address or case.grid.name}"
            sms(key, [unit.head_phone, unit.liaison_phone], title, body)
            notify.notify_users(_handlers(unit), key=key, title=title, body=body, link=case_link(case))
            notify.notify_unit_groups(unit, key=key, title=title, body=body)
            sent += 1
    return sent


def issue_notices(now: dt.datetime, ladder: Ladder) -> int:
    """督办通知单: one per unit and day listing all its cases past the street's N working days."""
    groups: dict[tuple[int, int], list[Case]] = defaultdict(list)
    streets: dict[int, Region] = {}
    for case in _overdue(now):
        assert case.deadline is not None and case.unit_id is not None  # noqa: S101 - selected so
        street = ladder.street(case.grid)
        if street is None or not ladder.reminder_due(case.grid):
            continue
        if ladder.working_days_overdue(case.deadline) >= ladder.rules(case.grid).notice_after_days:
            streets[street.pk] = street
            groups[(street.pk, case.unit_id)].append(case)
    issued = 0
    for (street_pk, _unit_pk), cases in groups.items():
        if not _without_notice(cases):
            continue
        if _issue(streets[street_pk], cases, now, ladder) is not None:
            issued += 1
    return issued


def _without_notice(cases: list[Case]) -> bool:
    """Some case of the group is on no notice since it was last dispatched (a notice lists all the
    unit's cases past N, but is issued again only for a case not yet on one)."""
    noticed = set(SupervisionNotice.cases.through.objects.filter(
        case_id__in=[c.pk for c in cases]).values_list("case_id", "supervisionnotice__issued_at"))
    latest: dict[int, dt.datetime] = {}
    for case_id, issued_at in noticed:
        latest[case_id] = max(latest.get(case_id, issued_at), issued_at)
    return any(case.pk not in latest or (case.dispatched_at is not None and latest[case.pk] < case.dispatched_at)
               for case in cases)


def _issue(street: Region, cases: list[Case], now: dt.datetime, ladder: Ladder) -> SupervisionNotice | None:
    from chuangcheng.cases.services import case_link
    from chuangcheng.notify import services as notify

    unit = cases[0].unit
    assert unit is not None  # noqa: S101 - grouped by unit
    if SupervisionNotice.objects.filter(unit=unit, day=ladder.today).exists():
        return None
    year = ladder.today.year
    reply_by = ladder.calendar.add_working_days(now, REPLY_WORKING_DAYS)
    try:
        with transaction.atomic():
            last = SupervisionNotice.objects.filter(street=street, year=year).aggregate(n=Max("number"))["n"] or 0
            notice = SupervisionNotice.objects.create(street=street, year=year, number=last + 1, unit=unit,
                                                      day=ladder.today, issued_at=now,
                                                      reply_by=clock.local(reply_by).date())
            notice.cases.set(cases)
            for case in cases:
                _event(case, now, "supervise", notice.label,
                       {"notice": notice.label, "days_overdue": ladder.working_days_overdue(case.deadline)
                        if case.deadline else 0, "unit": unit.code})
            title = _("Supervision notice %(label)s to %(unit)s: %(n)d overdue cases") % {
                "label": notice.label, "unit": unit.name, "n": len(cases)}
            body = "\n".join(case.number for case in cases)
            key = f"notice:{street.code}:{year}:{notice.number}"
            sms(key, [unit.head_phone], title, _("Please reply by %(day)s.") % {"day": f"{notice.reply_by:%Y-%m-%d}"})
            link = case_link(cases[0])
            notify.notify_users(_handlers(unit) + _street_admins(street), key=key, title=title, body=body, link=link)
            notify.notify_unit_groups(unit, key=key, title=title, body=body)
    except IntegrityError:
        # Another sweep issued it (or took the number) a moment ago: nothing is written twice.
        return None
    return notice


def list_for_talks(now: dt.datetime, ladder: Ladder) -> int:
    """约谈: a case past the street's M working days puts its unit on this week's list (an event once
    a week per case); the list page reads the cases past M."""
    week = iso_week(ladder.today)
    listed = 0
    for case in _overdue(now).exclude(interview_week=week):
        assert case.deadline is not None and case.unit is not None  # noqa: S101 - selected so
        if not ladder.reminder_due(case.grid):
            continue
        days = ladder.working_days_overdue(case.deadline)
        if days < ladder.rules(case.grid).interview_after_days:
            continue
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk).exclude(interview_week=week).update(interview_week=week):
                continue
            _event(case, now, "interview_list", week, {"week": week, "days_overdue": days, "unit": case.unit.code})
            listed += 1
    return listed


# --- reading the ladder ----------------------------------------------------------------------------


def talk_list(cases: Any, now: dt.datetime) -> list[dict[str, Any]]:
    """This week's 约谈 list over `cases` (already scoped): units with cases past their street's M
    working days, worst first, with the notices they were issued this year."""
    ladder = Ladder(now)
    rows: dict[int, dict[str, Any]] = {}
    for case in cases.filter(pk__in=_overdue(now).values("pk")).select_related("category", "grid", "unit"):
        days = ladder.working_days_overdue(case.deadline)
        if days < ladder.rules(case.grid).interview_after_days:
            continue
        row = rows.setdefault(case.unit_id, {"unit": case.unit, "cases": [], "worst": 0})
        row["cases"].append((case, days))
        row["worst"] = max(row["worst"], days)
    notices = SupervisionNotice.objects.filter(unit_id__in=rows, year=ladder.today.year).order_by("number")
    for notice in notices:
        rows[notice.unit_id].setdefault("notices", []).append(notice)
    return sorted(rows.values(), key=lambda r: (-len(r["cases"]), -r["worst"], r["unit"].code))

