"""The course's account: an "orders" service's resources and its two ECS roles.

Everything is created through the gate by the account root, in phase ``setup``, with the names a
learner recognises from the article (``ecs-execution-role``, ``ecs-task-role``) and from a small
orders service: an ECS cluster, an ECR repository holding the app's image, a CloudWatch Logs
group, a database password in Secrets Manager and a feature-flags SecureString in SSM (both
encrypted with a customer-managed KMS key), an S3 bucket with the app's config, a DynamoDB
table, an SQS queue and an SNS topic. The roles' policies make the course's task healthy: the
execution role has AmazonECSTaskExecutionRolePolicy plus what injecting the two secrets needs; the
task role has exactly what the app does at run time.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, fields
from html import escape

from ecslab.cloud.world import World
from ecslab.i18n import N_, _

CLUSTER = "orders-cluster"
REPOSITORY = "orders-app"
IMAGE_TAG = "1.4.2"
LOG_GROUP = "/ecs/orders"
DB_SECRET = "orders/db-password"
API_KEY_SECRET = "orders/payments-api-key"
PARAMETER = "/orders/feature-flags"
KEY_ALIAS = "alias/orders-config"
TABLE = "orders"
QUEUE = "orders-events"
TOPIC = "orders-notifications"
CONFIG_KEY = "config/app.json"
EXECUTION_ROLE = "ecs-execution-role"
TASK_ROLE = "ecs-task-role"
ECS_TRUST = {
    # The article's trust policy, as its Terraform writes it.
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
TASK_EXECUTION_POLICY = "AmazonECSTaskExecutionRolePolicy"
FAMILY = "orders"
CONTAINER = "orders"
SUBNETS = ("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788")
SECURITY_GROUP = "sg-0123456789abcdef0"


@dataclass(frozen=True)
class CourseResources:
    """Names and ARNs of what the course's account holds."""

    account_id: str
    region: str
    cluster: str
    cluster_arn: str
    repository: str
    repository_uri: str
    image: str
    log_group: str
    db_secret: str
    db_secret_arn: str
    api_key_secret: str
    api_key_secret_arn: str
    parameter: str
    parameter_arn: str
    key_alias: str
    key_arn: str
    bucket: str
    config_key: str
    table: str
    table_arn: str
    queue_url: str
    queue_arn: str
    topic_arn: str
    execution_role_arn: str
    task_role_arn: str
    image_digest: str
    subnets: tuple[str, ...] = SUBNETS
    security_group: str = SECURITY_GROUP
    family: str = FAMILY

    def rows(self) -> list[tuple[str, str, str]]:
        """(what it is, the attribute that holds it, its name or ARN), in the course's order."""
        rows = []
        for field in fields(self):
            value = getattr(self, field.name)
            shown = ", ".join(value) if isinstance(value, tuple) else str(value)
            what = _WHAT.get(field.name)
            rows.append((_(what) if what else field.name, field.name, shown))
        return rows

    def __repr__(self) -> str:
        entries = [(f"{what} ({name})", value) for what, name, value in self.rows()]
        width = max(_width(what) for what, _value in entries)
        lines = [f"  {what}{' ' * (width - _width(what))}  {value}" for what, value in entries]
        heading = _("CourseResources: what the course's account holds ({where})").format(
            where=_where()
        )
        return heading + "\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th scope='row' style='text-align:left'>{escape(what)} "
            f"<code>.{escape(name)}</code></th><td><code>{escape(value)}</code></td></tr>"
            for what, name, value in self.rows()
        )
        caption = escape(_("What the course's account holds ({where})"), quote=False).format(
            where=f"<code>{escape(_where())}</code>"
        )
        # TRANSLATORS: the header of a column naming what each resource is (an ECS cluster...)
        what = escape(_("What"))
        name = escape(_("Name or ARN"))
        return (
            f"<table><caption style='text-align:left'>{caption}</caption><thead><tr>"
            f"<th scope='col' style='text-align:left'>{what}</th>"
            f"<th scope='col' style='text-align:left'>{name}</th></tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


def _where() -> str:
    """``lab.resources.<attribute>``, the placeholder in the learner's language."""
    # TRANSLATORS: stands for an attribute's name, as in lab.resources.<attribute>
    return "lab.resources." + _("<attribute>")


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_WHAT = {
    "account_id": N_("Account ID"),
    "region": N_("Region"),
    "cluster": N_("ECS cluster"),
    "cluster_arn": N_("ECS cluster ARN"),
    "repository": N_("ECR repository"),
    "repository_uri": N_("ECR repository URI"),
    "image": N_("Image"),
    "log_group": N_("Log group"),
    "db_secret": N_("Injected secret, the database password"),
    "db_secret_arn": N_("Injected secret ARN"),
    "api_key_secret": N_("Runtime secret, the payments API key"),
    "api_key_secret_arn": N_("Runtime secret ARN"),
    "parameter": N_("Injected parameter, a SecureString"),
    "parameter_arn": N_("Injected parameter ARN"),
    "key_alias": N_("KMS key alias"),
    "key_arn": N_("KMS key ARN"),
    "bucket": N_("S3 bucket"),
    "config_key": N_("Config object key"),
    "table": N_("DynamoDB table"),
    "table_arn": N_("DynamoDB table ARN"),
    "queue_url": N_("SQS queue URL"),
    "queue_arn": N_("SQS queue ARN"),
    "topic_arn": N_("SNS topic ARN"),
    "execution_role_arn": N_("Task execution role ARN"),
    "task_role_arn": N_("Task role ARN"),
    "image_digest": N_("Image digest"),
    "subnets": N_("Subnets"),
    "security_group": N_("Security group"),
    "family": N_("Task definition family"),
}


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def image_manifest() -> dict:
    """A Docker image manifest (schema 2) with three layers, the same bytes every time."""
    layers = [
        ("python:3.12-slim base", 29_150_002),
        ("pip install orders requirements", 14_876_412),
        ("COPY app/", 48_211),
    ]
    return {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7_023,
            "digest": _digest("orders-app config 1.4.2"),
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": size,
                "digest": _digest(what),
            }
            for what, size in layers
        ],
    }


def execution_role_inline(resources_arns: dict[str, str]) -> dict:
    """What injecting the task's secrets needs, beyond AmazonECSTaskExecutionRolePolicy."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InjectDatabasePassword",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": resources_arns["db_secret"],
            },
            {
                "Sid": "InjectFeatureFlags",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": resources_arns["parameter"],
            },
            {
                "Sid": "DecryptInjectedValues",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": resources_arns["key"],
            },
        ],
    }


def task_role_inline(resources_arns: dict[str, str]) -> dict:
    """What the orders app does at run time, and nothing more."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadConfig",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{resources_arns['bucket']}/config/*",
            },
            {
                "Sid": "Orders",
                "Effect": "Allow",
                "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                "Resource": resources_arns["table"],
            },
            {
                "Sid": "OrderEvents",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": resources_arns["queue"],
            },
            {
                "Sid": "Notifications",
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": resources_arns["topic"],
            },
            {
                "Sid": "PaymentsApiKey",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": resources_arns["api_key_secret"],
            },
        ],
    }


def course_roles(r: CourseResources) -> dict[str, tuple[tuple[str, ...], dict[str, dict]]]:
    """The two roles as the course starts them: managed policy names and inline documents."""
    arns = {
        "db_secret": r.db_secret_arn,
        "api_key_secret": r.api_key_secret_arn,
        "parameter": r.parameter_arn,
        "key": r.key_arn,
        "bucket": r.bucket,
        "table": r.table_arn,
        "queue": r.queue_arn,
        "topic": r.topic_arn,
    }
    return {
        EXECUTION_ROLE: (
            (TASK_EXECUTION_POLICY,),
            {"orders-launch-secrets": execution_role_inline(arns)},
        ),
        TASK_ROLE: ((), {"orders-app": task_role_inline(arns)}),
    }


def image_manifest_json() -> str:
    return json.dumps(image_manifest())


def default_task_definition(r: CourseResources) -> dict:
    """The course's task definition: the orders app on Fargate, with both roles, two injected
    secrets (one a JSON key of a Secrets Manager secret, one a SecureString parameter) and the
    awslogs driver."""
    return {
        "family": FAMILY,
        "executionRoleArn": r.execution_role_arn,
        "taskRoleArn": r.task_role_arn,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": CONTAINER,
                "image": r.image,
                "essential": True,
                "environment": [
                    {"name": "CONFIG_BUCKET", "value": r.bucket},
                    {"name": "CONFIG_KEY", "value": r.config_key},
                    {"name": "PAYMENTS_API_KEY_SECRET", "value": r.api_key_secret},
                ],
                "secrets": [
                    {"name": "DB_PASSWORD", "valueFrom": f"{r.db_secret_arn}:password::"},
                    {"name": "FEATURE_FLAGS", "valueFrom": r.parameter},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": r.log_group,
                        "awslogs-region": r.region,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            }
        ],
    }


def build(world: World) -> CourseResources:
    """Create the course's account in ``world`` (which must be open)."""
    account, region = world.account.account_id, world.account.region
    bucket = f"orders-config-{account}"
    with world.setup() as root:
        ecs = root.client("ecs")
        cluster_arn = ecs.create_cluster(
            clusterName=CLUSTER,
            capacityProviders=["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        )["cluster"]["clusterArn"]

        ecr = root.client("ecr")
        repository = ecr.create_repository(repositoryName=REPOSITORY)["repository"]
        image_digest = ecr.put_image(
            repositoryName=REPOSITORY,
            imageManifest=json.dumps(image_manifest()),
            imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json",
            imageTag=IMAGE_TAG,
        )["image"]["imageId"]["imageDigest"]

        root.client("logs").create_log_group(logGroupName=LOG_GROUP)

        kms = root.client("kms")
        key = kms.create_key(Description="Encrypts the orders service's configuration secrets")
        key_arn = key["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key["KeyMetadata"]["KeyId"])

        secrets = root.client("secretsmanager")
        db_secret_arn = secrets.create_secret(
            Name=DB_SECRET,
            KmsKeyId=KEY_ALIAS,
            SecretString=json.dumps({"username": "orders_app", "password": "not-a-real-password"}),
        )["ARN"]
        api_key_arn = secrets.create_secret(
            Name=API_KEY_SECRET, SecretString="sk_test_simulated_payments_key"
        )["ARN"]

        ssm = root.client("ssm")
        ssm.put_parameter(
            Name=PARAMETER,
            Type="SecureString",
            KeyId=KEY_ALIAS,
            Value=json.dumps({"new_checkout": True, "max_items": 20}),
        )
        parameter_arn = world.account.parameter_arn(PARAMETER)

        s3 = root.client("s3")
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})

        table_arn = root.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]["TableArn"]

        sqs = root.client("sqs")
        queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

        topic_arn = root.client("sns").create_topic(Name=TOPIC)["TopicArn"]

        s3.put_object(
            Bucket=bucket,
            Key=CONFIG_KEY,
            Body=json.dumps(
                {"table": TABLE, "queue_url": queue_url, "topic_arn": topic_arn, "currency": "JPY"},
                indent=2,
            ).encode(),
            ContentType="application/json",
        )

        arns = {
            "db_secret": db_secret_arn,
            "api_key_secret": api_key_arn,
            "parameter": parameter_arn,
            "key": key_arn,
            "bucket": bucket,
            "table": table_arn,
            "queue": queue_arn,
            "topic": topic_arn,
        }
        iam = root.client("iam")
        role_arns = {}
        for name, inline_name, inline in (
            (EXECUTION_ROLE, "orders-launch-secrets", execution_role_inline(arns)),
            (TASK_ROLE, "orders-app", task_role_inline(arns)),
        ):
            role_arns[name] = iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=json.dumps(ECS_TRUST)
            )["Role"]["Arn"]
            iam.put_role_policy(
                RoleName=name, PolicyName=inline_name, PolicyDocument=json.dumps(inline)
            )
        world.attach_managed_policy_support(TASK_EXECUTION_POLICY)
        iam.attach_role_policy(
            RoleName=EXECUTION_ROLE,
            PolicyArn=f"arn:aws:iam::aws:policy/service-role/{TASK_EXECUTION_POLICY}",
        )

    return CourseResources(
        account_id=account,
        region=region,
        cluster=CLUSTER,
        cluster_arn=cluster_arn,
        repository=REPOSITORY,
        repository_uri=repository["repositoryUri"],
        image=f"{repository['repositoryUri']}:{IMAGE_TAG}",
        log_group=LOG_GROUP,
        db_secret=DB_SECRET,
        db_secret_arn=db_secret_arn,
        api_key_secret=API_KEY_SECRET,
        api_key_secret_arn=api_key_arn,
        parameter=PARAMETER,
        parameter_arn=parameter_arn,
        key_alias=KEY_ALIAS,
        key_arn=key_arn,
        bucket=bucket,
        config_key=CONFIG_KEY,
        table=TABLE,
        table_arn=table_arn,
        queue_url=queue_url,
        queue_arn=queue_arn,
        topic_arn=topic_arn,
        execution_role_arn=role_arns[EXECUTION_ROLE],
        task_role_arn=role_arns[TASK_ROLE],
        image_digest=image_digest,
    )
