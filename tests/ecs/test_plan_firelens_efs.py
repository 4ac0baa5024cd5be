"""lab.plan() knows FireLens and EFS: the log router's calls with the task role after the app
ran, and the EFS mount's ClientMount / ClientWrite with the task role at launch (or as an
anonymous client without IAM authorization) — and a healthy task makes exactly the planned
calls, in the planned order; a task that stops at the mount shows the rest as never reached."""

from __future__ import annotations

import pytest

from ecslab import Lab
from ecslab.ecs import efs, firelens
from ecslab.ecs.efs import with_efs_volume
from ecslab.ecs.firelens import with_log_router
from ecslab.i18n import set_language
from tests.ecs.plan_rows import planned, rows

SHIP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def _allow(*actions):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }


def assert_plan_is_what_ran(lab, definition):
    plan = lab.plan(definition)
    task = lab.run_task(definition)
    assert task.stop_code == "EssentialContainerExited"
    events = list(task.trace)
    assert planned(plan, task.id) == rows(events)
    return plan, task


def _of(plan, principal):
    return [(c.phase, c.role, c.action) for c in plan.calls if c.principal == principal]


@pytest.mark.parametrize("auto_create_group", [False, True])
def test_a_healthy_firelens_task_makes_the_planned_calls(auto_create_group):
    lab = Lab()
    lab.task_role.put_inline("ship-logs", SHIP)
    definition = with_log_router(
        lab.task_definition(),
        log_group="/ecs/orders-firelens" if auto_create_group else None,
        auto_create_group=auto_create_group,
    )
    plan, task = assert_plan_is_what_ran(lab, definition)
    assert {e.decision for e in task.trace} == {"Allowed"}
    shipping = [("run", "ecs-task-role", "logs:CreateLogStream")]
    if auto_create_group:
        shipping.insert(0, ("run", "ecs-task-role", "logs:CreateLogGroup"))
    assert _of(plan, firelens.LABEL) == [*shipping, ("run", "ecs-task-role", "logs:PutLogEvents")]
    # the execution role pulls the router's image and delivers the router's own log
    agent = [(c.action, c.resource) for c in plan.calls if c.principal == "ECS agent"]
    assert (
        "ecr:BatchGetImage",
        "arn:aws:ecr:ap-northeast-1:906394416424:repository/aws-for-fluent-bit",
    ) in agent
    assert agent[-1] == (
        "logs:PutLogEvents",
        "arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/orders:log-stream:"
        "firelens/log_router/<task-id>",
    )
    router = [c for c in plan.calls if c.principal == firelens.LABEL]
    assert router[-1].why == "ship what orders prints to CloudWatch Logs (FireLens)"
    assert router[-1].resource.endswith("log-stream:firelens-orders-firelens-<task-id>")


def test_the_course_task_role_cannot_ship_the_trace_stops_where_the_plan_says():
    lab = Lab()
    definition = with_log_router(lab.task_definition())
    plan = lab.plan(definition)
    task = lab.run_task(definition)
    made = [(e.action, e.decision) for e in task.trace if e.principal == firelens.LABEL]
    assert made == [("logs:CreateLogStream", "ImplicitlyDenied")]
    assert [a for _p, _r, a in _of(plan, firelens.LABEL)] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    never = [line for line in task.diagram().describe().splitlines() if "Never reached" in line]
    assert len(never) == 1
    assert (
        "The log router (Fluent Bit), as role ecs-task-role, would have called logs:PutLogEvents"
        in never[0]
    )


@pytest.mark.parametrize("read_only", [True, False])
def test_a_healthy_efs_task_makes_the_planned_calls(read_only):
    lab = Lab()
    fs = lab.file_system
    lab.task_role.put_inline(
        "efs", _allow("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
    )
    definition = with_efs_volume(lab.task_definition(), fs.id, read_only=read_only)
    plan, task = assert_plan_is_what_ran(lab, definition)
    assert {e.decision for e in task.trace} == {"Allowed"}
    mounts = [("launch", "ecs-task-role", "elasticfilesystem:ClientMount")]
    if not read_only:
        mounts.append(("launch", "ecs-task-role", "elasticfilesystem:ClientWrite"))
    assert _of(plan, efs.LABEL) == mounts
    mount = next(c for c in plan.calls if c.principal == efs.LABEL)
    assert mount.resource == fs.arn and mount.service == "efs"
    assert mount.why == f"mount EFS file system {fs.id} (read access)"
    # at launch, after the agent's log stream and before the app's first call
    index = plan.calls.index(mount)
    assert plan.calls[index - 1].action == "logs:CreateLogStream"
    assert plan.calls[index + len(mounts)].principal == "orders app"


def test_without_iam_the_plan_has_an_anonymous_mount():
    lab = Lab()
    fs = lab.file_system
    fs.delete_policy()  # EFS's default policy: full access to any client
    definition = with_efs_volume(lab.task_definition(), fs.id, iam=False)
    plan, _task = assert_plan_is_what_ran(lab, definition)
    assert _of(plan, efs.LABEL) == [
        ("launch", None, "elasticfilesystem:ClientMount"),
        ("launch", None, "elasticfilesystem:ClientWrite"),
    ]
    assert "anonymous client" in next(c.why for c in plan.calls if c.principal == efs.LABEL)


def test_a_task_stopped_at_the_mount_shows_the_later_calls_as_never_reached():
    lab = Lab()
    definition = with_efs_volume(lab.task_definition(), lab.file_system.id)
    task = lab.run_task(definition)
    assert task.stop_code == "TaskFailedToStart"
    text = task.diagram().describe()
    never = [line for line in text.splitlines() if "Never reached" in line]
    assert any("elasticfilesystem:ClientWrite" in line for line in never)
    assert any("s3:GetObject" in line for line in never)
    assert any("logs:PutLogEvents" in line for line in never)
    # the refused mount is the last call made, by the mount with the task role
    assert [(e.principal, e.action, e.decision) for e in task.trace][-1] == (
        efs.LABEL,
        "elasticfilesystem:ClientMount",
        "ImplicitlyDenied",
    )


def test_the_plan_names_the_new_callers_in_both_languages():
    lab = Lab()
    lab.task_role.put_inline("ship-logs", SHIP)
    definition = with_efs_volume(with_log_router(lab.task_definition()), lab.file_system.id)
    english = lab.plan(definition).describe()
    assert "The log router (Fluent Bit)" in english and "The EFS mount (efs-utils)" in english
    try:
        set_language("ja")
        japanese = lab.plan(definition).describe()
        html = lab.plan(definition)._repr_html_()
    finally:
        set_language("en")
    assert "ログルーター (Fluent Bit)" in japanese
    assert "EFS マウント (efs-utils)" in japanese
    assert "log router (Fluent Bit)" not in japanese
    assert "ログルーター (Fluent Bit)" in html
