"""Several processes on one database, as a district runs it: two `migrate` started together on an
empty database, job claims racing from several processes, and `serve --workers 2` (two worker
processes on one port, a dead one restarted, SIGTERM stopping all).

Each test starts real `chuangcheng` processes on a fresh database of its module's own: a temporary
data directory (SQLite), or, when the suite runs on PostgreSQL, a throwaway database dropped after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks and reads /proc (Linux)")

CLI = [sys.executable, "-m", "chuangcheng"]


def _postgres_admin_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a fresh, empty installation (no Redis: the embedded default)."""
    home = tmp_path_factory.mktemp("home")
    environ = {**os.environ, "CHUANGCHENG_HOME": str(home), "DJANGO_SETTINGS_MODULE": "chuangcheng.settings",
               "REDIS_URL": "", "PYTHONUNBUFFERED": "1"}
    admin_url = _postgres_admin_url()
    if admin_url is None:
        environ.pop("DATABASE_URL", None)
        yield environ
        return
    import psycopg

    base, _, own = admin_url.rpartition("/")
    name = f"{own.split('?')[0]}_procs_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    environ["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield environ
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def two_migrates(env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Two `chuangcheng migrate` started at the same moment on the empty database."""
    started = [subprocess.Popen([*CLI, "migrate", "-v", "0"], env=env, stdout=subprocess.PIPE,  # noqa: S603
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    finished = []
    for process in started:
        out, err = process.communicate(timeout=600)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


@pytest.fixture
def migrated(env: dict[str, str], two_migrates: list[subprocess.CompletedProcess[str]]) -> dict[str, str]:
    if any(done.returncode for done in two_migrates):
        pytest.fail("migrate failed: " + "".join(done.stderr for done in two_migrates)[-2000:])
    from tests.static_cache import collected_static_root

    # The static files collected already: `serve` starts without a minute of brotli.
    return {**env, "STATIC_ROOT": str(collected_static_root())}


def test_two_migrates_started_together_on_an_empty_database_both_succeed(
        env: dict[str, str], two_migrates: list[subprocess.CompletedProcess[str]]) -> None:
    assert [done.returncode for done in two_migrates] == [0, 0], "".join(d.stderr for d in two_migrates)[-2000:]
    errors = "".join(done.stderr for done in two_migrates)
    assert "Traceback" not in errors and "already exists" not in errors
    assert "another migrate is running" in errors  # the second one waited for the first
    # Every migration is applied: nothing left for a third run to do.
    check = subprocess.run([*CLI, "migrate", "--check"], env=env, capture_output=True, text=True,  # noqa: S603
                           timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


RACER = """
import sys, time, pathlib, django
django.setup()
from chuangcheng.core import jobs
go = pathlib.Path(sys.argv[1])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
print("claimed" if jobs.claim("test.race") else "skipped", flush=True)
"""


def test_of_several_processes_claiming_one_job_at_once_exactly_one_wins(migrated: dict[str, str],
                                                                          tmp_path: Path) -> None:
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(go)], env=migrated,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for racer in racers:
        assert racer.stdout is not None
        assert racer.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [racer.communicate(timeout=120) for racer in racers]
    answers = sorted(out.strip() for out, _ in outputs)
    assert answers == ["claimed", "skipped", "skipped", "skipped"], outputs
    assert not any("Error" in err for _, err in outputs), [err for _, err in outputs]


# --- serve --workers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def answering_worker(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
            return int(response.headers["X-Chuangcheng-Worker"])
    except OSError:
        return None


def workers_seen(port: int, wanted: set[int], seconds: float) -> set[int]:
    """The workers that answered, asking (16 at a time) until all of `wanted` did or time ran out."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(16) as pool:
        while time.monotonic() < deadline and not wanted <= seen:
            seen |= {pid for pid in pool.map(lambda _: answering_worker(port), range(32)) if pid}
    return seen


def wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_serve_with_two_workers_answers_from_both_restarts_a_dead_one_and_stops_on_sigterm(
        migrated: dict[str, str]) -> None:
    port = free_port()
    parent = subprocess.Popen([*CLI, "serve", "--workers", "2", "--port", str(port), "--no-migrate",  # noqa: S603
                               "--worker-header"], env=migrated, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert wait_for(lambda: answering_worker(port) is not None, 60), "serve did not answer"
        workers = children_of(parent.pid)
        assert len(workers) == 2
        assert workers_seen(port, workers, 30) == workers  # both answer, no one else does

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(children_of(parent.pid) - {victim}) == 2, 30), "the dead worker was not replaced"
        replaced = children_of(parent.pid)
        assert victim not in replaced and len(replaced) == 2
        assert workers_seen(port, replaced, 30) == replaced

        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)
        assert answering_worker(port) is None
        output = parent.stdout.read() if parent.stdout else ""
        assert "2 worker processes" in output or "2 个工作进程" in output
        assert f"pid {victim}" in output  # the restart is logged
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait()


def test_serve_refuses_fewer_than_one_worker() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--workers"):
        call_command("serve", workers=0, no_migrate=True)


def _scrape(port: int) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:  # noqa: S310
        return int(response.headers["X-Chuangcheng-Worker"]), response.read().decode()


def _healthz_count(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("chuangcheng_http_requests_total{") and 'route="/healthz"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_metrics_of_all_workers_are_added_up_whichever_answers(migrated: dict[str, str]) -> None:
    port = free_port()
    parent = subprocess.Popen([*CLI, "serve", "--workers", "2", "--port", str(port), "--no-migrate",  # noqa: S603
                               "--worker-header"], env=migrated, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: answering_worker(port) is not None, 60), "serve did not answer"
        workers = children_of(parent.pid)
        assert workers_seen(port, workers, 30) == workers  # each worker has answered /healthz
        seen: dict[int, float] = {}
        deadline = time.monotonic() + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            pid, text = _scrape(port)
            seen[pid] = _healthz_count(text)
        assert len(seen) == 2, "both workers should have answered a scrape"
        # Each worker's scrape counts the /healthz requests both answered (no request came in between).
        assert len(set(seen.values())) == 1 and next(iter(seen.values())) >= 2
    finally:
        os.killpg(parent.pid, signal.SIGTERM)
        parent.wait(timeout=30)



def test_a_process_that_finds_the_secret_key_written_meanwhile_takes_that_key(tmp_path: Path, monkeypatch) -> None:
    """Two processes starting together on a new data directory: the second one checked for the key
    before the first wrote it, and must end with the first one's key, not a crash or its own."""
    import chuangcheng.settings as project_settings

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(project_settings, "DATA_DIR", tmp_path)
    (tmp_path / "secret_key").write_text("the-first-process-key", encoding="utf-8")
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "secret_key" else real_exists(self))
    assert project_settings._secret_key() == "the-first-process-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no draft left behind
