"""Network reachability at launch: each missing path stops the task with Fargate's network
wording (written out here from the public reports cited in ecslab/ecs/network.py), later than an
IAM refusal would, and VPC endpoints give the path back."""

from __future__ import annotations

import pytest

from ecslab import Lab
from ecslab.ecs.network import UnknownEndpoint

REGION = "ap-northeast-1"
RETRIEVAL = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution "
    "resource retrieval failed: "
)
ALL = ["ecr.api", "ssm", "secretsmanager", "ecr.dkr", "s3", "logs"]


@pytest.fixture
def lab():
    return Lab()


def isolated(lab, *endpoints):
    lab.network.private_subnet(nat=False)
    for name in endpoints:
        lab.network.add_endpoint(name)


def test_the_default_lab_is_reachable(lab):
    task = lab.run_task()
    assert task.stop_code == "EssentialContainerExited"
    assert not lab.trace.filter(decision="unreachable")


def test_no_route_out_times_out_on_registry_auth(lab):
    isolated(lab)
    task = lab.run_task()
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith(
        RETRIEVAL + "unable to retrieve ecr registry auth: service call has been retried "
        f'3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.{REGION}'
        '.amazonaws.com/": dial tcp '
    )
    assert task.stopped_reason.endswith(
        ":443: i/o timeout. Please check your task network configuration."
    )
    event = lab.trace[-1]
    assert (event.action, event.decision, event.role) == (
        "ecr:GetAuthorizationToken",
        "Unreachable",
        "ecs-execution-role",
    )
    assert "⊘" in str(event)


@pytest.mark.parametrize(
    ("endpoints", "expected"),
    [
        (
            ["ecr.api"],
            RETRIEVAL + "unable to retrieve secrets from ssm: service call has been retried "
            "5 time(s): RequestCanceled: request context canceled caused by: context deadline "
            "exceeded. Please check your task network configuration.",
        ),
        (
            ["ecr.api", "ssm"],
            RETRIEVAL + "unable to retrieve secret from asm: service call has been retried "
            "5 time(s): failed to fetch secret arn:aws:secretsmanager:",
        ),
        (
            ["ecr.api", "ssm", "secretsmanager"],
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed "
            f"to resolve ref 123456789012.dkr.ecr.{REGION}.amazonaws.com/orders-app:",
        ),
        (
            ["ecr.api", "ssm", "secretsmanager", "ecr.dkr"],
            "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: "
            "httpReadSeeker: failed open: failed to do request: Get "
            f'"https://prod-{REGION}-starport-layer-bucket.s3.{REGION}.amazonaws.com/',
        ),
        (
            ["ecr.api", "ssm", "secretsmanager", "ecr.dkr", "s3"],
            "ResourceInitializationError: failed to validate logger args: The task cannot find "
            "the Amazon CloudWatch log group defined in the task definition. There is a "
            "connection issue between the task and Amazon CloudWatch. Check your network "
            "configuration. : signal: killed",
        ),
    ],
)
def test_each_missing_endpoint_gives_its_text(lab, endpoints, expected):
    isolated(lab, *endpoints)
    task = lab.run_task()
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith(expected)
    if "manifest" in expected:
        assert ": i/o timeout" in task.stopped_reason


def test_all_endpoints_make_an_isolated_subnet_work(lab):
    isolated(lab, *ALL, "dynamodb", "sqs", "sns")  # and the app's own (ecslab.ecs.reach)
    task = lab.run_task()
    assert task.stop_code == "EssentialContainerExited"
    assert task.exit_code == 0


def test_a_secret_from_secrets_manager_needs_its_endpoint(lab):
    from ecslab.ecs.network import failure_text

    reason, code, _ = failure_text("secretsmanager", REGION, {"secret": "arn:x"})
    assert reason == (
        RETRIEVAL + "unable to retrieve secret from asm: service call has been retried 5 "
        "time(s): failed to fetch secret arn:x from secrets manager: RequestCanceled: request "
        "context canceled caused by: context deadline exceeded. Please check your task network "
        "configuration."
    )
    assert code == "RequestCanceled"


def test_nat_gateway_or_public_ip_is_a_route_out(lab):
    lab.network.private_subnet(nat=True)
    assert lab.run_task().stop_code == "EssentialContainerExited"
    lab.network.public_subnet(public_ip=True)
    assert lab.network_configuration["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"
    assert lab.run_task().stop_code == "EssentialContainerExited"
    lab.network.public_subnet(public_ip=False)  # an internet gateway needs a public IP
    assert "i/o timeout" in lab.run_task().stopped_reason


def test_the_client_s_awsvpc_configuration_is_read(lab):
    subnet = lab.network.private_subnet(nat=False)
    lab.network.reset()
    configuration = lab.network_configuration
    configuration["awsvpcConfiguration"]["subnets"] = [subnet.id]
    ecs = lab.client("ecs")
    arn = ecs.run_task(
        cluster=lab.resources.cluster,
        taskDefinition=lab.resources.family,
        launchType="FARGATE",
        networkConfiguration=configuration,
    )["tasks"][0]["taskArn"]
    task = ecs.describe_tasks(cluster=lab.resources.cluster, tasks=[arn])["tasks"][0]
    assert "api.ecr" in task["stoppedReason"]


def test_timing_and_text_tell_network_from_iam(lab):
    isolated(lab)
    start = lab.clock.timestamp()
    network = lab.run_task()
    network_time = lab.clock.timestamp() - start
    lab.network.reset()
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    try:
        start = lab.clock.timestamp()
        iam = lab.run_task()
        iam_time = lab.clock.timestamp() - start
    finally:
        lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
    assert network.stopped_reason.startswith(RETRIEVAL)
    assert iam.stopped_reason.startswith(RETRIEVAL)
    assert "i/o timeout" in network.stopped_reason
    assert "AccessDeniedException" in iam.stopped_reason
    assert "AccessDenied" not in network.stopped_reason
    assert network_time > iam_time + 60
    assert lab.trace.filter(decision="denied")
    assert all(e.decision != "Unreachable" for e in lab.trace.filter(decision="denied"))


def test_the_diagram_and_table_say_unreachable(lab):
    from ecslab.show.tables import _decision_text

    isolated(lab)
    task = lab.run_task()
    text = task.diagram().describe()
    assert "⊘" in text and "UNREACHABLE" in text
    event = task.trace.filter(decision="unreachable")[0]
    assert _decision_text(event).startswith("⊘ unreachable")


def test_bad_input_is_a_clear_error(lab):
    with pytest.raises(UnknownEndpoint, match=r'Did you mean "ecr\.api"'):
        lab.network.add_endpoint("ecr-api")
    with pytest.raises(ValueError, match="endpoint name is a string"):
        lab.network.add_endpoint(3)
    with pytest.raises(ValueError, match="nat must be True or False"):
        lab.network.private_subnet(nat="no")
    lab.network.add_endpoint(f"com.amazonaws.{REGION}.logs")
    assert lab.network.endpoints == ["logs"]
    with pytest.raises(ValueError, match="decision="):
        lab.trace.filter(decision="timeout")
