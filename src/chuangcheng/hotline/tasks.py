"""The periodic exchange with the hotline's interface: pull new orders, push our steps, then remind
whoever must sign for an order in time. Thin and safe to run twice (orders are known by their
number, each push and each reminder by its key)."""

from __future__ import annotations

from chuangcheng.celery import app
from chuangcheng.hotline import exchange, reminders

EXCHANGE = "hotline.exchange"


@app.task(name=EXCHANGE, ignore_result=True)
def exchange_with_hotline() -> dict[str, int]:
    pulled = exchange.pull_orders()
    pushed = exchange.push_pending()
    reminded = reminders.remind_to_sign()
    return {"created": pulled.created, "sent": pushed.sent, "waiting": pushed.waiting, "reminded": reminded}
