"""Celery tasks: thin, take ids, safe to run twice (the claim in `services.deliver` decides)."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app
from chuangcheng.notify import alerts, services

DELIVER_MESSAGE = "notify.deliver_message"
DELIVER_PENDING = "notify.deliver_pending"
CHECK_ALERTS = "notify.check_alerts"


# A locked or briefly unreachable database: try the task again soon (the claim keeps it single).
@app.task(name=DELIVER_MESSAGE, ignore_result=True, autoretry_for=(OperationalError,), max_retries=5,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def deliver_message(message_id: int) -> None:
    services.deliver(message_id)


@app.task(name=DELIVER_PENDING, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def deliver_pending() -> int:
    return services.deliver_pending()


@app.task(name=CHECK_ALERTS, ignore_result=True)
def check_alerts() -> dict[str, int]:
    return alerts.check_outbox()


def publish_delivery(message_id: int) -> None:
    """Hand one message to the broker, once, without the publish retries that would hold the
    committing request while Redis is down; a fresh connection reads the broker URL in force."""
    options = {**app.conf.broker_transport_options, "max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    with app.connection_for_write(transport_options=options) as connection:
        deliver_message.apply_async((message_id,), connection=connection, retry=False)
