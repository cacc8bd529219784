"""The embedded default's delivery thread: one per process, started the first time a committed
transaction hands it messages, fed message ids through a queue. It sends them one after the
other, never on a request's thread, so a slow group robot costs the person who clicked nothing.

The queue lives in memory: ids still in it when the process stops are lost from it, not from
the outbox; those messages are still pending in the database, and the sweeper
(`deliver_pending`, run by `chuangcheng serve`'s scheduler or by `chuangcheng deliver`) sends
them. A message the thread was sending when the process stopped is taken up again by the
sweeper once its lease is over (see `services.deliver`)."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Iterable

log = logging.getLogger(__name__)


class Courier:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._queue: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._unfinished = 0

    def submit(self, message_ids: Iterable[int]) -> None:
        """Queue messages for the delivery thread (starting it if this process has none)."""
        ids = list(message_ids)
        if not ids:
            return
        with self._lock:
            if self._pid != os.getpid():
                # A forked child inherits neither the thread nor a usable queue: start afresh.
                self._queue, self._thread, self._pid, self._unfinished = queue.SimpleQueue(), None, os.getpid(), 0
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, args=(self._queue,), name="notify-courier",
                                                daemon=True)
                self._thread.start()
            self._unfinished += len(ids)
            for pk in ids:
                self._queue.put(pk)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued message has been tried; False if that took longer than `timeout`."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self._unfinished > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._done.wait(remaining):
                    return self._unfinished == 0
        return True

    def _run(self, ids: queue.SimpleQueue[int]) -> None:
        from django.db import close_old_connections, connections

        from chuangcheng.notify import services

        while True:
            pk = ids.get()
            try:
                close_old_connections()
                services.deliver(pk)
            except Exception:
                # The message stays pending (or its lease runs out): the sweeper takes it up.
                log.exception("message %s: delivery on the background thread failed, left for the sweeper", pk)
            finally:
                with self._lock:
                    last = self._unfinished <= 1
                if last:
                    # Nothing more to send for now: do not hold a database connection while idle
                    # (closed before saying so, so whoever waits for idle finds no connection open).
                    connections.close_all()
                with self._done:
                    self._unfinished -= 1
                    self._done.notify_all()


courier = Courier()
