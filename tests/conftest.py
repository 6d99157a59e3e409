"""Shared fixtures. A pytest process runs one role (KYODO_ROLE decides INSTALLED_APPS), so the
node's fixtures and tests load only on a node run, the hub's only on a hub run."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

ROLE = os.environ.get("KYODO_ROLE", "node")
pytest_plugins = ["tests.node_world"] if ROLE == "node" else []
# Tests of the other role's app cannot even be imported here.
collect_ignore = ["hub"] if ROLE == "node" else ["nodes", "permissions", "browser", "bench", "federation",
                                                  "test_demo.py", "test_smoke.py", "node_world.py"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.4 s per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request's LocaleMiddleware leaves its language active on the thread: after a test that asked
    # in English (the language switch), the next test would read every gettext in English.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Playwright's sync API runs one event loop per
    process, so browser and federation tests share it)."""
    from .browser.chromium import launched

    # Django's async-safety check would trip on DB calls from the test thread while Playwright's
    # loop runs, so we allow them explicitly.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with launched() as instance:
        yield instance
