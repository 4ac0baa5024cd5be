"""How fast is a task? Prints the figures issue 4 sets a target for.

A whole healthy ``lab.run_task()`` — RunTask with both role assumptions, the launch phase as the
ECS agent (registry auth, secrets, image pull, log stream), the orders app's run phase as the task
role, log delivery, and the trace of it all — timed after warm-up, in one lab (target p50 < 30 ms).
Also: the same with a fresh lab per task (a learner's "break it, fix it, run again" cycle
usually changes a role, not the lab), and a launch that fails at the first call. Issue 14 adds
a task on EC2 with ECS Exec (the task role allowed ECS Exec's ``ssmmessages`` channels, so the task
is healthy) against p50 < 60 ms, and the same with a FireLens log router (the task role also
allowed ``logs:CreateLogStream``/``logs:PutLogEvents``): each healthy case is one entry of
``HEALTHY_CASES``.

    .venv/bin/python benchmarks/lifecycle.py
"""

from __future__ import annotations

import statistics
import sys
import time


def timed(action, count: int, warm: int = 5, between=None) -> list[float]:
    """``action``'s wall times after ``warm`` runs; ``between`` (untimed) runs after each."""
    for _ in range(warm):
        action()
        if between is not None:
            between()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
        if between is not None:
            between()
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


# ECS Exec's agent signs with the task role: these channels keep an exec task healthy.
EXEC_CHANNELS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EcsExec",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": "*",
        }
    ],
}


def exec_ready(lab) -> None:
    lab.role("ecs-task-role").put_inline("ecs-exec", EXEC_CHANNELS)


# FireLens's router ships the app's lines with the task role: these calls keep it healthy.
ROUTER_LOGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "FireLens",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def exec_and_firelens_ready(lab) -> None:
    exec_ready(lab)
    lab.role("ecs-task-role").put_inline("firelens", ROUTER_LOGS)


def firelens_arguments(lab) -> dict:
    from ecslab.ecs.firelens import with_log_router

    return {
        "task_definition": with_log_router(lab.task_definition("orders")),
        "launch_type": "EC2",
        "enable_execute_command": True,
    }


# The healthy tasks issue 14 sets a target for, each in a lab of its own: (label, how the lab is
# prepared, run_task's arguments (or a function of the lab giving them), target p50 in seconds).
# A new case is one more entry.
HEALTHY_CASES = [
    ("healthy lab.run_task(), both phases and trace", None, {}, 0.030),
    (
        "healthy on EC2 with ECS Exec, both phases and trace",
        exec_ready,
        {"launch_type": "EC2", "enable_execute_command": True},
        0.060,
    ),
    (
        "healthy on EC2 with ECS Exec and FireLens, both phases and trace",
        exec_and_firelens_ready,
        firelens_arguments,
        0.060,
    ),
]


def healthy_case(prepare, arguments, count: int = 200) -> tuple[list[float], float]:
    """Times a healthy task in one lab; returns the times and the traced calls per task."""
    from ecslab import Lab

    lab = Lab()
    if prepare is not None:
        prepare(lab)
    if callable(arguments):
        arguments = arguments(lab)
    calls: list[int] = []

    def healthy() -> None:
        task = lab.run_task(**arguments)
        assert task.exit_code == 0, task.summary()
        # the task's own events, as a learner would look at them: none refused
        calls.append(len(task.trace))
        assert calls[-1] > 0
        assert all(event.decision == "Allowed" for event in task.trace), task.summary()

    def consumed() -> None:
        # The orders app sends one message per task; on AWS a consumer takes it. Without one the
        # queue grows by a message a run, and moto's SendMessage counts every message of the
        # queue each time: the 200th run would be timed against 200 messages no learner has.
        with lab.world.setup() as root:
            sqs = root.client("sqs")
            url = lab.resources.queue_url
            while taken := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages"
            ):
                entries = [
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(taken)
                ]
                sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    times = timed(healthy, count, between=consumed)
    return times, statistics.mean(calls)


def main() -> int:
    from ecslab import Lab

    healthy = [(case, *healthy_case(case[1], case[2])) for case in HEALTHY_CASES]

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

    print("ecslab task lifecycle benchmark (targets from issues 4 and 14)")
    for (label, _prepare, _arguments, target), times, per_task in healthy:
        print(line(label, times, target))
        print(f"    ({per_task:.0f} AWS calls in each healthy task's own trace)")
    print(line("launch refused at ecr:GetAuthorizationToken", failing_times))
    print(line("fresh Lab() + healthy run_task()", fresh_times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
