"""diagnose() on the lab's own failures (every one must point at the right role), on messages as
people paste them, and through the command line."""

from __future__ import annotations

import io
import json
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
            "neither",
            "pass-role",
        ),
        (
            "An error occurred (AccessDeniedException) when calling the GetItem operation: User: "
            "arn:aws:sts::123456789012:assumed-role/my-ec2-role/i-0abcdef1234567890 is not "
            "authorized to perform: dynamodb:GetItem on resource: "
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            "neither",
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
