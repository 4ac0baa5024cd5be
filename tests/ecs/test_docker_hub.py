"""Docker Hub's anonymous rate limit in the trace and the diagram (a registry's refusal, not an
IAM decision), and repositoryCredentials: the execution role reads the registry credentials from
Secrets Manager (kms:Decrypt for a customer managed key), and the pull is then authenticated."""

from __future__ import annotations

import copy
import json

import pytest

from ecslab import Lab, diagnose

RATE_LIMIT = (
    "429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate "
    "limit. You may increase the limit by authenticating and upgrading: "
    "https://www.docker.com/increase-rate-limit"
)
EXECUTION = "ecs-execution-role"


@pytest.fixture
def lab():
    return Lab()


def hub_definition(lab, credentials=None):
    registered = lab.task_definition()
    keys = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions")
    out = copy.deepcopy({k: registered[k] for k in keys if k in registered})
    out.update(requiresCompatibilities=["FARGATE"], cpu="256", memory="512")
    out["containerDefinitions"][0]["image"] = "nginx:1.27"
    if credentials:
        out["containerDefinitions"][0]["repositoryCredentials"] = {
            "credentialsParameter": credentials
        }
    return out


def hub_secret(lab, kms_key=None):
    extra = {"KmsKeyId": kms_key} if kms_key else {}
    return lab.client("secretsmanager").create_secret(
        Name="dockerhub-login",
        SecretString=json.dumps({"username": "learner", "password": "not-a-real-token"}),
        **extra,
    )["ARN"]


def allow(lab, actions, resource):
    lab.client("iam").put_role_policy(
        RoleName=EXECUTION,
        PolicyName="docker-hub-login",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
            }
        ),
    )


def hub_events(trace):
    return [e for e in trace if e.action.startswith("docker.io: ")]


def test_the_refused_pull_is_in_the_trace_as_a_registry_refusal(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    task = lab.run_task(hub_definition(lab), app=lambda: None)
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.endswith(": " + RATE_LIMIT)
    (event,) = hub_events(task.trace)
    assert (event.phase, event.principal, event.role, event.decision, event.error_code) == (
        "launch",
        "ECS agent",
        None,
        "RegistryRefused",
        "toomanyrequests",
    )
    assert event.action == "docker.io: GET /v2/library/nginx/manifests/1.27"
    assert event.resource == "registry-1.docker.io/library/nginx:1.27"
    assert event.error.startswith("https://registry-1.docker.io/v2/library/nginx/manifests/sha256:")
    assert event.error.endswith(": " + RATE_LIMIT)
    assert task.trace.filter(decision="RegistryRefused").events == (event,)
    described = task.diagram().describe()
    assert "REFUSED by the registry (not an IAM decision)" in described
    source = task.diagram().source
    assert "Docker Hub" in source and "429 toomanyrequests" in source
    found = diagnose(task.stopped_reason)
    assert found.role == "neither"


def test_an_anonymous_pull_within_the_quota_leaves_the_trace_as_before(lab):
    task = lab.run_task(hub_definition(lab), app=lambda: None)
    assert task.stop_code == "EssentialContainerExited"
    assert not hub_events(task.trace)


def test_repository_credentials_need_the_execution_role_to_read_the_secret(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    secret = hub_secret(lab)
    task = lab.run_task(hub_definition(lab, secret), app=lambda: None)
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith(
        f"asm fetching secret from the service for {secret}: AccessDeniedException: User: "
        f"arn:aws:sts::123456789012:assumed-role/{EXECUTION}/"
    )
    assert (
        f"is not authorized to perform: secretsmanager:GetSecretValue on resource: {secret} "
        "because no identity-based policy allows the secretsmanager:GetSecretValue action "
        "status code: 400, request id: "
    ) in task.stopped_reason
    denied = task.trace.filter(decision="denied").events[-1]
    assert (denied.principal, denied.role, denied.action) == (
        "ECS agent",
        EXECUTION,
        "secretsmanager:GetSecretValue",
    )
    assert not hub_events(task.trace)  # never got to the pull
    assert diagnose(task.stopped_reason).role == "execution"


def test_with_the_secret_readable_the_pull_is_authenticated_and_allowed(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    secret = hub_secret(lab)
    allow(lab, "secretsmanager:GetSecretValue", secret)
    task = lab.run_task(hub_definition(lab, secret), app=lambda: None)
    assert task.stop_code == "EssentialContainerExited"
    actions = [(e.role, e.action, e.decision) for e in task.trace if e.phase == "launch"]
    read = actions.index((EXECUTION, "secretsmanager:GetSecretValue", "Allowed"))
    pull = actions.index((None, "docker.io: GET /v2/library/nginx/manifests/1.27", "Allowed"))
    assert read < pull


def test_a_customer_managed_key_needs_kms_decrypt(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    key = lab.client("kms").create_key()["KeyMetadata"]["Arn"]
    secret = hub_secret(lab, kms_key=key)
    allow(lab, "secretsmanager:GetSecretValue", secret)
    task = lab.run_task(hub_definition(lab, secret), app=lambda: None)
    assert task.stop_code == "TaskFailedToStart"
    assert "kms" in task.stopped_reason.lower()
    denied = task.trace.filter(decision="denied").events[-1]
    assert (denied.role, denied.action, denied.via) == (
        EXECUTION,
        "kms:Decrypt",
        "secretsmanager:GetSecretValue",
    )
    allow(lab, ["secretsmanager:GetSecretValue", "kms:Decrypt"], [secret, key])
    task = lab.run_task(hub_definition(lab, secret), app=lambda: None)
    assert task.stop_code == "EssentialContainerExited"


def test_a_secret_without_username_and_password(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    secret = lab.client("secretsmanager").create_secret(Name="bad", SecretString="token")["ARN"]
    allow(lab, "secretsmanager:GetSecretValue", secret)
    task = lab.run_task(hub_definition(lab, secret), app=lambda: None)
    assert task.stopped_reason == "asm fetching authorization data: missing username or password"
