"""The deployer: whoever calls ``ecs:RunTask`` — a person, a CI pipeline — and the ``iam:PassRole``
checks ECS makes on that caller for each role in the task definition.

On AWS, RunTask is authorized against the task definition (``ecs:RunTask``, condition key
``ecs:cluster``) and, for every role the task definition or the overrides name, ECS checks that the
*caller* may pass it (``iam:PassRole`` with ``iam:PassedToService`` = ``ecs-tasks.amazonaws.com``)
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html, "Required IAM
permissions for the task role"; the gate's resolver in :mod:`ecslab.cloud.operations`). A refused
PassRole is RunTask's own error, ``AccessDeniedException`` (HTTP 400) with IAM's wording, e.g.
"An error occurred (AccessDeniedException) when calling the RunTask operation: User:
arn:aws:sts::123456789:assumed-role/[role]/[function] is not authorized to perform: iam:PassRole on
resource: arn:aws:iam::123456789:role/ecsTaskExecutionRole because no identity-based policy allows
the iam:PassRole action" (https://github.com/aws/serverless-application-model/issues/2247;
"Service: AmazonECS; Status Code: 400; Error Code: AccessDeniedException" in
https://github.com/serverless-operations/serverless-step-functions/pull/189). No task is created.

In the lab the learner is the account's administrator, so their own RunTask is always allowed. The
deployer is a role, ``ecs-deployer``, that the learner assumes (as a pipeline would) to run the task
with only what its policy grants; its policy is the learner's to edit (``lab.deployer``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ecslab.cloud.trace import TraceEvent

if TYPE_CHECKING:
    from ecslab.cloud.world import World

DEPLOYER_ROLE = "ecs-deployer"
DEPLOYER_POLICY = "deploy-tasks"
DEPLOYER_SESSION = "deployer"
DEPLOYER_LABEL = "deployer"  # the trace's word for it (the diagram translates it)


def deployer_policy(account_id: str, roles: Sequence[str]) -> dict:
    """What a deployer needs to run the course's task: RunTask, and PassRole on its roles (to
    ECS tasks only)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RunTasks",
                "Effect": "Allow",
                "Action": ["ecs:RunTask", "ecs:DescribeTasks"],
                "Resource": "*",
            },
            {
                "Sid": "PassTheTaskRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [f"arn:aws:iam::{account_id}:role/{name}" for name in roles],
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ],
    }


def ensure_deployer(world: World, roles: Sequence[str]) -> str:
    """Create the deployer role (trusting this account) with its policy, once; its name."""
    if world.account.role(DEPLOYER_ROLE) is None:
        account = world.account.account_id
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        with world.setup() as root:
            iam = root.client("iam")
            iam.create_role(RoleName=DEPLOYER_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
            iam.put_role_policy(
                RoleName=DEPLOYER_ROLE,
                PolicyName=DEPLOYER_POLICY,
                PolicyDocument=json.dumps(deployer_policy(account, roles)),
            )
    return DEPLOYER_ROLE


def deployer_keys(world: World, learner_keys: tuple[str, str]) -> tuple[str, str, str]:
    """The learner assumes the deployer role (traced in phase "admin"); its session's keys."""
    return world.assume_role(
        learner_keys, DEPLOYER_ROLE, DEPLOYER_SESSION, DEPLOYER_LABEL, phase="admin"
    )


def run_task_events(events: Sequence[TraceEvent]) -> list[TraceEvent]:
    """The deployer's part of a task's story among ``events``: its ``ecs:RunTask`` and the
    ``iam:PassRole`` checks ECS made on it."""
    return [
        e
        for e in events
        if e.service == "ecs" and e.operation == "RunTask" and e.principal == DEPLOYER_LABEL
    ]
