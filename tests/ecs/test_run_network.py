"""Network reachability at run time: an app whose subnet has no path to a service gets botocore's
ConnectTimeoutError (its text from botocore/exceptions.py), after the SDK's retries in simulated
time, traced as Unreachable — never an AccessDenied — and diagnose says: neither role, network."""

from __future__ import annotations

import pytest
from botocore.config import Config

from ecslab import Lab, diagnose
from ecslab.ecs.reach import sdk_wait

REGION = "ap-northeast-1"
LAUNCH = ["ecr.api", "ecr.dkr", "s3", "logs", "ssm", "secretsmanager"]


def isolated(lab, *endpoints):
    lab.network.private_subnet(nat=False)
    for name in LAUNCH + list(endpoints):
        lab.network.add_endpoint(name)


def run_phase_unreachable(lab):
    return [e for e in lab.trace if e.phase == "run" and e.decision == "Unreachable"]


def test_the_default_lab_has_no_unreachable_app_call():
    lab = Lab()
    task = lab.run_task()
    assert task.stop_code == "EssentialContainerExited"
    assert not run_phase_unreachable(lab)
    assert "ConnectTimeoutError" not in "\n".join(task.logs)


def test_no_dynamodb_endpoint_times_out_as_botocore_does():
    lab = Lab()
    isolated(lab)
    task = lab.run_task()
    assert task.stop_code == "EssentialContainerExited"  # the launch had its endpoints
    text = 'Connect timeout on endpoint URL: "https://dynamodb.ap-northeast-1.amazonaws.com/"'
    assert task.logs[-1] == "botocore.exceptions.ConnectTimeoutError: " + text
    assert not any("AccessDenied" in line for line in task.logs)
    (event,) = run_phase_unreachable(lab)
    assert (event.principal, event.role, event.action, event.error_code, event.error) == (
        "orders app",
        "ecs-task-role",
        "dynamodb:PutItem",
        "ConnectTimeoutError",
        text,
    )
    assert event.resource.endswith(":table/orders")
    assert "⊘" in str(event)
    described = task.diagram().describe()
    assert "UNREACHABLE" in described and text in described
    # S3 (its gateway endpoint) was reachable: the config was read before
    assert any(e.action == "s3:GetObject" and e.allowed for e in lab.trace)
    found = diagnose(task.logs[-1])
    assert (found.role, found.category, found.phase) == ("neither", "network", "run")


def test_the_endpoint_gives_the_path_back():
    lab = Lab()
    isolated(lab, "dynamodb", "sqs", "sns", "kms")
    task = lab.run_task()
    assert not run_phase_unreachable(lab)
    assert not any("ConnectTimeoutError" in line for line in task.logs)


def test_a_nat_gateway_or_a_public_ip_reaches_every_service():
    for make in (
        lambda n: n.private_subnet(nat=True),
        lambda n: n.public_subnet(public_ip=True),
    ):
        lab = Lab()
        make(lab.network)
        lab.run_task()
        assert not run_phase_unreachable(lab)


def test_a_public_subnet_without_a_public_ip_times_out_at_launch_first():
    lab = Lab()
    lab.network.public_subnet(public_ip=False)
    task = lab.run_task()
    assert task.stop_code == "TaskFailedToStart"
    assert not run_phase_unreachable(lab)


def test_the_wait_is_the_sdks_retries_in_simulated_time():
    lab = Lab()
    isolated(lab)
    clock = lab._world.clock
    starts = []

    def app():
        import boto3

        client = boto3.client("sts")  # STS has no endpoint in this lab: the route out only
        starts.append(clock.timestamp())
        try:
            client.get_caller_identity()
        except Exception as error:
            starts.append(clock.timestamp())
            print(type(error).__name__, error)

    task = lab.run_task(app=app)
    assert task.logs[-1] == (
        'ConnectTimeoutError Connect timeout on endpoint URL: "https://sts.ap-northeast-1'
        '.amazonaws.com/"'
    )
    attempts, seconds = sdk_wait("sts", None)
    assert attempts == 3
    assert starts[1] - starts[0] == pytest.approx(seconds + 0.01, abs=0.02)
    (event,) = run_phase_unreachable(lab)
    assert event.action == "sts:GetCallerIdentity"


def test_sdk_wait_follows_botocores_modes():
    standard = sdk_wait("s3", Config(retries={"mode": "standard"}))
    assert standard == (3, pytest.approx(180 + 0.025 + 0.05))
    legacy = sdk_wait("s3", Config(retries={"mode": "legacy"}))
    assert legacy == (5, pytest.approx(300 + 0.5 + 1 + 2 + 4))
    assert sdk_wait("dynamodb", Config(retries={"mode": "legacy"}))[0] == 10
    assert sdk_wait("s3", Config(retries={"mode": "standard", "max_attempts": 0})) == (1, 60.0)
    assert sdk_wait("s3", Config(connect_timeout=5, retries={"mode": "standard"}))[1] < 16
    # the lab's own container settings are timed as botocore's default (standard)
    assert sdk_wait("s3", Config(retries={"mode": "legacy", "total_max_attempts": 1}))[0] == 3
