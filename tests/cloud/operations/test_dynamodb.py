"""The gate for Amazon DynamoDB, operation by operation."""

from __future__ import annotations

import pytest

from tests.cloud.operations.gate import (
    Case,
    Cases,
    Env,
    course_table_arn,
    key_of,
    nothing_params,
    one,
    orders,
    run_gate,
    star,
    table_arn,
)

CASES = Cases("dynamodb")
case = CASES.add


def own_table(env: Env, name: str) -> str:
    def make() -> str:
        env.admin("dynamodb").create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return name

    return env.once(f"table {name}", make)


def own_item(env: Env, order_id: str) -> dict:
    def make() -> dict:
        item_value = {**key_of(order_id), "total": {"N": "3"}}
        env.admin("dynamodb").put_item(TableName=env.r.table, Item=item_value)
        return key_of(order_id)

    return env.once(f"item {order_id}", make)


def item_view(env: Env, order_id: str) -> dict | None:
    answer = env.admin("dynamodb").get_item(TableName=env.r.table, Key=key_of(order_id))
    return answer.get("Item")


def table_names(env: Env) -> list:
    return sorted(env.admin("dynamodb").list_tables()["TableNames"])


def table_view(env: Env, name: str) -> dict:
    ddb = env.admin("dynamodb")
    described = ddb.describe_table(TableName=name)["Table"]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {"throughput": described.get("ProvisionedThroughput"), "ttl": ttl}


# DynamoDB (service_errors.md §2): the table's ARN.


for _operation, _params in (
    ("GetItem", orders(Key=key_of("o-1"))),
    (
        "Query",
        orders(
            KeyConditionExpression="order_id = :id",
            ExpressionAttributeValues={":id": {"S": "o-1"}},
        ),
    ),
    ("Scan", orders()),
    ("DescribeTable", orders()),
    ("DescribeTimeToLive", orders()),
    ("DescribeContinuousBackups", orders()),
):
    case("dynamodb", _operation, _params, one(f"dynamodb:{_operation}", course_table_arn))
case(
    "dynamodb",
    "BatchGetItem",
    lambda env: {"RequestItems": {env.r.table: {"Keys": [key_of("o-1")]}}},
    one("dynamodb:BatchGetItem", course_table_arn),
)
case("dynamodb", "ListTables", nothing_params, star("dynamodb:ListTables"))
case(
    "dynamodb",
    "PutItem",
    orders(Item={**key_of("gate-put"), "total": {"N": "3"}}),
    one("dynamodb:PutItem", course_table_arn),
    state=lambda env: item_view(env, "gate-put"),
)
case(
    "dynamodb",
    "UpdateItem",
    lambda env: orders(
        Key=own_item(env, "gate-update"),
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "4"}},
    )(env),
    one("dynamodb:UpdateItem", course_table_arn),
    state=lambda env: item_view(env, "gate-update"),
)
case(
    "dynamodb",
    "DeleteItem",
    lambda env: orders(Key=own_item(env, "gate-delete"))(env),
    one("dynamodb:DeleteItem", course_table_arn),
    state=lambda env: item_view(env, "gate-delete"),
)
case(
    "dynamodb",
    "BatchWriteItem",
    lambda env: {
        "RequestItems": {
            env.r.table: [{"PutRequest": {"Item": {**key_of("gate-batch"), "total": {"N": "5"}}}}]
        }
    },
    one("dynamodb:BatchWriteItem", course_table_arn),
    state=lambda env: item_view(env, "gate-batch"),
)
case(
    "dynamodb",
    "CreateTable",
    lambda env: {
        "TableName": "gate-created",
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    one("dynamodb:CreateTable", lambda env: table_arn("gate-created")),
    state=table_names,
)
case(
    "dynamodb",
    "DeleteTable",
    lambda env: {"TableName": own_table(env, "gate-deleted")},
    lambda env: [("dynamodb:DeleteTable", table_arn(own_table(env, "gate-deleted")))],
    state=table_names,
)
case(
    "dynamodb",
    "UpdateTable",
    lambda env: {
        "TableName": own_table(env, "gate-updated"),
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    },
    lambda env: [("dynamodb:UpdateTable", table_arn(own_table(env, "gate-updated")))],
    state=lambda env: table_view(env, "gate-updated"),
)
case(
    "dynamodb",
    "UpdateTimeToLive",
    lambda env: {
        "TableName": own_table(env, "gate-ttl"),
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"},
    },
    lambda env: [("dynamodb:UpdateTimeToLive", table_arn(own_table(env, "gate-ttl")))],
    state=lambda env: table_view(env, "gate-ttl"),
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
