"""Shared by every test: a fresh lab when a test asks for ``lab``, and no lab left open behind
any test (a lab changes the process environment)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _close_labs():
    yield
    # Imported here, not above: the IAM judge's tests must not load the simulation.
    from ecslab.cloud.world import open_world

    world = open_world()
    if world is not None:
        world.close()


@pytest.fixture
def lab():
    from ecslab import Lab

    with Lab() as opened:
        yield opened
