"""A refused inspection says which item is wrong, by its name, and marks the field to fix; the page
carries what drafts.js needs to attach the chosen photos again."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from chuangcheng.inspections.forms import item_title
from chuangcheng.standards.models import CheckItem
from tests.inspections.test_pages import counts, full_form, jpeg, media, monday, site, text_of

__all__ = ["media", "monday", "site"]  # the fixtures of the page tests


def test_an_item_is_named_in_a_sentence_by_its_text_up_to_the_first_stop() -> None:
    assert item_title(CheckItem(text="路灯亮灯率不低于 95%。")) == "路灯亮灯率不低于 95%"
    assert item_title(CheckItem(text="公益广告无错别字、无不当内容，无褪色。")) == "公益广告无错别字、无不当内容"
    text = "每 200 米范围内至少有 1 处固定形式的公益广告且设计统一与周边环境相协调（本地标准）。"
    long = item_title(CheckItem(text=text))
    assert long.endswith("…") and len(long) == 32


def test_a_refusal_names_the_item_and_marks_the_number_to_fix(site: Any, as_user: Any) -> None:
    client = as_user(site.worker)
    data = full_form(site.points[2], BACK_LANE_4={"count": ""})  # the lights passed without the rate found
    response = client.post(reverse("inspections:inspect", args=["A-LANE"]), data)
    assert response.status_code == 400 and counts()["inspections"] == 0
    html = text_of(response)
    named = "路灯亮灯率不低于 95%：请填写该项目的比率（%）。"
    # At the top, a link to the item; next to the item, the same sentence.
    assert f'<a href="#item-BACK_LANE-4">{named}</a>' in html
    assert re.search(rf'<ul class="errorlist" id="err-BACK_LANE-4" role="alert"><li>{re.escape(named)}</li>', html)
    count = re.search(r'<input type="number" id="count_BACK_LANE-4"[^>]*>', html)
    assert count and 'aria-invalid="true"' in count.group()
    assert 'data-needs-value="rate"' in html
    # drafts.js: this is a refusal (only the photos come from the draft), under the page's draft name.
    assert 'data-draft-store="inspect|A-LANE|2026-11-23"' in html and 'data-draft-bound="1"' in html


def test_a_failure_without_a_photo_marks_the_photo_field(site: Any, as_user: Any) -> None:
    client = as_user(site.worker)
    data = full_form(site.compound, ENV_2={"result": "fail", "count": "2", "note": "门口贴满了"})
    html = text_of(client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), data))
    photo = re.search(r'<input type="file" id="photo_ENV-2"[^>]*>', html)
    assert photo and 'aria-invalid="true"' in photo.group()
    assert "不合格项目至少需上传一张照片。" in html
    assert "data-draft-refused-photos" not in html  # no photo was sent: none to keep


def test_a_refusal_after_photos_were_sent_leaves_the_place_for_the_kept_photos_message(site: Any,
                                                                                      as_user: Any) -> None:
    client = as_user(site.worker)
    data = full_form(site.points[2], BACK_LANE_4={"count": "150"}, BACK_LANE_1={"result": "fail"})
    data["photo_BACK_LANE-1"] = jpeg()
    response = client.post(reverse("inspections:inspect", args=["A-LANE"]), data)
    assert response.status_code == 400 and counts()["photos"] == 0
    html = text_of(response)
    assert "路灯亮灯率不低于 95%：" in html
    count = re.search(r'<input type="number" id="count_BACK_LANE-4"[^>]*>', html)
    assert count and 'value="150"' in count.group() and 'aria-invalid="true"' in count.group()
    # Without drafts.js (or IndexedDB) the old advice stays; drafts.js replaces it when it attaches them.
    assert re.search(r"<p data-draft-refused-photos>[^<]*请重新选择", html)
