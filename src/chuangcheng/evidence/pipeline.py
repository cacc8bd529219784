"""The photo pipeline, free of the database: check an upload by its content, read its EXIF
(time taken, GPS, orientation) and make the display and thumbnail versions.

The work per photo stays close to one decode and one encode (DESIGN §6): the header is read
without decoding pixels, a JPEG is decoded at a reduced scale (`Image.draft`), the one decode is
also the check that the file is complete, and the thumbnail is made from the display image."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import shutil
import subprocess  # noqa: S404  # fc-match only, with a fixed argument list
import warnings
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from chuangcheng.core import clock

pillow_heif.register_heif_opener()

logger = logging.getLogger(__name__)

DISPLAY_LONG_EDGE = 1600
THUMBNAIL_LONG_EDGE = 320
DISPLAY_QUALITY = 82
THUMBNAIL_QUALITY = 75
# The picture a page shows at up to half a phone-screen wide or a column on a desk (made from the
# display version on first request, watermark included): a quarter of the display's bytes.
MEDIUM_LONG_EDGE = 1024
MEDIUM_QUALITY = 78
# 50 megapixels covers the 48/50 MP modes of current phones; decoding more would cost hundreds
# of megabytes of memory per request. A deployment may set PHOTO_MAX_PIXELS. The decoded size is
# bounded too: width × height × bands at most PHOTO_MAX_PIXELS × 3 (an RGB photo's worth), where a
# palette counts as the 4 bands it becomes and 16/32-bit greyscale as 4 (see _bands).
DEFAULT_MAX_PIXELS = 50_000_000

# Pillow's name for each accepted format -> the suffix the original is stored with. MPO is how
# Pillow names a JPEG carrying a second (depth or preview) picture, as many phones write.
FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}

# EXIF tags (TIFF/EXIF 2.32 numbering).
TAG_ORIENTATION = 0x0112
TAG_DATETIME = 0x0132
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4

# EXIF orientation -> the transpositions that make the picture upright (as ImageOps.exif_transpose).
ORIENTATION_FIX: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

CJK_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def max_pixels() -> int:
    return int(getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _bands(mode: str) -> int:
    """How many bytes a pixel of this mode costs once decoded and converted for the display version."""
    if mode in ("P", "PA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return 4
    try:
        return Image.getmodebands(mode)
    except (KeyError, ValueError):
        return 4


def check_size(data: bytes, filename: str = "") -> None:
    """Refuse an empty upload or one over PHOTO_MAX_BYTES, before anything else is done with it."""
    name = filename or _("the photo")
    if not data:
        raise _bad(_("%(name)s is an empty file."), "empty", name)
    limit = int(settings.PHOTO_MAX_BYTES)
    if len(data) > limit:
        raise ValidationError(
            _("%(name)s is larger than %(mb)s MB."), code="too_large",
            params={"name": name, "mb": f"{limit / (1024 * 1024):g}"},
        )


@dataclass(frozen=True)
class PhotoInfo:
    """What the header and EXIF say. Width and height are those of the upright picture."""

    format: str
    suffix: str
    width: int
    height: int
    orientation: int
    taken_at: dt.datetime | None
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class Derivatives:
    display: bytes
    thumbnail: bytes
    info: PhotoInfo


def _bad(message: str, code: str, filename: str) -> ValidationError:
    return ValidationError(message, code=code, params={"name": filename})


def open_checked(data: bytes, filename: str = "") -> Image.Image:
    """Open (header only) an upload, refusing what is not an accepted photo. Does not decode."""
    name = filename or _("the photo")
    check_size(data, filename)
    # Pillow's own bomb check (a warning above the limit, an error above twice it) at our limit.
    Image.MAX_IMAGE_PIXELS = max_pixels()
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that; treat it as the refusal it is.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bad(_("%(name)s has too many pixels."), "too_many_pixels", name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a format Pillow knows but not this variant of it (a .dds).
        raise _bad(_("%(name)s is not a photo we can read (JPEG, PNG, WebP or HEIC)."), "not_an_image",
                   name) from exc
    if image.format not in FORMATS:
        image.close()
        raise _bad(_("%(name)s is not a photo we can read (JPEG, PNG, WebP or HEIC)."), "unsupported_format",
                   name)
    width, height = image.size
    limit = max_pixels()
    if width <= 0 or height <= 0 or width * height > limit or width * height * _bands(image.mode) > 3 * limit:
        image.close()
        raise _bad(_("%(name)s has too many pixels."), "too_many_pixels", name)
    return image


def read_info(image: Image.Image) -> PhotoInfo:
    """Format, upright size, orientation, EXIF time and GPS. Broken EXIF reads as absent."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001  # a broken EXIF block is not a broken photo
        exif = Image.Exif()
    orientation = _orientation(exif)
    width, height = image.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    lon, lat = gps_from_exif(exif)
    fmt = image.format or ""
    return PhotoInfo(
        format="JPEG" if fmt == "MPO" else fmt,
        suffix=FORMATS.get(fmt, "bin"),
        width=width,
        height=height,
        orientation=orientation,
        taken_at=time_from_exif(exif),
        lon=lon,
        lat=lat,
    )


def _orientation(exif: Image.Exif) -> int:
    try:
        value = int(exif.get(TAG_ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if value in ORIENTATION_FIX else 1


def _sub_ifd(exif: Image.Exif, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # noqa: BLE001
        return {}


# EXIF times a camera with an unset or wrong clock writes (1970, 2000-01-01, the year 2099) are not
# when the photo was taken: before EXIF_EARLIEST or after now + EXIF_FUTURE_TOLERANCE they are ignored.
EXIF_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
EXIF_FUTURE_TOLERANCE = dt.timedelta(hours=1)


def time_from_exif(exif: Image.Exif) -> dt.datetime | None:
    """DateTimeOriginal (or DateTime), aware: its own offset if the camera wrote one, else Asia/Shanghai.
    None when absent, unreadable, or not believable (see EXIF_EARLIEST)."""
    moment = _exif_moment(exif)
    if moment is None:
        return None
    if moment < EXIF_EARLIEST or moment > clock.now() + EXIF_FUTURE_TOLERANCE:
        return None
    return moment


def _exif_moment(exif: Image.Exif) -> dt.datetime | None:
    sub = _sub_ifd(exif, IFD_EXIF)
    raw = sub.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    if not isinstance(raw, str | bytes):
        return None
    text = (raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw).strip("\x00 ")
    try:
        moment = dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007  # zone set below
    except ValueError:
        return None
    offset = sub.get(TAG_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "replace")
    if isinstance(offset, str):
        try:
            parsed = dt.datetime.strptime(offset.strip("\x00 "), "%z")
            return moment.replace(tzinfo=parsed.tzinfo)
        except ValueError:
            pass
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _degrees(value: Any) -> float:
    parts = [float(v) for v in value]
    if len(parts) != 3:
        raise ValueError("degrees, minutes, seconds expected")
    degrees, minutes, seconds = parts
    if not (0 <= minutes < 60 and 0 <= seconds < 60):
        raise ValueError("minutes or seconds out of range")
    return degrees + minutes / 60 + seconds / 3600


def _ref(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip("\x00 ").upper()


def gps_from_exif(exif: Image.Exif) -> tuple[float | None, float | None]:
    """(lon, lat) in WGS-84 decimal degrees, or (None, None) when absent, incomplete or nonsense."""
    gps = _sub_ifd(exif, IFD_GPS)
    try:
        lat = _degrees(gps[GPS_LAT])
        lon = _degrees(gps[GPS_LON])
        lat_ref, lon_ref = _ref(gps[GPS_LAT_REF]), _ref(gps[GPS_LON_REF])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None, None
    lat = -lat if lat_ref == "S" else lat
    lon = -lon if lon_ref == "W" else lon
    # (0, 0) is what a phone writes when it had no fix; out-of-range values are corruption.
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lon, 6), round(lat, 6)


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _rgb(image: Image.Image) -> Image.Image:
    """RGB on white: transparency flattened, palettes, 16-bit and CMYK converted."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale (some PNGs): scale to 8 bits instead of clipping to white.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L").convert("RGB")
    return image.convert("RGB")


def make_derivatives(data: bytes, *, filename: str = "", watermark: str = "") -> Derivatives:
    """The display JPEG (long edge ≤ 1600, upright, watermarked) and the thumbnail (≤ 320), no EXIF.

    Raises a translated ValidationError for anything that is not a complete accepted photo."""
    name = filename or _("the photo")
    image = open_checked(data, filename)
    with image:
        info = read_info(image)
        icc = image.info.get("icc_profile")
        target = _fit(image.size, DISPLAY_LONG_EDGE)
        if image.format in ("JPEG", "MPO"):
            # Decode at 1/2, 1/4 or 1/8 scale (libjpeg's scaled IDCT averages the pixels it
            # drops) while staying at least the target size; the resize that follows is small.
            image.draft("RGB", target)
        try:
            # Loading decodes every byte: a truncated file fails here, not later in a browser.
            image.load()
        except (OSError, SyntaxError, ValueError, NotImplementedError, Image.DecompressionBombError) as exc:
            raise _bad(_("%(name)s is damaged or incomplete."), "truncated", name) from exc
        picture = _rgb(_reduced(image, target))
        if picture.size != target:
            picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if info.orientation in ORIENTATION_FIX:
        picture = picture.transpose(ORIENTATION_FIX[info.orientation])
    if watermark:
        picture = draw_watermark(picture, watermark)
    display = _jpeg(picture, DISPLAY_QUALITY, icc)
    thumb = picture.copy()
    thumb.thumbnail((THUMBNAIL_LONG_EDGE, THUMBNAIL_LONG_EDGE), Image.Resampling.LANCZOS)
    return Derivatives(display=display, thumbnail=_jpeg(thumb, THUMBNAIL_QUALITY, icc), info=info)


def fitted(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size of a picture of `size` shrunk (never enlarged) to `long_edge`."""
    return _fit(size, long_edge)


def _reduced(image: Image.Image, target: tuple[int, int]) -> Image.Image:
    """A large decoded picture shrunk by a whole factor (box averaging) before it is converted, so
    a conversion never copies the full-size picture; at least twice the target stays for the
    resize that follows. Modes `reduce` does not take (palettes, 16-bit) are returned as they are."""
    factor = min(image.width // (2 * target[0]), image.height // (2 * target[1]))
    if factor < 2:
        return image
    try:
        return image.reduce(factor)
    except (ValueError, NotImplementedError):
        return image


def _jpeg(image: Image.Image, quality: int, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    # Only what is passed here is written: no EXIF, no XMP (time and place live in the database).
    options: dict[str, Any] = {"quality": quality}
    if icc:
        options["icc_profile"] = icc  # colours of wide-gamut phone photos stay right
    image.save(out, format="JPEG", **options)
    return out.getvalue()


# --- watermark ---------------------------------------------------------------------------------


@functools.cache
def cjk_font_path() -> str | None:
    """A font file that has Chinese glyphs: settings.PHOTO_WATERMARK_FONT, known paths, fc-match."""
    configured = str(getattr(settings, "PHOTO_WATERMARK_FONT", "") or "")
    candidates = [configured] if configured else []
    candidates += list(CJK_FONT_PATHS)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(  # noqa: S603  # fixed arguments, no shell
                [fc_match, "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).is_file():
            return found
    logger.warning("No font with Chinese glyphs found; watermarks in Chinese will show boxes. "
                   "Install fonts-wqy-microhei or fonts-noto-cjk, or set PHOTO_WATERMARK_FONT.")
    return None


@functools.lru_cache(maxsize=32)
def watermark_font(size: int, ascii_only: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if not ascii_only:
        path = cjk_font_path()
        if path:
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                logger.warning("Cannot load the watermark font %s", path)
    return ImageFont.load_default(size=size)


def draw_watermark(image: Image.Image, text: str) -> Image.Image:
    """One line at the foot of the picture, white on a dark band, shrunk or cut to fit."""
    text = " ".join(text.split())
    width, height = image.size
    margin = max(4, width // 100)
    size = max(10, min(width, height) // 28)
    ascii_only = text.isascii()
    font = watermark_font(size, ascii_only)
    while size > 10 and font.getlength(text) > width - 2 * margin:
        size -= 2
        font = watermark_font(size, ascii_only)
    if font.getlength(text) > width - 2 * margin:
        while text and font.getlength(text + "…") > width - 2 * margin:
            text = text[:-1]
        text += "…"
    band = size + 2 * margin
    overlay = Image.new("RGBA", (width, band), (0, 0, 0, 140))
    ImageDraw.Draw(overlay).text((margin, margin + size // 2), text, font=font, fill=(255, 255, 255, 255),
                                 anchor="lm")
    out = image.copy()
    out.paste(overlay, (0, height - band), overlay)
    return out

