"""Exercises of notebook 08, EC2 and the instance role: an app without a task role answers as
``ecsInstanceRole`` through the instance metadata service (IMDS); give it its own task role
instead of widening the instance role, then block the fallback (awsvpc, then bridge mode).

Each setup puts the container instance and its role back as they start (IMDSv2 required, hop
limit 2, ``ECS_AWSVPC_BLOCK_IMDS`` false; ``ecsInstanceRole`` with only
``AmazonEC2ContainerServiceforEC2Role``): ``lab.reset_roles()`` resets only the two course roles.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Any

from ecslab.coach.exercises import (
    EXERCISES,
    Exercise,
    RoleChanged,
    Spec,
    examples,
    granted,
    ran_to_the_end,
    snapshot,
)
from ecslab.ecs.instances import EC2_TRUST, INSTANCE_POLICY, INSTANCE_ROLE
from ecslab.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ecslab.lab import Lab

AWSVPC_FAMILY = "orders-ec2"
BRIDGE_FAMILY = "orders-bridge"
# What the orders app calls (and so all a task role of its own should allow).
ORDERS_ACTIONS = frozenset(
    {
        "s3:GetObject",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "sqs:SendMessage",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
    }
)
NO_CREDENTIALS = "Unable to locate credentials"  # botocore's NoCredentialsError

# The instance role as each exercise's setup left it, by lab: the checks compare with it.
_INSTANCE_BASELINE: weakref.WeakKeyDictionary[Lab, tuple] = weakref.WeakKeyDictionary()


# -- setup -----------------------------------------------------------------------------------------


def register_without_task_role(lab: Lab, family: str, network_mode: str) -> str:
    """The course's orders task definition for EC2, without a task role (``family``)."""
    course = lab.task_definition(lab.resources.family)
    keep = ("executionRoleArn", "cpu", "memory", "containerDefinitions")
    definition: dict[str, Any] = {key: course[key] for key in keep if key in course}
    compatibilities = ["EC2", "FARGATE"] if network_mode == "awsvpc" else ["EC2"]
    definition.update(
        family=family, networkMode=network_mode, requiresCompatibilities=compatibilities
    )
    return lab.register_task_definition(definition)


def fresh_instance(lab: Lab, http_tokens: str = "required") -> None:
    """The container instance and its role as they start (the role put back as setup)."""
    instance = lab.container_instance  # launched, and its role made, on first use
    instance.hop_limit = 2
    instance.http_tokens = http_tokens
    del instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"]  # back to its default, "false"
    role = lab.instance_role
    policy = f"arn:aws:iam::aws:policy/service-role/{INSTANCE_POLICY}"
    if snapshot(lab, INSTANCE_ROLE) != ((policy,), (), json.dumps(EC2_TRUST, sort_keys=True)):
        with lab.world.setup() as root:
            iam = root.client("iam")
            iam.update_assume_role_policy(
                RoleName=INSTANCE_ROLE, PolicyDocument=json.dumps(EC2_TRUST)
            )
            for arn in role.managed_policy_arns:
                iam.detach_role_policy(RoleName=INSTANCE_ROLE, PolicyArn=arn)
            for name in role.inline_policy_names:
                iam.delete_role_policy(RoleName=INSTANCE_ROLE, PolicyName=name)
            arn = lab.world.attach_managed_policy_support(INSTANCE_POLICY)
            iam.attach_role_policy(RoleName=INSTANCE_ROLE, PolicyArn=arn)
    _INSTANCE_BASELINE[lab] = snapshot(lab, INSTANCE_ROLE)


def _setup_awsvpc(lab: Lab) -> None:
    fresh_instance(lab)
    register_without_task_role(lab, AWSVPC_FAMILY, "awsvpc")


def _setup_bridge(lab: Lab) -> None:
    # An instance that still answers IMDSv1 (HttpTokens optional), as older AMIs launch.
    fresh_instance(lab, http_tokens="optional")
    register_without_task_role(lab, BRIDGE_FAMILY, "bridge")


# -- reading the lab ------------------------------------------------------------------------------


def _on_the_instance(ex: Exercise, family: str) -> list[str]:
    """A problem unless the last task is ``family`` on the container instance."""
    last = ex.last_task()
    if last.instance is None:
        return [
            _(
                "the last task you ran ran on Fargate; this exercise is about the task on the "
                'container instance (launch_type="EC2").'
            )
        ]
    if last.definition.family != family:
        return [
            _("the last task you ran is not the {family} task (task definition {ran}).").format(
                family=family, ran=last.definition.family
            )
        ]
    return []


def _app_roles(ex: Exercise) -> set[str]:
    """The roles the last task's app called AWS with, while it ran."""
    last = ex.last_task()
    return {
        e.role
        for e in ex.lab.trace.events[ex.first_event :]
        if e.task == last.id and e.phase == "run" and e.principal != "ECS agent" and e.role
    }


def _task_role_of(task: Any) -> str | None:
    return (task.overrides or {}).get("taskRoleArn") or task.definition.task_role_arn


def _instance_role_changed(ex: Exercise, why: str) -> list[str]:
    lab = ex.lab
    if snapshot(lab, INSTANCE_ROLE) != _INSTANCE_BASELINE.get(lab):
        return [
            RoleChanged(
                _("the instance role {role} was changed, but {why} Put it back as it was.").format(
                    role=INSTANCE_ROLE, why=_(why)
                )
            )
        ]
    return []


# -- 08-own-task-role ------------------------------------------------------------------------------


def _check_own_task_role(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = _on_the_instance(ex, AWSVPC_FAMILY)
    if problems:
        return problems
    problems = ran_to_the_end(ex)
    used = _app_roles(ex)
    if INSTANCE_ROLE in used:
        problems.append(
            _(
                "the orders app still calls AWS as {role}, the instance role: every container "
                "on the instance without a task role would have the same permissions."
            ).format(role=INSTANCE_ROLE)
        )
    if lab.execution_role.name in used:
        problems.append(
            _(
                "the orders app calls AWS as {role}, the task execution role: the app would hold "
                "everything the ECS agent may do."
            ).format(role=lab.execution_role.name)
        )
    for role in sorted(used - {INSTANCE_ROLE, lab.execution_role.name}):
        extra = granted(lab, role) - ORDERS_ACTIONS
        if extra:
            problems.append(
                ngettext(
                    "the orders app's role {role} allows {count} action the app never calls "
                    "({actions}).",
                    "the orders app's role {role} allows {count} actions the app never calls "
                    "({actions}).",
                    len(extra),
                ).format(role=role, count=f"{len(extra):,}", actions=examples(extra))
            )
    problems += _instance_role_changed(
        ex,
        N_(
            "the ECS agent and every container on the instance without a task role share it: "
            "the app's permissions belong to a task role."
        ),
    )
    return problems


# -- 08-block-awsvpc, 08-block-bridge --------------------------------------------------------------


def _check_blocked(ex: Exercise, family: str) -> list[str]:
    problems = _on_the_instance(ex, family)
    if problems:
        return problems
    last = ex.last_task()
    if _task_role_of(last):
        return [
            _(
                "the last task has a task role; this exercise is about what a task without one "
                "reaches. Run {family} as it is registered, without a task role."
            ).format(family=family)
        ]
    problems = []
    if INSTANCE_ROLE in _app_roles(ex):
        problems.append(
            _(
                "the app in the last task still got the instance role's credentials: its calls "
                "name assumed-role/{role}/{instance}."
            ).format(role=INSTANCE_ROLE, instance=ex.lab.container_instance.instance_id)
        )
    lines = [text for container in last.containers for _time, text in container.log_lines]
    if not problems and not any(NO_CREDENTIALS in line for line in lines):
        problems.append(
            _(
                'the app in the last task did not stop with NoCredentialsError ("{text}"): '
                "something still hands it credentials."
            ).format(text=NO_CREDENTIALS)
        )
    problems += _instance_role_changed(
        ex,
        N_(
            "the ECS agent needs it (to register the instance and, without an execution role, "
            "to pull images), and changing it leaves the way to it open."
        ),
    )
    return problems


def _check_block_awsvpc(ex: Exercise) -> list[str]:
    return _check_blocked(ex, AWSVPC_FAMILY)


def _check_block_bridge(ex: Exercise) -> list[str]:
    return _check_blocked(ex, BRIDGE_FAMILY)


_RUN_AWSVPC = f'lab.run_task("{AWSVPC_FAMILY}", launch_type="EC2")'
_RUN_BRIDGE = f'lab.run_task("{BRIDGE_FAMILY}", launch_type="EC2")'

EXERCISES.update(
    {
        "08-own-task-role": Spec(
            N_(
                "The orders-ec2 task runs on the container instance, and its app stops with "
                "AccessDenied. Make the app run to the end with a role that allows only what it "
                "calls, without widening the instance role."
            ),
            "healthy",
            _check_own_task_role,
            (
                N_(
                    'Run lab.run_task("orders-ec2", launch_type="EC2") and read the last log '
                    "line: which role does the ARN name, and what is the session name after it?"
                ),
                N_(
                    "The session name is an instance id (i-0...): the app got the instance "
                    "role's credentials from the instance metadata service, because its task "
                    "definition names no task role (taskRoleArn)."
                ),
                N_(
                    "The course's task role, lab.task_role, allows exactly what the orders app "
                    "calls: run orders-ec2 with it, in a new revision of the task definition or "
                    'with run_task(..., overrides={"taskRoleArn": lab.task_role.arn}).'
                ),
            ),
            "lab.run_task(\n"
            f'    "{AWSVPC_FAMILY}", launch_type="EC2",\n'
            '    overrides={"taskRoleArn": lab.task_role.arn})',
            N_(
                "The app answers as its own task role; the instance role keeps only what the "
                "ECS agent needs."
            ),
            setup=_setup_awsvpc,
            wrong='lab.instance_role.put_inline("orders-app", lab.task_role.inline_policy('
            '"orders-app"))\n' + _RUN_AWSVPC,
            run_hint=_RUN_AWSVPC,
        ),
        "08-block-awsvpc": Spec(
            N_(
                "A task without a task role on the container instance still gets the instance "
                "role's credentials. Block that fallback for tasks in awsvpc network mode, so "
                "that orders-ec2, run without a task role, stops with NoCredentialsError."
            ),
            "healthy",
            _check_block_awsvpc,
            (
                N_(
                    "Look at lab.container_instance: which of its settings decides what a "
                    "container in awsvpc network mode can reach?"
                ),
                N_(
                    "The ECS agent's configuration (/etc/ecs/ecs.config, here "
                    "lab.container_instance.agent_config) has a setting that cuts awsvpc tasks "
                    "off from the instance metadata service."
                ),
                N_(
                    'Set lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true", '
                    "then run orders-ec2 on EC2 again."
                ),
            ),
            'lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"\n' + _RUN_AWSVPC,
            N_(
                "A task without a task role now gets no credentials at all, instead of the "
                "instance role's."
            ),
            setup=_setup_awsvpc,
            wrong='lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")\n' + _RUN_AWSVPC,
            run_hint=_RUN_AWSVPC,
            goal_is_a_run=False,
        ),
        "08-block-bridge": Spec(
            N_(
                "This instance still answers IMDSv1, and orders-bridge (bridge network mode, "
                "no task role) gets the instance role's credentials. Block the fallback for it "
                "with the instance's metadata options, so that it stops with NoCredentialsError."
            ),
            "healthy",
            _check_block_bridge,
            (
                N_(
                    "ECS_AWSVPC_BLOCK_IMDS is only for tasks in awsvpc network mode. What else "
                    "does lab.container_instance let you set?"
                ),
                N_(
                    "hop_limit is how many network hops the IMDSv2 token response may travel: "
                    "from a bridge-mode container it takes two. http_tokens decides whether "
                    "IMDSv1 (no token) still answers."
                ),
                N_(
                    "Set lab.container_instance.hop_limit = 1 and "
                    'lab.container_instance.http_tokens = "required", then run orders-bridge on '
                    "EC2 again."
                ),
            ),
            "lab.container_instance.hop_limit = 1\n"
            'lab.container_instance.http_tokens = "required"\n' + _RUN_BRIDGE,
            N_(
                "No token comes back to the container, and IMDSv1 no longer answers: nothing "
                "is left to fall back to."
            ),
            setup=_setup_bridge,
            wrong="lab.container_instance.hop_limit = 1\n" + _RUN_BRIDGE,
            run_hint=_RUN_BRIDGE,
            goal_is_a_run=False,
        ),
    }
)
