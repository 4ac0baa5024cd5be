"""lab.plan() knows the rest of the cast: the deployer's RunTask and iam:PassRole, the EC2
instance role (for the agent without an execution role, for the app without a task role when
IMDS answers), and ECS Exec's control channel with the task role — and a task run with the same
arguments makes exactly the planned calls, in the planned order, each allowed."""

from __future__ import annotations

import copy
import json

import pytest

from ecslab import Lab
from tests.ecs.plan_rows import planned, rows

TASK_ROLE = "ecs-task-role"


def assert_plan_is_what_ran(lab, **kwargs):
    plan = lab.plan(**kwargs)
    task = lab.run_task(**kwargs)
    assert task.stop_code == "EssentialContainerExited"
    events = list(task.trace)
    assert planned(plan, task.id) == rows(events)
    assert {e.decision for e in events} == {"Allowed"}
    return plan, task


def without(lab, key):
    registered = lab.task_definition()
    keys = (
        "family",
        "taskRoleArn",
        "executionRoleArn",
        "networkMode",
        "containerDefinitions",
        "requiresCompatibilities",
        "cpu",
        "memory",
    )
    out = copy.deepcopy({k: registered[k] for k in keys if k in registered and k != key})
    if key == "executionRoleArn":  # no secrets without an execution role
        for container in out["containerDefinitions"]:
            container.pop("secrets", None)
        out["requiresCompatibilities"] = ["EC2"]  # Fargate requires it for awslogs
    return out


def test_the_default_plan_is_unchanged():
    lab = Lab()
    assert lab.plan().calls == lab.plan(launch_type="FARGATE").calls


def test_ec2_with_both_roles_is_planned_as_on_fargate():
    lab = Lab()
    plan, _task = assert_plan_is_what_ran(lab, launch_type="EC2")
    assert "ecsInstanceRole" not in {c.role for c in plan.calls}


def test_ec2_without_an_execution_role_the_agent_pulls_as_the_instance_role():
    lab = Lab()
    definition = lab.register_task_definition(without(lab, "executionRoleArn"))
    plan, _task = assert_plan_is_what_ran(lab, task_definition=definition, launch_type="EC2")
    agent = {c.action: c.role for c in plan.calls if c.principal == "ECS agent"}
    assert agent["ecr:BatchGetImage"] == "ecsInstanceRole"
    assert agent["logs:PutLogEvents"] == "ecsInstanceRole"


def test_ec2_without_a_task_role_the_app_is_planned_as_the_instance_role():
    lab = Lab()
    lab.client("iam").attach_role_policy(
        RoleName=lab.container_instance.role_name,
        PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    definition = lab.register_task_definition(without(lab, "taskRoleArn"))
    plan, _task = assert_plan_is_what_ran(lab, task_definition=definition, launch_type="EC2")
    app = {c.role for c in plan.calls if c.principal == "orders app"}
    assert app == {"ecsInstanceRole"}


def test_ec2_with_imds_blocked_the_app_has_no_role():
    lab = Lab()
    lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"
    definition = lab.register_task_definition(without(lab, "taskRoleArn"))
    plan = lab.plan(definition, launch_type="EC2")
    assert {c.role for c in plan.calls if c.principal == "orders app"} == {None}
    task = lab.run_task(definition, launch_type="EC2")
    assert not [e for e in task.trace if e.principal == "orders app"]  # NoCredentialsError


def test_ecs_exec_opens_the_control_channel_with_the_task_role():
    lab = Lab()
    lab.client("iam").put_role_policy(
        RoleName=TASK_ROLE,
        PolicyName="ecs-exec",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "ssmmessages:CreateControlChannel",
                            "ssmmessages:OpenControlChannel",
                            "ssmmessages:CreateDataChannel",
                            "ssmmessages:OpenDataChannel",
                        ],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    plan, _task = assert_plan_is_what_ran(lab, enable_execute_command=True)
    channel = [(c.principal, c.role, c.action) for c in plan.calls if c.service == "ssmmessages"]
    assert channel == [
        ("SSM agent (ECS Exec)", TASK_ROLE, "ssmmessages:CreateControlChannel"),
        ("SSM agent (ECS Exec)", TASK_ROLE, "ssmmessages:OpenControlChannel"),
    ]


def test_ecs_exec_refused_the_trace_stops_where_the_plan_says():
    lab = Lab()
    plan = lab.plan(enable_execute_command=True)
    task = lab.run_task(enable_execute_command=True)
    made = [e for e in task.trace if e.action.startswith("ssmmessages:")]
    assert [(e.action, e.decision) for e in made] == [
        ("ssmmessages:CreateControlChannel", "ImplicitlyDenied")
    ]
    assert [c.action for c in plan.calls if c.service == "ssmmessages"][:1] == [made[0].action]


def test_the_deployer_runs_the_task_before_launch():
    lab = Lab()
    plan, _task = assert_plan_is_what_ran(lab, as_deployer=True)
    first = [(c.phase, c.principal, c.role, c.action, c.via) for c in plan.calls[:3]]
    assert first == [
        ("admin", "deployer", "ecs-deployer", "ecs:RunTask", None),
        ("admin", "deployer", "ecs-deployer", "iam:PassRole", "ecs:RunTask"),
        ("admin", "deployer", "ecs-deployer", "iam:PassRole", "ecs:RunTask"),
    ]
    assert "deploy" in plan.describe().lower()


def test_the_plan_checks_its_arguments_as_run_task_does():
    lab = Lab()
    with pytest.raises(ValueError, match='launch_type is "FARGATE" or "EC2"'):
        lab.plan(launch_type="ec2")
    with pytest.raises(TypeError, match="as_deployer must be True or False, not str"):
        lab.plan(as_deployer="yes")
    with pytest.raises(TypeError, match="enable_execute_command must be True or False"):
        lab.plan(enable_execute_command=1)
