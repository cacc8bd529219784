"""Inspection pages: today's round of an inspector or grid worker (日调度 as they see it), the
phone form to inspect one point (日督查), an inspection's record, the street office's morning
board, and the records (history of a point or a person, coverage per community)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.cases.queries import leaf_categories
from chuangcheng.core import clock, exports, sheets
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.core.periods import PeriodForm, day_or_default
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import photo_view
from chuangcheng.inspections import permissions
from chuangcheng.inspections.exports import LEDGER, LedgerFilter, inspection_ledger, ledger_count
from chuangcheng.inspections.forms import (
    AddVisitForm,
    InspectionInput,
    MoveVisitForm,
    RulesForm,
    blank_input,
    inspectors_for,
    parse_inspection,
)
from chuangcheng.inspections.models import Assignment, Inspection, ItemResult
from chuangcheng.inspections.queries import plans as plan_queries
from chuangcheng.inspections.queries import records
from chuangcheng.inspections.services import plans as plan_services
from chuangcheng.inspections.services.submit import default_category, submit_inspection
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region
from chuangcheng.org.permissions import is_street_admin
from chuangcheng.places.models import Point
from chuangcheng.places.queries import point_for
from chuangcheng.standards.models import PointType


def _user(request: HttpRequest) -> Any:
    return request.user


def _records_only(request: HttpRequest) -> None:
    if not permissions.can_view_records(request.user):
        raise PermissionDenied(_("Your role does not see inspection records."))


# 今日任务 ------------------------------------------------------------------------------------

def _day(request: HttpRequest, params: Any) -> dt.date:
    """The day a page or a plan action is about (`date`, default today); a date that is not a date
    is said on the page, which shows today."""
    day, error = day_or_default(params)
    if error:
        messages.error(request, error)
    return day


def today(request: HttpRequest) -> HttpResponse:
    """My visits of the day in walking order, with what waits for verification at each point."""
    _records_only(request)
    user = _user(request)
    day = _day(request, request.GET)
    visits = plan_queries.visits_of(user, day)
    point_ids = [v.point_id for v in visits]
    done = set(records.inspections_visible_to(user).filter(day=day, point_id__in=point_ids)
               .values_list("point_id", flat=True))
    to_verify = records.cases_to_verify_at(user, point_ids) if point_ids else {}
    rows: list[dict[str, Any]] = [
        {"visit": v, "point": v.point, "done": v.point_id in done, "verify": to_verify.get(v.point_id, [])}
        for v in visits]
    return render(request, "inspections/today.html", {
        "day": day, "is_today": day == clock.today(),
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        "plan": plan_queries.plan_of(user, day), "rows": rows,
        "done_count": sum(1 for r in rows if r["done"]),
        "map_data": {"points": [_map_point(v.point) for v in visits], "grids": []},
    })


def offline_pages(request: HttpRequest) -> JsonResponse:
    """The pages the service worker (web/static/chuangcheng/sw.js) keeps for a day without network:
    the home page (where the installed app opens: a field worker's shows the round), today's round
    and the checklist of each of its points."""
    _records_only(request)
    visits = plan_queries.visits_of(_user(request), clock.today())
    pages = [reverse("web:home"), reverse("inspections:today")]
    pages += [reverse("inspections:inspect", kwargs={"code": v.point.code}) for v in visits]
    return JsonResponse({"day": clock.today().isoformat(), "pages": pages})


def _map_point(point: Point) -> dict[str, Any]:
    return {"code": point.code, "name": point.name, "type": point.point_type.name,
            "lon": float(point.lon), "lat": float(point.lat), "zero_loss": point.zero_loss}


# 日督查: the form -------------------------------------------------------------------------------

def _point(request: HttpRequest, code: str) -> Point:
    point = or_404(point_for(request.user, code) or records.cross_point_for(request.user, code))
    if not permissions.can_inspect(request.user, point):
        raise PermissionDenied(_("You may not inspect this point."))
    return point


def _wants_json(request: HttpRequest) -> bool:
    """The offline queue (offline.js) sends a queued inspection with fetch and reads JSON back."""
    return request.method == "POST" and request.headers.get("Accept", "").startswith("application/json")


def inspect_point(request: HttpRequest, code: str) -> HttpResponse:
    """The checklist of one point, item by item, on a phone; POST submits the inspection. A POST
    asking for JSON (the offline queue) is answered 201 (stored), 200 (this key was already stored:
    the same inspection, nothing written twice) or 400/403 with the messages, never a page."""
    try:
        point = _point(request, code)
    except PermissionDenied as exc:
        if _wants_json(request):
            return JsonResponse({"errors": [str(exc) or _("You may not inspect this point.")]}, status=403)
        raise
    except Http404:
        if _wants_json(request):  # a queued inspection of a point since removed from one's area
            return JsonResponse({"errors": [_("This point is not in your area, or no longer exists.")]}, status=404)
        raise
    checklist = list(records.checklist_of(point))
    if request.method != "POST":
        defaults = {item.pk: getattr(default_category(item), "code", "") for item in checklist}
        return _render_form(request, point, blank_input(checklist, defaults))
    user = _user(request)
    form = parse_inspection(request.POST, request.FILES, checklist)
    if form.has_errors:
        return _refused(request, point, form)
    lon, lat = form.coordinates()
    try:
        inspection, created = submit_inspection(
            by=user, point=point, key=form.key, items=form.item_inputs(), lon=lon, lat=lat,
            started_at=form.started(), submitted_at=form.finished(), note=form.note, covert=form.covert)
    except ValidationError as exc:
        form.apply(exc)
        return _refused(request, point, form)
    except PermissionDenied as exc:
        if _wants_json(request):
            return JsonResponse({"errors": [str(exc)]}, status=403)
        raise
    if _wants_json(request):
        return JsonResponse({"key": inspection.key, "created": created,
                             "url": reverse("inspections:detail", kwargs={"key": inspection.key})},
                            status=201 if created else 200)
    if created:
        messages.success(request, _("Inspection submitted."))
    else:
        messages.info(request, _("This inspection was already submitted."))
    return redirect("inspections:detail", key=inspection.key)


def _refused(request: HttpRequest, point: Point, form: InspectionInput) -> HttpResponse:
    if not _wants_json(request):
        return _render_form(request, point, form, status=400)
    texts = {a.code: a.item.text for a in form.answers}
    errors = [m for found in form.errors.values() for m in found]
    errors += [f"{texts[a.code]}: {m}" for a in form.answers for m in a.errors]
    return JsonResponse({"errors": errors}, status=400)


def _render_form(request: HttpRequest, point: Point, form: InspectionInput, *, status: int = 200) -> HttpResponse:
    groups = []
    for _key, run in groupby(form.answers, key=lambda a: (a.item.group_id or 0, a.item.point_type_id or 0)):
        answers = list(run)
        item = answers[0].item
        owner = item.group or item.point_type
        name = owner.name if owner is not None else ""
        groups.append({"name": name, "answers": answers})
    return render(request, "inspections/inspect.html", {
        "point": point, "form": form, "groups": groups, "day": clock.today(),
        "categories": _category_groups(), "max_bytes": settings.PHOTO_MAX_BYTES, "posted": request.method == "POST",
        "had_photos": request.method == "POST" and bool(request.FILES),
        "may_declare_covert": permissions.may_declare_covert(request.user),
    }, status=status)


def _category_groups() -> list[tuple[str, list[Any]]]:
    """The categories a failure can be filed under, by their group, for the select's optgroups."""
    groups: dict[str, list[Any]] = {}
    for category in leaf_categories().order_by("parent__sort_order", "sort_order", "code"):
        groups.setdefault(category.parent.name if category.parent else "", []).append(category)
    return list(groups.items())


# The record of one inspection -------------------------------------------------------------------

def _inspection(request: HttpRequest, key: str) -> Inspection:
    return or_404(records.inspection_by_key(request.user, key))


def inspection_detail(request: HttpRequest, key: str) -> HttpResponse:
    inspection = _inspection(request, key)
    results = list(records.results_of(inspection))
    return render(request, "inspections/detail.html", {
        "inspection": inspection, "results": results,
        "rate": inspection.rate,
        "opened": list({r.case_id: r.case for r in results if r.case_id and r.case_opened}.values()),
        "linked": list({r.case_id: r.case for r in results if r.case_id and not r.case_opened}.values()),
    })


def old_inspection_link(request: HttpRequest, pk: str) -> HttpResponse:
    """`/inspections/<id>/`, the address before inspections were named by their key: published
    bulletins are frozen and still link there. Moved for good to the key's address, for the same
    people the record itself is shown to (404 for anyone else, as for an id that never existed)."""
    inspection = or_404(records.inspection_for(request.user, int(pk)))
    return redirect("inspections:detail", key=inspection.key, permanent=True)


def may_see_photo(request: HttpRequest, photo: Photo, /, *, key: str) -> bool:
    """A photo of this inspection's failed items, to people who may see the inspection."""
    return ItemResult.objects.filter(inspection=_inspection(request, key), photos=photo).exists()


inspection_photo = photo_view(may_see_photo)


# 晨会看板 -------------------------------------------------------------------------------------

def _admin_scope(request: HttpRequest) -> Region:
    """The region an admin plans: their scope (a community admin's community, a street admin's street)."""
    scope = org_queries.scope_of(request.user)
    if scope is None or not permissions.can_plan(request.user, scope):
        raise PermissionDenied(_("Only the street office and community admins plan the rounds."))
    return scope


def _street_of(region: Region) -> Region:
    return org_queries.street_of_region(region) or region


def board(request: HttpRequest) -> HttpResponse:
    scope = _admin_scope(request)
    user = _user(request)
    day = _day(request, request.GET)
    street = _street_of(scope)
    board = plan_queries.board(user, day)
    people = list(inspectors_for(user).select_related("person")) if board.plan is not None else []
    # Each visit still to do has a "move to" list of everyone but its person: written once per
    # person here rather than once per visit by the template (a street has hundreds of visits).
    options = [(p.pk, format_html('<option value="{}">{}</option>', p.username, p.display_name)) for p in people]
    return render(request, "inspections/board.html", {
        "day": day, "is_today": day == clock.today(),
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        "board": board,
        "rows": [(row, mark_safe("".join(html for pk, html in options if pk != row.person.pk)))  # noqa: S308 - escaped above
                 for row in board.rows],
        "can_make_plan": permissions.can_plan(user, street),
        "people": people,
        "add_form": AddVisitForm(user=user, initial={"date": day}),
    })


def rules(request: HttpRequest) -> HttpResponse:
    """规则设置: how the street plans its days, for the street admin (others read them)."""
    scope = _admin_scope(request)
    street = _street_of(scope)
    current = plan_services.rules_for(street)
    may_change = is_street_admin(request.user) and permissions.can_plan(request.user, street)
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("Only the subdistrict's admin may change its planning rules."))
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in plan_services.RULE_FIELDS}
            try:
                _rules, changed = plan_services.save_rules(street, by=request.user, **values)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Planning rules saved.") if changed else _("Nothing changed."))
                return redirect("inspections:rules")
    if not may_change:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "inspections/rules.html", {"form": form, "street": street, "may_change": may_change},
                  status=400 if form.errors else 200)


def _board_url(day: dt.date) -> str:
    return f"{reverse('inspections:board')}?date={day.isoformat()}"


@require_POST
def board_make_plan(request: HttpRequest) -> HttpResponse:
    scope = _admin_scope(request)
    street = _street_of(scope)
    day, error = day_or_default(request.POST)
    if not permissions.can_plan(request.user, street):
        raise PermissionDenied(_("Only the street office makes the plan of the whole subdistrict."))
    if error:  # never today's plan in place of a day that could not be read
        messages.error(request, error)
        return redirect(_board_url(clock.today()))
    try:
        plan = plan_services.make_plan(street, day, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_board_url(day))
    messages.success(request, _("The plan of %(day)s is made.") % {"day": day.isoformat()})
    leftover = getattr(plan, "leftover", [])
    if leftover:
        messages.warning(request, _("Nobody could take these required points: %(points)s. Add them by hand.") % {
            "points": "、".join(point.name for point, _reason in leftover)})
    return redirect(_board_url(day))


def _visit(request: HttpRequest, code: str, day: dt.date) -> Assignment:
    plan = plan_queries.plan_of(request.user, day)
    return or_404(plan.assignments.select_related("point__grid", "person").filter(code=code).first() if plan else None)


@require_POST
def board_move(request: HttpRequest, code: str) -> HttpResponse:
    _admin_scope(request)
    form = MoveVisitForm(request.POST, user=request.user)
    day = _day(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person to move the visit to."))
        return redirect(_board_url(day))
    visit = _visit(request, code, form.cleaned_data["date"])
    try:
        plan_services.move_visit(visit, to_person=form.cleaned_data["person"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(point)s moved to %(person)s.") % {
            "point": visit.point.name, "person": form.cleaned_data["person"].display_name})
    return redirect(_board_url(day))


@require_POST
def board_remove(request: HttpRequest, code: str) -> HttpResponse:
    _admin_scope(request)
    day = _day(request, request.POST)
    visit = _visit(request, code, day)
    try:
        plan_services.remove_visit(visit, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(point)s removed from the plan.") % {"point": visit.point.name})
    return redirect(_board_url(day))


@require_POST
def board_add(request: HttpRequest) -> HttpResponse:
    _admin_scope(request)
    form = AddVisitForm(request.POST, user=request.user)
    day = _day(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a point code and a person."))
        return redirect(_board_url(day))
    plan = plan_queries.plan_of(request.user, form.cleaned_data["date"])
    point = point_for(request.user, form.cleaned_data["point"].strip())
    if plan is None:
        messages.error(request, _("There is no plan for this day yet: make it first."))
    elif point is None:
        messages.error(request, _("No point with code %(code)s in your area.") % {"code": form.cleaned_data["point"]})
    else:
        try:
            plan_services.add_visit(plan, point=point, person=form.cleaned_data["person"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(point)s added.") % {"point": point.name})
    return redirect(_board_url(day))


# Records ------------------------------------------------------------------------------------------

def history(request: HttpRequest) -> HttpResponse:
    """A point's inspections with its score over time, or what one person covered."""
    _records_only(request)
    user = _user(request)
    point_code = request.GET.get("point", "").strip()[:40]
    username = request.GET.get("person", "").strip()[:150]
    period_form = PeriodForm(request.GET or None, default_days=records.DEFAULT_DAYS)
    since, until = period_form.period.bounds()
    point = person = None
    if point_code:
        point = or_404(point_for(user, point_code))
        inspections = records.point_history(user, point)
    elif username:
        person = or_404(org_queries.users_visible_to(user).filter(username=username).first())
        inspections = records.person_history(user, person, since, until)
    else:
        inspections = records.filter_inspections(user, records.LedgerFilter.from_params(
            request.GET, period=period_form.period))
    page = paginate(request, inspections)
    return render(request, "inspections/history.html", {
        "point": point, "person": person, "page": page, "since": since, "until": until, "period_form": period_form,
        "spark": _sparkline([i for i in page.object_list if i.rate is not None][::-1]) if point else None,
        "people": inspectors_for(user),
        "communities": org_queries.communities_visible_to(user), "types": PointType.objects.all(),
        "community": request.GET.get("community", ""), "point_type": request.GET.get("type", ""),
        "failed": request.GET.get("failed", "") in {"1", "true", "on"},
        "kind": records.LedgerFilter.from_params(request.GET, period=period_form.period).kind,
        "kinds": records.kind_choices(),
    }, status=400 if period_form.errors else 200)


def _sparkline(inspections: list[Inspection], width: int = 300, height: int = 60) -> dict[str, Any] | None:
    """The points of an SVG polyline of 得分率 (0–100 %), oldest first."""
    if len(inspections) < 2:
        return None
    step = width / (len(inspections) - 1)
    points = " ".join(f"{i * step:.1f},{height - (insp.rate or 0) * height / 100:.1f}"
                      for i, insp in enumerate(inspections))
    return {"points": points, "width": width, "height": height,
            "first": inspections[0], "last": inspections[-1]}


def coverage(request: HttpRequest) -> HttpResponse:
    _records_only(request)
    period_form = PeriodForm(request.GET or None, default_days=7)
    since, until = period_form.period.bounds()
    return render(request, "inspections/coverage.html", {
        "rows": records.coverage(request.user, since, until), "since": since, "until": until,
        "period_form": period_form,
    }, status=400 if period_form.errors else 200)


def inspection_export(request: HttpRequest) -> HttpResponse:
    """督查台账: the inspections of the records' filter as an Excel workbook (logged)."""
    _records_only(request)
    try:
        flt = LedgerFilter.from_params(request.GET)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    user = _user(request)
    filename = f"inspection-ledger-{flt.since:%Y%m%d}-{flt.until:%Y%m%d}.xlsx"
    back = f"{reverse('inspections:history')}?{flt.query_string()}"
    count = ledger_count(user, flt)
    if count > exports.background_rows():
        # A large ledger takes a while: built in the background, watched on its page.
        try:
            sheets.check_rows(count)
        except sheets.TooManyRows as exc:
            messages.error(request, str(exc))
            return redirect(back)
        job = exports.start_export(user, kind=LEDGER, params={"query": flt.query_string()}, filename=filename,
                                   title=_("Inspection ledger %(since)s – %(until)s") % {
                                       "since": f"{flt.since:%Y-%m-%d}", "until": f"{flt.until:%Y-%m-%d}"})
        return redirect("exports:page", token=job.token)
    return sheets.export_response(request, lambda: inspection_ledger(user, flt), filename=filename, back=back)
