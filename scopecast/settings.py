"""Scopecast settings: one module, read from the environment.

Every value has a safe embedded default that needs no services (SQLite, the
in-memory channel layer, an in-process tile cache). Production is configured
by environment variables; see README.md and docs/deploy.md for the table.
"""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from scopecast.env import (
    database_from_url,
    envbool,
    envint,
    envlist,
    envpaths,
    envstr,
    memcached_servers,
)

# Lets admin/queryset classes be subscripted at runtime (ModelAdmin[Slide]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("SCOPECAST_VAR_DIR") or BASE_DIR / "var").resolve()

DEBUG = envbool("DEBUG", True)

_DEV_SECRET = "dev-insecure-secret-key-only-for-DEBUG-never-deploy-this-value-0123456789"
SECRET_KEY = envstr("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = _DEV_SECRET
# Earlier keys still accepted while SECRET_KEY is rotated (sessions, tile tokens).
SECRET_KEY_FALLBACKS: list[str] = []

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if DEBUG and "testserver" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append("testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_ROOT = envstr("SITE_ROOT", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "daphne",  # makes `runserver` serve ASGI (HTTP and websockets)
    # Before the admin: its registration/ templates (password reset) win.
    "frontend",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "slides",
    "classroom",
    "quizzes",
    "realtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "scopecast.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "scopecast.urls"
ASGI_APPLICATION = "scopecast.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
_database_url = envstr("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    # The embedded default keeps its SQLite file in var/ (absent in a fresh clone).
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "scopecast.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer ----------------------------------------------------------
REDIS_URL = envstr("REDIS_URL") or ""
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub layer: broadcasts are fire-and-forget and cost one PUBLISH
            # per group message, whatever the number of subscribers.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Live sessions (see docs/protocol.md) ----------------------------------
# Prefix of realtime Redis keys and channel-layer group names.
REALTIME_PREFIX = envstr("REALTIME_PREFIX", "scrt") or "scrt"
# Warm the tiles of the teacher's views before the class asks (docs/tiles.md);
# off only to measure what it buys (bench/follow_browser.py).
LIVE_PREWARM = envbool("LIVE_PREWARM", True)
# --- Django's cache -----------------------------------------------------------
# Small shared counters only: the guest join-code rate limit (classroom/views.py).
# With REDIS_URL every process counts in Redis, so the limit holds for the whole
# deployment instead of once per process; without it, Django's per-process
# default. Tiles never use this cache: slides.tilecache has its own memcached
# client and in-process LRU.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{REALTIME_PREFIX}:cache",
        }
    }

# Seqs written to a socket that may await the client's ack before further
# frames wait in its outbox, where viewports coalesce (clients ack every
# half window; docs/protocol.md, "Delivery").
REALTIME_SEND_WINDOW = envint("REALTIME_SEND_WINDOW", 64, min_value=2)
# Broadcast frames are built once and written straight to daphne's sockets
# (realtime/daphne_wire.py); 0 sends every frame through ASGI instead.
REALTIME_DIRECT_WRITE = envbool("REALTIME_DIRECT_WRITE", True)
# Not environment variables: tuned in code and in tests (docs/protocol.md,
# "Limits, errors and close codes").
# A socket whose outbound queue holds more frames than this is too slow (4408),
# as is one whose acks lag more than REALTIME_MAX_LAG seqs, or stop for
# REALTIME_ACK_TIMEOUT seconds while it is behind.
REALTIME_MAX_PENDING = 256
REALTIME_MAX_LAG = 1000
REALTIME_ACK_TIMEOUT = 30.0
# Protocol violations (bad frames, refused commands) tolerated per window (4429).
REALTIME_ABUSE_LIMIT = 20
REALTIME_ABUSE_WINDOW = 10.0
# Multiplies every per-command rate and burst (benchmarks, tests).
REALTIME_RATE_SCALE = 1.0
# Continuous streams (viewport, pointer) are paced per process and session:
# at most this many stream frames a second leave a process, and one stream's
# frames are at least this many seconds apart (realtime/hub.py).
REALTIME_STREAM_FRAMES = 10_000
REALTIME_STREAM_MIN_INTERVAL = 0.04
# Hub ticks (presence refresh, slow clients, lost messages) and the debounce
# of roster announcements.
REALTIME_TICK = 5.0
REALTIME_ROSTER_DELAY = 0.25
# Presence entries nobody refreshed for this long leave the roster.
REALTIME_PRESENCE_STALE = 30.0
# Events kept per session for resume (?since=).
REALTIME_RING_SIZE = 512
# The session event log is written in batches: at this interval, or at once
# when this many rows are pending.
REALTIME_EVENTLOG_INTERVAL = 0.5
REALTIME_EVENTLOG_BATCH = 500
# Redis clients of the realtime stores: a bounded pool that waits for a
# connection for at most this long.
REALTIME_REDIS_MAX_CONNECTIONS = 50
REALTIME_REDIS_POOL_TIMEOUT = 10.0

# --- Joining (see docs/protocol.md, "Joining as a guest") --------------------
GUEST_TOKEN_MAX_AGE = 24 * 3600
# Join-code attempts per client address: (attempts, seconds).
JOIN_RATE_LIMIT = (10, 60)

# --- Slides and tiles -------------------------------------------------------
# Where imported, uploaded and converted slide files live.
SLIDE_STORAGE_ROOT = Path(envstr("SLIDE_STORAGE_ROOT") or VAR_DIR / "slides").resolve()
# Directories `import_slides` may read from (anything else is refused).
SLIDE_IMPORT_ROOTS = envpaths("SLIDE_IMPORT_ROOTS", [SLIDE_STORAGE_ROOT, VAR_DIR / "import"])
SLIDE_UPLOAD_MAX_BYTES = envint("SLIDE_UPLOAD_MAX_BYTES", 20 * 1024**3, min_value=1)
SLIDE_UPLOAD_CHUNK_BYTES = envint("SLIDE_UPLOAD_CHUNK_BYTES", 8 * 1024**2, min_value=64 * 1024)

TILE_SIZE = envint("TILE_SIZE", 254, min_value=16, max_value=4096)
TILE_OVERLAP = envint("TILE_OVERLAP", 1, min_value=0, max_value=64)
TILE_QUALITY = envint("TILE_QUALITY", 80, min_value=1, max_value=100)
# One more thread than cores: reads and encodes release the GIL, and the
# event loop needs it too (measured ~15% more cold tiles/s; docs/tiles.md).
TILE_WORKERS = envint("TILE_WORKERS", (os.cpu_count() or 2) + 1, min_value=1, max_value=64)
TILE_SLIDE_HANDLES = envint("TILE_SLIDE_HANDLES", 16, min_value=1, max_value=1024)
TILE_TOKEN_TTL = envint("TILE_TOKEN_TTL", 6 * 3600, min_value=60)
MEMCACHED_SERVERS = memcached_servers("MEMCACHED_SERVERS")
TILE_CACHE_PREFIX = envstr("TILE_CACHE_PREFIX", "sc") or "sc"
TILE_CACHE_LOCAL_MB = envint("TILE_CACHE_LOCAL_MB", 256, min_value=0)
TILE_CACHE_TTL = envint("TILE_CACHE_TTL", 7 * 24 * 3600, min_value=0)

# Background jobs (slide conversion, prewarm) run in-process in the embedded
# default; production runs `manage.py run_worker` (see docs/deploy.md).
SCOPECAST_INPROCESS_WORKER = envbool("SCOPECAST_INPROCESS_WORKER", not bool(_database_url))

# --- Quizzes (see docs/quizzes.md) -------------------------------------------
# Group commit: answers arriving within the window (or this many) share one
# transaction.
QUIZ_BATCH_WINDOW_MS = envint("QUIZ_BATCH_WINDOW_MS", 10, min_value=0, max_value=1000)
QUIZ_BATCH_MAX = envint("QUIZ_BATCH_MAX", 500, min_value=1, max_value=10000)
# Answers received up to this long after the deadline still count (network).
QUIZ_DEADLINE_GRACE_MS = envint("QUIZ_DEADLINE_GRACE_MS", 500, min_value=0, max_value=10000)
# At most one live aggregate update to the teacher per interval (200 ms = 5/s).
QUIZ_AGGREGATE_INTERVAL_MS = envint(
    "QUIZ_AGGREGATE_INTERVAL_MS", 200, min_value=50, max_value=10000
)
# --- E-mail (password reset) -------------------------------------------------
# An SMTP relay from the environment (docs/deploy.md, "E-mail"). Without one,
# DEBUG prints mails to the console, and production has no password reset:
# its pages answer 404 and the login page says whom to ask instead.
EMAIL_HOST = envstr("EMAIL_HOST", "") or ""
EMAIL_PORT = envint("EMAIL_PORT", 587, min_value=1, max_value=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other; set one")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "") or "Scopecast <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST) or DEBUG
# Whom the login page sends people who forgot their password (when reset is off).
ACCOUNT_HELP = envstr("ACCOUNT_HELP", "") or "your course's teacher or the department's IT desk"

# --- Auth, i18n, static -----------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT") or VAR_DIR / "static")
# Browser libraries come from npm (package.json + package-lock.json), never
# copied into the repository.
# Browser libraries from npm (package.json, pinned by package-lock.json),
# served as they are published; docs/frontend.md says why each was chosen.
STATICFILES_DIRS = [
    (
        "vendor/openseadragon",
        BASE_DIR / "node_modules" / "openseadragon" / "build" / "openseadragon",
    ),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/uqr", BASE_DIR / "node_modules" / "uqr" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = SLIDE_UPLOAD_CHUNK_BYTES + 1024 * 1024

# --- Security (on whenever DEBUG is off) ------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, min_value=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy of every response (scopecast/csp.py adds
# connect-src for this host's websockets). Nothing inline: no nonces needed.
CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        # libvips reports every threadpool run at INFO.
        "pyvips": {"level": "WARNING"},
    },
}
