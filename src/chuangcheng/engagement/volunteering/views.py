"""Pages of volunteer actions, phone first: the list, an action with sign-up, the on-site check-in
(reached by the action's QR code), the organizer's roster and closing form, my record, party-member
participation and the ledger export. Thin: parse, call a query or a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core import clock, sheets
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.core.site import absolute_url
from chuangcheng.engagement.volunteering import exports, permissions, queries, services
from chuangcheng.engagement.volunteering.forms import (
    ActionForm,
    CancelForm,
    CloseForm,
    HoursForm,
    LocationForm,
    PeriodForm,
)
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import photo_view
from chuangcheng.org import queries as org_queries
from chuangcheng.places.qr import render_qr


def _action(request: HttpRequest, code: str) -> Action:
    return or_404(queries.action_for(request.user, code))


def _manage(request: HttpRequest, code: str) -> Action:
    action = _action(request, code)
    if not permissions.can_manage_action(request.user, action):
        raise PermissionDenied(_("Only the organizer or the community office may do this."))
    return action


def checkin_url(request: HttpRequest, action: Action) -> str:
    return absolute_url(request, reverse("volunteering:checkin", args=[action.code]))


def _refusal(request: HttpRequest, exc: Exception) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or _("You may not do this."))
    messages.error(request, text)


# --- lists and detail ------------------------------------------------------------------------


def action_list(request: HttpRequest) -> HttpResponse:
    flt = queries.ActionFilter(when="past" if request.GET.get("when") == "past" else "upcoming",
                               community=request.GET.get("community", "")[:40],
                               kind=request.GET.get("kind", "") if request.GET.get("kind") in Action.Kind.values
                               else "")
    actions = queries.filter_actions(request.user, flt)
    return render(request, "engagement/volunteering/action_list.html", {
        "page": paginate(request, actions, per_page=20), "flt": flt, "kinds": Action.Kind.choices,
        "communities": org_queries.communities_visible_to(request.user),
        "can_plan": permissions.can_plan_action(request.user),
        "can_see_participation": permissions.can_see_participation(request.user),
        "can_export": permissions.can_export_ledger(request.user),
    })


def action_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_plan_action(request.user):
        raise PermissionDenied(_("Community offices and the street office plan actions."))
    form = ActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.plan_action(
                by=request.user, kind=data["kind"], title=data["title"], community=data["community"],
                place_name=data["place_name"], lon=data["lon"], lat=data["lat"], point=data["point"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], capacity=data["capacity"],
                description=data["description"], targets=data["targets"], organizer=data["organizer"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Action %(code)s planned.") % {"code": action.code})
            return redirect("volunteering:detail", action.code)
    return render(request, "engagement/volunteering/action_form.html", {"form": form})


def action_detail(request: HttpRequest, code: str) -> HttpResponse:
    action = _action(request, code)
    now = clock.now()
    mine = queries.attendance_of(request.user, action)
    taken = services.taken_places(action)
    opens, closes = services.checkin_window(action)
    return render(request, "engagement/volunteering/action_detail.html", {
        "action": action, "mine": mine if mine and mine.active else None, "taken": taken,
        "left": max(0, action.capacity - taken), "photos": queries.photos_of(action),
        "can_manage": permissions.can_manage_action(request.user, action),
        "can_sign_up": permissions.can_sign_up(request.user) and action.status == Action.Status.PLANNED
        and now < action.starts_at,
        "checkin_open": action.status == Action.Status.PLANNED and opens <= now <= closes,
        "opens": opens, "closes": closes, "checkin_url": checkin_url(request, action),
        "cancel_form": CancelForm(), "started": now >= action.starts_at,
    })


@require_POST
def signup(request: HttpRequest, code: str) -> HttpResponse:
    return _sign(request, code, services.sign_up, _("You have signed up. Check in on site with the QR code."))


@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    return _sign(request, code, services.cancel_sign_up, _("Your sign-up is cancelled."))


def _sign(request: HttpRequest, code: str, service: Callable[..., Any], done: str) -> HttpResponse:
    """Sign the user up or off, back on the action's page with what happened."""
    action = _action(request, code)
    try:
        service(action, by=request.user)
        messages.success(request, done)
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("volunteering:detail", action.code)


# --- on site ---------------------------------------------------------------------------------


def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """The page the QR code opens: check in (or out) with the phone's location. With JS the
    browser fills the location; without, it can be typed."""
    action = _action(request, code)
    form = LocationForm(request.POST or None)
    status = 200
    undo_error = ""
    if request.method == "POST" and request.POST.get("step") == "undo":
        form = LocationForm()
        try:
            services.undo_check_out(action, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            undo_error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            status = 400
        else:
            messages.success(request, _("Check-out undone: you are checked in again. Check out when you leave."))
            return redirect("volunteering:checkin", action.code)
    elif request.method == "POST":
        step = request.POST.get("step", "in")
        if form.is_valid():
            lon, lat = form.cleaned_data["lon"], form.cleaned_data["lat"]
            try:
                if step == "out":
                    row = services.check_out(action, by=request.user, lon=lon, lat=lat)
                    messages.success(request, _("Checked out. %(hours)s hours credited. Thank you!")
                                     % {"hours": row.hours})
                else:
                    row = services.check_in(action, by=request.user, lon=lon, lat=lat)
                    messages.success(request, _("Checked in, %(m)d m from the place.")
                                     % {"m": row.checkin_distance_m or 0})
                return redirect("volunteering:checkin", action.code)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
        status = 400
    mine = queries.attendance_of(request.user, action)
    mine = mine if mine and mine.active else None
    opens, closes = services.checkin_window(action)
    return render(request, "engagement/volunteering/checkin.html", {
        "action": action, "form": form, "mine": mine, "opens": opens, "closes": closes,
        "radius": settings.VOLUNTEER_CHECKIN_RADIUS_M,
        "undo_until": services.undo_checkout_until(mine) if services.can_undo_check_out(mine) else None,
        "undo_error": undo_error,
    }, status=status)


def qr_code(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    action = _action(request, code)
    if fmt not in ("svg", "png"):
        raise Http404
    data = render_qr(checkin_url(request, action), fmt)
    response = HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{action.code}.{fmt}"'
    return response


# --- the organizer ---------------------------------------------------------------------------


def roster(request: HttpRequest, code: str) -> HttpResponse:
    action = _manage(request, code)
    rows = list(queries.roster(action))
    return render(request, "engagement/volunteering/roster.html", {
        "action": action, "rows": rows, "hours_form": HoursForm(), "location_form": LocationForm(),
        "volunteers": queries.volunteers_for(request.user, action),
        "checkin_open": action.status == Action.Status.PLANNED
        and services.checkin_window(action)[0] <= clock.now() <= services.checkout_window(action)[1],
        "can_correct": action.status != Action.Status.CANCELLED and clock.now() >= action.starts_at,
        "attended": sum(1 for r in rows if r.active and r.attended),
        "signed": sum(1 for r in rows if r.active),
    })


@require_POST
def check_in_for(request: HttpRequest, code: str) -> HttpResponse:
    """The organizer checks in (or out) a volunteer who has no phone, with the organizer's location."""
    action = _manage(request, code)
    person = org_queries.people_visible_to(request.user).filter(code=request.POST.get("person", "")).first()
    form = LocationForm(request.POST)
    try:
        if person is None:
            raise ValidationError({"person": _("Choose a volunteer.")})
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        lon, lat = form.cleaned_data["lon"], form.cleaned_data["lat"]
        if request.POST.get("step") == "out":
            services.check_out(action, by=request.user, person=person, lon=lon, lat=lat)
            messages.success(request, _("%(name)s checked out.") % {"name": person.name})
        else:
            services.check_in(action, by=request.user, person=person, lon=lon, lat=lat)
            messages.success(request, _("%(name)s checked in.") % {"name": person.name})
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("volunteering:roster", action.code)


@require_POST
def correct_hours(request: HttpRequest, code: str, person: str) -> HttpResponse:
    action = _manage(request, code)
    row = or_404(queries.attendance_for(action, person))
    form = HoursForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.correct_hours(row, by=request.user, hours=form.cleaned_data["hours"],
                               reason=form.cleaned_data["reason"])
        messages.success(request, _("Hours of %(name)s corrected.") % {"name": row.person.name})
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("volunteering:roster", action.code)


def close(request: HttpRequest, code: str) -> HttpResponse:
    action = _manage(request, code)
    form = CloseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_action(action, by=request.user, outcome=form.outcome(),
                                  summary=form.cleaned_data["summary"],
                                  before_photos=form.cleaned_data["before_photos"] or [],
                                  after_photos=form.cleaned_data["after_photos"] or [])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({(f"outcome_{k}" if f"outcome_{k}" in form.fields else k): v
                                       for k, v in exc.error_dict.items()})
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The action is recorded as held."))
            return redirect("volunteering:detail", action.code)
    return render(request, "engagement/volunteering/close.html", {"action": action, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    action = _manage(request, code)
    form = CancelForm(request.POST)
    try:
        services.cancel_action(action, by=request.user,
                               reason=form.cleaned_data["reason"] if form.is_valid() else "")
        messages.success(request, _("The action is cancelled."))
    except (ValidationError, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("volunteering:detail", action.code)


def may_see_photo(request: HttpRequest, photo: Photo, /, *, code: str) -> bool:
    """A photo of this action, to people who may see the action."""
    return queries.photo_of(_action(request, code), photo.sha256) is not None


photo = photo_view(may_see_photo)


# --- records ---------------------------------------------------------------------------------


def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/volunteering/mine.html", {
        "record": queries.my_record(request.user), "has_person": permissions.can_sign_up(request.user)})


def _period(request: HttpRequest) -> PeriodForm:
    data = request.GET if request.GET.get("since") or request.GET.get("until") else None
    return PeriodForm(data, user=request.user)


def participation(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_participation(request.user):
        raise PermissionDenied(_("Participation is for the community offices and leaders."))
    form = _period(request)
    since, until = form.period.bounds()  # a bad period: the error beside the fields, the last 30 days below
    rows = queries.participation(request.user, since, until)
    community = form.cleaned_data.get("community") if form.is_bound and form.is_valid() else None
    if community is not None:
        rows = [r for r in rows if r.community.pk == community.pk]
    return render(request, "engagement/volunteering/participation.html", {
        "form": form, "rows": rows, "since": since, "until": until,
        "totals": {
            "party_members": sum(r.party_members for r in rows),
            "took_part": sum(r.party_members_took_part for r in rows),
            "hours": sum((r.hours for r in rows), start=0),
            "actions": sum(r.actions_held for r in rows),
        },
    }, status=400 if form.errors else 200)


def export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_export_ledger(request.user):
        raise PermissionDenied(_("The ledger is for the community offices and leaders."))
    form = _period(request)
    if not (form.is_bound and form.is_valid()):
        return render(request, "engagement/volunteering/export.html", {"form": form},
                      status=400 if form.is_bound else 200)
    data = form.cleaned_data

    def photo_url(action: Action, sha256: str) -> str:
        return absolute_url(request, reverse("volunteering:photo", args=[action.code, sha256, "original"]))

    def refused(exc: sheets.TooManyRows) -> HttpResponse:
        form.add_error(None, str(exc))
        return render(request, "engagement/volunteering/export.html", {"form": form}, status=400)

    return sheets.export_response(
        request, lambda: exports.ledger(request.user, since=data["since"], until=data["until"],
                                        community=data["community"], photo_url=photo_url),
        filename=f"volunteer-ledger-{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.xlsx", back=refused)
