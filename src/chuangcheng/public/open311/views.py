"""The GeoReport v2 endpoints: thin adapters that parse the standard's parameters, call the
queries or services, and answer in the format of the URL's extension. Every refusal is the
standard's error document with its status (404 unknown resource, 403 api_key, 400 the rest);
nothing a client sends can make it fail with a 500."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chuangcheng.core import clock
from chuangcheng.core.site import site_root
from chuangcheng.org.models import Region
from chuangcheng.org.queries import street_of_region
from chuangcheng.public.models import Open311Client
from chuangcheng.public.open311 import permissions, queries, services
from chuangcheng.public.open311 import render as out
from chuangcheng.public.services import RateLimited

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+08:00"
FORMATS = ["text/xml", "application/json"]
# Open311 parameter names for our services' field names, so an error says what to fix.
PARAMETERS = {"lon": "long", "category": "service_code", "address": "address_string", "location": "lat/long"}


class Refusal(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view: public (no sign-in, no CSRF: clients authenticate with api_key), answering
    only `methods`, every refusal in the standard's error format."""
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = out.XML, **kwargs: Any) -> HttpResponse:
            allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
            try:
                if request.method not in allowed:
                    raise Refusal(400, _("Use %(methods)s for this resource.") % {"methods": " or ".join(methods)})
                return view(request, *args, fmt=fmt, **kwargs)
            except Refusal as refusal:
                response = out.errors(fmt, refusal.status, refusal.descriptions)
            except ValidationError as exc:
                response = out.errors(fmt, 400, _messages(exc))
            except RateLimited as exc:
                response = out.errors(fmt, 400, [str(exc)])
            except PermissionDenied as exc:
                response = out.errors(fmt, 400, [str(exc) or _("This request is not allowed.")])
            except (SuspiciousOperation, MultiPartParserError, RequestDataTooBig, TooManyFieldsSent,
                    UnicodeDecodeError):
                response = out.errors(fmt, 400, [_("The request could not be read. Send the parameters "
                                                   "form-encoded in UTF-8.")])
            if request.method not in allowed:
                response["Allow"] = ", ".join(sorted(allowed))
            return response

        return csrf_exempt(login_not_required(wrapper))

    return decorate


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{PARAMETERS.get(name, name)}: {message}" for name, items in exc.message_dict.items()
                for message in items]
    return list(exc.messages)


# --- parameters ------------------------------------------------------------------------------


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _text(params: QueryDict, name: str, *, limit: int = 200) -> str:
    value = out.xml_safe(params.get(name, "") or "").strip()
    if len(value) > limit:
        raise Refusal(400, _("%(name)s: keep it under %(n)d characters.") % {"name": name, "n": limit})
    return value


def _list(params: QueryDict, name: str) -> list[str]:
    return [part.strip() for part in _text(params, name, limit=20000).split(",") if part.strip()]


def _int(params: QueryDict, name: str, low: int, high: int) -> int | None:
    raw = _text(params, name, limit=20)
    if not raw:
        return None
    # isdigit() alone lets "²" through, which int() then refuses.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise Refusal(400, _("%(name)s: give a whole number from %(low)d to %(high)d.")
                      % {"name": name, "low": low, "high": high})
    return int(raw)


# The dates a client may ask about: wide enough for any real question, far from datetime's edges.
EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def _date(params: QueryDict, name: str, *, end: bool = False) -> dt.datetime | None:
    """A W3C datetime (2026-11-29T08:00:00+08:00, …Z, or a date); without an offset, Beijing time.
    A '+' of an offset sent unencoded arrives as a space: read it back."""
    raw = _text(params, name, limit=40)
    if not raw:
        return None
    raw = _SPACED_OFFSET.sub(r"+\1", raw)
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Refusal(400, _("%(name)s: give a W3C date and time such as 2026-11-29T08:00:00+08:00.")
                      % {"name": name})
    if not EARLIEST.year <= moment.year <= LATEST.year:
        # Year 1 or 9999 would overflow on the way to UTC or when a 90-day window is added.
        raise Refusal(400, _("%(name)s: give a date between %(first)d and %(last)d.")
                      % {"name": name, "first": EARLIEST.year, "last": LATEST.year})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _window(params: QueryDict) -> tuple[dt.datetime | None, dt.datetime | None]:
    start, end = _date(params, "start_date"), _date(params, "end_date", end=True)
    if start and end:
        if start > end:
            raise Refusal(400, _("start_date must come before end_date."))
        if end - start > queries.MAX_SPAN:
            raise Refusal(400, _("Ask for at most 90 days between start_date and end_date."))
    return start, end


MAX_PAGE = 100000


def _paging(params: QueryDict) -> tuple[int | None, int]:
    """`page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE) of the updates list: without either,
    every update of the window (up to MAX_REQUESTS)."""
    page = _int(params, "page", 1, MAX_PAGE)
    size = _int(params, "page_size", 1, queries.MAX_PAGE_SIZE)
    if page is None and size is None:
        return None, queries.MAX_PAGE_SIZE
    return page or 1, size or queries.MAX_PAGE_SIZE


def _request_paging(params: QueryDict) -> tuple[int, int]:
    """`page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when not given) of
    the request list: always one page."""
    page = _int(params, "page", 1, MAX_PAGE)
    size = _int(params, "page_size", 1, queries.MAX_PAGE_SIZE)
    return page or 1, size or queries.DEFAULT_PAGE_SIZE


def _jurisdiction(params: QueryDict) -> Region | None:
    code = _text(params, "jurisdiction_id", limit=40)
    if not code:
        return None
    region = queries.jurisdiction(code)
    if region is None:
        raise Refusal(404, _("jurisdiction_id: no jurisdiction %(code)s here.") % {"code": code})
    return region


def _client(request: HttpRequest, region: Region | None) -> Open311Client:
    # In the form body as the standard says; some clients put it in the query string.
    key = request.POST.get("api_key", "") or request.GET.get("api_key", "") or ""
    if not key.strip():
        raise Refusal(403, _("api_key: an API key is required to post. Ask the subdistrict office for one."))
    client = queries.client_for_key(key)
    if client is None:
        raise Refusal(403, _("api_key: this API key is not valid or was revoked."))
    if region is not None and not client.street.path.startswith(region.path):
        raise Refusal(403, _("api_key: this API key is not valid for jurisdiction %(code)s.") % {"code": region.code})
    return client


def _base(request: HttpRequest) -> str:
    return site_root(request)


def _coordinate(params: QueryDict, name: str, limit: float) -> float | None:
    raw = _text(params, name, limit=40)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value != value or abs(value) > limit:  # not a number, or off the globe
        raise Refusal(400, _("%(name)s: give WGS-84 decimal degrees.") % {"name": name})
    return value


# --- endpoints -------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = _base(request)
    url = base + reverse("open311:discovery", kwargs={"fmt": fmt}).rsplit("/", 1)[0] + "/"
    content = {
        "changeset": CHANGESET,
        "contact": _("The subdistrict office (街道创城办) that issued your API key."),
        "key_service": _("API keys are issued by each subdistrict office on its Open311 keys page; a key "
                         "posts requests inside that subdistrict only. jurisdiction_id is optional: a "
                         "subdistrict or district code narrows every answer to that area."),
        "endpoints": [{
            "specification": SPEC_URL,
            "url": url,
            "changeset": CHANGESET,
            "type": "test" if settings.DEBUG else "production",
            "formats": FORMATS,
        }],
    }
    return out.respond(fmt, "discovery", None, content)


def _service_fields(category: Any) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": False,
        "type": "realtime",
        "keywords": category.campaign_label,
        "group": category.parent.name if category.parent else "",
    }


@endpoint("GET")
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    return out.respond(fmt, "services", "service", [_service_fields(c) for c in queries.services()])


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    _jurisdiction(request.GET)
    category = queries.service(code)
    if category is None:
        raise Refusal(404, _("service_code: no service %(code)s.") % {"code": code[:40]})
    # Our services ask nothing beyond the standard fields: no attributes (metadata is false).
    return out.respond(fmt, "service_definition", None, {"service_code": category.code, "attributes": []})


@endpoint("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return _post_request(request, fmt) if request.method == "POST" else _get_requests(request, fmt)


def _request_document(request: HttpRequest, fmt: str, cases: list[Any]) -> HttpResponse:
    base = _base(request)
    extended = request.GET.get("extensions", "").lower() == "true"
    items = []
    for case in cases:
        fields = queries.request_fields(case, base=base)
        if extended:
            fields.update(queries.extended_fields(case, base=base))
        items.append(fields)
    return out.respond(fmt, "service_requests", "request", items)


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    region = _jurisdiction(params)
    statuses = [s.lower() for s in _list(params, "status")]
    if any(s not in {"open", "closed"} for s in statuses):
        raise Refusal(400, _("status: use open, closed or both, separated by a comma."))
    start, end = _window(params)
    page, size = _request_paging(params)
    flt = queries.RequestFilter(ids=_list(params, "service_request_id"), service_codes=_list(params, "service_code"),
                                statuses=statuses, start=start, end=end, page=page, page_size=size)
    cases, more = queries.find_requests(flt, region)
    response = _request_document(request, fmt, cases)
    if more:
        # Not in the standard: where the next page is, for clients that read it (RFC 8288).
        following = params.copy()
        following["page"] = str(page + 1)
        following["page_size"] = str(size)
        response["Link"] = f'<{_base(request)}{request.path}?{following.urlencode()}>; rel="next"'
    return response


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    region = _jurisdiction(params)
    client = _client(request, region)
    code = _text(params, "service_code", limit=40)
    if not code:
        raise Refusal(400, _("service_code: say which service the request is for."))
    category = queries.service(code)
    if category is None:
        raise Refusal(404, _("service_code: no service %(code)s.") % {"code": code})
    problems: list[str] = []

    def field(name: str, limit: int = 200) -> str:
        try:
            return _text(params, name, limit=limit)
        except Refusal as refusal:
            problems.extend(refusal.descriptions)
            return ""

    def coordinate(name: str, limit: float) -> float | None:
        try:
            return _coordinate(params, name, limit)
        except Refusal as refusal:
            problems.extend(refusal.descriptions)
            return None

    lat, lon = coordinate("lat", 90), coordinate("long", 180)
    address, address_id = field("address_string"), field("address_id", 40)
    description, media_url = field("description", services.MAX_TEXT), field("media_url", 1000)
    email, phone = field("email", 254), field("phone", 20)
    first_name, last_name, device_id = field("first_name", 50), field("last_name", 50), field("device_id", 100)
    if not problems:
        if (lat is None) != (lon is None):
            problems.append(_("lat/long: give both lat and long."))
        elif lat is None and not address and not address_id:
            problems.append(_("location: give lat and long, address_string or address_id."))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("email: this is not an e-mail address."))
        if media_url and urlsplit(media_url).scheme not in {"http", "https"}:
            problems.append(_("media_url: give an http or https address."))
    if problems:
        raise Refusal(400, *problems)
    location = services.Location(lon=lon, lat=lat, address=address, point_code=address_id)
    if client.sends_orders:
        # A hotline's system: its work order (attribute[work_order] its number), not a resident's report.
        case = services.post_order(client=client, category=category, location=location, description=description,
                                   order_number=field("attribute[work_order]", 40), phone=phone,
                                   first_name=first_name, last_name=last_name).case
    else:
        case = services.post_request(
            client=client, category=category, location=location, description=description, media_url=media_url,
            email=email, phone=phone, first_name=first_name, last_name=last_name, device_id=device_id,
        ).case
    item = {"service_request_id": case.number, "service_notice": queries.limit_text(category),
            "account_id": None}
    return out.respond(fmt, "service_requests", "request", [item])


@endpoint("GET")
def request_detail(request: HttpRequest, number: str, *, fmt: str) -> HttpResponse:
    region = _jurisdiction(request.GET)
    case = queries.public_case(number[:40], region)
    if case is None:
        raise Refusal(404, _("service_request_id: no request %(id)s.") % {"id": number[:40]})
    return _request_document(request, fmt, [case])


@endpoint("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    region = _jurisdiction(request.GET)
    case = queries.case_for_token(token[:40], region)
    if case is None:
        raise Refusal(404, _("token: no token %(token)s.") % {"token": token[:40]})
    return out.respond(fmt, "service_requests", "request",
                       [{"service_request_id": case.number, "token": case.public_report.code}])


@endpoint("GET", "POST")
def updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return _post_update(request, fmt) if request.method == "POST" else _get_updates(request, fmt)


def _get_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    region = _jurisdiction(params)
    start, end = _window(params)
    page, size = _paging(params)
    if start is None and end is None:
        end = clock.now()
        start = end - dt.timedelta(days=1)
    start, end = queries.window(start, end)
    events = queries.find_updates(start, end, region, page=page, page_size=size)
    base = _base(request)
    return out.respond(fmt, "service_request_updates", "request_update",
                       [queries.update_fields(e, base=base) for e in events])


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    region = _jurisdiction(params)
    client = _client(request, region)
    number = _text(params, "service_request_id", limit=40)
    if not number:
        raise Refusal(400, _("service_request_id: say which request the update is for."))
    case = queries.public_case(number, region)
    if case is None:
        raise Refusal(404, _("service_request_id: no request %(id)s.") % {"id": number})
    status = _text(params, "status", limit=40).upper()
    media_url = _text(params, "media_url", limit=1000)
    if media_url and urlsplit(media_url).scheme not in {"http", "https"}:
        raise Refusal(400, _("media_url: give an http or https address."))
    _date(params, "updated_datetime")  # checked, not trusted: our timeline keeps our own time
    event = services.post_update(
        client=client, case=case, description=_text(params, "description", limit=services.MAX_TEXT + 1),
        status=status, client_update_id=_text(params, "update_id", limit=100), media_url=media_url,
    )
    return out.respond(fmt, "service_request_updates", "request_update", [{"update_id": str(event.pk)}])


@endpoint("GET", "POST")
def not_found(request: HttpRequest, rest: str = "", *, fmt: str) -> HttpResponse:
    raise Refusal(404, _("No such resource. Start from discovery.xml or services.xml."))


# --- the office's page for keys ---------------------------------------------------------------


def keys(request: HttpRequest) -> HttpResponse:
    """Street admins issue a key to an outside system (shown once) and revoke keys."""
    user: Any = request.user
    if not permissions.can_see_keys_page(user):
        raise PermissionDenied
    if user.is_superuser and request.GET.get("street"):
        street = Region.objects.filter(code=request.GET["street"], level=Region.Level.STREET).first()
    else:
        street = street_of_region(user.scope) if user.scope else None
    if street is None:
        if user.is_superuser:
            streets = Region.objects.filter(level=Region.Level.STREET)
            return render(request, "open311/keys.html", {"street": None, "streets": streets})
        raise Http404
    if not permissions.can_manage_keys(user, street):
        raise PermissionDenied
    new_key = None
    errors: list[str] = []
    values = {"name": "", "contact": ""}
    if request.method == "POST":
        if "revoke" in request.POST:
            revoke = request.POST["revoke"]
            readable = revoke.isascii() and revoke.isdigit()
            client = queries.keys_for(street).filter(pk=int(revoke)).first() if readable else None
            if client is not None:
                services.revoke_key(client, by=user)
                messages.success(request, _("The key of %(name)s was revoked.") % {"name": client.name})
            return redirect(request.get_full_path())
        values = {"name": request.POST.get("name", "")[:200], "contact": request.POST.get("contact", "")[:300]}
        try:
            client, new_key = services.issue_key(street=street, name=values["name"], contact=values["contact"],
                                                 by=user)
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            values = {"name": "", "contact": ""}
            messages.success(request, _("Copy the new key now: it is shown only once."))
    services_url = reverse("open311:services", kwargs={"fmt": "xml"})
    return render(request, "open311/keys.html", {
        "street": street, "clients": queries.keys_for(street), "new_key": new_key, "errors": errors,
        "values": values, "base_url": _base(request) + services_url.removesuffix("services.xml"),
    })
