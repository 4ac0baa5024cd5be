"""The course's application: a small "orders" service that runs once per task.

It is ordinary boto3 code, as in any container: it never asks for credentials, so the SDK finds
the task role's through the container credentials endpoint. Each step logs one line; when AWS
refuses a call it logs the SDK's error text and exits 1, as most apps would.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.cloud.account import Account

ORDER_ID = "order-1001"


def orders_app() -> None:
    """Read config from S3, write and read an order in DynamoDB, send an SQS event, publish to SNS
    and read the payments API key from Secrets Manager at run time."""
    password = os.environ.get("DB_PASSWORD", "")
    flags = json.loads(os.environ.get("FEATURE_FLAGS", "{}") or "{}")
    print(
        f"orders app starting: database password injected ({len(password)} characters), "
        f"feature flags {sorted(flags)}"
    )
    bucket, key = os.environ["CONFIG_BUCKET"], os.environ["CONFIG_KEY"]
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        config = json.loads(body)
        print(f"loaded config from s3://{bucket}/{key}")

        dynamodb = boto3.client("dynamodb")
        dynamodb.put_item(
            TableName=config["table"],
            Item={
                "order_id": {"S": ORDER_ID},
                "status": {"S": "CONFIRMED"},
                "total": {"N": "4200"},
                "currency": {"S": config["currency"]},
            },
        )
        print(f"saved {ORDER_ID} to DynamoDB table {config['table']}")
        item = dynamodb.get_item(TableName=config["table"], Key={"order_id": {"S": ORDER_ID}})[
            "Item"
        ]
        print(f"read {ORDER_ID} back: status {item['status']['S']}")

        boto3.client("sqs").send_message(
            QueueUrl=config["queue_url"],
            MessageBody=json.dumps({"event": "order-created", "order_id": ORDER_ID}),
        )
        print(f"sent order-created event to SQS queue {config['queue_url'].rsplit('/', 1)[-1]}")

        boto3.client("sns").publish(
            TopicArn=config["topic_arn"], Message=f"Order {ORDER_ID} confirmed"
        )
        print(f"published a notification to SNS topic {config['topic_arn'].rsplit(':', 1)[-1]}")

        api_key = boto3.client("secretsmanager").get_secret_value(
            SecretId=os.environ["PAYMENTS_API_KEY_SECRET"]
        )["SecretString"]
        print(
            f"read the payments API key from Secrets Manager at run time "
            f"({len(api_key)} characters)"
        )
    except (ClientError, NoCredentialsError) as error:
        print(f"ERROR {error}")
        sys.exit(1)
    print(f"{ORDER_ID} processed")


def orders_app_calls(
    environment: Mapping[str, str], account: Account
) -> list[tuple[str, str, dict[str, Any], str]]:
    """What :func:`orders_app` will call, in order, read from the same environment and config
    object the app reads (for the plan of a task, before it runs)."""
    bucket, key = environment.get("CONFIG_BUCKET", ""), environment.get("CONFIG_KEY", "")
    calls: list[tuple[str, str, dict[str, Any], str]] = [
        ("s3", "GetObject", {"Bucket": bucket, "Key": key}, _("read its configuration"))
    ]
    try:
        config = json.loads(account.object_body(bucket, key) or b"")
    except ValueError:
        return calls  # without its configuration the app stops here
    table, queue, topic = config.get("table"), config.get("queue_url"), config.get("topic_arn")
    calls += [
        ("dynamodb", "PutItem", {"TableName": table}, _("save {order}").format(order=ORDER_ID)),
        (
            "dynamodb",
            "GetItem",
            {"TableName": table},
            _("read {order} back").format(order=ORDER_ID),
        ),
        ("sqs", "SendMessage", {"QueueUrl": queue}, _("send the order-created event")),
        ("sns", "Publish", {"TopicArn": topic}, _("publish a notification")),
        (
            "secretsmanager",
            "GetSecretValue",
            {"SecretId": environment.get("PAYMENTS_API_KEY_SECRET", "")},
            _("read the payments API key at run time"),
        ),
    ]
    return calls


orders_app.ecslab_calls = orders_app_calls  # type: ignore[attr-defined]
