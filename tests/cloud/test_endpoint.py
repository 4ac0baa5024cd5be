"""Credentials reach code in a container the way they do on ECS: through the container
credentials endpoint, resolved by botocore itself."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError


@pytest.fixture
def task_session(lab):
    world = lab.world
    service = world.service_keys(
        "ecs-tasks.amazonaws.com",
        "Amazon ECS",
        {"aws:SourceAccount": lab.account_id},
        phase="run",
        task="t1",
    )
    return world.assume_role(service, "ecs-task-role", "t1", "orders app", "run", "t1")


def test_plain_boto3_inside_the_container_is_the_task_role(lab, task_session):
    world = lab.world
    with world.container_environment(
        task_session, lab.resources.task_role_arn, {"ORDERS_TABLE": "orders"}
    ):
        assert os.environ["ORDERS_TABLE"] == "orders"
        assert "AWS_ACCESS_KEY_ID" not in os.environ
        assert os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
        identity = boto3.client("sts").get_caller_identity()
        assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/ecs-task-role/t1"
        boto3.client("dynamodb").put_item(TableName="orders", Item={"order_id": {"S": "1"}})
        with pytest.raises(ClientError) as refused:
            boto3.client("ecr").get_authorization_token()
        assert "assumed-role/ecs-task-role/t1" in str(refused.value)
    assert world.endpoint.requests_served >= 1
    # back outside: the administrator again, and no container variables left behind
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in os.environ
    assert "ORDERS_TABLE" not in os.environ
    assert boto3.client("sts").get_caller_identity()["Arn"].endswith(":user/learner")
    event = lab.trace.filter(service="dynamodb")[-1]
    assert (event.principal, event.role, event.phase, event.task) == (
        "orders app",
        "ecs-task-role",
        "run",
        "t1",
    )


def test_a_task_without_a_task_role_has_no_credentials(lab):
    with lab.world.container_environment(None, None), pytest.raises(NoCredentialsError):
        boto3.client("s3").list_buckets()


def fetch(uri: str, token: str | None = None) -> dict:
    headers = {"Authorization": token} if token is not None else {}
    request = urllib.request.Request(uri, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def refusal(uri: str, token: str | None = None) -> int:
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(uri, token)
    return refused.value.code


def test_the_endpoint_needs_its_token(lab, task_session):
    with lab.world.container_environment(task_session, lab.resources.task_role_arn):
        uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        assert refusal(uri) == 403
        assert refusal(uri, "wrong") == 403
        body = fetch(uri, token)
        assert refusal(uri.rsplit("/", 1)[0] + "/nope") == 404
    assert set(body) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "RoleArn"}
    assert body["RoleArn"] == lab.resources.task_role_arn


def test_a_containers_credentials_end_with_its_run(lab, task_session):
    with lab.world.container_environment(task_session, lab.resources.task_role_arn):
        uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        assert fetch(uri, token)["RoleArn"] == lab.resources.task_role_arn
    assert refusal(uri, token) == 404


def test_the_endpoint_stops_serving_a_closed_lab(lab, task_session):
    variables = lab.world.endpoint.issue(*task_session, lab.resources.task_role_arn)
    uri, token = (
        variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"],
    )
    assert fetch(uri, token)["RoleArn"] == lab.resources.task_role_arn
    lab.close()
    assert refusal(uri, token) == 404
