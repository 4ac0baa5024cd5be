"""How many learners does one server hold? A real JupyterHub, on loopback, under a class's load
(issue 17).

It starts JupyterHub (configurable-http-proxy from deploy/jupyterhub/node_modules, the simple
local process spawner: each learner a server of their own and a home of their own under a
temporary folder, all as this user), creates N learners through the hub's REST API, starts their
servers, and for each runs the course: every notebook, one after another, every code cell in
order, through the Jupyter server's kernel API (a websocket, as JupyterLab does), as a learner
would. It prints learners served, failures (a cell that errors without being tagged
``raises-exception``, a server that does not start), each learner's peak memory (the resident
memory of their server and kernels), p50/p95 cell latency, the total, and — over N = 1, 2, 4, …
— the largest N this machine held with p95 cell latency < 2 s and no failure. Bounded in count
(``--max``) and time (``--budget``); loopback only.

    .venv/bin/python benchmarks/workshop.py                 # N = 1, 2, 4, 8 (2 cores: a few min)
    .venv/bin/python benchmarks/workshop.py --learners 3    # one N
    .venv/bin/python benchmarks/workshop.py --notebooks 00 01 --learners 1   # a short run (tests)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROXY = ROOT / "deploy" / "jupyterhub" / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
P95_TARGET = 2.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def notebooks(numbers: list[str] | None) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if numbers:
        found = [p for p in found if p.name[:2] in numbers]
    return found


def code_cells(path: Path) -> list[tuple[str, bool]]:
    """(code, may raise) of each code cell, as the notebook holds it."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        ("".join(c["source"]), "raises-exception" in c.get("metadata", {}).get("tags", []))
        for c in cells
        if c["cell_type"] == "code"
    ]


@dataclass
class Learner:
    name: str
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    peak_bytes: int = 0


def resident_bytes(user: str) -> int:
    """The resident memory of every process of this learner's server (they all carry
    JUPYTERHUB_USER=<user> in their environment: the server and its kernels)."""
    total = 0
    marker = f"JUPYTERHUB_USER={user}".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as environ:
                if marker not in environ.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class Hub:
    """A JupyterHub on loopback, for the duration of a ``with``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.token = secrets.token_hex(32)
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def config(self) -> Path:
        homes = self.folder / "home"
        homes.mkdir(exist_ok=True)
        path = self.folder / "jupyterhub_config.py"
        path.write_text(
            f"""
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = {self.url!r}
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.JupyterHub.db_url = "sqlite:///{self.folder / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(self.folder / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(homes / "{username}")!r}
c.Spawner.cmd = [{str(BIN / "jupyterhub-singleuser")!r}]
c.Spawner.args = {["--allow-root"] if os.geteuid() == 0 else []!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {{"ECSLAB_LANG": "en"}}
c.JupyterHub.services = [{{"name": "load", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "load", "services": ["load"],
    "scopes": ["admin:users", "admin:servers", "access:servers"]}}]
""",
            encoding="utf-8",
        )
        return path

    def __enter__(self) -> Hub:
        log = (self.folder / "hub.log").open("w")
        self.process = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(self.config())],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"},
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


async def request(method: str, url: str, token: str, body: dict | None = None) -> dict:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    answer = await AsyncHTTPClient().fetch(
        HTTPRequest(
            url,
            method=method,
            headers={"Authorization": f"token {token}"},
            body=json.dumps(body) if body is not None else (None if method == "GET" else ""),
            request_timeout=180,
            allow_nonstandard_methods=True,
        ),
        raise_error=False,
    )
    if answer.code >= 400:
        raise RuntimeError(f"{method} {url}: HTTP {answer.code} {answer.body[:200]!r}")
    return json.loads(answer.body) if answer.body else {}


async def wait_for_hub(hub: Hub, budget: float) -> None:
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        try:
            await request("GET", f"{hub.url}/hub/api/", hub.token)
            return
        except Exception:  # not up yet
            await asyncio.sleep(0.5)
    raise RuntimeError("the hub did not start (see its log)")


async def start_server(hub: Hub, name: str) -> None:
    base = f"{hub.url}/hub/api/users/{name}"
    await request("POST", base, hub.token, {})
    await request("POST", f"{base}/server", hub.token, {})
    for _ in range(600):
        user = await request("GET", base, hub.token)
        server = (user.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{name}'s server did not become ready")


async def run_cells(hub: Hub, learner: Learner, path: Path) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    api = f"{hub.url}/user/{learner.name}/api"
    kernel = await request("POST", f"{api}/kernels", hub.token, {"name": "python3"})
    ws_url = api.replace("http://", "ws://") + f"/kernels/{kernel['id']}/channels"
    socket_ = await websocket_connect(
        HTTPRequest(ws_url, headers={"Authorization": f"token {hub.token}"})
    )
    session = uuid.uuid4().hex
    try:
        for number, (code, may_raise) in enumerate(code_cells(path)):
            message_id = uuid.uuid4().hex
            socket_.write_message(
                json.dumps(
                    {
                        "header": {
                            "msg_id": message_id,
                            "username": learner.name,
                            "session": session,
                            "msg_type": "execute_request",
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": True,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": False,
                        },
                        "channel": "shell",
                    }
                )
            )
            started = time.perf_counter()
            while True:
                raw = await asyncio.wait_for(socket_.read_message(), timeout=300)
                if raw is None:
                    raise RuntimeError("the kernel's websocket closed")
                message = json.loads(raw)
                if (
                    message.get("parent_header", {}).get("msg_id") == message_id
                    and message.get("msg_type") == "execute_reply"
                ):
                    break
            learner.latencies.append(time.perf_counter() - started)
            status = message["content"].get("status")
            if status != "ok" and not may_raise:
                learner.failures.append(
                    f"{path.name} cell {number}: {message['content'].get('ename')}: "
                    f"{message['content'].get('evalue', '')[:120]}"
                )
    finally:
        socket_.close()
        await request("DELETE", f"{api}/kernels/{kernel['id']}", hub.token)


async def learn(hub: Hub, learner: Learner, paths: list[Path]) -> None:
    try:
        await start_server(hub, learner.name)
        for path in paths:  # one notebook after another, as a learner would
            await run_cells(hub, learner, path)
    except Exception as error:  # a server that did not start, a closed kernel: a failure
        learner.failures.append(f"{type(error).__name__}: {error}")


async def watch_memory(learners: list[Learner], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for learner in learners:
            learner.peak_bytes = max(learner.peak_bytes, resident_bytes(learner.name))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


@dataclass
class Outcome:
    count: int
    learners: list[Learner]
    seconds: float
    log: list[str] = field(default_factory=list)

    @property
    def latencies(self) -> list[float]:
        return [t for learner in self.learners for t in learner.latencies]

    @property
    def failures(self) -> list[str]:
        return [f"{lr.name}: {f}" for lr in self.learners for f in lr.failures]

    def p(self, fraction: float) -> float:
        times = sorted(self.latencies)
        return times[min(len(times) - 1, int(len(times) * fraction))] if times else 0.0

    @property
    def held(self) -> bool:
        return not self.failures and self.p(0.95) < P95_TARGET


async def class_of(count: int, paths: list[Path], budget: float) -> Outcome:
    with (
        tempfile.TemporaryDirectory(prefix="ecslab-workshop-") as folder,
        Hub(Path(folder)) as hub,
    ):
        await wait_for_hub(hub, 60)
        learners = [Learner(f"learner{n:03d}") for n in range(count)]
        stop = asyncio.Event()
        watcher = asyncio.ensure_future(watch_memory(learners, stop))
        started = time.perf_counter()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(learn(hub, lr, paths) for lr in learners)), timeout=budget
            )
        except asyncio.TimeoutError:
            for learner in learners:
                learner.failures.append(f"not done within the {budget:.0f} s budget")
        seconds = time.perf_counter() - started
        stop.set()
        await watcher
        outcome = Outcome(count, learners, seconds)
        if outcome.failures:  # the hub's own words, before its folder goes
            lines = (Path(folder) / "hub.log").read_text(errors="replace").splitlines()
            outcome.log = [line for line in lines if "[E " in line or "Error" in line][-6:]
        return outcome


def report(outcome: Outcome) -> None:
    mib = 1024 * 1024
    peaks = [lr.peak_bytes / mib for lr in outcome.learners]
    served = sum(1 for lr in outcome.learners if not lr.failures)
    print(
        f"  N={outcome.count:<3} served {served}/{outcome.count}, failures "
        f"{len(outcome.failures)}, cells {len(outcome.latencies)}, p50 "
        f"{outcome.p(0.5) * 1000:.0f} ms, p95 {outcome.p(0.95) * 1000:.0f} ms, per-learner peak "
        f"{max(peaks):.0f} MiB (mean {statistics.mean(peaks):.0f}), total "
        f"{sum(peaks):.0f} MiB, {outcome.seconds:.0f} s" + ("" if outcome.held else "  (not held)")
    )
    for failure in outcome.failures[:5]:
        print(f"      {failure}")
    for line in outcome.log:
        print(f"      hub: {line[:300]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, help="one class size (default: 1, 2, 4, ...)")
    parser.add_argument("--max", type=int, default=8, help="the largest N tried (default 8)")
    parser.add_argument("--budget", type=float, default=900, help="seconds per class size")
    parser.add_argument("--notebooks", nargs="*", help="numbers (00 01 ...); default: all")
    args = parser.parse_args(argv)
    if not PROXY.exists():
        print(f"no proxy at {PROXY}: run `npm ci` in deploy/jupyterhub (run.py test does)")
        return 2
    paths = notebooks(args.notebooks)
    sizes = [args.learners] if args.learners else []
    if not sizes:
        n = 1
        while n <= args.max:
            sizes.append(n)
            n *= 2
    print(
        f"ecslab workshop load test: {len(paths)} notebooks, {os.cpu_count()} cores, "
        f"p95 target < {P95_TARGET:.0f} s"
    )
    largest = 0
    for count in sizes:
        outcome = asyncio.run(class_of(count, paths, args.budget))
        report(outcome)
        if not outcome.held:
            break
        largest = count
    print(f"largest N held (p95 < {P95_TARGET:.0f} s, no failure): {largest}")
    return 0 if largest else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
