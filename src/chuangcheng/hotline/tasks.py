"""The periodic exchange with the hotline's interface: pull new orders, push our steps. Thin and
safe to run twice (orders are known by their number, each push by its key)."""

from __future__ import annotations

from chuangcheng.celery import app
from chuangcheng.hotline import exchange

EXCHANGE = "hotline.exchange"


@app.task(name=EXCHANGE, ignore_result=True)
def exchange_with_hotline() -> dict[str, int]:
    pulled = exchange.pull_orders()
    pushed = exchange.push_pending()
    return {"created": pulled.created, "sent": pushed.sent, "waiting": pushed.waiting}
