"""The production topology as local processes, for the load test (bench/load/run.py) and the fault
test (tests/ops/test_topology.py), where containers are not available: PostgreSQL (the machine's,
reached through a TCP proxy of ours that can cut it), a Redis server of our own (that can be frozen
with SIGSTOP and restarted empty), one-off migrations, several `chuangcheng serve` app servers that
never migrate, one `chuangcheng worker --beat`, and a group-robot receiver on loopback that records
every call with its message key.

Everything listens on 127.0.0.1 only. `Topology` is a context manager: leaving it stops every
process it started and drops its database."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("TOPOLOGY_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - waiting for a process to come up
            last = exc
        time.sleep(every)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s (last error: {last!r})")


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new ones
    (the database is gone), `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._open()

    def _open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1.0)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._conns = [c for c in self._conns if c not in (a, b)]

    def cut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def restore(self) -> None:
        if self._listener is None:
            self._open()

    def close(self) -> None:
        self.cut()


@dataclass
class Receiver:
    """A group robot on loopback: answers like WeCom, records each call (path, message key, body).
    An idempotent receiver counts a key once however often it arrives; `delay` makes it slow."""

    port: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    _server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if state.delay:
                    time.sleep(state.delay)
                key = (self.headers.get("Idempotency-Key") or self.headers.get("X-Chuangcheng-Message-Key") or "")
                state.calls.append({"path": self.path, "key": key, "body": body.decode("utf-8", "replace"),
                                    "at": time.time()})
                answer = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key=load-test"

    def keys(self) -> list[str]:
        return [c["key"] for c in self.calls]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()


class Topology:
    """Start with `with Topology(web=2) as topo: topo.build_demo(); topo.start()`."""

    def __init__(self, *, web: int = 2, web_threads: int = 8, web_workers: int | None = 1,
                 worker_concurrency: int = 2, extra_env: dict[str, str] | None = None) -> None:
        self.web_count = web
        self.web_threads = web_threads
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.home = Path(tempfile.mkdtemp(prefix="cc-topology-"))
        self.database = f"cc_topology_{uuid.uuid4().hex[:10]}"
        self.pg = TcpProxy(("127.0.0.1", 5432))
        self.redis_port = free_port()
        self.redis: subprocess.Popen[bytes] | None = None
        self.webs: list[tuple[int, subprocess.Popen[bytes]]] = []
        self.worker: subprocess.Popen[bytes] | None = None
        self.receiver = Receiver().start()
        self.env = {
            **os.environ,
            "CHUANGCHENG_HOME": str(self.home),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg.port}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": "topology-" + uuid.uuid4().hex,
            "NOTIFY_WEBHOOK_HOSTS": "127.0.0.1",
            "DB_CONNECT_TIMEOUT": "2",
            "DB_CONN_MAX_AGE": "60",
            "LOG_FORMAT": "json",
            "ACCESS_LOG": "false",
            "PYTHONUNBUFFERED": "1",
            # Collected static files kept between runs (serve collects them once per version).
            "STATIC_ROOT": os.environ.get("STATIC_ROOT")
            or str(Path(tempfile.gettempdir()) / "chuangcheng-topology-static"),
            **(extra_env or {}),
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("CHUANGCHENG_TEST_NOW", None)
        self.logs = self.home / "logs"
        self.logs.mkdir()

    # --- processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.home,  # noqa: S603
                                start_new_session=True)

    def chuangcheng(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "chuangcheng.cli", *args], env=self.env, cwd=self.home,  # noqa: S603
                              capture_output=True, text=True, timeout=timeout, check=True)

    def python(self, code: str, timeout: float = 300) -> str:
        """Run Django code in the topology's settings; answers what it printed."""
        script = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'chuangcheng.settings'); " \
                 "django.setup()\n" + code
        done = subprocess.run([sys.executable, "-c", script], env=self.env, cwd=self.home,  # noqa: S603
                              capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise RuntimeError(f"python in the topology failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start_redis(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed")
        self.redis = subprocess.Popen(  # noqa: S603
            [server, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: _redis_ping(self.redis_port), 10, "redis")

    def freeze_redis(self) -> None:
        assert self.redis is not None
        self.redis.send_signal(signal.SIGSTOP)

    def thaw_redis(self) -> None:
        assert self.redis is not None
        self.redis.send_signal(signal.SIGCONT)

    def restart_redis(self) -> None:
        """Kill it (everything in it is lost, as with a Redis that keeps nothing on disk) and start afresh."""
        assert self.redis is not None
        self.redis.send_signal(signal.SIGCONT)
        self.redis.kill()
        self.redis.wait()
        self.start_redis()

    def create_database(self) -> None:
        _psql(f'CREATE DATABASE "{self.database}"')

    def migrate(self) -> None:
        self.chuangcheng("migrate", "--no-input")

    def build_demo(self, password: str) -> str:
        """Migrate and build the demo subdistrict (the real services write it); answers its output."""
        return self.chuangcheng("demo", "--no-serve", "--password", password, timeout=1800).stdout

    def start_web(self) -> None:
        for n in range(self.web_count):
            port = free_port()
            args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate",
                    "--threads", str(self.web_threads)]
            if self.web_workers is not None and _serve_has_workers():
                args += ["--workers", str(self.web_workers)]
            process = self._spawn(f"web{n + 1}", sys.executable, "-m", "chuangcheng.cli", *args)
            self.webs.append((port, process))
        for port, _ in self.webs:
            wait_for(lambda p=port: _get(f"http://127.0.0.1:{p}/healthz")[0] == 200, 60, f"app server :{port}")

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", sys.executable, "-m", "chuangcheng.cli", "worker", "--beat",
                                  "--concurrency", str(self.worker_concurrency))

    def kill_worker(self) -> None:
        """SIGKILL the worker's whole process group: what a crashed machine does."""
        assert self.worker is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def start(self) -> None:
        self.start_web()
        self.start_worker()

    @property
    def base_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port, _ in self.webs]

    def log_text(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # --- the database, read directly ---------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{self.database}") as conn:
            return list(conn.execute(sql, params).fetchall())

    # --- leaving -----------------------------------------------------------------------------

    def __enter__(self) -> Topology:
        self.start_redis()
        self.create_database()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        for process in [p for _, p in self.webs] + ([self.worker] if self.worker else []):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in [p for _, p in self.webs] + ([self.worker] if self.worker else []):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        if self.redis is not None:
            self.redis.send_signal(signal.SIGCONT)
            self.redis.kill()
            self.redis.wait()
        self.receiver.stop()
        self.pg.close()
        with contextlib.suppress(Exception):
            _psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if not os.environ.get("TOPOLOGY_KEEP"):
            shutil.rmtree(self.home, ignore_errors=True)


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")


_HAS_WORKERS: list[bool] = []


def _serve_has_workers() -> bool:
    if not _HAS_WORKERS:
        done = subprocess.run([sys.executable, "-m", "chuangcheng.cli", "serve", "--help"],  # noqa: S603
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "CHUANGCHENG_HOME": tempfile.mkdtemp()})
        _HAS_WORKERS.append("--workers" in done.stdout)
    return _HAS_WORKERS[0]


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def get_json(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, Any]:
    status, body = _get(url, headers, timeout)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode("utf-8", "replace")


def iter_lines(text: str) -> Iterator[dict[str, Any]]:
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                yield entry
