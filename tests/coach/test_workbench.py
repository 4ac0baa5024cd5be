"""The workbench, driven by its handlers and by its widgets as a learner would click them."""

from __future__ import annotations

import json
import re
import warnings
from html import unescape

import pytest

from ecslab.coach.scenarios import SCENARIOS

pytest.importorskip("ipywidgets")


@pytest.fixture
def bench(lab):
    return lab.workbench()


def test_it_starts_from_the_roles_as_iam_has_them(bench, lab):
    execution = bench.execution
    assert execution.toggles["AmazonECSTaskExecutionRolePolicy"].value is True
    assert [name for name, box in bench.task.toggles.items() if box.value] == []
    assert list(execution.inline_select.options) == ["orders-launch-secrets", "(new inline policy)"]
    assert json.loads(execution.inline_editor.value) == lab.execution_role.inline_policy(
        "orders-launch-secrets"
    )
    trust = json.loads(bench.task.trust_editor.value)
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert bench.status.value == "<p>Run the task to see what happens.</p>"


def text(html: str) -> str:
    """What a learner reads in a piece of the workbench's HTML."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_before_a_run_the_line_beside_run_task_says_what_to_do(bench):
    assert text(bench.outcome.value) == "Not run yet: press Run task."


def test_after_run_task_the_status_is_in_sight(bench, lab):
    bench.results.selected_index = 1  # a learner looking at the last diagram
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    bench.run_button.click()
    assert bench.results.selected_index == 0  # Status & logs
    assert text(bench.outcome.value) == "✗ Last run: STOPPED, stopCode TaskFailedToStart"
    lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")
    bench.results.selected_index = 2
    bench.run()
    assert bench.results.selected_index == 0
    assert text(bench.outcome.value) == (
        "✓ Last run: STOPPED, stopCode EssentialContainerExited, exit code 0"
    )
    assert 'role="status"' in bench.outcome.value  # a screen reader announces it


def test_when_runtask_itself_fails_the_line_says_so(bench):
    trust = json.loads(bench.execution.trust_editor.value)
    trust["Statement"][0]["Principal"] = {"Service": "ec2.amazonaws.com"}
    assert bench.execution.apply_trust(json.dumps(trust))
    bench.run()
    assert text(bench.outcome.value) == "✗ RunTask failed: no task was created."


def test_run_shows_status_logs_diagram_and_trace(bench):
    task = bench.run()
    assert task.exit_code == 0
    assert (
        "✓ <strong>Task" in bench.status.value and "EssentialContainerExited" in bench.status.value
    )
    assert "order-1001 processed" in bench.logs.value
    assert "<figure" in bench.diagram.value and "figcaption" in bench.diagram.value
    assert "logs:PutLogEvents" in bench.trace.value


def test_the_articles_mistake_then_the_right_fix(bench, lab):
    # untick the managed policy on the execution role, as a learner would
    bench.execution.toggles["AmazonECSTaskExecutionRolePolicy"].value = False
    assert "AmazonECSTaskExecutionRolePolicy" not in lab.execution_role.policies
    bench.run_button.click()
    assert bench.last_task.stop_code == "TaskFailedToStart"
    assert "✗ <strong>Task" in bench.status.value
    assert "never ran" in bench.logs.value
    # the wrong fix: more permissions on the task role — nothing changes
    bench.task.toggles["AmazonEC2ContainerRegistryReadOnly"].value = True
    bench.task.toggles["CloudWatchLogsFullAccess"].value = True
    bench.run_button.click()
    assert bench.last_task.stop_code == "TaskFailedToStart"
    assert lab.task_role.policies == [
        "AmazonEC2ContainerRegistryReadOnly",
        "CloudWatchLogsFullAccess",
        "orders-app",
    ]
    # the right fix
    bench.execution.toggles["AmazonECSTaskExecutionRolePolicy"].value = True
    bench.run_button.click()
    assert bench.last_task.exit_code == 0


def test_the_editor_checks_json_and_policies_as_you_type(bench, lab):
    editor, messages = bench.execution.inline_editor, bench.execution.inline_messages
    editor.value = '{"Version": "2012-10-17", "Statement": [}'
    assert "✗ <strong>Error:</strong> This is not valid JSON (line 1, column 41" in messages.value
    editor.value = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationTokn", "Resource": "*"}
            ],
        }
    )
    assert (
        "⚠ <strong>Warning:</strong> Access Analyzer ERROR at Statement[0].Action" in messages.value
    )
    assert "Did you mean ecr:GetAuthorizationToken?" in messages.value
    editor.value = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*"}]}
    )
    assert "✗ <strong>Error:</strong>" in messages.value
    before = lab.execution_role.policies
    # nothing reaches IAM until saved
    assert lab.execution_role.policies == before


def test_saving_malformed_json_or_a_malformed_policy_loses_nothing(bench, lab):
    before = lab.execution_role.inline_policy("orders-launch-secrets")
    panel = bench.execution
    assert panel.apply_inline("orders-launch-secrets", '{"Version": "2012-10-17",') is False
    assert "not valid JSON" in panel.inline_messages.value
    assert (
        panel.apply_inline(
            "orders-launch-secrets",
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "*", '
            '"Resource": "*"}]}',
        )
        is False
    )
    assert "IAM refused it — MalformedPolicyDocument" in panel.inline_messages.value
    assert lab.execution_role.inline_policy("orders-launch-secrets") == before
    # the text the learner typed is still in the editor to be fixed
    panel.inline_editor.value = '{"broken": '
    assert panel.apply_inline() is False
    assert panel.inline_editor.value == '{"broken": '


def test_a_new_inline_policy_and_its_removal(bench, lab):
    panel = bench.task
    panel.inline_select.value = "(new inline policy)"
    assert json.loads(panel.inline_editor.value)["Version"] == "2012-10-17"
    panel.inline_name.value = "read-anything"
    panel.inline_editor.value = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    panel.apply_button.click()
    assert "Inline policy read-anything saved on ecs-task-role" in panel.inline_messages.value
    assert lab.task_role.inline_policy_names == ["orders-app", "read-anything"]
    assert panel.inline_select.value == "read-anything"
    panel.remove_button.click()
    assert lab.task_role.inline_policy_names == ["orders-app"]
    assert panel.apply_inline("", "{}") is False
    assert "Give the inline policy a name." in panel.inline_messages.value


def test_an_unknown_action_is_said_under_the_editor_not_warned_in_the_log(bench, lab):
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValu", "Resource": "*"}
            ],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Python warning would fail the test
        assert bench.task.apply_inline("read-secret", text) is True
    messages = bench.task.inline_messages.value
    assert "Inline policy read-secret saved on ecs-task-role" in messages
    assert "The action secretsmanager:GetSecretValu does not exist." in messages


def test_the_trust_policy_editor(bench, lab):
    panel = bench.execution
    wrong = json.loads(panel.trust_editor.value)
    wrong["Statement"][0]["Principal"] = {"Service": "ec2.amazonaws.com"}
    panel.trust_editor.value = json.dumps(wrong)
    panel.trust_button.click()
    assert lab.execution_role.trust_policy == wrong
    task = bench.run()
    assert task.arn is None and "RunTask failed" in bench.status.value
    assert panel.apply_trust('{"Version": "2012-10-17", "Statement": []') is False
    assert lab.execution_role.trust_policy == wrong


def test_an_unknown_policy_name_is_reported_in_the_page(bench, lab):
    assert bench.task.toggle("AmazonS3ReadOnlyAcess", True) is False
    assert "IAM refused it — NoSuchEntity" in bench.task.toggle_messages.value
    assert lab.task_role.policies == ["orders-app"]


def test_reset_and_scenarios(bench, lab):
    for key, scenario in SCENARIOS.items():
        bench.scenario_select.value = key
        bench.load_button.click()
        assert scenario.change in bench.messages.value.replace("&#x27;", "'")
        task = bench.run()
        healthy = task.exit_code == 0 and task.stop_code == "EssentialContainerExited"
        assert healthy == (key == "healthy"), key
    bench.reset_button.click()
    assert lab.execution_role.policies == [
        "AmazonECSTaskExecutionRolePolicy",
        "orders-launch-secrets",
    ]
    assert lab.task_role.policies == ["orders-app"]
    assert bench.execution.toggles["AmazonECSTaskExecutionRolePolicy"].value is True
    assert bench.run().exit_code == 0


def test_a_failure_inside_a_handler_is_shown_not_raised(bench, monkeypatch):
    def broken() -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(bench.lab, "run_task", broken)
    bench.run_button.click()  # must not raise
    assert "RuntimeError: simulated failure" in bench.messages.value


def test_every_control_has_a_description_and_a_tooltip(bench):
    import ipywidgets as w

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    controls = [
        x
        for x in walk(bench.widget)
        if isinstance(x, (w.Button, w.Checkbox, w.Dropdown, w.Text, w.Textarea))
    ]
    assert len(controls) >= 2 * 14 + 4
    for control in controls:
        assert control.description, control
        assert control.tooltip, control


def test_it_displays_as_a_widget_with_a_stable_text(bench):
    bundle = bench._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    # what a notebook shows until its cell runs (JupyterLab too: the widget lives in a kernel)
    assert bundle["text/plain"] == (
        "Role workbench for ecs-execution-role and ecs-task-role (an interactive widget: run "
        "this cell to show it)"
    )


# -- in Japanese ---------------------------------------------------------------------------------


def visible_labels(bench) -> list[str]:
    """Every label a learner reads on the workbench before a run: tab, accordion and button
    titles, the controls' descriptions and the HTML texts (policy names are left out)."""
    import ipywidgets as w

    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    found: list[str] = []
    for x in walk(bench.widget):
        found += list(getattr(x, "titles", ()) or ())
        if isinstance(x, (w.Button, w.Dropdown, w.Text, w.Textarea)):
            found += [x.description, x.tooltip]
        if isinstance(x, w.HTML) and x.value:
            found.append(text(re.sub(r"<style>.*?</style>", "", x.value, flags=re.S)))
    return [label for label in found if label]


def test_in_japanese_the_workbench_speaks_japanese_then_english_again(lab):
    from ecslab.coach.workbench import NEW_INLINE
    from ecslab.i18n import set_language

    set_language("ja")
    bench = lab.workbench()
    assert bench.roles.titles == ("タスク実行ロール", "タスクロール")
    assert bench.execution.sections.titles == (
        "AWS 管理ポリシー",
        "インラインポリシー",
        "信頼ポリシー",
    )
    assert bench.results.titles == ("ステータスとログ", "図", "トレース")
    assert bench.scenario_picker.titles == ("壊れた設定 (シナリオ)",)
    assert bench.run_button.description == "タスクを実行"
    assert bench.reset_button.description == "リセット"
    assert bench.execution.apply_button.description == "インラインポリシーを保存"
    assert text(bench.outcome.value) == "まだ実行していません: タスクを実行 を押してください。"
    assert bench.status.value == "<p>タスクを実行すると、何が起きたかがここに表示されます。</p>"
    # the dropdown's last choice has a Japanese label and the same value in every language
    select = bench.execution.inline_select
    assert select.options[-1] == ("(新しいインラインポリシー)", NEW_INLINE)
    select.value = NEW_INLINE
    assert bench.execution.inline_name.value == ""
    # no English label is left: every visible label has Japanese in it, or is a name
    names = {*bench.execution.toggles, "CloudWatch Logs", "orders-launch-secrets"}
    for label in visible_labels(bench):
        assert re.search(r"[ぁ-んァ-ヶ一-龠]", label) or label in names, label
    assert "ロールのワークベンチ" in repr(bench)
    # what a run and a change say
    bench.execution.toggle("AmazonECSTaskExecutionRolePolicy", False)
    assert "AmazonECSTaskExecutionRolePolicy を ecs-execution-role からデタッチしました。" in text(
        bench.execution.toggle_messages.value
    )
    bench.run()
    assert "✗ 前回の実行: STOPPED, stopCode TaskFailedToStart" in text(bench.outcome.value)
    assert "ログ行はありません" in bench.logs.value
    assert "フェーズ「起動 (launch)" in bench.diagram.value
    assert "<th" in bench.trace.value and ">判定</th>" in bench.trace.value
    bench.execution.apply_inline("x", "{")
    assert "✗ <strong>エラー:</strong> 正しい JSON ではありません" in (
        bench.execution.inline_messages.value
    )
    # and back: a workbench made in English is as it always was
    set_language("en")
    english = lab.workbench()
    assert english.roles.titles == ("Task execution role", "Task role")
    assert english.run_button.description == "Run task"
    assert list(english.task.inline_select.options) == ["orders-app", "(new inline policy)"]
    assert text(english.outcome.value) == "Not run yet: press Run task."
