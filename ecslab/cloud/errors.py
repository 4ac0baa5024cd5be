"""The errors the simulated services answer with, in each service's own shape.

A refused call must look to the SDK exactly like the real service's refusal, so that botocore
raises its ordinary ``ClientError`` with the real code, HTTP status and message, quirks included.
Each shape cites where it was seen; the general grammar of the message is
``ecslab.iam.evaluation.denial_message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ecslab.i18n import _
from ecslab.iam import denial_message

# JSON-protocol services answer AccessDeniedException with HTTP 400: DynamoDB
# (https://github.com/AntonShuvaev/intellij-dynamodb/issues/29), Secrets Manager
# (https://github.com/binbashar/le-tf-infra-aws/pull/869), SSM
# (https://github.com/aws-ia/terraform-aws-control_tower_account_factory/issues/174), KMS
# (https://github.com/4dn-dcic/tibanna/issues/402), ECR
# (https://github.com/terraform-aws-modules/terraform-aws-iam/issues/514), CloudWatch Logs
# (https://github.com/elastic/apm-aws-lambda/issues/526), ECS
# (https://github.com/LBHackney-IT/Data-Platform/pull/1818).
JSON_SERVICES = ("dynamodb", "secretsmanager", "ecr", "logs", "ssm", "kms", "ecs")
HEAD_OPERATIONS = ("HeadObject", "HeadBucket")


@dataclass(frozen=True)
class ServiceError:
    """What the service answers: HTTP status, error code, message (and botocore's extras)."""

    status: int
    code: str
    message: str
    error_type: str | None = None
    query_error_code: str | None = None

    def parsed(self, request_id: str) -> dict:
        error: dict[str, str] = {"Code": self.code, "Message": self.message}
        if self.error_type:
            error["Type"] = self.error_type
        if self.query_error_code:
            error["QueryErrorCode"] = self.query_error_code
        return {
            "Error": error,
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": self.status,
                "HTTPHeaders": {"x-amzn-requestid": request_id},
                "RetryAttempts": 0,
            },
        }


class Refusal(Exception):
    """Raised by the lab's own services (ECS) to refuse a call with a service error."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


def shown_action(service: str, action: str) -> str:
    """How a service writes the action in its message."""
    prefix, _sep, name = action.partition(":")
    if service == "sqs" and prefix == "sqs":
        # SQS lower-cases it: "sqs:sendmessage"
        # (https://github.com/aws/serverless-application-model/issues/3633).
        return action.lower()
    if service == "sns" and prefix == "sns":
        # SNS upper-cases the prefix: "SNS:Publish"
        # (https://github.com/aws-ia/terraform-aws-control_tower_account_factory/issues/151).
        return f"SNS:{name}"
    return action


def shown_resource(service: str, action: str, resource: str) -> str:
    """How a service writes the resource in its message."""
    if service == "iam" and action.lower() != "iam:passrole":
        # IAM names its own resources by type and name: "on resource: role ecs-task-role"
        # (https://github.com/aws/aws-cdk/issues/27067).
        found = re.match(
            r"^arn:aws[^:]*:iam::\d{12}:(role|user|policy|group)/(?:.*/)?([^/]+)$", resource
        )
        if found:
            return f"{found.group(1)} {found.group(2)}"
    return resource


# Services that leave "on resource: *" out of the message for actions without resources
# (https://github.com/Kralizek/AWSSecretsManagerConfigurationExtensions/issues/78); ECR and ECS
# keep it (https://github.com/terraform-aws-modules/terraform-aws-iam/issues/514,
# https://github.com/cdklabs/construct-hub/pull/1207).
NO_STAR_RESOURCE = ("secretsmanager",)


def access_denied(
    service: str,
    operation: str,
    principal: str,
    action: str,
    resource: str,
    kind: str,
    explicit: bool,
) -> ServiceError:
    """The service's refusal of an unauthorized request."""
    if resource == "*" and service in NO_STAR_RESOURCE:
        resource = ""
    message = denial_message(
        principal,
        shown_action(service, action),
        shown_resource(service, action, resource),
        kind,
        explicit,
    )
    if service == "s3":
        if operation in HEAD_OPERATIONS:
            # A HEAD response has no body: botocore reports the bare status
            # (botocore parsers.py _parse_error_from_http_status;
            # https://github.com/bluesentry/bucket-antivirus-function/issues/144).
            return ServiceError(403, "403", "Forbidden")
        # Same-account S3 since 2024: 403 AccessDenied with the detailed message
        # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html);
        # S3's XML error has no <Type>.
        return ServiceError(403, "AccessDenied", message)
    if service in ("sts", "iam"):
        # Query protocol: 403 AccessDenied (https://github.com/aws-containers/ecsworkshop/issues/66,
        # https://github.com/aws/aws-cdk/issues/27067).
        return ServiceError(403, "AccessDenied", message, "Sender")
    if service == "sns":
        # botocore's SNS model: AuthorizationError, HTTP 403.
        return ServiceError(403, "AuthorizationError", message, "Sender")
    if service == "sqs":
        # SQS's JSON protocol answers 403 with x-amzn-query-error: AccessDenied;Sender, which
        # botocore reports as code AccessDenied (botocore parsers.py
        # _do_query_compatible_error_parse; https://github.com/RaiderIO/keystone.guru/issues/3901).
        return ServiceError(403, "AccessDenied", message, "Sender", "AccessDeniedException")
    return ServiceError(400, "AccessDeniedException", message)


def kms_denied_through(service: str, kms_message: str, request_id: str) -> ServiceError:
    """A service that decrypts for the caller passes the KMS refusal on in its own way."""
    if service == "secretsmanager":
        # https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/issues/53
        return ServiceError(400, "AccessDeniedException", "Access to KMS is not allowed")
    # SSM passes KMS's text through with the Java SDK's decoration inside the message
    # (https://github.com/123456pop00/aws-dva-2024/blob/main/security/system-manager.md).
    return ServiceError(
        400,
        "AccessDeniedException",
        f"{kms_message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
        f"Request ID: {request_id}; Proxy: null)",
    )


# Unknown access keys (docs/research/service_errors.md, and the threads cited here).
_UNKNOWN_KEY = {
    # raw XML bodies have no final period: https://github.com/aws/aws-cli/issues/8918
    "iam": (403, "InvalidClientTokenId", "The security token included in the request is invalid"),
    "sts": (403, "InvalidClientTokenId", "The security token included in the request is invalid"),
    # https://github.com/aws/aws-sdk-js/issues/1919
    "sns": (403, "InvalidClientTokenId", "The security token included in the request is invalid."),
    # https://github.com/argoproj/notifications-engine/issues/382
    "sqs": (403, "InvalidClientTokenId", "The security token included in the request is invalid."),
    # https://github.com/raster-foundry/raster-foundry/issues/289
    "s3": (
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    ),
    # https://github.com/baopham/laravel-dynamodb/issues/228
    "dynamodb": (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid",
    ),
}


def unknown_credentials(service: str, operation: str = "") -> ServiceError:
    """The answer to a request signed with an access key AWS does not know."""
    if service == "s3" and operation in HEAD_OPERATIONS:
        return ServiceError(403, "403", "Forbidden")  # a HEAD answer has no body to say more
    # ECR, Logs, ECS, KMS: UnrecognizedClientException with a period
    # (https://github.com/aws/aws-sdk-php/issues/1114, https://github.com/maxbanton/cwh/issues/119).
    status, code, message = _UNKNOWN_KEY.get(
        service,
        (
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
    )
    return ServiceError(status, code, message)


def root_cannot_assume_roles() -> ServiceError:
    # https://github.com/kubeflow/testing/pull/961
    return ServiceError(403, "AccessDenied", "Roles may not be assumed by root accounts.", "Sender")


def not_modelled(service: str, operation: str, modelled: list[str]) -> ServiceError:
    """ecslab's own refusal of an operation it cannot authorize faithfully (not an AWS text)."""
    known = ", ".join(sorted(modelled)) or _("none")
    return ServiceError(
        501,
        "OperationNotModelled",
        _(
            "ecslab does not model {service}:{operation} yet, so the simulated account refuses "
            "it rather than let it through unchecked. Modelled {service} operations: {known}."
        ).format(service=service, operation=operation, known=known),
    )
