"""Inspecting without network, on a phone, in a real Chromium: the service worker keeps today's
round and its checklists; with the network off the inspection (answers, a photo, the location and
the moments of the inspection) waits on the phone, counted in the top bar and listed with its
state; when the network returns it is sent and stored once, with its photo and the phone's times,
not the upload's. The same queued submission sent twice is one inspection."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.inspections.services.plans import make_plan
from chuangcheng.org.models import Unit
from chuangcheng.standards.models import PointType
from tests import factories as f
from tests.evidence.conftest import noise_jpeg
from tests.inspections.test_browser import HERE, media, shipped_data, sign_in  # noqa: F401 - autouse fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FORM = "/inspections/points/A-COMPOUND/"
BADGE = "[data-queue-badge]"


@pytest.fixture
def compound(cast):
    unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit,
                           point_type=PointType.objects.get(code="COMPOUND"),
                           lon=Decimal("111.650000"), lat=Decimal("40.820000"))
    f.PointFactory(code="A-ROAD", name="甲大街", grid=cast.grid_a, point_type=PointType.objects.get(code="ROAD_MAIN"),
                   lon=Decimal("111.654000"), lat=Decimal("40.822000"))
    make_plan(cast.street, clock.today(), by=cast.street_admin)
    return point


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", geolocation=HERE, permissions=["geolocation"],
                                  service_workers="allow")
    # The phone's own clock is left as it is, a day or more away from the pinned server's: the
    # moments it sends are the server's time as last seen on a form (offline.js).
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def until(page: Any, script: str, timeout_s: float = 60) -> Any:
    """Poll an (async) script in the page until it answers something true."""
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=timeout_s)
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if dt.datetime.now(dt.UTC) > deadline:
            state = page.evaluate("""async () => JSON.stringify((await navigator.serviceWorker.getRegistrations())
                .map(r => [r.scope, !!r.active, r.active && r.active.state, !!r.installing, !!r.waiting]))""")
            raise AssertionError(f"never true: {script} (workers: {state}, at {page.url})")
        page.wait_for_timeout(200)


def inspect_offline(page: Any, base: str, compound: Any, photo: Path) -> dict[str, str]:
    """Open today's round and the form with network, lose the network, inspect with one failed item
    and its photo, submit: the inspection waits on the phone. The form's key and moments."""
    page.goto(f"{base}/inspections/")
    until(page, "async () => !!(await navigator.serviceWorker.ready).active")
    page.goto(f"{base}/inspections/")  # opened once the worker runs: served through it
    until(page, "() => navigator.serviceWorker.controller !== null")
    until(page, f"async () => !!(await caches.match('{FORM}'))")  # the day's checklists are kept
    page.goto(f"{base}{FORM}")
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    page.context.set_offline(True)

    for item in checklist_of(compound):
        box = page.locator(f"#item-{item.code}")
        box.locator("label.choice." + ("fail" if item.code == "ENV-2" else "pass")).click()
        if item.measure in {"count", "rate"}:
            box.locator("input[type=number]").fill(str(int(item.threshold)))
    failed = page.locator("#item-ENV-2")
    failed.locator("input[type=number]").fill("2")
    failed.locator("textarea").fill("楼道口贴满小广告")
    failed.locator("input[type=file]").set_input_files(str(photo))
    form = {name: page.locator(f"input[name={name}]").input_value() for name in ("key", "started_at", "lon")}
    page.locator("form[data-inspect] button[type=submit]").click()
    page.wait_for_url(f"{base}/queue/?queued=*")
    return form


def test_an_inspection_submitted_without_network_is_sent_when_it_returns_and_stored_once(
        live_server, cast, compound, phone_page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    base, page = live_server.url, phone_page
    photo = tmp_path / "IMG_0101.jpg"
    photo.write_bytes(noise_jpeg(800, 600, seed=11))
    sign_in(page, base, "grid_worker_a")
    form = inspect_offline(page, base, compound, photo)

    # Waiting on the phone: counted in the top bar, listed with the point and its state.
    page.get_by_role("link", name="待发送 1 条").wait_for()
    item = page.locator(".queue-item")
    assert item.count() == 1 and "甲小区" in item.inner_text() and "等待网络" in item.inner_text()
    assert "1 张照片" in item.inner_text()
    assert page.locator("[data-install-bar]").is_hidden()  # headless Chromium offers no installation
    assert Inspection.objects.count() == 0
    queued = page.evaluate("async () => (await ChuangchengQueue.list())[0]")
    assert queued["key"] == form["key"] and queued["startedAt"] == form["started_at"]
    assert queued["lon"] == form["lon"] and queued["submittedAt"]
    # The draft of the form is gone with the key: reopening the point starts a new inspection.
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('chuangcheng.inspect.'))") == []
    page.screenshot(path=str(ARTIFACTS / "phone-offline-queue.png"), full_page=True)

    # The network comes back 20 minutes later: the inspection is sent by itself.
    with time_machine.travel(clock.now() + dt.timedelta(minutes=20), tick=True):
        page.context.set_offline(False)
        page.wait_for_selector(".queue-item.state-sent")
        assert page.locator(".queue-item").inner_text().count("已发送") == 1
        assert page.locator(BADGE).is_hidden()

        inspection = Inspection.objects.get()
        assert inspection.key == form["key"] and inspection.inspector == cast.grid_worker_a
        assert inspection.started_at == parse_datetime(form["started_at"])
        assert inspection.submitted_at == parse_datetime(queued["submittedAt"])  # the phone's moment
        assert inspection.received_at - inspection.submitted_at >= dt.timedelta(minutes=19)  # not the upload's
        assert inspection.lon == Decimal(form["lon"]) and inspection.location == Inspection.Location.OK
        result = inspection.results.get(item__code="ENV-2")
        assert result.result == ItemResult.Result.FAIL and result.note == "楼道口贴满小广告"
        stored = result.photos.get()
        assert stored.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()  # the very bytes taken
        assert Photo.objects.count() == 1

        # Its record opens from the list.
        page.get_by_role("link", name="查看记录").click()
        page.wait_for_url(f"{base}/inspections/{inspection.key}/")
        assert "无网络时保存在手机上" in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-offline-sent.png"), full_page=True)


def test_a_queued_inspection_sent_twice_is_stored_once(live_server, cast, compound, phone_page, tmp_path):
    base, page = live_server.url, phone_page
    photo = tmp_path / "IMG_0102.jpg"
    photo.write_bytes(noise_jpeg(640, 480, seed=12))
    sign_in(page, base, "grid_worker_a")
    form = inspect_offline(page, base, compound, photo)

    # The queued entry, photo and all, as the phone would send it.
    entry = page.evaluate("""async () => {
        const e = (await ChuangchengQueue.list())[0];
        const files = await Promise.all(e.files.map(async f => ({name: f.name, filename: f.filename,
            bytes: btoa(String.fromCharCode(...new Uint8Array(await f.blob.arrayBuffer())))})));
        return {url: e.url, fields: e.fields, files};
    }""")
    multipart: dict[str, Any] = dict(entry["fields"])
    for file in entry["files"]:
        multipart[file["name"]] = {"name": file["filename"], "mimeType": "image/jpeg",
                                   "buffer": base64.b64decode(file["bytes"])}
    assert multipart["key"] == form["key"] and len(entry["files"]) == 1
    headers = {"Accept": "application/json", "X-CSRFToken": multipart["csrfmiddlewaretoken"]}

    # Sent, the answer lost on the way back, sent again: the same inspection both times.
    first = page.request.post(f"{base}{entry['url']}", multipart=multipart, headers=headers)
    again = page.request.post(f"{base}{entry['url']}", multipart=multipart, headers=headers)
    assert (first.status, again.status) == (201, 200)
    assert first.json()["url"] == again.json()["url"] == f"/inspections/{form['key']}/"
    assert Inspection.objects.count() == 1 and Photo.objects.count() == 1

    # The phone, back online, sends its copy a third time: still one, and the entry says sent.
    page.context.set_offline(False)
    page.wait_for_selector(".queue-item.state-sent")
    assert Inspection.objects.count() == 1 and ItemResult.objects.filter(photos__isnull=False).count() == 1


def test_a_form_posted_as_the_signal_drops_is_queued_by_the_worker(live_server, cast, compound, phone_page, tmp_path):
    """The phone believes it is online (navigator.onLine), the post fails on the way: the service
    worker keeps the posted form, photo and all, and shows the queue."""
    base, page = live_server.url, phone_page
    photo = tmp_path / "IMG_0103.jpg"
    photo.write_bytes(noise_jpeg(640, 480, seed=13))
    sign_in(page, base, "grid_worker_a")
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    form = inspect_offline(page, base, compound, photo)

    page.get_by_role("link", name="待发送 1 条").wait_for()
    assert page.evaluate("navigator.onLine") is True  # so the page itself did not queue it
    queued = page.evaluate("async () => (await ChuangchengQueue.list())[0]")
    assert queued["key"] == form["key"] and queued["pointName"] == "甲小区" and queued["user"] == "grid_worker_a"
    assert queued["submittedAt"] and len(queued["files"]) == 1
    assert Inspection.objects.count() == 0
