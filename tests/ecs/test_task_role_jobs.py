"""The task role's other jobs: ECS Exec's SSM agent signs with the task role."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ecslab.ecs import exec as ecs_exec

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


def _exec(lab, task, **kwargs):
    request = {
        "cluster": lab.resources.cluster,
        "task": task,
        "interactive": True,
        "command": "/bin/sh",
    }
    request.update(kwargs)
    return lab.client("ecs").execute_command(**request)


def _ssmmessages(lab):
    return [e for e in lab.trace if e.service == "ssmmessages"]


# -- ECS Exec ------------------------------------------------------------------------------------


def test_the_task_role_without_ssmmessages_leaves_the_agent_unconnected(lab):
    task = lab.run_task(enable_execute_command=True)
    arn = task.describe()["taskArn"]
    with pytest.raises(ClientError) as raised:
        _exec(lab, arn)
    error = raised.value.response["Error"]
    assert error["Code"] == "TargetNotConnectedException"
    assert str(raised.value) == (
        "An error occurred (TargetNotConnectedException) when calling the ExecuteCommand "
        "operation: The execute command failed due to an internal error. Try again later."
    )
    [refused] = _ssmmessages(lab)
    assert (refused.phase, refused.principal, refused.role) == (
        "run",
        "SSM agent (ECS Exec)",
        "ecs-task-role",
    )
    assert refused.action == "ssmmessages:CreateControlChannel"
    assert refused.decision == "ImplicitlyDenied"
    assert "assumed-role/ecs-task-role/" in refused.error


def test_the_task_role_with_ssmmessages_opens_a_session(lab):
    lab.role("ecs-task-role").put_inline("ecs-exec", EXEC_CHANNELS)
    task = lab.run_task(enable_execute_command=True)
    description = task.describe()
    assert description["enableExecuteCommand"] is True
    [agent] = description["containers"][0]["managedAgents"]
    assert (agent["name"], agent["lastStatus"]) == ("ExecuteCommandAgent", "STOPPED")
    task_id = description["taskArn"].rsplit("/", 1)[-1]
    answer = _exec(lab, task_id)
    assert answer["taskArn"] == description["taskArn"]
    assert answer["containerName"] == description["containers"][0]["name"]
    assert answer["interactive"] is True
    assert answer["session"]["sessionId"].startswith("ecs-execute-command-")
    assert answer["session"]["streamUrl"].startswith(
        "wss://ssmmessages.ap-northeast-1.amazonaws.com/v1/data-channel/ecs-execute-command-"
    )
    calls = [(e.phase, e.role, e.operation, e.decision) for e in _ssmmessages(lab)]
    assert calls == [
        ("run", "ecs-task-role", "CreateControlChannel", "Allowed"),
        ("run", "ecs-task-role", "OpenControlChannel", "Allowed"),
        ("run", "ecs-task-role", "CreateDataChannel", "Allowed"),
        ("run", "ecs-task-role", "OpenDataChannel", "Allowed"),
    ]


def test_the_execution_role_does_not_help_ecs_exec(lab):
    """The classic wrong fix: ssmmessages on the execution role changes nothing."""
    lab.role("ecs-execution-role").put_inline("ecs-exec", EXEC_CHANNELS)
    task = lab.run_task(enable_execute_command=True)
    with pytest.raises(ClientError) as raised:
        _exec(lab, task.describe()["taskArn"])
    assert raised.value.response["Error"]["Code"] == "TargetNotConnectedException"


def test_a_task_run_without_exec_refuses_execute_command(lab):
    task = lab.run_task()
    assert task.describe()["enableExecuteCommand"] is False
    assert _ssmmessages(lab) == []
    with pytest.raises(ClientError) as raised:
        _exec(lab, task.describe()["taskArn"])
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert raised.value.response["Error"]["Message"] == (
        "The execute command failed because execute command was not enabled when the task was "
        "run or the execute command agent isn\u2019t running. Wait and try again or run a new "
        "task with execute command enabled and try again."
    )


def test_a_task_that_never_started_has_no_agent(lab):
    lab.role("ecs-task-role").put_inline("ecs-exec", EXEC_CHANNELS)
    lab.role("ecs-execution-role").detach("AmazonECSTaskExecutionRolePolicy")
    task = lab.run_task(enable_execute_command=True)
    assert task.describe()["stopCode"] == "TaskFailedToStart"
    assert _ssmmessages(lab) == []
    with pytest.raises(ClientError) as raised:
        _exec(lab, task.describe()["taskArn"])
    assert raised.value.response["Error"]["Message"] == ecs_exec.NOT_ENABLED


def test_the_learner_needs_ecs_execute_command(lab):
    lab.role("ecs-task-role").put_inline("ecs-exec", EXEC_CHANNELS)
    task = lab.run_task(enable_execute_command=True)
    arn = task.describe()["taskArn"]
    iam = lab.client("iam")
    iam.put_user_policy(
        UserName="learner",
        PolicyName="no-exec",
        PolicyDocument=(
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", '
            '"Action": "ecs:ExecuteCommand", "Resource": "*"}]}'
        ),
    )
    with pytest.raises(ClientError) as raised:
        _exec(lab, arn)
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "ecs:ExecuteCommand" in error["Message"]
    assert "explicit deny" in error["Message"]
    refused = [e for e in lab.trace if e.operation == "ExecuteCommand"][-1]
    assert (refused.principal, refused.decision) == ("you (administrator)", "ExplicitlyDenied")


def test_a_wrong_task_id_is_refused_as_ecs_does(lab):
    with pytest.raises(ClientError) as raised:
        _exec(lab, "not-a-task")
    assert raised.value.response["Error"]["Message"] == "task length should be one of [32,36]"
    with pytest.raises(ClientError) as raised:
        _exec(lab, "0" * 32)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_container_that_is_not_in_the_task(lab):
    lab.role("ecs-task-role").put_inline("ecs-exec", EXEC_CHANNELS)
    task = lab.run_task(enable_execute_command=True)
    with pytest.raises(ClientError) as raised:
        _exec(lab, task.describe()["taskArn"], container="nginx")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "nginx" in raised.value.response["Error"]["Message"]


def test_enable_execute_command_must_be_a_boolean(lab):
    with pytest.raises(TypeError, match="enable_execute_command must be True or False"):
        lab.run_task(enable_execute_command="yes")


def test_the_default_task_is_unchanged(lab):
    task = lab.run_task()
    description = task.describe()
    assert "managedAgents" not in description["containers"][0]
    assert description["lastStatus"] == "STOPPED"
