"""diagnose() on the lab's own failures (every one must point at the right role), on messages as
people paste them, and through the command line."""

from __future__ import annotations

import io
import json
import re
import textwrap

import pytest

from ecslab import diagnose
from ecslab.cli import main
from ecslab.coach.scenarios import SCENARIOS

EXPECTED = {
    "execution-role-without-managed-policy": ("execution", "ecr-auth", "launch"),
    "log-group-without-star": ("execution", "logs", "launch"),
    "execution-role-without-secret": ("execution", "secrets-manager", "launch"),
    "execution-role-without-decrypt": ("execution", "kms", "launch"),
    "task-role-without-sqs": ("task", "runtime-sqs", "run"),
    "task-role-deny-sns": ("task", "runtime-sns", "run"),
    "execution-role-wrong-trust": ("execution", "trust-policy", "deploy"),
    "task-role-empty": ("task", "runtime-s3", "run"),
}


def failure_text(lab, key: str) -> str:
    from ecslab.coach.scenarios import load

    load(lab, key)
    task = lab.run_task()
    if task.arn is None:
        return (
            f"An error occurred ({task.failure.split(':', 1)[0]}) when calling the RunTask "
            f"operation: {task.failure.split(': ', 1)[1]}"
        )
    if task.stop_code == "TaskFailedToStart":
        return task.stopped_reason
    return task.logs[-1]


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_lab_failure_points_at_the_right_role(lab, key):
    text = failure_text(lab, key)
    found = diagnose(text)
    assert (found.role, found.category, found.phase) == EXPECTED[key], (text, found)
    assert found.explanation and found.fix and found.evidence
    assert set(EXPECTED) | {"healthy"} == set(SCENARIOS)


def test_the_wrong_fix_is_called_out(lab):
    launch = diagnose(failure_text(lab, "execution-role-without-managed-policy"))
    assert "Adding it to the task role changes nothing" in launch.fix
    app = diagnose(failure_text(lab, "task-role-without-sqs"))
    assert "Adding it to the task execution role changes nothing" in app.fix


def test_messages_as_people_paste_them(lab):
    original = failure_text(lab, "execution-role-without-secret")
    wrapped = "\n".join(textwrap.wrap(original, 60, break_long_words=True))
    console = original.replace("ResourceInitializationError", "Resourceinitializationerror")
    truncated = original[:160] + "..."
    for text in (wrapped, console, truncated):
        found = diagnose(text)
        assert found.role == "execution", text
    assert diagnose(wrapped).category == "secrets-manager"


@pytest.mark.parametrize(
    ("message", "role", "category"),
    [
        (
            "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to "
            "resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v9: not found",
            "neither",
            "image-not-found",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution "
            "resource retrieval failed: unable to retrieve ecr registry auth: service call has "
            "been retried 3 time(s): RequestError: send request failed caused by: Post "
            '"https://api.ecr.eu-west-1.amazonaws.com/": dial tcp 63.34.63.179:443: i/o timeout. '
            "Please check your task network configuration.",
            "neither",
            "network",
        ),
        (
            "An error occurred (AccessDeniedException) when calling the RunTask operation: User: "
            "arn:aws:iam::123456789012:user/deployer is not authorized to perform: iam:PassRole "
            "on resource: arn:aws:iam::123456789012:role/ecs-task-role",
            "deployer",
            "pass-role",
        ),
        (
            "An error occurred (AccessDeniedException) when calling the GetItem operation: User: "
            "arn:aws:sts::123456789012:assumed-role/my-ec2-role/i-0abcdef1234567890 is not "
            "authorized to perform: dynamodb:GetItem on resource: "
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "task",
            "instance-role",
        ),
        (
            "ResourceInitializationError: failed to validate logger args: create stream has been "
            "retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: "
            "The specified log group does not exist. : exit status 1",
            "neither",
            "logs",
        ),
        (
            "Essential container in task exited: OutOfMemoryError: Container killed",
            "neither",
            "container-exit",
        ),
        ("the quick brown fox", "unknown", "other"),
    ],
)
def test_known_traps(message, role, category):
    found = diagnose(message)
    assert (found.role, found.category) == (role, category), found


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="takes the error message as text"):
        diagnose(None)  # type: ignore[arg-type]


def test_the_command_line(lab, capsys, monkeypatch):
    text = failure_text(lab, "task-role-without-sqs")
    assert main(["explain", text]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Suspect: the task role (runtime-sqs, run phase).")
    assert main(["explain", "--json", text]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["role"], answer["facts"]["action"]) == ("task", "sqs:sendmessage")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["explain"]) == 0
    assert "Suspect: the task role" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("   "))
    assert main(["explain"]) == 2
    assert "give the error message" in capsys.readouterr().err


def test_the_corpus_of_real_messages():
    """Real messages with their sources: well-formed, balanced, and diagnosed right at least
    nine times in ten (benchmarks/diagnose.py prints the misses)."""
    from pathlib import Path

    corpus = json.loads(
        (Path(__file__).parent / "corpus" / "messages.json").read_text(encoding="utf-8")
    )
    assert len(corpus) >= 60
    assert len({e["id"] for e in corpus}) == len(corpus)
    roles = [e["role"] for e in corpus]
    for role in ("execution", "task", "neither"):
        assert roles.count(role) >= 20, role
    for entry in corpus:
        assert set(entry) == {"id", "message", "role", "category", "phase", "source", "why"}
        assert entry["source"].startswith("https://"), entry["id"]
        assert entry["phase"] in ("launch", "run", "deploy")
    right = sum(diagnose(e["message"]).role == e["role"] for e in corpus)
    assert right / len(corpus) >= 0.9


EC2_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.mark.parametrize(
    ("role", "suspect", "slot"),
    [
        ("ecs-task-role", "task", "the task role (taskRoleArn)"),
        ("ecs-execution-role", "execution", "the task execution role (executionRoleArn)"),
    ],
)
def test_a_trust_failure_names_the_role_ecs_could_not_assume(lab, role, suspect, slot):
    lab.role(role).set_trust_policy(EC2_TRUST)
    task = lab.run_task()
    code, said = task.failure.split(": ", 1)
    arn = f"arn:aws:iam::123456789012:role/{role}"
    [refusal] = [event.error for event in task.trace if not event.allowed]
    for message in (
        f"An error occurred ({code}) when calling the RunTask operation: {said}",
        task.failure,
        refusal,  # STS's words to ECS, as the trace shows them
    ):
        found = diagnose(message)
        assert (found.role, found.category, found.phase) == (suspect, "trust-policy", "deploy")
        head = found.describe().split("\n")[0]
        names = {"task": "the task role", "execution": "the task execution role"}
        assert head == (
            f"Suspect: the role {role}, by its name {names[suspect]} (trust-policy, deploy phase)."
        )
        assert f"could not assume the role {role} ({arn})" in found.explanation
        assert f"its name says {slot}" in found.explanation
        assert found.fix.startswith(f"Make {role}'s trust policy allow the service principal")
        assert not [c for c in found.candidates if c.category.startswith("runtime")]
    other = "execution" if suspect == "task" else "task"
    assert names[other] not in diagnose(task.failure).describe()


def test_a_trust_failure_says_so_when_the_roles_name_does_not_tell_which_it_is():
    found = diagnose(
        "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/orders-runner' that "
        "was provided for this task."
    )
    assert (found.role, found.category) == ("unknown", "trust-policy")
    assert found.describe().startswith("Suspect: the role orders-runner (trust-policy, deploy")
    assert "Its name does not tell whether orders-runner is the task role or the task " in (
        found.explanation
    )
    assert found.fix.startswith("Make orders-runner's trust policy allow")
    unquoted = diagnose("ECS was unable to assume role arn:aws:iam::123456789012:role/app-exec.")
    assert unquoted.facts["role_ecs_could_not_assume"] == "arn:aws:iam::123456789012:role/app-exec"
    assert unquoted.role == "execution"


# -- in Japanese (issue 13) -----------------------------------------------------------------------

# One real message for each answer diagnose gives: every role, and each category of each role.
REPRESENTATIVE = {
    ("execution", "ecr-auth"): "exec-batch-ecr-getauthtoken-truncated",
    ("execution", "image-pull"): "exec-ecr-403-manifest-fargate",
    ("execution", "logs"): "exec-fargate-requires-exec-role-awslogs",
    ("execution", "secrets-manager"): "exec-secrets-require-exec-role",
    ("execution", "ssm"): "exec-ssm-denied-fargate-lowercase",
    ("execution", "kms"): "exec-ssm-kms-ciphertext-pv13",
    ("execution", "trust-policy"): "exec-trust-policy-exec-role-service-event",
    ("task", "trust-policy"): "exec-trust-policy-wrong-role-as-exec",
    ("task", "runtime-sns"): "task-sns-publish-denied",
    ("task", "runtime-sqs"): "task-sqs-receivemessage-php",
    ("task", "runtime-dynamodb"): "task-dynamodb-createtable-java",
    ("task", "ecs-exec"): "task-ecs-exec-target-not-connected",
    ("task", "log-router"): "task-firelens-init-s3-config-403",
    ("deployer", "pass-role"): "neither-passrole-runtask-lambda",
    ("neither", "network"): "neither-net-asm-context-deadline",
    ("neither", "image-not-found"): "neither-img-digest-not-found",
    ("task", "instance-role"): "neither-instance-role-sqs-createqueue",
    ("instance", "instance-role"): "neither-instance-role-logs-ecs-cli",
    ("neither", "container-exit"): "neither-exit-oom-fargate",
    ("neither", "placement"): "neither-place-no-container-instances",
    ("neither", "ecs-exec"): "neither-ecs-exec-not-enabled",
    ("neither", "log-router"): "neither-firelens-config-plugin-missing",
    ("neither", "other"): "neither-role-is-not-valid-cli",
    ("unknown", "trust-policy"): "neither-trust-message-but-user-perms",
}
# and the guess for a failure no rule knows (issue 15), which is ("neither", "other") as well
CASES_IN_JAPANESE = [
    *sorted(REPRESENTATIVE.items()),
    (("neither", "other"), "task-iam-getrole-copilot-job"),
]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def corpus_messages() -> dict[str, str]:
    from pathlib import Path

    corpus = json.loads(
        (Path(__file__).parent / "corpus" / "messages.json").read_text(encoding="utf-8")
    )
    return {entry["id"]: entry["message"] for entry in corpus}


def english_left(text: str) -> list[str]:
    """Runs of three or more plain English words in a Japanese text, once what is quoted from the
    message ('...') is taken out: an English sentence nobody translated."""
    unquoted = re.sub(r"'[^\n;]*'", "", text)  # 'couldn't find aws credentials'; ...
    return re.findall(r"\b[A-Za-z][a-z]+(?: [A-Za-z][a-z]+){2,}\b", unquoted)


@pytest.mark.parametrize(("answer", "ident"), CASES_IN_JAPANESE, ids=lambda v: str(v))
def test_in_japanese_the_same_answer_is_explained_in_japanese(answer, ident):
    from ecslab.i18n import set_language

    role, category = answer
    message = corpus_messages()[ident]
    english = diagnose(message)
    assert (english.role, english.category) == (role, category)
    assert english_left(english.explanation)  # the check below finds English where there is
    set_language("ja")
    japanese = diagnose(message)
    # the answer itself (ids that code compares) does not change with the language
    assert (japanese.role, japanese.category, japanese.phase) == (role, category, english.phase)
    assert japanese.facts == english.facts
    assert [(c.role, c.category, c.phase, c.score) for c in japanese.candidates] == [
        (c.role, c.category, c.phase, c.score) for c in english.candidates
    ]
    for text in (japanese.explanation, japanese.fix, *japanese.evidence):
        assert JAPANESE.search(text), text
        assert not english_left(text), text
    described = japanese.describe()
    assert described.startswith("疑う対象: ")
    assert f"({category}、" in described.split("\n")[0]  # the category id, as it is
    assert "\n直し方: " in described
    assert not english_left(described), described
    assert "Suspect" not in japanese._repr_html_()
    assert "<strong>疑う対象: " in japanese._repr_html_()
    set_language(None)
    assert diagnose(message).describe() == english.describe()  # English as it was


def test_in_japanese_every_real_message_is_explained_without_english_left():
    from ecslab.i18n import set_language

    set_language("ja")
    for ident, message in corpus_messages().items():
        described = diagnose(message).describe()
        assert not english_left(described), (ident, described)


def test_in_japanese_the_role_names_and_the_wrong_fix():
    from ecslab.i18n import set_language

    set_language("ja")
    launch = diagnose(corpus_messages()["exec-ssm-denied-fargate-lowercase"])
    assert launch.describe().startswith("疑う対象: タスク実行ロール (ssm、起動フェーズ)\n")
    assert "タスクロールに追加しても何も変わりません" in launch.fix
    assert "ssm:GetParameters" in launch.fix  # AWS's names stay as AWS writes them
    app = diagnose(corpus_messages()["task-sqs-receivemessage-php"])
    assert app.describe().startswith("疑う対象: タスクロール (runtime-sqs、実行フェーズ)")
    assert "タスク実行ロールに追加しても何も変わりません" in app.fix
    trust = diagnose(
        "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/ecs-task-role' that "
        "was provided for this task."
    )
    assert trust.describe().startswith(
        "疑う対象: ロール ecs-task-role、名前からするとタスクロール (trust-policy、"
    )
    assert "ロール ecs-task-role (arn:aws:iam::123456789012:role/ecs-task-role)" in (
        trust.explanation
    )
    assert trust.fix.startswith("ecs-task-role の信頼ポリシーで")
    noted = diagnose(
        "An error occurred (AccessDeniedException) when calling the GetItem operation: User: "
        "arn:aws:sts::123456789012:assumed-role/my-execution-role/abc is not authorized to "
        "perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/x"
    )
    assert noted.role == "task"
    assert "なお、呼び出し元の my-execution-role はタスク実行ロールです。" in noted.explanation
    with pytest.raises(TypeError, match="エラーメッセージをテキスト"):
        diagnose(None)  # type: ignore[arg-type]


def test_the_command_line_in_japanese(lab, capsys):
    text = failure_text(lab, "task-role-without-sqs")
    assert main(["explain", text]) == 0
    english = capsys.readouterr().out
    assert main(["explain", "--lang", "ja", text]) == 0
    out = capsys.readouterr().out
    assert out.startswith("疑う対象: タスクロール (runtime-sqs、実行フェーズ)\n")
    assert "直し方: タスクロールのポリシーに" in out
    assert not english_left(out), out
    assert main(["explain", "--lang=ja", "--json", text]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["role"], answer["category"], answer["phase"]) == ("task", "runtime-sqs", "run")
    assert answer["explanation"].startswith("タスクは実行中でした。")
    assert main(["explain", "--lang", "en", text]) == 0
    assert capsys.readouterr().out == english


def test_explain_lang_through_a_subprocess():
    """``ecslab explain`` as a learner runs it: --lang, else ECSLAB_LANG, else English."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    message = corpus_messages()["neither-passrole-runtask-lambda"]

    def explain(*arguments: str, lang: str | None = None) -> str:
        env = dict(os.environ, PYTHONPATH=str(root), PYTHONIOENCODING="utf-8")
        env.pop("ECSLAB_LANG", None)
        if lang is not None:
            env["ECSLAB_LANG"] = lang
        done = subprocess.run(
            [sys.executable, "-m", "ecslab.cli", "explain", *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=True,
        )
        return done.stdout

    english = explain(message)
    assert english.startswith("Suspect: the deployer's own permissions (pass-role, deploy phase).")
    japanese = explain("--lang", "ja", message)
    assert japanese.startswith("疑う対象: デプロイする側自身の権限 (pass-role、デプロイフェーズ)")
    assert explain(message, lang="ja") == japanese  # ECSLAB_LANG when --lang is left out
    assert explain("--lang", "en", message, lang="ja") == english  # --lang wins
    assert "ECS / IAM のエラーメッセージを診断し" in explain("--lang", "ja", "--help")


def test_an_unknown_language_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["explain", "--lang", "fr", "AccessDenied"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --lang: invalid choice: 'fr'" in err
    assert "en" in err and "ja" in err
