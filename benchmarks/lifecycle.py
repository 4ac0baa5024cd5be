"""How fast is a task? Prints the figures issue 4 sets a target for.

A whole healthy ``lab.run_task()`` — RunTask with both role assumptions, the launch phase as the
ECS agent (registry auth, secrets, image pull, log stream), the orders app's run phase as the task
role, log delivery, and the trace of it all — timed after warm-up, in one lab (target p50 < 30 ms).
Also: the same with a fresh lab per task (a learner's "break it, fix it, run again" cycle
usually changes a role, not the lab), and a launch that fails at the first call.

    .venv/bin/python benchmarks/lifecycle.py
"""

from __future__ import annotations

import statistics
import sys
import time


def timed(action, count: int, warm: int = 5) -> list[float]:
    for _ in range(warm):
        action()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def line(label: str, times: list[float], target: float | None = None) -> str:
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    text = f"  {label}: p50 {p50 * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms ({len(times)} runs)"
    if target is not None:
        verdict = "meets" if p50 < target else "MISSES"
        text += f"  target p50 < {target * 1000:.0f} ms: {verdict}"
    return text


def main() -> int:
    from ecslab import Lab

    lab = Lab()
    events_before = len(lab.trace)

    def healthy() -> None:
        task = lab.run_task()
        assert task.exit_code == 0, task.summary()
        assert len(task.trace) > 0  # the task's own events, as a learner would look at them

    healthy_times = timed(healthy, 200)
    per_task = (len(lab.trace) - events_before) / (200 + 5)

    broken = Lab()
    broken.execution_role.detach("AmazonECSTaskExecutionRolePolicy")

    def fails() -> None:
        task = broken.run_task()
        assert task.stop_code == "TaskFailedToStart", task.summary()

    failing_times = timed(fails, 200)

    def fresh() -> None:
        task = Lab().run_task()
        assert task.exit_code == 0, task.summary()

    fresh_times = timed(fresh, 30, warm=2)

    print("ecslab task lifecycle benchmark (target from issue 4)")
    print(line("healthy lab.run_task(), both phases and trace", healthy_times, 0.030))
    print(f"    ({per_task:.0f} traced AWS calls per healthy task)")
    print(line("launch refused at ecr:GetAuthorizationToken", failing_times))
    print(line("fresh Lab() + healthy run_task()", fresh_times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
