"""The gate for Amazon ECS, operation by operation, and the iam:PassRole and ecs:cluster checks."""

from __future__ import annotations

import pytest
from botocore import xform_name

from tests.cloud.operations.gate import (
    Case,
    Cases,
    Env,
    arn,
    assert_refusal,
    count_sends,
    denial,
    last_events,
    nothing_params,
    one,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("ecs")
case = CASES.add


def network(env: Env) -> dict:
    """The lab's (simulated) subnets and security group."""
    return env.lab.network_configuration


PUBLIC_IMAGE = "public.ecr.aws/docker/library/python:3.12-slim"


def task_definition(env: Env, family: str, roles: bool = False) -> str:
    """The task definition's ARN, with its revision."""

    def make() -> str:
        extra = (
            {"taskRoleArn": env.r.task_role_arn, "executionRoleArn": env.r.execution_role_arn}
            if roles
            else {}
        )
        # A public image with no roles: nothing to pass, no execution role needed.
        image = env.r.image if roles else PUBLIC_IMAGE
        answer = env.admin("ecs").register_task_definition(
            family=family,
            containerDefinitions=[{"name": "app", "image": image, "memory": 256}],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            **extra,
        )
        return answer["taskDefinition"]["taskDefinitionArn"]

    return env.once(f"task definition {family} {roles}", make)


def run_params(env: Env, task_definition_name: str) -> dict:
    return {
        "cluster": env.r.cluster,
        "taskDefinition": task_definition_name,
        "launchType": "FARGATE",
        "networkConfiguration": network(env),
    }


def running_task(env: Env, family: str) -> str:
    def make() -> str:
        task_definition(env, family)
        return env.admin("ecs").run_task(**run_params(env, family))["tasks"][0]["taskArn"]

    return env.once(f"task {family}", make)


def own_cluster(env: Env, name: str) -> str:
    return env.once(
        f"cluster {name}",
        lambda: env.admin("ecs").create_cluster(clusterName=name)["cluster"]["clusterArn"],
    )


def cluster_arns(env: Env) -> list:
    return sorted(env.admin("ecs").list_clusters()["clusterArns"])


def families(env: Env) -> list:
    return sorted(env.admin("ecs").list_task_definition_families()["families"])


def tasks_of(env: Env, family: str) -> list:
    ecs = env.admin("ecs")
    arns = [
        arn
        for status in ("RUNNING", "STOPPED")
        for arn in ecs.list_tasks(cluster=env.r.cluster, desiredStatus=status)["taskArns"]
    ]
    if not arns:
        return []
    described = env.admin("ecs").describe_tasks(cluster=env.r.cluster, tasks=arns)["tasks"]
    return sorted(
        (t["taskArn"], t["desiredStatus"])
        for t in described
        if t["taskDefinitionArn"].rsplit("/", 1)[-1].split(":")[0] == family
    )


def task_definition_status(env: Env, family: str) -> str:
    answer = env.admin("ecs").describe_task_definition(taskDefinition=task_definition(env, family))
    return answer["taskDefinition"]["status"]


# ECS (service_errors.md §12, §14): RunTask on the task definition with its revision.

case(
    "ecs",
    "CreateCluster",
    lambda env: {"clusterName": "gate-created"},
    star("ecs:CreateCluster"),
    state=cluster_arns,
)
case(
    "ecs",
    "DeleteCluster",
    lambda env: own_cluster(env, "gate-deleted") and {"cluster": "gate-deleted"},
    lambda env: [("ecs:DeleteCluster", own_cluster(env, "gate-deleted"))],
    # moto keeps a deleted cluster, INACTIVE, in ListClusters: compare the statuses.
    state=lambda env: [
        (c["clusterArn"], c["status"])
        for c in env.admin("ecs").describe_clusters(clusters=["gate-deleted"])["clusters"]
    ],
)
case(
    "ecs",
    "DescribeClusters",
    lambda env: {"clusters": [env.r.cluster]},
    one("ecs:DescribeClusters", lambda env: env.r.cluster_arn),
)
for _operation in ("ListClusters", "ListTaskDefinitions", "ListTaskDefinitionFamilies"):
    case("ecs", _operation, nothing_params, star(f"ecs:{_operation}"))
case("ecs", "ListTasks", lambda env: {"cluster": env.r.cluster}, star("ecs:ListTasks"))
case(
    "ecs",
    "DescribeTaskDefinition",
    lambda env: {"taskDefinition": task_definition(env, "gate-app")},
    star("ecs:DescribeTaskDefinition"),
)
case(
    "ecs",
    "DeregisterTaskDefinition",
    lambda env: {"taskDefinition": task_definition(env, "gate-deregistered")},
    star("ecs:DeregisterTaskDefinition"),
    state=lambda env: task_definition_status(env, "gate-deregistered"),
)
case(
    "ecs",
    "RegisterTaskDefinition",
    lambda env: {
        "family": "gate-registered",
        "containerDefinitions": [{"name": "app", "image": env.r.image, "memory": 256}],
        "taskRoleArn": env.r.task_role_arn,
        "executionRoleArn": env.r.execution_role_arn,
    },
    lambda env: [
        ("ecs:RegisterTaskDefinition", "*"),
        ("iam:PassRole", env.r.task_role_arn),
        ("iam:PassRole", env.r.execution_role_arn),
    ],
    state=families,
)
case(
    "ecs",
    "RunTask",
    lambda env: task_definition(env, "gate-run") and run_params(env, "gate-run"),
    lambda env: [("ecs:RunTask", task_definition(env, "gate-run"))],
    state=lambda env: tasks_of(env, "gate-run"),
    variant="family",
)
case(
    "ecs",
    "RunTask",
    lambda env: run_params(env, task_definition(env, "gate-run-revision").rsplit("/", 1)[-1]),
    lambda env: [("ecs:RunTask", task_definition(env, "gate-run-revision"))],
    state=lambda env: tasks_of(env, "gate-run-revision"),
    variant="family:revision",
)
case(
    "ecs",
    "RunTask",
    lambda env: run_params(env, task_definition(env, "gate-run-roles", roles=True)),
    lambda env: [
        ("ecs:RunTask", task_definition(env, "gate-run-roles", roles=True)),
        ("iam:PassRole", env.r.task_role_arn),
        ("iam:PassRole", env.r.execution_role_arn),
    ],
    state=lambda env: tasks_of(env, "gate-run-roles"),
    variant="task definition with roles",
)
case(
    "ecs",
    "StartTask",
    lambda env: {
        "cluster": env.r.cluster,
        "taskDefinition": task_definition(env, "gate-start"),
        "containerInstances": ["0123456789abcdef0"],
    },
    lambda env: [("ecs:StartTask", task_definition(env, "gate-start"))],
    answer="OperationNotModelled",  # container instances (EC2 launch type) are not simulated
)
case(
    "ecs",
    "DescribeTasks",
    lambda env: {"cluster": env.r.cluster, "tasks": [running_task(env, "gate-app")]},
    lambda env: [("ecs:DescribeTasks", running_task(env, "gate-app"))],
)
case(
    "ecs",
    "StopTask",
    lambda env: {"cluster": env.r.cluster, "task": running_task(env, "gate-stopped")},
    lambda env: [("ecs:StopTask", running_task(env, "gate-stopped"))],
    state=lambda env: tasks_of(env, "gate-stopped"),
)
case(
    "ecs",
    "ExecuteCommand",
    lambda env: {
        "cluster": env.r.cluster,
        "task": running_task(env, "gate-app"),
        "interactive": True,
        "command": "/bin/sh",
    },
    lambda env: [
        ("ecs:ExecuteCommand", env.r.cluster_arn),
        ("ecs:ExecuteCommand", running_task(env, "gate-app")),
    ],
    # run without enableExecuteCommand: ECS refuses once authorized
    answer="InvalidParameterException",
)


# -- EC2 container instances (ecslab.ecs.instances) ------------------------------------------------
case(
    "ecs",
    "RegisterContainerInstance",
    lambda env: {"cluster": env.r.cluster, "instanceIdentityDocument": "{}"},
    one("ecs:RegisterContainerInstance", lambda env: env.r.cluster_arn),
    answer="ClientException",  # only the lab's own instance registers
)
case(
    "ecs",
    "DiscoverPollEndpoint",
    lambda env: {"cluster": env.r.cluster},
    star("ecs:DiscoverPollEndpoint"),
)
case(
    "ecs",
    "ListContainerInstances",
    lambda env: {"cluster": env.r.cluster},
    one("ecs:ListContainerInstances", lambda env: env.r.cluster_arn),
)
case(
    "ecs",
    "DescribeContainerInstances",
    lambda env: {"cluster": env.r.cluster, "containerInstances": ["0123"]},
    star("ecs:DescribeContainerInstances"),
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


PASS_ROLE_CASES = {
    "RegisterTaskDefinition task role": (
        "RegisterTaskDefinition",
        lambda env: [("ecs:RegisterTaskDefinition", "*")],
        lambda env: {
            "family": "gate-pass-task-role",
            "containerDefinitions": [{"name": "app", "image": env.r.image, "memory": 256}],
            "taskRoleArn": env.r.task_role_arn,
        },
        lambda env: env.r.task_role_arn,
    ),
    "RegisterTaskDefinition execution role": (
        "RegisterTaskDefinition",
        lambda env: [("ecs:RegisterTaskDefinition", "*")],
        lambda env: {
            "family": "gate-pass-execution-role",
            "containerDefinitions": [{"name": "app", "image": env.r.image, "memory": 256}],
            "executionRoleArn": env.r.execution_role_arn,
        },
        lambda env: env.r.execution_role_arn,
    ),
    "RunTask task role override": (
        "RunTask",
        lambda env: [("ecs:RunTask", task_definition(env, "gate-pass-override"))],
        lambda env: {
            **run_params(env, "gate-pass-override"),
            "overrides": {"taskRoleArn": env.r.task_role_arn},
        },
        lambda env: env.r.task_role_arn,
    ),
}


@pytest.mark.parametrize("name", list(PASS_ROLE_CASES))
def test_ecs_needs_pass_role_for_the_roles_it_is_handed(name):
    """§12: ECS checks iam:PassRole for the caller and reports it as ECS does: code
    AccessDeniedException, HTTP 400, the role as a full ARN (not IAM's "role NAME")."""
    operation, allowed_pairs, params, role_arn = PASS_ROLE_CASES[name]
    env = shared_env()
    session, caller = env.allowing(allowed_pairs(env))
    client = session.client("ecs")
    sent = count_sends(client)
    call_params = params(env)
    before = (families(env), tasks_of(env, "gate-pass-override"))
    mark = len(env.lab.trace)
    info = refusal(getattr(client, xform_name(operation)), **call_params)
    assert_refusal(info, denial("ecs", operation, caller, "iam:PassRole", role_arn(env)))
    assert sent == []
    assert (families(env), tasks_of(env, "gate-pass-override")) == before
    events = last_events(env, mark, caller, operation)
    assert events[-1] == ("iam:PassRole", role_arn(env), "ImplicitlyDenied")
    assert all(decision == "Allowed" for _, _, decision in events[:-1])


def cluster_condition(cluster_arn: str) -> dict:
    return {"ArnEquals": {"ecs:cluster": cluster_arn}}


@pytest.mark.parametrize("same_cluster", [True, False], ids=["its cluster", "another cluster"])
def test_run_task_carries_the_cluster_condition_key(same_cluster):
    """§14: RunTask is authorized on the task definition with an ecs:cluster condition key."""
    env = shared_env()
    definition = task_definition(env, "gate-run-condition")
    cluster = env.r.cluster_arn if same_cluster else arn("ecs", "cluster/elsewhere")
    session, caller = env.session(
        [
            {
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": definition,
                "Condition": cluster_condition(cluster),
            }
        ]
    )
    run = session.client("ecs").run_task
    if same_cluster:
        run(**run_params(env, "gate-run-condition"))
        return
    info = refusal(run, **run_params(env, "gate-run-condition"))
    assert_refusal(info, denial("ecs", "RunTask", caller, "ecs:RunTask", definition))


def test_list_tasks_carries_the_cluster_condition_key():
    env = shared_env()
    session, _ = env.session(
        [
            {
                "Effect": "Allow",
                "Action": "ecs:ListTasks",
                "Resource": "*",
                "Condition": cluster_condition(env.r.cluster_arn),
            }
        ]
    )
    session.client("ecs").list_tasks(cluster=env.r.cluster)
