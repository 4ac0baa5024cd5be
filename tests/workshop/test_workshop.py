"""Issue 17: the workshop load test, with a small N: a real JupyterHub on loopback serves a
learner who runs the first notebook through the kernel API (benchmarks/workshop.py runs the
whole course for growing classes). Timing is measured there, never asserted here."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("workshop", ROOT / "benchmarks" / "workshop.py")
workshop = importlib.util.module_from_spec(spec)
sys.modules["workshop"] = workshop  # dataclasses look their module up by name
spec.loader.exec_module(workshop)


@pytest.fixture
def proxy():
    if not workshop.PROXY.exists():
        if os.environ.get("CI"):
            pytest.fail("configurable-http-proxy is missing (run.py test installs it with npm)")
        pytest.skip("configurable-http-proxy is not installed (npm ci in deploy/jupyterhub)")


def test_a_hub_serves_a_learner_running_a_notebook(proxy):
    paths = workshop.notebooks(["00"])
    outcome = asyncio.run(workshop.class_of(1, paths, budget=300))
    (learner,) = outcome.learners
    assert learner.failures == [], outcome.log
    assert len(learner.latencies) == len(workshop.code_cells(paths[0]))
    assert learner.peak_bytes > 50 * 1024 * 1024  # a server and a kernel were measured


def test_a_failing_cell_is_counted_as_a_failure(proxy, tmp_path):
    notebook = tmp_path / "99_broken.ipynb"
    notebook.write_text(
        '{"cells": [{"cell_type": "code", "metadata": {}, "source": ["1 / 0"]},'
        ' {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": ["1 / 0"]}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        encoding="utf-8",
    )
    outcome = asyncio.run(workshop.class_of(1, [notebook], budget=300))
    (failure,) = outcome.failures
    assert "99_broken.ipynb cell 0: ZeroDivisionError" in failure
    assert not outcome.held


def test_the_workshop_hub_config_is_read_by_jupyterhubs_loader(monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("ECSLAB_WORKSHOP_PASSWORD", "class password")
    folder = ROOT / "deploy" / "jupyterhub"
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(folder)).load_config()
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.SharedPasswordAuthenticator.user_password == "class password"
    assert config.JupyterHub.spawner_class == "localprocess"
    assert config.Spawner.mem_limit == "1G"
    assert callable(config.Spawner.pre_spawn_hook)
    (culler,) = config.JupyterHub.services
    assert culler["name"] == "idle-culler" and "--timeout=3600" in culler["command"]
    assert config.ConfigurableHTTPProxy.command[0].endswith("configurable-http-proxy")


def test_the_kubernetes_values_follow_the_measurement():
    import yaml

    values = yaml.safe_load(
        (ROOT / "deploy" / "zero-to-jupyterhub" / "values.yaml").read_text(encoding="utf-8")
    )
    memory = values["singleuser"]["memory"]
    assert (memory["guarantee"], memory["limit"]) == ("512M", "1G")  # 432 MiB measured
    assert (
        values["cull"]["enabled"]
        and values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    )
