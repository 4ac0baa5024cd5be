"""Binder's environment, the local conda environment and pyproject.toml say the same thing.

``binder/environment.yml`` builds the workshop image and ``environment.yml`` is for conda users on
their own computer; both must hold every runtime dependency of ecslab (``pyproject.toml``) at the
version ``constraints.txt`` pins (the versions the course was tested with), inside the range
``pyproject.toml`` allows, from conda-forge only. ``binder/postBuild`` installs ecslab itself
without touching those pins.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
ENV_FILES = [ROOT / "binder" / "environment.yml", ROOT / "environment.yml"]
# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"graphviz": "python-graphviz"}
# What the environments hold besides ecslab's Python dependencies, and why.
NOT_FROM_PYPROJECT = {
    "python",  # the interpreter: Binder's is pinned to one minor version
    "pip",  # installs the pip: section and, in postBuild, ecslab itself
    "graphviz",  # Graphviz's `dot`, which draws the diagrams (the fastest renderer)
}


def _dependencies(path: Path) -> tuple[dict[str, str | None], dict[str, str]]:
    """(conda packages -> version or None, pip packages -> version) of an environment file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    conda: dict[str, str | None] = {}
    pip: dict[str, str] = {}
    for entry in data["dependencies"]:
        if isinstance(entry, dict):
            for line in entry["pip"]:
                name, _, version = line.partition("==")
                assert version, f"{path.name}: pip package {line!r} is not pinned with =="
                pip[canonicalize_name(name)] = version
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:(==|=)(\S+))?", entry)
        assert match, f"{path.name}: cannot read {entry!r}"
        conda[match.group(1).lower()] = match.group(3)
    return conda, pip


def _runtime_requirements() -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(line) for line in pyproject["project"]["dependencies"]]


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_conda_forge_only_and_python_pinned(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["channels"] == ["conda-forge"]
    conda, _ = _dependencies(path)
    assert conda["python"] == "3.12"


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_runtime_dependency_at_the_tested_version(path: Path) -> None:
    conda, pip = _dependencies(path)
    pins = _constraints()
    linux = {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.12"}
    wanted = set()
    for requirement in _runtime_requirements():
        if requirement.marker and not requirement.marker.evaluate(linux):
            continue  # Binder is Linux
        name = canonicalize_name(requirement.name)
        wanted.add(name)
        conda_name = CONDA_NAME.get(name, name)
        if conda_name in conda:
            version = conda[conda_name]
            where = f"conda {conda_name}"
        elif name in pip:
            version = pip[name]
            where = f"pip {name}"
        else:
            pytest.fail(f"{path.name} lacks {requirement.name} (a dependency in pyproject.toml)")
        assert version, f"{path.name}: {where} is not pinned"
        assert requirement.specifier.contains(Version(version), prereleases=True), (
            f"{path.name}: {where}=={version} is outside pyproject.toml's {requirement}"
        )
        assert version == pins[name], (
            f"{path.name}: {where}=={version} but constraints.txt (the tested versions) "
            f"pins {pins[name]}"
        )
    extra = {
        CONDA_NAME.get(canonicalize_name(n), canonicalize_name(n))
        for n in [*conda, *pip]
        if n not in NOT_FROM_PYPROJECT
    } - {CONDA_NAME.get(n, n) for n in wanted}
    assert not extra, f"{path.name} installs what pyproject.toml does not ask for: {extra}"


def test_the_course_runs_on_jupyterlab_4_and_ipywidgets_8() -> None:
    conda, _ = _dependencies(ENV_FILES[0])
    assert Version(conda["jupyterlab"]).major == 4
    assert Version(conda["ipywidgets"]).major == 8


def test_binder_and_local_environments_hold_the_same_packages() -> None:
    assert _dependencies(ENV_FILES[0]) == _dependencies(ENV_FILES[1])


def test_postbuild_installs_ecslab_without_its_dependencies() -> None:
    post_build = ROOT / "binder" / "postBuild"
    commands = [
        line.strip()
        for line in post_build.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "pip install --no-deps ." in commands
    if os.name == "posix":
        assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only when executable"
