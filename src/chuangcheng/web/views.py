from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangcheng.core import health
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.pagination import paginate
from chuangcheng.org import permissions
from chuangcheng.org import queries as org_queries
from chuangcheng.places.queries import points_visible_to
from chuangcheng.web import homes

AUDITED_TYPES = [
    ("org.region", gettext_lazy("regions")),
    ("org.unit", gettext_lazy("responsible units")),
    ("org.person", gettext_lazy("people")),
    ("org.user", gettext_lazy("logins")),
    ("places.point", gettext_lazy("points")),
    ("standards.catalogversion", gettext_lazy("catalog versions")),
    ("standards.checkitem", gettext_lazy("check items")),
    ("standards.typeprofile", gettext_lazy("point type profiles")),
]


def home(request: HttpRequest) -> HttpResponse:
    """Each role's own first screen (web.homes); the inventory of the scope follows on the street
    admin's and an operator's."""
    user = request.user
    context = homes.context_for(user)
    if homes.template_for(user) == "web/home/street_admin.html":
        context.update(_inventory(user))
    return render(request, homes.template_for(user), context)


def _inventory(user: Any) -> dict[str, Any]:
    """What the scope holds: communities, grids, points by type, units, people."""
    # The points by type carry the totals (all and zero-loss), the communities listed their count.
    by_type = list(points_visible_to(user).filter(active=True).order_by()
                   .values("point_type__code", "point_type__name")
                   .annotate(n=Count("id"), zero_loss=Count("id", filter=Q(zero_loss=True)))
                   .order_by("-n", "point_type__code"))
    communities = list(org_queries.communities_visible_to(user).select_related(None).only("code", "name"))
    return {
        "point_count": sum(row["n"] for row in by_type),
        "zero_loss_count": sum(row["zero_loss"] for row in by_type),
        "community_count": len(communities),
        "grid_count": org_queries.grids_visible_to(user).count(),
        "unit_count": org_queries.units_visible_to(user).count(),
        "people_count": org_queries.people_visible_to(user).count(),
        "by_type": by_type,
        "communities": communities,
        "can_list_people": permissions.can_list_people(user),
    }


def audit_log(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_audit(request.user):
        raise PermissionDenied(_("You may not read the change log."))
    events = AuditEvent.objects.all()
    scope = org_queries.scope_of(request.user)
    if scope is not None:
        visible = Q(region_path__startswith=scope.path)
        if permissions.is_street_admin(request.user):
            visible |= Q(region_path="")  # the catalog belongs to no region
        events = events.filter(visible)
    object_type = request.GET.get("type", "")
    if object_type:
        events = events.filter(object_type=object_type)
    key = request.GET.get("key", "").strip()
    if key:
        events = events.filter(object_key=key)
    return render(
        request,
        "web/audit_log.html",
        {"page": paginate(request, events), "type": object_type, "key": key, "object_types": AUDITED_TYPES},
    )


def import_page(request: HttpRequest) -> HttpResponse:
    from chuangcheng.web.imports import import_view

    return import_view(request)


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    from chuangcheng.web.imports import template_view

    return template_view(request, kind)


@login_not_required
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (chuangcheng.core.metrics), for the monitoring network or a bearer token."""
    from chuangcheng.core.metrics import metrics_response
    from chuangcheng.core.proxy import client_address

    return metrics_response(request, client_address)


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else (no database), so a database outage
    does not make an orchestrator restart healthy app servers; readiness is /readyz."""
    return JsonResponse({"ok": True})


@login_not_required
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness, in JSON: the database and the broker (required: 503 when one fails, naming it in
    `failed`), the outbox backlog and the background processes' heartbeats (shown, not required)."""
    checks: dict[str, Any] = {"database": health.check_database(), "broker": health.check_broker()}
    if checks["database"]["ok"]:
        checks["outbox"] = _outbox_backlog()
        checks.update(health.check_heartbeats())
        checks["jobs"] = health.check_jobs()
    failed = sorted(name for name, check in checks.items() if check.get("required") and not check["ok"])
    warnings = sorted(name for name, check in checks.items() if not check.get("required") and not check["ok"])
    body = {"ok": not failed, "failed": failed, "warnings": warnings, "checks": checks}
    response = JsonResponse(body, status=503 if failed else 200)
    response["Cache-Control"] = "no-store"
    return response


def _outbox_backlog() -> dict[str, Any]:
    """Messages waiting to be sent (and how long the oldest due one has waited) and failed ones."""
    from django.db.models import Min
    from django.utils import timezone

    from chuangcheng.notify.models import WAITING, Message, Status

    now = timezone.now()
    waiting = Message.objects.filter(status__in=WAITING)
    oldest_due = waiting.filter(next_attempt_at__lte=now).aggregate(at=Min("next_attempt_at"))["at"]
    oldest_seconds = max(0, round((now - oldest_due).total_seconds())) if oldest_due else 0
    return {
        "ok": oldest_seconds <= settings.READYZ_OUTBOX_STALE_SECONDS,
        "required": False,
        "pending": waiting.count(),
        "failed": Message.objects.filter(status=Status.FAILED).count(),
        "oldest_due_seconds": oldest_seconds,
    }
