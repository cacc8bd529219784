"""Smaller copies of pictures for pages (a thumbnail, a medium version): upright, RGB on white,
JPEG without EXIF. The bytes given are only read: an evidence photo's original is never changed,
its copies are new files."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()  # an iPhone's HEIC, as the upload checks accept it


def shrink(data: bytes, long_edge: int, quality: int) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (long_edge, long_edge))
        icc = image.info.get("icc_profile")
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
        if picture.mode != "RGB":
            rgba = picture.convert("RGBA")
            picture = Image.new("RGB", rgba.size, (255, 255, 255))
            picture.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    options: dict[str, object] = {"quality": quality}
    if icc:
        options["icc_profile"] = icc
    picture.save(out, format="JPEG", **options)
    return out.getvalue()
