"""Settings, read from the environment. Every variable is documented in README.md."""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of the embedded defaults (SQLite file, generated secret key, embedded Redis).
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_datetime(name: str, default: str) -> dt.datetime:
    """An ISO 8601 date or date-time from the environment; no offset means UTC."""
    raw = os.environ.get(name) or default
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an ISO 8601 date or date-time, not {raw!r}.") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# A clone on a developer's machine sets none of the variables a deployment has to set
# (a SECRET_KEY, the ALLOWED_HOSTS it is reached by, or DEBUG itself): it gets the same
# local development defaults `make run` uses, so `manage.py ...` works as README writes it.
# Setting any of them is a deployment, where DEBUG is off unless asked for and a missing
# SECRET_KEY refuses to start.
DEPLOYMENT_MARKERS = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
LOCAL_DEVELOPMENT = not any(os.environ.get(name) for name in DEPLOYMENT_MARKERS)
DEBUG = env_bool("DEBUG", default=LOCAL_DEVELOPMENT)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "comments",
    "moderation",
    "perspective",
    "analytics",
    "webhooks",
]

MIDDLEWARE = [
    "config.headers.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early, so its 503 passes through the others; it only acts on a view's database refusal.
    "config.overload.DatabaseOverloadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moderation.context_processors.navigation",
            ],
        },
    },
]


# PostgreSQL connections (README "Running in production"). Without a pool each
# web thread keeps one connection for DATABASE_CONN_MAX_AGE seconds, so the
# total is (processes x threads) and must stay under max_connections; with
# DATABASE_POOL_MAX > 0 each process shares a pool of at most that many.
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))  # seconds; then 503, not a hang
DATABASE_POOL_MIN = int(os.environ.get("DATABASE_POOL_MIN", "0"))
DATABASE_POOL_MAX = int(os.environ.get("DATABASE_POOL_MAX", "0"))  # 0: no pool
DATABASE_POOL_TIMEOUT = float(os.environ.get("DATABASE_POOL_TIMEOUT", "5"))  # seconds a request waits for a pooled connection
# Behind PgBouncer in transaction mode server-side cursors do not survive between transactions.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER")
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "5"))  # the 503's Retry-After


def _postgres_pool() -> dict:
    """Django 5.2's psycopg pool, sized from the settings above."""
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "DATABASE_POOL_MAX is set but psycopg_pool is not installed: pip install 'psycopg[pool]', "
            "or unset DATABASE_POOL_MAX and use persistent connections or PgBouncer (README, Running in production)."
        ) from None
    if not 0 <= DATABASE_POOL_MIN <= DATABASE_POOL_MAX:
        raise ImproperlyConfigured("DATABASE_POOL_MIN must be between 0 and DATABASE_POOL_MAX.")
    return {"min_size": DATABASE_POOL_MIN, "max_size": DATABASE_POOL_MAX, "timeout": DATABASE_POOL_TIMEOUT}


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        parsed = dj_database_url.parse(url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
        if parsed["ENGINE"] == "django.db.backends.postgresql":
            options = parsed.setdefault("OPTIONS", {})
            # PostgreSQL's JIT compiles any query it over-estimates (a JSON test
            # over the flags) for 200 ms to save a few: a loss for short queries.
            options["options"] = "-c jit=off"
            options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
            if DATABASE_POOL_MAX > 0:
                options["pool"] = _postgres_pool()
                parsed["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
            if DATABASE_PGBOUNCER:
                parsed["DISABLE_SERVER_SIDE_CURSORS"] = True
        return parsed
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            # WAL lets the web process read while a worker writes; IMMEDIATE
            # transactions take the write lock up front instead of failing
            # half-way with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# When REDIS_URL is unset, `make run` starts an embedded Redis on this socket.
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
REDIS_URL = os.environ.get("REDIS_URL") or f"redis+socket://{EMBEDDED_REDIS_SOCKET}"

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Pool processes load the models when they start (moderation.tasks); that takes
# longer than Celery's default 4 s before it gives up on a new process.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 180
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task must not hang forever on a broker that is down: publishing gives up
# quickly and the periodic sweep re-enqueues from the database later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 5, "socket_connect_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/queue/"
LOGOUT_REDIRECT_URL = "/login/"

# Brute-force protection (django-axes): after AXES_FAILURE_LIMIT failed logins
# for one username from one address, that pair is locked out for the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # no "AXES: BEGIN …" banner on every manage.py command and process start

# The moderator queue (see docs/queue.md).
QUEUE_CLAIM_SECONDS = int(os.environ.get("QUEUE_CLAIM_SECONDS", "300"))  # how long opening an item holds it
QUEUE_UNDO_SECONDS = int(os.environ.get("QUEUE_UNDO_SECONDS", "60"))  # how long a decision can be taken back
QUEUE_POLL_SECONDS = int(os.environ.get("QUEUE_POLL_SECONDS", "5"))  # how often an open queue asks for news
QUEUE_PAGE_SIZE = int(os.environ.get("QUEUE_PAGE_SIZE", "25"))
QUEUE_COUNT_CAP = int(os.environ.get("QUEUE_COUNT_CAP", "1000"))  # tab counts stop here and show "1000+"
# A body longer than this is shown cut, with "show all" (queue cards, thread context, analytics article pages).
QUEUE_BODY_PREVIEW_CHARS = int(os.environ.get("QUEUE_BODY_PREVIEW_CHARS", "2000"))

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # HSTS: Django's SecurityMiddleware sends it on HTTPS responses only
    # (behind a TLS proxy, set SECURE_PROXY_SSL_HEADER so it knows).
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every HTML response (config/headers.py). Scripts and styles are static
# files only: no inline script, no eval, no inline style. "" turns it off.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Scoring (see README.md, "Scoring").
TOXICITY_SCORER = {
    "backend": os.environ.get("TOXICITY_BACKEND", "auto"),  # auto | detoxify | heads | profanity-check
    "allow_profanity_fallback": os.environ.get("TOXICITY_FALLBACK", "") == "profanity-check",
    "model_type": os.environ.get("DETOXIFY_MODEL", "original"),
    "checkpoint": os.environ.get("DETOXIFY_CHECKPOINT") or None,
    "huggingface_config_path": os.environ.get("DETOXIFY_HF_CONFIG") or None,
    "quantize": env_bool("DETOXIFY_QUANTIZE"),
}
FRAMING_SEMANTIC = env_bool("FRAMING_SEMANTIC", True)
SCORING_BATCH_SIZE = int(os.environ.get("SCORING_BATCH_SIZE", "64"))  # comments one task leases
SCORING_MAX_ATTEMPTS = int(os.environ.get("SCORING_MAX_ATTEMPTS", "5"))
SCORING_LEASE_SECONDS = int(os.environ.get("SCORING_LEASE_SECONDS", "300"))
SCORING_STALE_SECONDS = int(os.environ.get("SCORING_STALE_SECONDS", "60"))
CELERY_TASK_ROUTES = {"moderation.tasks.score_comments": {"queue": "score"}}
CELERY_BEAT_SCHEDULE = {
    "scoring-sweep": {"task": "moderation.tasks.sweep_scoring", "schedule": float(os.environ.get("SCORING_SWEEP_SECONDS", "30"))},
}

# The Perspective-compatible API and Coral's external moderation (see docs/perspective.md).
PERSPECTIVE_TIMEOUT_SECONDS = float(os.environ.get("PERSPECTIVE_TIMEOUT_SECONDS", "5"))  # then a 503, never a hang
# The realtime scorer's own HTTP server for the Perspective-compatible API ("" turns it off).
PERSPECTIVE_API_LISTEN = os.environ.get("PERSPECTIVE_API_LISTEN", "127.0.0.1:8001")
# The Perspective endpoint the settings and new-key pages give clients ("": the realtime
# scorer's PERSPECTIVE_API_LISTEN address, or this web port when that is off). Set it behind a proxy.
PERSPECTIVE_PUBLIC_URL = os.environ.get("PERSPECTIVE_PUBLIC_URL", "")
# How long that server trusts a key check (and a site's framing terms): a revoked key stops working within this.
PERSPECTIVE_KEY_CACHE_SECONDS = float(os.environ.get("PERSPECTIVE_KEY_CACHE_SECONDS", "10"))
# The one body cap of the perspective/ surface: the Perspective-compatible API on both ports
# (perspective/door.py) and Coral's external moderation phase. Larger bodies get 413.
PERSPECTIVE_MAX_BODY_BYTES = int(os.environ.get("PERSPECTIVE_MAX_BODY_BYTES", str(256 * 1024)))
REALTIME_MAX_BATCH = int(os.environ.get("REALTIME_MAX_BATCH", "32"))  # requests the realtime scorer takes at once
REALTIME_TORCH_THREADS = int(os.environ.get("REALTIME_TORCH_THREADS", "1"))  # per scorer process; 0: torch's default

# Analytics (docs/analytics.md): rollups filled by a periodic task up to a watermark.
ANALYTICS_LAG_SECONDS = int(os.environ.get("ANALYTICS_LAG_SECONDS", "300"))  # re-read this far behind the watermark
ANALYTICS_HEAT_WINDOW_DAYS = int(os.environ.get("ANALYTICS_HEAT_WINDOW_DAYS", "7"))  # a thread quiet longer is not open
ANALYTICS_MAX_ATTEMPTS = int(os.environ.get("ANALYTICS_MAX_ATTEMPTS", "5"))  # runs a failing site is retried for
CELERY_BEAT_SCHEDULE["analytics-rollups"] = {"task": "analytics.tasks.update_rollups", "schedule": float(os.environ.get("ANALYTICS_ROLLUP_SECONDS", "60"))}

# Input bounds (README.md, "Input bounds"): every date or date-time from outside
# (webhooks, the read API, query strings, forms) must fall in this range, both ends included.
INPUT_DATE_MIN = env_datetime("INPUT_DATE_MIN", "1970-01-01T00:00:00+00:00")
INPUT_DATE_MAX = env_datetime("INPUT_DATE_MAX", "2100-01-01T00:00:00+00:00")
if INPUT_DATE_MIN >= INPUT_DATE_MAX:
    raise ImproperlyConfigured("INPUT_DATE_MIN must be before INPUT_DATE_MAX.")

# One body cap per surface (README.md, "Input bounds"): WEBHOOK_MAX_BODY_BYTES (below),
# PERSPECTIVE_MAX_BODY_BYTES (above), and for forms Django's own setting, read from the
# environment here; the webhook and Perspective doors read their bodies past it, under their own.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

# Webhooks, the read API and outbound events (see README.md, "Webhooks and the read API").
WEBHOOK_MAX_BODY_BYTES = int(os.environ.get("WEBHOOK_MAX_BODY_BYTES", str(256 * 1024)))
WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS = int(os.environ.get("WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS", "300"))
WEBHOOK_RATE_LIMIT = int(os.environ.get("WEBHOOK_RATE_LIMIT", "600"))  # deliveries per site per window; 0: off
WEBHOOK_RATE_WINDOW = int(os.environ.get("WEBHOOK_RATE_WINDOW", "60"))  # seconds
WEBHOOK_SECRET_OVERLAP_HOURS = float(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))
DELIVERY_BATCH_SIZE = int(os.environ.get("DELIVERY_BATCH_SIZE", "50"))  # deliveries one task leases
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "10"))
DELIVERY_RETRY_SECONDS = int(os.environ.get("DELIVERY_RETRY_SECONDS", "15"))
DELIVERY_RETRY_MAX_SECONDS = int(os.environ.get("DELIVERY_RETRY_MAX_SECONDS", "3600"))
DELIVERY_LEASE_SECONDS = int(os.environ.get("DELIVERY_LEASE_SECONDS", "300"))
DELIVERY_STALE_SECONDS = int(os.environ.get("DELIVERY_STALE_SECONDS", "60"))
OUTBOUND_MAX_ATTEMPTS = int(os.environ.get("OUTBOUND_MAX_ATTEMPTS", "12"))
OUTBOUND_RETRY_SECONDS = int(os.environ.get("OUTBOUND_RETRY_SECONDS", "60"))
OUTBOUND_RETRY_MAX_SECONDS = int(os.environ.get("OUTBOUND_RETRY_MAX_SECONDS", str(4 * 3600)))
OUTBOUND_TIMEOUT_SECONDS = float(os.environ.get("OUTBOUND_TIMEOUT_SECONDS", "10"))
CELERY_TASK_ROUTES.update({
    "webhooks.tasks.process_delivery": {"queue": "ingest"},
    "webhooks.tasks.sweep_deliveries": {"queue": "ingest"},
    "webhooks.tasks.send_outbound": {"queue": "outbound"},
    "webhooks.tasks.sweep_outbound": {"queue": "outbound"},
})
CELERY_BEAT_SCHEDULE.update({
    "deliveries-sweep": {"task": "webhooks.tasks.sweep_deliveries", "schedule": float(os.environ.get("DELIVERY_SWEEP_SECONDS", "15"))},
    "outbound-sweep": {"task": "webhooks.tasks.sweep_outbound", "schedule": float(os.environ.get("OUTBOUND_SWEEP_SECONDS", "30"))},
})
