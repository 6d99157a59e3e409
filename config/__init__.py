"""Kyodo deployment wiring: settings, URLs per role, the Celery app and the `kyodo` command."""

from .celery_app import app as celery_app

__all__ = ["celery_app"]
