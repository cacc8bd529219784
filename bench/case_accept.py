"""Benchmark: the server's time to accept one case reported with a 12-megapixel photo through
POST /api/cases, against bare Pillow on the same bytes, measured in one run (these machines are
noisy: compare the ratios).

The request is what a phone sends: a multipart form (category, description, point) with the
photo. The server authenticates the token, parses the form, checks the photo, hashes it, reads
its EXIF, decodes it once (JPEG at reduced scale), resizes, watermarks "time · place · who",
encodes the display version and the thumbnail, writes three files, the photo row and its audit
row, the case, its number and its event, and answers with the case's detail, in one transaction.
The multipart body is encoded before the clock starts: only the server's work is timed.

References, each decode → resize to a 1600 px long edge → JPEG encode, nothing else:
  * "bare": what a straightforward Pillow script does (full-size decode, LANCZOS resize);
  * "drafted": the same with `Image.draft`, the decode strategy `accept_photo` uses;
and `accept_photo` alone, so what the case and the HTTP layer add shows too.

    python bench/case_accept.py [--runs 9] [--width 4000 --height 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    """The tests' settings (a throw-away data directory under CHUANGCHENG_HOME), migrated."""
    os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="cc-bench-case-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, a local mail backend
    call_command("migrate", verbosity=0, interactive=False)


def build_scene() -> tuple[Any, str, str]:
    """A street with one community, one grid, one point and its unit; a grid worker's token."""
    from chuangcheng.cases.queries import leaf_categories
    from chuangcheng.org.models import Person, Region, Role, Unit, User
    from chuangcheng.org.services import create_api_token
    from chuangcheng.places.models import Point
    from chuangcheng.standards.models import PointType

    district = Region.objects.create(code="BD", name="回民区", level=Region.Level.DISTRICT, path="/BD/")
    street = Region.objects.create(code="BS", name="光明路街道", level=Region.Level.STREET, parent=district,
                                   path="/BD/BS/")
    community = Region.objects.create(code="BC", name="甲社区", level=Region.Level.COMMUNITY, parent=street,
                                      path="/BD/BS/BC/")
    grid = Region.objects.create(code="BG", name="甲一网格", level=Region.Level.GRID, parent=community,
                                 path="/BD/BS/BC/BG/")
    unit = Unit.objects.create(code="WY", name="甲物业", kind=Unit.Kind.PROPERTY, region=community)
    point = Point.objects.create(code="BP", name="甲小区东门", point_type=PointType.objects.first(), grid=grid,
                                 lon="111.650000", lat="40.820000", address="光明路 1 号", primary_unit=unit)
    person = Person.objects.create(code="BW", name="张三", phone="13800000000", region=grid)
    worker = User.objects.create(username="worker", role=Role.GRID_WORKER, scope=grid, person=person)
    _token, key = create_api_token(worker, name="bench")
    category = leaf_categories().first()
    assert category is not None
    return point, category.code, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart
    from photo_accept import camera_jpeg, pillow_reference, timed, with_comment

    from chuangcheng.cases.models import Case
    from chuangcheng.evidence.services import accept_photo

    # The same multipart type the client would send, spelled so the client passes the bytes as they are.
    PREENCODED = f"multipart/form-data; charset=utf-8; boundary={BOUNDARY}"  # noqa: N806
    point, category, key = build_scene()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    photo_bytes = camera_jpeg(args.width, args.height)
    print(f"photo: {args.width}×{args.height} ({args.width * args.height / 1e6:.1f} MP), "
          f"{len(photo_bytes) / 1e6:.2f} MB JPEG")
    watermark = "2026-11-29 09:15 · 甲小区东门 · 张三"

    def body(data: bytes, name: str) -> bytes:
        import io

        upload = io.BytesIO(data)
        upload.name = name
        return encode_multipart(BOUNDARY, {"category": category, "description": "东门电线杆上有小广告",
                                           "source": "inspection", "point": point.code, "photos": [upload]})

    def report(payload: bytes) -> None:
        response = client.post("/api/cases", payload, content_type=PREENCODED)
        if response.status_code != 201:
            raise SystemExit(f"POST /api/cases answered {response.status_code}: {response.content[:500]!r}")

    # Warm up: fonts, imports, the first queries, the URL resolver.
    report(body(with_comment(photo_bytes, "warm-up"), "warm.jpg"))
    accept_photo(with_comment(photo_bytes, "warm-up 2"), filename="warm.jpg", by=None, watermark=watermark)
    pillow_reference(photo_bytes, draft=False)

    api, alone, bare, drafted = [], [], [], []
    for run in range(args.runs):
        data = with_comment(photo_bytes, f"run {run}")  # new bytes each time: no dedupe hit
        payload = body(data, f"IMG_{run:04d}.JPG")
        alone_data = with_comment(photo_bytes, f"alone {run}")
        # Interleaved, so drift on a noisy machine hits all four alike.
        bare.append(timed(lambda data=data: pillow_reference(data, draft=False)))
        drafted.append(timed(lambda data=data: pillow_reference(data, draft=True)))
        alone.append(timed(lambda d=alone_data, run=run: accept_photo(
            d, filename=f"IMG_{run:04d}.JPG", by=None, watermark=watermark)))
        api.append(timed(lambda payload=payload: report(payload)))
    assert Case.objects.count() == args.runs + 1
    assert Case.objects.filter(events__action="report", events__photos__isnull=False).count() == args.runs + 1

    m_api, m_alone, m_bare, m_drafted = (statistics.median(x) for x in (api, alone, bare, drafted))
    print(f"runs: {args.runs}, medians")
    print(f"  POST /api/cases (case + photo)       {m_api * 1000:8.1f} ms")
    print(f"  accept_photo alone                   {m_alone * 1000:8.1f} ms")
    print(f"  bare Pillow decode→resize→encode     {m_bare * 1000:8.1f} ms")
    print(f"  drafted Pillow decode→resize→encode  {m_drafted * 1000:8.1f} ms")
    print(f"ratio POST /api/cases / bare Pillow:    {m_api / m_bare:.2f}  (aim ≤ 1.3)")
    print(f"ratio POST /api/cases / drafted Pillow: {m_api / m_drafted:.2f}")
    print(f"ratio POST /api/cases / accept_photo:   {m_api / m_alone:.2f}  (what the case and HTTP add)")


if __name__ == "__main__":
    main()
