"""The case scene of tests/cases (units, a handler, an inspector, a point) for the API tests,
and a media directory of each test's own, so "nothing stored" can be checked on disk.

Every test client here checks CSRF as a real server does (Django's test client skips it by
default, which once hid that no token-only client could write)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.cases.conftest import scene  # noqa: F401  # the fixture, shared


@pytest.fixture(autouse=True)
def csrf_enforced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = Client.__init__

    def init(self: Client, enforce_csrf_checks: bool = True, *args: Any, **kwargs: Any) -> None:
        original(self, True, *args, **kwargs)

    monkeypatch.setattr(Client, "__init__", init)
    yield
