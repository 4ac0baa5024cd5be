"""run.py, the README's two commands: the learner's `run.py lab` installs what the course needs,
`run.py test` adds the test tools, and neither installs again what is already there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run_py(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("ecslab_run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")  # the environment exists; what was installed in it is the stamp's
    monkeypatch.setattr(module, "PYTHON", python)
    monkeypatch.setattr(module, "STAMP", tmp_path / "venv" / ".ecslab-stamp")
    installs: list[str] = []

    def run(*args, **kwargs):
        assert "pip" in args and "install" in args
        installs.append(str(args[-1]))

    monkeypatch.setattr(module, "run", run)
    module.installs = installs
    return module


def test_the_course_installs_the_package_without_the_test_tools(run_py):
    run_py.ensure_environment("course")
    assert run_py.installs == ["."]
    run_py.ensure_environment("course")
    assert run_py.installs == ["."]  # nothing again


def test_the_tests_add_their_tools_and_the_course_then_needs_nothing_more(run_py):
    run_py.ensure_environment("course")
    run_py.ensure_environment("test")
    assert run_py.installs == [".", ".[test]"]
    run_py.ensure_environment("course")
    run_py.ensure_environment("test")
    assert run_py.installs == [".", ".[test]"]


def test_a_changed_project_file_installs_again(run_py, monkeypatch):
    run_py.ensure_environment("test")
    stamp = run_py.STAMP.read_text()
    run_py.STAMP.write_text(stamp.replace(stamp.split()[1], "0" * 64))
    run_py.ensure_environment("course")
    assert run_py.installs == [".[test]", "."]


def test_the_test_extra_holds_the_test_tools_and_the_course_needs_none_of_them():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = " ".join(project["dependencies"])
    test = " ".join(project["optional-dependencies"]["test"])
    for tool in ("pytest", "playwright", "hypothesis", "ruff", "nbval", "import-linter"):
        assert tool in test and tool not in runtime


def test_lab_in_japanese_opens_the_japanese_edition_with_jupyterlab_in_japanese(
    run_py, tmp_path, monkeypatch
):
    monkeypatch.setattr(run_py, "VENV", tmp_path / "venv")
    args, env = run_py.lab_command(["--lang", "ja", "--no-browser"])
    assert "--LabApp.default_url=/lab/tree/notebooks/ja/00_start_here.ipynb" in args
    assert "--no-browser" in args and env["ECSLAB_LANG"] == "ja"
    settings = next(a for a in args if a.startswith("--LabApp.app_settings_dir="))
    overrides = Path(settings.split("=", 1)[1]) / "overrides.json"
    assert '"locale": "ja_JP"' in overrides.read_text()
    assert (ROOT / "notebooks" / "ja" / "00_start_here.ipynb").is_file()


def test_lab_in_english_by_default_and_a_wrong_language_is_a_clear_error(run_py):
    args, env = run_py.lab_command([])
    assert "ECSLAB_LANG" not in env  # tests start with none (tests/conftest.py)
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in args
    assert not any("app_settings_dir" in a for a in args)
    with pytest.raises(SystemExit, match="en, ja, not 'fr'"):
        run_py.lab_command(["--lang=fr"])
