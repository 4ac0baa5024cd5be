"""The gate for Amazon SQS (Simple Queue Service), operation by operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cloud.operations.gate import (
    Case,
    Cases,
    Env,
    arn,
    course_queue_arn,
    events_queue,
    nothing_params,
    one,
    run_gate,
    star,
)

CASES = Cases("sqs")
case = CASES.add


def own_queue(env: Env, name: str) -> str:
    return env.once(
        f"queue {name}", lambda: env.admin("sqs").create_queue(QueueName=name)["QueueUrl"]
    )


def queued(env: Env, name: str) -> str:
    """A queue of its own holding one message."""

    def make() -> str:
        url = own_queue(env, name)
        env.admin("sqs").send_message(QueueUrl=url, MessageBody="order 1")
        return url

    return env.once(f"message in {name}", make)


def receipt(env: Env, name: str) -> str:
    def make() -> str:
        answer = env.admin("sqs").receive_message(QueueUrl=queued(env, name))
        return answer["Messages"][0]["ReceiptHandle"]

    return env.once(f"receipt {name}", make)


def queue_view(env: Env, name: str) -> dict:
    sqs = env.admin("sqs")
    url = own_queue(env, name)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    keep = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "VisibilityTimeout",
    )
    view = {k: attributes.get(k) for k in keep}
    view["tags"] = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    return view


def queue_urls(env: Env) -> list:
    return sorted(env.admin("sqs").list_queues().get("QueueUrls", []))


# SQS (service_errors.md §3): the queue's ARN, the action lower-cased in the message.


def course_queue_view(env: Env) -> dict:
    attributes = env.admin("sqs").get_queue_attributes(
        QueueUrl=env.r.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return attributes["Attributes"]


case("sqs", "ReceiveMessage", events_queue(), one("sqs:ReceiveMessage", course_queue_arn))
case(
    "sqs",
    "GetQueueUrl",
    lambda env: {"QueueName": env.r.queue_url.rsplit("/", 1)[-1]},
    one("sqs:GetQueueUrl", course_queue_arn),
)
case(
    "sqs",
    "GetQueueAttributes",
    events_queue(AttributeNames=["All"]),
    one("sqs:GetQueueAttributes", course_queue_arn),
)
case("sqs", "ListQueueTags", events_queue(), one("sqs:ListQueueTags", course_queue_arn))
case("sqs", "ListQueues", nothing_params, star("sqs:ListQueues"))


def queue_write(
    operation: str,
    action: str,
    name: str,
    extra: Callable[[Env], dict],
    state: Callable[[Env], Any] | None = None,
) -> None:
    case(
        "sqs",
        operation,
        lambda env: {"QueueUrl": own_queue(env, name), **extra(env)},
        lambda env: own_queue(env, name) and [(f"sqs:{action}", arn("sqs", name))],
        state=state or (lambda env: queue_view(env, name)),
    )


queue_write("SendMessage", "SendMessage", "gate-send", lambda env: {"MessageBody": "order 1"})
queue_write(
    "SendMessageBatch",
    "SendMessage",
    "gate-send-batch",
    lambda env: {"Entries": [{"Id": "1", "MessageBody": "order 1"}]},
)
queue_write(
    "DeleteMessage",
    "DeleteMessage",
    "gate-delete-message",
    lambda env: {"ReceiptHandle": receipt(env, "gate-delete-message")},
)
queue_write(
    "DeleteMessageBatch",
    "DeleteMessage",
    "gate-delete-batch",
    lambda env: {"Entries": [{"Id": "1", "ReceiptHandle": receipt(env, "gate-delete-batch")}]},
)
queue_write(
    "ChangeMessageVisibility",
    "ChangeMessageVisibility",
    "gate-visibility",
    lambda env: {"ReceiptHandle": receipt(env, "gate-visibility"), "VisibilityTimeout": 0},
)
queue_write(
    "SetQueueAttributes",
    "SetQueueAttributes",
    "gate-attributes",
    lambda env: {"Attributes": {"VisibilityTimeout": "45"}},
)
queue_write(
    "PurgeQueue",
    "PurgeQueue",
    "gate-purge",
    lambda env: queued(env, "gate-purge") and {},
)
queue_write("TagQueue", "TagQueue", "gate-tag", lambda env: {"Tags": {"team": "orders"}})
queue_write("DeleteQueue", "DeleteQueue", "gate-deleted", lambda env: {}, state=queue_urls)
case(
    "sqs",
    "SendMessage",
    events_queue(MessageBody="order 1 placed"),
    one("sqs:SendMessage", course_queue_arn),
    state=course_queue_view,
    variant="the course's queue",
)
case(
    "sqs",
    "CreateQueue",
    lambda env: {"QueueName": "gate-created"},
    one("sqs:CreateQueue", lambda env: arn("sqs", "gate-created")),
    state=queue_urls,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
