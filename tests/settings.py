"""Test settings: the project's settings with a throw-away data directory, so tests never touch
a real installation's database, secret or uploaded files."""

import os
import tempfile

os.environ.setdefault("CHUANGCHENG_HOME", tempfile.mkdtemp(prefix="chuangcheng-test-"))

from chuangcheng.settings import *  # noqa: E402, F403

# Argon2 is what production uses (see chuangcheng.settings); tests hash thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A test database need not survive a power cut: PostgreSQL need not wait for the disk at each
# commit (the suite commits often: transactional tests flush every table after each test).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()

# Servers the tests start in-process (waitress, the live server) would otherwise keep their threads'
# connections open past the session and stop PostgreSQL from dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Templates name the plain static files, served from the packages: the suite never waits for a
# collection. tests/web/test_static_files.py runs the collected, compressed configuration.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = None

# The test database on SQLite is one in-memory database shared by the test's threads, whose table
# locks fail at once instead of waiting: a delivery thread writing while a live server's request
# (a browser test) writes would fail one of them. The notifications' own thread tests turn it on.
NOTIFY_BACKGROUND = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"  # noqa: F405

# Tests write and read at once: the dashboards compute today on every request (the shared cache is
# tested with this setting changed, in tests/reports/test_query_counts.py).
REPORTS_TODAY_CACHE_SECONDS = 0
