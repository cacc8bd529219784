"""The 403 and 404 pages say what happened in Chinese and lead back home; under /api/ the API's
JSON error format is kept."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import client_for


def test_a_refusal_is_a_chinese_page_with_the_reason_and_a_way_home(cast):
    response = client_for(cast.grid_worker_a).get(reverse("web:audit"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "您的角色无权打开此页面" in body
    assert '<a class="button" href="/">返回我的首页</a>' in body
    assert 'lang="zh-Hans"' in body and 'class="skip"' in body  # the site's own layout, with its menu


def test_an_address_that_leads_nowhere_is_a_chinese_page_with_a_way_home(cast):
    response = client_for(cast.street_admin).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "返回我的首页" in body
    assert f'href="{reverse("cases:list")}"' in body  # the signed-in menu is still there


def test_a_stranger_on_a_missing_page_gets_the_page_too(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_api_answers_its_own_json_for_a_missing_endpoint(cast):
    response = client_for(cast.street_admin).get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
