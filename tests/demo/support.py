"""What the demo tests share: a snapshot of everything the generator writes, and a wipe that
deletes it (plans, inspections, cases, their photos and messages included) in reverse foreign-key
order."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from chuangcheng.cases.models import Case, CaseCounter, CaseEvent
from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult, PlanRules
from chuangcheng.notify.models import Message, Webhook
from chuangcheng.org.models import Person, Region, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.public.models import Report
from chuangcheng.reports.models import Bulletin, Ranking


def snapshot() -> dict[str, list[Any]]:
    """Codes, names, coordinates and links, never primary keys: what must repeat for one seed."""
    points = Point.objects.select_related("point_type", "grid", "primary_unit").prefetch_related(
        "cooperating_units", "responsible_people"
    )
    return {
        "regions": list(Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent__code", "path", "boundary", "households", "population", "sort_order")),
        "units": list(Unit.objects.order_by("code").values_list(
            "code", "name", "kind", "region__code", "head_name", "head_phone", "liaison_name", "liaison_phone",
            "address")),
        "people": list(Person.objects.order_by("code").values_list(
            "code", "name", "phone", "region__code", "unit__code", "post", "party_member", "volunteer")),
        "points": [
            (p.code, p.name, p.point_type.code, p.grid.code, str(p.lon), str(p.lat), p.address, p.primary_unit.code,
             sorted(u.code for u in p.cooperating_units.all()), sorted(x.code for x in p.responsible_people.all()),
             p.zero_loss, p.note)
            for p in points.order_by("code")
        ],
        "logins": list(User.objects.order_by("username").values_list(
            "username", "role", "scope__code", "person__code", "is_staff")),
        "cases": list(Case.objects.order_by("number").values_list(
            "number", "category__code", "state", "resolution", "source", "severity", "point__code", "grid__code",
            "unit__code", "description", "reported_at", "reported_by__username")),
        "case events": list(CaseEvent.objects.order_by("case__number", "at", "id").values_list(
            "case__number", "action", "from_state", "to_state", "actor__username", "at", "note")),
        "visits": list(Assignment.objects.order_by("plan__day", "point__code").values_list(
            "plan__day", "point__code", "person__username", "position", "reason")),
        "inspections": list(Inspection.objects.order_by("day", "point__code").values_list(
            "key", "day", "point__code", "inspector__username", "assignment__point__code", "started_at",
            "submitted_at", "lon", "lat", "distance_m", "location", "score", "max_score", "failed_count")),
        "failures": list(ItemResult.objects.exclude(result=ItemResult.Result.PASS).order_by(
            "inspection__key", "item__code").values_list(
            "inspection__key", "item__code", "result", "count", "category__code", "case__number", "case_opened")),
        "bulletins": list(Bulletin.objects.order_by("day").values_list("day", "number", "status")),
        "rankings": [(r.week, [(row["code"], row["rank"], row["total"]) for row in r.content["rows"]])
                     for r in Ranking.objects.order_by("week_start")],
        "resident reports": list(Report.objects.order_by("case__number").values_list(
            "case__number", "channel", "feedback", "phone_verified")),
    }


def wipe(*, events_after: int = 0) -> None:
    """Delete the demo (and the audit events it wrote); the catalog stays."""
    AuditEvent.objects.filter(id__gt=events_after).delete()
    for label in ("assessment", "reports", "public", "engagement", "surveys"):  # rounds, publications, rollups first
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model.objects.all().delete()
    Inspection.objects.all().delete()
    DailyPlan.objects.all().delete()
    PlanRules.objects.all().delete()
    Case.objects.all().delete()
    CaseCounter.objects.all().delete()
    Photo.objects.all().delete()
    Message.objects.all().delete()
    Webhook.objects.all().delete()
    Point.objects.all().delete()
    User.objects.all().delete()
    Person.objects.all().delete()
    Unit.objects.all().delete()
    for level in sorted(Region.Level.values, reverse=True):
        Region.objects.filter(level=level).delete()
