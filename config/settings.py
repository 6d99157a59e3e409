"""The one settings module: every deployment (hub or node) is configured from its environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
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
            # WAL lets the web process read while the worker writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = _env("KYODO_TEST_DATABASE_NAME") or None

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
    "common",
    "permissions",
    "sync",
]
# The role decides which domain app exists at all: a node's database has no hub tables,
# and the hub's database has no table that could hold a consultation or a phone number.
INSTALLED_APPS += ["nodes", "emergency"] if KYODO_ROLE == "node" else ["hub"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page, not the cookie; kept default-compatible
SESSION_COOKIE_SECURE = _env_bool("KYODO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind nginx (deploy/): trust its X-Forwarded-Proto, so signed sync URLs and links say https.
if _env_bool("KYODO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REDIS_URL = _env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
} if KYODO_ROLE == "node" else {
    "tours-purge-closed": {"task": "hub.tasks.purge_closed_tours", "schedule": 600},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
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
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
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
