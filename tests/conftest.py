"""The cast: a district with one street and two communities (A and B), each with one grid,
and a login for each role that matters for scope. Tests use these names."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chuangcheng.org.models import Region, Role, User
from tests import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """The test's own directory for stored files (photos), so what a test leaves behind can be listed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass
class Cast:
    district: Region
    street: Region
    community_a: Region
    community_b: Region
    grid_a: Region
    grid_b: Region
    street_admin: User
    admin_a: User
    admin_b: User
    grid_worker_a: User
    leader: User


@pytest.fixture
def cast(db: None) -> Cast:
    district = f.district(code="150103", name="回民区")
    street = f.street(district, code="150103001", name="光明路街道")
    community_a = f.community(street, code="150103001001", name="甲社区",
                              boundary=f.square(111.650, 40.820, 0.01))
    community_b = f.community(street, code="150103001002", name="乙社区",
                              boundary=f.square(111.700, 40.820, 0.01))
    grid_a = f.grid(community_a, code="150103001001-01", name="甲一网格", boundary=f.square(111.650, 40.820))
    grid_b = f.grid(community_b, code="150103001002-01", name="乙一网格", boundary=f.square(111.700, 40.820))
    return Cast(
        district=district,
        street=street,
        community_a=community_a,
        community_b=community_b,
        grid_a=grid_a,
        grid_b=grid_b,
        street_admin=f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street, is_staff=True),
        admin_a=f.UserFactory(username="admin_a", role=Role.COMMUNITY_ADMIN, scope=community_a, is_staff=True),
        admin_b=f.UserFactory(username="admin_b", role=Role.COMMUNITY_ADMIN, scope=community_b, is_staff=True),
        grid_worker_a=f.UserFactory(username="grid_worker_a", role=Role.GRID_WORKER, scope=grid_a),
        leader=f.UserFactory(username="leader", role=Role.LEADER, scope=street),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


# Browser tests: Debian's Chromium driven by Playwright, one browser for the whole session.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still made before and after the browser steps, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
