"""Benchmark: the server's work to accept one 12-megapixel photo against bare Pillow on the same
bytes, measured in one run (these machines are noisy: compare the ratios).

`accept_photo` does everything a case upload needs: SHA-256, content checks, EXIF time and GPS,
one decode (JPEG at reduced scale), resize to 1600, orientation, watermark, display and
thumbnail encodes, three files written to storage, the row and its audit event.

Two references, each decode → resize to a 1600 px long edge → JPEG encode, nothing else:
  * "bare": what a straightforward Pillow script does (full-size decode, LANCZOS resize);
  * "drafted": the same with `Image.draft`, the decode strategy `accept_photo` uses, so the ratio
    against it is the cost of everything else (hash, checks, watermark, thumbnail, storage, DB).

    python bench/photo_accept.py [--runs 9] [--width 4000 --height 3000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django() -> None:
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-photo-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def camera_jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG with EXIF (time, GPS, orientation 1): gradients and sensor-like noise,
    so it compresses like a phone's picture (a few MB at 12 MP), not like a flat colour."""
    from PIL import Image

    rng = random.Random(12)
    blotches = Image.frombytes("L", (width // 16, height // 16), rng.randbytes((width // 16) * (height // 16)))
    base = Image.merge("RGB", [
        Image.linear_gradient("L").resize((width, height)),
        blotches.resize((width, height), Image.Resampling.BICUBIC),
        Image.radial_gradient("L").resize((width, height)),
    ])
    picture = Image.blend(base, Image.effect_noise((width, height), 18).convert("RGB"), 0.2)
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    exif[0x0112] = 1
    exif.get_ifd(0x8769)[0x9003] = "2026:11:29 09:15:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (40.0, 49.0, 12.0), 3: "E", 4: (111.0, 39.0, 0.0)})
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def with_comment(data: bytes, text: str) -> bytes:
    """The same picture with a JPEG comment segment: new SHA-256, same pixel work (no dedupe hit)."""
    body = text.encode()
    return data[:2] + b"\xff\xfe" + (len(body) + 2).to_bytes(2, "big") + body + data[2:]


def pillow_reference(data: bytes, *, draft: bool) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        scale = 1600 / max(image.size)
        target = (round(image.width * scale), round(image.height * scale))
        if draft:
            image.draft("RGB", target)
        image.load()
        resized = image.convert("RGB").resize(target, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, format="JPEG", quality=82)
    return out.getvalue()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    setup_django()
    from chuangcheng.evidence.services import accept_photo

    photo_bytes = camera_jpeg(args.width, args.height)
    megapixels = args.width * args.height / 1e6
    print(f"photo: {args.width}×{args.height} ({megapixels:.1f} MP), {len(photo_bytes) / 1e6:.2f} MB JPEG")
    watermark = "2026-11-29 09:15 · 光明路街道甲社区 东门口 · 网格员 张三"
    # Warm up: fonts, imports, the first query.
    accept_photo(with_comment(photo_bytes, "warm-up"), filename="warm.jpg", by=None, watermark=watermark)
    pillow_reference(photo_bytes, draft=False)

    accept, bare, drafted = [], [], []
    for run in range(args.runs):
        data = with_comment(photo_bytes, f"run {run}")
        # Interleaved, so drift on a noisy machine hits all three alike.
        bare.append(timed(lambda data=data: pillow_reference(data, draft=False)))
        drafted.append(timed(lambda data=data: pillow_reference(data, draft=True)))
        accept.append(timed(lambda data=data, run=run: accept_photo(
            data, filename=f"IMG_{run:04d}.JPG", by=None, watermark=watermark)))

    m_accept, m_bare, m_drafted = (statistics.median(x) for x in (accept, bare, drafted))
    print(f"runs: {args.runs}, medians")
    print(f"  accept_photo                         {m_accept * 1000:8.1f} ms")
    print(f"  bare Pillow decode→resize→encode     {m_bare * 1000:8.1f} ms")
    print(f"  drafted Pillow decode→resize→encode  {m_drafted * 1000:8.1f} ms")
    print(f"ratio accept_photo / bare Pillow:    {m_accept / m_bare:.2f}  (aim ≤ 1.3)")
    print(f"ratio accept_photo / drafted Pillow: {m_accept / m_drafted:.2f}  (the cost of everything but pixels)")


if __name__ == "__main__":
    main()
