"""The module-scoped federation every test module here runs against (see common.py)."""

from __future__ import annotations

import pytest

from .common import start_federation


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory)
