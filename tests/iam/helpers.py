"""Small builders shared by the judge's tests."""

from __future__ import annotations

from typing import Any

ACCOUNT = "123456789012"
OTHER = "444455556666"
REGION = "ap-northeast-1"
TASK_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/5f1c2d3e"
EXEC_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-execution-role/5f1c2d3e"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci"

BUCKET = "arn:aws:s3:::orders-config"
OBJECT = "arn:aws:s3:::orders-config/app.json"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders"
LOG_STREAM = f"{LOG_GROUP}:log-stream:ecs/orders/5f1c2d3e"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-AbCdEf"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REPOSITORY = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"


def statement(effect: str = "Allow", action: Any = "*", resource: Any = "*", **extra: Any) -> dict:
    out: dict[str, Any] = {"Effect": effect}
    if "not_action" in extra:
        out["NotAction"] = extra.pop("not_action")
    else:
        out["Action"] = action
    if "not_resource" in extra:
        out["NotResource"] = extra.pop("not_resource")
    elif resource is not None:
        out["Resource"] = resource
    for key, value in extra.items():
        out[
            {
                "principal": "Principal",
                "not_principal": "NotPrincipal",
                "condition": "Condition",
                "sid": "Sid",
            }[key]
        ] = value
    return out


def policy(*statements: dict, version: str | None = "2012-10-17") -> dict:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version:
        doc["Version"] = version
    return doc


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return policy(statement("Allow", action, resource, **extra))


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict:
    return policy(statement("Deny", action, resource, **extra))


def trust(service: str = "ecs-tasks.amazonaws.com", **extra: Any) -> dict:
    return policy(
        statement("Allow", "sts:AssumeRole", None, principal={"Service": service}, **extra)
    )
