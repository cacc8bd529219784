"""Every read behind the Open311 interface. Only public data leaves here: the public categories as
services, and the cases that came from the public (residents' pages and Open311 clients) with
their category, place, state, unit, dates and public notes; never a reporter's name, phone,
e-mail or device, never a text or photo a moderator hid, never an internal event (warnings,
escalations, extensions, units sending a case back)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, CaseEvent, Category, Resolution, State, TimeUnit
from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.org.models import Region
from chuangcheng.public import queries as public_queries
from chuangcheng.public.models import Channel, Open311Client

OPEN_STATES = {State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.RECTIFYING, State.RECTIFIED,
               State.SUSPENDED}
CLOSED_STATES = {State.CLOSED, State.REJECTED}

# The events an outside system sees: those of the residents' public timeline (the same plain
# labels; notes only where written for the public) plus the comments clients post.
PUBLIC_ACTIONS = set(public_queries.PUBLIC_LABELS) | {"comment"}
NOTE_ACTIONS = set(public_queries.PUBLIC_NOTES) | {"comment"}

MAX_REQUESTS = 1000
MAX_PAGE_SIZE = 100
# A request list without `page_size` answers one page of this many, newest first: the standard has
# no paging, and an unpaged list grew with every request of the last 90 days.
DEFAULT_PAGE_SIZE = 50
MAX_SPAN = dt.timedelta(days=90)


def status_of(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def client_for_key(key: str) -> Open311Client | None:
    """The client holding this api_key, if it is valid and not revoked."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        return None
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
    return Open311Client.objects.select_related("street").filter(key_hash=digest, revoked=False).first()


def jurisdiction(code: str) -> Region | None:
    """A subdistrict or district (city) this server answers for; None when unknown."""
    return Region.objects.filter(code=code, level__in=[Region.Level.DISTRICT, Region.Level.STREET]).first()


def services() -> QuerySet[Category]:
    """The public categories residents may choose: active leaves of the category tree."""
    return (Category.objects.filter(public=True, active=True, parent__isnull=False, parent__active=True)
            .select_related("parent").order_by("parent__sort_order", "parent__code", "sort_order", "code"))


def service(code: str) -> Category | None:
    return services().filter(code=code).first()


def limit_text(category: Category) -> str:
    """What a requester can expect: the category's time limit once the case is dispatched."""
    unit = TimeUnit(category.limit_unit).label
    return _("Handled within %(amount)s %(unit)s after it is dispatched to the responsible unit.") % {
        "amount": category.limit_amount, "unit": unit}


# --- service requests ------------------------------------------------------------------------


def _public_events() -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(action__in=PUBLIC_ACTIONS).order_by("at", "id")


def public_cases(region: Region | None = None) -> QuerySet[Case]:
    """The public cases (residents' reports and cases the office marked public), with what a
    request document needs in a fixed number of queries (with `with_photos` once listed)."""
    qs = (public_queries.public_cases()
          .select_related("category", "category__parent", "unit", "point", "public_report")
          # A subquery per row of the page, not a join of every event grouped before the page is cut.
          .annotate(last_event_at=Subquery(CaseEvent.objects.filter(case_id=OuterRef("pk"))
                                           .order_by("-at").values("at")[:1]))
          .prefetch_related(Prefetch("events", to_attr="public_events", queryset=_public_events()
                                     .only("id", "case_id", "at", "action", "note", "to_state")),
                            "hidden_photos"))
    if region is not None:
        qs = qs.filter(grid__path__startswith=region.path)
    return qs


def with_photos(cases: list[Case]) -> list[Case]:
    """The photos of the cases' public events in one query, as `event.photo_rows` (the photos with
    their hash, in their own order). A prefetch of each event's photos costs a related manager and a
    queryset per event: most of a list's time."""
    by_event: dict[int, list[Photo]] = defaultdict(list)
    if cases:
        links = (CaseEvent.photos.through.objects
                 .filter(caseevent__case_id__in=[case.pk for case in cases], caseevent__action__in=PUBLIC_ACTIONS)
                 .select_related("photo").only("caseevent_id", "photo__id", "photo__sha256", "photo__uploaded_at")
                 .order_by("photo__uploaded_at", "photo__id"))
        for link in links:
            by_event[link.caseevent_id].append(link.photo)
    for case in cases:
        for event in case.public_events:  # type: ignore[attr-defined]
            event.photo_rows = by_event.get(event.pk, [])
    return cases


def public_case(number: str, region: Region | None = None) -> Case | None:
    return next(iter(with_photos(list(public_cases(region).filter(number=number)[:1]))), None)


def case_for_token(token: str, region: Region | None = None) -> Case | None:
    """Tokens are the tracking codes of requests posted through Open311 (we answer synchronously,
    so a token always has its request id)."""
    found = public_cases(region).filter(public_report__code=token, public_report__channel=Channel.OPEN311)
    return next(iter(with_photos(list(found[:1]))), None)


@dataclass
class RequestFilter:
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def window(start: dt.datetime | None, end: dt.datetime | None, *, default: dt.timedelta = MAX_SPAN
           ) -> tuple[dt.datetime, dt.datetime]:
    """The time window asked for, completed the standard's way: without dates the last 90 days."""
    if start is None and end is None:
        end = clock.now()
    if end is None:
        assert start is not None  # noqa: S101
        end = start + default
    if start is None:
        start = end - default
    return start, end


def find_requests(flt: RequestFilter, region: Region | None = None) -> tuple[list[Case], bool]:
    """One page of the requests, newest first, and whether a next page has more. `ids` overrides
    every other filter (the standard's rule) and paging: the requests asked for by number, all of
    them (up to MAX_REQUESTS)."""
    qs = public_cases(region)
    if flt.ids:
        return with_photos(list(qs.filter(number__in=flt.ids[:MAX_REQUESTS])[:MAX_REQUESTS])), False
    start, end = window(flt.start, flt.end)
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    if flt.service_codes:
        qs = qs.filter(category__code__in=flt.service_codes)
    if flt.statuses:
        states: set[str] = set()
        for status in flt.statuses:
            states |= OPEN_STATES if status == "open" else CLOSED_STATES
        qs = qs.filter(state__in=states)
    qs = qs.order_by("-reported_at", "-id")
    offset = (flt.page - 1) * flt.page_size
    found = list(qs[offset:offset + flt.page_size + 1])  # one more tells whether a next page has any
    return with_photos(found[:flt.page_size]), len(found) > flt.page_size


def _iso(moment: dt.datetime | None) -> str | None:
    return clock.local(moment).isoformat(timespec="seconds") if moment else None


def _coordinate(value: Any) -> float | None:
    return float(value) if value is not None else None


def public_photos(case: Case, events: Iterable[CaseEvent]) -> list[Any]:
    hidden = {h.photo_id for h in case.hidden_photos.all()}
    return [p for e in events for p in _photos(e) if p.pk not in hidden]


def _photos(event: CaseEvent) -> Iterable[Any]:
    rows = getattr(event, "photo_rows", None)  # the request list's (with_photos)
    return rows if rows is not None else event.photos.all()


def media_url(photo: Any, base: str) -> str | None:
    """The public, EXIF-free display version of a photo, when the residents' pages serve one."""
    from django.urls import NoReverseMatch, reverse

    try:
        return base + reverse("public:photo", kwargs={"sha256": photo.sha256})
    except NoReverseMatch:
        return None


def status_notes(case: Case) -> str:
    """What the requester is told now: the last public step in plain words, with its note where the
    note is written for the public (why a report was not accepted or was merged)."""
    events = [e for e in getattr(case, "public_events", []) if e.action != "comment"]
    if not events:
        return ""
    last = events[-1]
    label = public_queries.public_event_label(last)
    return f"{label}: {last.note}" if last.action in NOTE_ACTIONS and last.note else label


def description_of(case: Case) -> str:
    report = getattr(case, "public_report", None)
    if report is not None and report.text_hidden:
        return ""
    return case.description


def request_fields(case: Case, *, base: str) -> dict[str, Any]:
    """One request as the standard lays it out (the order of its examples)."""
    events = list(getattr(case, "public_events", []))
    photos = public_photos(case, [e for e in events if e.action == "report"])
    url = media_url(photos[0], base) if photos else None
    updated = getattr(case, "last_event_at", None) or case.reported_at
    return {
        "service_request_id": case.number,
        "status": status_of(case.state),
        "status_notes": status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": description_of(case),
        "agency_responsible": case.unit.name if case.unit else "",
        "service_notice": limit_text(case.category),
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(case.deadline),
        "address": case.address,
        "address_id": case.point.code if case.point else "",
        "zipcode": "",
        "lat": _coordinate(case.lat),
        "long": _coordinate(case.lon),
        "media_url": url or "",
    }


def extended_fields(case: Case, *, base: str) -> dict[str, Any]:
    """What `extensions=true` adds: the submitted attributes (we ask none), how the request came
    in with its public photos, and the public history as notes."""
    events = list(getattr(case, "public_events", []))
    photos = [url for url in (media_url(p, base) for p in public_photos(case, events)) if url]
    report = getattr(case, "public_report", None)
    return {
        "attributes": [],
        "extended_attributes": {"channel": report.channel if report is not None else case.source, "photos": photos},
        "notes": [{"datetime": _iso(e.at), "description": update_description(e, case),
                   "type": "comment" if e.action == "comment" else "status_change"} for e in events],
    }


# --- service request updates (the updates extension) ----------------------------------------

# Our transitions in the extension's richer vocabulary.
UPDATE_STATUS = {
    "report": "FOR_TRIAGE",
    "accept": "INVESTIGATING",
    "dispatch": "ACTION_SCHEDULED",
    "redispatch": "ACTION_SCHEDULED",
    "start": "IN_PROGRESS",
    "rectify": "IN_PROGRESS",
    "return_for_rework": "IN_PROGRESS",
    "suspend": "ACTION_SCHEDULED",
    "resume": "IN_PROGRESS",
    "reopen": "REOPEN",
    "send_back": "INVESTIGATING",
    "merge": "DUPLICATE",
    "close_again": "FIXED",
}
REJECTED_STATUS: dict[str, str] = {
    Resolution.DUPLICATE: "DUPLICATE", Resolution.NOT_OURS: "NOT_COUNCILS_RESPONSIBILITY",
    Resolution.NOT_FIXABLE: "NO_FURTHER_ACTION",
}


def update_status(event: CaseEvent, case: Case) -> str:
    if event.action == "reject":
        return REJECTED_STATUS.get(case.resolution, "CLOSED")
    if event.action == "verify":
        resolution = (event.data or {}).get("resolution") or case.resolution
        return "NO_FURTHER_ACTION" if resolution == Resolution.NOT_FIXABLE else "FIXED"
    if event.action == "rate":  # the reporter's rating: the fix stands, or 不满意 took it back
        return "FIXED" if event.to_state == State.CLOSED else "REOPEN"
    if event.action in UPDATE_STATUS:
        return UPDATE_STATUS[event.action]
    return "CLOSED" if event.to_state in CLOSED_STATES else "OPEN"


def update_description(event: CaseEvent, case: Case) -> str:
    if event.action == "report":
        return description_of(case)
    if event.action == "comment":
        return event.note
    label = public_queries.public_event_label(event)
    return f"{label}: {event.note}" if event.action in NOTE_ACTIONS and event.note else label


def find_updates(start: dt.datetime, end: dt.datetime, region: Region | None = None, *,
                 page: int | None = None, page_size: int = MAX_PAGE_SIZE) -> list[CaseEvent]:
    qs = (CaseEvent.objects.filter(public_queries.public_case_q("case__"), action__in=PUBLIC_ACTIONS,
                                   at__gte=start, at__lte=end)
          .select_related("case", "case__public_report")
          .prefetch_related("photos", "case__hidden_photos")
          .order_by("at", "id"))
    if region is not None:
        qs = qs.filter(case__grid__path__startswith=region.path)
    if page is None:
        return list(qs[:MAX_REQUESTS])
    offset = (page - 1) * page_size
    return list(qs[offset:offset + page_size])


def update_fields(event: CaseEvent, *, base: str) -> dict[str, Any]:
    photos = public_photos(event.case, [event])
    url = media_url(photos[0], base) if photos else None
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": update_status(event, event.case),
        "updated_datetime": _iso(event.at),
        "description": update_description(event, event.case),
        "media_url": url or "",
        "external_status_code": event.to_state,
    }


def keys_for(street: Region) -> QuerySet[Open311Client]:
    """The clients of a subdistrict, newest first, for its office's page."""
    return Open311Client.objects.filter(street=street).select_related("created_by").order_by("revoked", "-created_at")
