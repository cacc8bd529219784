"""Every write of publicity: push a message to the grids' group robots, register and take down an
offline item at a point, record a household visit. Each checks permission and input, writes in one
transaction with its audit event, and refuses with a translated ValidationError (field named) or
PermissionDenied, leaving nothing stored."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.publicity import permissions
from chuangcheng.engagement.publicity.models import (
    VISIT_TOPIC_CODES,
    HouseholdVisit,
    OfflineItem,
    Push,
    PushDelivery,
)
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.services import prepare_photo, store_photo
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.notify import services as notify
from chuangcheng.notify.models import Webhook
from chuangcheng.org.models import Region, User
from chuangcheng.places.models import Point

TITLE_MAX = 100
# WeCom robots take 4096 bytes of markdown: 2000 characters of Chinese text and a title fit.
TEXT_MAX = 1200
COUNT_MAX = 99

M = TypeVar("M", Push, OfflineItem)


# --- numbers -----------------------------------------------------------------------------------


def _numbered(model: type[M], prefix: str, field: str, create: Callable[[str], M]) -> M:
    """Create a row under the next number of the day (XC-20261129-0003); two writers that pick the
    same number at once meet the unique constraint, and the loser takes the next one."""
    stem = f"{prefix}-{clock.local(clock.now()):%Y%m%d}-"
    for _attempt in range(5):
        last = (model.objects.filter(**{f"{field}__startswith": stem}).order_by(f"-{field}")
                .values_list(field, flat=True).first())
        number = f"{stem}{int(str(last).rsplit('-', 1)[1]) + 1 if last else 1:04d}"
        try:
            with transaction.atomic():
                return create(number)
        except IntegrityError:
            continue
    raise ValidationError(_("Too many records at once; please try again."))


# --- online pushes -----------------------------------------------------------------------------


def grids_of(scope: Region) -> list[Region]:
    """The grids a push to `scope` goes to: the grid itself, or every grid of a community."""
    if scope.level == Region.Level.GRID:
        return [scope]
    return list(Region.objects.filter(level=Region.Level.GRID, path__startswith=scope.path).order_by("path"))


def push_message(
    *,
    by: Any,
    title: str,
    text: str,
    grids: Sequence[Region],
    scope: Region | None = None,
    image: Any = None,
    site: str = "",
) -> Push:
    """Push one message to the group robots of `grids` (a community's push lists all its grids).

    Each active robot of each grid gets one outbox message (delivered after commit, retried by the
    outbox); a grid without a robot is recorded as such. Refused when no chosen grid has a robot.
    `site` is the address residents reach the image at (https://cc.example); without it no link."""
    title = " ".join((title or "").split())
    text = (text or "").strip().replace("\r\n", "\n")
    errors: dict[str, list[str]] = {}
    if not title:
        errors.setdefault("title", []).append(_("Give the push a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("The title is at most %(n)d characters.") % {"n": TITLE_MAX})
    if not text:
        errors.setdefault("text", []).append(_("Write the text to push."))
    elif len(text) > TEXT_MAX:
        errors.setdefault("text", []).append(
            _("The text is at most %(n)d characters (the group robots take no more).") % {"n": TEXT_MAX})
    chosen = list(dict.fromkeys(grids))
    if not chosen:
        errors.setdefault("grids", []).append(_("Choose at least one grid."))
    for grid in chosen:
        if not permissions.can_push(by, grid):
            errors.setdefault("grids", []).append(
                _("You may not push to %(grid)s: it is not a grid of your region.") % {"grid": grid.name})
    if errors:
        raise ValidationError(errors)
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(region__in=chosen, active=True).order_by("kind", "name", "id"):
        hooks.setdefault(hook.region_id or 0, []).append(hook)
    if not hooks:
        raise ValidationError({"grids": _(
            "None of the chosen grids has a group robot configured; ask the street office to add the "
            "grid group's WeCom or DingTalk robot first.")})
    if scope is None:
        scope = chosen[0] if len(chosen) == 1 else _common_parent(chosen)
    with _push_image(image, by=by) as photo:
        push = _numbered(Push, "XC", "number", lambda number: Push.objects.create(
            number=number, title=title, text=text, image=photo, scope=scope, author=by))
        link = ""
        if push.image is not None and site:
            link = site.rstrip("/") + reverse("publicity:push_image", args=[push.number])
        for grid in chosen:
            messages = notify.notify_region_groups(
                grid, key=f"publicity:{push.number}:{grid.code}", title=title, body=text, link=link,
            ) if grid.pk in hooks else []
            if link:
                for message in messages:
                    message.payload["link_text"] = _("Image")
                    message.save(update_fields=["payload"])
            if not messages:
                PushDelivery.objects.create(push=push, grid=grid)
            for message in messages:
                robot = message.webhook
                PushDelivery.objects.create(push=push, grid=grid, webhook=robot, message=message,
                                            group_name=robot.name if robot else "", channel=message.channel)
        audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=push, region_path=scope.path,
                     changes={"title": [None, title], "grids": [None, [g.code for g in chosen]]})
    return push


@contextmanager
def _push_image(upload: Any, *, by: Any) -> Iterator[Photo | None]:
    """The push's image, accepted in one transaction with the push (the `with` body). Unlike
    evidence it carries no watermark: residents see it, and it should not name the sender. If the
    push fails, files written for a photo that is not kept are removed."""
    if upload is None:
        yield None
        return
    photo: Photo | None = None
    data = upload.read(int(settings.PHOTO_MAX_BYTES) + 1)
    try:
        # Decoded before the transaction, which only writes (SQLite's write lock is held there).
        prepared = prepare_photo(data, filename=getattr(upload, "name", "") or "image")
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    try:
        with transaction.atomic():
            photo = store_photo(prepared, by=by)
            yield photo
    except BaseException:
        if photo is not None and not Photo.objects.filter(pk=photo.pk).exists():
            for field in (photo.original, photo.display, photo.thumbnail):
                if field.name:
                    field.storage.delete(field.name)
        raise


def _common_parent(grids: Sequence[Region]) -> Region:
    """The lowest region holding every chosen grid (their community, usually)."""
    codes = [g.ancestor_codes() for g in grids]
    common: list[str] = []
    for level in zip(*codes, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return Region.objects.get(code=common[-1]) if common else grids[0]


# --- offline items -----------------------------------------------------------------------------


def _day(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("Enter a date.")})
    if isinstance(value, dt.datetime):
        value = value.date()
    if value > clock.today():
        raise ValidationError({field: _("The date is in the future.")})
    return value


def register_item(
    point: Point,
    *,
    by: Any,
    kind: str,
    theme: str,
    count: int,
    put_up_on: dt.date,
    photo: Any = None,
    note: str = "",
) -> OfflineItem:
    """Register publicity put up at a point, with its photo (evidence, kept as taken)."""
    if not permissions.can_register_item(by, point.grid):
        raise PermissionDenied(_("You may register publicity only at points of your region."))
    errors: dict[str, list[str]] = {}
    if kind not in OfflineItem.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of publicity."))
    theme = " ".join((theme or "").split())
    if not theme:
        errors.setdefault("theme", []).append(_("Give the theme, e.g. 讲文明树新风."))
    elif len(theme) > 100:
        errors.setdefault("theme", []).append(_("The theme is at most 100 characters."))
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= COUNT_MAX:
        errors.setdefault("count", []).append(_("The count is a whole number from 1 to %(n)d.") % {"n": COUNT_MAX})
    try:
        day = _day(put_up_on, "put_up_on")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(note or "") > 200:
        errors.setdefault("note", []).append(_("The note is at most 200 characters."))
    if errors:
        raise ValidationError(errors)
    with accepted_uploads([photo] if photo is not None else [], by=by, place=point.name) as photos:
        item = _numbered(OfflineItem, "GG", "code", lambda code: OfflineItem.objects.create(
            code=code, point=point, kind=kind, theme=theme, count=count, photo=photos[0] if photos else None,
            put_up_on=day, note=(note or "").strip(), registered_by=by if getattr(by, "is_authenticated", False)
            else None))
        audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=item, region_path=point.grid.path,
                     changes={"point": [None, point.code], "kind": [None, kind], "count": [None, count]})
    return item


def take_down_item(item: OfflineItem, *, by: Any, on: dt.date) -> OfflineItem:
    """Record the day an item came down; it no longer counts from that day."""
    if not permissions.can_register_item(by, item.point.grid):
        raise PermissionDenied(_("You may register publicity only at points of your region."))
    day = _day(on, "taken_down_on")
    if item.taken_down_on is not None:
        raise ValidationError({"taken_down_on": _("This item was already taken down on %(day)s.")
                               % {"day": item.taken_down_on.isoformat()}})
    if day < item.put_up_on:
        raise ValidationError({"taken_down_on": _("An item cannot come down before it was put up (%(day)s).")
                               % {"day": item.put_up_on.isoformat()}})
    with transaction.atomic():
        updated = OfflineItem.objects.filter(pk=item.pk, taken_down_on__isnull=True).update(taken_down_on=day)
        if not updated:
            raise ValidationError({"taken_down_on": _("This item was already taken down.")})
        item.taken_down_on = day
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=item, region_path=item.point.grid.path,
                     changes={"taken_down_on": [None, day.isoformat()]})
    return item


# --- household visits --------------------------------------------------------------------------

BUILDING = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff]{1,12}$")
UNIT = re.compile(r"^[0-9]{1,2}$")
ROOM = re.compile(r"^[0-9]{1,4}[A-Z]?$")
SURNAME = re.compile(r"^[\u4e00-\u9fff]{1,2}$")


def _plain(value: str) -> str:
    """Full-width digits and letters as typed on a Chinese keyboard, made plain; spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def normalize_household(building: str, unit: str, room: str) -> tuple[str, str, str]:
    """("3号楼", "2单元", "501室") → ("3", "2", "501"); raises ValidationError naming the field."""
    errors: dict[str, list[str]] = {}
    b = re.sub(r"(号楼|号|栋|幢|楼)$", "", _plain(building)).upper()
    u = re.sub(r"单元$", "", _plain(unit))
    r = re.sub(r"(室|号)$", "", _plain(room)).upper()
    if not BUILDING.match(b):
        errors["building"] = [_("Enter the building as a number or short name, e.g. 3 or 3号楼.")]
    if u and not UNIT.match(u):
        errors["unit"] = [_("Enter the unit as a number, e.g. 2 or 2单元 (or leave it empty).")]
    if not ROOM.match(r):
        errors["room"] = [_("Enter the room as up to four digits, optionally followed by a letter, e.g. 501 or 1203A.")]
    if errors:
        raise ValidationError(errors)
    return b, u, r


def record_visit(
    grid: Region,
    *,
    by: Any,
    building: str,
    room: str,
    day: dt.date,
    result: str,
    unit: str = "",
    topics: Iterable[str] = (),
    visitor: User | None = None,
    surname: str = "",
    note: str = "",
) -> HouseholdVisit:
    """Record one household visit in `grid` by `visitor` (default: the one recording)."""
    if grid.level != Region.Level.GRID:
        raise ValidationError({"grid": _("Choose a grid.")})
    if not permissions.can_record_visit(by, grid):
        raise ValidationError({"grid": _("This grid is not in your region.")})
    visitor = visitor or by
    errors: dict[str, list[str]] = {}
    if visitor is None or not permissions.can_be_visitor(visitor) or (
        visitor.pk != getattr(by, "pk", None) and not _visitor_in_reach(by, visitor)
    ):
        errors["visitor"] = [_("Choose a grid worker, admin or volunteer of your region as the visitor.")]
    try:
        b, u, r = normalize_household(building, unit, room)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        b = u = r = ""
    try:
        visit_day = _day(day, "day")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if result not in HouseholdVisit.Result.values:
        errors["result"] = [_("Choose the result of the visit.")]
    chosen = list(dict.fromkeys(topics or []))
    unknown = [t for t in chosen if t not in VISIT_TOPIC_CODES]
    if unknown:
        errors["topics"] = [_("Unknown topic: %(topics)s.") % {"topics": ", ".join(map(str, unknown))}]
    elif result == HouseholdVisit.Result.VISITED and not chosen:
        errors["topics"] = [_("Choose what was explained at this household.")]
    surname = _plain(surname)
    if surname and not SURNAME.match(surname):
        errors["surname"] = [_("Only the surname, one or two Chinese characters (or leave it empty).")]
    if len(note or "") > 300:
        errors["note"] = [_("The note is at most 300 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = HouseholdVisit.objects.create(
            grid=grid, building=b, unit=u, room=r, household=f"{b}/{u}/{r}", surname=surname, visitor=visitor,
            day=visit_day, topics=[t for t in VISIT_TOPIC_CODES if t in chosen], result=result,
            note=(note or "").strip(), recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=visit, region_path=grid.path,
                     changes={"household": [None, visit.household], "result": [None, result],
                              "day": [None, visit_day.isoformat()]})
    return visit


def _visitor_in_reach(by: Any, visitor: User) -> bool:
    if getattr(by, "is_superuser", False):
        return True
    scope = getattr(by, "scope", None)
    return bool(scope is not None and visitor.scope is not None and (
        visitor.scope.path.startswith(scope.path) or scope.path.startswith(visitor.scope.path)))
