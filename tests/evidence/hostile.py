"""Malformed and hostile images, each a few kilobytes at most: decompression bombs of every format
Pillow reads (huge dimensions in a tiny file), truncated files, formats we do not take. Built by
writing a small real image and then rewriting its header, so no test allocates the big picture."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

from PIL import Image

BIG = (30_000, 30_000)  # 900 MP: far above any PHOTO_MAX_PIXELS


def _saved(fmt: str, size: tuple[int, int] = (16, 16), mode: str = "RGB", **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 0).save(out, format=fmt, **options)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb() -> bytes:
    """A PNG whose header says 30000×30000 RGBA; its one IDAT is a few kilobytes of deflated zeros."""
    width, height = BIG
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = zlib.compressobj(9)
    data = rows.compress(bytes(1 + 4 * width) * 64) + rows.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def png_just_over() -> bytes:
    """An RGBA PNG within PHOTO_MAX_PIXELS by pixels (40 MP) but over it by pixels × bands."""
    width, height = 8000, 5000
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(bytes(1 + 4 * width) * 8)) + _png_chunk(b"IEND", b""))


def gif_bomb() -> bytes:
    data = bytearray(_saved("GIF", mode="L"))
    data[6:10] = struct.pack("<HH", 65_535, 65_535)  # logical screen
    at = data.index(b"\x2c")  # image descriptor
    data[at + 5:at + 9] = struct.pack("<HH", 65_535, 65_535)
    return bytes(data)


def webp_bomb() -> bytes:
    """The attack of issue 20: a lossless WebP whose header says 16383×3900 RGBA (64 MP), 60 bytes."""
    data = bytearray(_saved("WEBP", mode="RGBA", lossless=True))
    at = data.index(b"VP8L") + 9  # after the chunk size and the 0x2f signature
    bits = int.from_bytes(data[at:at + 4], "little") & ~((1 << 28) - 1)
    bits |= (16_383 - 1) | (3_900 - 1) << 14
    data[at:at + 4] = bits.to_bytes(4, "little")
    return bytes(data)


def png_large_allowed(width: int = 7_000, height: int = 7_000) -> bytes:
    """A complete greyscale PNG of 49 MP (within the default limit), deflated zeros: decodes fully."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compressobj(9)
    row = bytes(1 + width)
    body = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def tiff_bomb() -> bytes:
    """A TIFF whose first IFD says 100000×100000 (ImageWidth 256, ImageLength 257)."""
    out = io.BytesIO()
    Image.new("L", (16, 16)).save(out, format="TIFF")
    raw = bytearray(out.getvalue())
    offset = struct.unpack("<I", raw[4:8])[0]
    count = struct.unpack("<H", raw[offset:offset + 2])[0]
    for i in range(count):
        entry = offset + 2 + 12 * i
        tag, kind = struct.unpack("<HH", raw[entry:entry + 4])
        if tag in (256, 257):
            if kind == 3:
                raw[entry + 2:entry + 4] = struct.pack("<H", 4)  # SHORT -> LONG
            raw[entry + 8:entry + 12] = struct.pack("<I", 100_000)
    return bytes(raw)


def bmp_bomb() -> bytes:
    data = bytearray(_saved("BMP"))
    data[18:26] = struct.pack("<ii", 60_000, 60_000)
    return bytes(data)


def jpeg_bomb() -> bytes:
    """A JPEG whose frame header (SOF0) says 65000×65000."""
    data = bytearray(_saved("JPEG"))
    at = data.index(b"\xff\xc0")
    data[at + 5:at + 9] = struct.pack(">HH", 65_000, 65_000)
    return bytes(data)


def jpeg_truncated() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, format="JPEG", quality=95)
    data = out.getvalue()
    return data[: len(data) // 2]


def png_truncated() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(out, format="PNG")
    data = out.getvalue()
    return data[: len(data) // 2]


def webp_truncated() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(out, format="WEBP", quality=90)
    data = out.getvalue()
    return data[: len(data) // 2]


def jpeg_bad_exif_bomb() -> bytes:
    """A JPEG with a garbage EXIF block (offsets pointing far outside it) and a bomb's frame size."""
    data = bytearray(jpeg_bomb())
    exif = b"Exif\x00\x00II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\xff" * 64
    segment = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    return bytes(data[:2] + segment + data[2:])


def jpeg_with_garbage_exif() -> bytes:
    """A complete small JPEG whose EXIF block is garbage: the photo is fine, its EXIF reads as absent."""
    data = _saved("JPEG", size=(64, 48))
    exif = b"Exif\x00\x00II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\xff" * 64
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + data[2:]


def dds() -> bytes:
    """A DirectDraw Surface of a pixel format Pillow has no decoder for."""
    header = struct.pack("<7I", 124, 0x1 | 0x2 | 0x4 | 0x1000, 64, 64, 0, 0, 0) + bytes(44)
    pixel_format = struct.pack("<2I", 32, 0x4) + b"XXXX" + bytes(20)
    return b"DDS " + header + pixel_format + struct.pack("<5I", 0x1000, 0, 0, 0, 0) + bytes(4096)


def psd() -> bytes:
    """A Photoshop header of 30000×30000, RGB, 8 bits, raw, no pixel data."""
    return (b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 30_000, 30_000, 8, 3)
            + struct.pack(">I", 0) * 3 + struct.pack(">H", 0))


def svg() -> bytes:
    return (b'<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000">'
            b'<rect width="100%" height="100%"/></svg>')


# name -> maker; every one of these is refused with a 4xx.
HOSTILE: dict[str, Callable[[], bytes]] = {
    "bomb.png": png_bomb,
    "rgba-over.png": png_just_over,
    "bomb.gif": gif_bomb,
    "bomb.webp": webp_bomb,
    "bomb.tif": tiff_bomb,
    "bomb.bmp": bmp_bomb,
    "bomb.jpg": jpeg_bomb,
    "bad-exif.jpg": jpeg_bad_exif_bomb,
    "cut.jpg": jpeg_truncated,
    "cut.png": png_truncated,
    "cut.webp": webp_truncated,
    "texture.dds": dds,
    "layers.psd": psd,
    "drawing.svg": svg,
    "empty.jpg": lambda: b"",
}
