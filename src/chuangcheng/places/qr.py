from __future__ import annotations

import io

import segno
from django.http import HttpRequest
from django.urls import reverse

from chuangcheng.core.site import absolute_url


def point_url(request: HttpRequest, code: str) -> str:
    return absolute_url(request, reverse("places:detail", args=[code]))


def render_qr(url: str, fmt: str) -> bytes:
    """The QR code for a URL as SVG or PNG; error correction M survives a scuffed sticker."""
    qr = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        qr.save(out, kind="svg", scale=8, border=2, xmldecl=True, svgclass=None, lineclass=None)
    else:
        qr.save(out, kind="png", scale=12, border=2)
    return out.getvalue()
