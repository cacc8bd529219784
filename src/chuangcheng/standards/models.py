from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.core.validators import validate_code
from chuangcheng.org.models import Unit


class PointType(models.Model):
    """The stable identity of a point type (主次干道, 农贸市场 …). Points refer to it; what is
    checked at a type lives in the versioned catalog (TypeProfile and CheckItem)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("point type")
        verbose_name_plural = _("point types")

    def __str__(self) -> str:
        return self.name


class CatalogVersion(models.Model):
    """One version of the assessment catalog. A draft is edited; publishing freezes it and
    supersedes the version in force. A published version is never changed again."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("in force")
        SUPERSEDED = "superseded", _("superseded")

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    changelog = models.TextField(_("what changed"), blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("catalog version")
        verbose_name_plural = _("catalog versions")

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class CheckGroup(models.Model):
    """A reusable group of check items (PUB, ORDER, ENV …) shared by several point types."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=40, validators=[validate_code])
    name = models.CharField(_("name"), max_length=80)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_group_code_per_version")
        ]
        verbose_name = _("check group")
        verbose_name_plural = _("check groups")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TypeProfile(models.Model):
    """What one catalog version checks at one point type: its groups and usual owners."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="profiles")
    point_type = models.ForeignKey(PointType, on_delete=models.PROTECT, related_name="profiles")
    description = models.TextField(_("description"), blank=True)
    unit_kinds = models.JSONField(_("usual responsible unit kinds"), default=list, blank=True)
    sample_size = models.PositiveSmallIntegerField(
        _("points an assessor visits"), default=3,
        help_text=_("How many points of this type the field assessment samples (测评抽样数)."))
    groups = models.ManyToManyField(
        CheckGroup, verbose_name=_("check groups"), blank=True, related_name="profiles"
    )

    class Meta:
        ordering = ["version", "point_type__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "point_type"], name="uniq_profile_per_version")
        ]
        verbose_name = _("point type profile")
        verbose_name_plural = _("point type profiles")

    def __str__(self) -> str:
        return f"v{self.version.number} {self.point_type}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        unknown = _unknown_unit_kinds(self.unit_kinds)
        if unknown:
            errors["unit_kinds"] = _("Unknown unit kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        if self.sample_size is not None and self.sample_size < 1:
            errors["sample_size"] = _("An assessor visits at least 1 point of a type: give a sample size of 1 or more.")
        if errors:
            raise ValidationError(errors)


class AssessmentItem(models.Model):
    """测评内容: what the field assessment scores, with a fixed 分值 (`points`).

    An observed item belongs to one point type and covers the check items of one of that type's
    check groups (`group`), or the type's own check items (`group` empty). A failed check item at
    an inspection of a point of that type deducts its `CheckItem.deduction` (per occurrence, or per
    failure) from it; over the assessors' sample the deductions are capped at `points` (see
    standards.scoring). An item assessed from documents (`method` materials) has no point type: the
    street keeps its evidence in the materials archive."""

    class Method(models.TextChoices):
        OBSERVE = "observe", _("field observation (实地观察)")
        SIMULATE = "simulate", _("simulated check (实景模拟验证)")
        RECORDS = "records", _("records checked on site (实地调查)")
        MATERIALS = "materials", _("documents (材料审核)")

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="assessment_items")
    code = models.CharField(_("code"), max_length=40, validators=[validate_code])
    name = models.CharField(_("name"), max_length=120)
    method = models.CharField(_("how it is assessed"), max_length=12, choices=Method.choices,
                              default=Method.OBSERVE)
    point_type = models.ForeignKey(
        PointType, verbose_name=_("point type"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    group = models.ForeignKey(
        CheckGroup, verbose_name=_("check group"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="assessment_items",
    )
    points = models.DecimalField(_("points (分值)"), max_digits=6, decimal_places=2)
    description = models.TextField(_("what the assessors look at"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_assessment_code_per_version"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="assessment_points_positive"),
        ]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")

    # Set by queries.assessment_items: the point type's sample size in the item's version.
    sample_size: int | None = None

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_observed(self) -> bool:
        """Scored from inspections of points (every method but documents)."""
        return self.method != self.Method.MATERIALS

    @property
    def is_minors(self) -> bool:
        """Part of the 未成年人思想道德建设 assessment (the section named at the head of its name)."""
        return self.name.startswith(MINORS_SECTION)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        if self.points is not None and self.points <= 0:
            add("points", _("The points (分值) must be more than 0."))
        if self.method == self.Method.MATERIALS:
            if self.point_type_id is not None:
                add("point_type", _("An item assessed from documents has no point type; leave it empty."))
            if self.group_id is not None:
                add("group", _("An item assessed from documents has no check group; leave it empty."))
        else:
            if self.point_type_id is None:
                add("point_type", _("An item observed at points needs the point type it is scored at."))
            group = self.group if self.group_id is not None else None
            if group is not None and group.version_id != self.version_id:
                add("group", _("The group belongs to another catalog version."))
        if errors:
            raise ValidationError(errors)


# How the pages tell the minors' section (未成年人思想道德建设, a precondition of the assessment) from
# the rest: its assessment items' names start with it ("未成年人思想道德建设·网吧·专项要求").
MINORS_SECTION = "未成年人思想道德建设"


class CheckItem(models.Model):
    """One thing an inspector checks. It belongs to a reusable group or to one point type."""

    class Measure(models.TextChoices):
        PRESENCE = "presence", _("present / absent")
        COUNT = "count", _("count at least N (within a distance)")
        OCCURRENCES = "occurrences", _("occurrences (deduct per occurrence)")
        RATE = "rate", _("rate at least N %")

    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=40, validators=[validate_code])
    group = models.ForeignKey(
        CheckGroup, verbose_name=_("group"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="items",
    )
    point_type = models.ForeignKey(
        PointType, verbose_name=_("point type"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="items",
    )
    text = models.TextField(_("what is checked"))
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices, default=Measure.PRESENCE)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2, null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("over a walk of (m)"), null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    deduction = models.DecimalField(
        _("deduction per occurrence"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # What a failure costs the assessment item (测评内容) this item falls under: per occurrence for an
    # occurrences item, per failure otherwise ("少一条扣2分"). Empty: the item costs its assessment
    # item nothing (it still counts in the point's own score).
    penalty = models.DecimalField(
        _("deduction from the assessment item"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    unit_kinds = models.JSONField(_("usual responsible unit kinds"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "group__sort_order", "point_type__sort_order", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_item_code_per_version"),
            models.CheckConstraint(
                condition=(models.Q(group__isnull=False, point_type__isnull=True)
                           | models.Q(group__isnull=True, point_type__isnull=False)),
                name="item_in_group_or_type",
            ),
        ]
        verbose_name = _("check item")
        verbose_name_plural = _("check items")

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        if (self.group_id is None) == (self.point_type_id is None):
            add("group", _("A check item belongs either to a group or to one point type."))
        group = self.group if self.group_id is not None else None
        if group is not None and group.version_id != self.version_id:
            add("group", _("The group belongs to another catalog version."))
        if self.measure in {self.Measure.COUNT, self.Measure.RATE} and self.threshold is None:
            add("threshold", _("A count or rate item needs a threshold."))
        if self.measure in {self.Measure.PRESENCE, self.Measure.OCCURRENCES} and self.threshold is not None:
            add("threshold", _("Only a count or rate item has a threshold."))
        if self.threshold is not None:
            if self.measure == self.Measure.RATE and not 0 <= self.threshold <= 100:
                add("threshold", _("A rate threshold is a percentage from 0 to 100."))
            whole = self.threshold == int(self.threshold)
            if self.measure == self.Measure.COUNT and (self.threshold < 1 or not whole):
                add("threshold", _("A count threshold is a whole number of at least 1."))
        if self.measure == self.Measure.OCCURRENCES and self.deduction is None:
            add("deduction", _("An occurrences item needs a deduction per occurrence."))
        if self.measure != self.Measure.OCCURRENCES and self.deduction is not None:
            add("deduction", _("Only an occurrences item has a deduction per occurrence."))
        if self.weight is not None and self.weight <= 0:
            add("weight", _("The weight must be more than 0."))
        if self.deduction is not None and self.weight is not None and not 0 < self.deduction <= self.weight:
            add("deduction", _("The deduction per occurrence is more than 0 and at most the weight."))
        if self.penalty is not None and self.penalty <= 0:
            add("penalty", _("The deduction from the assessment item must be more than 0; leave it empty if a "
                             "failure costs the assessment item nothing."))
        if self.distance_m is not None and self.distance_m == 0:
            add("distance_m", _("Leave the distance empty or give at least 1 metre."))
        unknown = _unknown_unit_kinds(self.unit_kinds)
        if unknown:
            add("unit_kinds", _("Unknown unit kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)})
        if errors:
            raise ValidationError(errors)

    def measure_text(self) -> str:
        """The measure as an inspector reads it: "at least 3 within 50 m", "deduct 0.5 per occurrence"."""
        within = (gettext(" within a %(m)s m walk") % {"m": self.distance_m}) if self.distance_m else ""
        if self.measure == self.Measure.COUNT:
            return gettext("at least %(n)s") % {"n": plain_number(self.threshold)} + within
        if self.measure == self.Measure.RATE:
            return gettext("at least %(n)s %%") % {"n": plain_number(self.threshold)} + within
        if self.measure == self.Measure.OCCURRENCES:
            return gettext("each occurrence deducts %(d)s") % {"d": plain_number(self.deduction)} + within
        return gettext("must be present") + within

    def penalty_text(self) -> str:
        """What a failure costs the assessment item: "1 per occurrence", "2 per failure", or "—"."""
        if self.penalty is None:
            return "—"
        if self.measure == self.Measure.OCCURRENCES:
            return gettext("%(p)s per occurrence") % {"p": plain_number(self.penalty)}
        return gettext("%(p)s per failure") % {"p": plain_number(self.penalty)}


def plain_number(value: Decimal | None) -> str:
    """3.00 → "3", 0.50 → "0.5": how a clerk writes a threshold or weight."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unknown_unit_kinds(kinds: Any) -> list[str]:
    if not isinstance(kinds, list):
        return [str(kinds)]
    return [str(kind) for kind in kinds if kind not in Unit.Kind.values]
