"""Settings for the followups dashboard.

Every value comes from the environment (see `.env.example`). With DEBUG off, which is the
default, secrets have no fallback, so a misconfigured deployment fails at start-up rather than
at the first request.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from followups import getbill as upstream_config  # the GETBILL_* settings parsers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _env_positive_int(name: str, *, default: int, minimum: int = 1) -> int:
    value = env.int(name, default=default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}.")
    return value


DEBUG = env.bool("DJANGO_DEBUG", default=False)

# An empty value counts as unset: `.env.example` ships the line `DJANGO_SECRET_KEY=`.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY.strip():
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "django-insecure-local-development-only-key"  # noqa: S105 - development only

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [],
)

INSTALLED_APPS = [
    "dashboard.admin_apps.DashboardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # `render(request, "page.html#region")`: a region htmx swaps lives once, in its page.
    "template_partials",
    "csp",
    "axes",
    "dashboard",
    "followups",
    "reviews",
    "insights",
    "calibration",
    # Before django_tasks_db: its `db_worker` is wrapped to check the speech model at start.
    "transcripts",
    "trackers",
    "search",
    "webhooks",
    "calls",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every log line and every response, error pages included, carry the request's ID.
    "dashboard.request_id.RequestIdMiddleware",
    # Runs what a page leaves until its response is sent (the recently viewed list).
    "dashboard.after_response.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, whose refusal of an unknown Host (400) skips the middleware after it.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dashboard.security.DashboardCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dashboard.sessions.SessionIdleRefreshMiddleware",
    "dashboard.security.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.BrowserTimeZoneMiddleware",
    # Every AppError a view raises becomes its error page or its panel's error, here.
    "followups.error_boundary.AppErrorMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

# The sandbox adds its own in sandbox mode (below).
_context_processors = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "dashboard.context_processors.dashboard",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _context_processors},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads and worker processes write at once (sessions, audit entries, recent
    # views). WAL lets readers go on while one writes; IMMEDIATE transactions take the write
    # lock up front, so two transactions never deadlock upgrading a read lock (which SQLite
    # answers with an instant "database is locked" instead of waiting); the busy timeout
    # makes a writer wait its turn. synchronous=NORMAL is safe with WAL (a power cut may lose
    # the last commits, never corrupts) and saves a disk flush per write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 10,
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
        }
    )
# Each worker thread keeps its connection for a minute instead of opening one per request: a
# server process on PostgreSQL; on SQLite the file opened, the PRAGMAs above run and Django's
# functions registered, some milliseconds of every page. One that a database restart closed is
# replaced before a request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _shared_disk_cache_folder() -> Path:
    """Beside the SQLite database, as its `-wal` and `-shm` files are (beside manage.py when
    the database is elsewhere): a folder of its own, so cache writes never wait for the app's."""
    database = DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database["ENGINE"] == "django.db.backends.sqlite3" and name and ":memory:" not in name:
        return Path(name).with_name(f"{Path(name).name}-cache")
    return BASE_DIR / "cache"


if env.str("CACHE_URL", default="").strip():
    CACHES = {"default": env.cache("CACHE_URL")}
else:
    # The embedded default: one cache for every process on the machine (gunicorn's workers
    # and any task worker), so they share one GetBill token, the quota figures and GetBill's
    # answers without a server to run. See dashboard/disk_cache.py for why this backend.
    CACHES = {
        "default": {
            "BACKEND": "dashboard.disk_cache.SharedDiskCache",
            "LOCATION": str(_shared_disk_cache_folder()),
            # A lock wait retries every 10 ms, in SQLite's busy handler and then in diskcache.
            "DATABASE_TIMEOUT": 0.010,
            "SHARDS": 8,
            # GetBill's answers (a few KB each, a debt's page of 100 some 300 KB) for
            # GETBILL_STALE_SECONDS: tens of MB; the least recently stored go first past this.
            "OPTIONS": {"size_limit": 256 * 2**20},
        }
    }
if CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
    # A per-process cache (tests, or `CACHE_URL=locmemcache://`) holds GetBill's answers too (a
    # debt's page keeps its followups under their own IDs): Django's 300 entries would push the
    # shared token and the per-user counts out. 5,000 answers of a few KB each stay in tens of
    # MB. `?max_entries=` still decides.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same cache, without a new Redis client object per call (see the module).
    CACHES["default"]["BACKEND"] = "dashboard.redis_cache.PooledClientRedisCache"
    # A Redis that stops answering fails the request in seconds (a 503 page) instead of
    # holding a worker thread until gunicorn's timeout.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 2, "socket_timeout": 2}
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "followups:search"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins are limited by django-axes: after AXES_FAILURE_LIMIT wrong passwords for one
# user name from one address, that pair is locked out for AXES_COOLOFF_TIME (429 page).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "dashboard.auth_backends.OneQueryModelBackend",
    # Resolves only sessions signed in before the backend moved here (see the module).
    "followups.auth_backends.OneQueryModelBackend",
]
AXES_FAILURE_LIMIT = _env_positive_int("DASHBOARD_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(
    minutes=_env_positive_int("DASHBOARD_LOGIN_LOCKOUT_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dashboard.security.login_lockout_response"

# Sessions end after this long without a request. Rather than writing the session on every
# request, dashboard.sessions.SessionIdleRefreshMiddleware pushes its end back at most once a
# minute (sooner for idle times under 30 minutes: every thirtieth of them), so a session ends
# between IDLE-1 and IDLE minutes after its last request.
DASHBOARD_SESSION_IDLE_MINUTES = _env_positive_int("DASHBOARD_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = DASHBOARD_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, read in one plain statement (dashboard.sessions).
SESSION_ENGINE = "dashboard.sessions"

# --- Hardening ---------------------------------------------------------------------------------
# Production defaults; each can be turned off from the environment (tests run over plain http).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Scripts never need the CSRF cookie: forms and the player send the token from the page.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Followup IDs in page URLs and signed links must not reach other sites (the recording host
# included). Not "no-referrer": browsers then send `Origin: null` on same-site form posts,
# which Django's CSRF check rejects over https.
SECURE_REFERRER_POLICY = "same-origin"
# The load balancer's health checks reach the app directly, over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preloading commits the whole domain, subdomains included, to https for good: a
    # decision for the domain's owner, off unless DJANGO_SECURE_HSTS_PRELOAD says so.
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]

# Content Security Policy (django-csp): no inline script or style, nothing from elsewhere but
# the recordings, whose hosts (media-src) follow GETBILL_MEDIA_HOSTS at request time
# (dashboard.security.DashboardCSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "media-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
        "base-uri": [csp_constants.NONE],
        "object-src": [csp_constants.NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A TLS-terminating proxy in front of the app tells it the original scheme.
if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Take the request ID from the proxy's X-Request-ID (else one is generated per request): only
# when every request passes through that proxy, or clients could choose the IDs in the logs.
DASHBOARD_TRUST_X_REQUEST_ID = env.bool("DJANGO_TRUST_X_REQUEST_ID", default=False)

# Every handler redacts tokens, the client secret and signed media links (dashboard.logging).
# Django's own loggers are declared here so none keeps a handler of Django's defaults, which
# would not redact.
# Each line carries the request's ID (dashboard.request_id). DJANGO_LOG_FORMAT=json writes one
# JSON object per line for log collectors; plain text is the default.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "dashboard.logging.SecretsRedactFilter"},
        "request_id": {"()": "dashboard.request_id.RequestIdLogFilter"},
        "refusal_one_line": {"()": "dashboard.logging.RefusalOneLineFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "dashboard.logging.SecretsSafeJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "refusal_one_line", "redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["request_id", "refusal_one_line", "redact_secrets"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # gunicorn's own handlers are replaced by this one in each worker, access log included.
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
# Error reports (admin e-mails, the debug page) hide the same secrets.
DEFAULT_EXCEPTION_REPORTER = "dashboard.logging.SecretsSafeExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "dashboard.logging.SecretsSafeExceptionReporterFilter"

# --- Access, audit trail, per-user limit -------------------------------------------------------
# Requests to GetBill one user may cause in any 60 minutes (a sliding hour); pages served from
# the shared cache are free. The company's quota is 1,000 an hour for everyone: a QA reviewer's
# hour costs about 22 (bench/quota.py), so 100 is four times a typical hour's work (or a manager
# opening calls of some 50 different debts in an hour: a followup and its debt's page each;
# stepping through one debt's followups costs nothing more), while no one person can spend more
# than a tenth of the quota and a team of 40 or more still shares it.
DASHBOARD_GETBILL_REQUESTS_PER_HOUR = _env_positive_int(
    "DASHBOARD_GETBILL_REQUESTS_PER_HOUR", default=100
)
# `manage.py audit_purge` deletes audit entries older than this.
DASHBOARD_AUDIT_RETENTION_DAYS = _env_positive_int("DASHBOARD_AUDIT_RETENTION_DAYS", default=365)
# Which channel of a two-channel recording is the agent's (the other is the debtor's): the dialer
# decides, so it is a setting. Transcripts label their speakers with it.
TRANSCRIPT_AGENT_CHANNEL = _env_positive_int("TRANSCRIPT_AGENT_CHANNEL", default=0, minimum=0)
if TRANSCRIPT_AGENT_CHANNEL > 1:
    raise ImproperlyConfigured("TRANSCRIPT_AGENT_CHANNEL must be 0 or 1 (a recording's channel).")

# --- GetBill -------------------------------------------------------------------------------
# Without credentials, a development setup (or GETBILL_SANDBOX=true) talks to the embedded
# sandbox over real HTTP, so the production client code path is the one exercised. With
# credentials configured, the sandbox is not installed and its routes do not exist.
GETBILL_CLIENT_ID = env.str("GETBILL_CLIENT_ID", default="")
GETBILL_SANDBOX = not GETBILL_CLIENT_ID and env.bool("GETBILL_SANDBOX", default=DEBUG)

if GETBILL_SANDBOX:
    # First, so that its `runserver` wraps the others and points the client at the sandbox.
    INSTALLED_APPS.insert(0, "sandbox")
    # Where the dashboard itself is served; `runserver` overrides it with its own address.
    SANDBOX_ORIGIN = upstream_config.upstream_url_clean(
        name="GETBILL_SANDBOX_ORIGIN",
        value=env.str("GETBILL_SANDBOX_ORIGIN", default="http://127.0.0.1:8000"),
    )
    GETBILL_CLIENT_ID = "sandbox-client"
    GETBILL_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - fixed credentials of the fake
    GETBILL_API_URL = f"{SANDBOX_ORIGIN}/sandbox/external-api/v1"
    GETBILL_TOKEN_URL = f"{SANDBOX_ORIGIN}/sandbox/token"
    # The fake GetBill's own behaviour, as GetBill documents it; tests shrink these with the
    # `settings` fixture. SANDBOX_SLOW_SECONDS is how long the "fault-slow" ID stalls.
    SANDBOX_TOKEN_TTL_SECONDS = 3600
    SANDBOX_MEDIA_URL_TTL_SECONDS = 3600
    SANDBOX_RATE_LIMIT = 1000
    SANDBOX_RATE_WINDOW_SECONDS = 3600
    SANDBOX_SLOW_SECONDS = 30
    # The live sandbox (`make run` turns it on; off in tests): while `runserver` serves, it
    # makes a new call from its recordings every SANDBOX_LIVE_SECONDS and POSTs GetBill's
    # signed `followup.created` and `followup.completed` events to the dashboard's webhook
    # (with GETBILL_WEBHOOK_SECRET). It stops after SANDBOX_LIVE_MAX_CALLS calls, the most
    # it keeps (in the shared cache, where every process reads them).
    SANDBOX_LIVE = env.bool("SANDBOX_LIVE", default=False)
    SANDBOX_LIVE_SECONDS = _env_positive_int("SANDBOX_LIVE_SECONDS", default=180)
    SANDBOX_LIVE_MAX_CALLS = _env_positive_int("SANDBOX_LIVE_MAX_CALLS", default=100)
    # The sign-in page names the demo account and the empty home page offers sample followups.
    _context_processors.append("sandbox.context_processors.sandbox_guide")
    # The sandbox serves its recordings and letters itself.
    GETBILL_MEDIA_HOSTS = [upstream_config.origin_host_port(origin=SANDBOX_ORIGIN)]
    # The client reaches the sandbox at SANDBOX_ORIGIN, plain http on loopback, and follows
    # no redirects.
    SECURE_REDIRECT_EXEMPT += [r"^sandbox/"]
else:
    if not DEBUG and not GETBILL_CLIENT_ID:
        raise ImproperlyConfigured(
            "GETBILL_CLIENT_ID must be set when DJANGO_DEBUG is off "
            "(or set GETBILL_SANDBOX=true to run on the embedded sandbox)."
        )
    GETBILL_CLIENT_SECRET = env.str("GETBILL_CLIENT_SECRET", default="")
    if GETBILL_CLIENT_ID and not GETBILL_CLIENT_SECRET:
        raise ImproperlyConfigured("GETBILL_CLIENT_SECRET must be set with GETBILL_CLIENT_ID.")
    GETBILL_API_URL = upstream_config.upstream_url_clean(
        name="GETBILL_API_URL",
        value=env.str("GETBILL_API_URL", default=upstream_config.DEFAULT_API_URL),
    )
    GETBILL_TOKEN_URL = upstream_config.upstream_url_clean(
        name="GETBILL_TOKEN_URL",
        value=env.str("GETBILL_TOKEN_URL", default=upstream_config.DEFAULT_TOKEN_URL),
    )
    # Hosts that recording and PDF URLs may point to; also the CSP's media-src.
    GETBILL_MEDIA_HOSTS = upstream_config.media_hosts_parse(
        value=env.str("GETBILL_MEDIA_HOSTS", default=upstream_config.DEFAULT_MEDIA_HOSTS)
    )

GETBILL_SCOPES = upstream_config.scopes_parse(
    value=env.str("GETBILL_SCOPES", default=upstream_config.DEFAULT_SCOPES)
)
# Seconds: to open a connection, to wait for each read, and for a whole lookup (token
# included), which also bounds an upstream that drip-feeds its answer.
GETBILL_CONNECT_TIMEOUT = upstream_config.seconds_parse(
    name="GETBILL_CONNECT_TIMEOUT",
    value=env.str("GETBILL_CONNECT_TIMEOUT", default=str(upstream_config.DEFAULT_CONNECT_TIMEOUT)),
)
GETBILL_READ_TIMEOUT = upstream_config.seconds_parse(
    name="GETBILL_READ_TIMEOUT",
    value=env.str("GETBILL_READ_TIMEOUT", default=str(upstream_config.DEFAULT_READ_TIMEOUT)),
)
GETBILL_DEADLINE = upstream_config.seconds_parse(
    name="GETBILL_DEADLINE",
    value=env.str("GETBILL_DEADLINE", default=str(upstream_config.DEFAULT_DEADLINE)),
)
# How long an answer from GetBill is shown again without asking (every worker shares them
# through the cache). Twenty minutes cover a QA reviewer's work on one debt (a call takes about
# six minutes to listen to and score; reloads, going back and the debt's next calls in that time
# cost nothing), which is what lets a team of 40 fit in the hourly quota (bench/quota.py: 44 at
# 20 minutes, 39 at 10). A followup under review has been processed and rarely changes that
# fast, a debt gains a followup a few times a day at most, and "Refresh from GetBill" fetches
# a page now. Answers with recording or letter links are never kept past the links' expiry
# minus a margin, whatever this says. 0 turns the cache off (stale copies are still kept for
# GetBill's outages).
GETBILL_CACHE_SECONDS = _env_positive_int("GETBILL_CACHE_SECONDS", default=1200, minimum=0)
# How old a copy may be to be shown, with a banner saying when it was fetched, while GetBill
# fails (5xx, timeout, 429, unreachable). Four hours keep half a working day readable through
# an outage; the cache holds at most that many hours of answers (a quota's worth an hour).
GETBILL_STALE_SECONDS = _env_positive_int("GETBILL_STALE_SECONDS", default=4 * 3600, minimum=0)
# When GetBill says fewer requests than this are left in the company's hour, what can be served
# from a kept copy (however old, within GETBILL_STALE_SECONDS) or skipped (the detail page's
# side panel, "Refresh from GetBill") is, so that lookups of new followups keep working. 100
# is a tenth of the hourly quota, where the footer starts warning.
GETBILL_QUOTA_RESERVE = _env_positive_int("GETBILL_QUOTA_RESERVE", default=100, minimum=0)

# --- GetBill webhooks ---------------------------------------------------------------------
# The secret GetBill signs its webhooks with (X-GetBill-Signature). Empty: POST
# /webhooks/getbill/ does not exist (404), and the dashboard learns of changes only by asking.
GETBILL_WEBHOOK_SECRET = env.str("GETBILL_WEBHOOK_SECRET", default="")
# The largest body read: an event is one followup or debt of a few KB; more is refused (413).
WEBHOOK_MAX_BYTES = _env_positive_int("WEBHOOK_MAX_BYTES", default=256 * 1024)
# A body received again within this many hours is not handled again (GetBill's events have no
# ID of their own); `manage.py webhooks_purge` deletes deliveries older than this.
WEBHOOK_DEDUP_HOURS = _env_positive_int("WEBHOOK_DEDUP_HOURS", default=72)

# --- Transcripts -----------------------------------------------------------------------------
# Jobs run through django-tasks' database backend, in the same database as everything else;
# `manage.py db_worker --queue-name transcripts` runs them (README, "Transcripts").
TRANSCRIPTS_QUEUE = "transcripts"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", TRANSCRIPTS_QUEUE],
    }
}
# "faster-whisper", or "off" to turn transcripts off.
TRANSCRIBE_ENGINE = env.str("TRANSCRIBE_ENGINE", default="faster-whisper").strip().lower()
if TRANSCRIBE_ENGINE not in ("faster-whisper", "off"):
    raise ImproperlyConfigured('TRANSCRIBE_ENGINE must be "faster-whisper" or "off".')
# A directory holding a CTranslate2 Whisper model; empty: the packaged model (Whisper base),
# assembled once into TRANSCRIBE_MODEL_DIR.
TRANSCRIBE_MODEL = env.str("TRANSCRIBE_MODEL", default="")
_database_dir = (
    Path(DATABASES["default"]["NAME"]).parent
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and DATABASES["default"]["NAME"] != ":memory:"
    else BASE_DIR
)
TRANSCRIBE_MODEL_DIR = Path(
    env.str("TRANSCRIBE_MODEL_DIR", default=str(_database_dir / "transcribe-model"))
)
# A language code ("fr", "en"...), or empty to detect each call's language.
TRANSCRIBE_LANGUAGE = env.str("TRANSCRIBE_LANGUAGE", default="").strip().lower()
# Threads of one transcription; keep at most the cores left over by the web workers.
TRANSCRIBE_THREADS = _env_positive_int("TRANSCRIBE_THREADS", default=2)
# int8 runs on any CPU at a quarter of float32's memory, with no measurable loss for Whisper.
TRANSCRIBE_COMPUTE_TYPE = env.str("TRANSCRIBE_COMPUTE_TYPE", default="int8")
# Caps on what a job downloads and decodes: a recording past them is refused, not transcribed.
TRANSCRIBE_MAX_BYTES = _env_positive_int("TRANSCRIBE_MAX_BYTES", default=200 * 1024 * 1024)
TRANSCRIBE_MAX_SECONDS = _env_positive_int("TRANSCRIBE_MAX_SECONDS", default=2 * 3600)
# Seconds a download may take in all (a drip-feeding server does not hold a worker longer).
TRANSCRIBE_DOWNLOAD_SECONDS = _env_positive_int("TRANSCRIBE_DOWNLOAD_SECONDS", default=120)
# Attempts of a job that fails for a passing reason (GetBill failing, an expired link), the
# first retry's wait (each next one waits four times longer), and how long a job may run before
# its transcript is taken for abandoned (its worker died) and queued again.
TRANSCRIBE_MAX_ATTEMPTS = _env_positive_int("TRANSCRIBE_MAX_ATTEMPTS", default=3)
TRANSCRIBE_RETRY_SECONDS = _env_positive_int("TRANSCRIBE_RETRY_SECONDS", default=30)
TRANSCRIBE_JOB_TIMEOUT_SECONDS = _env_positive_int(
    "TRANSCRIBE_JOB_TIMEOUT_SECONDS", default=30 * 60
)
# `manage.py transcripts_purge` deletes transcripts (and calls only known) made longer ago
# than this.
DASHBOARD_TRANSCRIPT_RETENTION_DAYS = _env_positive_int(
    "DASHBOARD_TRANSCRIPT_RETENTION_DAYS", default=365
)
# `manage.py calls_poll` reads GetBill's newest calls this often (one request per call-like
# type: 3 requests, 36 an hour at 5 minutes), six times less often while GetBill delivers
# followups' webhooks; 0 turns the read off.
DASHBOARD_CALLS_POLL_MINUTES = _env_positive_int(
    "DASHBOARD_CALLS_POLL_MINUTES", default=5, minimum=0
)
