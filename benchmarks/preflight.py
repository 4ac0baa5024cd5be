"""How fast is ``ecslab preflight``? Prints the figure issue 16 sets a target for.

A preflight of one task definition with its two roles (describe-task-definition output and
get-account-authorization-details output, the article's roles with AWS managed policies), timed
as a user runs it: the ``ecslab preflight`` command in a new process, interpreter start and
imports included (target < 300 ms on the machine's 2 cores). Also: the same in-process after
warm-up (the work itself), a CloudFormation YAML template, and the article's Terraform (which
loads the course's Terraform reader).

    .venv/bin/python benchmarks/preflight.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.300
ECSLAB = Path(sys.executable).with_name("ecslab")


def inputs(folder: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tests.coach.preflight.test_preflight import (
        CLOUDFORMATION_YAML,
        authorization_details,
        definition,
        described,
    )

    task = folder / "taskdef.json"
    task.write_text(json.dumps(described(definition())), encoding="utf-8")
    iam = folder / "iam.json"
    iam.write_text(json.dumps(authorization_details()), encoding="utf-8")
    template = folder / "template.yaml"
    template.write_text(CLOUDFORMATION_YAML, encoding="utf-8")
    terraform = folder / "terraform"
    terraform.mkdir()
    shutil.copy(ROOT / "ecslab" / "coach" / "lessons" / "article.tf", terraform)
    shutil.copy(ROOT / "tests" / "coach" / "terraform" / "orders.tf", terraform)
    return [task, iam, template, terraform]


def command(*arguments: Path, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        done = subprocess.run(
            [str(ECSLAB), "preflight", *map(str, arguments)],
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        assert done.returncode in (0, 1), done.stderr.decode()
    return times


def line(label: str, times: list[float], target: float | None = None) -> None:
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    verdict = ""
    if target is not None:
        verdict = f"  (target < {target * 1000:.0f} ms: {'meets' if p50 < target else 'MISSES'})"
    print(f"  {label:<58} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms{verdict}")


def main() -> int:
    print("ecslab preflight benchmark (issue 16)")
    with tempfile.TemporaryDirectory() as directory:
        task, iam, template, terraform = inputs(Path(directory))
        command(task, iam, count=2)  # warm the file system cache
        line(
            "ecslab preflight taskdef.json iam.json (a new process)",
            command(task, iam, count=15),
            TARGET,
        )
        line("ecslab preflight template.yaml (a new process)", command(template, count=10))
        line("ecslab preflight terraform/ (a new process)", command(terraform, count=5))
        from ecslab.coach.preflight import preflight

        for _ in range(5):
            preflight(task, iam)
        times = []
        for _ in range(50):
            started = time.perf_counter()
            preflight(task, iam)
            times.append(time.perf_counter() - started)
        line("preflight(taskdef.json, iam.json) in-process, warm", times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
