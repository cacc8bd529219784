from __future__ import annotations

import io

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def point_url(request: HttpRequest, code: str) -> str:
    path = reverse("places:detail", args=[code])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def render_qr(url: str, fmt: str) -> bytes:
    """The QR code for a URL as SVG or PNG; error correction M survives a scuffed sticker."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=8, border=2, xmldecl=True, svgclass=None, lineclass=None)
    else:
        qr.save(out, kind="png", scale=12, border=2)
    return out.getvalue()
