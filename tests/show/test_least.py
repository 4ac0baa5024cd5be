"""Least privilege from the trace: the suggestion is as small as the calls, scoped as the services
name resources, and proven by running the task again with nothing else attached."""

from __future__ import annotations

import re

import pytest

from ecslab.show.least import scoped

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"


def actions(document) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for statement in document["Statement"]:
        listed = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        for action in listed:
            found.setdefault(action, set()).update(resources)
    return found


def test_resources_are_scoped_as_services_name_them():
    stream = (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/orders/"
        "4d066285cf4ab6589918df2770b3e281"
    )
    assert scoped(stream) == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:*"
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-jBCRVP"
    assert scoped(secret) == (
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-??????"
    )
    for unchanged in ("*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/config/app.json"):
        assert scoped(unchanged) == unchanged


def test_a_healthy_run_gives_exactly_what_each_role_used(lab):
    task = lab.run_task()
    execution = task.trace.least_privilege("ecs-execution-role")
    assert actions(execution.document) == {
        "ecr:GetAuthorizationToken": {"*"},
        "ecr:BatchGetImage": {f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders-app"},
        "ecr:GetDownloadUrlForLayer": {f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders-app"},
        "ssm:GetParameters": {lab.resources.parameter_arn},
        "kms:Decrypt": {lab.resources.key_arn},
        "secretsmanager:GetSecretValue": {
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-??????"
        },
        "logs:CreateLogStream": {f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:*"},
        "logs:PutLogEvents": {f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:*"},
    }
    app = lab.trace.least_privilege(lab.task_role)
    assert actions(app.document) == {
        "s3:GetObject": {f"arn:aws:s3:::{lab.resources.bucket}/config/app.json"},
        "dynamodb:PutItem": {lab.resources.table_arn},
        "dynamodb:GetItem": {lab.resources.table_arn},
        "sqs:SendMessage": {lab.resources.queue_arn},
        "sns:Publish": {lab.resources.topic_arn},
        "secretsmanager:GetSecretValue": {
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/payments-api-key-??????"
        },
    }
    # proven: with only the suggestions, the task runs to the end — twice, with new task ids
    execution.apply()
    app.apply()
    assert lab.execution_role.policies == ["ecs-execution-role-least-privilege"]
    assert lab.task_role.policies == ["ecs-task-role-least-privilege"]
    for _ in range(2):
        again = lab.run_task()
        assert (again.stop_code, again.exit_code) == ("EssentialContainerExited", 0)
        assert again.trace.denied().events == ()


def test_a_task_that_never_started_still_needed_everything_after_its_first_refusal(lab):
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.execution_role.remove_inline("orders-launch-secrets")
    failed = lab.run_task()
    assert failed.stop_code == "TaskFailedToStart"
    suggestion = failed.trace.least_privilege("ecs-execution-role")
    seen = {need.action: need.seen for need in suggestion.needs}
    assert seen["ecr:GetAuthorizationToken"] == "denied"
    assert seen["ecr:BatchGetImage"] == "never reached"
    assert seen["logs:PutLogEvents"] == "never reached"
    suggestion.apply()
    assert lab.run_task().exit_code == 0


def test_denied_and_never_reached_app_calls_are_included(lab):
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "OrderEvents"]
    lab.task_role.put_inline("orders-app", document)
    task = lab.run_task()
    assert task.exit_code == 1
    seen = {n.action: n.seen for n in task.trace.least_privilege("ecs-task-role").needs}
    assert seen["sqs:SendMessage"] == "denied"
    assert seen["sns:Publish"] == "never reached"
    assert seen["dynamodb:GetItem"] == "allowed"


def test_granted_versus_used_counts_concrete_actions(lab):
    lab.execution_role.attach("CloudWatchLogsFullAccess")
    suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")
    rows = {name: granted for name, _, granted in suggestion.attached}
    assert rows["AmazonECSTaskExecutionRolePolicy"] == 6
    assert rows["CloudWatchLogsFullAccess"] > 100  # logs:* and more
    assert len(suggestion.used) == 8
    assert suggestion.granted >= rows["CloudWatchLogsFullAccess"]
    text = suggestion.describe()
    assert text.startswith("Least privilege for ecs-execution-role: 8 action(s) used")
    assert "CloudWatchLogsFullAccess (AWS managed) grants" in text
    html = suggestion._repr_html_()
    assert '<th scope="col">actions granted</th>' in html and "✓ used" in html


def test_two_services_get_their_own_suggestions(lab):
    reports = lab.create_role(
        "reports-task-role",
        inline={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        },
    )
    definition = {
        k: v
        for k, v in lab.task_definition().items()
        if k
        in (
            "executionRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    definition.update(family="reports", taskRoleArn=reports.arn)
    lab.run_task(definition)
    lab.run_task()
    orders = lab.trace.least_privilege("ecs-task-role")
    report = lab.trace.least_privilege("reports-task-role")
    assert {n.seen for n in orders.needs} == {"allowed"}
    # the reports service runs the same image: it stopped at PutItem, but needed the rest too
    assert [(n.action, n.seen) for n in report.needs] == [
        ("s3:GetObject", "allowed"),
        ("dynamodb:PutItem", "denied"),
        ("dynamodb:GetItem", "never reached"),
        ("sqs:SendMessage", "never reached"),
        ("sns:Publish", "never reached"),
        ("secretsmanager:GetSecretValue", "never reached"),
    ]
    assert set(actions(report.document)) == set(actions(orders.document))


def test_least_privilege_needs_a_lab_trace():
    from ecslab.show.views import TraceView

    with pytest.raises(ValueError, match="needs a lab's trace"):
        TraceView([]).least_privilege("ecs-task-role")


def test_in_japanese_the_suggestion_speaks_japanese_then_english_again(lab):
    from ecslab.i18n import set_language

    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.run_task()
    english = lab.trace.least_privilege("ecs-execution-role")
    english_text, english_html = english.describe(), english._repr_html_()
    set_language("ja")
    least = lab.trace.least_privilege("ecs-execution-role")
    lines = least.describe().splitlines()
    assert lines[0].startswith("ecs-execution-role の最小権限: 使用した (または必要だった) ")
    assert "  必要: ecr:GetAuthorizationToken (対象: *) (拒否)" in lines
    assert any(line.endswith(" (未到達)") for line in lines)
    assert "提案するポリシー:" in lines
    page = least._repr_html_()
    assert "<h3><code>ecs-execution-role</code> の最小権限</h3>" in page
    assert re.findall(r'<th scope="col">([^<]*)</th>', page) == [
        "アタッチ済みのポリシー",
        "種類",
        "許可するアクション数",
        "アクション",
        "リソース",
        "結果",
    ]
    assert "✗ 未到達" in page and "<summary>提案するポリシー (ステートメント " in page
    assert least.document == english.document  # the policy itself is the same JSON
    set_language("en")
    again = lab.trace.least_privilege("ecs-execution-role")
    assert again.describe() == english_text and again._repr_html_() == english_html
