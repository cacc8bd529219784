"""Load test of the whole system: a day's peak at district scale, against the production topology
started as local processes (bench/load/topology.py: PostgreSQL, Redis, several app servers behind
no proxy, one worker with beat, a group-robot receiver).

The district (bench/load/seed.py): 10 subdistricts × 3 communities × 3 grids × 4 points, one unit
with a group robot per subdistrict, 40 field workers and 5 office users per subdistrict (400 and
50), one Open311 key per subdistrict for residents' reports.

The peak, compressed in time (`--duration`, 120 s by default): every field worker inspects a point
of their subdistrict about every `--inspect-every` seconds (checklist read, then the submission
with one failed item and its photo, which opens a case and tells the unit's robot), each office user
reads the case list and the point list every `--office-every` seconds, and residents post
Open311 requests at `--residents-per-minute`. A submission that gets no answer (timeout, 5xx) is
sent again with the same key until it is accepted, as the phone does.

Afterwards the database is counted: every accepted submission stored exactly once (none lost, none
duplicated), and the outbox drained with each robot message received. Prints, per endpoint:
requests, errors, throughput, p50/p95/p99 latency.

    python bench/load/run.py [--streets 10] [--field 40] [--office 5] [--duration 120] [--web 2]
"""

from __future__ import annotations

import argparse
import heapq
import io
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.topology import Topology, get_json  # noqa: E402


def photo_bytes(seed: int = 1) -> bytes:
    """A phone-sized JPEG (1600×1200, about 300 KB) with noise, so it does not compress to nothing."""
    from PIL import Image

    rnd = random.Random(seed)
    image = Image.new("RGB", (1600, 1200))
    pixels = bytes(rnd.getrandbits(8) for _ in range(160 * 120 * 3))
    image.paste(Image.frombytes("RGB", (160, 120), pixels).resize((1600, 1200)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----cc" + uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Stats:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, endpoint: str, status: int, seconds: float) -> None:
        with self.lock:
            self.samples[endpoint].append(seconds)
            if status >= 400 or status == 0:
                self.errors[endpoint][str(status or "no answer")] += 1


def call(stats: Stats, endpoint: str, method: str, url: str, *, headers: dict[str, str] | None = None,
         body: bytes | None = None, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            status, data = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        status, data = int(exc.code), exc.read()
    except (OSError, TimeoutError):
        status, data = 0, b""
    stats.record(endpoint, status, time.perf_counter() - started)
    return status, data


def answers(checklist: list[dict[str, Any]], fail_index: int) -> list[dict[str, Any]]:
    rows = []
    for n, item in enumerate(checklist):
        if n == fail_index:
            rows.append({"item": item["item"], "result": "fail",
                         **({"count": 1} if item["measure"] == "occurrences" else {})})
        elif item["measure"] in {"count", "rate"}:
            rows.append({"item": item["item"], "result": "pass", "count": int(float(item["threshold"] or 1))})
        elif item["measure"] == "occurrences":
            rows.append({"item": item["item"], "result": "pass", "count": 0})
        else:
            rows.append({"item": item["item"], "result": "pass"})
    return rows


class Load:
    def __init__(self, topo: Topology, plan: dict[str, Any], args: argparse.Namespace) -> None:
        self.topo = topo
        self.plan = plan
        self.args = args
        self.stats = Stats()
        self.accepted: dict[str, str] = {}  # key → username
        self.given_up: list[str] = []
        self.photo = photo_bytes()
        self.rnd = random.Random(7)
        self.accepted_lock = threading.Lock()
        self.points_of = {w["street"]: w["points"] for w in plan["field"]}
        self.crashed: list[str] = []

    def guarded(self, action: Any, who: dict[str, Any]) -> None:
        try:
            action(who)
        except Exception as exc:  # noqa: BLE001 - a bug of the load test itself is reported, not hidden
            self.crashed.append(f"{action.__name__}: {exc!r}")

    def base(self) -> str:
        return self.rnd.choice(self.topo.base_urls)

    def inspect(self, worker: dict[str, Any]) -> None:
        point = self.rnd.choice(worker["points"])
        auth = {"Authorization": f"Bearer {worker['token']}"}
        status, data = call(self.stats, "GET /api/inspections/points/{code}/checklist", "GET",
                            f"{self.base()}/api/inspections/points/{point['code']}/checklist", headers=auth)
        if status != 200:
            return
        checklist = [{"item": i["code"], "measure": i["measure"], "threshold": i["threshold"]}
                     for i in json.loads(data)["items"]]
        fail = next((n for n, i in enumerate(checklist) if i["measure"] == "presence"), 0)
        key = uuid.uuid4().hex
        body, ctype = multipart(
            {"point": point["code"], "key": key, "lon": point["lon"], "lat": point["lat"],
             "items": json.dumps(answers(checklist, fail))},
            {f"photo_{checklist[fail]['item']}": ("IMG_0001.jpg", self.photo, "image/jpeg")})
        for _attempt in range(20):
            status, data = call(self.stats, "POST /api/inspections", "POST", f"{self.base()}/api/inspections",
                                headers={**auth, "Content-Type": ctype}, body=body, timeout=60)
            if status in (200, 201):
                with self.accepted_lock:
                    self.accepted[key] = worker["username"]
                return
            if 400 <= status < 500:
                self.given_up.append(f"{status} {data.decode('utf-8', 'replace')[:300]}")
                return
            time.sleep(1 + self.rnd.random())  # no answer or 5xx: the phone sends the same key again
        self.given_up.append(f"no answer after retries: {key}")

    def office(self, user: dict[str, Any]) -> None:
        auth = {"Authorization": f"Bearer {user['token']}"}
        call(self.stats, "GET /api/cases?limit=50", "GET", f"{self.base()}/api/cases?limit=50", headers=auth)
        call(self.stats, "GET /api/points?limit=50", "GET", f"{self.base()}/api/points?limit=50", headers=auth)

    def resident(self, entry: dict[str, Any]) -> None:
        near = self.rnd.choice(self.points_of[entry["street"]])
        fields = {"api_key": entry["api_key"], "service_code": self.rnd.choice(self.plan["services"]),
                  "lat": f"{float(near['lat']) + self.rnd.uniform(-0.0005, 0.0005):.6f}",
                  "long": f"{float(near['lon']) + self.rnd.uniform(-0.0005, 0.0005):.6f}",
                  "description": "路边垃圾堆放，请尽快清理（压测）"}
        status, data = call(self.stats, "POST /open311/v2/requests.json", "POST",
                            f"{self.base()}/open311/v2/requests.json",
                            headers={"Content-Type": "application/x-www-form-urlencoded"},
                            body=urllib.parse.urlencode(fields).encode())
        if status >= 400:
            self.given_up.append(f"open311 {status} {data.decode('utf-8', 'replace')[:300]}")

    def run(self) -> float:
        """Schedule every simulated person on one clock and run their actions on a pool of threads."""
        args = self.args
        queue: list[tuple[float, int, str, dict[str, Any]]] = []
        start = time.monotonic()
        n = 0
        for worker in self.plan["field"]:
            heapq.heappush(queue, (start + self.rnd.uniform(0, args.inspect_every), n, "inspect", worker))
            n += 1
        for user in self.plan["office"]:
            heapq.heappush(queue, (start + self.rnd.uniform(0, args.office_every), n, "office", user))
            n += 1
        resident_gap = 60.0 / args.residents_per_minute if args.residents_per_minute else 0
        if resident_gap:
            heapq.heappush(queue, (start, n, "resident", {}))
        end = start + args.duration
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            while queue:
                at, _, kind, who = heapq.heappop(queue)
                if at > end:
                    break
                time.sleep(max(0.0, at - time.monotonic()))
                n += 1
                if kind == "inspect":
                    pool.submit(self.guarded, self.inspect, who)
                    heapq.heappush(queue, (at + self.rnd.expovariate(1 / args.inspect_every), n, kind, who))
                elif kind == "office":
                    pool.submit(self.guarded, self.office, who)
                    heapq.heappush(queue, (at + self.rnd.expovariate(1 / args.office_every), n, kind, who))
                else:
                    pool.submit(self.guarded, self.resident, self.rnd.choice(self.plan["residents"]))
                    heapq.heappush(queue, (at + resident_gap, n, kind, who))
        return time.monotonic() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(load: Load, seconds: float) -> str:
    lines = ["| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]
    for endpoint, values in sorted(load.stats.samples.items()):
        errors = load.stats.errors.get(endpoint, {})
        error_text = ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "0"
        lines.append(f"| {endpoint} | {len(values)} | {error_text} | {len(values) / seconds:.1f} | "
                     f"{percentile(values, 0.5) * 1000:.0f} | {percentile(values, 0.95) * 1000:.0f} | "
                     f"{percentile(values, 0.99) * 1000:.0f} |")
    return "\n".join(lines)


def count_afterwards(topo: Topology, load: Load, drain_seconds: float) -> dict[str, Any]:
    keys = list(load.accepted)
    rows = topo.query("SELECT key, count(*) FROM inspections_inspection WHERE key = ANY(%s) GROUP BY key", (keys,))
    stored = {key: n for key, n in rows}
    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline:
        waiting = topo.query("SELECT count(*) FROM notify_message WHERE status IN ('pending', 'sending') "
                             "AND channel IN ('wecom', 'dingtalk')")[0][0]
        if not waiting:
            break
        time.sleep(1)
    by_state = dict(topo.query("SELECT status, count(*) FROM notify_message WHERE channel IN ('wecom', 'dingtalk') "
                               "GROUP BY status"))
    return {
        "accepted": len(keys),
        "stored": sum(1 for k in keys if stored.get(k)),
        "lost": sum(1 for k in keys if not stored.get(k)),
        "duplicated": sum(1 for k in keys if stored.get(k, 0) > 1),
        "refused or given up": len(load.given_up),
        "robot messages by state": by_state,
        "robot calls received": len(topo.receiver.calls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streets", type=int, default=10)
    parser.add_argument("--field", type=int, default=40, help="field workers per subdistrict")
    parser.add_argument("--office", type=int, default=5, help="office users per subdistrict")
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--inspect-every", type=float, default=60.0, help="seconds between one worker's inspections")
    parser.add_argument("--office-every", type=float, default=20.0)
    parser.add_argument("--residents-per-minute", type=float, default=30.0)
    parser.add_argument("--web", type=int, default=2, help="app servers")
    parser.add_argument("--web-workers", type=int, default=None, help="processes per app server (serve --workers)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent requests at most (the load's threads)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    env = {"PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR": "100000", "PUBLIC_REPORTS_PER_ADDRESS_PER_DAY": "100000",
           "PUBLIC_REPORTS_PER_HOUR": "100000", "PUBLIC_REPORTS_PER_DAY": "100000"}
    with Topology(web=args.web, web_workers=args.web_workers, extra_env=env) as topo:
        t0 = time.monotonic()
        topo.migrate()
        plan = json.loads(topo.python(
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom bench.load.seed import seed\n"
            f"print(seed(streets={args.streets}, field_per_street={args.field}, "
            f"office_per_street={args.office}, receiver_url={topo.receiver.url!r}))"))
        topo.start()
        print(f"topology up and district seeded in {time.monotonic() - t0:.0f} s: {args.web} app servers, "
              f"{len(plan['field'])} field workers, {len(plan['office'])} office users", flush=True)
        load = Load(topo, plan, args)
        seconds = load.run()
        figures = count_afterwards(topo, load, drain_seconds=120)
        ready = [get_json(f"{base}/readyz")[0] for base in topo.base_urls]
    print(f"\n{seconds:.0f} s of load\n")
    print(report(load, seconds))
    print()
    for name, value in figures.items():
        print(f"- {name}: {value}")
    print(f"- /readyz after the run: {ready}")
    if load.crashed:
        print(f"- the load test's own errors ({len(load.crashed)}):", *load.crashed[:5], sep="\n  ")
    if load.given_up[:5]:
        print("- first refusals:", *load.given_up[:5], sep="\n  ")
    if args.json:
        Path(args.json).write_text(json.dumps({"seconds": seconds, "figures": figures, "table": report(load, seconds)},
                                              ensure_ascii=False, indent=2), encoding="utf-8")
    ok = figures["lost"] == 0 and figures["duplicated"] == 0 and not load.crashed
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
