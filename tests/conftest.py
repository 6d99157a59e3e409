"""Shared fixtures. A pytest process runs one role (KYODO_ROLE decides INSTALLED_APPS), so the
node's fixtures and tests load only on a node run, the hub's only on a hub run."""

from __future__ import annotations

import os

import pytest
from django.utils import translation
from rest_framework.test import APIClient

ROLE = os.environ.get("KYODO_ROLE", "node")
pytest_plugins = ["tests.node_world"] if ROLE == "node" else []
# Tests of the other role's app cannot even be imported here.
collect_ignore = ["hub"] if ROLE == "node" else ["nodes", "permissions", "browser", "bench", "federation",
                                                  "test_demo.py", "test_smoke.py", "node_world.py"]


def _run_order(item) -> tuple:
    group = item.get_closest_marker("xdist_group")
    if group is not None:  # the modules sharing one federation (tests/federation/common.py), together
        return (0, str(group.args[0]))
    return (1 if item.get_closest_marker("federation") else 2 if item.get_closest_marker("browser") else 3, "")


def pytest_collection_modifyitems(config, items):
    # The longest first: the groups of modules sharing a federation, then the other federation modules
    # (a minute or two each), then the browser tests. On two workers (make test, tests/parallel.py
    # hands out the modules in this order) the last minutes are short tests spread over both workers,
    # not one module running alone; the stable sort keeps each module's tests together and in order.
    items.sort(key=_run_order)


@pytest.fixture(autouse=True)
def _activity_fields_after_a_flush(request, _django_db_marker):
    """A transactional test empties every table when it ends, the 20 activity fields that a migration
    seeds included; a test of another file on the same worker (make test runs whole files on each) then
    finds none. Put them back before a test that uses the database."""
    if ROLE != "node":
        return
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db") is None:
        return
    import importlib

    from django.apps import apps

    if not apps.get_model("nodes", "ActivityField").objects.exists():
        importlib.import_module("nodes.migrations.0003_activity_fields").create_fields(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.4 s per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_of_the_site():
    """Every test starts in Japanese: a request with `Accept-Language: en` leaves English active in the
    thread (LocaleMiddleware activates, nothing deactivates), and pytest-django runs the tests without a
    database last, after all the others."""
    translation.activate("ja")
    yield
    translation.activate("ja")


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
