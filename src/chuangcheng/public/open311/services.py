"""Every write of the Open311 interface: API keys (issued and revoked by the subdistrict office,
audited, the key shown once), service requests (through the residents' `submit_report`, so the
same checks and limits apply) and the updates clients post back."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.cases.models import Case, CaseEvent, Category
from chuangcheng.cases.services import comment_on_case
from chuangcheng.core import audit, clock
from chuangcheng.hotline import services as orders
from chuangcheng.hotline.models import OrderSource, WorkOrder
from chuangcheng.org.models import Region
from chuangcheng.public import services as public_services
from chuangcheng.public.models import Attempt, Channel, Open311Client, Report
from chuangcheng.public.open311 import permissions

KEY_PREFIX = "o311_"
MAX_TEXT = 4000


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_key(*, street: Region, name: str, contact: str = "", by: Any,
              sends_orders: bool = False) -> tuple[Open311Client, str]:
    """A new client of the subdistrict with a fresh api_key; the key is returned once, only its
    SHA-256 is kept. `by` None: an operator on the command line. `sends_orders`: the client is a
    hotline's system whose requests are its work orders (see `post_order`)."""
    if by is not None and not permissions.can_manage_keys(by, street):
        raise PermissionDenied(_("Only the office of this subdistrict may issue its Open311 keys."))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    contact = (contact or "").strip()
    if street.level != Region.Level.STREET:
        errors.setdefault("street", []).append(_("Keys are issued per subdistrict."))
    if not name:
        errors.setdefault("name", []).append(_("Name the system that will use the key."))
    elif len(name) > 120:
        errors.setdefault("name", []).append(_("Keep the name under 120 characters."))
    if len(contact) > 200:
        errors.setdefault("contact", []).append(_("Keep the contact under 200 characters."))
    if errors:
        raise ValidationError(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name, street=street, contact=contact, prefix=key[len(KEY_PREFIX):len(KEY_PREFIX) + 8],
        key_hash=hash_key(key), created_at=clock.now(), sends_orders=sends_orders,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(actor=by, action="create", instance=client, region_path=street.path,
                 changes={"name": [None, name], "contact": [None, contact], "sends_orders": [None, sends_orders]})
    return client, key


@transaction.atomic
def revoke_key(client: Open311Client, *, by: Any, note: str = "") -> None:
    """From now on the key is refused; the client's requests stay."""
    if by is not None and not permissions.can_manage_keys(by, client.street):
        raise PermissionDenied(_("Only the office of this subdistrict may revoke its Open311 keys."))
    if client.revoked:
        return
    Open311Client.objects.filter(pk=client.pk).update(revoked=True)
    client.revoked = True
    audit.record(actor=by, action="update", instance=client, region_path=client.street.path,
                 changes={"revoked": [False, True]}, note=note or "revoked")


def touch(client: Open311Client) -> None:
    """Remember when the key was last used (shown on the office's page)."""
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=clock.now())


@dataclass(frozen=True)
class Location:
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    point_code: str = ""


def post_request(*, client: Open311Client, category: Category, location: Location, description: str = "",
                 media_url: str = "", email: str = "", phone: str = "", first_name: str = "",
                 last_name: str = "", device_id: str = "") -> Report:
    """A request from an outside system, inside the client's subdistrict. We never fetch media_url:
    it is recorded in the description for staff to open. Raises ValidationError,
    public_services.RateLimited or PermissionDenied as `submit_report` does."""
    from chuangcheng.places.models import Point
    from chuangcheng.places.services import locate_grid

    street = client.street
    lon, lat, address = location.lon, location.lat, location.address
    if location.point_code:
        point = Point.objects.filter(code=location.point_code, grid__path__startswith=street.path).first()
        if point is None:
            raise ValidationError({"address_id": _("No place with this address_id in %(street)s.")
                                   % {"street": street.name}})
        if lon is None or lat is None:
            lon, lat = float(point.lon), float(point.lat)
        address = address or point.address or point.name
    community: Region | None = None
    if lon is not None and lat is not None:
        if locate_grid(lon, lat, within=street) is None:
            raise ValidationError({"lat": _("This location is outside %(street)s, the subdistrict this api_key "
                                            "is for.") % {"street": street.name}})
    else:
        # An address alone: the case goes to the subdistrict's first grid; the office places it on triage.
        community = street
    text = (description or "").strip() or category.name
    if media_url:
        text = f"{text}\n{_('Photo link given by %(client)s:') % {'client': client.name}} {media_url}"
    if len(text) > MAX_TEXT:
        raise ValidationError({"description": _("Keep the description under %(n)d characters.") % {"n": MAX_TEXT}})
    name = " ".join(part for part in [(first_name or "").strip(), (last_name or "").strip()] if part)
    report = public_services.submit_report(
        category=category, description=text, lon=Decimal(str(lon)) if lon is not None else None,
        lat=Decimal(str(lat)) if lat is not None else None, address=address, channel=Channel.OPEN311,
        client=client, name=name, phone=phone, email=email,
        device=f"open311:{client.pk}:{device_id}" if device_id else "", community=community,
    )
    touch(client)
    return report


ORDER_ATTEMPTS = "o311order"


def post_order(*, client: Open311Client, category: Category, location: Location, description: str = "",
               order_number: str = "", phone: str = "", first_name: str = "", last_name: str = "") -> WorkOrder:
    """A request from a hotline's system (a client that `sends_orders`): recorded as that system's
    work order (its name the source system, its order number the key), not as a resident's report,
    so neither the residents' limits nor their tracking apply; the client's own hourly limit does.
    The same order number again is the same order. Raises ValidationError or RateLimited."""
    from chuangcheng.places.services import locate_grid

    street = client.street
    key = f"c:{client.pk}"
    since = clock.now() - dt.timedelta(hours=1)
    if Attempt.objects.filter(kind=ORDER_ATTEMPTS, key=key, at__gt=since).count() >= settings.OPEN311_ORDERS_PER_HOUR:
        raise public_services.RateLimited(_("This api_key has sent %(n)d work orders in the last hour, its limit. "
                                            "Try again later.") % {"n": settings.OPEN311_ORDERS_PER_HOUR})
    if location.lon is not None and location.lat is not None \
            and locate_grid(location.lon, location.lat, within=street) is None:
        raise ValidationError({"lat": _("This location is outside %(street)s, the subdistrict this api_key "
                                        "is for.") % {"street": street.name}})
    text = (description or "").strip() or category.name
    number = (order_number or "").strip() or f"O311-{client.prefix}-{clock.local(clock.now()):%Y%m%d%H%M%S%f}"
    name = " ".join(part for part in [(first_name or "").strip(), (last_name or "").strip()] if part)
    order, _outcome = orders.receive_order(
        orders.Incoming(number=number, request=text, received_at=clock.now(), caller_name=name, caller_phone=phone,
                        address=location.address, lon=location.lon, lat=location.lat,
                        point_code=location.point_code),
        street=street, source=OrderSource.OPEN311, source_system=client.name, source_key=order_number,
        category=category)
    Attempt.objects.create(kind=ORDER_ATTEMPTS, key=key, at=clock.now())
    touch(client)
    return order


@transaction.atomic
def post_update(*, client: Open311Client, case: Case, description: str, status: str = "",
                client_update_id: str = "", media_url: str = "") -> CaseEvent:
    """A comment from an outside system on a request, kept on the case's timeline (it changes no
    state). A requester's "still open" or "fixed" arrives the same way; the office reads it there
    and acts through the case's own actions. Personal details are not kept on the public event."""
    text = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors.setdefault("description", []).append(_("Write the update's text in description."))
    if media_url:
        text = f"{text}\n{_('Photo link given by %(client)s:') % {'client': client.name}} {media_url}"
    if len(text) > MAX_TEXT:
        errors.setdefault("description", []).append(
            _("Keep the description under %(n)d characters.") % {"n": MAX_TEXT})
    if status and status not in {"OPEN", "CLOSED"}:
        errors.setdefault("status", []).append(_("status is OPEN or CLOSED."))
    if not case.grid.path.startswith(client.street.path):
        errors.setdefault("service_request_id", []).append(
            _("This request is outside %(street)s, the subdistrict this api_key is for.")
            % {"street": client.street.name})
    if errors:
        raise ValidationError(errors)
    event = comment_on_case(
        case, author=client.name, note=text,
        data={"channel": Channel.OPEN311, "client": client.pk, "client_update_id": client_update_id[:100],
              "status": status, "from_requester": bool(getattr(case, "public_report", None)
                                                       and case.public_report.client_id == client.pk)},
    )
    touch(client)
    return event
