"""The texts ECS puts in a stopped task's ``stoppedReason``, as Fargate (platform 1.4) writes them.

Each builder cites where the real text was seen. The inner part of a launch failure quotes the
AWS error the agent got, in the style of the SDK the Fargate agent uses for that call: the Go SDK
v2 for ECR ("operation error ECR: GetAuthorizationToken, https response error StatusCode: 400,
RequestID: ..., api error AccessDeniedException: ..."), the Go SDK v1 for SSM, Secrets Manager
and CloudWatch Logs ("AccessDeniedException: ... status code: 400, request id: ..."). Errors that
are not retryable are "retried 1 time(s)".
"""

from __future__ import annotations

from botocore.exceptions import ClientError

ESSENTIAL_EXITED = "Essential container in task exited"  # stopCode EssentialContainerExited
STOPPED_BY_USER = "Task stopped by user"  # stopCode UserInitiated
# agent/taskresource/asmsecret/asmsecret.go
INVALID_SECRET_ARN = (
    "an invalid ARN format for the AWS Secrets Manager secret was specified. "
    "Specify a valid ARN and try again."
)
_RETRIEVAL = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution "
    "resource retrieval failed: "
)


def _code_message_id(error: ClientError) -> tuple[str, str, str, int]:
    response = error.response
    info = response.get("Error", {})
    meta = response.get("ResponseMetadata", {})
    return (
        str(info.get("Code", "")),
        str(info.get("Message", "")),
        str(meta.get("RequestId", "")),
        int(meta.get("HTTPStatusCode", 400)),
    )


def sdk_v1(error: ClientError) -> str:
    """``AccessDeniedException: <message> status code: 400, request id: <id>`` (Go SDK v1)."""
    code, message, request_id, status = _code_message_id(error)
    return f"{code}: {message} status code: {status}, request id: {request_id}"


def sdk_v2(service: str, operation: str, error: ClientError) -> str:
    """``operation error ECR: GetAuthorizationToken, https response error StatusCode: 400,
    RequestID: <id>, api error AccessDeniedException: <message>`` (Go SDK v2)."""
    code, message, request_id, status = _code_message_id(error)
    return (
        f"operation error {service}: {operation}, https response error StatusCode: {status}, "
        f"RequestID: {request_id}, api error {code}: {message}"
    )


def registry_auth(error: ClientError) -> str:
    # "... unable to retrieve ecr registry auth: service call has been retried 1 time(s):
    # operation error ECR: GetAuthorizationToken, ..." (docs/research/ecs_lifecycle.md §2.1;
    # the same shape in several public task-failure reports)
    return (
        _RETRIEVAL + "unable to retrieve ecr registry auth: service call has been retried "
        "1 time(s): " + sdk_v2("ECR", "GetAuthorizationToken", error)
    )


def ssm_secrets(inner: str) -> str:
    # https://github.com/aws/copilot-cli/issues/4504
    return (
        _RETRIEVAL + "unable to retrieve secrets from ssm: service call has been retried "
        "1 time(s): " + inner
    )


def ssm_invalid_parameters(names: list[str]) -> str:
    # "invalid ssm parameters: <name>" (Fargate; docs/research/ecs_lifecycle.md §2.5)
    return ssm_secrets("invalid ssm parameters: " + ", ".join(names))


def asm_secret(secret_arn: str, error: ClientError) -> str:
    # https://github.com/GiamPy5/terraform-aws-directus/issues/10 (KMS) and the
    # GetSecretValue denial quoted in docs/research/ecs_lifecycle.md §2.4; a missing secret:
    # "ResourceNotFoundException: Secrets Manager can't find the specified secret."
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-not-found-error.html);
    # another account's secret without a resource policy: the IAM judge's "because no
    # resource-based policy allows ..." (cross-account evaluation, ecslab.iam.evaluation)
    return (
        _RETRIEVAL + "unable to retrieve secret from asm: service call has been retried "
        f"1 time(s): failed to fetch secret {secret_arn} from secrets manager: " + sdk_v1(error)
    )


def asm_json_key(key: str) -> str:
    # agent/asm/asm.go: "retrieved secret from Secrets Manager did not contain json key %s"
    # (https://github.com/aws/amazon-ecs-agent/blob/master/agent/asm/asm.go)
    return (
        _RETRIEVAL + "unable to retrieve secret from asm: service call has been retried "
        f"1 time(s): retrieved secret from Secrets Manager did not contain json key {key}"
    )


def asm_not_json(detail: str) -> str:
    # https://github.com/rileydakota/valheim-ecs-fargate-cdk/issues/9
    return (
        _RETRIEVAL + "unable to retrieve secret from asm: service call has been retried "
        f"1 time(s): {detail}"
    )


def image_pull_forbidden(registry: str, reference: str, tag: str) -> str:
    # https://github.com/aws/aws-cdk/issues/29876: Fargate does not name the IAM action.
    return (
        f"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed "
        f"to resolve ref {reference}: pulling from host {registry} failed with status code "
        f"[manifests {tag}]: 403 Forbidden"
    )


def image_not_found(reference: str) -> str:
    # https://github.com/aws/containers-roadmap/issues/2687
    return (
        "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed "
        f"to resolve ref {reference}: not found"
    )


def log_stream(inner: str) -> str:
    # https://github.com/seekatekode/aws-bootcamp-cruddur-2024/blob/main/journal/week6.md
    # ("create stream has been retried 1 times", "Cloudwatch", " : exit status 1")
    return (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        f"retried 1 times: failed to create Cloudwatch log stream: {inner} : exit status 1"
    )


def log_group(inner: str) -> str:
    # https://github.com/terraform-aws-modules/terraform-aws-ecs/pull/112
    return (
        "ResourceInitializationError: failed to validate logger args: create stream has been "
        f"retried 1 times: failed to create Cloudwatch log group: {inner} : exit status 1"
    )


def unable_to_assume(role_arn: str) -> str:
    # A RunTask error, not a stopped reason: no task is created.
    # https://github.com/bloom-housing/bloom (RunTask) and the service-event form
    # https://github.com/aws-samples/aws-modern-application-workshop/issues/88
    # The whole text, as tests/coach/corpus/messages.json quotes it from real service events.
    return (
        f"ECS was unable to assume the role '{role_arn}' that was provided for this task. "
        "Please verify that the role being passed has the proper trust relationship and "
        "permissions and that your IAM user has permissions to pass this role."
    )


def platform_mismatch(platform: str) -> str:
    # https://github.com/aviswerdlow/relay/issues/71 (service event quoting the stoppedReason:
    # "CannotPullContainerError: pull image manifest has been retried 7 time(s): image Manifest
    # does not contain descriptor matching platform 'linux/amd64'"); also quoted with 5 retries
    # in several public READMEs. Fargate retries this one (7 times), unlike a 403 or a 404.
    return (
        "CannotPullContainerError: pull image manifest has been retried 7 time(s): image "
        f"Manifest does not contain descriptor matching platform '{platform}'"
    )


def docker_hub_rate_limit(repository: str, digest: str) -> str:
    # https://github.com/PrefectHQ/prefect/issues/12003 (a Fargate task, TaskFailedToStart):
    # "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy:
    # httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/
    # prefecthq/prefect/manifests/sha256:...: 429 Too Many Requests - Server message:
    # toomanyrequests: You have reached your pull rate limit. You may increase the limit by
    # authenticating and upgrading: https://www.docker.com/increase-rate-limit"
    return (
        "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: "
        "httpReadSeeker: failed open: unexpected status code "
        f"https://registry-1.docker.io/v2/{repository}/manifests/{digest}: 429 Too Many "
        "Requests - Server message: toomanyrequests: You have reached your pull rate limit. "
        "You may increase the limit by authenticating and upgrading: "
        "https://www.docker.com/increase-rate-limit"
    )
