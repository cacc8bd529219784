"""Scheduled work of this area, registered with core.jobs when the app is ready."""

from __future__ import annotations


def register() -> None:
    return None
