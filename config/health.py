"""GET /healthz: the role and whether the database and the Celery broker answer."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


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
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


@require_GET
def healthz(request):
    started = time.monotonic()
    database, broker = _database_state(), _broker_state()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "role": settings.KYODO_ROLE,
            "site": settings.KYODO_SITE_NAME,
            "database": {"state": database, "engine": connection.vendor},
            "broker": {"state": broker, "transport": settings.CELERY_BROKER_URL.split("://")[0]},
            "checked_in_ms": round((time.monotonic() - started) * 1000, 1),
        },
        status=200 if healthy else 503,
    )
