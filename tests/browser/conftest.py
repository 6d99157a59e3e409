"""Headless Debian Chromium driven by Playwright; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KYODO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)")
    # Playwright's sync API refuses to start inside a running event loop; Django's async-safety
    # check would also trip on DB calls from the test thread, so we allow them explicitly.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    # A 10-inch tablet held in landscape, the device most center staff use at the counter.
    context = browser.new_context(viewport={"width": 1180, "height": 820}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def statutory_activity_fields(transactional_db):
    """Browser tests are transactional, and so are some tests before them: their flush empties
    every table, the migration's rows of the 20 statutory activity fields included. Put them back."""
    from importlib import import_module

    from django.apps import apps

    import_module("nodes.migrations.0003_activity_fields").create_fields(apps, None)
