"""Static files for a phone (issue 16): `serve` collects them once per installed version into the
data directory; a page names each file by a hash of its content, and the file comes brotli- or
gzip-compressed as the browser accepts, cached for a year."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import Any

import brotli
import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from chuangcheng.core import staticfiles
from tests.static_cache import COLLECTED, collected_static_root


@pytest.fixture
def collected(settings: Any) -> Path:
    root = collected_static_root()
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": COLLECTED}
    return root


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def source(name: str) -> bytes:
    found = finders.find(name)
    assert isinstance(found, str), name
    return Path(found).read_bytes()


def year_long(response: Any) -> bool:
    parts = {p.strip() for p in response["Cache-Control"].split(",")}
    ages = [int(p.split("=", 1)[1]) for p in parts if p.startswith("max-age=")]
    return "immutable" in parts and bool(ages) and ages[0] >= 31_536_000


@pytest.mark.django_db
def test_pages_name_hashed_files_sent_brotli_or_gzip_and_cached_a_year(collected):
    url = static("chuangcheng/app.css")
    assert url.startswith("/static/chuangcheng/app.") and url != "/static/chuangcheng/app.css"
    html = Client().get("/accounts/login/").content.decode()
    assert f'href="{url}"' in html  # the template names the hashed file

    br = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br.status_code == 200 and br["Content-Encoding"] == "br" and year_long(br)
    raw = body(br)
    assert brotli.decompress(raw) == source("chuangcheng/app.css") and len(raw) < len(source("chuangcheng/app.css")) / 2

    gz = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip" and year_long(gz)
    assert gzip.decompress(body(gz)) == source("chuangcheng/app.css")

    plain = Client().get(url)
    assert "Content-Encoding" not in plain and body(plain) == source("chuangcheng/app.css")


@pytest.mark.django_db
def test_the_map_library_finds_its_images_under_their_hashed_names(collected):
    css = body(Client().get(static("leaflet/leaflet.css")))
    found = re.search(r"url\([\"']?(images/marker-icon\.[^\"')]+)", css.decode())
    assert found is not None
    marker = found.group(1)
    assert marker.startswith("images/marker-icon.") and marker != "images/marker-icon.png"
    image = Client().get(f"/static/leaflet/{marker}")
    assert image.status_code == 200 and year_long(image)
    plotly = Client().get(static("plotly/plotly.min.js"), HTTP_ACCEPT_ENCODING="br")
    assert plotly.status_code == 200 and plotly["Content-Encoding"] == "br"


def test_serve_collects_once_per_version_and_again_when_a_file_changes(settings, tmp_path):
    """A small package folder stands for the installed ones: the first start collects, the next
    finds the files ready, a changed file (an upgrade) collects again; a script naming a source map
    the package does not ship does not stop the collection."""
    package = tmp_path / "package"
    (package / "images").mkdir(parents=True)
    (package / "style.css").write_text("body { background: url('images/dot.png'); }\n" * 40)
    (package / "images" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (package / "lib.js").write_text("var a = 1;\n" * 200 + "//# sourceMappingURL=lib.js.map\n")
    settings.STATICFILES_DIRS = [("pkg", str(package))]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = str(tmp_path / "home" / "static")
    settings.STORAGES = {**settings.STORAGES, "staticfiles": COLLECTED}
    told: list[str] = []

    assert staticfiles.ensure_collected(say=told.append) is True and len(told) == 1
    root = Path(settings.STATIC_ROOT)
    css = static("pkg/style.css")
    hashed = root / css.removeprefix("/static/")
    assert hashed.exists() and hashed.with_name(hashed.name + ".br").exists()
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert "images/dot." in hashed.read_text() and "images/dot.png" not in hashed.read_text()
    assert static("pkg/lib.js") != "/static/pkg/lib.js"

    assert staticfiles.ensure_collected(say=told.append) is False and len(told) == 1  # the fast path

    changed = package / "style.css"
    changed.write_text("body { color: #111; }\n" * 40)
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    assert staticfiles.ensure_collected(say=told.append) is True
    assert static("pkg/style.css") != css


def test_before_any_collection_pages_name_the_plain_files(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path / "nothing-yet")
    settings.STORAGES = {**settings.STORAGES, "staticfiles": COLLECTED}
    assert static("chuangcheng/app.css") == "/static/chuangcheng/app.css"


def test_a_data_directory_that_cannot_be_written_leaves_the_plain_files(settings, tmp_path, caplog):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    settings.STATIC_ROOT = str(blocked / "static")
    settings.STORAGES = {**settings.STORAGES, "staticfiles": COLLECTED}
    assert staticfiles.ensure_collected() is False
    assert "static files could not be collected" in caplog.text
    assert static("chuangcheng/app.css") == "/static/chuangcheng/app.css"
