"""When the image pull fails and IAM is not the cause: the image, its platform, the registry.

These failures share the ``CannotPullContainerError`` prefix with the execution role's denials, and
the difference is in the rest of the text (:mod:`ecslab.ecs.reasons` cites each):

- **a missing tag, digest or repository** in ECR: ``failed to resolve ref <ref>: not found`` —
  ECR answers 404 once the execution role may read the repository; an IAM denial reads
  ``... failed with status code [manifests <tag>]: 403 Forbidden`` instead (the lifecycle's
  ``_pull`` already tells the two apart);
- **a platform mismatch**: an image built only for ``linux/arm64`` (``lab.build_image(...,
  platform="linux/arm64")``) run by a task whose ``runtimePlatform.cpuArchitecture`` is
  ``X86_64`` (the default) — the image index holds no descriptor for ``linux/amd64``. Simulation:
  the lab pushes such an image as an OCI image index with one entry, as ``docker buildx`` does;
  a plain single-platform manifest would instead pull and fail at start with ``exec format
  error`` (exit code 1), which the lab does not model;
- **Docker Hub's pull rate limit**: a public image from Docker Hub pulled anonymously (Fargate
  pulls Docker Hub images without credentials unless ``repositoryCredentials`` is given).
  **This is a simulation of Docker Hub's quota**: the lab never contacts Docker Hub, and the
  quota is used up only when the learner says so (``lab.ecs.docker_hub.anonymous_quota_used_up =
  True``); the manifest digest in the text is derived from the reference, not Docker Hub's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ecslab.cloud.account import random_uuid
from ecslab.cloud.trace import REGISTRY_REFUSED
from ecslab.ecs import reasons
from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake

INDEX_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
# runtimePlatform.cpuArchitecture -> the OCI platform the Fargate agent asks for
ARCHITECTURES = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
PLATFORMS = ("linux/amd64", "linux/arm64")


def task_platform(raw_definition: Any) -> str:
    """The platform a task pulls for: ``linux/amd64`` unless ``runtimePlatform`` says ARM64."""
    runtime = raw_definition.get("runtimePlatform") if hasattr(raw_definition, "get") else None
    architecture = (runtime or {}).get("cpuArchitecture") or "X86_64"
    return ARCHITECTURES.get(str(architecture).upper(), "linux/amd64")


def select_platform(manifest: dict[str, Any], platform: str) -> dict[str, Any]:
    """An image index's descriptor for ``platform``; a plain manifest is returned as it is.

    Raises ``LookupError`` with Fargate's stoppedReason when the index has no such descriptor."""
    if manifest.get("mediaType") not in INDEX_MEDIA_TYPES and "manifests" not in manifest:
        return manifest
    os_name, _, architecture = platform.partition("/")
    for descriptor in manifest.get("manifests", []):
        wanted = descriptor.get("platform") or {}
        if wanted.get("os") == os_name and wanted.get("architecture") == architecture:
            return descriptor
    raise LookupError(reasons.platform_mismatch(platform))


def image_index(child: dict[str, Any], child_digest: str, size: int, platform: str) -> dict:
    """An OCI image index holding one image, for ``platform`` (what ``docker buildx build
    --platform <platform> --push`` uploads)."""
    os_name, _, architecture = platform.partition("/")
    return {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": child["mediaType"],
                "size": size,
                "digest": child_digest,
                "platform": {"architecture": architecture, "os": os_name},
                "layers": child["layers"],  # the simulation keeps the layers beside it
            }
        ],
    }


@dataclass
class DockerHub:
    """A simulation of Docker Hub's anonymous pull quota (100 pulls per 6 hours per IP on the
    real Docker Hub; https://docs.docker.com/docker-hub/download-rate-limit/). The lab never
    counts pulls: set ``anonymous_quota_used_up`` to make the next anonymous pull refused."""

    anonymous_quota_used_up: bool = False

    def pull(self, image_text: str, credentials: bool = False) -> None:
        """Raise ``LookupError`` with Fargate's stoppedReason when the pull is refused."""
        repository = docker_hub_repository(image_text)
        if repository is None or credentials or not self.anonymous_quota_used_up:
            return
        digest = "sha256:" + hashlib.sha256(image_text.encode()).hexdigest()
        raise LookupError(reasons.docker_hub_rate_limit(repository, digest))


def docker_hub_repository(image_text: str) -> str | None:
    """``nginx:1.27`` → ``library/nginx``; ``docker.io/grafana/grafana`` → ``grafana/grafana``;
    ``None`` for another registry (ECR, ``public.ecr.aws``, ``ghcr.io``, ...)."""
    name = image_text.split("@", 1)[0]
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        if first not in ("docker.io", "registry-1.docker.io", "index.docker.io"):
            return None
        name = rest
    name = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    if not name:
        return None
    return name if "/" in name else f"library/{name}"


class PlatformError(LearnerMistake, ValueError):
    """``build_image`` was given a platform Fargate does not run (shown as ``ValueError``)."""

    shown_as = "ValueError"


def check_platform(platform: Any) -> None:
    if platform not in PLATFORMS:
        raise PlatformError(
            _(
                'build_image() builds for platform "linux/amd64" or "linux/arm64" (the two '
                "Linux platforms Fargate runs), not {platform}"
            ).format(platform=repr(platform))
        )


def repository_not_found(repository: str, account: str) -> ClientError:
    """ECR's answer to PutImage into a repository that does not exist (moto raises a bare
    ``Exception`` there). The message is the one moto's own RepositoryNotFoundException carries
    for ECR's other operations (moto/ecr/exceptions.py); not checked against a real PutImage."""
    message = (
        f"The repository with name '{repository}' does not exist in the registry with id "
        f"'{account}'"
    )
    return ClientError(
        {
            "Error": {"Code": "RepositoryNotFoundException", "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "PutImage",
    )


def as_secrets_manager_answers(error: ClientError) -> ClientError:
    """Secrets Manager's ResourceNotFoundException as the service sends it: HTTP 400 (its API
    reference lists 400 for every error; moto answers 404) and a UUID request id from the lab's
    seeded random (moto's is not seeded), so the stoppedReason is the same on every run."""
    response = error.response
    if response.get("Error", {}).get("Code") != "ResourceNotFoundException":
        return error
    meta = dict(response.get("ResponseMetadata", {}))
    meta["HTTPStatusCode"] = 400
    meta["RequestId"] = random_uuid()
    return ClientError({**response, "ResponseMetadata": meta}, error.operation_name)


# -- the pull from Docker Hub, in the trace --------------------------------------------------------

DOCKER_HUB = "registry-1.docker.io"


def repository_credentials(container_raw: Any) -> str | None:
    """The secret a container's ``repositoryCredentials.credentialsParameter`` names, if any."""
    found = (container_raw or {}).get("repositoryCredentials") if container_raw else None
    parameter = found.get("credentialsParameter") if isinstance(found, dict) else None
    return str(parameter) if parameter else None


def private_registry_auth(task: Any, agent: Any, fail: Any) -> dict[str, str]:
    """The agent reads each ``repositoryCredentials`` secret with the **execution role**
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html: the task
    execution role needs ``secretsmanager:GetSecretValue``, and ``kms:Decrypt`` when the secret
    is encrypted with a customer managed key); ``agent(service)`` is the agent's client, as the
    execution role. Returns the user name by container name.

    A refusal stops the task with the agent's wording (agent/asm/asm.go
    ``GetDockerAuthFromASM``: ``asm fetching secret from the service for <secret>: <error>``,
    quoted from a Fargate task's stoppedReason in https://mosuke5.hatenablog.com (2019,
    "Amazon ECSを使った際のFargateの仕組みとそのデプロイフローを学ぶ"), Go SDK v1 error). Not
    verified: whether platform 1.4 puts its ``ResourceInitializationError`` prefix before it."""
    found: dict[str, str] = {}
    for container in task.containers:
        secret = repository_credentials(container.definition.raw)
        if secret is None:
            continue
        try:
            answer = agent("secretsmanager").get_secret_value(SecretId=secret)
        except ClientError as error:
            error = as_secrets_manager_answers(error)
            raise fail(
                f"asm fetching secret from the service for {secret}: " + reasons.sdk_v1(error)
            ) from None
        try:  # {"username": ..., "password": ...} (the same documentation page)
            document = json.loads(answer.get("SecretString") or "")
            username = document["username"]
            document["password"]
        except (ValueError, KeyError, TypeError):
            # agent/asm/asm.go extractASMValue
            raise fail("asm fetching authorization data: missing username or password") from None
        found[container.name] = str(username)
    return found


def pull_public(lifecycle: Any, container: Any, auth: dict[str, str]) -> None:
    """A pull from Docker Hub: refused with HTTP 429 ``toomanyrequests`` when anonymous and the
    (simulated) quota is used up; authenticated with ``repositoryCredentials``. The pull is a
    call to the registry, not to AWS: it is traced (principal the ECS agent, no role, decision
    ``RegistryRefused`` or ``Allowed``) only when refused or authenticated, so a task that
    pulls anonymously within the quota has the trace it had before."""
    image_text = container.definition.image
    repository = docker_hub_repository(image_text)
    if repository is None:
        return
    hub: DockerHub = lifecycle.service.docker_hub
    user = auth.get(container.name)
    refused = user is None and hub.anonymous_quota_used_up
    if user is None and not refused:
        return
    reference = image_text.split("@", 1)[-1] if "@" in image_text else None
    tag = reference or (
        image_text.rsplit(":", 1)[-1] if ":" in image_text.rsplit("/", 1)[-1] else "latest"
    )
    world = lifecycle.world
    reason = ""
    if refused:
        try:
            hub.pull(image_text)
        except LookupError as refusal:
            reason = str(refusal)
    from ecslab.cloud.gate import current_phase

    world.trace.record(
        time=world.clock.iso(),
        phase=current_phase() or "launch",
        principal="ECS agent",
        principal_arn="",
        role=None,
        service="docker.io",
        operation="GetManifest",
        action=f"docker.io: GET /v2/{repository}/manifests/{tag}",
        resource=f"{DOCKER_HUB}/{repository}:{tag}"
        if not reference
        else f"{DOCKER_HUB}/{repository}@{tag}",
        decision=REGISTRY_REFUSED if refused else "Allowed",
        error_code="toomanyrequests" if refused else None,
        error=reason.split("failed open: unexpected status code ", 1)[-1] if refused else None,
        task=lifecycle.task.id,
        via=None,
    )
    if refused:
        raise LookupError(reason)
