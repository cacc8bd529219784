"""Benchmark of the served application (issue 19): the demo served by `chuangcheng serve` and, in
the same run, a bare Django site (bench/bare_site.py) under the same server settings (waitress,
the same threads and processes: serve's defaults, one process per core and 4 threads each, unless
--workers and --threads say otherwise), driven with the same concurrency.

For each endpoint: throughput and its ratio to the bare 50-row JSON view, p50/p99 latency at
`--connections` concurrent keep-alive connections, the time of one request alone (median of
sequential requests) and the database queries one request makes (counted in-process with the
same data). The demo's data directory is built once (`--home`, kept for the next run).

With `--city` (or `--city-home`), the same endpoints (the same users, case, bulletin, ranking and
tracking code, all picked in the demo) are then driven on the 10× data set of bench/city_data.py
(10 subdistricts, a year of history, about 1M item results and 30,000 cases; built once from the
demo into `--city-home`, `<home>-city` by default), and a third table gives, per endpoint, the ratio
city/demo of the time of one request alone and of the queries (issue 19's aim: at most 1.5).

    python bench/served.py [--home /tmp/cc-bench-demo] [--seconds 6] [--connections 16] [--threads 4]
                         [--only case] [--workers N] [--city] [--city-home /tmp/cc-bench-demo-city]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chuangcheng.core import serving

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password"  # noqa: S105 - the demo's, for this benchmark


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, path: str = "/healthz", timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"nothing answers on :{port}")


@dataclass
class Endpoint:
    name: str
    path: str
    who: str  # "token:<username>", "session:<username>" or "" (public)


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    alone_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Auth:
    """Tokens for the API and session cookies for pages, one per demo user, got once."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.tokens: dict[str, str] = {}
        self.cookies: dict[str, str] = {}

    def headers(self, who: str) -> dict[str, str]:
        if not who:
            return {}
        kind, user = who.split(":", 1)
        if kind == "token":
            if user not in self.tokens:
                self.tokens[user] = self._token(user)
            return {"Authorization": f"Bearer {self.tokens[user]}"}
        if user not in self.cookies:
            self.cookies[user] = self._session(user)
        return {"Cookie": self.cookies[user]}

    def _token(self, user: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/api/auth/token", json.dumps({"username": user, "password": PASSWORD, "name": "bench"}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"token for {user}: {response.status} {body}")
        return str(body["token"])

    def _session(self, user: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = _cookies(response)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf, "no CSRF token on the sign-in page"
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.group(1), "username": user, "password": PASSWORD})
        conn.request("POST", "/accounts/login/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies),
            "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"})
        response = conn.getresponse()
        response.read()
        cookies.update(_cookies(response))
        if "sessionid" not in cookies:
            raise RuntimeError(f"sign-in of {user} failed ({response.status})")
        return _cookie_header(cookies)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def drive(port: int, path: str, headers: dict[str, str], seconds: float, connections: int,
          *, time_alone: bool = True) -> Result:
    """`connections` keep-alive connections requesting `path` as fast as answered, for `seconds`;
    then, once the server has settled, the time of one request alone (unless the caller takes it
    itself: `time_alone=False` leaves it 0)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.monotonic()
    threads = [threading.Thread(target=one) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    settle(port)
    alone_ms = alone(((port, path, headers),))[0] if time_alone else 0.0
    return Result(len(latencies), errors[0], elapsed, latencies, alone_ms)


def alone(targets: tuple[tuple[int, str, dict[str, str]], ...], rounds: int = 15) -> list[float]:
    """The time of one request alone (ms) on each (port, path, headers): `rounds` rounds, each
    requesting every target once in turn, the median of all but the first three rounds. Taking
    the targets in turn (the demo, then the city) puts both under the same state of the machine,
    whose speed drifts by a third from minute to minute here: their ratio is what is compared.
    A slow endpoint (seconds a request) stops after 5 rounds and 10 s, the median of the last 4."""
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=600) for port, _path, _headers in targets]
    times: list[list[float]] = [[] for _ in targets]
    began = time.monotonic()
    for n in range(rounds):
        for conn, (_port, path, headers), mine in zip(conns, targets, times, strict=True):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            mine.append(time.perf_counter() - started)
        if n + 1 >= 5 and time.monotonic() - began > max(10.0, 3 * len(targets)):
            break
    for conn in conns:
        conn.close()
    return [statistics.median(t[3:] if len(t) == rounds else t[1:]) * 1000 for t in times]


def settle(port: int) -> None:
    """Wait until the server has worked off what the connections left queued (requests whose client
    gave up still run). A health check waits behind them in its worker's queue; with several worker
    processes, each new connection may go to any of them, so the server counts as idle once health
    checks on new connections answer quickly several times in a row."""
    quick, deadline = 0, time.monotonic() + 900
    while quick < 6 and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        started = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        conn.close()
        quick = quick + 1 if time.perf_counter() - started < 0.005 else 0


def build_demo(home: Path) -> None:
    if (home / "db.sqlite3").exists() or any(home.glob("*.sqlite3")):
        return
    home.mkdir(parents=True, exist_ok=True)
    print(f"building the demo in {home} (once) …", flush=True)
    subprocess.run([sys.executable, "-m", "chuangcheng.cli", "demo", "--no-serve", "--password", PASSWORD],  # noqa: S603
                   env={**os.environ, "CHUANGCHENG_HOME": str(home)}, check=True, stdout=subprocess.DEVNULL)


def setup_django(home: Path) -> None:
    os.environ["CHUANGCHENG_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    import django

    django.setup()


def endpoints_and_queries(home: Path, admin: str | None = None) -> tuple[list[Endpoint], dict[str, int]]:
    """The endpoints, with paths read from the demo's data, and the queries each makes (counted
    in-process with Django's test client, signed in as the same user). The office's pages are read
    as `admin`, by default the first admin of a subdistrict (the demo's `street_admin`: in the 10x
    data set, the same subdistrict with nine more beside it); the district office's home is read too
    (its scope is the whole district: in the 10x data set, ten subdistricts)."""
    setup_django(home)
    from chuangcheng.cases.models import Case
    from chuangcheng.org.models import Region, Role, User
    from chuangcheng.public.models import Report
    from chuangcheng.reports.models import Bulletin, Ranking

    def first(role: str, level: int | None = None) -> str:
        users = User.objects.filter(role=role, is_active=True, scope__isnull=False)
        user = (users.filter(scope__level=level) if level else users).order_by("username").first()
        assert user is not None, role
        return user.username

    admin = admin or first(Role.STREET_ADMIN, Region.Level.STREET)
    case = Case.objects.order_by("-pk").first()
    bulletin = Bulletin.objects.filter(published_at__isnull=False).order_by("-day").select_related("street").first()
    ranking = Ranking.objects.order_by("-week").select_related("street").first()
    report = Report.objects.order_by("-pk").first()
    found = [
        Endpoint("case list API (50)", "/api/cases?limit=50", f"token:{admin}"),
        Endpoint("points list API (50)", "/api/points?limit=50", f"token:{admin}"),
        Endpoint("case list page", "/cases/", f"session:{admin}"),
        Endpoint("case detail page", f"/cases/{case.number}/" if case else "/cases/", f"session:{admin}"),
        Endpoint("dashboard", "/reports/", f"session:{admin}"),
        Endpoint("map page (its data inline)", "/reports/map/", f"session:{admin}"),
        Endpoint("ranking index", "/reports/rankings/", f"session:{admin}"),
        Endpoint("Open311 requests", "/open311/v2/requests.json", ""),
        Endpoint("Open311 services", "/open311/v2/services.json", ""),
    ]
    if bulletin is not None:
        found.append(Endpoint("bulletin page", f"/reports/bulletins/{bulletin.street.code}/{bulletin.day:%Y-%m-%d}/",
                              f"session:{admin}"))
    if ranking is not None:
        found.append(Endpoint("ranking weeks", f"/reports/rankings/{ranking.street.code}/", f"session:{admin}"))
    if report is not None:
        found.append(Endpoint("residents' tracking page", f"/r/t/{report.code}/", ""))
    for role in (Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.INSPECTOR, Role.UNIT_HANDLER,
                 Role.LEADER, Role.VOLUNTEER):
        with contextlib.suppress(AssertionError):
            found.append(Endpoint(f"home: {role}", "/", f"session:{first(role)}"))
    with contextlib.suppress(AssertionError):
        district = first(Role.STREET_ADMIN, Region.Level.DISTRICT)
        found.append(Endpoint("home: district office", "/", f"session:{district}"))
    return found, count_queries(found)


def count_queries(endpoints: list[Endpoint]) -> dict[str, int]:
    """The queries one request of each endpoint makes, in this process's (set up) Django."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chuangcheng.org.models import User

    queries: dict[str, int] = {}
    for endpoint in endpoints:
        client = Client()
        if endpoint.who:
            kind, user = endpoint.who.split(":", 1)
            if kind == "session":
                client.force_login(User.objects.get(username=user))
            else:
                from chuangcheng.org.services import create_api_token

                _token, key = create_api_token(User.objects.get(username=user), name="bench queries")
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.get(endpoint.path)  # warm caches as a served process would be
        with CaptureQueriesContext(connection) as captured:
            client.get(endpoint.path)
        queries[endpoint.name] = len(captured.captured_queries)
    return queries


def queries_elsewhere(home: Path, endpoints: list[Endpoint]) -> dict[str, int]:
    """`count_queries` in a process of its own with `home`'s data (one process sets Django up once)."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--home", str(home), "--count-queries"], check=True, capture_output=True,
        text=True, input=json.dumps([e.__dict__ for e in endpoints]),
        env={**os.environ, "CHUANGCHENG_HOME": str(home), "ACCESS_LOG": "false"})
    return {str(k): int(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def build_city(home: Path, city: Path) -> None:
    if any(city.glob("*.sqlite3")):
        return
    print(f"building the 10x data set in {city} (once) …", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench/city_data.py"), "--home", str(home),  # noqa: S603
                    "--city-home", str(city)], check=True)


Row = tuple[str, Result, "int | None"]


@contextlib.contextmanager
def served(home: Path, args: argparse.Namespace) -> Iterator[int]:
    """`chuangcheng serve` on `home`'s data, for the time of the block; yields its port."""
    app_port = free_port()
    env = {**os.environ, "CHUANGCHENG_HOME": str(home), "ACCESS_LOG": "false"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    serve_args = ["serve", "--port", str(app_port), "--threads", str(args.threads), "--no-migrate"]
    help_text = subprocess.run([sys.executable, "-m", "chuangcheng.cli", "serve", "--help"], env=env,  # noqa: S603
                               capture_output=True, text=True, check=False).stdout
    if "--workers" in help_text:
        serve_args += ["--workers", str(args.workers)]
    process = subprocess.Popen([sys.executable, "-m", "chuangcheng.cli", *serve_args], env=env,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_up(app_port)
        yield app_port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def print_table(rows: list[Row], floor: float) -> None:
    print("| endpoint | req/s | ratio to bare 50 rows | p50 ms | p99 ms | alone ms | queries | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, result, n in rows:
        print(f"| {name} | {result.rps:.0f} | {result.rps / floor:.0%} | {result.pct(0.5):.0f} "
              f"| {result.pct(0.99):.0f} | {result.alone_ms:.1f} | {'' if n is None else n} | {result.errors} |")


def print_ratios(demo: list[Row], city: list[Row], aim: float = 1.5) -> None:
    print("| endpoint | alone ms, demo | alone ms, 10x | ratio | queries, demo | queries, 10x | ratio |")
    print("|---|---|---|---|---|---|---|")
    at_city = {name: (result, n) for name, result, n in city}
    for name, result, n in demo:
        if name not in at_city:
            continue
        big, big_n = at_city[name]
        ratio = big.alone_ms / result.alone_ms if result.alone_ms else float("nan")
        q_ratio = f"{big_n / n:.2f}" if n and big_n is not None else ""
        over = " **over**" if ratio > aim else ""
        print(f"| {name} | {result.alone_ms:.1f} | {big.alone_ms:.1f} | {ratio:.2f}{over} "
              f"| {'' if n is None else n} | {'' if big_n is None else big_n} | {q_ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(Path(tempfile.gettempdir()) / "cc-bench-demo"))
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=serving.DEFAULT_THREADS,
                        help="as serve's (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=serving.default_workers(),
                        help="processes of `serve` and of the bare site (default as serve's: one per core, "
                             "%(default)s)")
    parser.add_argument("--only", help="endpoints whose name contains this")
    parser.add_argument("--city", action="store_true", help="also the 10x data set (in --city-home)")
    parser.add_argument("--city-home", help="the 10x data set, built once from the demo (default: <home>-city); "
                                            "implies --city")
    parser.add_argument("--admin", help="the user whose office pages are read (default: the first admin of a "
                                        "subdistrict, the demo's street_admin; e.g. district_office)")
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)  # see queries_elsewhere
    args = parser.parse_args()

    home = Path(args.home)
    if args.count_queries:
        setup_django(home)
        endpoints = [Endpoint(**e) for e in json.loads(sys.stdin.read())]
        print(json.dumps(count_queries(endpoints)))
        return
    city = Path(args.city_home) if args.city_home else (home.with_name(home.name + "-city") if args.city else None)
    build_demo(home)
    if city is not None:
        build_city(home, city)
    endpoints, queries = endpoints_and_queries(home, args.admin)
    if args.only:
        endpoints = [e for e in endpoints if args.only in e.name]
    city_queries = queries_elsewhere(city, endpoints) if city is not None else {}

    homes = [home] if city is None else [home, city]
    rows: dict[Path, list[Row]] = {h: [] for h in homes}
    with contextlib.ExitStack() as stack:
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, str(ROOT / "bench/bare_site.py"), str(bare_port),  # noqa: S603
                                 str(args.threads), str(args.workers)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        stack.callback(lambda: (os.killpg(bare.pid, signal.SIGTERM), bare.wait(timeout=20)))
        ports = {h: stack.enter_context(served(h, args)) for h in homes}  # both up; one driven at a time
        wait_up(bare_port, "/hello")
        bare_rows: list[Row] = [(name, drive(bare_port, path, {}, args.seconds, args.connections), None)
                                for name, path in (("bare Django: hello", "/hello"),
                                                   ("bare Django: 50 rows of JSON", "/rows"))]
        auths = {h: Auth(ports[h]) for h in homes}
        for endpoint in endpoints:  # each endpoint on the demo, then at once on the city: the same load around
            results = [drive(ports[h], endpoint.path, auths[h].headers(endpoint.who), args.seconds, args.connections,
                             time_alone=False) for h in homes]  # each settles its server after its load
            # The time alone, the demo and the city in turn.
            times = alone(tuple((ports[h], endpoint.path, auths[h].headers(endpoint.who)) for h in homes))
            for result, ms in zip(results, times, strict=True):
                result.alone_ms = ms
            for h, result in zip(homes, results, strict=True):
                rows[h].append((endpoint.name, result, (queries if h == home else city_queries).get(endpoint.name)))
    demo_rows, city_rows = rows[home], (rows[city] if city is not None else [])

    floor = bare_rows[1][1].rps
    print(f"\n{args.connections} connections, {args.seconds:.0f} s each; serve --threads {args.threads} "
          f"--workers {args.workers}; the bare site: waitress, {args.threads} threads, {args.workers} process(es)\n")
    if city is not None:
        print(f"The demo ({home}):\n")
    print_table(bare_rows + demo_rows, floor)
    if city is not None:
        print(f"\nThe 10x data set ({city}), the same endpoints and users:\n")
        print_table(bare_rows + city_rows, floor)
        print("\nThe 10x data set against the demo (one request alone; aim: at most 1.5):\n")
        print_ratios(demo_rows, city_rows)


if __name__ == "__main__":
    main()
