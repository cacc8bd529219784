"""The production topology under faults (issue 18's test), as local processes where containers are
not available (bench/load/topology.py): two app servers on PostgreSQL (through a proxy of ours that
can cut it), a Redis of our own, one Celery worker with beat, a group-robot receiver.

While field workers submit inspections through the API (each retried with its key until accepted,
as the phone does), the worker is killed (SIGKILL) and started again, Redis is frozen (SIGSTOP) and
then restarted empty, and the database is cut for 20 seconds. Afterwards: every accepted submission
is stored exactly once, every robot message of the run was delivered (each one once, or again only
with its key so an idempotent receiver drops it), the API answered JSON 503s during the cut and no
500 at all, and both app servers are ready again without a restart.

Runs on the PostgreSQL run only (it needs the machine's PostgreSQL and redis-server); takes about
two to three minutes."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from bench.load.run import answers, multipart, photo_bytes
from bench.load.topology import ROOT, Topology, get_json

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="runs on the PostgreSQL run (it starts processes on the machine's PostgreSQL)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

CUT_SECONDS = 20


class Field:
    """Field workers submitting inspections in a loop until told to stop."""

    def __init__(self, topo: Topology, plan: dict[str, Any]) -> None:
        self.topo = topo
        self.plan = plan
        self.photo = photo_bytes()
        self.stop = threading.Event()
        self.accepted: dict[str, int] = {}  # key → attempts
        self.statuses: Counter[int] = Counter()
        self.bodies_503: list[Any] = []
        self.slowest = 0.0
        self.lock = threading.Lock()
        self.errors: list[str] = []

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                status, data = int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            status, data = int(exc.code), exc.read()
        except OSError:
            status, data = 0, b""
        with self.lock:
            self.statuses[status] += 1
            self.slowest = max(self.slowest, time.monotonic() - started)
            if status == 503 and len(self.bodies_503) < 20:
                self.bodies_503.append(data)
        return status, data

    def worker(self, n: int, person: dict[str, Any]) -> None:
        bases = self.topo.base_urls
        auth = {"Authorization": f"Bearer {person['token']}"}
        i = 0
        while not self.stop.is_set():
            i += 1
            point = person["points"][(n + i) % len(person["points"])]
            status, data = get_json(f"{bases[i % 2]}/api/inspections/points/{point['code']}/checklist", auth)
            if status != 200:
                time.sleep(0.5)
                continue
            checklist = [{"item": it["code"], "measure": it["measure"], "threshold": it["threshold"]}
                         for it in data["items"]]
            # A different failed item each time, so failures open new cases (and robot messages).
            presence = [k for k, it in enumerate(checklist) if it["measure"] == "presence"] or [0]
            fail = presence[i % len(presence)]
            key = uuid.uuid4().hex
            body, ctype = multipart(
                {"point": point["code"], "key": key, "lon": point["lon"], "lat": point["lat"],
                 "items": json.dumps(answers(checklist, fail))},
                {f"photo_{checklist[fail]['item']}": ("IMG_0001.jpg", self.photo, "image/jpeg")})
            for attempt in range(1, 200):
                status, data = self.post(f"{bases[(i + attempt) % 2]}/api/inspections", body,
                                         {**auth, "Content-Type": ctype})
                if status in (200, 201):
                    with self.lock:
                        self.accepted[key] = attempt
                    break
                if 400 <= status < 500:
                    self.errors.append(f"{status}: {data[:300]!r}")
                    break
                time.sleep(1)  # no answer or 503: the phone tries again with the same key
            time.sleep(1)


def test_submissions_and_notifications_survive_a_dead_worker_a_frozen_redis_and_a_database_cut() -> None:
    from tests.static_cache import collected_static_root

    env = {"NOTIFY_SEND_LEASE_SECONDS": "20", "NOTIFY_RETRY_BASE_SECONDS": "2", "DB_STATEMENT_TIMEOUT_MS": "10000",
           # The static files collected already: the app servers start without a minute of brotli.
           "STATIC_ROOT": str(collected_static_root())}
    with Topology(web=2, web_threads=4, web_workers=1, extra_env=env) as topo:
        topo.migrate()
        plan = json.loads(topo.python(
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom bench.load.seed import seed\n"
            f"print(seed(streets=1, communities=1, grids=2, points_per_grid=6, field_per_street=3, "
            f"office_per_street=1, receiver_url={topo.receiver.url!r}))"))
        topo.start()
        web_pids = [process.pid for _, process in topo.webs]
        started = time.time()
        field = Field(topo, plan)
        threads = [threading.Thread(target=field.worker, args=(n, person), daemon=True)
                   for n, person in enumerate(plan["field"])]
        for thread in threads:
            thread.start()

        time.sleep(6)
        topo.kill_worker()  # a crashed worker, with whatever it was sending
        time.sleep(3)
        topo.start_worker()
        time.sleep(3)
        topo.freeze_redis()  # frozen, not dead: connections hang
        time.sleep(6)
        topo.thaw_redis()
        topo.restart_redis()  # and then gone and back, empty
        time.sleep(4)
        before_cut = dict(field.statuses)
        topo.pg.cut()
        cut_from = time.monotonic()
        during_cut: list[tuple[int, Any]] = []
        while time.monotonic() - cut_from < CUT_SECONDS:
            during_cut.append(get_json(f"{topo.base_urls[0]}/api/cases?limit=5",
                                       {"Authorization": f"Bearer {plan['office'][0]['token']}"}))
            time.sleep(2)
        topo.pg.restore()
        time.sleep(8)
        field.stop.set()
        for thread in threads:
            thread.join(timeout=60)

        # Every accepted submission stored exactly once.
        keys = list(field.accepted)
        stored = dict(topo.query("SELECT key, count(*) FROM inspections_inspection WHERE key = ANY(%s) GROUP BY key",
                                 (keys,)))
        assert len(keys) >= 10, field.statuses
        assert field.errors == []
        assert sorted(k for k in keys if stored.get(k) != 1) == []
        assert topo.query("SELECT count(*) FROM inspections_inspection")[0][0] == len(keys)

        # The API answered the cut with its JSON 503, never a bare 500.
        assert 500 not in field.statuses, field.statuses
        assert any(status == 503 for status, _ in during_cut), during_cut
        for status, body in during_cut:
            if status == 503:
                assert isinstance(body, dict) and body["error"]["code"], body
        assert field.statuses[503] > before_cut.get(503, 0)

        # Every robot message of the run delivered; a repeat only with its key (an idempotent receiver).
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            waiting = topo.query("SELECT count(*) FROM notify_message WHERE channel = 'wecom' "
                                 "AND status IN ('pending', 'sending')")[0][0]
            if not waiting:
                break
            time.sleep(2)
        messages = topo.query("SELECT key, title, status FROM notify_message WHERE channel = 'wecom'")
        assert messages and all(status == "sent" for _, _, status in messages), Counter(s for _, _, s in messages)
        calls = topo.receiver.calls
        for key, title, _status in messages:
            mine = [c for c in calls if title in c["body"]]
            assert mine, f"{key} never reached the robot"
            if len(mine) > 1:
                assert all(c["key"] == mine[0]["key"] != "" for c in mine), \
                    f"{key} sent {len(mine)} times without its key"

        # Both app servers ready again, the same processes.
        assert [process.pid for _, process in topo.webs] == web_pids
        assert all(process.poll() is None for _, process in topo.webs)
        for base in topo.base_urls:
            deadline = time.monotonic() + 30
            while get_json(f"{base}/readyz")[0] != 200 and time.monotonic() < deadline:
                time.sleep(1)
            assert get_json(f"{base}/readyz")[0] == 200
        print(f"\n{len(keys)} submissions accepted in {time.time() - started:.0f} s; statuses {dict(field.statuses)}; "
              f"slowest answer {field.slowest:.1f} s; {len(messages)} robot messages, {len(calls)} robot calls")
