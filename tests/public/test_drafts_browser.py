"""The residents' report on a phone never loses its photo: a refusal by the server shows its message
where the resident is (the field is focused) and attaches the chosen photo again from the browser's
draft; the corrected report is stored with the photo, and the draft is then removed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from chuangcheng.public.models import Report
from tests.public.conftest import LAT, LON, Scene, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DRAFTS = """() => new Promise(resolve => {
  const open = indexedDB.open('chuangcheng-drafts', 1);
  open.onsuccess = () => {
    const all = open.result.transaction('drafts').objectStore('drafts').getAll();
    all.onsuccess = () => resolve(all.result.map(d => [d.name, Object.values(d.files || {}).flat().length]));
  };
})"""
IN_VIEW = """el => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight; }"""


@pytest.fixture(autouse=True)
def categories(transactional_db: Any) -> None:
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Category

    load_categories(Category)


def until(check: Any, seconds: float = 5) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def test_a_refused_report_keeps_its_photo_and_shows_the_error_where_the_resident_is(
        live_server: Any, scene: Scene, phone: Any, tmp_path: Path) -> None:
    base = live_server.url
    picture = tmp_path / "IMG_0007.jpg"
    picture.write_bytes(jpeg("red", size=(1200, 900)))
    phone.set_default_timeout(10_000)

    # The description is forgotten: the server refuses.
    phone.goto(f"{base}/r/")
    phone.locator("#id_photos").set_input_files(str(picture))
    phone.locator("#id_lon").fill(str(LON))
    phone.locator("#id_lat").fill(str(LAT))
    phone.locator("#id_category").select_option("XC01")
    until(lambda: phone.evaluate(DRAFTS) == [["report", 1]])
    phone.locator("#submit-report").click()
    phone.wait_for_selector("#id_description_errors")
    assert Report.objects.count() == 0

    # The field that needs fixing is focused, its message in view; the photo is attached again.
    phone.wait_for_function("() => document.activeElement && document.activeElement.id === 'id_description'")
    assert phone.locator("#id_description_errors").evaluate(IN_VIEW)
    assert "id_description_errors" in (phone.locator("#id_description").get_attribute("aria-describedby") or "")
    phone.locator("[data-preview=id_photos] img").wait_for()
    assert phone.evaluate("() => document.getElementById('id_photos').files[0].name") == picture.name
    assert "已保留" in phone.locator("[data-draft-refused-photos]").inner_text()
    assert phone.locator("#id_category").input_value() == "XC01"

    # Corrected and sent: the report is stored with the photo; the draft is gone.
    phone.locator("#id_description").fill("公交站牌上贴满小广告")
    phone.locator("#submit-report").click()
    phone.wait_for_url(f"{base}/r/t/*/?new=1")
    report = Report.objects.select_related("case").get()
    assert report.case.events.get(action="report").photos.count() == 1
    until(lambda: phone.evaluate(DRAFTS) == [])


def test_a_report_half_written_comes_back_after_a_reload(live_server: Any, scene: Scene, phone: Any,
                                                         tmp_path: Path) -> None:
    base = live_server.url
    picture = tmp_path / "IMG_0008.jpg"
    picture.write_bytes(jpeg("blue"))
    phone.set_default_timeout(10_000)
    phone.goto(f"{base}/r/")
    phone.locator("#id_photos").set_input_files(str(picture))
    phone.locator("#id_description").fill("路灯不亮")
    saved = "() => window.chuangchengDrafts.ready.then(() => new Promise(r => setTimeout(r, 400)))"
    phone.evaluate(saved)  # the typing is saved a moment after the last key
    phone.reload()
    phone.locator("[data-preview=id_photos] img").wait_for()
    assert phone.locator("#id_description").input_value() == "路灯不亮"
    assert phone.evaluate("() => document.getElementById('id_photos').files.length") == 1
