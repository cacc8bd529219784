"""Scheduled work of this area, registered with core.jobs when the app is ready.

Publicity has none of its own: a push's deliveries are outbox messages, retried by the outbox's
sweeper (notify.deliver_pending), and the daily figures are read by the reports' rollups."""

from __future__ import annotations


def register() -> None:
    return None
