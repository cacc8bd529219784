"""The crawl of issue 16: each demo account signs in and follows every menu link and every link of
its home page; none answers 403, 404 or 500 (what a role may not open is not offered)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from chuangcheng.demo.plan import DISTRICT_LOGIN
from chuangcheng.org.models import User
from chuangcheng.web.nav import menu_for
from tests.demo_db import DEMO_PASSWORD

ACCOUNTS = ["street_admin", "leader", "inspector_1", "community_admin_1", "grid_worker_1", "unit_handler_1",
            "volunteer_1", DISTRICT_LOGIN]
HREF = re.compile(r'href="(/[^"#]*)"')
# Files, not pages: fetched by the browser as downloads (their views are tested where they live).
DOWNLOADS = (".xlsx", ".docx", ".svg", ".png")


def links_of(html: str) -> list[str]:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return [url.replace("&amp;", "&") for url in HREF.findall(main)]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_menu_and_home_link_of_a_demo_account_opens(demo, db, username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    home = client.get("/")
    assert home.status_code == 200
    user = User.objects.get(username=username)
    menu = [item.url for item in menu_for(user)]
    assert menu, username
    failures = []
    for url in dict.fromkeys(menu + links_of(home.content.decode())):
        if url.startswith("/static/") or url.endswith(DOWNLOADS):
            continue
        status = client.get(url).status_code
        if status >= 400:
            failures.append((url, status))
    assert failures == [], username
