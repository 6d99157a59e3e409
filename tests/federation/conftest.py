"""The federations the test modules here run against (see common.py): the module's own, or one that
several modules share."""

from __future__ import annotations

import pytest

from .common import SHARED, start_federation, stop_shared


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory)


def _shared_group(item) -> str | None:
    mark = item.get_closest_marker("xdist_group") if item is not None else None
    return mark.args[0] if mark and mark.args and mark.args[0] in SHARED else None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    # A group's modules run one after another (tests/conftest.py): once the next test is not of the
    # group, its federation stops, rather than idling through the rest of the session.
    stop_shared(keep=_shared_group(nextitem))


def pytest_sessionfinish(session):
    stop_shared()
