"""The lab as a learner meets it: a fresh, isolated, deterministic account with the course's
resources and two roles, plain boto3 acting as the administrator."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields

import boto3
import pytest
from botocore.exceptions import ClientError

from ecslab import Lab
from ecslab.cloud.trace import COLUMNS


def test_the_account_holds_the_course_resources(lab):
    r = lab.resources
    assert (lab.account_id, lab.region) == ("123456789012", "ap-northeast-1")
    s3, ecr = lab.client("s3"), lab.client("ecr")
    assert (
        json.loads(s3.get_object(Bucket=r.bucket, Key=r.config_key)["Body"].read())["table"]
        == "orders"
    )
    image = ecr.describe_images(repositoryName=r.repository)["imageDetails"][0]
    assert image["imageTags"] == ["1.4.2"] and image["imageDigest"].startswith("sha256:")
    assert r.image == f"{r.repository_uri}:1.4.2"
    assert lab.client("logs").describe_log_groups()["logGroups"][0]["logGroupName"] == "/ecs/orders"
    assert (
        lab.client("ecs").describe_clusters(clusters=[r.cluster])["clusters"][0]["status"]
        == "ACTIVE"
    )
    parameter = lab.client("ssm").get_parameter(Name=r.parameter)["Parameter"]
    assert parameter["Type"] == "SecureString"
    assert (
        lab.client("kms").describe_key(KeyId=r.key_alias)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    )
    assert r.db_secret_arn.startswith(
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:orders/db-password-"
    )
    assert lab.client("dynamodb").describe_table(TableName=r.table)["Table"]["TableArn"] == (
        r.table_arn
    )
    assert r.queue_arn.endswith(":orders-events") and r.topic_arn.endswith(":orders-notifications")


def test_the_two_roles_trust_ecs_tasks_and_make_the_task_healthy(lab):
    assert lab.execution_role.policies == [
        "AmazonECSTaskExecutionRolePolicy",
        "orders-launch-secrets",
    ]
    assert lab.task_role.policies == ["orders-app"]
    for role in (lab.execution_role, lab.task_role):
        statement = role.trust_policy["Statement"][0]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"
    assert lab.execution_role.arn == "arn:aws:iam::123456789012:role/ecs-execution-role"


def test_plain_boto3_is_the_administrator(lab):
    identity = boto3.client("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/learner"
    boto3.client("s3").list_buckets()
    last = lab.trace[-1]
    assert (last.principal, last.phase, last.action, last.decision) == (
        "you (administrator)",
        "admin",
        "s3:ListAllMyBuckets",
        "Allowed",
    )


def test_only_the_managed_policies_in_use_are_loaded(lab):
    loaded = set(lab.world.account.iam.managed_policies)
    assert loaded == {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    }
    lab.task_role.attach("AmazonS3ReadOnlyAccess")
    assert (
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" in lab.world.account.iam.managed_policies
    )


def test_a_new_lab_never_sees_an_older_labs_resources():
    first = Lab()
    first.client("s3").create_bucket(
        Bucket="leftover-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    first.task_role.attach("AmazonSQSFullAccess")
    second = Lab()
    assert not first.is_open and second.is_open
    names = [b["Name"] for b in second.client("s3").list_buckets()["Buckets"]]
    assert "leftover-bucket" not in names
    assert second.task_role.policies == ["orders-app"]
    assert all(e.seq == i for i, e in enumerate(second.trace, 1))
    second.close()


def test_a_closed_lab_says_so(lab):
    client = lab.client("s3")
    lab.close()
    with pytest.raises(RuntimeError, match="closed"):
        lab.client("s3")
    with pytest.raises(ClientError) as refused:
        client.list_buckets()
    assert refused.value.response["Error"]["Code"] == "LabClosed"


def test_lab_works_as_a_context_manager():
    with Lab() as lab:
        assert lab.is_open
    assert not lab.is_open


def test_setup_is_traced_as_the_account_root(lab):
    setup = lab.trace.filter(phase="setup")
    assert len(setup) == len(lab.trace)
    assert {e.principal for e in setup} == {"ecslab setup (account root)"}
    assert all(e.allowed for e in setup)
    assert setup[0].time == "2026-04-01T09:00:00.010Z"


def test_trace_frame_and_filters(lab):
    lab.client("s3").list_buckets()
    frame = lab.trace.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert {"phase", "principal", "role", "action", "resource", "decision", "error"} <= set(
        frame.columns
    )
    assert len(lab.trace.filter(phase="admin")) == 1
    assert len(lab.trace.filter(phase=["admin", "setup"])) == len(lab.trace)
    assert len(lab.trace.filter(decision="denied")) == 0
    assert "ListAllMyBuckets" in repr(lab.trace) and "<table" in lab.trace._repr_html_()


def test_trace_filter_takes_decisions_in_any_case_and_refuses_other_words(lab):
    trace = lab.run_task().trace
    everything = len(trace)
    for word in ("allowed", "Allowed", "ALLOWED"):
        assert len(trace.filter(decision=word)) == everything
    assert len(trace.filter(decision="denied")) == len(trace.filter(decision="implicitlydenied"))
    with pytest.raises(ValueError, match="'allowed', 'denied'"):
        trace.filter(decision="deny")


def test_lab_displays_itself(lab):
    assert repr(lab).startswith("Lab(account 123456789012, region ap-northeast-1, open")
    html = lab._repr_html_()
    assert "ecs-execution-role" in html and "orders-cluster" in html


def test_the_resources_display_as_a_table_of_what_and_name_or_arn(lab):
    r = lab.resources
    lines = repr(r).split("\n")
    assert lines[0] == (
        "CourseResources: what the course's account holds (lab.resources.<attribute>)"
    )
    assert len(lines) == 1 + len(fields(r))  # one line for each, none left out
    assert "  DynamoDB table ARN (table_arn)  " in repr(r)
    assert lines[1].split() == ["Account", "ID", "(account_id)", "123456789012"]
    assert "  Subnets (subnets)  " in repr(r) and repr(r).endswith("orders")
    assert lines[-2].endswith("  sg-0123456789abcdef0")
    column = {line.index(value) for line, (_, _, value) in zip(lines[1:], r.rows(), strict=True)}
    assert len(column) == 1  # the names and ARNs line up
    assert all(what[0].isupper() for what, _, _ in r.rows())  # every attribute has words
    html = r._repr_html_()
    assert html.count("<tr>") == 1 + len(fields(r))
    assert "<th scope='col' style='text-align:left'>What</th>" in html
    assert "<th scope='col' style='text-align:left'>Name or ARN</th>" in html
    assert (
        "<tr><th scope='row' style='text-align:left'>Task role ARN <code>.task_role_arn</code>"
        "</th><td><code>arn:aws:iam::123456789012:role/ecs-task-role</code></td></tr>"
    ) in html
    assert "&lt;attribute&gt;" in html and "<attribute>" not in html


PROBE = """
import json
from ecslab import Lab
lab = Lab()
c = lab.client
r = lab.resources
out = {
    "trace": lab.trace.to_records(),
    "resources": r.__dict__,
    "secret": c("secretsmanager").describe_secret(SecretId=r.db_secret),
    "image": c("ecr").describe_images(repositoryName=r.repository)["imageDetails"],
    "key": c("kms").describe_key(KeyId=r.key_alias)["KeyMetadata"],
    "table": c("dynamodb").describe_table(TableName=r.table)["Table"],
    "role": c("iam").get_role(RoleName="ecs-task-role")["Role"],
    "groups": c("logs").describe_log_groups()["logGroups"],
    "queue": c("sqs").get_queue_attributes(QueueUrl=r.queue_url, AttributeNames=["All"]),
}
print(json.dumps(out, default=str, sort_keys=True))
"""


def test_two_labs_in_two_processes_are_identical():
    outputs = [
        subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["secret"]["CreatedDate"].startswith("2026-04-01 09:00:00")
    assert data["image"][0]["imagePushedAt"].startswith("2026-04-01 09:00:00")


def test_an_error_never_retried_does_not_say_it_reached_max_retries(lab):
    # The lab turns retries off; botocore would then add "(reached max retries: 0)" to every
    # error moto returns, words AWS users see only after real retries (throttling, 5xx).
    with pytest.raises(ClientError) as raised:
        lab.client("iam").attach_role_policy(
            RoleName="ecs-task-role", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy"
        )
    assert str(raised.value) == (
        "An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: "
        "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable."
    )


# -- in Japanese (日本語) ------------------------------------------------------------------------


def test_in_japanese_the_lab_and_its_resources_describe_themselves_in_japanese(lab):
    from unicodedata import east_asian_width

    from ecslab.i18n import set_language

    english = (repr(lab), lab._repr_html_(), repr(lab.resources), lab.resources._repr_html_())
    set_language("ja")
    assert repr(lab).startswith("Lab(アカウント 123456789012、リージョン ap-northeast-1、使用中、")
    html = lab._repr_html_()
    for label in ("ECS クラスター", "ロググループ", "注入するシークレット", "タスク実行ロール"):
        assert f"<th style='text-align:left'>{label}</th>" in html
    assert "Task execution role" not in html and "Log group" not in html
    text = repr(lab.resources)
    heading, *lines = text.split("\n")
    assert heading == "CourseResources: コースのアカウントにあるリソース (lab.resources.<属性名>)"
    assert "  タスクロールの ARN (task_role_arn)  " in text and "Task role ARN" not in text
    # the values stay in one column on screen, Japanese labels taking two columns a character
    columns = set()
    for line in lines:
        value = line.rsplit("  ", 1)[-1]
        before = line[: len(line) - len(value)]
        columns.add(sum(2 if east_asian_width(c) in "WF" else 1 for c in before))
    assert len(columns) == 1
    table = lab.resources._repr_html_()
    assert "コースのアカウントにあるリソース (<code>lab.resources.&lt;属性名&gt;</code>)" in table
    assert ">項目</th>" in table and ">名前または ARN</th>" in table
    set_language("en")
    assert english == (
        repr(lab),
        lab._repr_html_(),
        repr(lab.resources),
        lab.resources._repr_html_(),
    )
    assert english[0].startswith("Lab(account 123456789012, region ap-northeast-1, open, ")
    assert english[2].startswith(
        "CourseResources: what the course's account holds (lab.resources.<attribute>)\n"
    )


def test_in_japanese_a_learners_mistake_is_explained_in_japanese(lab):
    from ecslab.i18n import set_language

    set_language("ja")
    with pytest.raises(ValueError) as unknown:
        lab.plan("nope")
    assert str(unknown.value) == (
        "このラボに ACTIVE なタスク定義 'nope' はありません。登録されているファミリー: orders"
    )
    with pytest.raises(TypeError) as wrong_app:
        lab.run_task(app=3)
    assert str(wrong_app.value).startswith("app には Python の関数 (必須コンテナのプログラム) か")
    with pytest.raises(ValueError) as no_container:
        lab.run_task(app={"web": print})
    assert str(no_container.value) == (
        "app にコンテナ 'web' が指定されていますが、タスク定義のコンテナは次のとおりです: 'orders'"
    )
    with pytest.raises(ValueError) as not_a_decision:
        lab.trace.filter(decision="maybe")
    assert str(not_a_decision.value).startswith("decision='maybe' は判定ではありません。")
    set_language("en")
    with pytest.raises(ValueError, match=r"^No ACTIVE task definition 'nope' in this lab; "):
        lab.plan("nope")
    with pytest.raises(TypeError, match=r"^app must be a Python function \(the essential "):
        lab.run_task(app=3)


def test_in_japanese_a_closed_lab_says_so_in_japanese_and_aws_words_stay_english():
    from ecslab.i18n import set_language

    old = Lab()
    s3 = old.client("s3")
    Lab().close()
    set_language("ja")
    assert "終了済み" in repr(old)
    with pytest.raises(RuntimeError) as closed:
        old.role("ecs-task-role")
    assert str(closed.value) == (
        "このラボは閉じています (新しく Lab() を作ると、前のラボは閉じられます)。"
        "lab = Lab() で新しいラボを作ってください。"
    )
    with pytest.raises(ClientError) as refused:
        s3.list_buckets()
    assert refused.value.response["Error"]["Code"] == "LabClosed"
    assert str(refused.value).startswith(
        "An error occurred (LabClosed) when calling the ListBuckets operation: "
        "このクライアントは閉じた ecslab のラボのものなので、"
    )
    set_language("en")
    with pytest.raises(RuntimeError, match=r"^This lab is closed \(a newer Lab\(\) replaces"):
        old.role("ecs-task-role")
    with pytest.raises(ClientError, match="This client belongs to an ecslab lab that has been"):
        s3.list_buckets()


def test_in_japanese_the_trace_prints_in_japanese_but_keeps_its_values(lab):
    from ecslab.cloud.trace import Trace
    from ecslab.i18n import set_language

    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.run_task()
    refused = lab.trace.denied()[0]
    english = str(refused)
    set_language("ja")
    line = str(refused)
    assert line == (
        f"#{refused.seq} [launch] ECS agent (ecs-execution-role) ✗ ecr:GetAuthorizationToken "
        "(対象: *) — AccessDeniedException"
    )
    assert (refused.phase, refused.principal, refused.decision) == (
        "launch",
        "ECS agent",
        "ImplicitlyDenied",
    )
    assert repr(Trace()) == "トレース (呼び出しなし)"
    assert Trace()._repr_html_() == "<p>トレース: まだ呼び出しはありません。</p>"
    set_language("en")
    assert (
        str(refused)
        == english
        == (
            f"#{refused.seq} [launch] ECS agent (ecs-execution-role) ✗ ecr:GetAuthorizationToken "
            "on * — AccessDeniedException"
        )
    )
    assert repr(Trace()) == "Trace (no calls)"
