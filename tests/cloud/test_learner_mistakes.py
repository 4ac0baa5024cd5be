"""Everyday mistakes, as a learner meets them in Jupyter: AWS's answer under their own line.

The cells run in a real IPython kernel (nbclient, as JupyterLab runs them); what is asserted is
the traceback the kernel sends to the notebook. Outside IPython the error is unchanged: still
botocore's ``ClientError`` with AWS's code and text, and Python prints every frame.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from nbclient import NotebookClient

from ecslab.cloud.mistakes import UnknownActionWarning
from ecslab.iam.mistakes import LearnerMistake

ROOT = Path(__file__).resolve().parents[2]
POLICY = '{"Version": "2012-10-17", "Statement": [%s]}'
# Each everyday mistake: the cell a learner types, and the last line of what Jupyter shows.
MISTAKES = {
    "effect typo": (
        'lab.task_role.put_inline("x", '
        + POLICY % '{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}'
        + ")",
        "MalformedPolicyDocumentException: An error occurred (MalformedPolicyDocument) when "
        "calling the PutRolePolicy operation: Syntax errors in policy. [Statement[0], field "
        'Effect; "Allow" or "Deny", not \'Alow\']',
    ),
    "invalid JSON": (
        """lab.task_role.put_inline("x", '{"Version": "2012-10-17", "Statement": [')""",
        "MalformedPolicyDocumentException: An error occurred (MalformedPolicyDocument) when "
        "calling the PutRolePolicy operation: Syntax errors in policy. [valid JSON: Expecting "
        "value at line 1, column 41]",
    ),
    "unknown managed policy": (
        'lab.execution_role.attach("AmazonECSTaskExecutionRolePolcy")',
        "NoSuchEntityException: An error occurred (NoSuchEntity) when calling the "
        "AttachRolePolicy operation: Policy "
        "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolcy does not exist or is not "
        "attachable. (ecslab: No AWS managed policy is named 'AmazonECSTaskExecutionRolePolcy'. "
        "Did you mean: AmazonECSTaskExecutionRolePolicy, AmazonEKSFargatePodExecutionRolePolicy, "
        "AmazonS3ObjectLambdaExecutionRolePolicy?)",
    ),
    "detach what is not attached": (
        'lab.task_role.detach("AmazonS3ReadOnlyAccess")',
        "NoSuchEntityException: An error occurred (NoSuchEntity) when calling the "
        "DetachRolePolicy operation: Policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess was "
        "not found.",
    ),
    "remove an inline policy that does not exist": (
        'lab.task_role.remove_inline("orders-ap")',
        "NoSuchEntityException: An error occurred (NoSuchEntity) when calling the "
        "DeleteRolePolicy operation: The role policy with name orders-ap cannot be found.",
    ),
    "trust policy typo": (
        "lab.execution_role.set_trust_policy("
        + POLICY
        % (
            '{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, '
            '"Action": "sts:AsumeRole"}'
        )
        + ")",
        "MalformedPolicyDocumentException: An error occurred (MalformedPolicyDocument) when "
        "calling the UpdateAssumeRolePolicy operation: AssumeRole policy may only specify STS "
        "AssumeRole actions. [Statement[0], field Action; one of sts:AssumeRole, "
        "sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession, "
        "sts:SetSourceIdentity, sts:SetContext, not 'sts:AsumeRole']",
    ),
    "read an inline policy that does not exist": (
        'lab.task_role.inline_policy("orders-ap")',
        "ClientError: An error occurred (NoSuchEntity) when calling the GetRolePolicy "
        "operation: The role policy with name orders-ap cannot be found.",
    ),
    "a role that does not exist": (
        'lab.role("ecs-tasks-role").policies',
        "ClientError: An error occurred (NoSuchEntity) when calling the GetRole operation: The "
        "role with name ecs-tasks-role cannot be found.",
    ),
    "a role that exists already": (
        'lab.create_role("ecs-task-role")',
        "EntityAlreadyExistsException: An error occurred (EntityAlreadyExists) when calling the "
        "CreateRole operation: Role with name ecs-task-role already exists.",
    ),
    "not a policy name": (
        "lab.task_role.attach(None)",
        "TypeError: attach() takes a managed policy's name or ARN as text (a str), not None",
    ),
}
UNKNOWN_ACTION = (
    'lab.task_role.put_inline("read-secret", '
    + POLICY % '{"Effect": "Allow", "Action": "secretsmanager:GetSecretValu", "Resource": "*"}'
    + ")"
)
NOT_OURS = ("ecslab", "botocore", "contextlib", "site-packages", "File /")


@pytest.fixture(scope="module")
def jupyter() -> dict[str, dict]:
    """Run every mistake in one kernel; the outputs of each cell, by mistake."""
    cells = [f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom ecslab import Lab\nlab = Lab()"]
    cells += [source for source, _ in MISTAKES.values()]
    cells += [UNKNOWN_ACTION, UNKNOWN_ACTION]  # the same cell twice: warned twice
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert not any(o["output_type"] == "error" for o in outputs[0]), outputs[0]
    return {
        "setup": outputs[0],
        **dict(zip(MISTAKES, outputs[1 : 1 + len(MISTAKES)], strict=True)),
        "unknown action": outputs[-2],
        "unknown action again": outputs[-1],
    }


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_jupyter_shows_the_learners_line_and_awss_message_only(jupyter, mistake):
    source, message = MISTAKES[mistake]
    [error] = [o for o in jupyter[mistake] if o["output_type"] == "error"]
    lines = error["traceback"]
    assert lines[-1] == message
    assert [line for line in lines if line.startswith("Cell In[")] == [
        f"Cell In[{2 + list(MISTAKES).index(mistake)}], line 1"
    ]
    assert f"----> 1 {source}" in lines
    assert not [line for line in lines[:-1] if any(word in line for word in NOT_OURS)]
    assert len(lines) == 6  # rule, heading, the cell, its line, a blank line, the error


def test_an_unknown_action_is_kept_with_a_warning_at_the_learners_cell(jupyter):
    first, again = jupyter["unknown action"], jupyter["unknown action again"]
    for outputs, cell in ((first, len(MISTAKES) + 2), (again, len(MISTAKES) + 3)):
        assert not [o for o in outputs if o["output_type"] == "error"]
        [warning] = [o["text"] for o in outputs if o.get("name") == "stderr"]
        # named as IPython names the cell in a traceback, never by the kernel's temporary file
        assert warning == (
            f"Cell In[{cell}]:1: UnknownActionWarning: IAM accepted inline policy "
            "'read-secret' on role ecs-task-role, but it names an action that does not exist, "
            "which allows nothing:\n"
            "  Statement[0].Action: The action secretsmanager:GetSecretValu does not exist. Did "
            "you mean secretsmanager:GetSecretValue or secretsmanager:PutSecretValue or "
            "secretsmanager:BatchGetSecretValue?\n"
        )


def test_the_errors_are_still_botocores_client_errors(lab):
    iam = lab.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as raised:
        lab.task_role.detach("AmazonS3ReadOnlyAccess")
    error = raised.value
    assert isinstance(error, ClientError) and isinstance(error, LearnerMistake)
    assert type(error).__name__ == "NoSuchEntityException"
    assert error.response["Error"]["Code"] == "NoSuchEntity"
    assert error.operation_name == "DetachRolePolicy"
    copy = pickle.loads(pickle.dumps(error))  # as botocore pickles its modeled errors
    assert type(copy) is ClientError and str(copy) == str(error)
    assert copy.response["Error"] == error.response["Error"]
    with pytest.raises(ClientError) as stored:
        lab.role("nobody").arn  # noqa: B018
    assert stored.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_wrong_argument_is_botocores_param_validation_error_still(lab):
    with pytest.raises(ParamValidationError) as raised:
        lab.task_role.remove_inline(None)  # type: ignore[arg-type]
    assert isinstance(raised.value, LearnerMistake)
    copy = pickle.loads(pickle.dumps(raised.value))
    assert type(copy) is ParamValidationError and str(copy) == str(raised.value)


def test_outside_ipython_python_prints_every_frame():
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from ecslab import Lab\n"
        "lab = Lab()\n"
        'lab.task_role.detach("AmazonS3ReadOnlyAccess")\n'
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 1
    assert "ecslab/cloud/roles.py" in result.stderr and "botocore/client.py" in result.stderr
    assert result.stderr.rstrip().endswith(
        "NoSuchEntityException: An error occurred (NoSuchEntity) when calling the "
        "DetachRolePolicy operation: Policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess was "
        "not found."
    )


def test_unknown_actions_are_warned_about_once_per_call_and_valid_wildcards_never(lab):
    def put(action):
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            lab.task_role.put_inline("p", document)
        return [str(w.message) for w in caught if w.category is UnknownActionWarning]

    assert put(["secretsmanager:GetSecretValue", "secretsmanager:*", "s3:Get*", "*"]) == []
    [one] = put(["s3:GetObjekt", "sqs:SendMesage", "secretsmanager:GetSecret*"])
    assert "names actions that do not exist, which allow nothing" in one
    assert "Statement[0].Action[0]: The action s3:GetObjekt does not exist." in one
    assert "Did you mean sqs:SendMessage" in one
    assert "secretsmanager:GetSecret*" not in one
    [pattern] = put("s3:GetObjekt*")
    assert "The action pattern s3:GetObjekt* matches no s3 action." in pattern
    [service] = put("secretmanager:GetSecretValue")
    assert "The service secretmanager specified in the action does not exist." in service
    assert len(put("s3:GetObjekt")) == 1 and len(put("s3:GetObjekt")) == 1  # every call
    assert "p" in lab.task_role.policies  # IAM kept it, as IAM does


def test_in_japanese_aws_answers_as_aws_writes_it_with_ecslabs_explanation_in_japanese(lab):
    """The issue's rule: IAM's error text stays as IAM writes it; ecslab's words beside it (where
    the mistake is, what IAM would accept, the closest policy names) are in Japanese."""
    from ecslab.i18n import set_language

    def message(call) -> str:
        with pytest.raises(ClientError) as raised:
            call()
        return raised.value.response["Error"]["Message"]

    typo = POLICY % '{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}'
    trust = POLICY % (
        '{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, '
        '"Action": "sts:AsumeRole"}'
    )
    calls = {
        "effect typo": lambda: lab.task_role.put_inline("x", typo),
        "invalid JSON": lambda: lab.task_role.put_inline("x", '{"Version": "2012-10-17", "S'),
        "unknown managed policy": lambda: lab.execution_role.attach(
            "AmazonECSTaskExecutionRolePolcy"
        ),
        "trust policy typo": lambda: lab.execution_role.set_trust_policy(trust),
    }
    english = {name: message(call) for name, call in calls.items()}
    set_language("ja")
    japanese = {name: message(call) for name, call in calls.items()}
    assert japanese["effect typo"] == (
        'Syntax errors in policy. [Statement[0], フィールド Effect; "Allow" または "Deny"'
        " ('Alow' ではなく)]"
    )
    assert japanese["invalid JSON"].startswith("Syntax errors in policy. [正しい JSON (1 行 ")
    assert japanese["unknown managed policy"] == (
        "Policy arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolcy does not exist or is not "
        "attachable. (ecslab: 'AmazonECSTaskExecutionRolePolcy' という名前の AWS 管理ポリシーは"
        "ありません。次の間違いではありませんか: AmazonECSTaskExecutionRolePolicy, "
        "AmazonEKSFargatePodExecutionRolePolicy, AmazonS3ObjectLambdaExecutionRolePolicy)"
    )
    assert japanese["trust policy typo"] == (
        "AssumeRole policy may only specify STS AssumeRole actions. [Statement[0], フィールド "
        "Action; sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, "
        "sts:TagSession, sts:SetSourceIdentity, sts:SetContext のいずれか ('sts:AsumeRole' "
        "ではなく)]"
    )
    for name in calls:  # IAM's own sentence, before ecslab's bracket or note, is the same
        assert (
            japanese[name].split(" [")[0].split(" (ecslab")[0]
            == (english[name].split(" [")[0].split(" (ecslab")[0])
        )
    set_language("en")
    assert {name: message(call) for name, call in calls.items()} == english
    assert english["effect typo"] == (
        'Syntax errors in policy. [Statement[0], field Effect; "Allow" or "Deny", not \'Alow\']'
    )


def test_in_japanese_an_unknown_action_is_warned_about_in_japanese(lab):
    from ecslab.i18n import set_language

    def put(action):
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            lab.task_role.put_inline("p", document)
        [warned] = [str(w.message) for w in caught if w.category is UnknownActionWarning]
        return warned

    english = put(["s3:GetObjekt", "sqs:SendMesage"])
    set_language("ja")
    japanese = put(["s3:GetObjekt", "sqs:SendMesage"])
    assert "存在しないアクションが書かれており、それは何も許可しません:\n" in japanese
    assert (
        "  Statement[0].Action[0]: アクション s3:GetObjekt は存在しません。s3:GetObject または "
        "s3:GetObjectAcl の間違いではありませんか?"
    ) in japanese.splitlines()
    set_language("en")
    assert put(["s3:GetObjekt", "sqs:SendMesage"]) == english
    assert english.startswith(
        "IAM accepted inline policy 'p' on role ecs-task-role, but it names actions that do not "
        "exist, which allow nothing:\n  Statement[0].Action[0]: The action s3:GetObjekt does not "
        "exist."
    )


def test_in_japanese_ecslabs_own_refusal_of_an_operation_it_does_not_model():
    from ecslab.cloud.errors import not_modelled
    from ecslab.i18n import set_language

    english = not_modelled("ecs", "ListContainerInstances", ["RunTask"])
    set_language("ja")
    japanese = not_modelled("ecs", "ListContainerInstances", ["RunTask"])
    assert (japanese.status, japanese.code) == (english.status, english.code)
    assert japanese.message == (
        "ecslab はまだ ecs:ListContainerInstances をモデル化していないため、チェックせずに通すの"
        "ではなく、シミュレートされたアカウントが拒否します。モデル化済みの ecs の操作: RunTask。"
    )
