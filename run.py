#!/usr/bin/env python3
"""Set up ecslab in its own virtual environment, then open the course or run the tests.

    python3 run.py lab     # set up, then open the course in JupyterLab
    python3 run.py lab --lang ja   # 日本語版: the Japanese edition, with JupyterLab in Japanese
    python3 run.py test    # set up, then run the whole test suite (lint + pytest)

Needs nothing but Python 3.10 or newer. The environment lives in `.venv/` next to this file and is
reinstalled only when `pyproject.toml` or `constraints.txt` change. `lab` installs what the course
needs; `test` adds the test tools (the `test` extra). `constraints.txt` pins every
package to the versions the course was tested with; it is used when this Python's minor version is
the one it was made on (it says so in its first line), otherwise the ranges in `pyproject.toml`
are resolved afresh and a warning says so.

Maintainers: `python3 run.py lock` rewrites `constraints.txt` from the current environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
CONSTRAINTS = ROOT / "constraints.txt"
STAMP = VENV / ".ecslab-stamp"
THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def say(message: str) -> None:
    print(f"[ecslab] {message}", flush=True)


def run(*args: object, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def constraints_apply() -> bool:
    """The lock file is used only with the Python minor version it was made on."""
    if not CONSTRAINTS.exists():
        return False
    first = CONSTRAINTS.read_text(encoding="utf-8").splitlines()[0]
    return first.strip() == f"# python {THIS_PYTHON}"


def wanted_stamp(extras: str) -> str:
    """What the environment was installed from: this Python, the project's files, and the extras
    (``"course"``: what the course needs; ``"test"``: that and the test tools)."""
    digest = hashlib.sha256()
    digest.update(THIS_PYTHON.encode())
    for path in (ROOT / "pyproject.toml", CONSTRAINTS):
        if path.exists():
            digest.update(path.read_bytes())
    return f"{extras} {digest.hexdigest()}"


def bootstrap_pip() -> None:
    """Some Linux distributions ship Python without ensurepip: fetch pip's wheel from PyPI."""
    say("this Python has no ensurepip; fetching pip from PyPI")
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as answer:
        release = json.load(answer)
    wheel = next(u for u in release["urls"] if u["filename"].endswith(".whl"))
    target = VENV / wheel["filename"]
    with urllib.request.urlopen(wheel["url"], timeout=120) as answer:
        target.write_bytes(answer.read())
    run(PYTHON, str(target) + "/pip", "install", "--quiet", str(target))
    target.unlink()


def ensure_environment(extras: str = "course") -> None:
    """``extras="course"`` installs what the course needs (the learner's command);
    ``"test"`` adds the test tools (ruff, pytest, Playwright, ...). A test environment serves the
    course too, so ``run.py lab`` after ``run.py test`` installs nothing."""
    wanted = {"course": ["course", "test"], "test": ["test"]}[extras]
    have = STAMP.read_text() if STAMP.exists() else ""
    if PYTHON.exists() and any(have == wanted_stamp(e) for e in wanted):
        return
    stamp = wanted_stamp(extras)
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV.name}/ (Python {THIS_PYTHON})")
        try:
            venv.create(VENV, with_pip=True, clear=True)
        except (subprocess.CalledProcessError, OSError):
            venv.create(VENV, with_pip=False, clear=True)
            bootstrap_pip()
    say("installing ecslab and what it needs (the first time takes a few minutes)")
    pip = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if constraints_apply():
        pip += ["--constraint", CONSTRAINTS]
    elif CONSTRAINTS.exists():
        say(
            f"warning: constraints.txt was made for another Python than {THIS_PYTHON}; "
            "resolving versions from pyproject.toml instead"
        )
    run(*pip, "--editable", ".[test]" if extras == "test" else ".")
    STAMP.write_text(stamp)


# What `lab --lang` opens, and JupyterLab's display language for it.
EDITIONS = {
    "en": ("notebooks/00_start_here.ipynb", None),
    "ja": ("notebooks/ja/00_start_here.ipynb", "ja_JP"),
}


def lab_language(extra: list[str]) -> tuple[str, list[str]]:
    """``--lang ja`` (or ``--lang=ja``) taken out of the arguments; the rest go to JupyterLab."""
    rest, language = [], "en"
    arguments = iter(extra)
    for argument in arguments:
        if argument == "--lang":
            language = next(arguments, "")
        elif argument.startswith("--lang="):
            language = argument.split("=", 1)[1]
        else:
            rest.append(argument)
    if language not in EDITIONS:
        raise SystemExit(f"run.py lab --lang: {', '.join(EDITIONS)}, not {language!r}")
    return language, rest


def lab_settings(locale: str) -> Path:
    """JupyterLab's default display language for this environment: an ``overrides.json`` in an
    application settings directory of run.py's own (a language the learner chose in
    Settings → Language still wins)."""
    directory = VENV / "share" / "ecslab" / f"lab-settings-{locale}"
    directory.mkdir(parents=True, exist_ok=True)
    overrides = {"@jupyterlab/translation-extension:plugin": {"locale": locale}}
    (directory / "overrides.json").write_text(json.dumps(overrides, indent=2) + "\n")
    return directory


def lab_command(extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """The ``jupyter lab`` command line and its environment for ``run.py lab [--lang ja] ...``."""
    language, rest = lab_language(extra)
    notebook, locale = EDITIONS[language]
    args = [
        str(BIN / "jupyter"),
        "lab",
        f"--ServerApp.root_dir={ROOT}",
        f"--LabApp.default_url=/lab/tree/{notebook}",
    ]
    env = dict(os.environ)
    if locale:
        args.append(f"--LabApp.app_settings_dir={lab_settings(locale)}")
        env["ECSLAB_LANG"] = language  # the kernels' ecslab speaks it too
    args += rest
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args, env


def command_lab(extra: list[str]) -> int:
    args, env = lab_command(extra)  # a wrong --lang stops before anything is installed
    ensure_environment()
    say("opening the course in JupyterLab (stop it with Ctrl+C)")
    return subprocess.call(args, cwd=ROOT, env=env)


ORACLE = ROOT / "tests" / "iam" / "oracle"
PROXY = ROOT / "deploy" / "jupyterhub"


def ensure_npm(folder: Path, what: str, without: str) -> None:
    """Install ``folder``'s npm packages from its lock file when npm is available and they are
    not installed yet; without npm, say what the tests will skip (``without``)."""
    npm = shutil.which("npm")
    lock = folder / "package-lock.json"
    stamp = folder / "node_modules" / ".ecslab-stamp"
    if not npm or not lock.exists():
        say(f"npm not found: {without}")
        return
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say(f"installing {what} with npm")
    result = subprocess.run(
        [npm, "ci", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
    )
    if result.returncode:
        say(f"npm ci failed: {without}")
        return
    stamp.write_text(wanted)


def ensure_oracle() -> None:
    """The test-only IAM oracle (npm, AGPL: never shipped); without it the differential test
    skips; everything else still runs."""
    ensure_npm(
        ORACLE,
        "the test-only IAM oracle (@cloud-copilot/iam-simulate)",
        "the differential test against iam-simulate will be skipped",
    )


def ensure_proxy() -> None:
    """JupyterHub's proxy (configurable-http-proxy) for the workshop load test."""
    ensure_npm(
        PROXY,
        "JupyterHub's proxy (configurable-http-proxy) for the workshop test",
        "the workshop load test will be skipped",
    )


def command_test(extra: list[str]) -> int:
    ensure_environment("test")
    ensure_oracle()
    ensure_proxy()
    steps = [
        ("ruff check", [BIN / "ruff", "check", "."]),
        ("ruff format --check", [BIN / "ruff", "format", "--check", "."]),
        ("pytest", [PYTHON, "-m", "pytest", *extra]),
    ]
    for name, args in steps:
        say(f"running {name}")
        code = subprocess.call([str(a) for a in args], cwd=ROOT)
        if code:
            say(f"{name} failed (exit {code})")
            return code
    say("all tests passed")
    return 0


def command_lock(extra: list[str]) -> int:
    ensure_environment("test")
    frozen = subprocess.run(
        [str(PYTHON), "-m", "pip", "freeze", "--exclude-editable", "--exclude", "ecslab"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    lines = sorted(line for line in frozen.splitlines() if line and not line.startswith("-e"))
    CONSTRAINTS.write_text(f"# python {THIS_PYTHON}\n" + "\n".join(lines) + "\n")
    STAMP.write_text(wanted_stamp("test"))
    say(f"wrote {CONSTRAINTS.name} ({len(lines)} packages)")
    return 0


COMMANDS = {"lab": command_lab, "test": command_test, "lock": command_lock}


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 10):  # noqa: UP036 - run.py may be started by an older python3
        say(f"ecslab needs Python 3.10 or newer; this is {THIS_PYTHON}")
        return 2
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except subprocess.CalledProcessError as error:
        say(f"set-up step failed: {' '.join(map(str, error.cmd))} (exit {error.returncode})")
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
