"""Open311 GeoReport v2 at /open311/v2/."""

from __future__ import annotations

from typing import Any

app_name = "open311"
urlpatterns: list[Any] = []
