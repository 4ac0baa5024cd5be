"""The gate for Amazon SNS (Simple Notification Service), operation by operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from moto.backends import get_backend

from tests.cloud.operations.gate import (
    ACCOUNT,
    REGION,
    Case,
    Cases,
    Env,
    arn,
    course_topic_arn,
    nothing_params,
    one,
    run_gate,
    star,
)

CASES = Cases("sns")
case = CASES.add


def own_topic(env: Env, name: str) -> str:
    return env.once(f"topic {name}", lambda: env.admin("sns").create_topic(Name=name)["TopicArn"])


def topic_view(env: Env, name: str) -> dict:
    sns = env.admin("sns")
    topic = own_topic(env, name)
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    # sns:ListTagsForResource is not modelled by the gate: tags are read from moto's store.
    tags = get_backend("sns")[ACCOUNT][REGION].topics[topic]._tags
    return {
        "attributes": sns.get_topic_attributes(TopicArn=topic)["Attributes"].get("DisplayName"),
        "subscriptions": sorted(s["Endpoint"] for s in subscriptions),
        "tags": dict(tags),
    }


def topic_arns(env: Env) -> list:
    return sorted(t["TopicArn"] for t in env.admin("sns").list_topics()["Topics"])


# SNS (service_errors.md §4): "SNS:Publish", AuthorizationError 403.


def topic_write(
    operation: str,
    name: str,
    extra: Callable[[Env], dict],
    state: Callable[[Env], Any] | None = None,
) -> None:
    case(
        "sns",
        operation,
        lambda env: {"TopicArn": own_topic(env, name), **extra(env)},
        lambda env: [(f"sns:{operation}", own_topic(env, name))],
        state=state or (lambda env: topic_view(env, name)),
    )


case(
    "sns",
    "Publish",
    lambda env: {"TopicArn": env.r.topic_arn, "Message": "order 1 placed"},
    one("sns:Publish", course_topic_arn),
)
case(
    "sns",
    "GetTopicAttributes",
    lambda env: {"TopicArn": env.r.topic_arn},
    one("sns:GetTopicAttributes", course_topic_arn),
)
case(
    "sns",
    "ListSubscriptionsByTopic",
    lambda env: {"TopicArn": env.r.topic_arn},
    one("sns:ListSubscriptionsByTopic", course_topic_arn),
)
case("sns", "ListTopics", nothing_params, star("sns:ListTopics"))
topic_write(
    "Subscribe", "gate-subscribe", lambda env: {"Protocol": "sqs", "Endpoint": env.r.queue_arn}
)
topic_write(
    "SetTopicAttributes",
    "gate-attributes",
    lambda env: {"AttributeName": "DisplayName", "AttributeValue": "Orders"},
)
topic_write("DeleteTopic", "gate-deleted", lambda env: {}, state=topic_arns)
case(
    "sns",
    "TagResource",
    lambda env: {
        "ResourceArn": own_topic(env, "gate-tagged"),
        "Tags": [{"Key": "team", "Value": "orders"}],
    },
    lambda env: [("sns:TagResource", own_topic(env, "gate-tagged"))],
    state=lambda env: topic_view(env, "gate-tagged"),
)
case(
    "sns",
    "CreateTopic",
    lambda env: {"Name": "gate-created"},
    one("sns:CreateTopic", lambda env: arn("sns", "gate-created")),
    state=topic_arns,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
