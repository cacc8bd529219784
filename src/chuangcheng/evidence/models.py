"""A photo kept as evidence: the original bytes exactly as uploaded, their SHA-256, what its EXIF
says, and two regenerable versions for people to look at (display, thumbnail) that carry no EXIF."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock


class Photo(models.Model):
    """One uploaded photo. Rows are written by `evidence.services` only; the original never changes."""

    class Variant(models.TextChoices):
        DISPLAY = "display", _("display")
        THUMBNAIL = "thumbnail", _("thumbnail")
        # Made on first request from the display version (evidence.services.medium_name).
        MEDIUM = "medium", _("medium")
        ORIGINAL = "original", _("original")

    original = models.FileField(_("original"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    format = models.CharField(_("format"), max_length=8)
    # Of the upright picture (EXIF orientation applied).
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    # WGS-84, as the phone wrote it; None when the EXIF had no usable fix.
    lon = models.DecimalField(_("longitude (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("latitude (EXIF)"), max_digits=8, decimal_places=6, null=True, blank=True)
    display = models.FileField(_("display version"), max_length=200, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=200, blank=True)
    # Kept so the display version can be made again exactly (time, place, who).
    watermark = models.CharField(_("watermark"), max_length=200, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.width}×{self.height}"

    def _fitted(self, long_edge: int) -> tuple[int, int]:
        from chuangcheng.evidence import pipeline

        return pipeline.fitted(pipeline.fitted((self.width, self.height), pipeline.DISPLAY_LONG_EDGE), long_edge)

    # The sizes a page writes in <img width height>, so nothing moves as the pictures arrive.
    @property
    def thumbnail_size(self) -> tuple[int, int]:
        from chuangcheng.evidence import pipeline

        return self._fitted(pipeline.THUMBNAIL_LONG_EDGE)

    @property
    def medium_size(self) -> tuple[int, int]:
        from chuangcheng.evidence import pipeline

        return self._fitted(pipeline.MEDIUM_LONG_EDGE)

    @property
    def has_location(self) -> bool:
        return self.lon is not None and self.lat is not None
