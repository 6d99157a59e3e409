"""The one settings module: every deployment (hub or node) is configured from its environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ImproperlyConfigured(
            f"Kyodo: the environment variable {name} is required and not set. "
            f"See deploy/node.env.example (manage.py and `kyodo manage` fill in development defaults)."
        )
    return default if default is not None else ""


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Kyodo: {name} must be 1/0/true/false, not {raw!r}.")


KYODO_ROLE = _env("KYODO_ROLE", required=True)
if KYODO_ROLE not in {"node", "hub"}:
    raise ImproperlyConfigured(f"Kyodo: KYODO_ROLE must be 'node' or 'hub', not {KYODO_ROLE!r}.")

SECRET_KEY = _env("SECRET_KEY", required=True)
DEBUG = _env_bool("KYODO_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", required=not DEBUG, default="localhost,127.0.0.1").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]

# Where the embedded default keeps its SQLite database, Celery queue folders and logs.
DATA_DIR = Path(_env("KYODO_DATA_DIR", default=str(BASE_DIR / "var" / KYODO_ROLE))).resolve()
# A node's hub (empty: the node runs alone and keeps its outbox until a hub is configured).
KYODO_HUB_URL = _env("KYODO_HUB_URL").rstrip("/")
# A hub's tier: a prefectural hub (default) may have a national hub above it, which it syncs with as a
# node syncs with its hub; a national hub has prefectural hubs enrolled as its nodes.
KYODO_HUB_LEVEL = _env("KYODO_HUB_LEVEL", default="prefecture")
if KYODO_HUB_LEVEL not in {"prefecture", "national"}:
    raise ImproperlyConfigured(f"Kyodo: KYODO_HUB_LEVEL must be 'prefecture' or 'national', not {KYODO_HUB_LEVEL!r}.")
# The prefecture a prefectural hub serves: the first two digits of its municipalities' 全国地方公共団体コード
# (神奈川県 = 14). Declarations, need and offer areas and 県内全域 are checked against it.
KYODO_PREFECTURE_CODE = _env("KYODO_PREFECTURE_CODE", default="14")
if not (len(KYODO_PREFECTURE_CODE) == 2 and KYODO_PREFECTURE_CODE.isdigit()):
    raise ImproperlyConfigured(f"Kyodo: KYODO_PREFECTURE_CODE must be two digits (神奈川県 14), not {KYODO_PREFECTURE_CODE!r}.")
KYODO_PARENT_HUB_URL = _env("KYODO_PARENT_HUB_URL").rstrip("/") if KYODO_ROLE == "hub" else ""
if KYODO_PARENT_HUB_URL and KYODO_HUB_LEVEL == "national":
    raise ImproperlyConfigured("Kyodo: a national hub has no parent hub (unset KYODO_PARENT_HUB_URL).")
KYODO_NODE_KEY_FILE = _env("KYODO_NODE_KEY_FILE", default=str(DATA_DIR / "node-signing.key"))
# The public name of this deployment (shown in the header and on /healthz).
KYODO_SITE_NAME = _env("KYODO_SITE_NAME", default="Kyodo")

DATABASE_URL = _env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
            # WAL lets the web process read while the worker writes. Transactions begin IMMEDIATE: a
            # deferred one that turns into a write while another process writes fails at once with
            # "database is locked" (SQLite cannot wait there); an immediate one waits up to `timeout`
            # seconds for the writer's lock, so web, workers and beat take turns instead of failing.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                        "transaction_mode": "IMMEDIATE", "timeout": int(_env("KYODO_SQLITE_TIMEOUT", default="30"))},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = _env("KYODO_TEST_DATABASE_NAME") or None
# PostgreSQL streaming replicas (one URL or several, comma-separated): the hub's library search and
# statistics read there; writes, migrations and every other read stay on the primary (common.replicas).
KYODO_READ_REPLICAS = []
for _n, _url in enumerate((u.strip() for u in _env("DATABASE_REPLICA_URL").split(",") if u.strip()), start=1):
    DATABASES[f"replica_{_n}"] = {**dj_database_url.parse(_url, conn_max_age=60, conn_health_checks=True),
                                  "TEST": {"MIRROR": "default"}}
    KYODO_READ_REPLICAS.append(f"replica_{_n}")
DATABASE_ROUTERS = ["common.replicas.PrimaryWritesRouter"]
# The library search counts its matches up to this many (「1,000件以上」 beyond) and pages stop there:
# counting and ranking every match of a common word would cost seconds at a million cases.
KYODO_SEARCH_COUNT_CAP = int(_env("KYODO_SEARCH_COUNT_CAP", default="1000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "csp",
    "common",
    "permissions",
    "sync",
]
# The role decides which domain app exists at all: a node's database has no hub tables,
# and the hub's database has no table that could hold a consultation or a phone number.
INSTALLED_APPS += ["nodes", "emergency"] if KYODO_ROLE == "node" else ["hub"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = f"config.urls_{KYODO_ROLE}"
WSGI_APPLICATION = "config.wsgi.application"

ROLE_CONTEXT_PROCESSORS = (
    ["nodes.context_processors.navigation", "emergency.context_processors.disaster_banner"]
    if KYODO_ROLE == "node" else ["hub.context_processors.navigation", "hub.context_processors.disaster_banner"])
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.kyodo",
                *ROLE_CONTEXT_PROCESSORS,
            ],
            "builtins": ["common.templatetags.kyodo"],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors get nothing
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STATIC_ROOT = DATA_DIR / "static"  # whitenoise expects it even when serving from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the demo and tests serve static files without collectstatic
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# --- HTTPS, cookies, sessions, CSP (docs/operations-security.md) ---
# A deployment is served over HTTPS unless it says otherwise: the local runner (deploy/federation.py)
# and the tests serve plain HTTP on loopback and set KYODO_HTTPS=0; debug defaults to HTTP.
KYODO_HTTPS = _env_bool("KYODO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = KYODO_HTTPS
# The container's own health check calls http://127.0.0.1:8000/healthz, past the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(_env("KYODO_HSTS_SECONDS", default="31536000" if KYODO_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading puts the domain into the browsers' built-in lists, which takes months to undo: a choice
# for the operator of the domain (often the city, not the center), not a default.
SECURE_HSTS_PRELOAD = _env_bool("KYODO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page, not the cookie; kept default-compatible
SESSION_COOKIE_SECURE = _env_bool("KYODO_SECURE_COOKIES", default=KYODO_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind nginx (deploy/): trust the X-Forwarded-Proto it passes on (the scheme the TLS terminator in
# front received), so redirects, signed sync URLs and links say https. Only then: a client talking to
# gunicorn directly could otherwise claim https itself.
if _env_bool("KYODO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Idle timeout: a session ends after this long without a request (config.middleware renews it on
# activity, at most once a minute so that reading pages does not write the session every time).
SESSION_COOKIE_AGE = int(_env("KYODO_SESSION_IDLE_SECONDS", default=str(8 * 3600)))
# The UI runs only its own static scripts: no inline script or handler, no eval. <style> blocks carry
# the request's nonce; style attributes cannot run code and stay allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Abuse limits on /login/ and the API token endpoint (permissions.login_limits) ---
# The client address comes from this header, set by our own proxy (nginx: X-Real-IP $remote_addr),
# and never from X-Forwarded-For, which the client writes; empty: the TCP peer (REMOTE_ADDR).
KYODO_CLIENT_IP_HEADER = _env("KYODO_CLIENT_IP_HEADER")
KYODO_LOGIN_ATTEMPTS_PER_ADDRESS = int(_env("KYODO_LOGIN_ATTEMPTS_PER_ADDRESS", default="20"))  # per minute
KYODO_LOGIN_FAILURES_PER_ACCOUNT = int(_env("KYODO_LOGIN_FAILURES_PER_ACCOUNT", default="10"))
KYODO_LOGIN_LOCKOUT_SECONDS = int(_env("KYODO_LOGIN_LOCKOUT_SECONDS", default="900"))

REDIS_URL = _env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Files under DATA_DIR rather than per-process memory: the login limits, poke limits and nonces
    # must be shared by every web worker, the Celery workers and beat of the embedded default too.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache")}}
# /healthz probes the database and the broker at most once per this many seconds per process.
KYODO_HEALTH_PROBE_SECONDS = float(_env("KYODO_HEALTH_PROBE_SECONDS", default="10"))

# --- Celery: Redis when REDIS_URL is set, otherwise a file-system queue under DATA_DIR ---
CELERY_BROKER_URL = _env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_QUEUE_DIR = DATA_DIR / "celery-queue"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        # Kombu defaults the exchange table to ./control, i.e. wherever the process started.
        "control_folder": str(DATA_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    # Visibility timeout above the longest task so acks_late work is not handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Folders the embedded default needs, made when the apps are ready (common.apps), not on import.
KYODO_DATA_DIRECTORIES = [DATA_DIR, STATIC_ROOT] + (
    [CELERY_QUEUE_DIR, DATA_DIR / "celery-control"] if CELERY_BROKER_URL.startswith("filesystem://") else [])
CELERY_TASK_IGNORE_RESULT = True
# Publishing happens inside web requests (after a commit): give up quickly when the broker is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = _env_bool("KYODO_CELERY_EAGER")
# Disaster traffic has its own queue so a bulk catch-up never sits in front of it; workers
# consume `disaster` before `default` (see deploy/federation.py and the compose files).
CELERY_TASK_CREATE_MISSING_QUEUES = True
SYNC_INTERVAL_SECONDS = int(_env("KYODO_SYNC_INTERVAL", default="60"))
# In emergency mode a node pulls the feed and pushes disaster traffic this often.
EMERGENCY_SYNC_SECONDS = int(_env("KYODO_EMERGENCY_SYNC_SECONDS", default="5"))
# Pokes from the hub a node accepts per minute (each at most queues one feed pull).
SYNC_POKES_PER_MINUTE = int(_env("KYODO_POKES_PER_MINUTE", default="60"))
# A push renews its lease after every batch; a push whose worker died frees the node after this.
SYNC_LEASE_SECONDS = int(_env("KYODO_SYNC_LEASE_SECONDS", default="120"))
# Anonymization: a case is held back when one of its organization kinds has fewer than k peers.
KYODO_ANON_K = int(_env("KYODO_ANON_K", default="3"))
# Entries per batch (the protocol allows up to 500); smaller batches mean shorter hub transactions.
SYNC_BATCH_ENTRIES = min(int(_env("KYODO_SYNC_BATCH_ENTRIES", default="500")), 500)
# In emergency mode a catch-up pushes batches this small, one at a time (sync.client._pace).
SYNC_EMERGENCY_BATCH_ENTRIES = max(1, min(int(_env("KYODO_SYNC_EMERGENCY_BATCH_ENTRIES", default="100")), 500))
CELERY_BEAT_SCHEDULE = {
    "sync-push": {"task": "sync.tasks.sync_push", "schedule": SYNC_INTERVAL_SECONDS},
    "sync-pull": {"task": "sync.tasks.sync_pull", "schedule": SYNC_INTERVAL_SECONDS},
    "sync-sweep": {"task": "sync.tasks.sync_sweep", "schedule": 30},
    "sync-aggregates": {"task": "nodes.tasks.publish_aggregates", "schedule": 600},
    "sync-drift": {"task": "sync.tasks.sync_check_drift", "schedule": 900},
    "sync-rescan-cases": {"task": "nodes.tasks.rescan_shared_cases", "schedule": 6 * 3600},
    # Does nothing unless a declaration covers this node; on the disaster queue so a bulk catch-up
    # never delays it.
    "emergency-sync": {"task": "emergency.tasks.emergency_sync", "schedule": EMERGENCY_SYNC_SECONDS,
                       "options": {"queue": "disaster", "expires": EMERGENCY_SYNC_SECONDS * 2}},
    "emergency-expire-needs": {"task": "emergency.tasks.expire_needs", "schedule": 300},
    # Idempotent (one reminder per stall), so the period only sets how soon a stall shows.
    "matching-remind-stalled": {"task": "nodes.tasks.remind_stalled_matches", "schedule": 6 * 3600},
    "tours-close": {"task": "nodes.tasks.close_tours", "schedule": 3600},
    # Idempotent (one renewal per due date, one notice per kind and due date); hourly so a lapse
    # shows within the hour after midnight of the day after the due date.
    "groups-sweep-renewals": {"task": "nodes.tasks.sweep_renewals", "schedule": 3600},
} if KYODO_ROLE == "node" else {
    "tours-purge-closed": {"task": "hub.tasks.purge_closed_tours", "schedule": 600},
    "tours-forget-visitors": {"task": "hub.tasks.forget_tour_visitors", "schedule": 600},
    # A nonce matters only while its signature could be accepted (≤ 300 s); the rest is dead weight.
    "sync-forget-nonces": {"task": "hub.tasks.forget_expired_nonces", "schedule": 3600},
    # A prefectural hub with a national hub above it pushes and pulls as a node does.
    **({"sync-push": {"task": "sync.tasks.sync_push", "schedule": SYNC_INTERVAL_SECONDS},
        "sync-pull": {"task": "sync.tasks.sync_pull", "schedule": SYNC_INTERVAL_SECONDS},
        "sync-sweep": {"task": "sync.tasks.sync_sweep", "schedule": 30},
        "sync-drift": {"task": "sync.tasks.sync_check_drift", "schedule": 900},
        # Counted afresh each time and replaced whole above: a lost run only delays the figures.
        "national-statistics": {"task": "hub.tasks.push_national_statistics", "schedule": 3600}}
       if KYODO_PARENT_HUB_URL else {}),
    # Also queued after each batch with cases; this catches what a lost message or a restart left.
    "library-index-words": {"task": "hub.tasks.index_case_search", "schedule": 60},
    # Also queued after indexing; this catches removals and aggregate counts, which indexing never sees.
    "statistics-refresh": {"task": "hub.tasks.refresh_default_statistics", "schedule": 60},
    "directory-index": {"task": "hub.tasks.index_directory_search", "schedule": 60},
}

# API tokens end after this many days (a new one is issued at the token endpoint); a study-tour
# visitor's ends with the tour's reading period.
KYODO_API_TOKEN_DAYS = int(_env("KYODO_API_TOKEN_DAYS", default="30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
        "permissions.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "common.api_schema.ApiSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The token endpoint is limited by permissions.login_limits; any DRF throttle added later must not
    # key on X-Forwarded-For, which the client writes.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"Kyodo {KYODO_ROLE} API",
    "DESCRIPTION": "市民活動支援センターの記録 (団体登録・人材ボランティア・イベント・相談・協働事例・協働の種・できることメニュー)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set: colliding names would get hash suffixes and warnings (check --deploy).
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "permissions.models.OrganizationKind",
        **({
            "SharingLevelEnum": "nodes.models.cases.SharingLevel",
            "CollaborationFormEnum": "common.vocabulary.CollaborationForm",
            "EventKindEnum": "nodes.models.events.EventKind",
            "EventStatusEnum": "nodes.models.events.EventStatus",
            "NeedStatusEnum": "nodes.models.matching.NeedStatus",
            "GroupStatusEnum": "nodes.models.groups.GroupStatus",
            "GroupConsentEnum": "nodes.models.groups.GroupRegistration.CONSENTS",
            "TalentConsentEnum": "nodes.models.groups.TalentVolunteer.CONSENTS",
            "CostItemEnum": "common.vocabulary.CostItem",
            "ConsultationKindEnum": "common.vocabulary.ConsultationKind",
        } if KYODO_ROLE == "node" else {}),
    },
}

# Logs never carry personal data: records are logged by uuid only (see permissions.audit).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("KYODO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
