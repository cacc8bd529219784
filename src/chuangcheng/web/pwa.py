"""The installable web app: its manifest and icons, the service worker at the site's root (so its
scope is the whole site), the page shown without network and the page of inspections waiting to
be sent. What the worker keeps and how a queued inspection is sent: web/static/chuangcheng/sw.js,
offline-queue.js and offline.js; the user's side: docs/guide/inspections.md (离线督查)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from PIL import Image, ImageDraw

THEME = "#b3261e"  # the top bar's red (app.css --accent)
BACKGROUND = "#f6f7f9"
STAR = "#f0b400"
ICON_SIZES = (192, 512)
SW_FILE = "chuangcheng/sw.js"
# What a field page needs to draw and work without network. A name not (yet) shipped is left out.
SHELL_STATIC = (
    "chuangcheng/app.css", "chuangcheng/app.js", "chuangcheng/offline.js", "chuangcheng/offline-queue.js",
    "chuangcheng/inspect.js", "chuangcheng/photos.js", "chuangcheng/drafts.js", "chuangcheng/map.js",
    "chuangcheng/favicon.svg", "leaflet/leaflet.css", "leaflet/leaflet.js",
)


# The icon: a red tile, three white buildings, a gold sun. Drawn here, in a 48-unit square, as
# SVG and as PNG (Pillow), so both say the same.
BUILDINGS = ((10, 22, 18, 38), (20, 14, 28, 38), (30, 26, 38, 38))
SUN = (35, 13, 5)


def icon_svg() -> str:
    shapes = "".join(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fff"/>'
                     for x0, y0, x1, y1 in BUILDINGS)
    cx, cy, r = SUN
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="9" '
            f'fill="{THEME}"/>{shapes}<circle cx="{cx}" cy="{cy}" r="{r}" fill="{STAR}"/></svg>')


@lru_cache(maxsize=4)
def icon_png(size: int) -> bytes:
    scale = size / 48
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(9 * scale), fill=THEME)
    for x0, y0, x1, y1 in BUILDINGS:
        draw.rectangle((x0 * scale, y0 * scale, x1 * scale - 1, y1 * scale - 1), fill="#ffffff")
    cx, cy, r = SUN
    draw.ellipse(((cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale), fill=STAR)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@login_not_required
@cache_control(max_age=86400, public=True)
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404
    return HttpResponse(icon_png(size), content_type="image/png")


@login_not_required
@cache_control(max_age=3600, public=True)
def icon_vector(request: HttpRequest) -> HttpResponse:
    return HttpResponse(icon_svg(), content_type="image/svg+xml")


@login_not_required
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: its name in the page's language (创城 by default) and icons."""
    icons = [{"src": reverse("web:icon_svg"), "sizes": "any", "type": "image/svg+xml"}]
    icons += [{"src": reverse("web:icon", kwargs={"size": n}), "sizes": f"{n}x{n}", "type": "image/png",
               "purpose": "any"} for n in ICON_SIZES]
    data = {
        "name": _("Chuangcheng"), "short_name": _("Chuangcheng"),
        "description": _("Chuangcheng — civilized-city campaign platform"),
        "lang": "zh-Hans" if request.LANGUAGE_CODE == "zh-hans" else request.LANGUAGE_CODE,
        "start_url": reverse("web:home"), "scope": "/", "display": "standalone",
        "background_color": BACKGROUND, "theme_color": THEME, "icons": icons,
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


def shell_urls() -> list[str]:
    """The app shell the worker keeps: the static files above that exist, the icons, the manifest,
    the script messages, and the two pages that work without network."""
    urls = [static(name) for name in SHELL_STATIC if finders.find(name)]
    urls += [reverse("web:icon", kwargs={"size": n}) for n in ICON_SIZES]
    urls += [reverse("web:icon_svg"), reverse("web:manifest"), reverse("javascript-catalog"),
             reverse("web:offline"), reverse("web:queue")]
    return urls


@lru_cache(maxsize=1)
def worker_script() -> tuple[str, str]:
    """sw.js with its settings in front, and the cache version: a digest of the worker, the shell's
    files and the release, so a release that changes any of them replaces the phone's copy."""
    path = finders.find(SW_FILE)
    if not path:  # pragma: no cover - shipped with the package
        raise Http404
    source = Path(str(path)).read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    with contextlib.suppress(metadata.PackageNotFoundError):  # always installed
        digest.update(metadata.version("chuangcheng").encode())
    shell = shell_urls()
    for name in SHELL_STATIC:
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    digest.update("\n".join(shell).encode())
    version = digest.hexdigest()[:12]
    settings = {"version": version, "shell": shell, "offline": reverse("web:offline"), "queue": reverse("web:queue"),
                "pages": reverse("inspections:offline_pages"), "queueScript": static("chuangcheng/offline-queue.js"),
                "login": reverse("login")}
    return f"self.CHUANGCHENG_SW = {json.dumps(settings)};\n{source}", version


@login_not_required
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js, at the root so its scope covers the whole site (the header says so too). Never
    cached by the browser's HTTP cache, so a new release is seen at the next page."""
    script, version = worker_script()
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    response["X-Cache-Version"] = version
    return response


@login_not_required
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker for a page it does not keep, when there is no network."""
    return render(request, "web/offline.html")


@login_not_required
def queue(request: HttpRequest) -> HttpResponse:
    """The inspections waiting on this phone: the list is the browser's (IndexedDB), drawn by offline.js."""
    return render(request, "web/queue.html")
