"""What ECS says about a task: RunTask's answer (the task as created), DescribeTasks afterwards
(a healthy task, a task that failed to start), ListTasks, StopTask, RunTask's own errors, and the
learner's ``Task`` object, its trace and its logs. The same steps give the same answers in every
lab, in any process.

Real ECS behaviour: docs/research/ecs_lifecycle.md §1-§3, §5, §2.7.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import escape
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ecslab import Lab
from ecslab.ecs.task import NoTaskCreated

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
CLUSTER = "orders-cluster"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
TASK_ARN = re.compile(rf"^arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/(?P<id>[0-9a-f]{{32}})$")
EXECUTION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
TASK_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/orders-app:1.4.2"
ESSENTIAL_EXITED = "Essential container in task exited"
TIMESTAMPS = (
    "createdAt",
    "connectivityAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "executionStoppedAt",
    "stoppingAt",
    "stoppedAt",
)
EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
COURSE_LOG_LINES = [
    "orders app starting: database password injected (19 characters), "
    "feature flags ['max_items', 'new_checkout']",
    f"loaded config from s3://orders-config-{ACCOUNT}/config/app.json",
    "saved order-1001 to DynamoDB table orders",
    "read order-1001 back: status CONFIRMED",
    "sent order-created event to SQS queue orders-events",
    "published a notification to SNS topic orders-notifications",
    "read the payments API key from Secrets Manager at run time (30 characters)",
    "order-1001 processed",
]


def run_task(lab, **changes: Any) -> dict[str, Any]:
    """``ecs.run_task`` for the course's task, as the administrator."""
    request = {
        "cluster": CLUSTER,
        "taskDefinition": "orders",
        "launchType": "FARGATE",
        "networkConfiguration": lab.network_configuration,
        **changes,
    }
    return lab.client("ecs").run_task(**{k: v for k, v in request.items() if v is not None})


def describe(lab, *arns: str) -> dict[str, Any]:
    return lab.client("ecs").describe_tasks(cluster=CLUSTER, tasks=list(arns))


def described(lab, arn: str) -> dict[str, Any]:
    answer = describe(lab, arn)
    assert answer["failures"] == []
    [task] = answer["tasks"]
    return task


def task_id(arn: str) -> str:
    found = TASK_ARN.match(arn)
    assert found, arn
    return found["id"]


def refused(call, *args: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def list_tasks(lab, **filters: Any) -> list[str]:
    return lab.client("ecs").list_tasks(cluster=CLUSTER, **filters)["taskArns"]


def break_execution_role(lab) -> None:
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")


# -- RunTask's answer: the task as created ------------------------------------------------------


def test_run_task_answers_with_the_task_as_created(lab):
    answer = run_task(lab)
    assert answer["failures"] == []
    [task] = answer["tasks"]
    assert (task["lastStatus"], task["desiredStatus"]) == ("PROVISIONING", "RUNNING")
    assert task["version"] == 1
    assert TASK_ARN.match(task["taskArn"])
    assert task["taskDefinitionArn"] == f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders:1"
    assert "createdAt" in task
    for later in TIMESTAMPS[1:]:
        assert later not in task, later
    for absent in ("stopCode", "stoppedReason", "connectivity"):
        assert absent not in task, absent
    [container] = task["containers"]
    assert (container["name"], container["image"], container["lastStatus"]) == (
        "orders",
        IMAGE,
        "PENDING",
    )
    for absent in ("exitCode", "reason", "imageDigest"):  # not run, not pulled yet
        assert absent not in container, absent


def test_a_healthy_task_as_described_afterwards(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    identifier = task_id(arn)
    task = described(lab, arn)
    assert (task["lastStatus"], task["desiredStatus"]) == ("STOPPED", "STOPPED")
    assert (task["stopCode"], task["stoppedReason"]) == (
        "EssentialContainerExited",
        ESSENTIAL_EXITED,
    )
    assert task["taskArn"] == arn
    assert task["clusterArn"] == CLUSTER_ARN
    assert task["group"] == "family:orders"
    assert task["launchType"] == "FARGATE"
    assert task["platformVersion"] == "1.4.0"
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["availabilityZone"].startswith(REGION)
    assert task["connectivity"] == "CONNECTED"
    assert task["overrides"]["containerOverrides"] == [{"name": "orders"}]
    assert task["version"] > 1

    [container] = task["containers"]
    assert (container["name"], container["image"]) == ("orders", IMAGE)
    assert (container["lastStatus"], container["exitCode"]) == ("STOPPED", 0)
    assert "reason" not in container  # a normal exit has no reason
    assert container["imageDigest"] == lab.resources.image_digest  # an ECR image
    assert container["taskArn"] == arn
    assert re.fullmatch(rf"{identifier}-\d{{1,10}}", container["runtimeId"])
    assert re.fullmatch(
        rf"arn:aws:ecs:{REGION}:{ACCOUNT}:container/{CLUSTER}/{identifier}/[0-9a-f-]{{36}}",
        container["containerArn"],
    )


def test_the_task_network_interface(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    task = described(lab, arn)
    [attachment] = task["attachments"]
    assert attachment["type"] == "ElasticNetworkInterface"
    assert attachment["status"] == "DELETED"  # the task stopped: the ENI is gone
    details = {d["name"]: d["value"] for d in attachment["details"]}
    assert details["subnetId"] in lab.resources.subnets
    assert re.fullmatch(r"eni-[0-9a-f]{17}", details["networkInterfaceId"])
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", details["privateIPv4Address"])
    [interface] = task["containers"][0]["networkInterfaces"]
    assert interface == {
        "attachmentId": attachment["id"],
        "privateIpv4Address": details["privateIPv4Address"],
    }


def test_the_network_interface_details_name_mac_address_and_dns_name(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    details = {d["name"]: d["value"] for d in described(lab, arn)["attachments"][0]["details"]}
    assert list(details) == [
        "subnetId",
        "networkInterfaceId",
        "macAddress",
        "privateDnsName",
        "privateIPv4Address",
    ]
    assert re.fullmatch(r"0a(:[0-9a-f]{2}){5}", details["macAddress"])
    ip = details["privateIPv4Address"]
    assert details["privateDnsName"] == f"ip-{ip.replace('.', '-')}.{lab.region}.compute.internal"


def test_a_healthy_task_timestamps_are_in_lifecycle_order(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    task = described(lab, arn)
    times = [task[name] for name in TIMESTAMPS]  # all present
    (
        created,
        connected,
        pull_started,
        pull_stopped,
        started,
        execution_stopped,
        stopping,
        stopped,
    ) = times
    assert created < connected < pull_started < pull_stopped < started < execution_stopped
    assert execution_stopped <= stopping < stopped


# -- a task that failed to start ------------------------------------------------------------------


def test_a_task_that_failed_to_start(lab):
    break_execution_role(lab)
    answer = run_task(lab)
    [created] = answer["tasks"]
    assert (created["lastStatus"], created["desiredStatus"]) == ("PROVISIONING", "RUNNING")
    arn = created["taskArn"]
    identifier = task_id(arn)
    task = described(lab, arn)
    assert (task["lastStatus"], task["desiredStatus"]) == ("STOPPED", "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert re.fullmatch(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution "
        "resource retrieval failed: unable to retrieve ecr registry auth: service call has been "
        r"retried 1 time\(s\): operation error ECR: GetAuthorizationToken, https response error "
        r"StatusCode: 400, RequestID: [0-9a-f-]{36}, api error AccessDeniedException: User: "
        rf"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-execution-role/{identifier} is not authorized "
        r"to perform: ecr:GetAuthorizationToken on resource: \* because no identity-based policy "
        "allows the ecr:GetAuthorizationToken action",
        task["stoppedReason"],
    ), task["stoppedReason"]
    [container] = task["containers"]
    assert (container["name"], container["image"], container["lastStatus"]) == (
        "orders",
        IMAGE,
        "STOPPED",
    )
    assert container["reason"] == task["stoppedReason"]
    assert "exitCode" not in container  # the container never ran
    assert "imageDigest" not in container  # the image was never pulled
    assert re.fullmatch(rf"{identifier}-\d{{1,10}}", container["runtimeId"])


def test_a_task_that_failed_before_the_pull_has_no_pull_or_start_times(lab):
    break_execution_role(lab)
    arn = run_task(lab)["tasks"][0]["taskArn"]
    task = described(lab, arn)
    for absent in ("pullStartedAt", "pullStoppedAt", "startedAt"):
        assert absent not in task, absent
    created, connected = task["createdAt"], task["connectivityAt"]
    execution_stopped, stopping, stopped = (
        task["executionStoppedAt"],
        task["stoppingAt"],
        task["stoppedAt"],
    )
    assert created < connected <= execution_stopped <= stopping < stopped


# -- DescribeTasks, ListTasks, StopTask -----------------------------------------------------------


def test_describing_unknown_tasks_gives_missing_failures(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    unknown = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{'0' * 32}"
    answer = describe(lab, arn, unknown)
    assert [t["taskArn"] for t in answer["tasks"]] == [arn]
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]


def test_describing_a_task_by_its_id(lab):
    arn = run_task(lab)["tasks"][0]["taskArn"]
    assert described(lab, task_id(arn))["taskArn"] == arn


def test_list_tasks_shows_running_tasks_by_default_and_stopped_ones_on_request(lab):
    first = run_task(lab)["tasks"][0]["taskArn"]
    second = run_task(lab)["tasks"][0]["taskArn"]
    assert list_tasks(lab) == []  # desiredStatus RUNNING by default: both have stopped
    assert list_tasks(lab, desiredStatus="RUNNING") == []
    assert list_tasks(lab, desiredStatus="STOPPED") == [first, second]
    assert list_tasks(lab, desiredStatus="STOPPED", family="orders") == [first, second]
    assert list_tasks(lab, desiredStatus="STOPPED", family="other") == []


def test_stop_task_on_a_stopped_task_changes_nothing(lab):
    break_execution_role(lab)
    arn = run_task(lab)["tasks"][0]["taskArn"]
    before = described(lab, arn)
    stopped = lab.client("ecs").stop_task(cluster=CLUSTER, task=arn, reason="cleaning up")["task"]
    assert stopped["taskArn"] == arn
    assert (stopped["lastStatus"], stopped["desiredStatus"]) == ("STOPPED", "STOPPED")
    assert stopped["stopCode"] == "TaskFailedToStart"  # not UserInitiated
    assert stopped["stoppedReason"] == before["stoppedReason"]  # not "cleaning up"
    assert described(lab, arn) == before


def test_stop_task_on_an_unknown_task(lab):
    ecs = lab.client("ecs")
    assert refused(ecs.stop_task, cluster=CLUSTER, task="0" * 32) == (
        "InvalidParameterException",
        "The referenced task was not found.",
        400,
    )


# -- RunTask refused: no task ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param(
            {"networkConfiguration": None},
            (
                "InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
            ),
            id="awsvpc-without-network-configuration",
        ),
        pytest.param(
            {"cluster": "no-such-cluster"},
            ("ClusterNotFoundException", "Cluster not found."),
            id="unknown-cluster",
        ),
        pytest.param(
            {"taskDefinition": "no-such-family"},
            ("ClientException", "TaskDefinition not found."),
            id="unknown-family",
        ),
        pytest.param(
            {"taskDefinition": "orders:99"},
            ("ClientException", "TaskDefinition not found."),
            id="unknown-revision",
        ),
    ],
)
def test_run_task_errors_create_no_task(lab, changes, error):
    assert refused(run_task, lab, **changes) == (*error, 400)
    assert list_tasks(lab, desiredStatus="STOPPED") == list_tasks(lab) == []


@pytest.mark.parametrize("role", ["ecs-task-role", "ecs-execution-role"])
def test_a_role_ecs_cannot_assume_fails_run_task_itself(lab, role):
    lab.role(role).set_trust_policy(EC2_TRUST)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
    assert refused(run_task, lab) == (
        "ClientException",
        f"ECS was unable to assume the role '{role_arn}' that was provided for this task."
        " Please verify that the role being passed has the proper trust relationship and"
        " permissions and that your IAM user has permissions to pass this role.",
        400,
    )
    assert list_tasks(lab, desiredStatus="STOPPED") == list_tasks(lab) == []
    refusals = lab.trace.filter(principal="Amazon ECS", decision="denied")
    assert [(e.action, e.resource, e.phase) for e in refusals] == [
        ("sts:AssumeRole", role_arn, "launch")
    ]


def test_lab_run_task_with_a_role_ecs_cannot_assume(lab):
    lab.task_role.set_trust_policy(EC2_TRUST)
    task = lab.run_task()
    assert task.failure == (
        f"ClientException: ECS was unable to assume the role '{TASK_ROLE_ARN}' that was provided "
        "for this task. Please verify that the role being passed has the proper trust "
        "relationship and permissions and that your IAM user has permissions to pass this role."
    )
    # what DescribeTasks would say stays None for a program to test: there is no task ...
    assert (task.arn, task.id, task.last_status, task.stop_code) == (None, None, None, None)
    assert (task.stopped_reason, task.exit_code) == (None, None)
    assert (task.containers, task.logs, task.started) == ([], [], False)
    # ... and whatever shows the task says so, with ECS's words
    said = f"No task was created: RunTask was refused: {task.failure}"
    assert task.refusal == repr(task) == task.summary() == said
    assert "No task was created</strong>: RunTask was refused" in task._repr_html_()
    assert escape(task.failure) in task._repr_html_()
    with pytest.raises(NoTaskCreated) as raised:
        task.describe()
    assert str(raised.value) == f"There is no task to describe. {said}"
    assert isinstance(raised.value, LookupError)
    assert [(e.principal, e.action, e.allowed) for e in task.trace] == [
        ("Amazon ECS", "sts:AssumeRole", True),  # the execution role
        ("Amazon ECS", "sts:AssumeRole", False),  # the task role
    ]


# -- the learner's Task object ---------------------------------------------------------------------


def mirrored(task) -> dict[str, Any]:
    return {
        "taskArn": task.arn,
        "lastStatus": task.last_status,
        "desiredStatus": task.desired_status,
        "stopCode": task.stop_code,
        "stoppedReason": task.stopped_reason,
        "taskDefinitionArn": task.task_definition_arn,
        "containers": [
            (c.name, c.image, c.last_status, c.exit_code, c.reason) for c in task.containers
        ],
    }


def from_describe(task: dict[str, Any]) -> dict[str, Any]:
    return {
        **{key: task.get(key) for key in ("taskArn", "lastStatus", "desiredStatus", "stopCode")},
        "stoppedReason": task.get("stoppedReason"),
        "taskDefinitionArn": task["taskDefinitionArn"],
        "containers": [
            (c["name"], c["image"], c["lastStatus"], c.get("exitCode"), c.get("reason"))
            for c in task["containers"]
        ],
    }


def test_the_task_object_mirrors_describe_tasks_for_a_healthy_task(lab):
    task = lab.run_task()
    answer = described(lab, task.arn)
    assert mirrored(task) == from_describe(answer)
    assert task.describe() == answer
    assert task.id == task_id(task.arn)
    assert (task.exit_code, task.started) == (0, True)
    assert task.failure is None


def test_the_task_object_mirrors_describe_tasks_for_a_task_that_failed_to_start(lab):
    break_execution_role(lab)
    task = lab.run_task()
    answer = described(lab, task.arn)
    assert mirrored(task) == from_describe(answer)
    assert (task.stop_code, task.exit_code, task.started) == ("TaskFailedToStart", None, False)
    assert task.stopped_reason.startswith("ResourceInitializationError: ")
    assert task.containers[0].reason == task.stopped_reason


def test_the_task_trace_holds_ecs_then_the_agent_then_the_app(lab):
    task = lab.run_task()
    events = list(task.trace)
    assert events and all(e.task == task.id for e in events)
    assert {e.principal for e in events} == {"Amazon ECS", "ECS agent", "orders app"}
    assert all(e.allowed for e in events)

    ecs = [e for e in events if e.principal == "Amazon ECS"]
    assert [(e.phase, e.action, e.resource) for e in ecs] == [
        ("launch", "sts:AssumeRole", EXECUTION_ROLE_ARN),
        ("launch", "sts:AssumeRole", TASK_ROLE_ARN),
    ]
    assert events[:2] == ecs  # ECS assumes the roles before anything else happens
    assert {e.principal_arn for e in ecs} == {"ecs-tasks.amazonaws.com"}

    agent = [e for e in events if e.principal == "ECS agent"]
    assert {e.role for e in agent} == {"ecs-execution-role"}
    assert {e.principal_arn for e in agent} == {
        f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-execution-role/{task.id}"
    }
    launch_actions = [e.action for e in agent if e.phase == "launch"]
    assert launch_actions[0] == "ecr:GetAuthorizationToken"
    assert {
        "ssm:GetParameters",
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    } <= set(launch_actions)
    assert launch_actions[-1] == "logs:CreateLogStream"
    assert [(e.phase, e.action) for e in agent if e.phase != "launch"] == [
        ("run", "logs:PutLogEvents")
    ]
    assert events[-1].action == "logs:PutLogEvents"  # the driver ships the lines at the end

    app = [e for e in events if e.principal == "orders app"]
    assert {(e.phase, e.role) for e in app} == {("run", "ecs-task-role")}
    assert {e.principal_arn for e in app} == {
        f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/{task.id}"
    }
    assert [e.action for e in app] == [
        "s3:GetObject",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "sqs:SendMessage",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
    ]
    phases = [e.phase for e in events]
    assert phases == sorted(phases, key=["launch", "run"].index)  # launch, then run


def test_the_task_trace_holds_only_that_task(lab):
    first = lab.run_task()
    first_trace = [e.seq for e in first.trace]
    lab.client("s3").list_buckets()  # you, between the tasks
    second = lab.run_task()
    assert [e.seq for e in first.trace] == first_trace  # unchanged by what came later
    second_trace = [e.seq for e in second.trace]
    assert set(first_trace).isdisjoint(second_trace)
    assert all(e.task == second.id for e in second.trace)
    assert "you (administrator)" not in {e.principal for e in second.trace}


def test_the_trace_of_a_task_that_failed_to_start_ends_with_the_refusal(lab):
    break_execution_role(lab)
    task = lab.run_task()
    events = list(task.trace)
    assert "orders app" not in {e.principal for e in events}  # the app never ran
    assert {e.phase for e in events} == {"launch"}
    last = events[-1]
    assert (last.principal, last.role, last.action, last.allowed, last.error_code) == (
        "ECS agent",
        "ecs-execution-role",
        "ecr:GetAuthorizationToken",
        False,
        "AccessDeniedException",
    )


def test_the_task_logs_are_its_cloudwatch_lines(lab):
    task = lab.run_task()
    assert task.logs == COURSE_LOG_LINES
    assert task.log_stream == f"ecs/orders/{task.id}"
    events = lab.client("logs").get_log_events(
        logGroupName="/ecs/orders", logStreamName=task.log_stream, startFromHead=True
    )["events"]
    assert [e["message"] for e in events] == COURSE_LOG_LINES


def test_a_task_that_failed_to_start_has_no_logs(lab):
    break_execution_role(lab)
    task = lab.run_task()
    assert task.logs == []
    streams = lab.client("logs").describe_log_streams(logGroupName="/ecs/orders")["logStreams"]
    assert streams == []  # the log driver never started


# -- the same steps, the same answers --------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """A healthy task then one that failed to start, in a fresh lab: what a learner sees."""
    with Lab() as lab:
        healthy = lab.run_task()
        lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
        failed = lab.run_task()
        answer = lab.client("ecs").describe_tasks(cluster=CLUSTER, tasks=[healthy.arn, failed.arn])
        answer.pop("ResponseMetadata")
        return json.loads(
            json.dumps(
                {
                    "describe_tasks": answer,
                    "logs": [healthy.logs, failed.logs],
                    "trace": [healthy.trace.to_records(), failed.trace.to_records()],
                },
                default=str,
            )
        )


def test_two_labs_give_the_same_answers_even_in_two_processes():
    probe = (
        "import json, runpy; "
        f"snapshot = runpy.run_path({str(Path(__file__).resolve())!r})['snapshot']; "
        "print(json.dumps(snapshot()))"
    )
    other_process = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    first, second = snapshot(), snapshot()
    assert first == second
    assert json.loads(other_process) == first
    assert first["logs"][0] == COURSE_LOG_LINES and first["logs"][1] == []
    assert len(first["trace"][0]) > 10


def test_an_override_for_a_container_the_definition_lacks_is_refused(lab):
    with pytest.raises(ClientError) as caught:
        lab.client("ecs").run_task(
            cluster=lab.resources.cluster,
            taskDefinition="orders",
            launchType="FARGATE",
            networkConfiguration=lab.network_configuration,
            overrides={"containerOverrides": [{"name": "web", "command": ["true"]}]},
        )
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterException",
        "Override for container named web is not a container in the TaskDefinition.",
    )


# -- in Japanese (日本語) ------------------------------------------------------------------------


def test_in_japanese_a_tasks_summary_and_card_are_japanese_and_ecs_words_stay_english(lab):
    from ecslab.i18n import set_language

    task = lab.run_task()
    english = (task.summary(), task._repr_html_())
    set_language("ja")
    assert (
        task.summary()
        == repr(task)
        == (
            f"タスク {task.id}: STOPPED (EssentialContainerExited)\n"
            "stoppedReason: Essential container in task exited\n"
            "コンテナ: orders 終了コード 0"
        )
    )
    html = task._repr_html_()
    assert f"<strong>✓ タスク {task.id}</strong>" in html
    for label in ("開始時刻", "コンテナ orders", "ログの行数"):
        assert f"<th style='text-align:left'>{label}</th>" in html
    assert "<td>STOPPED、終了コード 0</td>" in html
    assert "<th style='text-align:left'>stopCode</th><td>EssentialContainerExited</td>" in html
    set_language("en")
    assert (task.summary(), task._repr_html_()) == english
    assert english[0].endswith("\ncontainers: orders exit 0")


def test_in_japanese_a_refused_run_task_says_no_task_was_created_in_japanese(lab):
    from ecslab.i18n import set_language

    lab.task_role.set_trust_policy(EC2_TRUST)
    task = lab.run_task()
    set_language("ja")
    said = f"タスクは作成されませんでした: RunTask が拒否されました: {task.failure}"
    assert task.refusal == repr(task) == task.summary() == said
    assert task.failure.startswith("ClientException: ECS was unable to assume the role ")
    assert (
        "<strong>✗ タスクは作成されませんでした</strong>: RunTask が拒否されました。ECS の応答:"
        in task._repr_html_()
    )
    with pytest.raises(NoTaskCreated) as raised:
        task.describe()
    assert str(raised.value) == f"describe() で返せるタスクがありません。{said}"
    set_language("en")
    assert task.summary() == f"No task was created: RunTask was refused: {task.failure}"
