"""Pages that load fast on a phone (issue 16): each role's home and the field pages, first load in
Chromium at 390×844 with nothing cached, weigh under 300 KB on the wire (photos aside), with the
static files as `chuangcheng serve` sends them (collected, hashed, brotli). Prints the figures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from waitress.server import create_server

from chuangcheng.core import clock
from chuangcheng.inspections.models import Assignment, DailyPlan
from chuangcheng.org.models import Role
from chuangcheng.public.models import Report
from tests import factories as f
from tests.cases.conftest import Scene, dispatched
from tests.engagement.volunteering.conftest import _volunteer, plan
from tests.static_cache import COLLECTED, collected_static_root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BUDGET = 300 * 1024
# Photos are left out of the sum (their weight is the thumbnails' business, tested with the photos).
PHOTO_PATHS = ("/photos/", "/photo/", "/r/p/")


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from chuangcheng.standards.services import load_default_catalog

    load_categories(Category)
    load_default_catalog()


@pytest.fixture
def compressed_server(settings: Any) -> Iterator[str]:
    """The application as `serve` runs it (waitress, WhiteNoise, collected static files)."""
    settings.STATIC_ROOT = str(collected_static_root())
    settings.STORAGES = {**django_settings.STORAGES, "staticfiles": COLLECTED}
    from chuangcheng.wsgi import build_application

    server = create_server(build_application(), host="127.0.0.1", port=0, threads=4)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.close()
        server.task_dispatcher.shutdown()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stop.set()
    thread.join(timeout=5)


def weigh(browser: Any, base: str, path: str, user: Any = None) -> tuple[int, int, int]:
    """(bytes on the wire, bytes of the bodies, requests) of the first load, photos aside."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
        page = context.new_page()
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        entries = page.evaluate("""() => [...performance.getEntriesByType('navigation'),
                                          ...performance.getEntriesByType('resource')]
            .map(e => ({name: e.name, transfer: e.transferSize, body: e.encodedBodySize}))""")
    finally:
        context.close()
    kept = [e for e in entries if e["name"].startswith(base) and not any(p in e["name"] for p in PHOTO_PATHS)]
    return sum(e["transfer"] for e in kept), sum(e["body"] for e in kept), len(kept)


@pytest.fixture
def pages(cast: Any) -> list[tuple[str, str, Any]]:
    from chuangcheng.cases.models import Category
    from chuangcheng.org.models import Unit

    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    points = [f.PointFactory(code=f"A-{n}", name=name, grid=cast.grid_a, primary_unit=unit,
                             lon=Decimal("111.65"), lat=Decimal("40.82"))
              for n, name in enumerate(["甲大街", "甲小区", "甲巷"])]
    scene = Scene(cast, unit, other, handler, inspector, points[0], Category.objects.get(code="XC01"))
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    for position, point in enumerate(points):
        Assignment.objects.create(plan=daily, person=cast.grid_worker_a, point=point, position=position,
                                  reason=Assignment.Reason.DUE)
    case = dispatched(scene)
    dispatched(scene)
    Report.objects.create(case=case, code="R-WEIGHT-1")
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    plan(cast)
    return [
        ("home · grid worker", "/", cast.grid_worker_a),
        ("today's round", "/inspections/", cast.grid_worker_a),
        ("inspection form", "/inspections/points/A-0/", cast.grid_worker_a),
        ("home · inspector", "/", inspector),
        ("home · unit handler", "/", handler),
        ("case detail", f"/cases/{case.number}/", handler),
        ("home · community admin", "/", cast.admin_a),
        ("home · street admin", "/", cast.street_admin),
        ("home · leader", "/", cast.leader),
        ("home · volunteer", "/", volunteer),
        ("residents' report /r/", "/r/", None),
        ("tracking page", "/r/t/R-WEIGHT-1/", None),
    ]


def test_every_key_page_loads_under_300_kb_on_a_phone(browser, compressed_server, pages, capsys):
    rows = [(label, path, *weigh(browser, compressed_server, path, user)) for label, path, user in pages]
    with capsys.disabled():
        print("\n| page | path | transferred (KB) | bodies (KB) | requests |")
        print("|---|---|---:|---:|---:|")
        for label, path, transfer, body, count in rows:
            print(f"| {label} | {path} | {transfer / 1024:.1f} | {body / 1024:.1f} | {count} |")
    heavy = [(label, transfer) for label, _path, transfer, _body, _count in rows if transfer > BUDGET]
    assert not heavy
    assert all(transfer > 0 for _label, _path, transfer, _body, _count in rows)  # the figures were measured


def test_static_files_arrive_compressed_in_the_browser(browser, compressed_server, cast):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    encodings: dict[str, str] = {}
    page = context.new_page()
    page.on("response", lambda r: encodings.__setitem__(r.url, r.headers.get("content-encoding", "")))
    page.goto(compressed_server + "/r/", wait_until="networkidle")
    context.close()
    scripts = {url: enc for url, enc in encodings.items() if "/static/" in url and url.endswith((".js", ".css"))}
    assert scripts and all(enc == "br" for enc in scripts.values()), scripts


