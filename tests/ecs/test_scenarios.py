"""Break each role, read what a real task would show, try the wrong fix, then the right one.

One row per scenario: what is changed in a fresh lab, and what the task must show — whether it
started, its stopCode, the stoppedReason (or RunTask's error) in Fargate's words, the app's exit
code and its CloudWatch log lines. Expected texts are written out here from the formats recorded
in docs/research/ecs_lifecycle.md (ecslab/ecs/reasons.py cites the sources), not taken from the
code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ecslab import Lab
from ecslab.ecs.task import Task

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
MANAGED = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
]
RETRIEVAL = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution "
    "resource retrieval failed: "
)
HEALTHY_LOG = [
    "orders app starting: database password injected (19 characters), feature flags "
    "['max_items', 'new_checkout']",
    "loaded config from s3://orders-config-123456789012/config/app.json",
    "saved order-1001 to DynamoDB table orders",
    "read order-1001 back: status CONFIRMED",
    "sent order-created event to SQS queue orders-events",
    "published a notification to SNS topic orders-notifications",
    "read the payments API key from Secrets Manager at run time (30 characters)",
    "order-1001 processed",
]


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resource="*", sid=None) -> dict:
    out = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return {"Sid": sid, **out} if sid else out


def execution_without(action: str) -> Callable[[Lab], None]:
    """The execution role with one permission of a healthy launch taken away."""

    def change(lab: Lab) -> None:
        role = lab.execution_role
        role.detach("AmazonECSTaskExecutionRolePolicy")
        role.put_inline("launch-basics", policy(allow([a for a in MANAGED if a != action])))
        secrets = role.inline_policy("orders-launch-secrets")
        kept = []
        for statement in secrets["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            actions = [a for a in actions if a != action]
            if actions:
                kept.append({**statement, "Action": actions})
        role.put_inline("orders-launch-secrets", policy(*kept))

    return change


def task_without(sid_or_action: str) -> Callable[[Lab], None]:
    """The task role with one of its statements (by Sid) or one action taken away."""

    def change(lab: Lab) -> None:
        document = lab.task_role.inline_policy("orders-app")
        kept = []
        for statement in document["Statement"]:
            if statement.get("Sid") == sid_or_action:
                continue
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            actions = [a for a in actions if a != sid_or_action]
            if actions:
                kept.append({**statement, "Action": actions})
        lab.task_role.put_inline("orders-app", policy(*kept))

    return change


def both(*changes: Callable[[Lab], None]) -> Callable[[Lab], None]:
    def change(lab: Lab) -> None:
        for one in changes:
            one(lab)

    return change


def wrong_fix_on_task_role(lab: Lab) -> None:
    # The article's mistake: the task never starts, so more permissions go on the *task* role.
    lab.task_role.attach("AmazonEC2ContainerRegistryReadOnly")
    lab.task_role.attach("CloudWatchLogsFullAccess")
    lab.task_role.attach("SecretsManagerReadWrite")


def right_fix_on_execution_role(lab: Lab) -> None:
    lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")


def trust(service: str) -> dict:
    return policy(
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    )


def with_definition(edit: Callable[[dict, Lab], None]) -> Callable[[Lab], Task]:
    """Run a changed copy of the course's task definition."""

    def run(lab: Lab) -> Task:
        definition = {
            k: v
            for k, v in lab.task_definition().items()
            if k
            in (
                "family",
                "executionRoleArn",
                "taskRoleArn",
                "networkMode",
                "requiresCompatibilities",
                "cpu",
                "memory",
                "containerDefinitions",
            )
        }
        edit(definition, lab)
        return lab.run_task(definition)

    return run


def image_tag(tag: str) -> Callable[[dict, Lab], None]:
    def edit(definition: dict, lab: Lab) -> None:
        definition["containerDefinitions"][0]["image"] = f"{lab.resources.repository_uri}:{tag}"

    return edit


def log_group(name: str, create: bool) -> Callable[[dict, Lab], None]:
    def edit(definition: dict, lab: Lab) -> None:
        options = definition["containerDefinitions"][0]["logConfiguration"]["options"]
        options["awslogs-group"] = name
        if create:
            options["awslogs-create-group"] = "true"

    return edit


def no_task_role(definition: dict, lab: Lab) -> None:
    del definition["taskRoleArn"]


def secret_under_a_key_the_agent_cannot_use(lab: Lab) -> None:
    """A new customer key whose key policy lets only the administrator use it; the injected
    database password is moved under it. The execution role may kms:Decrypt on any key — the
    key policy still says no."""
    kms = lab.client("kms")
    key = kms.create_key(
        Policy=json.dumps(
            policy(
                {
                    "Sid": "OnlyTheAdministrator",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/learner"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            )
        )
    )["KeyMetadata"]["Arn"]
    lab.client("secretsmanager").update_secret(SecretId=lab.resources.db_secret, KmsKeyId=key)
    lab.execution_role.put_inline("any-key", policy(allow("kms:Decrypt")))


def two_services(lab: Lab) -> Task:
    """A second service in the same cluster, with its own least-privilege task role: it may read
    the config object and nothing else, so its attempt to write an order is refused — while the
    orders service, run right after, still does everything."""
    reports = lab.create_role(
        "reports-task-role",
        inline=policy(allow("s3:GetObject", f"arn:aws:s3:::{lab.resources.bucket}/config/*")),
    )
    definition = {
        k: v
        for k, v in lab.task_definition().items()
        if k
        in (
            "executionRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    definition.update(family="reports", taskRoleArn=reports.arn)
    definition["containerDefinitions"][0]["name"] = "reports"
    report = lab.run_task(definition)
    orders = lab.run_task()
    assert orders.exit_code == 0 and orders.logs == HEALTHY_LOG
    assert {e.role for e in orders.trace.filter(phase="run", principal="orders app")} == {
        "ecs-task-role"
    }
    assert {e.role for e in report.trace.filter(phase="run", principal="reports app")} == {
        "reports-task-role"
    }
    return report


@dataclass
class Scenario:
    id: str
    change: Callable[[Lab], None] | None = None
    run: Callable[[Lab], Task] | None = None
    outcome: str = "ran"  # "ran", "failed to start", "refused by RunTask"
    exit_code: int | None = 0
    reason: Callable[[Task], str] | None = None  # the exact stoppedReason / RunTask error
    reason_start: str | None = None
    logs: Callable[[Task], list[str]] | list[str] | None = None
    same_as: str | None = None  # identical outcome (up to the task id) to this scenario's


def denied(role: str, task: Task, action: str, resource: str, tail: str | None = None) -> str:
    text = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{task.id} is not authorized to "
        f"perform: {action} on resource: {resource}"
    )
    return text + (
        tail
        if tail is not None
        else f" because no identity-based policy allows the {action} action"
    )


LABS: list[Lab] = []  # the lab of the scenario being checked, for names only it knows


def secret_arn(name: str) -> str:
    """A secret's ARN ends with six random characters Secrets Manager chose in this lab."""
    resources = LABS[-1].resources
    return {
        resources.db_secret: resources.db_secret_arn,
        resources.api_key_secret: resources.api_key_secret_arn,
    }[name]


def stream(task: Task) -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/orders/{task.id}"


def app_error(task: Task, operation: str, code: str, action: str, resource: str) -> list[str]:
    steps = {
        "GetObject": 1,
        "PutItem": 2,
        "GetItem": 3,
        "SendMessage": 4,
        "Publish": 5,
        "GetSecretValue": 6,
    }[operation]
    return [
        *HEALTHY_LOG[:steps],
        f"ERROR An error occurred ({code}) when calling the {operation} operation: "
        + denied("ecs-task-role", task, action, resource),
    ]


R = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/"
SCENARIOS = [
    Scenario("healthy", logs=HEALTHY_LOG),
    # -- the execution role, one permission at a time --------
    Scenario(
        "execution role without ecr:GetAuthorizationToken",
        execution_without("ecr:GetAuthorizationToken"),
        outcome="failed to start",
        reason_start=RETRIEVAL + "unable to retrieve ecr registry auth: service call has been "
        "retried 1 time(s): operation error ECR: GetAuthorizationToken, https response error "
        "StatusCode: 400, RequestID: ",
        reason=lambda t: (
            "api error AccessDeniedException: "
            + denied("ecs-execution-role", t, "ecr:GetAuthorizationToken", "*")
        ),
        logs=[],
    ),
    Scenario(
        "execution role without ecr:BatchGetImage",
        execution_without("ecr:BatchGetImage"),
        outcome="failed to start",
        reason=lambda t: (
            "CannotPullContainerError: pull image manifest has been retried 1 "
            f"time(s): failed to resolve ref {REGISTRY}/orders-app:1.4.2: pulling from host "
            f"{REGISTRY} failed with status code [manifests 1.4.2]: 403 Forbidden"
        ),
        logs=[],
    ),
    Scenario(
        "execution role without ecr:GetDownloadUrlForLayer",
        execution_without("ecr:GetDownloadUrlForLayer"),
        outcome="failed to start",
        reason_start="CannotPullContainerError: ",
        reason=lambda t: "403 Forbidden",
        logs=[],
    ),
    # The managed policy grants it, but pulling an image never needs it (a push does).
    Scenario(
        "execution role without ecr:BatchCheckLayerAvailability",
        execution_without("ecr:BatchCheckLayerAvailability"),
        logs=HEALTHY_LOG,
    ),
    Scenario(
        "execution role without logs:CreateLogStream",
        execution_without("logs:CreateLogStream"),
        outcome="failed to start",
        reason_start="ResourceInitializationError: failed to validate logger args: create stream "
        "has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: ",
        reason=lambda t: denied("ecs-execution-role", t, "logs:CreateLogStream", stream(t)),
        logs=[],
    ),
    # The task runs and succeeds, but CloudWatch Logs stays empty: the agent could not deliver.
    Scenario(
        "execution role without logs:PutLogEvents", execution_without("logs:PutLogEvents"), logs=[]
    ),
    Scenario(
        "execution role without secretsmanager:GetSecretValue",
        execution_without("secretsmanager:GetSecretValue"),
        outcome="failed to start",
        reason_start=RETRIEVAL + "unable to retrieve secret from asm: service call has been "
        "retried 1 time(s): failed to fetch secret ",
        reason=lambda t: (
            denied(
                "ecs-execution-role",
                t,
                "secretsmanager:GetSecretValue",
                secret_arn("orders/db-password"),
            )
            + " status code: 400, request id: "
        ),
        logs=[],
    ),
    Scenario(
        "execution role without ssm:GetParameters",
        execution_without("ssm:GetParameters"),
        outcome="failed to start",
        reason_start=RETRIEVAL + "unable to retrieve secrets from ssm: service call has been "
        "retried 1 time(s): AccessDeniedException: ",
        reason=lambda t: denied(
            "ecs-execution-role",
            t,
            "ssm:GetParameters",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/feature-flags",
        ),
        logs=[],
    ),
    Scenario(
        "execution role without kms:Decrypt",
        execution_without("kms:Decrypt"),
        outcome="failed to start",
        reason_start=RETRIEVAL + "unable to retrieve secrets from ssm: service call has been "
        "retried 1 time(s): AccessDeniedException: ",
        reason=lambda t: (
            "is not authorized to perform: kms:Decrypt on resource: "
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/"
        ),
        logs=[],
    ),
    Scenario(
        "execution role with an explicit deny on ECR",
        lambda lab: lab.execution_role.put_inline(
            "no-ecr", policy({"Effect": "Deny", "Action": "ecr:*", "Resource": "*"})
        ),
        outcome="failed to start",
        reason=lambda t: denied(
            "ecs-execution-role",
            t,
            "ecr:GetAuthorizationToken",
            "*",
            " with an explicit deny in an identity-based policy",
        ),
        logs=[],
    ),
    Scenario(
        "log-group ARN without :* in the execution role",
        both(
            execution_without("logs:CreateLogStream"),
            lambda lab: lab.execution_role.put_inline(
                "logs",
                policy(
                    allow(
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders",
                    )
                ),
            ),
        ),
        outcome="failed to start",
        reason=lambda t: denied("ecs-execution-role", t, "logs:CreateLogStream", stream(t)),
        logs=[],
    ),
    Scenario(
        "log-group ARN with :* in the execution role",
        both(
            execution_without("logs:CreateLogStream"),
            lambda lab: lab.execution_role.put_inline(
                "logs",
                policy(
                    allow(
                        ["logs:CreateLogStream"],
                        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:*",
                    )
                ),
            ),
        ),
        logs=HEALTHY_LOG,
    ),
    Scenario(
        "secret under a KMS key the execution role cannot use",
        secret_under_a_key_the_agent_cannot_use,
        outcome="failed to start",
        reason_start=RETRIEVAL + "unable to retrieve secret from asm: service call has been "
        "retried 1 time(s): failed to fetch secret ",
        reason=lambda t: (
            "from secrets manager: AccessDeniedException: Access to KMS is not "
            "allowed status code: 400, request id: "
        ),
        logs=[],
    ),
    # -- the article's mistake --------
    Scenario(
        "wrong fix: permissions added to the task role",
        both(execution_without("ecr:GetAuthorizationToken"), wrong_fix_on_task_role),
        outcome="failed to start",
        logs=[],
        same_as="execution role without ecr:GetAuthorizationToken",
    ),
    Scenario(
        "right fix: the execution role gets its policy back",
        both(
            lambda lab: lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy"),
            wrong_fix_on_task_role,
            right_fix_on_execution_role,
        ),
        logs=HEALTHY_LOG,
    ),
    # -- the image and the log group --------
    Scenario(
        "image tag that does not exist",
        run=with_definition(image_tag("1.4.3")),
        outcome="failed to start",
        reason=lambda t: (
            "CannotPullContainerError: pull image manifest has been retried 1 "
            f"time(s): failed to resolve ref {REGISTRY}/orders-app:1.4.3: not found"
        ),
        logs=[],
    ),
    Scenario(
        "missing log group without awslogs-create-group",
        run=with_definition(log_group("/ecs/orders-v2", create=False)),
        outcome="failed to start",
        reason=lambda t: (
            "ResourceInitializationError: failed to validate logger args: create "
            "stream has been retried 1 times: failed to create Cloudwatch log stream: "
            "ResourceNotFoundException: The specified log group does not exist. : exit status 1"
        ),
        logs=[],
    ),
    Scenario(
        "missing log group with awslogs-create-group but no logs:CreateLogGroup",
        run=with_definition(log_group("/ecs/orders-v2", create=True)),
        outcome="failed to start",
        reason_start="ResourceInitializationError: failed to validate logger args: create stream "
        "has been retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: ",
        reason=lambda t: denied(
            "ecs-execution-role",
            t,
            "logs:CreateLogGroup",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders-v2:log-stream:",
        ),
        logs=[],
    ),
    Scenario(
        "missing log group with awslogs-create-group and logs:CreateLogGroup",
        lambda lab: lab.execution_role.put_inline(
            "create-groups", policy(allow("logs:CreateLogGroup"))
        ),
        run=with_definition(log_group("/ecs/orders-v2", create=True)),
        logs=HEALTHY_LOG,
    ),
    # -- trust --------
    Scenario(
        "execution role trusting the wrong service",
        lambda lab: lab.execution_role.set_trust_policy(trust("ec2.amazonaws.com")),
        outcome="refused by RunTask",
        reason=lambda t: (
            "ClientException: ECS was unable to assume the role "
            f"'arn:aws:iam::{ACCOUNT}:role/ecs-execution-role' that was provided for this task."
            " Please verify that the role being passed has the proper trust relationship and "
            "permissions and that your IAM user has permissions to pass this role."
        ),
    ),
    Scenario(
        "task role trusting the wrong service",
        lambda lab: lab.task_role.set_trust_policy(trust("ecs.amazonaws.com")),
        outcome="refused by RunTask",
        reason=lambda t: (
            "ClientException: ECS was unable to assume the role "
            f"'arn:aws:iam::{ACCOUNT}:role/ecs-task-role' that was provided for this task."
            " Please verify that the role being passed has the proper trust relationship and "
            "permissions and that your IAM user has permissions to pass this role."
        ),
    ),
    # -- the task role, one permission at a time --------
    Scenario(
        "task role without s3:GetObject",
        task_without("ReadConfig"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "GetObject",
            "AccessDenied",
            "s3:GetObject",
            '"arn:aws:s3:::orders-config-123456789012/config/app.json"',
        ),
    ),
    Scenario(
        "task role without dynamodb:PutItem",
        task_without("dynamodb:PutItem"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "PutItem",
            "AccessDeniedException",
            "dynamodb:PutItem",
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
        ),
    ),
    Scenario(
        "task role without dynamodb:GetItem",
        task_without("dynamodb:GetItem"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "GetItem",
            "AccessDeniedException",
            "dynamodb:GetItem",
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
        ),
    ),
    Scenario(
        "task role without sqs:SendMessage",
        task_without("OrderEvents"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "SendMessage",
            "AccessDenied",
            "sqs:sendmessage",
            f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-events",
        ),
    ),
    Scenario(
        "task role without sns:Publish",
        task_without("Notifications"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "Publish",
            "AuthorizationError",
            "SNS:Publish",
            f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-notifications",
        ),
    ),
    Scenario(
        "task role without runtime secretsmanager:GetSecretValue",
        task_without("PaymentsApiKey"),
        exit_code=1,
        logs=lambda t: app_error(
            t,
            "GetSecretValue",
            "AccessDeniedException",
            "secretsmanager:GetSecretValue",
            "orders/payments-api-key",
        ),
    ),
    Scenario(
        "wrong fix: the S3 permission added to the execution role",
        both(
            task_without("ReadConfig"),
            lambda lab: lab.execution_role.attach("AmazonS3ReadOnlyAccess"),
        ),
        exit_code=1,
        same_as="task role without s3:GetObject",
    ),
    Scenario(
        "task role with an explicit deny on SQS",
        lambda lab: lab.task_role.put_inline(
            "no-sqs", policy({"Effect": "Deny", "Action": "sqs:*", "Resource": "*"})
        ),
        exit_code=1,
        logs=lambda t: [
            *HEALTHY_LOG[:4],
            "ERROR An error occurred (AccessDenied) when calling the SendMessage "
            "operation: "
            + denied(
                "ecs-task-role",
                t,
                "sqs:sendmessage",
                f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-events",
                " with an explicit deny in an identity-based policy",
            ),
        ],
    ),
    Scenario(
        "no task role at all",
        run=with_definition(no_task_role),
        exit_code=1,
        logs=[*HEALTHY_LOG[:1], "ERROR Unable to locate credentials"],
    ),
    Scenario(
        "two services in one cluster with different task roles",
        run=two_services,
        exit_code=1,
        logs=lambda t: [
            *HEALTHY_LOG[:2],
            "ERROR An error occurred (AccessDeniedException) when calling the PutItem "
            "operation: "
            + denied(
                "reports-task-role",
                t,
                "dynamodb:PutItem",
                f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
            ),
        ],
    ),
]


def run(scenario: Scenario) -> Task:
    lab = Lab()
    LABS[:] = [lab]
    if scenario.change:
        scenario.change(lab)
    return scenario.run(lab) if scenario.run else lab.run_task()


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 15
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(scenario: Scenario):
    task = run(scenario)
    if scenario.outcome == "refused by RunTask":
        assert task.arn is None and task.last_status is None
        assert task.failure == scenario.reason(task)
        assert all(e.phase == "launch" for e in task.trace)
        return
    assert task.last_status == "STOPPED" and task.desired_status == "STOPPED"
    if scenario.outcome == "failed to start":
        assert task.stop_code == "TaskFailedToStart"
        assert not task.started and task.exit_code is None
        assert [e.phase for e in task.trace.filter(principal="orders app")] == []
        assert all(c.reason == task.stopped_reason for c in task.containers)
    else:
        assert task.stop_code == "EssentialContainerExited"
        assert task.stopped_reason == "Essential container in task exited"
        assert task.started and task.exit_code == scenario.exit_code
    if scenario.reason_start:
        assert task.stopped_reason.startswith(scenario.reason_start), task.stopped_reason
    if scenario.reason:
        assert scenario.reason(task) in task.stopped_reason, task.stopped_reason
    if scenario.logs is not None:
        expected = scenario.logs(task) if callable(scenario.logs) else scenario.logs
        assert task.logs == expected
    if scenario.same_as:
        seen = outcome(task)  # read now: the reference opens a lab of its own
        assert seen == outcome(run(next(s for s in SCENARIOS if s.id == scenario.same_as)))


def outcome(task: Task) -> tuple:
    """What a learner sees of a task, with its id (and any request id) taken out."""
    reason = (task.stopped_reason or "").replace(task.id, "<id>").split("RequestID")[0]
    logs = [line.replace(task.id, "<id>") for line in task.logs]
    return task.stop_code, reason, task.exit_code, logs


def test_a_launch_failure_never_runs_the_app_and_writes_no_log_line():
    task = run(SCENARIOS[1])
    assert task.logs == []
    assert task.trace.filter(phase="run").events == ()
    agent = task.trace.filter(principal="ECS agent")
    assert [e.action for e in agent] == ["ecr:GetAuthorizationToken"]
    assert agent[0].role == "ecs-execution-role" and not agent[0].allowed


@pytest.mark.parametrize(
    ("alias", "starts"), [("alias/orders-config", True), ("alias/another-key", False)]
)
def test_a_decrypt_grant_by_the_keys_alias_works_as_on_aws(lab, alias, starts):
    # KMS sets kms:ResourceAliases (multivalued) for operations on a key; a policy may name the
    # key by its alias through it (AWS KMS Developer Guide, "kms:ResourceAliases").
    document = lab.execution_role.inline_policy("orders-launch-secrets")
    for statement in document["Statement"]:
        if statement["Sid"] == "DecryptInjectedValues":
            statement["Resource"] = "*"
            statement["Condition"] = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
    lab.execution_role.put_inline("orders-launch-secrets", document)
    task = lab.run_task()
    assert task.started is starts
    decrypts = task.trace.filter(where=lambda e: e.action == "kms:Decrypt")
    assert [e.allowed for e in decrypts] == ([True, True] if starts else [False])
