"""Unit tests of ``ecslab.cloud.errors``: each service's refusal, as real AWS words it.

Every expected value is written out from the research notes (docs/research/service_errors.md,
section numbers below, and docs/research/facts.md §1), not derived from the module under test.
"""

from __future__ import annotations

import pytest

from ecslab.cloud import errors
from ecslab.cloud.errors import ServiceError

ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/5f1c2d3e"
USER = f"arn:aws:iam::{ACCOUNT}:user/learner"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
TABLE = f"arn:aws:dynamodb:ap-northeast-1:{ACCOUNT}:table/orders"
QUEUE = f"arn:aws:sqs:ap-northeast-1:{ACCOUNT}:orders-events"
TOPIC = f"arn:aws:sns:ap-northeast-1:{ACCOUNT}:orders-notifications"
KEY = f"arn:aws:kms:ap-northeast-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OBJECT = "arn:aws:s3:::orders-config-123456789012/config/app.json"
BUCKET = "arn:aws:s3:::orders-config-123456789012"
PARAMETER = f"arn:aws:ssm:ap-northeast-1:{ACCOUNT}:parameter/orders/feature-flags"
LOG_STREAM = f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/app/1"
REPOSITORY = f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/orders-app"
TASK_DEFINITION = f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:task-definition/orders:9"


def identity_tail(action: str) -> str:
    return f" because no identity-based policy allows the {action} action"


# -- the message and its wrapping, service by service ----------------------------------------------

# (service, operation, action, resource, status, code, message): §1-§12, implicit identity denials
# by a role session.
IMPLICIT = [
    (
        "s3",
        "GetObject",
        "s3:GetObject",
        OBJECT,
        403,
        "AccessDenied",
        f'User: {SESSION} is not authorized to perform: s3:GetObject on resource: "{OBJECT}"'
        + identity_tail("s3:GetObject"),
    ),
    (
        "s3",
        "ListObjectsV2",
        "s3:ListBucket",
        BUCKET,
        403,
        "AccessDenied",
        f'User: {SESSION} is not authorized to perform: s3:ListBucket on resource: "{BUCKET}"'
        + identity_tail("s3:ListBucket"),
    ),
    (
        "dynamodb",
        "Query",
        "dynamodb:Query",
        TABLE,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: dynamodb:Query on resource: {TABLE}"
        + identity_tail("dynamodb:Query"),
    ),
    (
        "sqs",
        "SendMessageBatch",
        "sqs:SendMessage",
        QUEUE,
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: sqs:sendmessage on resource: {QUEUE}"
        + identity_tail("sqs:sendmessage"),
    ),
    (
        "sqs",
        "ReceiveMessage",
        "sqs:ReceiveMessage",
        QUEUE,
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: sqs:receivemessage on resource: {QUEUE}"
        + identity_tail("sqs:receivemessage"),
    ),
    (
        "sns",
        "Publish",
        "sns:Publish",
        TOPIC,
        403,
        "AuthorizationError",
        f"User: {SESSION} is not authorized to perform: SNS:Publish on resource: {TOPIC}"
        + identity_tail("SNS:Publish"),
    ),
    (
        "sns",
        "GetTopicAttributes",
        "sns:GetTopicAttributes",
        TOPIC,
        403,
        "AuthorizationError",
        f"User: {SESSION} is not authorized to perform: SNS:GetTopicAttributes on resource: "
        f"{TOPIC}" + identity_tail("SNS:GetTopicAttributes"),
    ),
    (
        "secretsmanager",
        "GetSecretValue",
        "secretsmanager:GetSecretValue",
        "cfn/atlas/profile/development",
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: secretsmanager:GetSecretValue on "
        "resource: cfn/atlas/profile/development" + identity_tail("secretsmanager:GetSecretValue"),
    ),
    (
        "ssm",
        "GetParameter",
        "ssm:GetParameter",
        PARAMETER,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: ssm:GetParameter on resource: {PARAMETER}"
        + identity_tail("ssm:GetParameter"),
    ),
    (
        "kms",
        "Decrypt",
        "kms:Decrypt",
        KEY,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: kms:Decrypt on resource: {KEY}"
        + identity_tail("kms:Decrypt"),
    ),
    (
        "ecr",
        "GetAuthorizationToken",
        "ecr:GetAuthorizationToken",
        "*",
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: ecr:GetAuthorizationToken on resource: *"
        + identity_tail("ecr:GetAuthorizationToken"),
    ),
    (
        "ecr",
        "BatchGetImage",
        "ecr:BatchGetImage",
        REPOSITORY,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: ecr:BatchGetImage on resource: "
        f"{REPOSITORY}" + identity_tail("ecr:BatchGetImage"),
    ),
    (
        "logs",
        "PutLogEvents",
        "logs:PutLogEvents",
        LOG_STREAM,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: logs:PutLogEvents on resource: "
        f"{LOG_STREAM}" + identity_tail("logs:PutLogEvents"),
    ),
    (
        "ecs",
        "RunTask",
        "ecs:RunTask",
        TASK_DEFINITION,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: ecs:RunTask on resource: "
        f"{TASK_DEFINITION}" + identity_tail("ecs:RunTask"),
    ),
    (
        "ecs",
        "ListTasks",
        "ecs:ListTasks",
        "*",
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: ecs:ListTasks on resource: *"
        + identity_tail("ecs:ListTasks"),
    ),
    (
        "ecs",
        "RunTask",
        "iam:PassRole",
        ROLE,
        400,
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: iam:PassRole on resource: {ROLE}"
        + identity_tail("iam:PassRole"),
    ),
    (
        "iam",
        "GetRole",
        "iam:GetRole",
        ROLE,
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: iam:GetRole on resource: role "
        "ecs-task-role" + identity_tail("iam:GetRole"),
    ),
    (
        "iam",
        "GetUser",
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/rancher-cloud-credential-user",
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: iam:GetUser on resource: user "
        "rancher-cloud-credential-user" + identity_tail("iam:GetUser"),
    ),
    (
        "iam",
        "CreatePolicy",
        "iam:CreatePolicy",
        f"arn:aws:iam::{ACCOUNT}:policy/smoketest",
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: iam:CreatePolicy on resource: policy "
        "smoketest" + identity_tail("iam:CreatePolicy"),
    ),
    (
        "sts",
        "AssumeRole",
        "sts:AssumeRole",
        ROLE,
        403,
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: sts:AssumeRole on resource: {ROLE}",
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "action", "resource", "status", "code", "message"),
    IMPLICIT,
    ids=[f"{i[0]}:{i[1]}:{i[2]}" for i in IMPLICIT],
)
def test_access_denied_in_each_services_shape(
    service, operation, action, resource, status, code, message
):
    error = errors.access_denied(service, operation, SESSION, action, resource, "identity", False)
    assert (error.status, error.code, error.message) == (status, code, message)


@pytest.mark.parametrize(
    ("service", "error_type", "query_error_code"),
    [
        # S3's REST-XML error is <Error><Code/><Message/><RequestId/><HostId/></Error>: no Type
        # (§1, https://github.com/Privado-Inc/privado/issues/573).
        pytest.param(
            "s3",
            None,
            None,
        ),
        # The query protocols carry <Type>Sender</Type> (§3, §4, §10, §11).
        ("iam", "Sender", None),
        ("sts", "Sender", None),
        ("sns", "Sender", None),
        # SQS's JSON protocol: x-amzn-query-error "AccessDenied;Sender" over __type
        # AccessDeniedException → Code AccessDenied, Type Sender, QueryErrorCode (§3).
        ("sqs", "Sender", "AccessDeniedException"),
        # The JSON protocols have neither (§0).
        ("dynamodb", None, None),
        ("secretsmanager", None, None),
        ("ssm", None, None),
        ("kms", None, None),
        ("ecr", None, None),
        ("logs", None, None),
        ("ecs", None, None),
    ],
)
def test_what_botocore_puts_beside_the_code(service, error_type, query_error_code):
    action = f"{service}:Something"
    error = errors.access_denied(service, "Something", SESSION, action, "*", "identity", False)
    parsed = error.parsed("req-1")["Error"]
    assert parsed.get("Type") == error_type
    assert parsed.get("QueryErrorCode") == query_error_code


@pytest.mark.parametrize("operation", ["HeadObject", "HeadBucket"])
@pytest.mark.parametrize("explicit", [False, True])
def test_s3_head_refusals_have_no_body(operation, explicit):
    """§1: a HEAD response has no body; botocore reports Code "403", Message "Forbidden"."""
    error = errors.access_denied(
        "s3", operation, SESSION, "s3:GetObject", OBJECT, "identity", explicit
    )
    assert (error.status, error.code, error.message) == (403, "403", "Forbidden")


def test_only_head_operations_lose_their_body():
    error = errors.access_denied(
        "s3", "GetObject", SESSION, "s3:GetObject", OBJECT, "identity", False
    )
    assert error.code == "AccessDenied"
    assert set(errors.HEAD_OPERATIONS) == {"HeadObject", "HeadBucket"}


def test_the_json_services_are_the_ones_answering_400():
    """§0: DynamoDB, KMS, SSM, Secrets Manager, Logs, ECR, ECS use JSON and HTTP 400."""
    assert set(errors.JSON_SERVICES) == {
        "dynamodb",
        "kms",
        "ssm",
        "secretsmanager",
        "logs",
        "ecr",
        "ecs",
    }


# -- the reason ("because ..." / "with an explicit deny in ...") -----------------------------------

# facts.md §1.1: (kind, explicit) → tail.
TAILS = [
    ("identity", False, " because no identity-based policy allows the dynamodb:GetItem action"),
    ("identity", True, " with an explicit deny in an identity-based policy"),
    ("resource", False, " because no resource-based policy allows the dynamodb:GetItem action"),
    ("resource", True, " with an explicit deny in a resource-based policy"),
    ("boundary", False, " because no permissions boundary allows the dynamodb:GetItem action"),
    ("boundary", True, " with an explicit deny in a permissions boundary"),
    ("session", False, " because no session policy allows the dynamodb:GetItem action"),
    # SCPs and RCPs always read "explicit", even when nothing allowed (facts.md §1.1).
    ("scp", False, " with an explicit deny in a service control policy"),
    ("scp", True, " with an explicit deny in a service control policy"),
    ("rcp", True, " with an explicit deny in a resource control policy"),
]


@pytest.mark.parametrize(("kind", "explicit", "tail"), TAILS)
def test_the_tail_names_the_policy_type(kind, explicit, tail):
    error = errors.access_denied(
        "dynamodb", "GetItem", SESSION, "dynamodb:GetItem", TABLE, kind, explicit
    )
    head = f"User: {SESSION} is not authorized to perform: dynamodb:GetItem on resource: {TABLE}"
    assert error.message == head + tail


def test_a_kms_key_policy_refusal_is_resource_based():
    """§7 / facts.md §1(b): "because no resource-based policy allows the kms:Decrypt action"."""
    error = errors.access_denied("kms", "Decrypt", USER, "kms:Decrypt", KEY, "resource", False)
    assert error.message == (
        f"User: {USER} is not authorized to perform: kms:Decrypt on resource: {KEY} "
        "because no resource-based policy allows the kms:Decrypt action"
    )


def test_s3_explicit_deny_quotes_the_resource():
    """§1: "... s3:PutObject on resource: "arn:..." with an explicit deny in an
    identity-based policy"."""
    error = errors.access_denied("s3", "PutObject", USER, "s3:PutObject", OBJECT, "identity", True)
    assert error.message == (
        f'User: {USER} is not authorized to perform: s3:PutObject on resource: "{OBJECT}" '
        "with an explicit deny in an identity-based policy"
    )
    assert (error.status, error.code) == (403, "AccessDenied")


def test_iam_explicit_deny_names_the_role():
    """§11: "... iam:GetRole on resource: role XPTO with an explicit deny in an identity-based
    policy"."""
    error = errors.access_denied(
        "iam", "GetRole", USER, "iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/XPTO", "identity", True
    )
    assert error.message == (
        f"User: {USER} is not authorized to perform: iam:GetRole on resource: role XPTO "
        "with an explicit deny in an identity-based policy"
    )


@pytest.mark.parametrize("kind", ["identity", "trust"])
def test_role_assumption_refusals_have_no_because_tail(kind):
    """§10: STS names the role ARN and gives no reason, whichever policy refused."""
    for action in ("sts:AssumeRole", "sts:SetSourceIdentity"):
        error = errors.access_denied("sts", "AssumeRole", SESSION, action, ROLE, kind, False)
        assert error.message == (
            f"User: {SESSION} is not authorized to perform: {action} on resource: {ROLE}"
        )


# -- how a service writes the action and the resource ----------------------------------------------


@pytest.mark.parametrize(
    ("service", "action", "shown"),
    [
        ("sqs", "sqs:SendMessage", "sqs:sendmessage"),
        ("sqs", "sqs:GetQueueUrl", "sqs:getqueueurl"),
        ("sns", "sns:Publish", "SNS:Publish"),
        ("sns", "sns:GetTopicAttributes", "SNS:GetTopicAttributes"),
        # Only the service's own actions are rewritten.
        ("sqs", "kms:GenerateDataKey", "kms:GenerateDataKey"),
        ("sns", "kms:Decrypt", "kms:Decrypt"),
        ("dynamodb", "dynamodb:GetItem", "dynamodb:GetItem"),
        ("s3", "s3:GetObject", "s3:GetObject"),
        ("iam", "iam:GetRole", "iam:GetRole"),
    ],
)
def test_shown_action(service, action, shown):
    assert errors.shown_action(service, action) == shown


@pytest.mark.parametrize(
    ("service", "action", "resource", "shown"),
    [
        ("iam", "iam:GetRole", ROLE, "role ecs-task-role"),
        ("iam", "iam:AttachRolePolicy", ROLE, "role ecs-task-role"),
        ("iam", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/alice", "user alice"),
        ("iam", "iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/smoketest", "policy smoketest"),
        ("iam", "iam:GetGroup", f"arn:aws:iam::{ACCOUNT}:group/admins", "group admins"),
        # iam:PassRole is reported by the service that checks it, with the full ARN (§12)...
        ("ecs", "iam:PassRole", ROLE, ROLE),
        # ... and IAM's own rendering is not applied to it either.
        ("iam", "iam:PassRole", ROLE, ROLE),
        ("iam", "iam:ListRoles", "*", "*"),
        ("dynamodb", "dynamodb:GetItem", TABLE, TABLE),
        ("sts", "sts:AssumeRole", ROLE, ROLE),
    ],
)
def test_shown_resource(service, action, resource, shown):
    assert errors.shown_resource(service, action, resource) == shown


def test_pass_role_refused_by_ecs_prints_the_full_role_arn():
    """§12: "... is not authorized to perform: iam:PassRole on resource:
    arn:aws:iam::123456789:role/ecsTaskExecutionRole because ..." (AccessDeniedException, 400)."""
    error = errors.access_denied(
        "ecs", "RegisterTaskDefinition", SESSION, "iam:PassRole", ROLE, "identity", False
    )
    assert (error.status, error.code) == (400, "AccessDeniedException")
    assert f"on resource: {ROLE} because" in error.message


# -- a service decrypting for the caller -----------------------------------------------------------

KMS_TEXT = (
    f"User: {SESSION} is not authorized to perform: kms:Decrypt on resource: {KEY} "
    "because no identity-based policy allows the kms:Decrypt action"
)


def test_secrets_manager_hides_the_kms_refusal():
    """§5: exactly "Access to KMS is not allowed" — no ARN, no period — code
    AccessDeniedException, HTTP 400."""
    error = errors.kms_denied_through("secretsmanager", KMS_TEXT, "e60ff77a-0000")
    assert (error.status, error.code, error.message) == (
        400,
        "AccessDeniedException",
        "Access to KMS is not allowed",
    )


def test_ssm_passes_the_kms_refusal_on_decorated():
    """§6: the KMS text, then the Java SDK's decoration with KMS's request id, inside SSM's
    message."""
    request_id = "e60ff77a-9a25-4de1-b5c7-745dd131923e"
    error = errors.kms_denied_through("ssm", KMS_TEXT, request_id)
    assert (error.status, error.code) == (400, "AccessDeniedException")
    assert error.message == (
        KMS_TEXT + " (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
        "Request ID: e60ff77a-9a25-4de1-b5c7-745dd131923e; Proxy: null)"
    )


# -- credentials AWS does not know -----------------------------------------------------------------

INVALID = "The security token included in the request is invalid"
UNKNOWN = [
    # §13: raw IAM and STS XML bodies have no final period; SNS and SQS do.
    ("iam", 403, "InvalidClientTokenId", INVALID),
    ("sts", 403, "InvalidClientTokenId", INVALID),
    ("sns", 403, "InvalidClientTokenId", INVALID + "."),
    ("sqs", 403, "InvalidClientTokenId", INVALID + "."),
    (
        "s3",
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
    ),
    # DynamoDB's body has no period; ECR, Logs, ECS and KMS have one.
    ("dynamodb", 400, "UnrecognizedClientException", INVALID),
    ("ecr", 400, "UnrecognizedClientException", INVALID + "."),
    ("logs", 400, "UnrecognizedClientException", INVALID + "."),
    ("ecs", 400, "UnrecognizedClientException", INVALID + "."),
    ("kms", 400, "UnrecognizedClientException", INVALID + "."),
    # SSM and Secrets Manager: not observed; assumed like the other JSON 1.1 services.
    ("ssm", 400, "UnrecognizedClientException", INVALID + "."),
    ("secretsmanager", 400, "UnrecognizedClientException", INVALID + "."),
]


@pytest.mark.parametrize(("service", "status", "code", "message"), UNKNOWN)
def test_unknown_credentials(service, status, code, message):
    error = errors.unknown_credentials(service)
    assert (error.status, error.code, error.message) == (status, code, message)


# -- the rest ------------------------------------------------------------------------------------


def test_root_cannot_assume_roles():
    """§10: "Roles may not be assumed by root accounts." (AccessDenied, 403)."""
    error = errors.root_cannot_assume_roles()
    assert (error.status, error.code, error.message) == (
        403,
        "AccessDenied",
        "Roles may not be assumed by root accounts.",
    )
    assert error.parsed("r")["Error"]["Type"] == "Sender"


def test_not_modelled_lists_what_is_modelled():
    error = errors.not_modelled("s3", "GetBucketAcl", ["PutObject", "GetObject"])
    assert (error.status, error.code) == (501, "OperationNotModelled")
    assert "s3:GetBucketAcl" in error.message
    assert error.message.endswith("Modelled s3 operations: GetObject, PutObject.")
    assert errors.not_modelled("ec2", "DescribeInstances", []).message.endswith(
        "Modelled ec2 operations: none."
    )


def test_parsed_is_what_botocore_would_have_parsed():
    error = ServiceError(400, "AccessDeniedException", "no")
    assert error.parsed("req-7") == {
        "Error": {"Code": "AccessDeniedException", "Message": "no"},
        "ResponseMetadata": {
            "RequestId": "req-7",
            "HTTPStatusCode": 400,
            "HTTPHeaders": {"x-amzn-requestid": "req-7"},
            "RetryAttempts": 0,
        },
    }
    full = ServiceError(403, "AccessDenied", "no", "Sender", "AccessDeniedException")
    assert full.parsed("r")["Error"] == {
        "Code": "AccessDenied",
        "Message": "no",
        "Type": "Sender",
        "QueryErrorCode": "AccessDeniedException",
    }
