"""The photo field every app's forms use: several photos from one input, at most MAX_PHOTOS."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chuangcheng.evidence.uploads import MAX_PHOTOS


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # The limit as configured now, for the browser to shrink larger photos before sending.
        return super().get_context(name, value, {**(attrs or {}), "data-max-bytes": settings.PHOTO_MAX_BYTES})


class PhotosField(forms.FileField):
    """Several photos from one input; on a phone the camera opens first. Large photos are
    made smaller in the browser (keeping their EXIF) before they are sent: see photos.js."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={
            "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif",
            "data-photos": ""}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("Send at most %(n)d photos at a time."), params={"n": MAX_PHOTOS})
        return [super(PhotosField, self).clean(f, initial) for f in files]
