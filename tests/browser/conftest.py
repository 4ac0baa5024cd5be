"""A real JupyterLab and a real Chromium for the browser tests.

``jupyter_lab`` starts ``jupyter lab`` on a free port with a token, a temporary root directory
holding a copy of ``notebooks/``, and temporary workspace, settings, config and runtime
directories, so nothing on the machine is read or changed; it shuts the server down afterwards.
``browser_page`` is a page of Debian's Chromium (``/usr/bin/chromium``) driven by Playwright for
Python: Playwright's own browser download is not used.

Without Chromium or Playwright the tests skip, except under CI (``CI=true``), where they fail:
``.ci/run`` installs Chromium and ``run.py test`` installs Playwright (the ``test`` extra).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SERVER_START_SECONDS = 120
VIEWPORT = {"width": 1920, "height": 1080}
SAVED: list[Path] = []  # screenshots of this run, listed at the end of the session

# JupyterLab settings for a quiet, predictable page: no news or update pop-ups that could cover a
# control, and every cell kept in the page (JupyterLab 4 may leave cells that are out of view
# out of the DOM, "windowing"), so a locator finds a widget wherever it is in the notebook.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
# ... and a server that never fetches news or looks for updates (the test has no network).
SERVER_CONFIG = {
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}
}


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run does it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing (it is in the test extra: pip install -e .[test])"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The display language of each edition's JupyterLab (Settings → Language), as a learner of the
# Japanese edition has it (`run.py lab --lang ja`).
LOCALES = {"en": "en", "ja": "ja_JP"}


@dataclass
class JupyterLab:
    url: str
    token: str
    root: Path
    log: Path
    edition: str = "en"

    def page_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def _answers(url: str, token: str) -> bool:
    request = urllib.request.Request(
        f"{url}/api/status", headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _shut_down(process: subprocess.Popen, url: str, token: str) -> None:
    """Ask the server to stop (it stops its kernels), then terminate it, then kill its group."""
    if process.poll() is None:
        request = urllib.request.Request(
            f"{url}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"}
        )
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            urllib.request.urlopen(request, timeout=10).close()
    try:
        process.wait(timeout=30)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group this fixture started: server, kernels
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=sorted(LOCALES))
def jupyter_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterLab]:
    """A JupyterLab for each edition: English, and Japanese with JupyterLab's own menus in
    Japanese (the language pack)."""
    edition = request.param
    problem = _missing_browser()
    if problem:
        _skip_or_fail(problem)
    base = tmp_path_factory.mktemp("jupyter-lab")
    root = base / "root"
    shutil.copytree(
        ROOT / "notebooks",
        root / "notebooks",
        ignore=shutil.ignore_patterns("conftest.py", "__pycache__", ".ipynb_checkpoints"),
    )
    settings = base / "settings"
    language = {
        "@jupyterlab/translation-extension/plugin.jupyterlab-settings": {"locale": LOCALES[edition]}
    }
    for name, values in {**SETTINGS, **language}.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    for folder in ("workspaces", "config", "runtime", "ipython"):
        (base / folder).mkdir()
    env = {
        **os.environ,
        # the kernel imports the ecslab of this checkout, whichever one the environment installed
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    (base / "config" / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    token = secrets.token_hex(24)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--LabApp.user_settings_dir={settings}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log = base / "jupyter-lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = JupyterLab(url=url, token=token, root=root, log=log, edition=edition)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _answers(url, token):
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited ({process.returncode}):\n{lab.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"jupyter lab did not answer in {SERVER_START_SECONDS} s:\n{lab.log_tail()}"
                )
            time.sleep(0.25)  # polling an HTTP endpoint: there is nothing to wait on instead
        yield lab
    finally:
        _shut_down(process, url, token)


@pytest.fixture
def browser_page(jupyter_lab: JupyterLab):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # assertions wait for the kernel, not Playwright's 5 s

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # as root Chromium's sandbox cannot start; small /dev/shm in containers
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            # a 1080p screen: the workbench must fit in the notebook area of this window
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def screenshot():
    """``screenshot(page_or_element, "name.png")`` saves under test-artifacts/browser/ and says
    where (the paths are also listed at the end of the run)."""

    def save(target, name: str, **kwargs) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        target.screenshot(path=str(path), **kwargs)
        SAVED.append(path)
        print(f"screenshot: {path}")
        return path

    return save


def pytest_terminal_summary(terminalreporter) -> None:
    if SAVED:
        terminalreporter.section("browser screenshots")
        for path in SAVED:
            terminalreporter.write_line(str(path))
