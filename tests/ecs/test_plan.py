"""The plan of a task definition says what its tasks will ask AWS for — and a healthy task asks
exactly that, in that order (the plan and the lifecycle cannot drift apart unnoticed)."""

from __future__ import annotations

import json

import pytest

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"


def keys(calls) -> list[tuple[str, str, str, str, str | None]]:
    """(phase, principal, action, resource, via), consecutive repeats (one per image layer)
    merged."""
    out: list[tuple[str, str, str, str, str | None]] = []
    for call in calls:
        key = (call.phase, call.principal, call.action, call.resource, call.via)
        if not out or out[-1] != key:
            out.append(key)
    return out


def test_the_course_plan_names_who_asks_for_what():
    from ecslab import Lab

    lab = Lab()
    plan = lab.plan()
    assert plan.plan.family_revision == "orders:1" and plan.plan.run_phase_known
    rows = [(c.phase, c.principal, c.role, c.action) for c in plan.calls]
    assert rows == [
        ("launch", "Amazon ECS", None, "sts:AssumeRole"),
        ("launch", "Amazon ECS", None, "sts:AssumeRole"),
        ("launch", "ECS agent", "ecs-execution-role", "ecr:GetAuthorizationToken"),
        ("launch", "ECS agent", "ecs-execution-role", "ssm:GetParameters"),
        ("launch", "ECS agent", "ecs-execution-role", "kms:Decrypt"),
        ("launch", "ECS agent", "ecs-execution-role", "secretsmanager:GetSecretValue"),
        ("launch", "ECS agent", "ecs-execution-role", "kms:Decrypt"),
        ("launch", "ECS agent", "ecs-execution-role", "ecr:BatchGetImage"),
        ("launch", "ECS agent", "ecs-execution-role", "ecr:GetDownloadUrlForLayer"),
        ("launch", "ECS agent", "ecs-execution-role", "logs:CreateLogStream"),
        ("run", "orders app", "ecs-task-role", "s3:GetObject"),
        ("run", "orders app", "ecs-task-role", "dynamodb:PutItem"),
        ("run", "orders app", "ecs-task-role", "dynamodb:GetItem"),
        ("run", "orders app", "ecs-task-role", "sqs:SendMessage"),
        ("run", "orders app", "ecs-task-role", "sns:Publish"),
        ("run", "orders app", "ecs-task-role", "secretsmanager:GetSecretValue"),
        ("run", "ECS agent", "ecs-execution-role", "logs:PutLogEvents"),
    ]
    stream = plan.calls[9].resource
    assert stream == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/orders/<task-id>"
    )
    assert [c.wearer for c in plan.calls[:2]] == [("launch", "ECS agent"), ("run", "orders app")]
    assert plan.calls[4].via == "ssm:GetParameters"
    assert plan.calls[3].why == "inject FEATURE_FLAGS from Parameter Store"
    # two decrypts of the same key, each through its own service and for its own value
    assert [(c.via, c.why) for c in plan.calls if c.action == "kms:Decrypt"] == [
        ("ssm:GetParameters", "inject FEATURE_FLAGS from Parameter Store"),
        ("secretsmanager:GetSecretValue", "inject DB_PASSWORD from Secrets Manager"),
    ]
    assert plan.calls[4].key() != plan.calls[6].key()


@pytest.mark.parametrize("change", ["none", "create-group", "no-secrets", "public-image"])
def test_a_healthy_task_makes_exactly_the_planned_calls(change):
    from ecslab import Lab

    lab = Lab()
    definition = {
        k: v
        for k, v in lab.task_definition().items()
        if k
        in (
            "family",
            "executionRoleArn",
            "taskRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    container = definition["containerDefinitions"][0]
    if change == "create-group":
        container["logConfiguration"]["options"].update(
            {"awslogs-group": "/ecs/new-group", "awslogs-create-group": "true"}
        )
        lab.execution_role.put_inline(
            "create-group",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}
                ],
            },
        )
    elif change == "no-secrets":
        container["secrets"] = []
    elif change == "public-image":
        container["image"] = "public.ecr.aws/docker/library/python:3.12-slim"
    reference = lab.register_task_definition(definition) if change != "none" else "orders"
    planned = lab.plan(reference)
    task = lab.run_task(reference)
    assert task.stop_code == "EssentialContainerExited", task.stopped_reason
    expected = [
        (p, who, action, resource.replace("<task-id>", task.id), via)
        for p, who, action, resource, via in keys(planned.calls)
    ]
    if change == "public-image":  # no image program: the container does nothing
        expected = [k for k in expected if k[1] != "orders app"]
    assert keys(task.trace) == expected
    assert ("logs:CreateLogGroup" in {c.action for c in planned.calls}) == (
        change == "create-group"
    )


def test_a_program_without_a_declaration_leaves_the_run_phase_unknown():
    from ecslab import Lab

    lab = Lab()
    plan = lab.plan(app=lambda: print("hello"))
    assert not plan.plan.run_phase_known
    assert [c for c in plan.calls if c.principal == "orders app"] == []
    assert "not known until it runs" in plan.describe()


def test_a_program_can_declare_its_calls():
    from ecslab import Lab

    lab = Lab()

    def reader() -> None:
        import boto3

        boto3.client("s3").get_object(Bucket=lab.resources.bucket, Key="config/app.json")

    reader.ecslab_calls = lambda environment, account: [  # type: ignore[attr-defined]
        ("s3", "GetObject", {"Bucket": lab.resources.bucket, "Key": "config/app.json"}, "read")
    ]
    plan = lab.plan(app=reader)
    app = [(c.action, c.resource) for c in plan.calls if c.principal == "orders app"]
    assert app == [("s3:GetObject", f"arn:aws:s3:::{lab.resources.bucket}/config/app.json")]
    task = lab.run_task(app=reader)
    assert [(e.action, e.resource) for e in task.trace.filter(principal="orders app")] == app


def test_the_plan_reads_the_apps_config_like_the_app_does():
    from ecslab import Lab

    lab = Lab()
    config = json.loads(
        lab.client("s3")
        .get_object(Bucket=lab.resources.bucket, Key=lab.resources.config_key)["Body"]
        .read()
    )
    config["table"] = "orders-v2"
    lab.client("s3").put_object(
        Bucket=lab.resources.bucket, Key=lab.resources.config_key, Body=json.dumps(config)
    )
    tables = {c.resource for c in lab.plan().calls if c.action.startswith("dynamodb:")}
    assert tables == {f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders-v2"}


def test_planning_an_unknown_task_definition_is_a_clear_error():
    from ecslab import Lab

    lab = Lab()
    with pytest.raises(ValueError, match=r"No ACTIVE task definition 'ordres'.*orders"):
        lab.plan("ordres")


# -- in Japanese (日本語) ------------------------------------------------------------------------


def test_in_japanese_the_plan_says_why_each_call_is_made_in_japanese(lab):
    from ecslab.i18n import set_language

    english = lab.plan().calls
    set_language("ja")
    japanese = lab.plan().calls
    # who asks for what stays as the trace has it; only the purpose is in the learner's language
    assert [c.key() for c in japanese] == [c.key() for c in english]
    assert [c.why for c in japanese[:4]] == [
        "ECS エージェントにタスク実行ロールの認証情報を渡す",
        "orders アプリにタスクロールの認証情報を渡す",
        "イメージのプルに使うレジストリのトークンを取得する",
        "パラメータストアから FEATURE_FLAGS を注入する",
    ]
    assert japanese[-1].why == "orders の出力を CloudWatch Logs に送る"
    assert all(
        any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in c.why)
        for c in japanese
    )
    set_language("en")
    assert [c.why for c in lab.plan().calls] == [c.why for c in english]
    assert english[0].why == "give the ECS agent the execution role's credentials"
