"""Headless Debian Chromium driven by Playwright; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from .chromium import screenshot

# The `browser` fixture (one Chromium for the session) is in tests/conftest.py: federation tests use it too.


@pytest.fixture
def page(browser, console_problems):
    # A 10-inch tablet held in landscape, the device most center staff use at the counter.
    context = browser.new_context(viewport={"width": 1180, "height": 820}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    yield page
    context.close()


# Every page reports Content-Security-Policy violations to the console (Chromium logs them as errors
# too; the event makes sure, whatever the browser's wording).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture
def console_problems():
    """Watch a page's console: after the test, no CSP violation, console error or uncaught error on
    any page it visited (the UI runs under a strict CSP: config.settings.CONTENT_SECURITY_POLICY)."""
    problems: list[str] = []

    def watch(page):
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
        return page

    yield watch
    assert problems == [], "console errors (CSP violations?):\n" + "\n".join(problems)


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
