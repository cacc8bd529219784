"""The installable web app: the manifest (创城, icons, theme colour) linked from every page, the
service worker at the site's root with a scope over the whole site and a cache version that a new
release changes, the pages that work without network, and the list of the day's pages to keep."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, DailyPlan
from chuangcheng.org.models import Role
from chuangcheng.web import pwa
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_worker_script():
    pwa.worker_script.cache_clear()
    yield
    pwa.worker_script.cache_clear()


def test_the_manifest_names_the_app_in_chinese_with_its_icons_and_colour():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "创城" and data["short_name"] == "创城" and data["lang"] == "zh-Hans"
    assert data["theme_color"] == "#b3261e" and data["display"] == "standalone"
    assert data["start_url"] == "/" and data["scope"] == "/"
    sizes = {icon["sizes"]: icon for icon in data["icons"]}
    assert {"192x192", "512x512", "any"} <= set(sizes)
    for size in (192, 512):
        icon = Client().get(sizes[f"{size}x{size}"]["src"])
        assert icon.status_code == 200 and icon["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(icon.content))
        assert image.size == (size, size)
        assert image.getpixel((size // 2, 2))[:3] == (0xB3, 0x26, 0x1E)  # the red tile
    vector = Client().get(sizes["any"]["src"])
    assert vector["Content-Type"] == "image/svg+xml" and vector.content.startswith(b"<svg")


def test_every_page_links_the_manifest_and_the_offline_scripts(cast, as_user):
    html = as_user(cast.grid_worker_a).get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#b3261e">' in html
    assert "chuangcheng/offline.js" in html and "chuangcheng/offline-queue.js" in html
    assert f'<meta name="chuangcheng-user" content="{cast.grid_worker_a.username}">' in html
    assert "安装到手机桌面" in html  # the install button, shown by offline.js when the browser offers it


def test_the_service_worker_is_served_at_the_root_with_a_scope_over_the_whole_site():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    settings = json.loads(re.match(r"self\.CHUANGCHENG_SW = (\{.*?\});\n", body).group(1))
    assert settings["version"] == response["X-Cache-Version"] and re.fullmatch(r"[0-9a-f]{12}", settings["version"])
    assert '"chuangcheng-shell-" + SETTINGS.version' in body
    shell = settings["shell"]
    for needed in ("/static/chuangcheng/app.css", "/static/chuangcheng/offline.js",
                   "/static/chuangcheng/offline-queue.js", "/static/chuangcheng/inspect.js",
                   "/static/chuangcheng/photos.js", "/jsi18n/", "/offline/", "/queue/", "/manifest.webmanifest"):
        assert needed in shell
    assert settings["pages"] == reverse("inspections:offline_pages")


def test_a_new_release_changes_the_cache_version(monkeypatch):
    before = Client().get("/sw.js")["X-Cache-Version"]
    assert Client().get("/sw.js")["X-Cache-Version"] == before  # the same release, the same cache
    pwa.worker_script.cache_clear()
    monkeypatch.setattr(pwa.metadata, "version", lambda name: "99.0.0")
    assert Client().get("/sw.js")["X-Cache-Version"] != before


def test_the_offline_and_queue_pages_open_without_signing_in():
    for url, heading in (("/offline/", "没有网络"), ("/queue/", "待发送的督查")):
        response = Client().get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert heading in html and "data-queue-list" in html


def test_the_day_pages_to_keep_are_home_todays_round_and_its_points_checklists(cast, as_user):
    points = [f.PointFactory(code=f"A-{n}", grid=cast.grid_a) for n in range(2)]
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for position, point in enumerate(points):
        Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point, position=position,
                                  reason=Assignment.Reason.DUE)
    data = as_user(cast.grid_worker_a).get("/inspections/offline.json").json()
    assert data == {"day": clock.today().isoformat(),
                    "pages": ["/", "/inspections/", "/inspections/points/A-0/", "/inspections/points/A-1/"]}
    handler = f.UserFactory(role=Role.UNIT_HANDLER, scope=cast.street)
    assert as_user(handler).get("/inspections/offline.json").status_code == 403
