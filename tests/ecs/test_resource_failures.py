"""Where the pull or the secrets fail and IAM is not the cause: a missing tag or digest, a
platform mismatch, Docker Hub's rate limit, a secret or parameter that does not exist or lives in
another account — each told apart from the IAM denial that shares its prefix.

Expected texts are written out here from the sources cited in ecslab/ecs/reasons.py.
"""

from __future__ import annotations

import copy

import pytest
from botocore.exceptions import ClientError

from ecslab import Lab
from ecslab.ecs.registries import PlatformError, docker_hub_repository

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
RETRIEVAL = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution "
    "resource retrieval failed: "
)
RATE_LIMIT = (
    "429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate "
    "limit. You may increase the limit by authenticating and upgrading: "
    "https://www.docker.com/increase-rate-limit"
)


@pytest.fixture
def lab():
    with Lab() as fresh:
        yield fresh


def definition(lab: Lab, image=None, secrets=None, platform=None) -> dict:
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
    out = copy.deepcopy({k: registered[k] for k in keys if k in registered})
    if image is not None:
        out["containerDefinitions"][0]["image"] = image
    if secrets is not None:
        out["containerDefinitions"][0]["secrets"] = secrets
    if platform is not None:
        out["runtimePlatform"] = {"cpuArchitecture": platform, "operatingSystemFamily": "LINUX"}
    return out


def deny_pull(lab: Lab) -> None:
    lab.execution_role.put_inline(
        "deny-pull",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}],
        },
    )


def allow_everywhere(lab: Lab, action: str) -> None:
    lab.execution_role.put_inline(
        "wide",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        },
    )


# -- 1. a missing tag, digest or repository --


@pytest.mark.parametrize(
    "reference",
    [
        f"{REGISTRY}/orders-app:9.9.9",
        f"{REGISTRY}/orders-app@sha256:" + "0" * 64,
        f"{REGISTRY}/orders-app:1.4.2@sha256:" + "0" * 64,
        f"{REGISTRY}/no-such-repository:1",
    ],
)
def test_missing_image_is_not_found(lab, reference):
    task = lab.run_task(definition(lab, image=reference))
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason == (
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to "
        f"resolve ref {reference}: not found"
    )


def test_missing_tag_reads_differently_from_a_pull_denial(lab):
    deny_pull(lab)
    task = lab.run_task(definition(lab, image=f"{REGISTRY}/orders-app:9.9.9"))
    assert task.stopped_reason == (
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to "
        f"resolve ref {REGISTRY}/orders-app:9.9.9: pulling from host {REGISTRY} failed with "
        "status code [manifests 9.9.9]: 403 Forbidden"
    )
    assert "not found" not in task.stopped_reason


def test_build_image_into_a_missing_repository_is_a_learner_error(lab):
    with pytest.raises(ClientError) as raised:
        lab.build_image("1.0", lambda: None, repository="nope")
    assert raised.value.response["Error"]["Code"] == "RepositoryNotFoundException"
    assert str(raised.value).endswith(
        f"The repository with name 'nope' does not exist in the registry with id '{ACCOUNT}'"
    )


# -- 2. a platform mismatch --


def test_arm64_image_on_an_x86_64_task(lab):
    uri = lab.build_image("arm", lambda: print("hello from arm"), platform="linux/arm64")
    task = lab.run_task(definition(lab, image=uri))
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason == (
        "CannotPullContainerError: pull image manifest has been retried 7 time(s): image "
        "Manifest does not contain descriptor matching platform 'linux/amd64'"
    )
    assert "403" not in task.stopped_reason


def test_arm64_image_on_an_arm64_task_runs(lab):
    uri = lab.build_image("arm", lambda: print("hello from arm"), platform="linux/arm64")
    task = lab.run_task(definition(lab, image=uri, platform="ARM64"))
    assert task.stopped_reason == "Essential container in task exited"
    assert task.containers[0].exit_code == 0


def test_amd64_image_on_an_arm64_task(lab):
    uri = lab.build_image("x86", lambda: None)  # the default: one plain linux/amd64 manifest
    task = lab.run_task(definition(lab, image=uri, platform="ARM64"))
    # a single-platform manifest is not checked at pull (it would fail at start on AWS with
    # "exec format error", which the lab does not model)
    assert task.stopped_reason == "Essential container in task exited"


def test_unknown_platform_is_a_learner_error(lab):
    with pytest.raises(PlatformError, match="linux/amd64"):
        lab.build_image("x", lambda: None, platform="arm64")


# -- 3. Docker Hub's anonymous pull rate limit (a simulation) --


def test_docker_hub_quota_used_up(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    task = lab.run_task(definition(lab, image="nginx:1.27"), app=lambda: None)
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith(
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: "
        "httpReadSeeker: failed open: unexpected status code "
        "https://registry-1.docker.io/v2/library/nginx/manifests/sha256:"
    )
    assert task.stopped_reason.endswith(": " + RATE_LIMIT)
    # deterministic
    again = lab.run_task(definition(lab, image="nginx:1.27"), app=lambda: None)
    assert again.stopped_reason == task.stopped_reason


def test_docker_hub_quota_not_used_up_by_default(lab):
    task = lab.run_task(definition(lab, image="nginx:1.27"), app=lambda: None)
    assert task.stopped_reason == "Essential container in task exited"


def test_ecr_images_are_not_rate_limited(lab):
    lab.ecs.docker_hub.anonymous_quota_used_up = True
    assert lab.run_task().stopped_reason == "Essential container in task exited"


@pytest.mark.parametrize(
    ("text", "repository"),
    [
        ("nginx", "library/nginx"),
        ("nginx:1.27", "library/nginx"),
        ("grafana/grafana:11.0.0", "grafana/grafana"),
        ("docker.io/library/redis:7", "library/redis"),
        ("public.ecr.aws/nginx/nginx:1.27", None),
        ("ghcr.io/owner/app:1", None),
        ("localhost:5000/app", None),
    ],
)
def test_docker_hub_repository(text, repository):
    assert docker_hub_repository(text) == repository


# -- 4. a secret or parameter that does not exist, or is in another account --


def test_missing_secret_is_resource_not_found_once_iam_allows(lab):
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/missing-AbCdEf"
    allow_everywhere(lab, "secretsmanager:GetSecretValue")
    task = lab.run_task(definition(lab, secrets=[{"name": "X", "valueFrom": arn}]))
    assert task.stopped_reason.startswith(
        RETRIEVAL + "unable to retrieve secret from asm: service call has been retried 1 "
        f"time(s): failed to fetch secret {arn} from secrets manager: ResourceNotFoundException: "
        "Secrets Manager can't find the specified secret. status code: 400, request id: "
    )
    # deterministic: the same text in a fresh lab
    with Lab() as other:
        allow_everywhere(other, "secretsmanager:GetSecretValue")
        again = other.run_task(definition(other, secrets=[{"name": "X", "valueFrom": arn}]))
    assert again.stopped_reason == task.stopped_reason


def test_missing_secret_without_permission_is_access_denied(lab):
    # IAM is evaluated first: a role scoped to the course's secrets is refused before
    # Secrets Manager looks the secret up.
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/missing-AbCdEf"
    task = lab.run_task(definition(lab, secrets=[{"name": "X", "valueFrom": arn}]))
    assert "AccessDeniedException" in task.stopped_reason
    assert "because no identity-based policy allows" in task.stopped_reason
    assert "ResourceNotFoundException" not in task.stopped_reason


def test_missing_parameter_is_invalid_once_iam_allows(lab):
    allow_everywhere(lab, "ssm:GetParameters")
    task = lab.run_task(
        definition(lab, secrets=[{"name": "X", "valueFrom": "/orders/no-such-parameter"}])
    )
    assert task.stopped_reason == (
        RETRIEVAL + "unable to retrieve secrets from ssm: service call has been retried 1 "
        "time(s): invalid ssm parameters: /orders/no-such-parameter"
    )


def test_secret_of_another_account_needs_its_resource_policy(lab):
    arn = f"arn:aws:secretsmanager:{REGION}:210987654321:secret:shared-AbCdEf"
    allow_everywhere(lab, "secretsmanager:GetSecretValue")  # the role allows it...
    task = lab.run_task(definition(lab, secrets=[{"name": "X", "valueFrom": arn}]))
    # ...but across accounts the secret's resource policy must allow it too
    assert task.stopped_reason.startswith(
        RETRIEVAL + "unable to retrieve secret from asm: service call has been retried 1 "
        f"time(s): failed to fetch secret {arn} from secrets manager: AccessDeniedException: "
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/"
    )
    assert (
        f"is not authorized to perform: secretsmanager:GetSecretValue on resource: {arn} "
        "because no resource-based policy allows the secretsmanager:GetSecretValue action"
    ) in task.stopped_reason


# -- the default lab is unchanged --


def test_default_lab_unchanged(lab):
    task = lab.run_task()
    assert task.stopped_reason == "Essential container in task exited"
    assert task.containers[0].exit_code == 0
    assert lab.ecs.docker_hub.anonymous_quota_used_up is False
