"""GET /healthz: the role and whether the database and the Celery broker answer, from a cached probe.

A load balancer or the container's health check calls this every few seconds; each call opening a
broker connection (and a database query) would make the check itself a load. So the probe runs at
most once per KYODO_HEALTH_PROBE_SECONDS per process, and calls in between report its result with
its age; concurrent calls while a probe runs wait for it instead of starting their own.
"""

from __future__ import annotations

import threading
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from kombu import Connection

_lock = threading.Lock()
_last: dict = {}  # key → (monotonic time of the probe, database state, broker state, probe ms)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


def _broker_state() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return "ok" if settings.CELERY_QUEUE_DIR.is_dir() else "error: queue folder missing"
    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


def probe() -> tuple[str, str, float, float]:
    """(database state, broker state, probe duration in ms, age of the result in seconds)."""
    key = (settings.CELERY_BROKER_URL, connection.settings_dict.get("NAME"))
    with _lock:
        now = time.monotonic()
        cached = _last.get(key)
        if cached is None or now - cached[0] >= settings.KYODO_HEALTH_PROBE_SECONDS:
            started = time.monotonic()
            database, broker = _database_state(), _broker_state()
            cached = _last[key] = (now, database, broker, round((time.monotonic() - started) * 1000, 1))
    probed_at, database, broker, took = cached
    return database, broker, took, round(now - probed_at, 1)


_lag: dict = {}  # monotonic time → cases not yet in the word index, refreshed like the probe


def _hub_figures(database: str) -> dict:
    """The hub's word-index lag (cases not yet tokenized): a count over a small partial index."""
    if database != "ok" or not apps.is_installed("hub"):
        return {}
    from hub.selectors.library import case_index_lag  # the hub app is installed in the hub role only
    from hub.services.directory_index import index_lag as directory_index_lag

    now = time.monotonic()
    if not _lag or now - _lag["at"] >= settings.KYODO_HEALTH_PROBE_SECONDS:
        _lag.update(at=now, count=case_index_lag(), directory=directory_index_lag())
    # Groups not yet in the directory's substring index (found meanwhile by a scan of just those).
    return {"search_index_lag": _lag["count"], "directory_index_lag": _lag["directory"]}


@require_GET
def healthz(request):
    database, broker, took, age = probe()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "role": settings.KYODO_ROLE,
            "site": settings.KYODO_SITE_NAME,
            "database": {"state": database, "engine": connection.vendor},
            "broker": {"state": broker, "transport": settings.CELERY_BROKER_URL.split("://")[0]},
            "checked_in_ms": took,
            "checked_seconds_ago": age,
            **_hub_figures(database),
        },
        status=200 if healthy else 503,
    )
