"""A JupyterHub for an ecslab workshop on one server (issue 17).

    # once, on the server, in this repository's folder:
    python3 run.py lab --no-browser   # or: python3 -m venv .venv && .venv/bin/pip install -e .
    .venv/bin/pip install jupyterhub jupyterhub-idle-culler nbgitpuller
    (cd deploy/jupyterhub && npm ci)  # configurable-http-proxy, JupyterHub's proxy
    # then, as root (the local process spawner starts each learner's server as their own user):
    ECSLAB_WORKSHOP_PASSWORD='a long class password' \\
        .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

What it sets up, each piece JupyterHub's own (https://jupyterhub.readthedocs.io):

- **Learners log in with one class password** (``SharedPasswordAuthenticator``, JupyterHub 5+):
  any user name, the password you hand out; ``ECSLAB_WORKSHOP_ADMIN`` names the instructor (admin
  password ``ECSLAB_WORKSHOP_ADMIN_PASSWORD``). A learner's first login makes their Unix user
  (``useradd -m``, as JupyterHub's ``LocalAuthenticator.add_system_user`` does), so each learner
  has a home of their own.
- **Each learner's server** runs this environment's ``jupyterhub-singleuser`` as their Unix user,
  opens JupyterLab, and gets a memory limit (``MEMORY_LIMIT``) that the local process spawner
  passes on as ``MEM_LIMIT`` (shown in JupyterLab's resource display); the Littlest JupyterHub's
  systemd spawner enforces it (see tljh.md).
- **Idle servers are stopped** after ``CULL_AFTER`` seconds by ``jupyterhub-idle-culler``, a hub
  service; a stopped learner's files stay in their home.
- **nbgitpuller** is installed in the environment: hand out its link (README, "Running a
  workshop"), which pulls the notebooks into each learner's home.
- **Progress**: each exercise check records its result in the learner's home
  (``~/.ecslab/progress.jsonl``); ``ecslab progress /home`` shows the class (README, "Running a
  workshop").

The figures (learners per core and per GiB) come from ``benchmarks/workshop.py``, which starts a
hub like this one on loopback with the simple local spawner and runs the course for N learners.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub's config loader provides it

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the environment JupyterHub runs in, with ecslab installed

# Sizing (benchmarks/workshop.py, README "Running a workshop"): a learner's server and kernel
# peak near 0.5 GiB running the whole course; 1 GiB leaves room for a second open notebook.
MEMORY_LIMIT = os.environ.get("ECSLAB_WORKSHOP_MEMORY", "1G")
CULL_AFTER = int(os.environ.get("ECSLAB_WORKSHOP_CULL_AFTER", "3600"))

c.JupyterHub.bind_url = os.environ.get("ECSLAB_WORKSHOP_URL", "http://0.0.0.0:8000")
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["ECSLAB_WORKSHOP_PASSWORD"]
admin = os.environ.get("ECSLAB_WORKSHOP_ADMIN")
if admin:
    c.Authenticator.admin_users = {admin}
    c.SharedPasswordAuthenticator.admin_password = os.environ["ECSLAB_WORKSHOP_ADMIN_PASSWORD"]
c.Authenticator.allow_all = True  # anyone with the class password


def make_unix_user(spawner):
    """The learner's Unix user, made at their first server start (the hub runs as root)."""
    import pwd
    import subprocess

    name = spawner.user.name
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)


c.Spawner.pre_spawn_hook = make_unix_user

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = MEMORY_LIMIT
# ECSLAB_LANG=ja for a Japanese class: ecslab's texts in Japanese from the first cell
if os.environ.get("ECSLAB_LANG"):
    c.Spawner.environment = {"ECSLAB_LANG": os.environ["ECSLAB_LANG"]}

c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={CULL_AFTER}",
        ],
    }
]
