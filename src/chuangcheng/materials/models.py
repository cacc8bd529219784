"""The materials archive (申报材料): the documents a street keeps as evidence for the assessment items
that are assessed from documents (材料审核), and the date of the assessment they are for.

A material is evidence: its file is stored once, as sent, and never changed. A mistaken upload is
withdrawn (with who, when and why), never deleted: a withdrawn material stays in the archive but
counts for nothing and is not exported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.core.codes import random_code
from chuangcheng.org.models import Region
from chuangcheng.standards.models import AssessmentItem


class Kind(models.TextChoices):
    """What a document is; the order is the order an item's materials are listed and exported in."""

    REGULATION = "regulation", _("regulation (规范文件)")
    STATEMENT = "statement", _("statement (情况说明)")
    PHOTO = "photo", _("photos (实景图片)")
    TABLE = "table", _("statistical table (统计表格)")


class Archive(models.Model):
    """A street's archive: the day of the assessment its materials are for. Without a date the
    rolling year ends today."""

    street = models.OneToOneField(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                                  related_name="+")
    assessment_on = models.DateField(_("assessment date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=clock.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["street"]
        verbose_name = _("materials archive")
        verbose_name_plural = _("materials archives")

    def __str__(self) -> str:
        return str(self.street)


class Material(models.Model):
    """One document of a street for one assessment item. Written by `materials.services` only.

    `item_code` is the item's code when it was uploaded: a new catalog version keeps the codes, so
    the archive follows the code into the version in force (`item` is the row it was filed under)."""

    number = models.CharField(_("number"), max_length=16, unique=True, default=random_code, editable=False)
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(AssessmentItem, verbose_name=_("item of the assessment"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    item_code = models.CharField(_("assessment item code"), max_length=40, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    dated_on = models.DateField(_("dated"), help_text=_("The date the document itself bears."))
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawal_reason = models.CharField(_("why it was withdrawn"), max_length=500, blank=True)

    class Meta:
        ordering = ["street", "item_code", "kind", "-dated_on", "id"]
        indexes = [models.Index(fields=["street", "item_code", "dated_on"], name="material_street_item_date")]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return f"{self.item_code} {self.title}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
