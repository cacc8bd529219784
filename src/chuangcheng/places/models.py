from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock, geo
from chuangcheng.core.validators import validate_code
from chuangcheng.org.models import Person, Region, Unit
from chuangcheng.standards.models import PointType


class PointQuerySet(models.QuerySet["Point"]):
    def within(self, region: Region) -> PointQuerySet:
        return self.filter(grid__path__startswith=region.path)


class Point(models.Model):
    """A point (点位) the assessment may visit: a road, a market, a compound …
    Every point sits in one grid and has a primary responsible unit (分片到点、责任到人)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=120)
    point_type = models.ForeignKey(PointType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="points")
    grid = models.ForeignKey(Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="points")
    # WGS-84. Six decimals is about 0.1 m.
    lon = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    lat = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    primary_unit = models.ForeignKey(
        Unit, verbose_name=_("primary responsible unit"), on_delete=models.PROTECT, related_name="primary_points"
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_points"
    )
    responsible_people = models.ManyToManyField(
        Person, verbose_name=_("responsible people (包点责任人)"), blank=True, related_name="points"
    )
    zero_loss = models.BooleanField(
        _("zero-loss point"), default=False, help_text=_("A 零失分点位: must not lose a single point.")
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    objects = PointQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["point_type", "code"], name="point_type_code"),
            models.Index(fields=["grid", "code"], name="point_grid_code"),
        ]
        verbose_name = _("point")
        verbose_name_plural = _("points")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.lon is not None and self.lat is not None:
            try:
                geo.validate_in_china(self.lon, self.lat)
            except ValidationError as exc:
                errors.setdefault("lon", []).extend(exc.messages)
        if self.grid_id is not None:
            grid = self.grid
            if grid.level != Region.Level.GRID:
                errors.setdefault("grid", []).append(str(_("A point must be placed in a grid.")))
            elif (
                "lon" not in errors and self.lon is not None and self.lat is not None and grid.boundary
                and not grid.contains(float(self.lon), float(self.lat))
            ):
                errors.setdefault("lon", []).append(
                    str(_("The location %(lon)s, %(lat)s lies outside the boundary of grid %(grid)s.")
                        % {"lon": self.lon, "lat": self.lat, "grid": grid.name})
                )
        if errors:
            raise ValidationError(errors)

    @property
    def community(self) -> Region | None:
        return self.grid.parent


def point_photo_path(instance: PointPhoto, filename: str) -> str:
    return f"points/{instance.point.code}/{instance.sha256}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:6] if dot >= 0 else ""


class PointPhoto(models.Model):
    """A reference photo of the point (what it should look like). Original bytes kept as sent."""

    point = models.ForeignKey(Point, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=point_photo_path)
    sha256 = models.CharField(max_length=64, editable=False)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=clock.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["point", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["point", "sha256"], name="uniq_point_photo")]
        verbose_name = _("point photo")
        verbose_name_plural = _("point photos")

    def __str__(self) -> str:
        return f"{self.point.code} {self.sha256[:8]}"
