"""Publicity pages: pushes (list, compose, per-group status), offline items per point against the
catalog, household visits (quick entry on a phone, list, coverage) and the two ledgers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chuangcheng.core import clock, sheets
from chuangcheng.core.drafts import draft_accepted
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.periods import PeriodForm
from chuangcheng.core.site import site_root
from chuangcheng.engagement.publicity import exports, permissions, queries, services
from chuangcheng.engagement.publicity.forms import (
    MAX_RANGE_DAYS,
    THEMES,
    ItemForm,
    LedgerForm,
    PushForm,
    TakeDownForm,
    VisitForm,
    this_month,
)
from chuangcheng.engagement.publicity.models import HouseholdVisit, Push
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import photo_response
from chuangcheng.org.models import Region
from chuangcheng.org.queries import communities_visible_to, regions_visible_to
from chuangcheng.places.queries import points_visible_to
from chuangcheng.standards.models import PointType

PAGE_SIZE = 30

# The section's tabbed pages and their titles (the layout shows the title above the tabs).
TITLES = {
    "index": gettext_lazy("Publicity"),
    "pushes": gettext_lazy("Online pushes"),
    "push_new": gettext_lazy("New push"),
    "points": gettext_lazy("Offline items by point"),
    "visits": gettext_lazy("Household visits"),
    "visit_new": gettext_lazy("Record a household visit"),
    "coverage": gettext_lazy("Household coverage"),
    "export": gettext_lazy("Publicity ledgers"),
}


def _page(request: HttpRequest, name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """One of the section's tabbed pages (engagement/publicity/layout.html), with its title."""
    return render(request, f"engagement/publicity/{name}.html", {**context, "title": TITLES[name]}, status=status)


def _reader(request: HttpRequest) -> Any:
    if not permissions.can_view_publicity(request.user):
        raise PermissionDenied(_("Publicity is for street and community staff."))
    return request.user


def site_of(request: HttpRequest) -> str:
    """Where residents and clerks reach this site (links in group messages and ledgers)."""
    return site_root(request)


def _period(request: HttpRequest) -> PeriodForm:
    """The period of a list (default: this month so far); a bad one is shown beside the fields."""
    return PeriodForm(request.GET or None, default=this_month(), max_days=MAX_RANGE_DAYS)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    today = clock.today()
    start = today.replace(day=1)
    rows = queries.point_rows(user, queries.PointFilter(), day=today)
    return _page(request, "index", {
        "pushes": queries.pushes_with_deliveries(user)[:5],
        "coverage": queries.coverage(user, start=start, end=today),
        "start": start, "end": today,
        "points_total": len(rows), "points_below": sum(1 for r in rows if r.below),
        "can_push": permissions.can_push_anywhere(user),
        "can_export": permissions.can_export(user),
    })


# --- pushes ------------------------------------------------------------------------------------


@require_GET
def pushes(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    page = Paginator(queries.pushes_with_deliveries(user), PAGE_SIZE).get_page(request.GET.get("page"))
    for push in page:
        push.counts = queries.delivery_counts(push)  # type: ignore[attr-defined]
    return _page(request, "pushes", {
        "page": page, "can_push": permissions.can_push_anywhere(user),
    })


def push_new(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not permissions.can_push_anywhere(user):
        raise PermissionDenied(_("Only grid workers and admins push publicity."))
    form = PushForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        grids, scope = form.chosen()
        try:
            push = services.push_message(by=user, title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                                         grids=grids, scope=scope, image=form.cleaned_data.get("image"),
                                         site=site_of(request))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "grids" in exc.message_dict:
                exc = ValidationError({**{k: v for k, v in exc.message_dict.items() if k != "grids"},
                                       "targets": exc.message_dict["grids"]})
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Pushed: %(number)s.") % {"number": push.number})
            return redirect("publicity:push", push.number)
    return _page(request, "push_new", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_GET
def push_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _reader(request)
    push = or_404(queries.push_for(user, number))
    return render(request, "engagement/publicity/push.html", {
        "push": push, "deliveries": push.shown,  # type: ignore[attr-defined]
        "counts": queries.delivery_counts(push),
    })


@login_not_required
@require_GET
def push_image(request: HttpRequest, number: str) -> FileResponse:
    """A push's image, for the residents in the groups (the display version: EXIF stripped)."""
    push = Push.objects.select_related("image").filter(number=number[:20]).first()
    if push is None or push.image is None:
        raise Http404
    return photo_response(push.image, Photo.Variant.DISPLAY)


# --- offline items -----------------------------------------------------------------------------


@require_GET
def points(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    flt = queries.PointFilter(community=request.GET.get("community", "")[:40],
                              point_type=request.GET.get("type", "")[:40],
                              below=request.GET.get("below") == "1", q=request.GET.get("q", "").strip()[:50])
    rows = queries.point_rows(user, flt, day=clock.today())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "points", {
        "page": page, "flt": flt, "communities": communities_visible_to(user).order_by("path"),
        "types": PointType.objects.order_by("sort_order", "code"),
        "below_total": sum(1 for r in rows if r.below) if not flt.below else len(rows),
    })


def point_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _reader(request)
    point = or_404(points_visible_to(user).filter(code=code[:40]).first())
    can_register = permissions.can_register_item(user, point.grid)
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_register:
            raise PermissionDenied(_("You may register publicity only at points of your region."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.register_item(point, by=user, kind=data["kind"], theme=data["theme"],
                                              count=data["count"], put_up_on=data["put_up_on"],
                                              photo=data.get("photo"), note=data.get("note", ""))
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "photos" in exc.message_dict:
                    exc = ValidationError({"photo": exc.message_dict["photos"]})
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Registered: %(code)s.") % {"code": item.code})
                return redirect("publicity:point", point.code)
    items = queries.items_visible_to(user).filter(point=point).order_by("-put_up_on", "-id")
    return render(request, "engagement/publicity/point.html", {
        "point": point, "row": queries.point_row(user, point, day=clock.today()), "items": items,
        "form": form, "can_register": can_register, "take_down_form": TakeDownForm(initial={
            "taken_down_on": clock.today()}), "themes": THEMES, "today": clock.today(),
    }, status=400 if request.method == "POST" else 200)


@require_POST
def item_take_down(request: HttpRequest, code: str) -> HttpResponse:
    user = _reader(request)
    item = or_404(queries.item_for(user, code))
    form = TakeDownForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter the date the item came down."))
        services.take_down_item(item, by=user, on=form.cleaned_data["taken_down_on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Taken down: %(code)s.") % {"code": item.code})
    return redirect("publicity:point", item.point.code)


@require_GET
def item_photo(request: HttpRequest, code: str, variant: str) -> FileResponse:
    user = _reader(request)
    item = queries.item_for(user, code)
    if item is None or item.photo is None or variant not in Photo.Variant.values:
        raise Http404
    return photo_response(item.photo, Photo.Variant(variant))


# --- household visits --------------------------------------------------------------------------


def visit_new(request: HttpRequest) -> HttpResponse:
    """Quick entry on a phone: after saving, the same building, unit, date and topics are kept for
    the next door."""
    user = _reader(request)
    if not permissions.can_push_anywhere(user):
        raise PermissionDenied(_("Only grid workers and admins record household visits."))
    keep = {k: request.GET.get(k, "") for k in ("grid", "building", "unit", "day", "result")}
    initial: dict[str, Any] = {k: v for k, v in keep.items() if v}
    if request.GET.getlist("topics"):
        initial["topics"] = request.GET.getlist("topics")
    form = VisitForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.record_visit(
                form.chosen_grid(), by=user, visitor=form.chosen_visitor(), building=data["building"],
                unit=data["unit"], room=data["room"], surname=data["surname"], day=data["day"], topics=data["topics"],
                result=data["result"], note=data["note"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Saved: %(grid)s %(household)s.") % {
                "grid": visit.grid.name, "household": visit.address})
            draft_accepted(request, f"visit|{user.username}")
            query = urlencode([("grid", visit.grid.code), ("building", visit.building), ("unit", visit.unit),
                               ("day", visit.day.isoformat()),
                               *[("topics", t) for t in visit.topics]])
            return redirect(f"{reverse('publicity:visit_new')}?{query}")
    recent = queries.visits_visible_to(user).filter(recorded_by=user)[:10]
    return _page(request, "visit_new", {"form": form, "recent": recent},
                  status=400 if request.method == "POST" else 200)


@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    period_form = _period(request)
    start, end = period_form.period.bounds()
    region = request.GET.get("region", "")[:40]
    result = request.GET.get("result", "")
    flt = queries.VisitFilter(start=start, end=end, region=region,
                              result=result if result in HouseholdVisit.Result.values else "")
    page = Paginator(queries.filter_visits(user, flt), PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(request, "visits", {
        "page": page, "flt": flt, "results": HouseholdVisit.Result.choices,
        "regions": regions_visible_to(user).filter(level__in=[Region.Level.COMMUNITY, Region.Level.GRID])
        .order_by("path"),
        "coverage": queries.coverage(user, start=start, end=end),
        "can_record": permissions.can_push_anywhere(user), "period_form": period_form,
    }, status=400 if period_form.errors else 200)


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    period_form = _period(request)
    start, end = period_form.period.bounds()
    community = request.GET.get("community", "")[:40]
    return _page(request, "coverage", {
        "blocks": queries.coverage(user, start=start, end=end, community=community),
        "start": start, "end": end, "community": community, "period_form": period_form,
        "communities": communities_visible_to(user).order_by("path"),
    }, status=400 if period_form.errors else 200)


# --- ledgers -----------------------------------------------------------------------------------


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if not permissions.can_export(user):
        raise PermissionDenied(_("The ledgers are for street and community admins and leaders."))
    kind = request.GET.get("ledger", "")
    form = LedgerForm(request.GET if kind else None, user=user)
    if kind and form.is_valid():
        data = form.cleaned_data
        community = form.communities.get(data["community"]) if data["community"] else None
        build: Callable[[], tuple[bytes, int]]
        if kind == "publicity":
            def build() -> tuple[bytes, int]:
                return exports.publicity_ledger(user, start=data["since"], end=data["until"], community=community,
                                                site=site_of(request))
            name = f"publicity-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.xlsx"
        elif kind == "visits":
            def build() -> tuple[bytes, int]:
                return exports.visits_ledger(user, start=data["since"], end=data["until"], community=community)
            name = f"household-visits-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.xlsx"
        else:
            raise Http404

        def refused(exc: sheets.TooManyRows) -> HttpResponse:
            form.add_error(None, str(exc))
            return _page(request, "export", {"form": form}, status=400)

        return sheets.export_response(request, build, filename=name, back=refused)
    return _page(request, "export", {"form": form}, status=400 if kind else 200)

