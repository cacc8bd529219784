"""Celery tasks: thin, take ids, safe to run twice (the claim in `services.deliver` decides)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
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


class HandOverFailed(Exception):
    """The broker did not take the messages; `published` of them had gone before it failed."""

    def __init__(self, published: int) -> None:
        super().__init__(f"the broker took {published} messages, then failed")
        self.published = published


def publish_deliveries(message_ids: Sequence[int]) -> int:
    """Hand messages to the broker over one fresh connection (reading the broker URL in force),
    with a short connect and read timeout (NOTIFY_BROKER_TIMEOUT) and no retries, so a dead or
    frozen Redis holds the committing request once, briefly. At the first failure the rest are
    not tried (HandOverFailed); they wait in the outbox for the sweeper."""
    timeout = settings.NOTIFY_BROKER_TIMEOUT
    options = {**app.conf.broker_transport_options, "socket_connect_timeout": timeout, "socket_timeout": timeout,
               "max_retries": 0, "retry_on_timeout": False}
    published = 0
    try:
        with app.connection_for_write(transport_options=options, connect_timeout=timeout) as connection:
            for message_id in message_ids:
                deliver_message.apply_async((message_id,), connection=connection, retry=False)
                published += 1
    except Exception as exc:
        raise HandOverFailed(published) from exc
    return published


def publish_delivery(message_id: int) -> None:
    """Hand one message to the broker (see `publish_deliveries`)."""
    publish_deliveries([message_id])
