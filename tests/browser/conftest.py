"""Headless Debian Chromium driven by Playwright; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os

import pytest

from .chromium import launched, screenshot


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API refuses to start inside a running event loop; Django's async-safety
    # check would also trip on DB calls from the test thread, so we allow them explicitly.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with launched() as instance:
        yield instance


@pytest.fixture
def page(browser):
    # A 10-inch tablet held in landscape, the device most center staff use at the counter.
    context = browser.new_context(viewport={"width": 1180, "height": 820}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    return screenshot


@pytest.fixture(autouse=True)
def statutory_activity_fields(transactional_db):
    """Browser tests are transactional, and so are some tests before them: their flush empties
    every table, the migration's rows of the 20 statutory activity fields included. Put them back."""
    from importlib import import_module

    from django.apps import apps

    import_module("nodes.migrations.0003_activity_fields").create_fields(apps, None)
