"""Residents' pages (no account needed) and the staff's triage of their reports."""

from __future__ import annotations

from typing import Any

app_name = "public"
urlpatterns: list[Any] = []
