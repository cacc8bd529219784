"""`chuangcheng serve --workers N`: one waitress per worker process, all on one listening socket.

The parent binds the socket, loads the application once (the children share its memory), then
forks N children that each run waitress on the inherited socket; the kernel hands each new
connection to one of them, so one slow request holds one worker's thread, not the site. The parent
only watches: it restarts a child that dies (waiting longer each time one dies young), and on
SIGTERM or Ctrl+C stops them all. The embedded scheduler runs in the first child only (and each
job run is claimed through the database, so a second scheduler would be harmless anyway).

Where there is no fork (Windows), serve runs a single process."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# A child that dies sooner than this after its start is restarted after a growing pause.
YOUNG_DEATH_SECONDS = 5.0
MAX_RESTART_PAUSE_SECONDS = 30.0
# How long children get to finish their requests after SIGTERM before they are killed.
STOP_GRACE_SECONDS = 10.0

WORKER_HEADER = "X-Chuangcheng-Worker"

# Threads per worker process (waitress's own default). Python runs one thread of a process at a
# time: past a few, more threads only take turns, each request waits for the others' slices, and
# the slowest answers stretch (the case list at 16 connections, two workers: p99 106 ms with 4
# threads, 192 ms with 8, and 25 % fewer answers a second; docs/benchmarks.md). Waitress reads and
# writes the sockets in its own thread, so a slow client holds no worker thread; only database
# waits do, which a few threads cover.
DEFAULT_THREADS = 4


def can_fork() -> bool:
    return hasattr(os, "fork")


def default_workers() -> int:
    """One worker per core this process may run on (1 where processes cannot be forked)."""
    if not can_fork():
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS has no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def bind(host: str, port: int, backlog: int = 1024) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host.strip("[]"), port), family=family, backlog=backlog)
    sock.set_inheritable(True)
    return sock


def with_worker_header(app: Callable[..., Any]) -> Callable[..., Any]:
    """Name the answering process in a response header (off unless asked for: it shows a pid), to
    see that the workers share the load."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, (WORKER_HEADER, str(os.getpid()))], exc_info)

        return app(environ, start)

    return wrapped


@dataclass
class Slot:
    number: int
    pid: int = 0
    started: float = 0.0
    pause: float = 0.0
    restart_at: float = 0.0


@dataclass
class Supervisor:
    """Runs `serve_child(slot_number)` in `workers` forked children until told to stop."""

    serve_child: Callable[[int], None]
    workers: int
    slots: list[Slot] = field(default_factory=list)
    stopping: bool = False

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.slots = [Slot(number) for number in range(self.workers)]
            for slot in self.slots:
                self._spawn(slot)
            while not self.stopping:
                self._reap()
                self._restart_due()
                time.sleep(0.2)
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def pids(self) -> list[int]:
        return [slot.pid for slot in self.slots if slot.pid]

    def _spawn(self, slot: Slot) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handlers
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            code = 1
            try:
                self.serve_child(slot.number)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
            except BaseException:
                logger.exception("worker %d failed", slot.number)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        slot.pid, slot.started = pid, time.monotonic()

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for slot in self.slots:
                if slot.pid == pid:
                    self._died(slot, status)

    def _died(self, slot: Slot, status: int) -> None:
        lived, pid = time.monotonic() - slot.started, slot.pid
        slot.pid = 0
        if self.stopping:
            return
        slot.pause = min(MAX_RESTART_PAUSE_SECONDS, max(1.0, slot.pause * 2)) if lived < YOUNG_DEATH_SECONDS else 0.0
        slot.restart_at = time.monotonic() + slot.pause
        logger.warning("worker %d (pid %d) ended (%s) after %.0f s; restarting it%s", slot.number, pid,
                       _describe(status), lived, f" in {slot.pause:.0f} s" if slot.pause else "")

    def _restart_due(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            if not slot.pid and not self.stopping and now >= slot.restart_at:
                self._spawn(slot)

    def _stop_children(self) -> None:
        for pid in self.pids():
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while self.pids() and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in self.pids():
            _signal(pid, signal.SIGKILL)
        for slot in self.slots:
            if slot.pid:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(slot.pid, 0)
                slot.pid = 0


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def run_child(*, app: Callable[..., Any], sock: socket.socket, threads: int, scheduler: bool,
              server_options: dict[str, Any], start_scheduler: Callable[[], object]) -> None:
    """One worker: waitress on the inherited socket until SIGTERM (or its parent is gone)."""
    from waitress import serve

    parent = os.getppid()
    # Ctrl+C reaches the whole process group: the parent then stops the children in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    threading.Thread(target=_follow_parent, args=(parent,), name="chuangcheng-parent-watch", daemon=True).start()
    if scheduler:
        start_scheduler()
    serve(app, sockets=[sock], threads=threads, ident="chuangcheng", _quiet=True, **server_options)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)  # waitress's loop ends on SystemExit and lets running requests finish


def _follow_parent(parent: int) -> None:
    """A child whose parent was killed outright stops too, instead of holding the port."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def share_metrics(port: int) -> None:
    """The worker processes add up their Prometheus figures (chuangcheng.core.metrics) through files
    in one directory, emptied at each start; set before any figure is counted. A directory given
    in PROMETHEUS_MULTIPROC_DIR is used as it is."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = Path(settings.DATA_DIR) / "metrics" / f"serve-{port}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
