"""A bare Django site for bench/served.py: the framework's floor under the same server (waitress)
and threads as `chuangcheng serve`. Two views: `/hello` and `/rows` (50 rows of JSON shaped like a
case list's rows).

    python bench/bare_site.py PORT [THREADS] [WORKERS]
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sys

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

CST = dt.timezone(dt.timedelta(hours=8))
ROWS = [
    {"number": f"CC-20261203-{n:04d}", "state": "dispatched", "category": "乱停乱放", "grid": "甲一网格",
     "unit": "光明路城管中队", "point": f"P{n:03d}", "address": "光明路 12 号",
     "deadline": dt.datetime(2026, 12, 5, 17, 30, tzinfo=CST), "overdue": n % 5 == 0,
     "created_at": dt.datetime(2026, 12, 3, 9, n % 60, tzinfo=CST), "rework_count": n % 3}
    for n in range(50)
]


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


def rows(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"items": ROWS, "count": len(ROWS)}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("hello", hello), path("rows", rows)]


def main() -> None:
    port = int(sys.argv[1])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    settings.configure(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], SECRET_KEY="bare-site",  # noqa: S106 - a benchmark's
                       MIDDLEWARE=["django.middleware.common.CommonMiddleware"], USE_TZ=True)
    django.setup()
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    app = get_wsgi_application()
    if workers == 1:
        serve(app, host="127.0.0.1", port=port, threads=threads, ident="bare")
        return
    # As `chuangcheng serve --workers N`: N processes, each a waitress, on one listening socket.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            serve(app, sockets=[sock], threads=threads, ident="bare")
            os._exit(0)
        children.append(pid)
    signal.signal(signal.SIGTERM, lambda *_: [os.kill(child, signal.SIGTERM) for child in children])
    for child in children:
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
