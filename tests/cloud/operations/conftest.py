"""The gate's tests share one lab per module (see gate.py)."""

from __future__ import annotations

import pytest

from tests.cloud.operations.gate import close_labs


@pytest.fixture(scope="module", autouse=True)
def _close_labs():
    """Overrides tests/conftest.py's fixture of the same name, which closes the open lab after
    every test: here the cases of a module share one lab, closed when the module is done."""
    yield
    close_labs()
