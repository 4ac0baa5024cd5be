"""FireLens: the log router ships the app's lines with the task role; the execution role pulls
its image and writes the router's own log."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.ecs import firelens
from ecslab.ecs.firelens import registrable, with_log_router

SHIP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def _events(task, label=firelens.LABEL):
    return [e for e in task.trace if e.principal == label]


def test_the_definition_gets_a_router_and_the_app_logs_through_it(lab):
    described = lab.task_definition()
    definition = with_log_router(described)
    assert definition is not described and "taskDefinitionArn" not in definition
    assert definition["family"] == "orders-firelens"
    app, router = definition["containerDefinitions"]
    assert router["name"] == "log_router"
    assert router["firelensConfiguration"] == {"type": "fluentbit"}
    assert router["image"] == (
        "906394416424.dkr.ecr.ap-northeast-1.amazonaws.com/aws-for-fluent-bit:latest"
    )
    assert router["logConfiguration"]["logDriver"] == "awslogs"
    assert app["logConfiguration"]["logDriver"] == "awsfirelens"
    assert app["logConfiguration"]["options"]["Name"] == "cloudwatch_logs"
    # the input is untouched, and the course's task stays as it was
    assert described["containerDefinitions"][0]["logConfiguration"]["logDriver"] == "awslogs"
    lab.run_task(definition)
    assert lab.task_definition()["family"] == "orders"


def test_the_course_task_role_cannot_ship_so_the_lines_never_arrive(lab):
    task = lab.run_task(with_log_router(lab.task_definition()))
    assert task.stop_code == "EssentialContainerExited"
    assert task.exit_code == 0  # the app ran to the end
    assert task.logs == []
    own = task.container_logs("log_router")
    assert any(
        "[error] [output:cloudwatch_logs:cloudwatch_logs.0] CreateLogStream API responded with "
        "error='AccessDeniedException', message='User: arn:aws:sts::123456789012:assumed-role/"
        "ecs-task-role/" in line
        for line in own
    )
    assert own[-2:] == [
        own[-2][:21]
        + " [error] [output:cloudwatch_logs:cloudwatch_logs.0] Failed to create log stream",
        own[-1][:21] + " [error] [output:cloudwatch_logs:cloudwatch_logs.0] Failed to send events",
    ]
    (refused,) = _events(task)
    assert (refused.phase, refused.role, refused.action, refused.allowed) == (
        "run",
        "ecs-task-role",
        "logs:CreateLogStream",
        False,
    )


def test_the_execution_role_pulls_the_router_and_writes_its_own_log(lab):
    task = lab.run_task(with_log_router(lab.task_definition()))
    pulls = [
        e for e in task.trace if e.action == "ecr:BatchGetImage" and "906394416424" in e.resource
    ]
    assert [(e.phase, e.role, e.allowed) for e in pulls] == [("launch", "ecs-execution-role", True)]
    streams = [
        e.resource
        for e in task.trace
        if e.action == "logs:CreateLogStream" and e.role == "ecs-execution-role"
    ]
    assert streams == [
        f"arn:aws:logs:ap-northeast-1:123456789012:log-group:/ecs/orders:log-stream:"
        f"firelens/log_router/{task.id}"
    ]
    shipped = lab.world.account.log_messages("/ecs/orders", f"firelens/log_router/{task.id}")
    assert shipped == task.container_logs("log_router")


def test_the_task_role_fix_ships_the_lines(lab):
    lab.task_role.put_inline("ship-logs", SHIP)
    task = lab.run_task(with_log_router(lab.task_definition()))
    assert task.logs[-1] == "order-1001 processed"
    assert task.logs == task.container_logs("orders")
    assert [(e.action, e.allowed) for e in _events(task)] == [
        ("logs:CreateLogStream", True),
        ("logs:PutLogEvents", True),
    ]
    assert not any("[error]" in line for line in task.container_logs("log_router"))


def test_the_wrong_role_fix_does_nothing(lab):
    lab.execution_role.put_inline("ship-logs", SHIP)
    task = lab.run_task(with_log_router(lab.task_definition()))
    assert task.logs == []
    assert not _events(task)[0].allowed


def test_auto_create_group_needs_create_log_group(lab):
    lab.task_role.put_inline("ship-logs", SHIP)
    definition = with_log_router(
        lab.task_definition(), log_group="/ecs/orders-firelens", auto_create_group=True
    )
    task = lab.run_task(definition)
    assert task.logs == []
    assert any(
        "CreateLogGroup API responded with error='AccessDeniedException'" in line
        for line in task.container_logs("log_router")
    )


def test_without_a_task_role_nothing_is_shipped(lab):
    definition = with_log_router(lab.task_definition())
    del definition["taskRoleArn"]
    task = lab.run_task(definition)
    assert task.logs == []
    assert "Failed to send events" in task.container_logs("log_router")[-1]
    assert _events(task) == []


def test_ecs_refuses_awsfirelens_without_a_router(lab):
    definition = registrable(lab.task_definition())
    definition["containerDefinitions"][0]["logConfiguration"] = {
        "logDriver": "awsfirelens",
        "options": {"Name": "cloudwatch_logs"},
    }
    with pytest.raises(ClientError) as caught:
        lab.register_task_definition(definition)
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert caught.value.response["Error"]["Message"] == (
        "When awsfirelens log driver is specified in log configuration, a firelens "
        "configuration object must be configured in one of the containers."
    )


def test_ecs_refuses_a_router_nobody_logs_to(lab):
    definition = with_log_router(lab.task_definition())
    definition["containerDefinitions"][0]["logConfiguration"] = lab.task_definition()[
        "containerDefinitions"
    ][0]["logConfiguration"]
    with pytest.raises(ClientError) as caught:
        lab.register_task_definition(definition)
    assert caught.value.response["Error"]["Message"] == (
        "When a firelensConfiguration object is specified, at least one container has to be "
        "configured with the awsfirelens log driver."
    )


def test_bad_input_is_a_learner_error(lab):
    with pytest.raises(ArgumentTypeError, match="with_log_router\\(\\) takes a task definition"):
        with_log_router("orders")
    with pytest.raises(ValueError, match="already has a log router"):
        with_log_router(with_log_router(lab.task_definition()))
    task = lab.run_task(with_log_router(lab.task_definition()))
    with pytest.raises(ValueError, match=r"no container 'nginx'.*'orders', 'log_router'"):
        task.container_logs("nginx")


def test_the_default_task_is_unchanged(lab):
    task = lab.run_task()
    assert task.logs[-1] == "order-1001 processed"
    assert task.container_logs("orders") == task.logs
    assert not any(e.principal == firelens.LABEL for e in task.trace)


def test_the_diagram_draws_the_router(lab):
    task = lab.run_task(with_log_router(lab.task_definition()))
    assert firelens.LABEL in task.diagram()._repr_html_()


def test_diagnose_points_the_routers_refusal_at_the_task_role(lab):
    from ecslab.coach.diagnose import diagnose

    task = lab.run_task(with_log_router(lab.task_definition()))
    line = next(line for line in task.container_logs("log_router") if "AccessDenied" in line)
    answer = diagnose(line)
    assert (answer.role, answer.category, answer.phase) == ("task", "log-router", "run")
    assert "task execution role changes nothing" in answer.fix
    assert "ecs-task-role" in " ".join(answer.evidence)
