from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Builds of the whole demo take seconds each; `-m "not slow"` skips the ones that build twice.
    config.addinivalue_line("markers", "slow: builds the demo subdistrict more than once")
