"""The suite's clock, the cast and the demo.

The clock: the whole session runs at one pinned moment that keeps ticking (time-machine), by
default a working Thursday morning; `CHUANGCHENG_TEST_NOW=2027-02-01` (a date, at 10:00 local, or
an ISO moment) runs it on another day, so "passes on any date" is something CI proves rather than
hopes. Tests that need a particular moment still travel there themselves.

The cast: a district with one street and two communities (A and B), each with one grid, and a
login for each role that matters for scope. Tests use these names.

The demo subdistrict: built once per session (tests.demo_db), shared by every test that names the
`demo` fixture; those tests run last so no other test sees its rows."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from chuangcheng.demo.generator import DemoResult, build_demo
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.org.models import Region, Role, User
from tests import factories as f
from tests.demo_db import DEMO_PASSWORD, TableCopy

PASSWORD = "correct horse battery"

# A Thursday, a working day, in the morning (Asia/Shanghai).
DEFAULT_NOW = "2026-12-03T10:00:00+08:00"
_traveller: Any = None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the demo run after all others (so none of them sees its rows), and those that
    flush the database (a live server) last of all; otherwise the order stays as collected."""

    def rank(item: pytest.Item) -> int:
        if "demo" not in getattr(item, "fixturenames", ()):
            return 0
        marker = item.get_closest_marker("django_db")
        flushes = "live_server" in item.fixturenames or bool(marker and marker.kwargs.get("transaction"))
        return 2 if flushes else 1

    items.sort(key=rank)


def suite_now() -> dt.datetime | None:
    """The moment the session starts at: CHUANGCHENG_TEST_NOW (a date means 10:00 local), or the
    default; `real` leaves the clock alone."""
    text = os.environ.get("CHUANGCHENG_TEST_NOW", "").strip() or DEFAULT_NOW
    if text == "real":
        return None
    if len(text) == 10:
        text += "T10:00:00+08:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment


def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    moment = suite_now()
    if moment is not None:
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _traveller is not None:
        _traveller.stop()


def pytest_report_header(config: pytest.Config) -> str:
    moment = suite_now()
    return f"clock: {moment.isoformat() if moment else 'real'} (CHUANGCHENG_TEST_NOW)"


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


# What tests.evidence.conftest.camera_exif writes as the time a photo was taken.
CAMERA_SHOT = dt.datetime(2026, 11, 28, 9, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def after_the_shot(time_machine: Any) -> None:
    """A photo "taken" later than now is not believed (its EXIF time is ignored), so a test that
    reads the camera's time runs five days after it, whatever day the suite runs on."""
    time_machine.move_to(CAMERA_SHOT + dt.timedelta(days=5), tick=True)


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


def _flush_waiting_for_late_requests() -> None:
    """A live server's thread may still answer a page's last request (a late fetch) when the test
    ends; on the in-memory SQLite test database its table locks fail the flush at once instead of
    waiting. The flush is one transaction, rolled back on failure: try it again for a few seconds."""
    from django.test import testcases

    teardown = testcases.TransactionTestCase._fixture_teardown

    def retrying(self: Any) -> Any:
        for attempt in range(50):
            try:
                return teardown(self)
            except Exception as exc:
                if attempt == 49 or "locked" not in f"{exc} {exc.__cause__}":
                    raise
                time.sleep(0.1)
        return None

    testcases.TransactionTestCase._fixture_teardown = retrying  # type: ignore[method-assign]


_flush_waiting_for_late_requests()


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
        # The app's service worker fetches the day's pages in the background after a page loads;
        # against a live server whose database is flushed when the test ends, those late requests
        # lock tables under the flush. Only the tests about offline work (which say so) let it run.
        new_context = browser.new_context

        def without_service_worker(**options: Any) -> Any:
            options.setdefault("service_workers", "block")
            return new_context(**options)

        browser.new_context = without_service_worker
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


# The database as migrations left it (catalog, categories, holidays), and the demo subdistrict
# built once a session on top of it.
@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> TableCopy:
    """pytest-django's test database, and a copy of it as migrations left it."""
    with django_db_blocker.unblock():
        migrated = TableCopy("migrated_copy")
        migrated.take()
    return migrated


@dataclass
class DemoDatabase:
    result: DemoResult
    copy: TableCopy


@pytest.fixture(scope="session")
def demo_database(django_db_setup: TableCopy, django_db_blocker: Any) -> DemoDatabase:
    """Built on the database as migrations left it, whatever tests ran before (a transactional
    one flushes the data migrations' rows too), so a run of a few tests and of the whole suite
    build the same demo."""
    with django_db_blocker.unblock():
        django_db_setup.restore()
        stages: list[tuple[str, int, int]] = []
        result = build_demo(seed=1, password=DEMO_PASSWORD, progress=lambda *step: stages.append(step))
        result.stages = stages  # type: ignore[attr-defined]
        copy = TableCopy("demo_copy")
        copy.take()
    return DemoDatabase(result, copy)


@pytest.fixture
def demo(demo_database: DemoDatabase, django_db_blocker: Any) -> DemoResult:
    """The demo subdistrict as built, copied back first if a transactional test flushed it."""
    with django_db_blocker.unblock():
        if not Region.objects.filter(code=STREET_CODE).exists():
            demo_database.copy.restore()
    return demo_database.result
