from __future__ import annotations

import datetime as dt
import json

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import LimitOffset
from chuangcheng.core.validators import mask_phone
from chuangcheng.org import permissions, queries, services, signin
from chuangcheng.org.models import ApiToken, Region, Unit, User

router = Router(tags=["organization"])
auth_router = Router(tags=["auth"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent: str | None
    households: int | None
    population: int | None
    has_boundary: bool

    @staticmethod
    def resolve_level(obj: Region) -> str:
        return Region.Level(obj.level).name.lower()

    @staticmethod
    def resolve_level_label(obj: Region) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent.code if obj.parent else None

    @staticmethod
    def resolve_has_boundary(obj: Region) -> bool:
        return bool(obj.boundary)


class RegionDetailOut(RegionOut):
    boundary: dict | None = None

    @staticmethod
    def resolve_boundary(obj: Region) -> dict | None:
        return json.loads(obj.boundary) if obj.boundary else None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    region: str
    head_name: str
    head_phone: str
    liaison_name: str
    liaison_phone: str
    address: str
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region(obj: Unit) -> str:
        return obj.region.code

    @staticmethod
    def resolve_head_phone(obj: Unit, context: dict) -> str:
        return _phone_for(context, obj.head_phone)

    @staticmethod
    def resolve_liaison_phone(obj: Unit, context: dict) -> str:
        return _phone_for(context, obj.liaison_phone)


def _phone_for(context: dict, phone: str) -> str:
    """Phone numbers in full for roles that call people, masked for the rest."""
    request = context.get("request")
    return phone if permissions.can_see_phone_numbers(getattr(request, "user", None)) else mask_phone(phone)


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)
    name: str = Field("", max_length=80)


class TokenOut(Schema):
    token: str
    name: str
    username: str
    role: str
    scope: str | None


@router.get("/regions", response=list[RegionOut], operation_id="listRegions")
@paginate(LimitOffset)
def list_regions(request: HttpRequest, level: str = "", parent: str = "") -> QuerySet[Region]:
    """Regions in the caller's scope; filter by level (district, street, community, grid) or parent code."""
    regions = queries.regions_visible_to(request.user)
    if level:
        wanted = {name.lower(): value for name, value in Region.Level.__members__.items()}
        regions = regions.filter(level=wanted.get(level.lower(), -1))
    if parent:
        regions = regions.filter(parent__code=parent)
    return regions


@router.get("/regions/{code}", response=RegionDetailOut, operation_id="getRegion")
def get_region(request: HttpRequest, code: str) -> Region:
    return or_404(queries.region_for(request.user, code))


@router.get("/units", response=list[UnitOut], operation_id="listUnits")
@paginate(LimitOffset)
def list_units(request: HttpRequest, kind: str = "", q: str = "") -> QuerySet[Unit]:
    units = queries.units_visible_to(request.user)
    if kind:
        units = units.filter(kind=kind)
    if q:
        units = units.filter(name__icontains=q)
    return units


@router.get("/units/{code}", response=UnitOut, operation_id="getUnit")
def get_unit(request: HttpRequest, code: str) -> Unit:
    return or_404(queries.units_visible_to(request.user).filter(code=code).first())


@auth_router.post("/token", response={201: TokenOut, 401: dict, 429: dict}, auth=None, operation_id="createToken")
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    """Exchange a username and password for a personal API token (shown once). Failed attempts count
    towards the same lockout as the sign-in page."""
    from django.contrib.auth import authenticate

    ip = signin.client_ip(request)
    refusal = signin.refusal_before_checking(payload.username, ip)
    if refusal is not None:
        return Status(429, {"error": {"code": refusal.code, "message": refusal.message}})
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        signin.record_attempt(payload.username, ip, succeeded=False)
        refusal = signin.refusal_after_failure(payload.username, ip)
        if refusal is not None:
            return Status(429, {"error": {"code": refusal.code, "message": refusal.message}})
        return Status(401, {"error": {"code": "unauthorized", "message": _("Wrong username or password.")}})
    signin.record_attempt(payload.username, ip, succeeded=True)
    token, key = services.create_api_token(user, name=payload.name)
    return Status(201, TokenOut(token=key, name=token.name, username=user.username, role=user.role,
                                scope=user.scope.code if user.scope else None))


class MyTokenOut(Schema):
    name: str
    prefix: str  # the key starts with cc_ and these characters
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime


def _caller(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


@auth_router.get("/tokens", response=list[MyTokenOut], operation_id="listMyTokens")
def list_my_tokens(request: HttpRequest) -> list[ApiToken]:
    """The caller's own tokens that still work (not revoked, not expired), newest first."""
    return list(queries.active_tokens_of(_caller(request)))


@auth_router.delete("/tokens/{prefix}", response={204: None}, operation_id="revokeMyToken")
def revoke_my_token(request: HttpRequest, prefix: str) -> Status:
    """Revoke one of the caller's own tokens by its prefix (the characters after cc_)."""
    user = _caller(request)
    token = queries.active_tokens_of(user).filter(prefix=prefix[:8]).first()
    if token is None:
        raise Http404
    services.revoke_api_token(token, by=user)
    return Status(204, None)
