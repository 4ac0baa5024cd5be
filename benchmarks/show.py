"""How fast does the learner see? Prints the figures issue 5 sets targets for.

- a task's diagram: building it from the trace and the plan, and rendering it to SVG
  (target: render < 100 ms)
- a workbench "Run task" click to refreshed status, logs, diagram and trace, headless
  (target: p50 < 150 ms)

Figures are medians after warm-up, in one process, with the renderer this machine has (the
system ``dot`` or pygraphviz, printed).

    .venv/bin/python benchmarks/show.py
"""

from __future__ import annotations

import statistics
import sys
import time


def timed(action, count: int, warm: int = 3) -> list[float]:
    for _ in range(warm):
        action()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    from ecslab import Lab
    from ecslab.show.diagram import render_svg, renderer

    lab = Lab()
    healthy = lab.run_task()
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    failed = lab.run_task()
    lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")

    builds = timed(lambda: (healthy.diagram(), failed.diagram()), 50)
    builds = [t / 2 for t in builds]
    source = failed.diagram().source
    renders = timed(lambda: render_svg(source), 50)
    first_run = time.perf_counter()
    bench = lab.workbench()
    built = time.perf_counter() - first_run
    clicks = timed(bench.run_button.click, 50)
    assert bench.last_task is not None and bench.last_task.exit_code == 0

    print("ecslab show benchmark (targets from issue 5)")
    print(f"  renderer here: {renderer()}")
    print(
        f"  task diagram from trace + plan: p50 {statistics.median(builds) * 1000:6.1f} ms, "
        f"p95 {p95(builds) * 1000:6.1f} ms"
    )
    render = statistics.median(renders)
    print(
        f"  SVG render of a failed task's diagram: p50 {render * 1000:6.1f} ms, "
        f"p95 {p95(renders) * 1000:6.1f} ms  target < 100 ms: "
        f"{'meets' if render < 0.100 else 'MISSES'}"
    )
    click = statistics.median(clicks)
    print(
        f"  workbench Run task click → updated view: p50 {click * 1000:6.1f} ms, "
        f"p95 {p95(clicks) * 1000:6.1f} ms  target p50 < 150 ms: "
        f"{'meets' if click < 0.150 else 'MISSES'}"
    )
    print(f"  (building the workbench: {built * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
