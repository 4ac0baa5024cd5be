"""The trace as tables, HTML and CloudTrail records, read from real labs' traces."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ecslab.cloud.trace import COLUMNS, Trace, TraceEvent
from ecslab.show.tables import (
    READING_ORDER,
    cloudtrail_event,
    cloudtrail_json,
    styled_html,
    summary_frame,
    trace_frame,
)

EXEC = "ecs-execution-role"
TASK = "ecs-task-role"

# The healthy course task, launch then run, as (phase, principal, role, action, calls, allowed,
# denied, error_code).
HEALTHY_SUMMARY = [
    ("launch", "Amazon ECS", None, "sts:AssumeRole", 2, 2, 0, None),
    ("launch", "ECS agent", EXEC, "ecr:GetAuthorizationToken", 1, 1, 0, None),
    ("launch", "ECS agent", EXEC, "ssm:GetParameters", 1, 1, 0, None),
    ("launch", "ECS agent", EXEC, "kms:Decrypt", 2, 2, 0, None),
    ("launch", "ECS agent", EXEC, "secretsmanager:GetSecretValue", 1, 1, 0, None),
    ("launch", "ECS agent", EXEC, "ecr:BatchGetImage", 1, 1, 0, None),
    ("launch", "ECS agent", EXEC, "ecr:GetDownloadUrlForLayer", 3, 3, 0, None),
    ("launch", "ECS agent", EXEC, "logs:CreateLogStream", 1, 1, 0, None),
    ("run", "orders app", TASK, "s3:GetObject", 1, 1, 0, None),
    ("run", "orders app", TASK, "dynamodb:PutItem", 1, 1, 0, None),
    ("run", "orders app", TASK, "dynamodb:GetItem", 1, 1, 0, None),
    ("run", "orders app", TASK, "sqs:SendMessage", 1, 1, 0, None),
    ("run", "orders app", TASK, "sns:Publish", 1, 1, 0, None),
    ("run", "orders app", TASK, "secretsmanager:GetSecretValue", 1, 1, 0, None),
    ("run", "ECS agent", EXEC, "logs:PutLogEvents", 1, 1, 0, None),
]

RECORD_KEYS = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "requestID",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
]
DENIED_RECORD_KEYS = [*RECORD_KEYS[:8], "errorCode", "errorMessage", *RECORD_KEYS[8:]]


def rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame's rows as plain tuples, missing values as None (pandas may show them as NaN)."""
    return [
        tuple(None if pd.isna(value) else value for value in row)
        for row in frame.itertuples(index=False)
    ]


def without_sqs_statement(lab) -> None:
    document = lab.task_role.inline_policy("orders-app")
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "OrderEvents"]
    lab.task_role.put_inline("orders-app", document)


def deny_publish(lab) -> None:
    lab.task_role.put_inline(
        "no-publish",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "NoPublish", "Effect": "Deny", "Action": "sns:Publish", "Resource": "*"}
            ],
        },
    )


# -- trace_frame ---------------------------------------------------------------------------------


def test_reading_order_puts_who_did_what_first_then_the_rest():
    assert READING_ORDER == (
        "seq",
        "time",
        "phase",
        "principal",
        "role",
        "action",
        "resource",
        "decision",
        "error_code",
        "error",
        "service",
        "operation",
        "policy",
        "sid",
        "principal_arn",
        "task",
        "via",
    )
    assert sorted(READING_ORDER) == sorted(COLUMNS)


def test_trace_frame_has_every_call_in_reading_order(lab):
    task = lab.run_task()
    frame = trace_frame(task.trace)
    assert list(frame.columns) == list(READING_ORDER)
    assert len(frame) == len(task.trace) == 19
    assert list(frame["seq"]) == [e.seq for e in task.trace]
    first = frame.iloc[0]
    assert (first["phase"], first["principal"], first["action"]) == (
        "launch",
        "Amazon ECS",
        "sts:AssumeRole",
    )
    assert first["resource"] == f"arn:aws:iam::{lab.account_id}:role/{EXEC}"
    # The same values as the trace's own frame, only the columns reordered.
    assert rows(frame) == rows(task.trace.to_frame()[list(READING_ORDER)])


def test_an_empty_trace_gives_an_empty_frame_with_the_columns():
    frame = trace_frame(Trace())
    assert frame.empty
    assert list(frame.columns) == list(READING_ORDER)
    summary = summary_frame(Trace())
    assert summary.empty
    assert list(summary.columns) == [
        "phase",
        "principal",
        "role",
        "action",
        "calls",
        "allowed",
        "denied",
        "error_code",
    ]


# -- summary_frame -------------------------------------------------------------------------------


def test_summary_of_a_healthy_task(lab):
    summary = summary_frame(lab.run_task().trace)
    assert rows(summary) == HEALTHY_SUMMARY
    assert summary["calls"].sum() == 19
    assert str(summary["denied"].dtype) == "int64"


def test_summary_when_the_execution_role_lost_its_managed_policy(lab):
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    summary = summary_frame(lab.run_task().trace)
    assert rows(summary) == [
        ("launch", "Amazon ECS", None, "sts:AssumeRole", 2, 2, 0, None),
        (
            "launch",
            "ECS agent",
            EXEC,
            "ecr:GetAuthorizationToken",
            1,
            0,
            1,
            "AccessDeniedException",
        ),
    ]


def test_summary_when_the_task_role_lacks_the_sqs_statement(lab):
    without_sqs_statement(lab)
    run = summary_frame(lab.run_task().trace).query("phase == 'run'")
    assert rows(run) == [
        ("run", "orders app", TASK, "s3:GetObject", 1, 1, 0, None),
        ("run", "orders app", TASK, "dynamodb:PutItem", 1, 1, 0, None),
        ("run", "orders app", TASK, "dynamodb:GetItem", 1, 1, 0, None),
        ("run", "orders app", TASK, "sqs:SendMessage", 1, 0, 1, "AccessDenied"),
        ("run", "ECS agent", EXEC, "logs:PutLogEvents", 1, 1, 0, None),
    ]


def _event(seq, phase, action, decision="Allowed", error_code=None):
    return TraceEvent(
        seq=seq,
        time=f"2026-04-01T09:00:0{seq}.000Z",
        phase=phase,
        principal="orders app",
        principal_arn="arn:aws:sts::123456789012:assumed-role/ecs-task-role/t",
        role=TASK,
        service=action.split(":")[0],
        operation=action.split(":")[1],
        action=action,
        resource="*",
        decision=decision,
        error_code=error_code,
    )


def test_summary_counts_and_keeps_the_first_error_of_each_group():
    trace = Trace(
        [
            _event(1, "admin", "sts:GetCallerIdentity"),
            _event(2, "run", "sqs:SendMessage"),
            _event(3, "run", "sqs:SendMessage", "ImplicitlyDenied", "AccessDenied"),
            _event(4, "launch", "ecr:GetAuthorizationToken"),
            _event(5, "run", "sqs:SendMessage", "ExplicitlyDenied", "Throttled"),
        ]
    )
    assert rows(summary_frame(trace)) == [
        ("launch", "orders app", TASK, "ecr:GetAuthorizationToken", 1, 1, 0, None),
        ("run", "orders app", TASK, "sqs:SendMessage", 3, 1, 2, "AccessDenied"),
        ("admin", "orders app", TASK, "sts:GetCallerIdentity", 1, 1, 0, None),
    ]


def test_summary_of_the_whole_lab_puts_launch_and_run_before_setup_and_admin(lab):
    lab.run_task()
    phases = list(dict.fromkeys(summary_frame(lab.trace)["phase"]))
    assert phases == ["launch", "run", "setup", "admin"]
    admin = summary_frame(lab.trace).query("phase == 'admin'")
    assert rows(admin) == [
        ("admin", "you (administrator)", None, "ecs:RunTask", 1, 1, 0, None),
        ("admin", "you (administrator)", None, "iam:PassRole", 2, 2, 0, None),
    ]


# -- styled_html ---------------------------------------------------------------------------------


def test_html_marks_the_denied_call_in_words_and_groups_rows_by_phase(lab):
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    page = styled_html(lab.run_task().trace)
    assert page.startswith('<div class="ecslab-trace-box" style="overflow-x:auto;max-width:100%">')
    assert '<table class="ecslab-trace"' in page
    assert page.endswith("</table></div>")
    assert "<caption" in page and "Trace: 3 calls, 1 denied." in page
    assert page.count("✗ denied (ImplicitlyDenied)") == 1
    assert page.count("✓ allowed") == 2
    assert page.count("Launch phase — the ECS agent starts the task") == 1
    assert "Run phase" not in page  # the task never got to run
    denied_row = re.search(r'<tr class="denied" style="([^"]*)">(.*?)</tr>', page)
    assert denied_row is not None
    style, cells = denied_row.groups()
    assert "font-weight:bold" in style
    assert "rgba(213, 94, 0," in style  # vermillion, soft
    assert "border-left:6px solid #D55E00" in cells
    assert "ecr:GetAuthorizationToken" in cells and "AccessDeniedException" in cells
    assert '<tr class="allowed"' in page and "#009E73" in page
    assert "<script" not in page.lower()


def test_html_headers_follow_the_trace_order(lab):
    lab.run_task()
    page = styled_html(lab.trace)
    headers = re.findall(r'<th scope="rowgroup"[^>]*>([^<]*)</th>', page)
    assert headers == [
        "Setup phase",
        "Admin phase",
        "Launch phase — the ECS agent starts the task",
        "Run phase — the application runs",
    ]
    columns = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert columns == [
        "seq",
        "time",
        "principal",
        "role",
        "action",
        "decision",
        "resource",
    ]  # nothing was denied: no error columns
    assert page.count("<tbody>") == 4
    assert page.count("<tr class=") == len(lab.trace)


def test_html_shows_an_explicit_deny_as_such(lab):
    deny_publish(lab)
    page = styled_html(lab.run_task().trace)
    assert page.count("✗ denied (ExplicitlyDenied)") == 1
    assert "AuthorizationError" in page
    assert "Run phase — the application runs" in page


def test_html_chosen_columns_and_unknown_ones(lab):
    trace = lab.run_task().trace
    page = styled_html(trace, columns=["seq", "action", "decision"])
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page) == ["seq", "action", "decision"]
    assert 'colspan="3"' in page
    with pytest.raises(ValueError, match="unknown column 'who'"):
        styled_html(trace, columns=["seq", "who"])
    with pytest.raises(TypeError, match="list of column names"):
        styled_html(trace, columns="seq")


def test_html_escapes_what_it_shows():
    event = TraceEvent(
        seq=1,
        time="2026-04-01T09:00:00.000Z",
        phase="run",
        principal="app <b>",
        principal_arn="arn:aws:sts::123456789012:assumed-role/r/s",
        role="r",
        service="s3",
        operation="GetObject",
        action="s3:GetObject",
        resource='arn:aws:s3:::bucket/<script>alert("x")</script>',
        decision="ImplicitlyDenied",
        error_code="AccessDenied",
        error="a & b",
    )
    page = styled_html(Trace([event]))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "app &lt;b&gt;" in page and "a &amp; b" in page


def test_html_of_an_empty_trace():
    page = styled_html(Trace())
    assert "Trace: no calls." in page
    assert "<tbody></tbody>" in page


def test_html_and_frames_are_the_same_for_the_same_story_in_two_labs():
    from ecslab import Lab

    outputs = []
    for _ in range(2):
        with Lab() as lab:
            lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
            lab.run_task()
            outputs.append(
                (
                    styled_html(lab.trace),
                    trace_frame(lab.trace).to_csv(),
                    summary_frame(lab.trace).to_csv(),
                    [cloudtrail_json(e, lab.account_id, lab.region) for e in lab.trace],
                )
            )
    assert outputs[0] == outputs[1]


# -- CloudTrail ----------------------------------------------------------------------------------


def test_cloudtrail_identity_of_ecs_the_agent_and_the_app(lab):
    trace = lab.run_task().trace
    account, region = lab.account_id, lab.region

    ecs = cloudtrail_event(trace[0], account, region)
    assert ecs["userIdentity"] == {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"}
    assert (ecs["eventSource"], ecs["eventName"]) == ("sts.amazonaws.com", "AssumeRole")
    assert ecs["sourceIPAddress"] == ecs["userAgent"] == "ecs-tasks.amazonaws.com"

    agent_event = trace.filter(principal="ECS agent")[0]
    agent = cloudtrail_event(agent_event, account, region)
    identity = agent["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == agent_event.principal_arn
    assert identity["arn"].startswith(f"arn:aws:sts::{account}:assumed-role/{EXEC}/")
    assert identity["sessionContext"]["sessionIssuer"]["type"] == "Role"
    assert identity["sessionContext"]["sessionIssuer"]["userName"] == EXEC
    assert identity["sessionContext"]["sessionIssuer"]["arn"] == (
        f"arn:aws:iam::{account}:role/{EXEC}"
    )
    assert "invokedBy" not in identity
    assert (agent["eventSource"], agent["eventName"]) == (
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
    )
    assert agent["sourceIPAddress"] == "198.51.100.10"
    assert agent["readOnly"] is True

    app = cloudtrail_event(trace.filter(principal="orders app")[0], account, region)
    issuer = app["userIdentity"]["sessionContext"]["sessionIssuer"]
    assert (app["userIdentity"]["type"], issuer["userName"]) == ("AssumedRole", TASK)
    assert issuer["principalId"] == app["userIdentity"]["principalId"].split(":")[0]


def test_cloudtrail_identity_of_the_learner_and_of_setup(lab):
    lab.run_task()
    learner_call = lab.trace.filter(principal="you (administrator)", where=lambda e: not e.via)[0]
    record = cloudtrail_event(learner_call, lab.account_id, lab.region)
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["userIdentity"]["userName"] == "learner"
    assert record["userIdentity"]["arn"] == f"arn:aws:iam::{lab.account_id}:user/learner"
    assert (record["eventSource"], record["eventName"]) == ("ecs.amazonaws.com", "RunTask")

    root_call = lab.trace.filter(phase="setup")[0]
    record = cloudtrail_event(root_call, lab.account_id, lab.region)
    assert record["userIdentity"] == {
        "type": "Root",
        "principalId": lab.account_id,
        "arn": f"arn:aws:iam::{lab.account_id}:root",
        "accountId": lab.account_id,
    }
    assert (record["eventSource"], record["eventName"]) == ("iam.amazonaws.com", "CreateUser")
    assert record["awsRegion"] == "us-east-1"  # IAM's events are recorded in us-east-1


def test_cloudtrail_service_calls_on_behalf_and_pass_role(lab):
    lab.run_task()
    decrypt = lab.trace.filter(where=lambda e: e.via == "ssm:GetParameters")[0]
    record = cloudtrail_event(decrypt, lab.account_id, lab.region)
    assert (record["eventSource"], record["eventName"]) == ("kms.amazonaws.com", "Decrypt")
    assert record["userIdentity"]["invokedBy"] == "ssm.amazonaws.com"
    assert record["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"] == EXEC
    assert record["sourceIPAddress"] == "ssm.amazonaws.com"

    pass_role = lab.trace.filter(phase="admin", where=lambda e: e.action == "iam:PassRole")[0]
    record = cloudtrail_event(pass_role, lab.account_id, lab.region)
    # No PassRole event in CloudTrail: the permission is part of the RunTask call.
    assert (record["eventSource"], record["eventName"]) == ("ecs.amazonaws.com", "RunTask")


def test_cloudtrail_record_fields_order_and_errors_only_when_denied(lab):
    without_sqs_statement(lab)
    trace = lab.run_task().trace
    allowed = cloudtrail_event(trace[2], lab.account_id, lab.region)
    assert trace[2].action == "ecr:GetAuthorizationToken"
    assert list(allowed) == RECORD_KEYS
    assert allowed["eventVersion"] == "1.09"
    assert allowed["eventType"] == "AwsApiCall"
    assert allowed["recipientAccountId"] == lab.account_id == "123456789012"
    assert allowed["awsRegion"] == lab.region == "ap-northeast-1"
    assert allowed["requestParameters"] is None and allowed["responseElements"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", allowed["eventTime"])
    assert allowed["eventTime"] == trace[2].time[:19] + "Z"
    assert (allowed["managementEvent"], allowed["eventCategory"]) == (True, "Management")

    denied_event = trace.denied()[0]
    denied = cloudtrail_event(denied_event, lab.account_id, lab.region)
    assert list(denied) == DENIED_RECORD_KEYS
    assert denied["errorCode"] == "AccessDenied"
    assert denied["errorMessage"] == denied_event.error
    assert f"{TASK}/" in denied["errorMessage"]
    assert (denied["eventSource"], denied["eventName"]) == ("sqs.amazonaws.com", "SendMessage")
    # SendMessage is a data event in CloudTrail.
    assert (denied["managementEvent"], denied["eventCategory"]) == (False, "Data")
    assert denied["readOnly"] is False


def test_cloudtrail_explicit_deny_keeps_the_callers_error(lab):
    deny_publish(lab)
    event = lab.run_task().trace.denied()[0]
    assert event.decision == "ExplicitlyDenied"
    record = cloudtrail_event(event, lab.account_id, lab.region)
    assert (record["eventSource"], record["eventName"]) == ("sns.amazonaws.com", "Publish")
    assert record["errorCode"] == "AuthorizationError"
    assert "explicit deny" in record["errorMessage"]


def test_cloudtrail_ids_are_derived_from_seq_and_json_round_trips(lab):
    trace = lab.run_task().trace
    one = cloudtrail_event(trace[0], lab.account_id, lab.region)
    again = cloudtrail_event(trace[0], lab.account_id, lab.region)
    other = cloudtrail_event(trace[1], lab.account_id, lab.region)
    assert one == again
    assert one["eventID"] != other["eventID"] and one["requestID"] != other["requestID"]
    assert one["eventID"] != one["requestID"]
    uuid_form = r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(uuid_form, one["eventID"])
    for event in trace:
        text = cloudtrail_json(event, lab.account_id, lab.region)
        assert text.startswith('{\n  "eventVersion": "1.09",\n  "userIdentity": {')
        assert json.loads(text) == cloudtrail_event(event, lab.account_id, lab.region)


# -- wrong input ---------------------------------------------------------------------------------


def test_wrong_inputs_get_type_errors_that_say_what_is_expected(lab):
    task = lab.run_task()
    frame = task.trace.to_frame()
    for function in (trace_frame, summary_frame, styled_html):
        with pytest.raises(TypeError, match=r"needs an ecslab Trace.*not DataFrame"):
            function(frame)
        with pytest.raises(TypeError, match=r"pass its \.trace"):
            function(task)
    with pytest.raises(TypeError, match="needs one TraceEvent"):
        cloudtrail_event(task.trace.to_records()[0], lab.account_id, lab.region)
    with pytest.raises(TypeError, match="must be strings"):
        cloudtrail_event(task.trace[0], 123456789012, lab.region)
    with pytest.raises(ValueError, match="12-digit"):
        cloudtrail_event(task.trace[0], "1234", lab.region)


def test_importing_tables_does_not_import_pandas():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, ecslab.show.tables; print('pandas' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "False"


def test_cloudtrail_assume_role_names_the_role_and_the_session(lab):
    task = lab.run_task()
    record = cloudtrail_event(task.trace[0], lab.account_id, lab.region)
    role = "arn:aws:iam::123456789012:role/ecs-execution-role"
    assert record["eventName"] == "AssumeRole"
    assert record["requestParameters"] == {"roleArn": role, "roleSessionName": task.id}
    assert record["responseElements"] is None  # the credentials are not kept
    assert record["resources"] == [
        {"accountId": "123456789012", "type": "AWS::IAM::Role", "ARN": role}
    ]
    keys = list(record)
    assert keys.index("readOnly") + 1 == keys.index("resources") == keys.index("eventType") - 1


def test_html_times_of_one_day_show_the_time_of_day_and_the_caption_the_day(lab):
    trace = lab.run_task().trace
    page = styled_html(trace)
    first = trace[0].time  # e.g. 2026-04-01T09:00:00.270Z
    assert f"Times are UTC, on {first[:10]}." in page
    assert f">{first[11:-1]}</td>" in page and first not in page
    assert re.search(
        r'<td style="padding:2px 6px;white-space:nowrap">ecs-execution-role</td>', page
    )
    assert "arn:<wbr>aws:<wbr>" in page  # ARNs break after ":" and "/" only


def test_html_error_columns_appear_when_something_was_denied_or_are_asked_for(lab):
    page = styled_html(lab.run_task().trace, columns=["seq", "action", "error_code"])
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page) == ["seq", "action", "error_code"]
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    page = styled_html(lab.run_task().trace)
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page) == [
        "seq",
        "time",
        "principal",
        "role",
        "action",
        "decision",
        "error_code",
        "resource",
        "error",
    ]  # the verdict next to the action; the long texts last


# -- in Japanese ---------------------------------------------------------------------------------


def test_in_japanese_the_html_table_has_japanese_headers_and_caption_then_english_again(lab):
    from ecslab.i18n import set_language

    without_sqs_statement(lab)
    trace = lab.run_task().trace
    english = styled_html(trace)
    set_language("ja")
    page = styled_html(trace)
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page)
    assert headers == [
        "番号",
        "時刻",
        "プリンシパル",
        "ロール",
        "アクション",
        "判定",
        "エラーコード",
        "リソース",
        "エラー",
    ]
    caption = re.search(r"<caption[^>]*>([^<]*)</caption>", page).group(1)
    assert caption.startswith(f"トレース: 呼び出し {len(trace)} 件、うち拒否 1 件。")
    assert "拒否された呼び出しには ✗ を付け、太字で示します。時刻は UTC で、日付は " in caption
    assert "起動フェーズ (launch) — ECS エージェントがタスクを開始" in page
    assert "実行フェーズ (run) — アプリケーションが動作" in page
    assert "✓ 許可" in page and "✗ 拒否 (ImplicitlyDenied)" in page
    assert "AccessDenied" in page  # AWS's error code and message stay as AWS wrote them
    set_language("en")
    assert styled_html(trace) == english


def test_in_japanese_a_frame_shows_japanese_headers_but_keeps_its_column_names(lab):
    """The frames' columns are names code selects by (``frame["action"]``): only what a learner
    sees of the frame — its repr and its notebook HTML — says them in Japanese."""
    import pickle

    from ecslab.i18n import set_language

    trace = lab.run_task().trace
    summary = summary_frame(trace)
    english_text, english_html = repr(summary), summary._repr_html_()
    plain = pd.DataFrame(summary)
    assert english_text == repr(plain) and english_html == plain._repr_html_()
    set_language("ja")
    summary = summary_frame(trace)
    assert list(summary.columns) == [
        "phase",
        "principal",
        "role",
        "action",
        "calls",
        "allowed",
        "denied",
        "error_code",
    ]
    html = summary._repr_html_()
    shown = re.findall(r"<th>([^<]*)</th>", html)
    assert shown[1:9] == [  # after the index column's empty header
        "フェーズ",
        "プリンシパル",
        "ロール",
        "アクション",
        "呼び出し数",
        "許可",
        "拒否",
        "エラーコード",
    ]
    assert "フェーズ" in repr(summary) and "プリンシパル" in repr(summary)
    # selecting and filtering by the English names still works, and keeps the Japanese display
    run = summary.query("phase == 'run'")[["principal", "action"]]
    assert set(run["principal"]) == {"orders app", "ECS agent"}
    assert "アクション" in run._repr_html_()
    frame = trace_frame(trace)
    assert list(frame.columns) == list(READING_ORDER)
    assert "番号" in repr(frame) and "<th>判定</th>" in frame._repr_html_()
    assert rows(pickle.loads(pickle.dumps(frame))) == rows(frame)
    set_language("en")
    assert repr(summary) == english_text and summary._repr_html_() == english_html


def test_in_japanese_a_wrong_input_is_explained_in_japanese(lab):
    from ecslab.i18n import set_language

    set_language("ja")
    with pytest.raises(TypeError, match=r"summary_frame\(\) には lab.trace や task.trace"):
        summary_frame(lab.run_task())
    with pytest.raises(ValueError, match="'who' という列はありません"):
        styled_html(lab.trace, columns=["seq", "who"])
