"""Run as `python -m tests.evidence.measure_memory` (by test_hostile_images): processes every hostile
image, then one large allowed photo, with the pipeline and prints the peak resident memory growth
in MB of each part as JSON. A subprocess, so nothing else the test run has allocated counts."""

from __future__ import annotations

import json
import os
import resource

import django


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.exceptions import ValidationError

    from chuangcheng.evidence import pipeline
    from tests.evidence.hostile import HOSTILE, png_large_allowed

    files = {name: make() for name, make in HOSTILE.items()}
    large = png_large_allowed()
    pipeline.make_derivatives(_small(), filename="warm-up.jpg")  # fonts, codecs loaded
    base = peak_mb()
    refused = []
    for name, data in files.items():
        try:
            pipeline.make_derivatives(data, filename=name)
        except ValidationError as exc:
            refused.append(exc.code)
    hostile = peak_mb() - base
    pipeline.make_derivatives(large, filename="large.png")
    print(json.dumps({"hostile_mb": round(hostile, 1), "large_mb": round(peak_mb() - base, 1),
                      "refused": len(refused), "files": len(files)}))


def _small() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


if __name__ == "__main__":
    main()
