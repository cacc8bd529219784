"""Residents' pages (no account): report, nearby duplicates, follow, tracking with the "fixed / not
fixed" answer, erase my data, public photos; and the office's pages: triage, moderation, points.

A resident's browser is recognised by a random device cookie (only its keyed hash is stored) and,
once they verify a phone by SMS code, by that phone kept in their session."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from chuangcheng.cases.models import Case, Category, State
from chuangcheng.core import clock
from chuangcheng.core.devices import DeviceCookie
from chuangcheng.core.drafts import draft_accepted
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.proxy import client_address
from chuangcheng.core.redirects import safe_next
from chuangcheng.core.validators import mask_phone, normalize_phone
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from chuangcheng.org.models import Role
from chuangcheng.org.permissions import ADMIN_ROLES, has_role
from chuangcheng.org.queries import communities_visible_to
from chuangcheng.public import permissions, queries, services
from chuangcheng.public.forms import (
    AnswerForm,
    BlockForm,
    MergeForm,
    PhoneForm,
    RatingForm,
    RedemptionForm,
    RejectForm,
    ReportForm,
)
from chuangcheng.public.models import BlockedNumber, Channel, Report

DEVICE = DeviceCookie("cc_device")
DEVICE_COOKIE = DEVICE.name
SESSION_PHONE = "public_phone"
# Boundaries change rarely (an admin edits a region): an hour in the browser, then revalidated by ETag.
AREA_MAX_AGE = 3600

# --- the resident's identity -------------------------------------------------------------------

device_of = DEVICE.of
_keep = DEVICE.keep


def verified_phone(request: HttpRequest) -> str:
    return str(request.session.get(SESSION_PHONE, "")) if hasattr(request, "session") else ""


def _json_error(exc: Exception, status: int) -> JsonResponse:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return JsonResponse({"errors": exc.message_dict}, status=status)
    message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
    return JsonResponse({"errors": {"__all__": [message]}}, status=status)


# --- report ----------------------------------------------------------------------------------


@login_not_required
@never_cache
def report(request: HttpRequest) -> HttpResponse:
    """随手拍: photos, place, kind of problem, what is wrong; a phone number if the resident likes."""
    device = device_of(request)
    status = 200
    location_errors: list[str] = []
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                phone = normalize_phone(data["phone"])
                verified = bool(phone and phone == verified_phone(request))
                if phone and not verified and data["sms_code"]:
                    verified = services.verify_sms_code(phone=phone, code=data["sms_code"])
                    request.session[SESSION_PHONE] = phone
                made = services.submit_report(
                    category=data["category"], description=data["description"], photos=data["photos"] or (),
                    lon=data["lon"], lat=data["lat"], address=data["address"], channel=Channel.WEB,
                    name=data["name"], phone=phone, phone_verified=verified, device=device,
                    notify_sms=data["notify_sms"], community=data["community"],
                    client_ip=client_address(request) or "")
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                location_errors = errors.pop("location", [])
                if errors:
                    apply_validation_error(form, ValidationError(errors))
                status = 400
            except (services.RateLimited, PermissionDenied) as exc:
                form.add_error(None, str(exc))
                status = 429 if isinstance(exc, services.RateLimited) else 403
            else:
                draft_accepted(request, "report")
                return _keep(request, redirect(reverse("public:track", args=[made.code]) + "?new=1"))
        else:
            status = 400
    else:
        form = ReportForm()
    return _keep(request, render(request, "public/report.html", {
        "form": form, "location_errors": location_errors, "map": _map_settings(),
        "area_url": reverse("public:area"), "area_list": queries.public_area_list(),
        "had_photos": request.method == "POST" and bool(request.FILES),
        "nearby_url": reverse("public:nearby"), "sms_url": reverse("public:sms_code"), "texts": {
            "metres": _("m away"), "reported": _("reported"), "sending": _("Sending…"),
            "sent": _("Code sent. It is valid for a few minutes."), "photo": _("Photo of the reported problem"),
            "none": _("Nothing of this kind reported nearby."),
        },
    }, status=status))


def _map_settings() -> dict[str, Any]:
    return {"tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
            "crs": settings.MAP_TILE_CRS}


@login_not_required
@require_GET
@cache_control(public=True, max_age=AREA_MAX_AGE)
def area(request: HttpRequest) -> HttpResponse:
    """The report page's map: the public street's boundary, its communities' and grids' outlines and
    names as GeoJSON. The same for everyone (no personal data), so browsers and proxies may keep it."""
    body = json.dumps(queries.public_area(), ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    return response


@login_not_required
@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    """Open cases of the same kind near the place, for the resident to follow instead."""
    category = Category.objects.filter(code=request.GET.get("category", ""), public=True).first()
    try:
        lon, lat = float(request.GET.get("lon", "")), float(request.GET.get("lat", ""))
    except ValueError:
        return JsonResponse({"errors": {"location": [_("Give the location as decimal degrees.")]}}, status=400)
    if category is None:
        return JsonResponse({"errors": {"category": [_("Choose what kind of problem it is.")]}}, status=400)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return JsonResponse({"errors": {"location": [_("Give the location as decimal degrees.")]}}, status=400)
    found = queries.nearby_open_cases(category, lon, lat)
    return JsonResponse({"cases": [{
        "number": item.case.number,
        "category": item.case.category.name,
        "state": str(State(item.case.state).label),
        "distance_m": item.distance_m,
        "reported": f"{clock.local(item.case.reported_at):%Y-%m-%d %H:%M}",
        "photos": [reverse("public:photo", args=[p.sha256]) for p in item.photos],
        "follow_url": reverse("public:follow", args=[item.case.number]),
    } for item in found]})


@login_not_required
@require_POST
def follow(request: HttpRequest, number: str) -> HttpResponse:
    """"Follow this one instead": a tracking code for the existing case, no new case."""
    case = queries.public_case(number)
    if case is None:
        raise Http404
    phone = verified_phone(request)
    try:
        follower = services.follow_case(case, device=device_of(request), phone=phone, phone_verified=bool(phone),
                                        notify_sms=request.POST.get("notify_sms") == "on")
    except (ValidationError, services.RateLimited, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return _keep(request, redirect("public:report"))
    return _keep(request, redirect(reverse("public:track", args=[follower.code]) + "?new=1"))


@login_not_required
@require_POST
def sms_code(request: HttpRequest) -> JsonResponse:
    """Send a verification code (JSON for the page's script)."""
    try:
        services.send_sms_code(phone=request.POST.get("phone", ""), device=device_of(request),
                               client_ip=client_address(request) or "")
    except ValidationError as exc:
        return _json_error(exc, 400)
    except services.RateLimited as exc:
        return _json_error(exc, 429)
    except PermissionDenied as exc:
        return _json_error(exc, 403)
    response = JsonResponse({"sent": True, "minutes": int(settings.PUBLIC_SMS_CODE_MINUTES)})
    return _keep(request, response)  # type: ignore[return-value]


# --- tracking --------------------------------------------------------------------------------


@login_not_required
@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "")
    if code:
        found = queries.tracking_for(code)
        if found is not None:
            return redirect("public:track", found.code)
        messages.error(request, _("No report has this code. Check the letters and digits."))
    return render(request, "public/lookup.html", {"code": code}, status=404 if code else 200)


def _tracking(code: str) -> queries.Tracking:
    found = queries.tracking_for(code)
    if found is None:
        raise Http404
    return found


def _is_mine(request: HttpRequest, found: queries.Tracking) -> bool:
    device_hash = services.hash_device(request.COOKIES.get(DEVICE_COOKIE, ""))
    phone = verified_phone(request)
    if found.report is not None:
        return permissions.is_reporter(found.report, device=device_hash, phone=phone)
    follower = found.follower
    assert follower is not None  # noqa: S101 - a tracking is a report or a follower
    return follower.anonymized_at is None and bool(
        (device_hash and follower.device == device_hash) or (phone and follower.phone_verified
                                                             and follower.phone == phone))


@login_not_required
@never_cache
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The public timeline of one report: no names, phones or internal notes."""
    found = _tracking(code)
    return _track_page(request, found)


def _track_page(request: HttpRequest, found: queries.Tracking, *, answer_form: AnswerForm | None = None,
                phone_form: PhoneForm | None = None, rating_form: RatingForm | None = None,
                status: int = 200) -> HttpResponse:
    case = found.case
    mine = _is_mine(request, found)
    report_row = found.report
    own_case = report_row.case if report_row is not None else case
    can_answer = bool(mine and report_row is not None and not found.merged and services.can_answer(report_row))
    can_rate = bool(mine and report_row is not None and not found.merged and services.can_rate(report_row))
    phone = verified_phone(request)
    points = None
    if settings.PUBLIC_POINTS_ENABLED and phone and mine:
        points = queries.points_balance(phone)
    text_hidden = report_row.text_hidden if report_row is not None else False
    if not text_hidden and found.merged:
        text_hidden = bool(getattr(getattr(case, "public_report", None), "text_hidden", False))
    return render(request, "public/track.html", {
        "found": found, "case": case, "own_case": own_case, "new": request.GET.get("new") == "1",
        "due": _due(case),
        "timeline": queries.public_timeline(case),
        "own_timeline": queries.public_timeline(own_case) if found.merged else [],
        "photos": queries.public_photos(case), "mine": mine, "can_answer": can_answer,
        "answer_form": answer_form or AnswerForm(), "phone_form": phone_form or PhoneForm(),
        "can_rate": can_rate, "rating_form": rating_form or RatingForm(),
        "points": points, "text_hidden": text_hidden, "verified_phone": mask_phone(phone),
        "track_url": request.build_absolute_uri(reverse("public:track", args=[found.code])),
        "sms_url": reverse("public:sms_code"),
    }, status=status)


def _due(case: Case) -> dict[str, Any] | None:
    """When the problem is due to be fixed, in local time and the reader's date words
    (2026年12月7日（星期一）17:30); None once fixed, closed or not accepted."""
    if case.state in {State.RECTIFIED, State.CLOSED, State.REJECTED}:
        return None
    if case.deadline is None:
        return {"text": _("Set when the street office sends it to the unit responsible."), "at": None,
                "overdue": False, "paused": False}
    local = clock.local(case.deadline)
    text = _("%(date)s (%(weekday)s) %(time)s") % {
        "date": date_format(local, "DATE_FORMAT"), "weekday": date_format(local, "l"),
        "time": date_format(local, "H:i")}
    return {"text": text, "at": case.deadline, "overdue": case.is_overdue(clock.now()),
            "paused": case.state == State.SUSPENDED}


@login_not_required
@require_POST
def answer(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter's "fixed / not fixed"."""
    found = _tracking(code)
    if found.report is None or found.merged:
        raise Http404
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_report(found.report, fixed=form.cleaned_data["fixed"],
                                   device=request.COOKIES.get(DEVICE_COOKIE, ""), phone=verified_phone(request),
                                   note=form.cleaned_data["note"], photos=form.cleaned_data["photos"] or ())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return _track_page(request, found, answer_form=form, status=403)
        except (Conflict, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
            return _track_page(request, found, answer_form=form, status=409)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect("public:track", found.code)
    return _track_page(request, found, answer_form=form, status=400)


@login_not_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter's rating of the fix (满意 / 基本满意 / 不满意), from their tracking page."""
    found = _tracking(code)
    if found.report is None or found.merged:
        raise Http404
    form = RatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.rate_report(found.report, rating=form.cleaned_data["rating"], reason=form.cleaned_data["reason"],
                                 device=request.COOKIES.get(DEVICE_COOKIE, ""), phone=verified_phone(request))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except (Conflict, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, _("Thank you for rating the fix."))
            return redirect(reverse("public:track", args=[found.code]) + "#rating")
    return _track_page(request, found, rating_form=form, status=status)


@login_not_required
@never_cache
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """The text message's rating link: no sign-in, the signed link is the proof. An expired or
    altered link gets a page that says so and shows no case."""
    try:
        report_row = services.report_for_token(token)
    except services.RatingLinkExpired as exc:
        return render(request, "public/rate_link.html", {"error": str(exc), "expired": True}, status=410)
    except services.RatingLinkInvalid as exc:
        return render(request, "public/rate_link.html", {"error": str(exc)}, status=404)
    if report_row.anonymized_at is not None:
        return render(request, "public/rate_link.html", {
            "error": _("The personal data of this report was erased: it can no longer be rated.")}, status=410)
    case = report_row.case
    form = RatingForm()
    status = 200
    if request.method == "POST":
        form = RatingForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.rate_by_link(token, rating=form.cleaned_data["rating"], reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except (PermissionDenied, services.RatingLinkInvalid) as exc:
                form.add_error(None, str(exc))
                status = 403
            except (Conflict, TransitionNotAllowed) as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, _("Thank you for rating the fix."))
                return redirect(request.path)
        case.refresh_from_db()
    return render(request, "public/rate_link.html", {
        "report": report_row, "case": case, "form": form, "can_rate": services.can_rate(report_row),
        "photos": queries.public_photos(case), "text_hidden": report_row.text_hidden,
    }, status=status)


@login_not_required
@require_POST
def verify_phone(request: HttpRequest, code: str) -> HttpResponse:
    """Prove the number given with the report (from another phone, say), by SMS code."""
    found = _tracking(code)
    form = PhoneForm(request.POST)
    if form.is_valid():
        phone = normalize_phone(form.cleaned_data["phone"])
        try:
            services.verify_sms_code(phone=phone, code=form.cleaned_data["sms_code"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            request.session[SESSION_PHONE] = phone
            return redirect("public:track", found.code)
    return _track_page(request, found, phone_form=form, status=400)


@login_not_required
@require_POST
def erase(request: HttpRequest, code: str) -> HttpResponse:
    """"Erase my data": name, phone, e-mail and device go; the report stays."""
    found = _tracking(code)
    device, phone = request.COOKIES.get(DEVICE_COOKIE, ""), verified_phone(request)
    try:
        if found.report is not None:
            services.erase_report(found.report, device=device, phone=phone)
        elif found.follower is not None:
            services.erase_follower(found.follower, device=device, phone=phone)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("public:track", found.code)
    request.session.pop(SESSION_PHONE, None)
    messages.success(request, _("Your personal data has been erased. The report itself stays."))
    return redirect("public:track", found.code)


@login_not_required
def photo(request: HttpRequest, sha256: str, size: str = "") -> HttpResponse:
    """A public photo of a case: the display picture, made without EXIF and without the uploader's
    name, or a smaller copy of it ("medium", "thumb") for the pages; hidden photos and photos of no
    case are not found. Cached an hour only: a photo hidden by moderation must go soon."""
    found = queries.public_photo(sha256)
    if found is None or (size and size not in queries.PUBLIC_SIZES):
        raise Http404
    image = queries.public_image_sized(found, size) if size else queries.public_image(found)
    response = HttpResponse(image, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- the office ------------------------------------------------------------------------------


def _staff_report(request: HttpRequest, code: str) -> Report:
    found = queries.report_for(request.user, code)
    if found is None:
        raise Http404
    return found


def _office(request: HttpRequest, *roles: str) -> None:
    """The office's pages: street and community admins (moderation: street admins)."""
    if not has_role(request.user, *(roles or ADMIN_ROLES)):
        raise PermissionDenied(_("Only the street and community offices use this page."))


def _can_see_phone(request: HttpRequest) -> bool:
    return permissions.can_see_reporter_phone(request.user)


def triage(request: HttpRequest) -> HttpResponse:
    """Residents' reports waiting to be accepted, with likely duplicates."""
    _office(request)
    rows = queries.triage_rows(request.user)
    return render(request, "public/triage.html", {
        "rows": rows, "see_phone": _can_see_phone(request), "reject_form": RejectForm(), "merge_form": MergeForm(),
    })


@require_POST
def triage_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    _office(request)
    report_row = _staff_report(request, code)
    user: Any = request.user
    try:
        if action == "accept":
            services.accept_report(report_row, by=user, note=request.POST.get("note", ""))
            messages.success(request, _("Accepted: %(number)s.") % {"number": report_row.case.number})
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data() and {
                    k: [e["message"] for e in v] for k, v in form.errors.get_json_data().items()})
            services.reject_report(report_row, by=user, reason=form.cleaned_data["reason"],
                                   resolution=form.cleaned_data["resolution"])
            messages.success(request, _("Not accepted: %(number)s.") % {"number": report_row.case.number})
        elif action == "merge":
            into = Case.objects.filter(number=request.POST.get("into", "").strip()).first()
            if into is None:
                raise ValidationError({"into": _("No case has this number.")})
            services.merge_report(report_row, by=user, into=into, note=request.POST.get("note", ""))
            messages.success(request, _("Merged into %(number)s.") % {"number": into.number})
        elif action == "erase":
            services.erase_report(report_row, by=user)
            messages.success(request, _("The reporter's personal data has been erased."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (PermissionDenied, Conflict, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect(safe_next(request, reverse("public:triage")))


def moderation(request: HttpRequest) -> HttpResponse:
    """Recent residents' reports: hide a photo or the text from the public page; blocked numbers."""
    _office(request, Role.STREET_ADMIN)
    return render(request, "public/moderation.html", {
        "rows": queries.moderation_rows(request.user), "see_phone": _can_see_phone(request),
        "blocked": BlockedNumber.objects.all()[:200] if permissions.can_block_numbers(request.user) else [],
        "can_block": permissions.can_block_numbers(request.user), "block_form": BlockForm(),
    })


@require_POST
def moderate(request: HttpRequest, code: str) -> HttpResponse:
    report_row = _staff_report(request, code)
    user: Any = request.user
    what = request.POST.get("what", "")
    hide = request.POST.get("hide") == "1"
    try:
        if what == "text":
            services.hide_text(report_row, by=user, hidden=hide, reason=request.POST.get("reason", ""))
        elif what == "photo":
            from chuangcheng.evidence.models import Photo

            photo_row = Photo.objects.filter(sha256=request.POST.get("photo", "")).first()
            if photo_row is None:
                raise ValidationError({"photo": _("This photo does not belong to the case.")})
            services.hide_photo(report_row.case, photo_row, by=user, hidden=hide,
                                reason=request.POST.get("reason", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("public:moderation")


@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Show a case residents did not report (or take it off) on the public pages and Open311."""
    from chuangcheng.cases.queries import case_for

    number = request.POST.get("number", "").strip()[:40]
    case = case_for(request.user, number)
    try:
        if case is None:
            raise ValidationError({"number": _("No case has this number.")})
        services.publish_case(case, by=request.user, public=request.POST.get("public", "1") == "1",
                              note=request.POST.get("reason", ""))
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("public:moderation")


@require_POST
def block(request: HttpRequest) -> HttpResponse:
    form = BlockForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter your mobile number."))
        if request.POST.get("unblock") == "1":
            services.unblock_number(form.cleaned_data["phone"], by=request.user)
        else:
            services.block_number(form.cleaned_data["phone"], by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("public:moderation")


def points(request: HttpRequest) -> HttpResponse:
    """文明积分: look up a resident's balance and record a redemption (community admins)."""
    _office(request)
    user: Any = request.user
    communities = communities_visible_to(user)
    phone = normalize_phone(request.GET.get("phone", ""))
    form = RedemptionForm(initial={"phone": phone})
    status = 200
    if request.method == "POST":
        form = RedemptionForm(request.POST)
        region = communities.filter(code=request.POST.get("community", "")).first() or user.scope
        if form.is_valid() and region is not None:
            try:
                services.redeem_points(phone=form.cleaned_data["phone"], amount=form.cleaned_data["amount"],
                                       by=user, region=region, note=form.cleaned_data["note"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 400
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            else:
                messages.success(request, _("Redemption recorded."))
                return redirect(reverse("public:points") + "?phone=" + normalize_phone(form.cleaned_data["phone"]))
        else:
            status = 400
    return render(request, "public/points.html", {
        "enabled": settings.PUBLIC_POINTS_ENABLED, "form": form, "phone": phone,
        "balance": queries.points_balance(phone) if phone else None,
        "ledger": list(queries.points_ledger(phone)[:100]) if phone else [],
        "communities": communities,
    }, status=status)
