"""The static files as `chuangcheng serve` prepares them (hashed names, gzip and brotli copies),
collected once into a folder kept between test runs and named after what it holds: the first
run takes a minute (brotli), later runs find them ready."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.test import override_settings

COLLECTED = {"BACKEND": "chuangcheng.core.staticfiles.CollectedStaticStorage"}


def collected_static_root() -> Path:
    from django.conf import settings

    from chuangcheng.core import staticfiles

    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": COLLECTED}):
        root = Path(tempfile.gettempdir()) / f"chuangcheng-test-static-{staticfiles.fingerprint()[:16]}"
        with override_settings(STATIC_ROOT=str(root)):
            staticfiles.ensure_collected()
    return root
