"""How tall is each notebook's tallest output, as JupyterLab shows it in Chromium (issue 12:
"outputs taller than the screen")?

Opens each committed notebook (its saved outputs; nothing is run, so a widget shows its
placeholder text) in a real JupyterLab in Debian's Chromium (/usr/bin/chromium) at 1920x1080,
and prints the height in CSS pixels of its tallest output area and of every output taller than
the window's notebook area. The workbench's live height is measured by tests/browser (a widget
needs a kernel). Needs the test extra (Playwright) and Chromium.

    .venv/bin/python benchmarks/outputs.py [notebooks/02_execution_role.ipynb ...]
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# A 1080p monitor and a common laptop screen, each with the height of notebook area JupyterLab
# leaves below its menu, tab and toolbar bars.
WINDOWS = (
    ({"width": 1920, "height": 1080}, 900),
    ({"width": 1366, "height": 768}, 600),
)
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


# Each output area of the notebook (the only one open: the page is loaded with a fresh workspace):
# its height, and the first line of the code that made it.
_MEASURE = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
  .map(cell => {
    const area = cell.querySelector('.jp-OutputArea');
    const code = cell.querySelector('.cm-line');
    return [area ? area.getBoundingClientRect().height : 0, code ? code.textContent : ''];
  })"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, token: str) -> None:
    headers = {"Authorization": f"token {token}"}
    request = urllib.request.Request(f"{url}/api/status", headers=headers)
    for _ in range(240):
        try:
            with urllib.request.urlopen(request, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("JupyterLab did not start")


def heights(paths: list[Path], window: dict[str, int]) -> dict[str, list[list]]:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="ecslab-outputs-"))
    root = base / "root"
    (root / "notebooks").mkdir(parents=True)
    for path in paths:
        shutil.copy(path, root / "notebooks" / path.name)
    for name, values in SETTINGS.items():
        target = base / "settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), _port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
    }
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={base / 'settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    found: dict[str, list[list]] = {}
    try:
        _wait(url, token)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport=window)
            for path in paths:
                page.goto(f"{url}/lab/tree/notebooks/{path.name}?token={token}&reset")
                page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=120_000)
                measured: list[list] = []
                for _ in range(30):  # until two measures a second apart agree: laid out
                    page.wait_for_timeout(1000)
                    again = page.evaluate(_MEASURE)
                    if again == measured and again:
                        break
                    measured = again
                found[path.name] = measured
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium): nothing measured")
        return 0
    for window, screen in WINDOWS:
        found = heights(paths, window)
        size = f"{window['width']}x{window['height']}"
        print(f"tallest output per notebook, CSS px, Chromium at {size}")
        tallest = 0.0
        for name, cells in found.items():
            top = max((height for height, _ in cells), default=0.0)
            tallest = max(tallest, top)
            over = [(height, code) for height, code in cells if height > screen]
            print(f"  {name:45} {top:7.0f} px  ({len(over)} output(s) over {screen} px)")
            for height, code in over:
                print(f"      {height:7.0f} px  {code[:60]}")
        verdict = "meets" if tallest <= screen else "MISSES"
        print(
            f"target: no output taller than the screen ({screen} px at {size}): {verdict} "
            f"({tallest:.0f} px)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
