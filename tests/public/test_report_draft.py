"""The residents' report page and drafts.js: a refused report comes back marked as a refusal; once a
report is accepted, the next page shown carries the marker that removes the draft, once."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from tests.public.conftest import LAT, LON, Scene, upload


def test_a_refusal_is_marked_and_an_accepted_report_removes_its_draft_once(scene: Scene) -> None:
    client = Client()
    form = {"category": "XC01", "lon": str(LON), "lat": str(LAT), "description": ""}
    refused = client.post(reverse("public:report"), {**form, "photos": upload("red")})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert 'data-draft-store="report" data-draft-bound="1"' in page and "data-draft-refused-photos" in page
    assert "data-draft-done" not in page

    sent = client.post(reverse("public:report"), {**form, "description": "路口电线杆上贴满小广告",
                                                  "photos": upload("red")})
    assert sent.status_code == 302
    track = client.get(sent["Location"]).content.decode()
    assert '<div hidden data-draft-done="report" data-draft-token=""></div>' in track
    assert "chuangcheng/drafts.js" in track
    assert "data-draft-done" not in client.get(reverse("public:report")).content.decode()


def test_a_fresh_report_page_is_not_a_refusal(scene: Any) -> None:
    page = Client().get(reverse("public:report")).content.decode()
    assert 'data-draft-bound="0"' in page and "data-draft-refused-photos" not in page
