"""The gate for Amazon CloudWatch Logs, operation by operation."""

from __future__ import annotations

import pytest

from tests.cloud.operations.gate import Case, Cases, Env, arn, nothing_params, one, run_gate

CASES = Cases("logs")
case = CASES.add


def own_group(env: Env, name: str, retention: bool = False) -> str:
    def make() -> str:
        logs = env.admin("logs")
        logs.create_log_group(logGroupName=name)
        if retention:
            logs.put_retention_policy(logGroupName=name, retentionInDays=7)
        return name

    return env.once(f"group {name} {retention}", make)


def own_stream(env: Env, name: str) -> str:
    def make() -> str:
        env.admin("logs").create_log_stream(logGroupName=env.r.log_group, logStreamName=name)
        return name

    return env.once(f"stream {name}", make)


# CloudWatch Logs (service_errors.md §9, §14): group-level actions on "log-group:G:log-stream:",
# stream-level ones on the stream's ARN, the tagging ones on the bare group ARN.


def group_arn(name: str) -> str:
    return arn("logs", f"log-group:{name}:log-stream:")


def stream_arn(env: Env, stream: str) -> str:
    return arn("logs", f"log-group:{env.r.log_group}:log-stream:{stream}")


def groups(env: Env) -> list:
    answer = env.admin("logs").describe_log_groups()["logGroups"]
    return sorted((g["logGroupName"], g.get("retentionInDays")) for g in answer)


def streams(env: Env) -> list:
    answer = env.admin("logs").describe_log_streams(logGroupName=env.r.log_group)["logStreams"]
    return sorted(s["logStreamName"] for s in answer)


def stream_events(env: Env, stream: str) -> list:
    answer = env.admin("logs").get_log_events(logGroupName=env.r.log_group, logStreamName=stream)
    return [e["message"] for e in answer["events"]]


def group_tags(env: Env, name: str) -> dict:
    return env.admin("logs").list_tags_log_group(logGroupName=name)["tags"]


def course_group(env: Env) -> dict:
    return {"logGroupName": env.r.log_group}


def course_group_arn(env: Env) -> str:
    return group_arn(env.r.log_group)


case(
    "logs",
    "CreateLogGroup",
    lambda env: {"logGroupName": "/gate/created"},
    one("logs:CreateLogGroup", lambda env: group_arn("/gate/created")),
    state=groups,
)
case(
    "logs",
    "DeleteLogGroup",
    lambda env: {"logGroupName": own_group(env, "/gate/deleted")},
    lambda env: [("logs:DeleteLogGroup", group_arn(own_group(env, "/gate/deleted")))],
    state=groups,
)
case(
    "logs",
    "PutRetentionPolicy",
    lambda env: {"logGroupName": own_group(env, "/gate/retention-put"), "retentionInDays": 7},
    lambda env: [("logs:PutRetentionPolicy", group_arn(own_group(env, "/gate/retention-put")))],
    state=groups,
)
case(
    "logs",
    "DeleteRetentionPolicy",
    lambda env: {"logGroupName": own_group(env, "/gate/retention-deleted", retention=True)},
    lambda env: [
        (
            "logs:DeleteRetentionPolicy",
            group_arn(own_group(env, "/gate/retention-deleted", retention=True)),
        )
    ],
    state=groups,
)
case("logs", "DescribeLogStreams", course_group, one("logs:DescribeLogStreams", course_group_arn))
case("logs", "FilterLogEvents", course_group, one("logs:FilterLogEvents", course_group_arn))
case(
    "logs",
    "DescribeLogGroups",
    nothing_params,
    one("logs:DescribeLogGroups", lambda env: arn("logs", "log-group::log-stream:")),
)
case(
    "logs",
    "CreateLogStream",
    lambda env: {**course_group(env), "logStreamName": "gate/created"},
    one("logs:CreateLogStream", lambda env: stream_arn(env, "gate/created")),
    state=streams,
)
case(
    "logs",
    "PutLogEvents",
    lambda env: {
        **course_group(env),
        "logStreamName": own_stream(env, "gate/put-events"),
        "logEvents": [{"timestamp": int(env.lab.clock.timestamp() * 1000), "message": "started"}],
    },
    lambda env: [("logs:PutLogEvents", stream_arn(env, own_stream(env, "gate/put-events")))],
    state=lambda env: stream_events(env, "gate/put-events"),
)
case(
    "logs",
    "DeleteLogStream",
    lambda env: {**course_group(env), "logStreamName": own_stream(env, "gate/deleted")},
    lambda env: [("logs:DeleteLogStream", stream_arn(env, own_stream(env, "gate/deleted")))],
    state=streams,
)
case(
    "logs",
    "GetLogEvents",
    lambda env: {**course_group(env), "logStreamName": own_stream(env, "gate/read")},
    lambda env: [("logs:GetLogEvents", stream_arn(env, own_stream(env, "gate/read")))],
)
case(
    "logs",
    "TagLogGroup",
    lambda env: {"logGroupName": own_group(env, "/gate/tagged"), "tags": {"team": "orders"}},
    lambda env: [("logs:TagLogGroup", arn("logs", f"log-group:{own_group(env, '/gate/tagged')}"))],
    state=lambda env: group_tags(env, "/gate/tagged"),
)
case(
    "logs",
    "ListTagsLogGroup",
    course_group,
    one("logs:ListTagsLogGroup", lambda env: arn("logs", f"log-group:{env.r.log_group}")),
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
