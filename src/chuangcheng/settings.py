"""One settings module. Every knob comes from the environment through a small typed helper
that fails loudly, and every default is safe (DEBUG off, a generated secret, never a placeholder)."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from chuangcheng.core.storage_config import file_storage

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


# The data directory holds the SQLite database, uploaded files and the generated secret key.
DATA_DIR = Path(env_str("CHUANGCHENG_HOME", str(Path.home() / ".local" / "share" / "chuangcheng")))


def _secret_key() -> str:
    configured = os.environ.get("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Written once with owner-only permissions, so sessions survive restarts: to a name of this
    # process's first, then linked into place, so two processes starting together on a new data
    # directory (two `migrate`s, say) agree on one key and neither reads a half-written file.
    draft = DATA_DIR / f".secret_key.{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50))
    try:
        os.link(draft, key_file)
    except FileExistsError:
        pass  # another process was first: its key is the key
    finally:
        draft.unlink()
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "chuangcheng.core",
    "chuangcheng.org",
    "chuangcheng.standards",
    "chuangcheng.places",
    "chuangcheng.notify",
    "chuangcheng.evidence",
    "chuangcheng.cases",
    "chuangcheng.inspections",
    "chuangcheng.reports",
    "chuangcheng.public",
    "chuangcheng.engagement",
    "chuangcheng.surveys",
    "chuangcheng.materials",
    "chuangcheng.problems",
    "chuangcheng.hotline",
    "chuangcheng.assessment",
    "chuangcheng.api",
    "chuangcheng.web",
    "chuangcheng.demo",
]

MIDDLEWARE = [
    "chuangcheng.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chuangcheng.core.middleware.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chuangcheng.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "chuangcheng.urls"
WSGI_APPLICATION = "chuangcheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chuangcheng.web.context.navigation",
            ],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'chuangcheng.sqlite3'}")
_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://"))
# Persistent connections (seconds; 0 closes each after its request), checked before reuse so a
# connection the server dropped is replaced instead of failing one request. PostgreSQL keeps them
# a minute by default. SQLite keeps them ten minutes: a new connection runs its PRAGMAs and reads
# the whole schema on its first statement, about half the time of a short API answer (issue 19).
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60 if _POSTGRES else 600)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)}
# PostgreSQL: a request fails fast (503, chuangcheng.core.faults) rather than hanging when the
# server cannot be reached: DB_CONNECT_TIMEOUT seconds to connect, DB_STATEMENT_TIMEOUT_MS per
# statement (0: none; `migrate` lifts it), and TCP keepalives notice a dropped network after about
# DB_KEEPALIVE_SECONDS on an open connection.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
DB_KEEPALIVE_SECONDS = env_int("DB_KEEPALIVE_SECONDS", 15)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT_MS > 0:
        _pg_options["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    if DB_KEEPALIVE_SECONDS > 0:
        _pg_options.update({"keepalives": 1, "keepalives_idle": max(1, DB_KEEPALIVE_SECONDS // 3),
                            "keepalives_interval": max(1, DB_KEEPALIVE_SECONDS // 6), "keepalives_count": 3,
                            "tcp_user_timeout": DB_KEEPALIVE_SECONDS * 1000})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on busy_timeout instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "chuangcheng.org.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuangcheng.org.passwords.NotBlankValidator"},
    {"NAME": "chuangcheng.org.passwords.RepetitionValidator"},
    {"NAME": "chuangcheng.org.passwords.PlaceNameValidator"},
    {"NAME": "chuangcheng.org.passwords.CommonChineseValidator"},
]

# Sign-in protection (chuangcheng.org.signin): this many failures lock an account for the window
# after its last failure, each further one doubling the wait (at most a day); an address with
# LOGIN_ADDRESS_FAILURE_LIMIT failures in the window gets one try per account per window, while
# right passwords for accounts that are not locked still sign in from it.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)

# A personal API token stops working this many days after it was made (and at once when revoked
# or when its owner's password changes).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS must be at least 1")
# A valid token is remembered this many seconds by the process that checked it (its user and scope
# with it). Revoking it, or changing its user, takes effect at once in that process, and within
# these seconds in the other worker processes and machines; 0 looks every request's token up.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 10)
# List endpoints give at most this many rows a request (`limit`); the default page is smaller.
API_MAX_LIMIT = env_int("API_MAX_LIMIT", 200)

# Django's password sign-in; the user of a session is read with its scope (one query fewer a page).
AUTHENTICATION_BACKENDS = ["chuangcheng.org.backends.ScopedModelBackend"]

# Idle sessions end after this many minutes; a request extends the session (saving it at most
# once a SESSION_TOUCH_SECONDS, chuangcheng.core.middleware.SlidingSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy (nginx, a cloud load balancer): X-Forwarded-Proto and X-Forwarded-For are
# believed only from these addresses (or CIDR ranges); from anyone else they are dropped
# (chuangcheng.core.proxy). `chuangcheng serve` and chuangcheng.wsgi both apply this.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"]) if BEHIND_PROXY else []
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or range") from exc
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
# `serve` collects the static files here once per installed version (chuangcheng.core.staticfiles):
# hashed names, gzip and brotli copies, cached a year by browsers.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or str(DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded files (photos): MEDIA_ROOT by default; S3-compatible object storage when S3_BUCKET is
# set, with S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_PREFIX and
# S3_ADDRESSING_STYLE (see chuangcheng.core.storage_config; needs the s3 extra).
STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {"BACKEND": "chuangcheng.core.staticfiles.CollectedStaticStorage"},
}
import xstatic.pkg.leaflet  # noqa: E402
import xstatic.pkg.leaflet_markercluster  # noqa: E402

STATICFILES_DIRS = [
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
# The plotly package ships plotly.min.js beside 10 MB of data we do not serve: that one file only.
STATIC_PACKAGE_FILES = {
    "plotly/plotly.min.js": str(Path(importlib.util.find_spec("plotly").origin).parent  # type: ignore[union-attr, arg-type]
                                / "package_data" / "plotly.min.js"),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "chuangcheng.core.staticfiles.PackageFileFinder",
]
# WhiteNoise serves the collected files (hashed names: `Cache-Control: max-age=31536000, immutable`)
# and, for names not collected (nothing collected yet: tests, a bare WSGI server), the packages' own.
WHITENOISE_USE_FINDERS = True
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000)
# The most rows one Excel export may hold (per ledger); more: the user is asked to narrow the period.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 20000)
if EXPORT_MAX_ROWS < 1:
    raise ImproperlyConfigured(f"EXPORT_MAX_ROWS must be at least 1, got {EXPORT_MAX_ROWS}")
# Exports of more rows than this are built in the background, with a progress page (core.exports).
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 2000)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
# The largest document the materials archive (申报材料) accepts, in megabytes.
CHUANGCHENG_MATERIALS_MAX_MB = env_int("CHUANGCHENG_MATERIALS_MAX_MB", 20)
if CHUANGCHENG_MATERIALS_MAX_MB < 1:
    raise ImproperlyConfigured(f"CHUANGCHENG_MATERIALS_MAX_MB must be at least 1, got {CHUANGCHENG_MATERIALS_MAX_MB}")
# A TrueType/OpenType font with Chinese glyphs for photo watermarks; empty: look in the usual places.
PHOTO_WATERMARK_FONT = env_str("PHOTO_WATERMARK_FONT", "")
# Office hours for deadlines in working hours ("08:30-12:00,14:00-17:30").
OFFICE_HOURS = env_str("OFFICE_HOURS", "08:30-12:00,14:00-17:30")
# Case numbers read PREFIX-YYYYMMDD-NNNN (e.g. GM-20261129-0007 for 光明路街道).
CASE_NUMBER_PREFIX = env_str("CASE_NUMBER_PREFIX", "CC")

# Map tiles: a URL template such as a 天地图 or AMap tile URL. Empty: the map still draws
# regions and points on a blank background. AMap and Tencent tiles are GCJ-02.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_CRS = env_str("MAP_TILE_CRS", "wgs84")  # wgs84 | gcj02

# The public base URL printed in QR codes; empty means "the host the request came in on".
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")

# --- volunteer actions (志愿服务) ---
# A check-in is accepted within this distance (metres) of the action's place ...
VOLUNTEER_CHECKIN_RADIUS_M = env_int("VOLUNTEER_CHECKIN_RADIUS_M", 300)
# ... from this many minutes before the start until the end.
VOLUNTEER_CHECKIN_EARLY_MINUTES = env_int("VOLUNTEER_CHECKIN_EARLY_MINUTES", 30)
# Check-out stays open this many minutes after the end (hours are clipped to the window anyway).
VOLUNTEER_CHECKOUT_LATE_MINUTES = env_int("VOLUNTEER_CHECKOUT_LATE_MINUTES", 120)
# A check-out made by mistake can be undone by the volunteer for this many minutes.
VOLUNTEER_UNDO_CHECKOUT_MINUTES = env_int("VOLUNTEER_UNDO_CHECKOUT_MINUTES", 10)

# Logs (chuangcheng.core.logs): every line has its time, level, logger and request id, as text or
# (LOG_FORMAT=json) one JSON object a line; ACCESS_LOG adds a line per request on chuangcheng.access.
# A request that fails because the database is unavailable logs one line a minute per kind of
# failure on chuangcheng.faults, not its traceback (chuangcheng.core.faults).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
ACCESS_LOG = env_bool("ACCESS_LOG", True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "chuangcheng.core.logs.RequestIdFilter"},
        "database_tracebacks": {"()": "chuangcheng.core.faults.DropDatabaseTracebacks"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "chuangcheng.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"filters": ["database_tracebacks"]},
        "chuangcheng.access": {"level": "INFO" if ACCESS_LOG else "WARNING"},
    },
}

# /readyz: the time one check may take (the database's statement, the broker's ping), and the age
# past which a background process's heartbeat counts as stale (shown, not a failure).
READYZ_TIMEOUT_MS = env_int("READYZ_TIMEOUT_MS", 2000)
READYZ_HEARTBEAT_STALE_SECONDS = env_int("READYZ_HEARTBEAT_STALE_SECONDS", 300)
# /readyz shows the outbox backlog as stale when a due message has waited longer than this.
READYZ_OUTBOX_STALE_SECONDS = env_int("READYZ_OUTBOX_STALE_SECONDS", 900)
# Prometheus scrapes /metrics from these networks (the real client behind a trusted proxy), or
# from anywhere with `Authorization: Bearer <METRICS_TOKEN>` when a token is set.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Alerts (chuangcheng.notify.alerts): failed messages and a growing outbox backlog are told to the
# street admins' inbox and, by e-mail, to these operators, at most once an hour each.
OPERATOR_EMAILS = env_list("OPERATOR_EMAILS", [])
ALERT_BACKLOG_MESSAGES = env_int("ALERT_BACKLOG_MESSAGES", 200)

# --- background jobs (notify) ---
# Empty REDIS_URL: the embedded mode, jobs run in-process right after commit. Set (e.g.
# redis://127.0.0.1:6379/0): Celery workers over Redis (`chuangcheng worker --beat`).
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
# A task is acknowledged after it ran, so a worker that dies mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 10, "visibility_timeout": 3600}
# A periodic job's run is claimed through the database (core.jobs) for at most this long: a holder
# that dies mid-run blocks the job until then. Keep it above the longest job's run.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 900)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox sweeper: retries whose wait is over and messages the broker never got.
    "notify-deliver-pending": {"task": "notify.deliver_pending", "schedule": 60.0},
    # Cases: warn at 80 % of the time limit, escalate (督办) once overdue.
    "cases-sweep-deadlines": {"task": "cases.sweep_deadlines", "schedule": 300.0},
    # The morning plan (日调度): each street once a day, at its own plan_at (any minute, set per
    # street), so the job looks every minute and does nothing until a street's time has come.
    "inspections-make-todays-plans": {"task": "inspections.make_todays_plans", "schedule": 60.0},
    # Reports: store the figures of every finished day not yet stored (after midnight, or after a gap).
    "reports-build-rollups": {"task": "reports.build_rollups", "schedule": 600.0},
    # Reports: draft each street's daily bulletin at BULLETIN_DRAFT_AT: looked at every minute.
    "reports-draft-bulletins": {"task": "reports.draft_bulletins", "schedule": 60.0},
    # Reports: draft last week's ranking of each street once the week is over.
    "reports-draft-rankings": {"task": "reports.draft_rankings", "schedule": 600.0},
    # SQLite's query planner statistics (nothing to do on PostgreSQL).
    "core-refresh-statistics": {"task": "core.refresh_statistics", "schedule": 3600.0},
}

# Notifications: a failed send is retried after 1, 2, 4, 8, 16 … minutes, at most this often.
# Without Redis, messages are sent by one background thread per process, never on the request's
# thread. Off: sent right after commit on the committing thread (only for a database whose locks
# do not wait, such as the test suite's in-memory SQLite).
NOTIFY_BACKGROUND = True
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
# A send not finished within this time counts as dead with its worker: the sweeper takes it up
# again once (a second interrupted send marks it failed, as it may have arrived).
NOTIFY_SEND_LEASE_SECONDS = env_int("NOTIFY_SEND_LEASE_SECONDS", 300)
# Each channel's own timeout in seconds (connect and answer); a send that times out after it was
# made counts as "no answer" (it may have arrived), not as failed.
NOTIFY_TIMEOUTS = {
    "wecom": env_int("NOTIFY_TIMEOUT_ROBOT", 3),
    "dingtalk": env_int("NOTIFY_TIMEOUT_ROBOT", 3),
    "email": env_int("NOTIFY_TIMEOUT_EMAIL", 10),
    "sms": env_int("NOTIFY_TIMEOUT_SMS", 5),
}
# A send without an answer is tried again (same key, with the backoff) at most this often.
NOTIFY_UNKNOWN_RETRIES = env_int("NOTIFY_UNKNOWN_RETRIES", 2)
# Handing a message to the broker (Redis) waits at most this long, once per commit.
NOTIFY_BROKER_TIMEOUT = env_int("NOTIFY_BROKER_TIMEOUT", 2)
# Group robots are called only on these hosts (WeCom, DingTalk; add a private deployment's).
NOTIFY_WEBHOOK_HOSTS = env_list("NOTIFY_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
# "console" writes text messages to the log; else the dotted path of a class with send(phone, text).
NOTIFY_SMS_GATEWAY = env_str("NOTIFY_SMS_GATEWAY", "console")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "chuangcheng@localhost")

# --- reports: daily bulletin, weekly ranking, dashboards, one map -------------------------------


def env_clock_time(name: str, default: str) -> str:
    """A local time of day as HH:MM (24 h), refused at startup when malformed."""
    raw = env_str(name, default).strip()
    hours, sep, minutes = raw.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60):
        raise ImproperlyConfigured(f"{name} must be a time of day as HH:MM, got {raw!r}")
    return raw


# The evening job drafts each subdistrict's daily bulletin (日通报) once the local time is past this.
BULLETIN_DRAFT_AT = env_clock_time("BULLETIN_DRAFT_AT", "17:30")
# The issuing office printed on bulletins; "{street}" stands for the subdistrict's name.
BULLETIN_ISSUER = env_str("BULLETIN_ISSUER", "")
# The dashboards compute today's figures of a street at most this often (seconds; shared through
# the cache by every reader of the street): today on a dashboard may be that old. 0: every request.
REPORTS_TODAY_CACHE_SECONDS = env_int("REPORTS_TODAY_CACHE_SECONDS", 60)

# --- public: residents' reports (随手拍) and Open311 GeoReport v2 ---------------------------------
# Per device and per phone number; a flood is refused politely, nothing stored is lost.
PUBLIC_REPORTS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_HOUR", 5)
PUBLIC_REPORTS_PER_DAY = env_int("PUBLIC_REPORTS_PER_DAY", 20)
# Verification codes by text message: per phone (and per device) and how long a code is good.
PUBLIC_SMS_PER_HOUR = env_int("PUBLIC_SMS_PER_HOUR", 3)
PUBLIC_SMS_PER_DAY = env_int("PUBLIC_SMS_PER_DAY", 10)
PUBLIC_SMS_CODE_MINUTES = env_int("PUBLIC_SMS_CODE_MINUTES", 10)
# Per client address (core.proxy.client_address), so a fresh cookie jar is limited too: larger than
# the per-device allowance, as a family, an office or a mobile carrier's NAT shares one address.
PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR", 15)
PUBLIC_REPORTS_PER_ADDRESS_PER_DAY = env_int("PUBLIC_REPORTS_PER_ADDRESS_PER_DAY", 60)
PUBLIC_SMS_PER_ADDRESS_PER_HOUR = env_int("PUBLIC_SMS_PER_ADDRESS_PER_HOUR", 10)
PUBLIC_SMS_PER_ADDRESS_PER_DAY = env_int("PUBLIC_SMS_PER_ADDRESS_PER_DAY", 30)
# Nearby open cases of the same category shown as possible duplicates while reporting.
PUBLIC_DUPLICATE_METERS = env_int("PUBLIC_DUPLICATE_METERS", 100)
PUBLIC_DUPLICATE_DAYS = env_int("PUBLIC_DUPLICATE_DAYS", 14)
# The subdistrict (街道) residents report to on /r/: its code. Empty: every subdistrict in the database.
# The report page's map, its community list and the place check are limited to it.
PUBLIC_STREET = env_str("PUBLIC_STREET", "")
# 文明积分: off unless switched on; points for a report the street office accepts.
PUBLIC_POINTS_ENABLED = env_bool("PUBLIC_POINTS_ENABLED", False)
PUBLIC_POINTS_PER_REPORT = env_int("PUBLIC_POINTS_PER_REPORT", 10)
# Texts to reporters who asked, points for reports accepted on the case pages, old rate-limit rows.
CELERY_BEAT_SCHEDULE["public-notify-reporters"] = {"task": "public.notify_reporters", "schedule": 120.0}
CELERY_BEAT_SCHEDULE["public-award-points"] = {"task": "public.award_due_points", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["core-purge-exports"] = {"task": "core.purge_exports", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["public-prune-attempts"] = {"task": "public.prune_attempts", "schedule": 3600.0}
# Task lists: remind units of tasks due soon, escalate (督办) overdue ones, once each.
CELERY_BEAT_SCHEDULE["tasklists-sweep-tasks"] = {"task": "tasklists.sweep_tasks", "schedule": 600.0}
# Alerts about failed messages and the outbox backlog (chuangcheng.notify.alerts).
CELERY_BEAT_SCHEDULE["notify-check-alerts"] = {"task": "notify.check_alerts", "schedule": 300.0}

# 12345 hotline work orders: the hotline's limits when an order does not carry its own deadlines,
# the category for orders whose category we do not have (a code; empty: the first), and the
# hotline's interface (empty URL: exchange by Excel only). Pulls and pushes retry with backoff.
HOTLINE_SIGN_HOURS = env_int("HOTLINE_SIGN_HOURS", 24)
HOTLINE_FINISH_DAYS = env_int("HOTLINE_FINISH_DAYS", 5)
HOTLINE_CATEGORY = env_str("HOTLINE_CATEGORY", "")
HOTLINE_URL = env_str("HOTLINE_URL", "")
HOTLINE_TOKEN = env_str("HOTLINE_TOKEN", "")
HOTLINE_STREET = env_str("HOTLINE_STREET", "")  # the code of the subdistrict the interface's orders are for
HOTLINE_TIMEOUT = env_int("HOTLINE_TIMEOUT", 10)
HOTLINE_RETRIES = env_int("HOTLINE_RETRIES", 3)
HOTLINE_BACKOFF_SECONDS = env_int("HOTLINE_BACKOFF_SECONDS", 2)
CELERY_BEAT_SCHEDULE["hotline-exchange"] = {"task": "hotline.exchange", "schedule": 300.0}
# Open311 clients that are hotline systems: their own limit of work orders per key and hour.
OPEN311_ORDERS_PER_HOUR = env_int("OPEN311_ORDERS_PER_HOUR", 200)
