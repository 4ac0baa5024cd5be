"""A learner's mistake is shown in Jupyter with the learner's lines only (ecslab.mistakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ecslab
from ecslab import Lab
from ecslab.coach.terraform import TerraformError
from ecslab.iam import MalformedPolicyDocument, parse_policy
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy
from ecslab.iam.mistakes import LearnerMistake

PACKAGE = str(Path(ecslab.__file__).resolve().parent)
# Code "typed by the learner": compiled under a file name outside ecslab and installed packages,
# as IPython compiles a cell (/tmp/ipykernel_<pid>/<hash>.py).
CELL = """
def mine():
    return managed_policy("AmazonS3ReadOnlyAcess")

mine()
"""


def _raised_in_a_cell(source: str, names: dict) -> BaseException:
    code = compile(source, "/tmp/ipykernel_0/cell.py", "exec")
    with pytest.raises(LearnerMistake) as raised:
        exec(code, dict(names))
    return raised.value


def test_only_the_learners_frames_and_the_message_are_rendered():
    error = _raised_in_a_cell(CELL, {"managed_policy": managed_policy})
    lines = error._render_traceback_()
    text = "\n".join(lines)
    assert lines[1].startswith("UnknownManagedPolicy") and "Traceback" in lines[1]
    assert "File /tmp/ipykernel_0/cell.py, line 5" in text
    assert "File /tmp/ipykernel_0/cell.py, line 3, in mine()" in text
    assert PACKAGE not in text
    assert lines[-1] == (
        "UnknownManagedPolicy: No AWS managed policy is named 'AmazonS3ReadOnlyAcess'. "
        "Did you mean: AmazonS3ReadOnlyAccess, AmazonSSMReadOnlyAccess, AmazonSQSReadOnlyAccess?"
    )
    # ecslab's own frames are still in the exception itself, for a debugger or a bug report.
    assert len(__import__("traceback").extract_tb(error.__traceback__)) > 3


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ('parse_policy({"Version": "2012-10-17", "Statement": []})', MalformedPolicyDocument),
        ('Lab.from_terraform("resource {")', TerraformError),
    ],
)
def test_each_mistake_about_what_the_learner_wrote_renders_so(source, kind):
    error = _raised_in_a_cell(source, {"parse_policy": parse_policy, "Lab": Lab})
    assert isinstance(error, kind) and isinstance(error, ValueError)
    lines = error._render_traceback_()
    assert lines[-1] == f"{kind.__name__}: {error}"
    assert [line for line in lines if "ipykernel_0" in line] == [
        "File /tmp/ipykernel_0/cell.py, line 1"
    ]
    assert not any(PACKAGE in line for line in lines)


def test_the_errors_are_still_what_they_were():
    assert issubclass(UnknownManagedPolicy, LookupError)
    assert issubclass(UnknownManagedPolicy, ValueError)
    assert issubclass(TerraformError, ValueError)


def test_in_japanese_the_explanation_is_japanese_and_iams_text_is_not():
    from ecslab.i18n import set_language

    typo = {"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:*"}]}
    with pytest.raises(MalformedPolicyDocument) as english:
        parse_policy(typo, name="app-policy")
    set_language("ja")
    with pytest.raises(MalformedPolicyDocument) as raised:
        parse_policy(typo, name="app-policy")
    error = raised.value
    assert error.reason == "Syntax errors in policy."  # IAM's text, as IAM writes it
    assert str(error) == (
        "MalformedPolicyDocument: Syntax errors in policy. [ポリシー 'app-policy', Statement[0], "
        'フィールド Effect; "Allow" または "Deny" (\'Alow\' ではなく)]'
    )
    lines = _raised_in_a_cell("parse_policy(typo)", {"parse_policy": parse_policy, "typo": typo})
    assert lines._render_traceback_()[-1].startswith(
        "MalformedPolicyDocument: MalformedPolicyDocument: Syntax errors in policy. [Statement[0], "
        "フィールド Effect;"
    )
    set_language("en")
    with pytest.raises(MalformedPolicyDocument) as again:
        parse_policy(typo, name="app-policy")
    assert (
        str(again.value)
        == str(english.value)
        == (
            "MalformedPolicyDocument: Syntax errors in policy. [policy 'app-policy', Statement[0], "
            'field Effect; "Allow" or "Deny", not \'Alow\']'
        )
    )


@pytest.mark.parametrize(
    ("asked", "japanese"),
    [
        (
            "AmazonS3ReadOnlyAcess",
            "'AmazonS3ReadOnlyAcess' という名前の AWS 管理ポリシーはありません。次の間違いでは"
            "ありませんか: AmazonS3ReadOnlyAccess, AmazonSSMReadOnlyAccess, "
            "AmazonSQSReadOnlyAccess",
        ),
        (
            "amazons3readonlyaccess",
            "'amazons3readonlyaccess' という名前の AWS 管理ポリシーはありません。名前は大文字と"
            "小文字を区別します。'AmazonS3ReadOnlyAccess' の間違いではありませんか?",
        ),
        (
            "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy",
            # IAM's NoSuchEntity text first, as IAM writes it, then ecslab's note in Japanese
            "Policy arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy does not exist or is "
            "not attachable. ポリシー AmazonECSTaskExecutionRolePolicy の ARN は "
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy です"
            " (パスは /service-role/)。",
        ),
        (
            "arn:aws:iam::123456789012:policy/orders",
            "arn:aws:iam::123456789012:policy/orders は AWS 管理ポリシーの ARN ではありません。"
            "AWS 管理ポリシーの ARN は 'arn:aws:iam::aws:policy/NAME' の形です (アカウントは "
            "'aws')。アカウント 123456789012 にあるポリシーはカスタマー管理ポリシーです。",
        ),
    ],
)
def test_in_japanese_an_unknown_managed_policy_says_so_in_japanese(asked, japanese):
    from ecslab.i18n import set_language

    with pytest.raises(UnknownManagedPolicy) as english:
        managed_policy(asked)
    set_language("ja")
    with pytest.raises(UnknownManagedPolicy) as raised:
        managed_policy(asked)
    assert str(raised.value) == japanese
    assert raised.value.suggestions == english.value.suggestions
    set_language("en")
    with pytest.raises(UnknownManagedPolicy) as again:
        managed_policy(asked)
    assert str(again.value) == str(english.value)
