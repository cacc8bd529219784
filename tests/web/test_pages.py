from __future__ import annotations

from django.test import Client


def test_security_headers_are_sent(cast, as_user):
    response = as_user(cast.street_admin).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_health_check_is_public(db):
    assert Client().get("/healthz").json() == {"ok": True}


def test_the_interface_is_chinese_by_default_and_english_on_request(cast, as_user):
    client = as_user(cast.street_admin)
    assert "积分" not in client.get("/").content.decode()  # sanity: no stray strings
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Points by type" in body


def test_every_page_has_a_skip_link_and_labelled_filters(cast, as_user):
    body = as_user(cast.street_admin).get("/points/").content.decode()
    assert 'class="skip"' in body
    for field in ("f-q", "f-type", "f-region"):
        assert f'<label for="{field}"' in body


def test_the_change_log_is_scoped(cast, as_user):
    from chuangcheng.org.services import save_unit

    save_unit(by=cast.street_admin, code="UA", name="甲物业", kind="property", region=cast.community_a)
    save_unit(by=cast.street_admin, code="UB", name="乙物业", kind="property", region=cast.community_b)
    body = as_user(cast.admin_a).get("/changes/").content.decode()
    assert "甲物业" in body and "乙物业" not in body
    assert as_user(cast.grid_worker_a).get("/changes/").status_code == 403


def test_a_page_number_that_is_not_a_number_shows_the_first_page(cast, as_user):
    assert as_user(cast.street_admin).get("/points/?page=abc").status_code == 200


def test_the_grids_card_lists_the_grids_in_scope(cast, as_user):
    body = as_user(cast.admin_a).get("/org/regions/?level=grid").content.decode()
    assert cast.grid_a.name in body and cast.grid_b.name not in body


def test_the_browser_asking_for_favicon_ico_gets_our_icon(db):
    from django.test import Client

    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")
