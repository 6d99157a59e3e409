"""The Celery app of a deployment (hub or node); tasks live in each package's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kyodo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
