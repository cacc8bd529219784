"""The directory pages: regions, responsible units and people, with the points they answer for.
They live in `web` because they read both the organization and the points."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.org import permissions, queries, services
from chuangcheng.org.models import Region, Unit
from chuangcheng.places.queries import points_visible_to, region_children_with_counts

LEVELS = {"district": Region.Level.DISTRICT, "street": Region.Level.STREET,
          "community": Region.Level.COMMUNITY, "grid": Region.Level.GRID}


def region_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = queries.scope_of(user)
    roots = (
        queries.regions_visible_to(user).filter(pk=scope.pk)
        if scope is not None
        else queries.regions_visible_to(user).filter(parent__isnull=True)
    )
    q = request.GET.get("q", "").strip()[:100]
    level = LEVELS.get(request.GET.get("level", ""))
    matches = None
    if q or level:
        found = queries.regions_visible_to(user)
        if q:
            found = found.filter(Q(name__icontains=q) | Q(code__icontains=q))
        if level:
            found = found.filter(level=level)
        matches = paginate(request, found)
    return render(
        request,
        "org/region_list.html",
        {"roots": roots, "q": q, "level": request.GET.get("level", ""), "matches": matches,
         "levels": [(name, Region.Level(value).label) for name, value in LEVELS.items()]},
    )


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = or_404(queries.region_for(request.user, code))
    children = region_children_with_counts(request.user, region)
    ancestors = [r for r in queries.regions_visible_to(request.user).filter(code__in=region.ancestor_codes())
                 if r.pk != region.pk]
    points = points_visible_to(request.user).filter(grid__path__startswith=region.path, active=True)
    by_type = (
        points.order_by().values("point_type__code", "point_type__name")
        .annotate(n=Count("id")).order_by("point_type__code")
    )
    units = queries.units_visible_to(request.user).filter(region=region)
    return render(
        request,
        "org/region_detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "children": children,
            "point_count": points.count(),
            "zero_loss_count": points.filter(zero_loss=True).count(),
            "by_type": by_type,
            "units": units,
            "people_count": queries.people_visible_to(request.user).filter(region__path__startswith=region.path)
            .count(),
            "can_manage": permissions.can_manage_region(request.user, region),
            "can_list_people": permissions.can_list_people(request.user),
        },
    )


def unit_list(request: HttpRequest) -> HttpResponse:
    units = (
        queries.units_visible_to(request.user)
        .annotate(point_count=Count("primary_points", distinct=True))
        .order_by("kind", "code")
    )
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(head_name__icontains=q))
    if kind in Unit.Kind.values:
        units = units.filter(kind=kind)
    return render(
        request,
        "org/unit_list.html",
        {
            "page": paginate(request, units),
            "q": q,
            "kind": kind,
            "kinds": Unit.Kind.choices,
            "show_phone": permissions.can_see_phone_numbers(request.user),
        },
    )


def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = or_404(queries.units_visible_to(request.user).filter(code=code).first())
    visible = points_visible_to(request.user)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "primary_points": visible.filter(primary_unit=unit)[:200],
            "cooperating_points": visible.filter(cooperating_units=unit)[:200],
            "people": queries.people_visible_to(request.user).filter(unit=unit),
            "show_phone": permissions.can_see_phone_numbers(request.user),
        },
    )


def person_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_list_people(request.user):
        raise PermissionDenied(_("Only staff who organize the work may browse the people register."))
    people = queries.people_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    region_code = request.GET.get("region", "")
    flag = request.GET.get("flag", "")
    if q:
        people = people.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(phone__contains=q))
    if region_code:
        region = queries.region_for(request.user, region_code)
        people = people.filter(region__path__startswith=region.path) if region else people.none()
    if flag == "party":
        people = people.filter(party_member=True)
    elif flag == "volunteer":
        people = people.filter(volunteer=True)
    return render(
        request,
        "org/person_list.html",
        {
            "page": paginate(request, people),
            "q": q,
            "region_code": region_code,
            "flag": flag,
            "communities": queries.communities_visible_to(request.user),
            "show_phone": permissions.can_see_phone_numbers(request.user),
        },
    )


def person_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not permissions.can_list_people(request.user):
        raise PermissionDenied(_("Only staff who organize the work may browse the people register."))
    person = or_404(queries.people_visible_to(request.user).filter(code=code).first())
    login = getattr(person, "user", None)
    can_reset = login is not None and permissions.can_reset_password(request.user, login)
    new_password = None
    if request.method == "POST" and login is not None:
        # Shown once on this page, to be passed on in person; it is never stored in plain text.
        new_password = services.reset_password(login, by=request.user)
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "points": points_visible_to(request.user).filter(responsible_people=person),
            "show_phone": permissions.can_see_phone_numbers(request.user),
            "login": login,
            "can_reset": can_reset,
            "new_password": new_password,
        },
    )


