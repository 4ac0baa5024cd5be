"""The one-way house (docs/ARCHITECTURE.md): each room imports only the rooms below it, no room
reaches into another file's private names, and moto's objects stay in the simulated account."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ecslab"
HOOKS = {
    "ecslab.lab -> ecslab.coach.exercises",  # lab.exercise()
    "ecslab.lab -> ecslab.coach.workbench",  # lab.workbench()
    "ecslab.lab -> ecslab.coach.terraform",  # Lab.from_terraform(), lab.to_terraform()
    "ecslab.lab -> ecslab.coach.preflight",  # Lab.from_preflight()
}
# moto is opened and seeded by the world; everything else it holds is read by the account.
MOTO_MODULES = {"ecslab/cloud/account.py", "ecslab/cloud/world.py"}


def _sources() -> dict[str, ast.Module]:
    return {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text("utf-8"), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_the_layers_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_the_layers_are_the_rooms_and_the_hooks_are_the_only_exceptions():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    [contract] = config["contracts"]
    assert contract["type"] == "layers"
    assert contract["layers"][1:] == [
        "ecslab.coach",
        "ecslab.lab",
        "ecslab.show",
        "ecslab.ecs",
        "ecslab.cloud",
        "ecslab.iam",
        "ecslab.i18n",
    ]
    assert set(contract["ignore_imports"]) == HOOKS
    assert config.get("exclude_type_checking_imports") is False


def _private(name: str) -> bool:
    """``_name``, but not ``__dunder__`` nor IPython's display protocol (``_repr_html_``)."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def _defined_privately(tree: ast.Module) -> set[str]:
    """Private names a file defines: functions, classes, variables, attributes it assigns."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if _private(n)}


def private_reaches(sources: dict[str, ast.Module]) -> list[str]:
    """``file:line name`` for each use of a private name that another ecslab file defines and
    this one does not: ``from ecslab.x import _y``, or ``something._y`` on anything but
    ``self``/``cls``."""
    defined = {path: _defined_privately(tree) for path, tree in sources.items()}
    everywhere = set().union(*defined.values())
    found = []
    for path, tree in sources.items():
        own = defined[path]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ecslab"):
                found += [
                    f"{path}:{node.lineno} {alias.name}"
                    for alias in node.names
                    if _private(alias.name)
                ]
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                if not on_self and node.attr in everywhere and node.attr not in own:
                    found.append(f"{path}:{node.lineno} {node.attr}")
    return found


def test_no_room_reaches_into_another_files_private_names():
    assert private_reaches(_sources()) == []


def test_the_private_reach_finder_finds_what_it_must():
    sources = {
        "ecslab/a.py": ast.parse(
            "class Role:\n    def __init__(self, lab):\n        self._lab = lab"
        ),
        "ecslab/b.py": ast.parse("from ecslab.a import _helper\ndef f(role):\n    role._lab"),
        "ecslab/c.py": ast.parse("def g(self):\n    return self._lab, other.__class__"),
    }
    assert private_reaches(sources) == ["ecslab/b.py:1 _helper", "ecslab/b.py:3 _lab"]


def test_moto_is_imported_only_where_the_account_is_kept():
    importing = set()
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            if any(m == "moto" or m.startswith("moto.") for m in modules):
                importing.add(path)
    assert importing <= MOTO_MODULES, sorted(importing - MOTO_MODULES)
