"""Every test gets a fresh lab and leaves none open behind it (a lab changes the process
environment)."""

from __future__ import annotations

import pytest

from ecslab.cloud.world import open_world


@pytest.fixture(autouse=True)
def _close_labs():
    yield
    world = open_world()
    if world is not None:
        world.close()


@pytest.fixture
def lab():
    from ecslab import Lab

    with Lab() as opened:
        yield opened
