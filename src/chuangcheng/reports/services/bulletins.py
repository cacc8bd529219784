"""The daily bulletin (日通报): drafted each evening, reviewed and published by a street admin.

A draft holds the content composed when it was drafted (refreshable); publication recomposes it
one last time, freezes it, gives it the next issue number (第 N 期) of its subdistrict and year,
posts a short text to the subdistrict's group robots and tells the units and communities it names
(reports.distribution)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.gongwen import chinese_date, month_label, pct
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.site import absolute_url
from chuangcheng.org.models import Region, Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.reports.distribution import named_of
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.permissions import can_manage_bulletins
from chuangcheng.reports.queries.bulletins import compose_bulletin, compose_monthly

# Two street admins publishing two bulletins at once may pick the same number; the unique
# constraint refuses the second, which takes the next one.
NUMBER_ATTEMPTS = 5
# How many points or units a group's summary names before it stops.
SUMMARY_NAMES = 5


class AlreadyPublished(ValidationError):
    """A published bulletin is frozen: it is neither redrafted nor published again."""


def bulletin_link(bulletin: Bulletin) -> str:
    return reverse("reports:bulletin", args=[bulletin.street.code, bulletin.key])


def compose_for(street: Region, day: dt.date, kind: str) -> dict[str, Any]:
    """The content of the `kind` bulletin of `street` for `day` (for a monthly one, its month)."""
    if kind == Bulletin.Kind.MONTHLY:
        return compose_monthly(street, day)
    return compose_bulletin(street, day)


def _require(by: Any, street: Region) -> None:
    # by=None is the system (the evening job, the demo generator).
    if by is not None and not can_manage_bulletins(by, street):
        raise PermissionDenied(_("Only the subdistrict's street admins draft and publish its bulletins."))


@transaction.atomic
def draft_bulletin(street: Region, day: dt.date, *, by: Any = None, kind: str = Bulletin.Kind.DAILY) -> Bulletin:
    """Create the draft of `street`'s bulletin for `day` (a monthly one: of its month), or refresh
    the draft there is."""
    if street.level != Region.Level.STREET:
        raise ValidationError({"street": _("Bulletins are made for subdistricts.")})
    _require(by, street)
    if kind == Bulletin.Kind.MONTHLY:
        day = day.replace(day=1)
    bulletin = Bulletin.objects.select_for_update().filter(street=street, kind=kind, day=day).first()
    if bulletin is not None and bulletin.status == Publication.PUBLISHED:
        raise AlreadyPublished(_("This bulletin is published and can no longer change."))
    content = compose_for(street, day, kind)
    now = clock.now()
    if bulletin is None:
        try:
            with transaction.atomic():
                bulletin = Bulletin.objects.create(street=street, kind=kind, day=day, year=day.year,
                                                   content=content, drafted_at=now)
        except IntegrityError:
            # Drafted by someone else (the evening job) a moment ago: refresh theirs.
            bulletin = Bulletin.objects.select_for_update().get(street=street, kind=kind, day=day)
            if bulletin.status == Publication.PUBLISHED:
                raise AlreadyPublished(_("This bulletin is published and can no longer change.")) from None
        else:
            audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=bulletin, region_path=street.path,
                         changes={"day": [None, day.isoformat()], "status": [None, Publication.DRAFT]})
            return bulletin
    bulletin.content = content
    bulletin.drafted_at = now
    bulletin.save(update_fields=["content", "drafted_at"])
    audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=bulletin, region_path=street.path,
                 note="refreshed")
    return bulletin


def _next_number(street: Region, year: int, kind: str = Bulletin.Kind.DAILY) -> int:
    last = Bulletin.objects.filter(street=street, kind=kind, year=year).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _requirements(content: dict[str, Any], deadline: dt.date | None, requirements: str | None) -> None:
    """The 整改要求 as the publisher edited them: the deadline (after the bulletin's day) and the
    items, one per line; what is not given stays as composed."""
    current = content.setdefault("requirements", {})
    if deadline is not None:
        if deadline <= dt.date.fromisoformat(content["day"]):
            raise ValidationError({"deadline": _("The deadline must fall after the bulletin's day.")})
        if (deadline - dt.date.fromisoformat(content["day"])).days > 90:
            raise ValidationError({"deadline": _("Give a deadline within 90 days of the bulletin's day.")})
        current["deadline"] = deadline.isoformat()
    if requirements is not None:
        items = [line.strip() for line in requirements.splitlines() if line.strip()]
        if len(requirements) > 4000:
            raise ValidationError({"requirements": _("Keep the requirements under 4000 characters.")})
        current["items"] = items


@transaction.atomic
def publish_bulletin(bulletin: Bulletin, *, by: Any, remarks: str = "", deadline: dt.date | None = None,
                     requirements: str | None = None) -> Bulletin:
    """Freeze the draft as 第 N 期 of its subdistrict, kind and year, and send it out. `deadline`
    and `requirements` (one item a line) replace the composed 整改要求 when given."""
    street = bulletin.street
    if by is not None and not can_manage_bulletins(by, street):
        raise PermissionDenied(_("Only the subdistrict's street admins draft and publish its bulletins."))
    remarks = (remarks or "").strip()
    if len(remarks) > 4000:
        raise ValidationError({"remarks": _("Keep the remarks under 4000 characters.")})
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if locked.status == Publication.PUBLISHED:
        raise AlreadyPublished(_("This bulletin is published and can no longer change."))
    content = compose_for(street, locked.day, locked.kind)
    _requirements(content, deadline, requirements)
    content["remarks"] = remarks
    now = clock.now()
    for attempt in range(NUMBER_ATTEMPTS):
        number = _next_number(street, locked.year, locked.kind)
        content["number"] = number
        try:
            with transaction.atomic():
                Bulletin.objects.filter(pk=locked.pk).update(
                    number=number, status=Publication.PUBLISHED, content=content, remarks=remarks,
                    published_at=now, published_by=by if getattr(by, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    locked.refresh_from_db()
    audit.record(actor=by, action=AuditEvent.Action.PUBLISH, instance=locked, region_path=street.path,
                 changes={"status": [Publication.DRAFT, Publication.PUBLISHED], "number": [None, locked.number]},
                 note=remarks[:500])
    _send(locked)
    bulletin.refresh_from_db()
    return locked


def summary_text(bulletin: Bulletin) -> tuple[str, str]:
    """The title and the few lines a chat group gets, as a 通报's summary: which issue of which
    day, the key figures, the points and units it names; the link follows."""
    content = bulletin.content
    s = content.get("summary", {})
    title = _("%(title)s, No. %(number)s (%(date)s)") % {
        "title": content.get("title") or _("%(street)s Civilized City Campaign Daily Bulletin") % {
            "street": bulletin.street.name},
        "number": bulletin.number,
        "date": month_label(bulletin.day) if bulletin.kind == Bulletin.Kind.MONTHLY else chinese_date(bulletin.day)}
    lines = [
        _("%(points)s points inspected, %(failed)s items failed, score rate %(rate)s.") % {
            "points": s.get("points_inspected", 0), "failed": s.get("items_failed", 0),
            "rate": pct(s.get("field_rate", s.get("score_rate")))},
        _("%(opened)s new problems, %(rectified)s rectified, %(closed)s closed, %(overdue)s overdue.") % {
            "opened": s.get("cases_opened", 0), "rectified": s.get("cases_rectified", 0),
            "closed": s.get("cases_closed", 0), "overdue": s.get("cases_overdue", 0)},
    ]
    overdue = content.get("overdue_by_unit", [])
    if overdue:
        lines.append(_("Overdue by unit: %(units)s.") % {"units": "、".join(
            _("%(name)s %(count)s") % {"name": row.get("name", ""), "count": row.get("count", 0)}
            for row in overdue[:SUMMARY_NAMES])})
    zero_loss = content.get("zero_loss_failed", [])
    if zero_loss:
        lines.append(_("Zero-loss points that lost points: %(names)s.") % {
            "names": "、".join(row["name"] for row in zero_loss[:SUMMARY_NAMES])})
    focus = content.get("focus", [])
    if focus:
        lines.append(_("Tomorrow's focus: %(names)s.") % {
            "names": "、".join(row["name"] for row in focus[:SUMMARY_NAMES])})
    lines.append(_("Please read the whole bulletin and rectify what it names."))
    return title, "\n".join(lines)


def _send(bulletin: Bulletin) -> None:
    """After commit: the summary with the link to the group robots of the subdistrict and of each
    unit the bulletin names, and an inbox item for the active handlers of those units and the
    admins of the communities it names (reports.distribution)."""
    from chuangcheng.notify import services as notify

    title, body = summary_text(bulletin)
    street = bulletin.street
    key = f"bulletin:{street.code}:{bulletin.kind}:{bulletin.key}:published"
    url = bulletin_link(bulletin)
    # Robots post into chat groups, outside the site: the full address when one is configured.
    notify.notify_region_groups(street, key=key, title=title, body=body, link=absolute_url(None, url))
    units, communities = named_of(bulletin.content)
    for unit in Unit.objects.filter(code__in=units, active=True).order_by("code"):
        notify.notify_unit_groups(unit, key=key, title=title, body=body, link=absolute_url(None, url))
    readers = (User.objects.filter(is_active=True)
               .filter(Q(role=Role.UNIT_HANDLER, person__active=True, person__unit__code__in=units)
                       | Q(role=Role.COMMUNITY_ADMIN, scope__code__in=communities,
                           scope__path__startswith=street.path))
               .order_by("pk"))
    notify.notify_users(readers, key=key, title=title, body=body, link=url)


# --- the evening job --------------------------------------------------------------------------


def draft_time() -> dt.time:
    return dt.time.fromisoformat(str(settings.BULLETIN_DRAFT_AT))


def draft_due_bulletins(now: dt.datetime | None = None) -> int:
    """Once the local time is past BULLETIN_DRAFT_AT, draft today's bulletin of every subdistrict
    that has none yet. Safe to run any number of times: returns how many drafts it made."""
    now = now or clock.now()
    local = clock.local(now)
    if local.time() < draft_time():
        return 0
    day = local.date()
    made = 0
    due = [(Bulletin.Kind.DAILY, day)]
    if day.day == 1:  # the first evening of a month drafts the month before's 月度通报
        due.append((Bulletin.Kind.MONTHLY, (day - dt.timedelta(days=1)).replace(day=1)))
    for kind, key in due:
        done = Bulletin.objects.filter(kind=kind, day=key).values("street_id")
        for street in Region.objects.filter(level=Region.Level.STREET).exclude(pk__in=done).order_by("path"):
            if not Point.objects.within(street).filter(active=True).exists():
                continue  # a subdistrict with nothing to inspect has nothing to report
            with clock.pinned(now):
                draft_bulletin(street, key, by=None, kind=kind)
            made += 1
    return made
