"""Shared by every test: a fresh lab when a test asks for ``lab``, and no lab left open behind
any test (a lab changes the process environment)."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config):
    """Exercise checks record their results in the learner's home (ecslab.coach.progress): the
    tests, and the notebooks' kernels that nbval starts (they inherit this environment), record
    in a temporary file instead of the developer's home."""
    folder = tempfile.mkdtemp(prefix="ecslab-progress-")
    os.environ.setdefault("ECSLAB_PROGRESS_FILE", os.path.join(folder, "progress.jsonl"))


@pytest.fixture(autouse=True)
def _english_unless_a_test_chooses(monkeypatch, tmp_path_factory):
    """Every test starts in English whatever the machine's ECSLAB_LANG or JupyterLab display
    language: a test that wants Japanese says so (``set_language("ja")``)."""
    from ecslab.i18n import set_language

    monkeypatch.delenv("ECSLAB_LANG", raising=False)
    monkeypatch.setenv(
        "JUPYTERLAB_SETTINGS_DIR", str(tmp_path_factory.getbasetemp() / "no-lab-settings")
    )
    set_language(None)
    yield
    set_language(None)


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
