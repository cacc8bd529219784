"""The case scene of tests/cases (units, a handler, an inspector, a point) for the API tests,
and a media directory of each test's own, so "nothing stored" can be checked on disk."""

from __future__ import annotations

from tests.cases.conftest import scene  # noqa: F401  # the fixture, shared
