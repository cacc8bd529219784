"""`next` goes only to this site: a triage action posted with a foreign `next` lands on the
triage page instead."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from chuangcheng.core.redirects import safe_next
from tests.conftest import client_for
from tests.public.conftest import report, scene  # noqa: F401  # the fixture, shared


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "http://testserver.evil.example/",
                                    "javascript:alert(1)", "https:///evil.example", "/\\evil.example"])
def test_a_next_off_this_site_gives_the_default(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next(request, "/home/") == "/home/"


def test_a_next_on_this_site_is_followed():
    assert safe_next(RequestFactory().post("/", {"next": "/r/moderation/?page=2"}), "/") == "/r/moderation/?page=2"
    assert safe_next(RequestFactory().get("/", {"next": "http://testserver/cases/"}), "/") == "http://testserver/cases/"


def test_a_triage_action_does_not_follow_a_foreign_next(scene):  # noqa: F811
    r = report(scene, phone="13800138000")
    response = client_for(scene.cast.street_admin).post(f"/r/triage/{r.code}/erase/",
                                                        {"next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == "/r/triage/"


def test_signing_in_does_not_follow_a_foreign_next(cast):
    from django.test import Client

    from tests.conftest import PASSWORD

    response = Client().post("/accounts/login/?next=https://evil.example/", {"username": "street_admin",
                                                                            "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    response = Client().post("/accounts/login/", {"username": "street_admin", "password": PASSWORD,
                                                  "next": "/points/"})
    assert response["Location"] == "/points/"
