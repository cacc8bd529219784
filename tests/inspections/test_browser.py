"""A day's inspection on a phone, in a real Chromium: the street office makes the day's plan, a grid
worker opens today's round, inspects a point with one failed item and a photo; the page is lost
half-way and the draft on the phone brings the answers and the same submission key back; the
inspection is submitted and its case is dispatched to the right unit; the same submission replayed
creates nothing new."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chuangcheng.cases.models import Case, State
from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Inspection, ItemResult
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.inspections.services.plans import make_plan
from chuangcheng.org.models import Unit
from chuangcheng.standards.models import PointType
from tests import factories as f
from tests.conftest import PASSWORD
from tests.evidence.conftest import noise_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = {"longitude": 111.6501, "latitude": 40.8201}  # some 15 m from the compound


@pytest.fixture(autouse=True)
def shipped_data(transactional_db):
    """Transactional tests empty the tables the migrations filled: the categories and the catalog."""
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category
    from chuangcheng.standards.services import load_default_catalog

    load_categories(Category)
    load_default_catalog()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def counts() -> dict[str, int]:
    return {"inspections": Inspection.objects.count(), "results": ItemResult.objects.count(),
            "cases": Case.objects.count(), "photos": Photo.objects.count()}


def test_a_grid_worker_inspects_a_point_on_a_phone_and_a_replay_creates_nothing(live_server, cast, browser,
                                                                                 tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    community_unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    property_unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    compound = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=community_unit,
                              point_type=PointType.objects.get(code="COMPOUND"),
                              lon=Decimal("111.650000"), lat=Decimal("40.820000"))
    compound.cooperating_units.add(property_unit)
    f.PointFactory(code="A-ROAD", name="甲大街", grid=cast.grid_a, point_type=PointType.objects.get(code="ROAD_MAIN"),
                   lon=Decimal("111.654000"), lat=Decimal("40.822000"))
    plan = make_plan(cast.street, clock.today(), by=cast.street_admin)
    assert plan.assignments.filter(person=cast.grid_worker_a, point=compound).exists()
    photo = tmp_path / "IMG_0002.jpg"
    photo.write_bytes(noise_jpeg(800, 600, seed=5))

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, "grid_worker_a")

    # Today's round: the plan's points in walking order, a map beside the list.
    page.goto(f"{base}/inspections/")
    assert page.locator("ol.route li").count() == 2
    page.wait_for_function("() => document.querySelectorAll('#map path.leaflet-interactive').length >= 3")
    page.screenshot(path=str(ARTIFACTS / "phone-inspections-round.png"), full_page=True)
    page.locator("a.visit-name", has_text="甲小区").click()
    page.wait_for_url(f"{base}/inspections/points/A-COMPOUND/")

    # The checklist: flyposting at the door fails, with a photo; one tap per group passes the rest.
    items = checklist_of(compound)
    failed = page.locator("#item-ENV-2")
    failed.locator("label.choice.fail").click()
    for button in page.get_by_role("button", name="本组其余项目全部合格").all():
        button.click()
    assert failed.locator("input[value=fail]").is_checked()  # an answer already given stays
    for item in items:
        box = page.locator(f"#item-{item.code}")
        if item.code != "ENV-2":
            assert box.locator("input[value=pass]").is_checked()
        if item.measure in {"count", "rate"}:
            box.locator("input[type=number]").fill(str(int(item.threshold)))
    assert failed.locator("[data-fail-only]").is_visible()
    assert page.locator("#item-ENV-1 [data-fail-only]").is_hidden()
    assert failed.locator("select").input_value() == "XC01"  # the item's default category
    failed.locator("input[type=number]").fill("3")
    failed.locator("textarea").fill("3号楼单元门贴满小广告")
    failed.locator("input[type=file]").set_input_files(str(photo))
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert "111.650100" in page.locator("[data-locate-status]").inner_text()
    key = page.locator("input[name=key]").input_value()
    assert len(key) >= 8
    page.screenshot(path=str(ARTIFACTS / "phone-inspection-form.png"), full_page=True)

    # The page is lost half-way (a reload, the browser closed by a call): the draft on the phone
    # brings back the answers and the same submission key; the photo is chosen again.
    page.reload()
    assert page.locator("input[name=key]").input_value() == key
    assert page.locator("#item-ENV-2 input[value=fail]").is_checked()
    assert page.locator("#item-ENV-2 textarea").input_value() == "3号楼单元门贴满小广告"
    assert page.locator("#item-ENV-2 input[type=number]").input_value() == "3"
    assert page.locator("#item-ENV-1 input[value=pass]").is_checked()
    page.locator("#item-ENV-2 input[type=file]").set_input_files(str(photo))
    sent = page.evaluate("""() => Array.from(new FormData(document.querySelector('form[data-inspect]')))
                                  .filter(([k, v]) => typeof v === 'string')""")
    page.locator("form[data-inspect] button[type=submit]").click()
    page.wait_for_url(f"{base}/inspections/*/")
    inspection = Inspection.objects.get()
    assert inspection.key == key and page.url == f"{base}/inspections/{inspection.key}/"
    assert page.locator(".messages .msg-success").count() == 1
    drafts = "() => Object.keys(localStorage).filter(k => k.startsWith('chuangcheng.inspect.')).length"
    assert page.evaluate(drafts) == 0  # the draft is gone once the inspection is saved
    first = counts()
    assert first["inspections"] == 1 and first["cases"] == 1

    # The same submission replayed (the answer was lost on the way back and the phone sends again).
    fields = dict(sent)
    assert fields["key"] == key
    replay = page.request.post(f"{base}/inspections/points/A-COMPOUND/", max_redirects=0, multipart={
        **fields, "photo_ENV-2": {"name": photo.name, "mimeType": "image/jpeg", "buffer": photo.read_bytes()}})
    assert replay.status == 302 and replay.headers["location"] == f"/inspections/{inspection.key}/"
    assert counts() == first

    # The case: opened by the failure, dispatched to the property company.
    case = Case.objects.get()
    assert case.state == State.DISPATCHED and case.unit == property_unit and case.point == compound
    assert inspection.location == Inspection.Location.OK and inspection.failed_count == 1
    assert inspection.results.get(item__code="ENV-2").case == case
    assert page.get_by_role("link", name=case.number).first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "phone-inspection-done.png"), full_page=True)

    # The round now shows the point as done.
    page.goto(f"{base}/inspections/")
    assert page.locator("ol.route li.done").count() == 1
    context.close()
