"""Every write of the public side: a resident's report (随手拍) and how they follow it, the street
office's triage of such reports, moderation, blocked numbers, erasure and points (文明积分).

Cases move only through `chuangcheng.cases.services`; here we keep what belongs to the reporter.
A resident acts without an account: `by=SYSTEM` (the system, on the rules) in the case services,
and the reporter is recognised by their device (a keyed hash of a random cookie) or a verified phone.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, Resolution, Source, State
from chuangcheng.core import audit, clock, geo
from chuangcheng.core.validators import CHINESE_MOBILE, normalize_phone
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.evidence.services import PreparedPhoto
from chuangcheng.evidence.uploads import accepted_uploads, prepare_uploads
from chuangcheng.org.models import Region
from chuangcheng.public import permissions, queries
from chuangcheng.public.models import (
    Attempt,
    BlockedNumber,
    Channel,
    Feedback,
    Follower,
    HiddenPhoto,
    Open311Client,
    PointsEntry,
    Report,
    SmsCode,
)

# Letters and digits nobody confuses when reading a code aloud or off a screen (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_DESCRIPTION = 4000


class RateLimited(Exception):
    """Too many reports or codes from one device or phone in a while (answered with 429)."""


# --- helpers ---------------------------------------------------------------------------------


def hash_device(raw: str) -> str:
    """The keyed hash stored for a device id: the same browser is recognised, the id is not kept."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    return salted_hmac("chuangcheng.public.device", raw, algorithm="sha256").hexdigest()


def _phone_key(phone: str) -> str:
    return salted_hmac("chuangcheng.public.phone", phone, algorithm="sha256").hexdigest()


def new_code() -> str:
    """A fresh tracking code, unused by any report or follower."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Report.objects.filter(code=code).exists() and not Follower.objects.filter(code=code).exists():
            return code


def clean_code(value: str) -> str:
    """What a resident typed as a code, read the forgiving way (case, spaces, O for 0…)."""
    return "".join(str(value or "").split()).upper()[:12]


def clean_phone(value: str, *, field: str = "phone") -> str:
    phone = normalize_phone(value)
    if phone and not CHINESE_MOBILE.match(phone):
        raise ValidationError({field: _("Enter a mobile number of 11 digits starting with 13–19.")})
    return phone


def is_blocked(phone: str) -> bool:
    return bool(phone) and BlockedNumber.objects.filter(phone=phone).exists()


def _coordinate(value: Decimal | float | str | None, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Give the location as decimal degrees.")}) from exc
    if number != number or abs(number) > 180:  # NaN or nonsense
        raise ValidationError({field: _("Give the location as decimal degrees.")})
    return number


def _windows() -> list[tuple[dt.timedelta, int]]:
    return [(dt.timedelta(hours=1), int(settings.PUBLIC_REPORTS_PER_HOUR)),
            (dt.timedelta(days=1), int(settings.PUBLIC_REPORTS_PER_DAY))]


def _sms_windows() -> list[tuple[dt.timedelta, int]]:
    return [(dt.timedelta(hours=1), int(settings.PUBLIC_SMS_PER_HOUR)),
            (dt.timedelta(days=1), int(settings.PUBLIC_SMS_PER_DAY))]


# A fresh cookie jar is a fresh device: the client address is limited too, with a larger allowance
# (a family or an office shares one address).
def _address_windows(kind: str) -> list[tuple[dt.timedelta, int]]:
    if kind == "sms":
        return [(dt.timedelta(hours=1), int(settings.PUBLIC_SMS_PER_ADDRESS_PER_HOUR)),
                (dt.timedelta(days=1), int(settings.PUBLIC_SMS_PER_ADDRESS_PER_DAY))]
    return [(dt.timedelta(hours=1), int(settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR)),
            (dt.timedelta(days=1), int(settings.PUBLIC_REPORTS_PER_ADDRESS_PER_DAY))]


def address_key(client_ip: str) -> str:
    """The counted key of a client address (its keyed hash: the address itself is not kept)."""
    client_ip = (client_ip or "").strip()
    if not client_ip:
        return ""
    return "a:" + salted_hmac("chuangcheng.public.address", client_ip, algorithm="sha256").hexdigest()


def _check_rates(kind: str, keys: Sequence[str], client_ip: str) -> None:
    check_rate(kind, keys, _sms_windows() if kind == "sms" else _windows())
    check_rate(kind, [address_key(client_ip)], _address_windows(kind))


def check_rate(kind: str, keys: Sequence[str], windows: Sequence[tuple[dt.timedelta, int]]) -> None:
    """Refuse when any key has reached a window's limit; nothing is written when refusing."""
    now = clock.now()
    for key in [k for k in keys if k]:
        for span, limit in windows:
            if Attempt.objects.filter(kind=kind, key=key, at__gt=now - span).count() >= limit:
                if kind == "sms":
                    raise RateLimited(_("Too many codes were sent for this number. Please wait a while "
                                        "and try again."))
                raise RateLimited(_("You have sent many reports in a short time. Thank you! Please wait "
                                    "a while before sending more."))


def _count(kind: str, keys: Sequence[str]) -> None:
    now = clock.now()
    Attempt.objects.bulk_create([Attempt(kind=kind, key=k, at=now) for k in keys if k])


def prune_attempts(now: dt.datetime | None = None) -> int:
    """Drop counted attempts older than the longest window (daily job)."""
    now = now or clock.now()
    deleted, _rows = Attempt.objects.filter(at__lt=now - dt.timedelta(days=2)).delete()
    return deleted


def _grid_of_community(community: Region) -> Region | None:
    if community.level == Region.Level.GRID:
        return community
    return (Region.objects.filter(level=Region.Level.GRID, path__startswith=community.path)
            .order_by("sort_order", "path").first())


# --- reporting -------------------------------------------------------------------------------


def place_from_photos(photos: Sequence[UploadedFile]) -> tuple[float | None, float | None]:
    """The GPS fix of the first photo that has one, read from its header (nothing decoded or
    stored; a photo that cannot be read is refused later, when it is accepted)."""
    from chuangcheng.evidence import pipeline

    limit = int(settings.PHOTO_MAX_BYTES)
    for upload in photos:
        try:
            upload.seek(0)
            data = upload.read(limit + 1)
            upload.seek(0)
            with pipeline.open_checked(data, getattr(upload, "name", "") or "") as image:
                info = pipeline.read_info(image)
        except (ValidationError, OSError, ValueError):
            continue
        if info.lon is not None and info.lat is not None:
            return info.lon, info.lat
    return None, None


def submit_report(*, category: Category, description: str, photos: Sequence[UploadedFile] = (),
                  lon: Decimal | float | None = None, lat: Decimal | float | None = None, address: str = "",
                  channel: str = Channel.WEB, client: Open311Client | None = None, name: str = "",
                  phone: str = "", phone_verified: bool = False, email: str = "", device: str = "",
                  notify_sms: bool = False, community: Region | None = None, client_ip: str = "") -> Report:
    """A problem reported by a resident (the page) or an outside system (Open311): checks the
    input and the abuse limits, opens the case (source resident, by the system) with its photos,
    and keeps the reporter's part with a fresh tracking code.

    `device` is the raw device id (the page's cookie, an Open311 device_id); only its keyed hash
    is stored. `client_ip` (the page's `core.proxy.client_address`) is limited as well, so a fresh
    cookie jar is no fresh allowance. The photos are decoded before the transaction opens.
    `community` stands in for a location the resident could not give (typed address):
    the case goes to the community's first grid and the street office corrects it on triage.
    Raises ValidationError (field messages), RateLimited, or PermissionDenied (blocked number)."""
    errors: dict[str, list[str]] = {}
    if category is None or not category.public or not category.active or category.parent_id is None:
        errors.setdefault("category", []).append(_("Choose what kind of problem it is."))
    description = (description or "").strip()
    if not description:
        errors.setdefault("description", []).append(_("Describe the problem in a few words."))
    elif len(description) > MAX_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("Keep the description under %(n)d characters.") % {"n": MAX_DESCRIPTION})
    address = (address or "").strip()[:200]
    name = (name or "").strip()[:50]
    email = (email or "").strip()[:254]
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Unknown channel."))
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
        phone = ""
    grid: Region | None = None
    try:
        x, y = _coordinate(lon, "lon"), _coordinate(lat, "lat")
    except ValidationError as exc:
        errors.setdefault("location", []).extend(exc.messages)
        x = y = None
    if x is None and y is None and community is None and "location" not in errors:
        # No place typed: a photo's GPS says where it was taken (the page shows it on the map
        # before sending, so the resident can move it).
        x, y = place_from_photos(photos)
    if (x is None) != (y is None):
        errors.setdefault("location", []).append(_("Give both longitude and latitude."))
    elif x is not None and y is not None:
        if not geo.in_china(x, y):
            errors.setdefault("location", []).append(_("This place is outside China."))
        else:
            from chuangcheng.places.services import locate_grid

            # The report page's area (its map refuses a tap outside it too); Open311 keeps every street.
            streets = list(queries.public_streets()) if channel == Channel.WEB else []
            grid = locate_grid(x, y, within=streets[0] if len(streets) == 1 else None)
            if grid is None:
                errors.setdefault("location", []).append(
                    _("This place is outside the area we look after. Check the place on the map."))
    elif community is not None:
        grid = _grid_of_community(community)
        if grid is None:
            errors.setdefault("location", []).append(_("Choose your community again."))
        elif not address:
            errors.setdefault("address", []).append(_("Give the address or a landmark near the problem."))
    elif address and "location" not in errors:
        # An address alone cannot be placed: what is missing is the community it is in.
        errors.setdefault("community", []).append(
            _("Choose the community where the problem is: the address alone does not say which one. "
              "Or pick the place on the map."))
    elif "location" not in errors:
        errors.setdefault("location", []).append(
            _("Say where the problem is: use your position, pick it on the map, or type the address "
              "and choose the community."))
    if errors:
        raise ValidationError(errors)
    assert grid is not None  # noqa: S101 - narrowed by the checks above
    if is_blocked(phone):
        raise PermissionDenied(_("We cannot take reports from this number. If you think this is a "
                                 "mistake, please call the street office."))
    device_hash = hash_device(device)
    keys = [device_hash and "d:" + device_hash, phone and "p:" + _phone_key(phone)]
    # Checked before the photos are decoded (a flood costs no CPU), and again in the transaction.
    _check_rates("report", keys, client_ip)
    prepared = prepare_uploads(photos, by=None, place=address or grid.name)
    with transaction.atomic():
        _check_rates("report", keys, client_ip)
        with accepted_uploads(prepared, by=None, place=address or grid.name) as accepted:
            case = cases.report_case(by=SYSTEM, source=Source.RESIDENT, category=category, description=description,
                                     grid=grid, lon=x, lat=y, address=address, photos=accepted)
            # A resident's report is public from the start (its tracking page, Open311).
            Case.objects.filter(pk=case.pk).update(public=True)
            case.public = True
            report = Report.objects.create(
                case=case, code=new_code(), channel=channel, client=client, name=name, phone=phone,
                phone_verified=bool(phone and phone_verified), email=email, device=device_hash,
                notify_sms=bool(notify_sms and phone and phone_verified), created_at=case.reported_at,
            )
        _count("report", [*keys, address_key(client_ip)])
    return report


# --- following -------------------------------------------------------------------------------


@transaction.atomic
def follow_case(case: Case, *, device: str = "", phone: str = "", phone_verified: bool = False,
                notify_sms: bool = False) -> Follower:
    """"Follow this one instead": no new case, a tracking code for the existing one. The same
    device following the same case again gets its first code back."""
    if not case.is_open or not case.category.public or not queries.is_public(case):
        raise ValidationError({"case": _("This case can no longer be followed.")})
    phone = clean_phone(phone)
    if is_blocked(phone):
        raise PermissionDenied(_("We cannot take reports from this number. If you think this is a "
                                 "mistake, please call the street office."))
    device_hash = hash_device(device)
    if device_hash:
        existing = Follower.objects.filter(case=case, device=device_hash, anonymized_at__isnull=True).first()
        if existing is not None:
            return existing
    keys = [device_hash and "d:" + device_hash, phone and "p:" + _phone_key(phone)]
    check_rate("report", keys, _windows())
    follower = Follower.objects.create(
        case=case, code=new_code(), phone=phone, phone_verified=bool(phone and phone_verified), device=device_hash,
        notify_sms=bool(notify_sms and phone and phone_verified),
    )
    _count("report", keys)
    return follower


# --- SMS verification ------------------------------------------------------------------------

SMS_CODE_ATTEMPTS = 5


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac("chuangcheng.public.sms", f"{phone}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def send_sms_code(*, phone: str, device: str = "", client_ip: str = "") -> SmsCode:
    """Send a 6-digit code by text message (through notify's SMS gateway, after commit). Limited
    per number, per device and per client address (`client_ip`)."""
    from chuangcheng.notify import services as notify
    from chuangcheng.notify.models import Channel as NotifyChannel

    phone = clean_phone(phone)
    if not phone:
        raise ValidationError({"phone": _("Enter your mobile number.")})
    if is_blocked(phone):
        raise PermissionDenied(_("We cannot take reports from this number. If you think this is a "
                                 "mistake, please call the street office."))
    device_hash = hash_device(device)
    keys = ["p:" + _phone_key(phone), device_hash and "d:" + device_hash]
    _check_rates("sms", keys, client_ip)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = clock.now()
    sms = SmsCode.objects.create(phone=phone, code_hash=_code_hash(phone, code), device=device_hash, created_at=now,
                                 expires_at=now + dt.timedelta(minutes=int(settings.PUBLIC_SMS_CODE_MINUTES)))
    _count("sms", [*keys, address_key(client_ip)])
    notify.enqueue(key=f"public:sms-code:{sms.pk}", channel=NotifyChannel.SMS, target=phone,
                   title=_("【创城】Your verification code is %(code)s, valid for %(minutes)d minutes.")
                   % {"code": code, "minutes": int(settings.PUBLIC_SMS_CODE_MINUTES)})
    return sms


def verify_sms_code(*, phone: str, code: str) -> bool:
    """True once for the right code of the latest unexpired, unused code sent to the phone; each
    wrong try counts (and stays counted: the refusal is raised after the count is saved), and
    after five the code is spent."""
    phone = clean_phone(phone, field="sms_code")
    code = "".join(str(code or "").split())
    with transaction.atomic():
        sms = (SmsCode.objects.select_for_update()
               .filter(phone=phone, used_at__isnull=True, expires_at__gt=clock.now())
               .order_by("-created_at", "-id").first())
        if sms is None or sms.attempts >= SMS_CODE_ATTEMPTS:
            error = _("The code has expired. Ask for a new one.")
        elif not constant_time_compare(sms.code_hash, _code_hash(phone, code)):
            SmsCode.objects.filter(pk=sms.pk).update(attempts=sms.attempts + 1)
            error = _("The code is not right. Check the text message and try again.")
        else:
            SmsCode.objects.filter(pk=sms.pk).update(used_at=clock.now())
            return True
    raise ValidationError({"sms_code": error})


# --- the reporter's answer -------------------------------------------------------------------


def can_answer(report: Report) -> bool:
    """The case is rectified or closed (as fixed) since the reporter last answered."""
    case = report.case
    if case.state not in {State.RECTIFIED, State.CLOSED} or case.resolution == Resolution.DUPLICATE:
        return False
    done = case.closed_at if case.state == State.CLOSED else case.rectified_at
    return report.feedback_at is None or (done is not None and report.feedback_at < done)


def answer_report(report: Report, *, fixed: bool, device: str = "", phone: str = "", note: str = "",
                  photos: Sequence[UploadedFile] = ()) -> Report:
    """The reporter says whether the problem is really fixed. "Not fixed" needs a photo and sends
    the case back to its unit, counted against it: a closed case is reopened, a rectified one
    returned for rework. Only the reporter's device or verified phone may answer. The reporter's
    photos are decoded before the transaction opens."""
    prepared: list[PreparedPhoto] = []
    if not fixed and photos:
        found = Report.objects.select_related("case", "case__grid").get(pk=report.pk)
        if permissions.is_reporter(found, device=hash_device(device), phone=normalize_phone(phone)):
            prepared = prepare_uploads(photos, by=None, place=found.case.address or found.case.grid.name)
    return _answer_report(report, fixed=fixed, device=device, phone=phone, note=note, photos=prepared)


@transaction.atomic
def _answer_report(report: Report, *, fixed: bool, device: str, phone: str, note: str,
                   photos: Sequence[PreparedPhoto]) -> Report:
    report = (Report.objects.select_for_update(of=("self",)).select_related("case", "case__unit", "case__grid")
              .get(pk=report.pk))
    if not permissions.is_reporter(report, device=hash_device(device), phone=normalize_phone(phone)):
        raise PermissionDenied(_("Only the person who reported this problem can answer, from the same "
                                 "phone or with the verified number."))
    if not can_answer(report):
        raise ValidationError({"fixed": _("There is nothing to answer yet: the problem is not marked fixed.")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2000 characters.")})
    case = report.case
    now = clock.now()
    if fixed:
        Report.objects.filter(pk=report.pk).update(feedback=Feedback.FIXED, feedback_at=now)
    else:
        if not photos:
            raise ValidationError({"photos": _("Add a photo that shows the problem is still there.")})
        text = _("The reporter says it is not fixed.") + (f" {note}" if note else "")
        with accepted_uploads(photos, by=None, place=case.address or case.grid.name) as accepted:
            if case.state == State.CLOSED:
                cases.reopen_case(case, by=SYSTEM, note=text, photos=accepted)
            else:
                cases.return_for_rework(case, by=SYSTEM, note=text, photos=accepted)
        Report.objects.filter(pk=report.pk).update(feedback=Feedback.NOT_FIXED, feedback_at=now)
    report.refresh_from_db()
    return report


# --- the reporter's rating (群众满意率) ---------------------------------------------------------

# How long the rating link of a text message works.
RATING_LINK_DAYS = 15
_RATING_SALT = "chuangcheng.public.rating-link"


class RatingLinkInvalid(Exception):
    """A rating link that was not made here (or was altered): it shows nothing of any case."""


class RatingLinkExpired(RatingLinkInvalid):
    """A genuine rating link older than RATING_LINK_DAYS."""


def can_rate(report: Report) -> bool:
    """The reporter may rate now: their own case (not merged into another) is closed as fixed and
    not yet rated since it was closed, and they have not erased their data."""
    from chuangcheng.cases.workflow import rateable

    return report.anonymized_at is None and rateable(report.case)


def rating_token(report: Report) -> str:
    """The signed, dated token of a report's rating link (django.core.signing): it names the
    report's tracking code and proves the link came from us."""
    from django.core import signing

    return signing.TimestampSigner(salt=_RATING_SALT).sign(report.code)


def rating_path(report: Report) -> str:
    from django.urls import reverse

    return reverse("public:rate_link", args=[rating_token(report)])


def report_for_token(token: str) -> Report:
    """The report a rating link names. Raises RatingLinkExpired for a genuine link past its days,
    RatingLinkInvalid for anything else (a forged or altered link, a report that no longer exists)."""
    from django.core import signing

    try:
        code = signing.TimestampSigner(salt=_RATING_SALT).unsign(
            str(token or "")[:200], max_age=dt.timedelta(days=RATING_LINK_DAYS))
    except signing.SignatureExpired as exc:
        raise RatingLinkExpired(_("This rating link has expired. Open your report with its tracking code "
                                  "to see how it was handled.")) from exc
    except signing.BadSignature as exc:
        raise RatingLinkInvalid(_("This link is not valid. Check that it was copied whole from the "
                                  "text message.")) from exc
    report = Report.objects.select_related("case", "case__category", "case__grid").filter(code=code).first()
    if report is None:
        raise RatingLinkInvalid(_("This link is not valid. Check that it was copied whole from the "
                                  "text message."))
    return report


def rate_report(report: Report, *, rating: str, reason: str = "", device: str = "", phone: str = "") -> Report:
    """The reporter rates the fix from their tracking page: recognised by their device or verified
    phone, like the "fixed / not fixed" answer."""
    found = Report.objects.select_related("case").get(pk=report.pk)
    if not permissions.is_reporter(found, device=hash_device(device), phone=normalize_phone(phone)):
        raise PermissionDenied(_("Only the person who reported this problem can rate it, from the same "
                                 "phone or with the verified number."))
    return _rate(found, rating=rating, reason=reason)


def rate_by_link(token: str, *, rating: str, reason: str = "") -> Report:
    """The reporter rates from the text message's link: the signed link is their proof (it went to
    the number they left). Raises RatingLinkInvalid / RatingLinkExpired."""
    report = report_for_token(token)
    if report.anonymized_at is not None:
        raise PermissionDenied(_("The personal data of this report was erased: it can no longer be rated."))
    return _rate(report, rating=rating, reason=reason)


def _rate(report: Report, *, rating: str, reason: str) -> Report:
    """By the system, on the reporter's behalf (the case services' rules decide the rest)."""
    cases.rate_case(report.case, by=SYSTEM, rating=rating, reason=reason)
    report.case.refresh_from_db()
    return report


# --- triage by the street office -------------------------------------------------------------


def _reported(report: Report, by: Any) -> Case:
    case = report.case
    if not permissions.can_triage_report(by, case):
        raise PermissionDenied(_("Your role or region does not allow this action on this case."))
    return case


@transaction.atomic
def accept_report(report: Report, *, by: Any, note: str = "") -> Report:
    """立案: the case goes on to dispatch; points are earned when they are switched on."""
    cases.accept_case(_reported(report, by), by=by, note=note)
    award_points(report)
    return report


@transaction.atomic
def reject_report(report: Report, *, by: Any, reason: str, resolution: str = Resolution.NOT_OURS) -> Report:
    """不予立案: the reason is shown to the resident on the tracking page."""
    cases.reject_case(_reported(report, by), by=by, reason=reason, resolution=resolution)
    return report


@transaction.atomic
def merge_report(report: Report, *, by: Any, into: Case, note: str = "") -> Follower:
    """并案: the report's case is closed as a duplicate of `into`, and the reporter follows `into`
    (their tracking code shows it from now on)."""
    case = _reported(report, by)
    if not permissions.can_triage_report(by, into):
        raise PermissionDenied(_("Your role or region does not allow this action on this case."))
    cases.merge_case(case, by=by, into=into, note=note)
    # The reporter follows `into` from now on: merging a resident's report into a case is the
    # office showing that case to the public.
    _set_public(into, by=by, public=True, note="merge")
    return Follower.objects.create(report=report, case=into, code=new_code(), phone=report.phone,
                                   phone_verified=report.phone_verified, device=report.device,
                                   notify_sms=report.notify_sms, anonymized_at=report.anonymized_at)


def followed_case(report: Report) -> Case:
    """The case a report's tracking page shows: the case it was merged into, if any."""
    follow = Follower.objects.filter(report=report).select_related("case").first()
    return follow.case if follow is not None else report.case


# --- privacy ---------------------------------------------------------------------------------

_ERASED = {"name": "", "phone": "", "email": "", "device": "", "notify_sms": False, "phone_verified": False}


@transaction.atomic
def erase_report(report: Report, *, by: Any = None, device: str = "", phone: str = "") -> Report:
    """"Erase my data": blank the reporter's name, phone, e-mail and device; the report and its
    case stay. The reporter (their device or verified phone) or the office in scope (audited)."""
    if by is not None:
        if not permissions.can_erase_for_resident(by, report.case):
            raise PermissionDenied(_("Your role or region does not allow this action on this case."))
    elif not permissions.is_reporter(report, device=hash_device(device), phone=normalize_phone(phone)):
        raise PermissionDenied(_("Only the person who reported this problem can erase their data."))
    if report.anonymized_at is not None:
        return report
    now = clock.now()
    Report.objects.filter(pk=report.pk).update(anonymized_at=now, **_ERASED)
    Follower.objects.filter(report=report).update(anonymized_at=now, phone="", phone_verified=False, device="",
                                                 notify_sms=False)
    audit.record(actor=by, action="update", instance=report, region_path=report.case.grid.path,
                 changes={"anonymized_at": [None, now.isoformat()]}, note="personal data erased")
    report.refresh_from_db()
    return report


@transaction.atomic
def erase_follower(follower: Follower, *, device: str = "", phone: str = "") -> Follower:
    device_hash, phone = hash_device(device), normalize_phone(phone)
    mine = (device_hash and follower.device == device_hash) or (
        phone and follower.phone_verified and follower.phone == phone)
    if follower.anonymized_at is None and not mine:
        raise PermissionDenied(_("Only the person who follows this problem can erase their data."))
    Follower.objects.filter(pk=follower.pk).update(anonymized_at=clock.now(), phone="", phone_verified=False,
                                                   device="", notify_sms=False)
    follower.refresh_from_db()
    return follower


# --- moderation and blocked numbers ----------------------------------------------------------


@transaction.atomic
def hide_photo(case: Case, photo: Any, *, by: Any, reason: str = "", hidden: bool = True) -> None:
    """Take a photo off (or back onto) the public pages; staff still see it. Audited."""
    if not permissions.can_moderate(by, case):
        raise PermissionDenied(_("Only the street office can moderate what the public sees."))
    if not case.events.filter(photos=photo).exists():
        raise ValidationError({"photo": _("This photo does not belong to the case.")})
    if hidden:
        HiddenPhoto.objects.get_or_create(photo=photo, defaults={"case": case, "reason": reason[:200],
                                                                 "hidden_by": by})
    else:
        HiddenPhoto.objects.filter(photo=photo).delete()
    audit.record(actor=by, action="update", instance=case, region_path=case.grid.path,
                 changes={"public_photo_hidden": [None if hidden else photo.sha256, photo.sha256 if hidden else None]},
                 note=reason)


@transaction.atomic
def publish_case(case: Case, *, by: Any, public: bool = True, note: str = "") -> Case:
    """Show a case that residents did not report (an inspection's, a staff member's) on the public
    pages and Open311, or take it off again; residents' own reports stay public. Audited."""
    if not permissions.can_moderate(by, case):
        raise PermissionDenied(_("Only the street office can moderate what the public sees."))
    if not public and Report.objects.filter(case=case).exists():
        raise ValidationError({"case": _("A resident's report is always public.")})
    return _set_public(case, by=by, public=public, note=note)


def _set_public(case: Case, *, by: Any, public: bool, note: str) -> Case:
    if case.public != public:
        Case.objects.filter(pk=case.pk).update(public=public)
        audit.record(actor=by, action="update", instance=case, region_path=case.grid.path,
                     changes={"public": [case.public, public]}, note=note[:200])
        case.public = public
    return case


@transaction.atomic
def hide_text(report: Report, *, by: Any, hidden: bool = True, reason: str = "") -> Report:
    """Keep the report's description off the public page (it stays for staff). Audited."""
    if not permissions.can_moderate(by, report.case):
        raise PermissionDenied(_("Only the street office can moderate what the public sees."))
    Report.objects.filter(pk=report.pk).update(text_hidden=hidden)
    audit.record(actor=by, action="update", instance=report, region_path=report.case.grid.path,
                 changes={"text_hidden": [report.text_hidden, hidden]}, note=reason)
    report.text_hidden = hidden
    return report


@transaction.atomic
def block_number(phone: str, *, by: Any, reason: str = "") -> BlockedNumber:
    if not permissions.can_block_numbers(by):
        raise PermissionDenied(_("Only the street office can block numbers."))
    phone = clean_phone(phone)
    if not phone:
        raise ValidationError({"phone": _("Enter your mobile number.")})
    blocked, _created = BlockedNumber.objects.get_or_create(phone=phone, defaults={"reason": reason[:200],
                                                                                  "created_by": by})
    audit.record(actor=by, action="create", instance=blocked, note=reason)
    return blocked


@transaction.atomic
def unblock_number(phone: str, *, by: Any) -> None:
    if not permissions.can_block_numbers(by):
        raise PermissionDenied(_("Only the street office can block numbers."))
    for blocked in BlockedNumber.objects.filter(phone=clean_phone(phone)):
        audit.record(actor=by, action="delete", instance=blocked)
        blocked.delete()


# --- points (文明积分) ------------------------------------------------------------------------


def award_points(report: Report) -> PointsEntry | None:
    """Points for an accepted report of a verified phone, once; nothing while points are off."""
    if not settings.PUBLIC_POINTS_ENABLED or not report.phone or not report.phone_verified:
        return None
    if PointsEntry.objects.filter(report=report).exists():
        return None
    community = report.case.grid.parent
    return PointsEntry.objects.create(phone=report.phone, kind=PointsEntry.Kind.REPORT,
                                      amount=int(settings.PUBLIC_POINTS_PER_REPORT), report=report,
                                      region=community, note=report.code)


def award_due_points() -> int:
    """Points for reports accepted elsewhere (the case pages, the API): safe to run twice."""
    if not settings.PUBLIC_POINTS_ENABLED:
        return 0
    due = (Report.objects.filter(phone_verified=True, points__isnull=True, anonymized_at__isnull=True)
           .exclude(phone="").exclude(case__state__in=[State.REPORTED, State.REJECTED])
           .select_related("case__grid"))
    return sum(1 for report in due if award_points(report) is not None)


@transaction.atomic
def redeem_points(*, phone: str, amount: int, by: Any, region: Region, note: str = "") -> PointsEntry:
    """A community admin records a redemption (a gift, a service) against the ledger. Audited."""
    from chuangcheng.public.queries import points_balance

    if not settings.PUBLIC_POINTS_ENABLED:
        raise ValidationError({"amount": _("Points are not switched on.")})
    if not permissions.can_record_redemption(by, region):
        raise PermissionDenied(_("Only the community office can record redemptions."))
    phone = clean_phone(phone)
    if not phone:
        raise ValidationError({"phone": _("Enter your mobile number.")})
    if amount <= 0:
        raise ValidationError({"amount": _("Give a number of points above zero.")})
    if amount > points_balance(phone):
        raise ValidationError({"amount": _("The balance is not enough for this redemption.")})
    entry = PointsEntry.objects.create(phone=phone, kind=PointsEntry.Kind.REDEMPTION, amount=-amount,
                                       note=(note or "").strip()[:200], region=region, created_by=by)
    audit.record(actor=by, action="create", instance=entry, region_path=region.path,
                 changes={"amount": [None, -amount]}, note=note)
    return entry


# --- text messages on state changes ----------------------------------------------------------

# The changes a reporter hears about, in plain words.
NOTIFIED_ACTIONS = {"accept", "reject", "merge", "dispatch", "rectify", "verify", "reopen", "close_again"}
# Closing as fixed: a reporter who left a number gets the rating link (回访) once per closing, whether
# or not they asked for progress texts; instead of, not beside, the "closed" text.
RATING_ACTIONS = {"verify", "close_again"}


def notify_reporters(*, since: dt.datetime | None = None) -> int:
    """Text the reporters and followers who asked, once per case event (the outbox key makes a
    second run send nothing), and ask the reporter who left a number to rate a fix. Runs every few
    minutes; looks back a day."""
    from chuangcheng.cases.models import CaseEvent
    from chuangcheng.notify import services as notify
    from chuangcheng.notify.models import Channel as NotifyChannel
    from chuangcheng.public.queries import public_event_label

    since = since or clock.now() - dt.timedelta(days=1)
    sent = 0
    events = (CaseEvent.objects.filter(at__gte=since, action__in=NOTIFIED_ACTIONS)
              .filter(case__public_report__notify_sms=True) | CaseEvent.objects.filter(
                  at__gte=since, action__in=NOTIFIED_ACTIONS, case__followers__notify_sms=True)
              | CaseEvent.objects.filter(at__gte=since, action__in=RATING_ACTIONS, case__public_report__isnull=False,
                                         case__public_report__anonymized_at__isnull=True)
              .exclude(case__public_report__phone=""))
    for event in events.distinct().select_related("case").order_by("at", "id")[:2000]:
        targets: list[tuple[str, str, str, str]] = []
        report = Report.objects.filter(case=event.case).exclude(phone="").first()
        if report is not None and report.anonymized_at is None and _asks_rating(event, report):
            targets.append((report.code, report.phone, *rating_text(report)))
        elif report is not None and report.notify_sms:
            targets.append((report.code, report.phone, "", ""))
        targets += [(code, phone, "", "") for code, phone in
                    Follower.objects.filter(case=event.case, notify_sms=True).exclude(phone="")
                    .values_list("code", "phone")]
        for code, phone, title, body in targets:
            notify.enqueue(key=f"public:{code}:{event.pk}", channel=NotifyChannel.SMS, target=phone,
                           title=title or _("【创城】Your report %(code)s: %(what)s.") % {
                               "code": code, "what": public_event_label(event)}, body=body)
            sent += 1
    return sent


def _asks_rating(event: Any, report: Report) -> bool:
    """A closing the reporter can still rate: the case's latest change and not yet rated."""
    from chuangcheng.cases.workflow import NOTE_ACTIONS

    if event.action not in RATING_ACTIONS or not can_rate(report):
        return False
    latest = (report.case.events.exclude(action__in=NOTE_ACTIONS).order_by("-at", "-id")
              .values_list("pk", flat=True).first())
    return bool(latest == event.pk)


def rating_text(report: Report) -> tuple[str, str]:
    """The text message asking to rate a fix: its title and the body with the signed link."""
    from chuangcheng.core.site import absolute_url

    title = _("【创城】The problem you reported (%(code)s) was fixed and checked. How satisfied are you? "
              "Rate it here:") % {"code": report.code}
    body = _("%(link)s (valid for %(days)d days)") % {"link": absolute_url(None, rating_path(report)),
                                                     "days": RATING_LINK_DAYS}
    return title, body
