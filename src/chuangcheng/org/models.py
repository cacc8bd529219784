from __future__ import annotations

import datetime as dt
import hashlib
from typing import ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock, geo
from chuangcheng.core.validators import mask_phone, validate_code, validate_mobile


class Region(models.Model):
    """One node of the region tree 区 → 街道 → 社区 → 网格.

    `path` is the chain of codes from the root ("/150103/150103001/"), so a subtree is one
    indexed prefix query and nothing recurses in Python. Codes are stable: they never change."""

    class Level(models.IntegerChoices):
        DISTRICT = 1, _("district")
        STREET = 2, _("subdistrict")
        COMMUNITY = 3, _("community")
        GRID = 4, _("grid")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    boundary = models.TextField(
        _("boundary (GeoJSON)"), blank=True, help_text=_("A GeoJSON Polygon or MultiPolygon in WGS-84.")
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def build_path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.code}/"

    def clean(self) -> None:
        if self.parent is not None:
            if self.parent.level != self.level - 1:
                raise ValidationError(
                    {"parent": _("A %(level)s must sit directly under a %(parent)s.")
                     % {"level": self.get_level_display(), "parent": Region.Level(self.level - 1).label}}
                )
        elif self.level != Region.Level.DISTRICT:
            raise ValidationError({"parent": _("Only a district may have no parent.")})
        if self.boundary:
            try:
                geo.parse_boundary(self.boundary)
            except ValidationError as exc:
                raise ValidationError({"boundary": exc.messages}) from exc

    def is_within(self, other: Region) -> bool:
        return self.path.startswith(other.path)

    def ancestor_codes(self) -> list[str]:
        return [part for part in self.path.strip("/").split("/") if part]

    def contains(self, lon: float, lat: float) -> bool:
        return bool(self.boundary) and geo.contains(self.boundary, lon, lat)


class Unit(models.Model):
    """A responsible unit (责任单位): it answers for points and receives their problems."""

    class Kind(models.TextChoices):
        CITY_MANAGEMENT = "city_management", _("city-management squad")
        MARKET_SUPERVISION = "market_supervision", _("market-supervision office")
        TRAFFIC_POLICE = "traffic_police", _("traffic police")
        LIAISON = "liaison", _("paired liaison unit")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        PROPERTY = "property", _("property company")
        SANITATION = "sanitation", _("sanitation")
        PARTY_BRANCH = "party_branch", _("community party branch")
        COMMUNITY = "community", _("community committee")
        SCHOOL = "school", _("school")
        DEPARTMENT = "department", _("government department")
        OPERATOR = "operator", _("operator or business")
        OTHER = "other", _("other")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units",
        help_text=_("The region the unit belongs to; it is visible to people in that region and above."),
    )
    head_name = models.CharField(_("head"), max_length=50, blank=True)
    head_phone = models.CharField(_("head's phone"), max_length=20, blank=True, validators=[validate_mobile])
    liaison_name = models.CharField(_("liaison"), max_length=50, blank=True)
    liaison_phone = models.CharField(
        _("liaison's phone"), max_length=20, blank=True, validators=[validate_mobile]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Somebody the campaign counts on: a cadre, grid worker, unit contact or volunteer.
    A person may or may not have a login."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("real name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, unique=True, validators=[validate_mobile])
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="people")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    post = models.CharField(_("post"), max_length=50, blank=True)
    party_member = models.BooleanField(_("party member"), default=False)
    volunteer = models.BooleanField(_("volunteer"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region__path", "name", "code"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Role(models.TextChoices):
    STREET_ADMIN = "street_admin", _("street office admin")
    COMMUNITY_ADMIN = "community_admin", _("community admin")
    GRID_WORKER = "grid_worker", _("grid worker")
    INSPECTOR = "inspector", _("inspector")
    UNIT_HANDLER = "unit_handler", _("unit handler")
    VOLUNTEER = "volunteer", _("volunteer")
    LEADER = "leader", _("leader")


class User(AbstractUser):
    """A login. Its role says what it may do, its scope (a region) what it may see."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    scope = models.ForeignKey(
        Region, verbose_name=_("scope"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The region this login sees and acts on, with everything under it."),
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.person_id is not None and self.person is not None:
            return self.person.name
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role and self.scope is None and not self.is_superuser:
            raise ValidationError({"scope": _("Every role needs a scope (a region).")})


class LoginAttempt(models.Model):
    """Failed and successful sign-ins, used for lockout and kept for the security log."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=clock.now, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


# Sent when tokens changed without a model signal (a bulk revocation): whoever remembers valid tokens
# (chuangcheng.api.auth) forgets them.
tokens_changed = Signal()


class ApiToken(models.Model):
    """A personal API token for mobile clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @staticmethod
    def lifetime() -> dt.timedelta:
        """How long a token is good for after it is made (API_TOKEN_DAYS)."""
        return dt.timedelta(days=settings.API_TOKEN_DAYS)

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + self.lifetime()

    def is_active(self, now: dt.datetime) -> bool:
        return not self.revoked and now < self.expires_at
