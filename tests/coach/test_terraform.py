"""Terraform in and out (ecslab.coach.terraform): the article's Terraform applied to a lab as the
learner, what AWS then does with it, errors that name the file, block and line and leave the lab
as it was, and to_terraform → load_terraform round trips."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from botocore.exceptions import ClientError

from ecslab import Lab
from ecslab.coach.lessons.nb07 import ARTICLE_FILE, article_terraform
from ecslab.coach.terraform import TerraformError, load_terraform, to_terraform
from ecslab.lab.course import ECS_TRUST, EXECUTION_ROLE, TASK_ROLE

HERE = Path(__file__).parent / "terraform"
ARTICLE = ARTICLE_FILE  # the article's Terraform, package data
ORDERS = HERE / "orders.tf"  # the orders task definition, with the article's two roles

EXECUTION_ARNS = [
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
]
TASK_ARNS = [
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
]
TASK_FIELDS = (
    "family",
    "executionRoleArn",
    "taskRoleArn",
    "networkMode",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "containerDefinitions",
)


def roles_state(lab: Lab, names: tuple[str, ...] = (EXECUTION_ROLE, TASK_ROLE)) -> dict[str, Any]:
    """What decides a role's permissions: trust, managed policies and their documents, inline
    documents, and the role's path, description, session length and boundary."""
    state = {}
    account = lab.world.account
    for name in names:
        role = lab.role(name)
        stored = role.stored()
        state[name] = {
            "arn": role.arn,
            "trust": role.trust_policy,
            "managed": {
                arn: json.loads(account.managed_policy_document(arn) or "{}")
                for arn in role.managed_policy_arns
            },
            "inline": {p: role.inline_policy(p) for p in role.inline_policy_names},
            "path": stored.path,
            "description": stored.description,
            "max_session": stored.max_session_duration,
            "boundary": stored.permissions_boundary_arn,
        }
    return state


def task_fields(lab: Lab, reference: str | None = None) -> dict[str, Any]:
    described = lab.task_definition(reference)
    return {k: described.get(k) for k in TASK_FIELDS}


def lab_state(lab: Lab) -> tuple[Any, ...]:
    latest = lab.ecs.latest_revision(lab.resources.family)
    return roles_state(lab), latest, sorted(r.name for r in lab.world.account.iam.roles.values())


# -- the article's Terraform ----------------------------------------------------------------------


# The article's two code samples (its lines 87-110 and 112-135; line 111 is prose between them),
# each line with its spaces collapsed and the blank lines dropped, joined by newlines: the SHA-256
# recorded when article.tf was copied from the article (../shared/seed/article-ja.txt).
ARTICLE_LINES_SHA256 = "b2ed9f86d9534be28b43a309c55045cc0c6991b8da51a1950f689b16267f2566"


def test_the_package_data_is_the_articles_terraform_line_for_line():
    text = ARTICLE.read_text("utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    assert hashlib.sha256("\n".join(lines).encode()).hexdigest() == ARTICLE_LINES_SHA256
    # laid out as terraform fmt writes it: two-space indents, a blank line between blocks
    assert '\n\n# タスクロール\nresource "aws_iam_role" "ecs_task" {\n  name = ' in text
    assert article_terraform("ja") == text


def test_the_english_edition_translates_the_comments_and_nothing_else():
    english, japanese = article_terraform("en"), article_terraform("ja")
    assert hcl2.loads(english)["resource"] == hcl2.loads(japanese)["resource"]
    code = [line for line in english.splitlines() if not line.startswith("#")]
    assert code == [line for line in japanese.splitlines() if not line.startswith("#")]
    assert not re.search(r"[ぁ-んァ-ン一-龥]", english)
    with pytest.raises(ValueError, match='language is "en" or "ja"'):
        article_terraform("fr")


@pytest.fixture
def article_and_orders(tmp_path):
    """A directory with the article's Terraform and the orders task definition, as a learner's
    project would hold them."""
    (tmp_path / "article.tf").write_text(ARTICLE.read_text("utf-8"), "utf-8")
    (tmp_path / "orders.tf").write_text(ORDERS.read_text("utf-8"), "utf-8")
    return tmp_path


def test_the_orders_fixture_uses_the_courses_image(lab):
    assert f'image     = "{lab.resources.image}"' in ORDERS.read_text("utf-8")


def test_the_articles_terraform_loads_as_written_and_replaces_the_course_roles(lab):
    result = load_terraform(lab, ARTICLE)

    assert result.roles_replaced == (EXECUTION_ROLE, TASK_ROLE)
    assert result.roles_created == ()
    assert result.task_definitions == () and result.task_definition is None
    assert result.ignored == ()
    assert lab.execution_role.managed_policy_arns == EXECUTION_ARNS
    assert lab.task_role.managed_policy_arns == TASK_ARNS
    # every policy the course gave them is gone: detached, inline policies deleted
    assert lab.execution_role.inline_policy_names == []
    assert lab.task_role.inline_policy_names == []
    assert lab.execution_role.trust_policy == ECS_TRUST
    assert lab.task_role.trust_policy == ECS_TRUST
    text = result.describe()
    assert repr(result) == text
    assert "replaced role ecs-execution-role" in text
    assert "AmazonEC2ContainerRegistryReadOnly, CloudWatchLogsFullAccess" in text


def test_it_is_applied_as_the_learner_through_iam(lab):
    start = len(lab.trace)
    load_terraform(lab, ARTICLE)
    events = lab.trace.events[start:]
    assert {e.principal for e in events} == {"you (administrator)"}
    actions = [e.action for e in events]
    assert actions.count("iam:UpdateAssumeRolePolicy") == 2
    assert (
        actions.count("iam:DetachRolePolicy") == 1
    )  # the course's AmazonECSTaskExecutionRolePolicy
    assert actions.count("iam:DeleteRolePolicy") == 2  # the course's two inline policies
    assert actions.count("iam:AttachRolePolicy") == 4
    assert all(e.allowed for e in events)


def test_with_the_articles_roles_the_course_task_fails_at_launch_on_its_injected_secrets(lab):
    load_terraform(lab, ARTICLE)

    task = lab.run_task()  # the course's task definition: two injected secrets

    assert task.stop_code == "TaskFailedToStart"
    assert not task.started
    reason = task.stopped_reason
    assert reason.startswith("ResourceInitializationError: unable to pull secrets or registry auth")
    # the agent sets up SSM secrets before Secrets Manager ones (initSecretResources: asmauth,
    # ssmsecret, asmsecret; docs/research/ecs_lifecycle.md §1.3): the launch stops at SSM
    assert "unable to retrieve secrets from ssm" in reason
    assert "ssm:GetParameters" in reason
    assert "assumed-role/ecs-execution-role/" in reason
    assert "secretsmanager" not in reason
    denied = [e for e in task.trace if not e.allowed]
    assert [(e.role, e.action) for e in denied] == [(EXECUTION_ROLE, "ssm:GetParameters")]
    # what the article did give the execution role works: the registry answered
    assert any(e.action == "ecr:GetAuthorizationToken" and e.allowed for e in task.trace)


def test_with_a_task_definition_without_secrets_it_launches_and_the_app_is_denied_putitem(
    lab, article_and_orders
):
    result = load_terraform(lab, article_and_orders)

    assert result.files == (
        str(article_and_orders / "article.tf"),
        str(article_and_orders / "orders.tf"),
    )
    assert result.task_definition == "orders:2"
    assert result.ignored == ("provider.aws", "aws_ecs_cluster.orders")
    registered = lab.task_definition("orders:2")
    assert registered["cpu"] == "256" and registered["memory"] == "512"  # numbers, as strings
    assert registered["executionRoleArn"] == lab.execution_role.arn
    assert registered["taskRoleArn"] == lab.task_role.arn
    assert registered["containerDefinitions"][0]["secrets"] == []

    task = lab.run_task(result.task_definition)

    assert task.started
    assert task.stop_code == "EssentialContainerExited"
    assert task.exit_code == 1
    # the launch needed only ECR and CloudWatch Logs: both allowed by the article's policies
    launch = [e for e in task.trace if e.phase == "launch"]
    assert launch and all(e.allowed for e in launch)
    run = [(e.action, e.allowed, e.role) for e in task.trace if e.phase == "run"]
    assert run[:2] == [
        ("s3:GetObject", True, TASK_ROLE),  # AmazonS3ReadOnlyAccess reads the config
        ("dynamodb:PutItem", False, TASK_ROLE),  # AmazonDynamoDBReadOnlyAccess cannot write
    ]
    assert "dynamodb:GetItem" not in [action for action, _, _ in run]  # the app stopped there
    assert task.logs[-1].startswith(
        "ERROR An error occurred (AccessDeniedException) when calling the PutItem operation: "
        "User: arn:aws:sts::123456789012:assumed-role/ecs-task-role/"
    )
    assert task.logs[-1].endswith(
        "is not authorized to perform: dynamodb:PutItem on resource: "
        "arn:aws:dynamodb:ap-northeast-1:123456789012:table/orders because no identity-based "
        "policy allows the dynamodb:PutItem action"
    )


def test_app_is_the_program_of_the_essential_container(lab, article_and_orders):
    def hello() -> None:
        print("hello from the Terraform task")

    result = load_terraform(lab, article_and_orders, app=hello)
    task = lab.run_task(result.task_definition)
    assert task.logs == ["hello from the Terraform task"]
    assert task.exit_code == 0


# -- errors ---------------------------------------------------------------------------------------

# The learner's mistakes, each an edit of the article's Terraform: (the text replaced, by what).
# A replaced text occurs once in the article; "" appends.
MISTAKES = {
    "syntax": ('  name = "ecs-task-role"', '  name "ecs-task-role"'),
    "unknown_reference": (
        "  role       = aws_iam_role.ecs_task.name\n"
        '  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"',
        "  role       = aws_iam_role.ecs_tsk.name\n"
        '  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"',
    ),
    "name_prefix": ('  name = "ecs-task-role"', '  name_prefix = "ecs-task-"'),
    "misspelled_arn": ('AmazonDynamoDBReadOnlyAccess"', 'AmazonDynamoDBReadOnlyAcess"'),
    "malformed_policy": (
        "",
        "\n# タスクロールに注文の書き込みを許可\n"
        'resource "aws_iam_role_policy" "ecs_task_orders_write" {\n'
        '  name = "orders-write"\n'
        "  role = aws_iam_role.ecs_task.id\n"
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [{\n"
        '      Effect = "Allow"\n'
        '      Action = ["dynamodb:PutItem"]\n'
        "    }]\n"
        "  })\n"
        "}\n",
    ),
    "policy_document_file": (
        "",
        "\n# 信頼ポリシーを別ファイルから読む\n"
        'data "aws_iam_policy_document" "ecs_trust" {\n'
        '  source_policy_documents = [file("${path.module}/trust.json")]\n'
        "}\n",
    ),
}


def mistake(name: str, folder: Path) -> Path:
    """The article's Terraform with one mistake, written to ``folder/<name>.tf``."""
    old, new = MISTAKES[name]
    text = ARTICLE.read_text("utf-8")
    if old:
        assert text.count(old) == 1, f"{name}: the edit must replace one place of the article"
        text = text.replace(old, new)
    else:
        text += new
    path = folder / f"{name}.tf"
    path.write_text(text, "utf-8")
    return path


ERROR_CASES = [
    # mistake, block, line where the block starts, what the message says
    ("syntax", "aws_iam_role.ecs_task", 29, "right after line 30 ('name \"ecs-task-role\"')"),
    (
        "unknown_reference",
        "aws_iam_role_policy_attachment.ecs_task_s3_read_only",
        44,
        'a resource "aws_iam_role" "ecs_tsk" is not declared in these files. Did you mean '
        '"aws_iam_role.ecs_task"?',
    ),
    ("name_prefix", "aws_iam_role.ecs_task", 29, "name_prefix gives the role a random name"),
    (
        "misspelled_arn",
        "aws_iam_role_policy_attachment.ecs_task_dynamodb_read_only",
        50,
        "NoSuchEntity: Policy arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAcess does not exist "
        "or is not attachable. (No AWS managed policy is named 'AmazonDynamoDBReadOnlyAcess'. Did "
        "you mean: AmazonDynamoDBReadOnlyAccess",
    ),
    (
        "malformed_policy",
        "aws_iam_role_policy.ecs_task_orders_write",
        56,
        "policy (line 59): IAM would refuse PutRolePolicy: MalformedPolicyDocument: Policy "
        "statement must contain resources.",
    ),
    (
        "policy_document_file",
        "data.aws_iam_policy_document.ecs_trust",
        56,
        "source_policy_documents is not supported",
    ),
]


def test_every_mistake_has_its_case():
    assert sorted(MISTAKES) == sorted(case[0] for case in ERROR_CASES)


@pytest.mark.parametrize(("name", "block", "line", "says"), ERROR_CASES)
def test_a_mistake_names_file_block_and_line_and_changes_nothing(
    lab, tmp_path, name, block, line, says
):
    file = mistake(name, tmp_path)
    before = lab_state(lab)

    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, file)

    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.file, error.block, error.line) == (str(file), block, line)
    assert str(error).startswith(f"{block} ({file}, line {line}): ")
    assert says in str(error)
    assert lab_state(lab) == before


def test_the_line_is_where_the_block_starts_in_the_file(tmp_path):
    for name, block, line, _ in ERROR_CASES:
        header = mistake(name, tmp_path).read_text("utf-8").splitlines()[line - 1]
        kind, _, rest = block.partition(".")
        if kind == "data":
            type_, data_name = rest.split(".")
            assert header == f'data "{type_}" "{data_name}" {{'
        else:
            assert header == f'resource "{kind}" "{rest}" {{'


def test_a_syntax_error_gives_the_position_lark_stopped_at(tmp_path):
    with pytest.raises(TerraformError) as raised:
        load_terraform(Lab(), mistake("syntax", tmp_path))
    assert raised.value.position == (31, 3)
    assert "unexpected 'assume_role_policy' (expected '{')" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "block", "line", "says"),
    [
        (
            'resource "aws_iam_role" "a" {\n  name = "a"\n}\n\nresource "aws_iam_role" "b" {\n'
            '  name = "b\n  assume_role_policy = "{}"\n}\n',
            "aws_iam_role.b",
            5,
            "syntax error at line 6, column 10: this string is not closed on its line",
        ),
        (
            'resource "aws_iam_role" "a" {\n  name = "a"\n\nresource "aws_iam_role" "b" {\n}\n',
            "aws_iam_role.a",
            1,
            "still open",
        ),
        (
            '\n\nresource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = '
            'file("trust.json")\n}\n',
            "aws_iam_role.x",
            3,
            "assume_role_policy (line 5): file() reads another file",
        ),
        (
            'resource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = templatefile('
            '"trust.tpl", {})\n}\n',
            "aws_iam_role.x",
            1,
            "templatefile() reads another file",
        ),
        (
            'resource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = {\n'
            '    Version = "2012-10-17"\n  }\n}\n',
            "aws_iam_role.x",
            1,
            "a string is required, not an object: write assume_role_policy = jsonencode({...})",
        ),
        (
            'resource "aws_iam_role_policy_attachment" "x" {\n  role = aws_iam_role.t.arn\n'
            '  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"\n}\n'
            'resource "aws_iam_role" "t" {\n  name = "t"\n  assume_role_policy = jsonencode('
            '{Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "sts:AssumeRole",'
            ' Principal = { Service = "ecs-tasks.amazonaws.com" }}]})\n}\n',
            "aws_iam_role_policy_attachment.x",
            1,
            "role: IAM wants the role's name here, not its ARN",
        ),
        (
            'resource "aws_iam_role_policy_attachment" "x" {\n  role = "ecs-task-role"\n'
            '  policy_arn = "AmazonS3ReadOnlyAccess"\n}\n',
            "aws_iam_role_policy_attachment.x",
            1,
            "ARN AmazonS3ReadOnlyAccess is not valid: did you mean "
            "'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'?",
        ),
        (
            'resource "aws_iam_role_policy_attachment" "x" {\n  role = "ecs-task-role"\n'
            '  policy_arn = "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"\n}\n',
            "aws_iam_role_policy_attachment.x",
            1,
            "has the ARN arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        ),
        (
            'resource "aws_iam_role" "x" {\n  count = 2\n  name = "x"\n}\n',
            "aws_iam_role.x",
            1,
            "count is not supported",
        ),
        (
            'variable "env" {}\n\nresource "aws_iam_role" "x" {\n  name = "orders-${var.env}"\n}\n',
            "variable.env",
            1,
            'variable "env" has no default',
        ),
        (
            'resource "aws_iam_role_policy" "x" {\n  name = "x"\n  role = "ecs-task-role"\n'
            '  polcy = "{}"\n}\n',
            "aws_iam_role_policy.x",
            1,
            'an argument named "polcy" is not expected in resource "aws_iam_role_policy". Did '
            'you mean "policy"?',
        ),
        (
            'resource "aws_ecs_task_definition" "x" {\n  family = "x"\n'
            '  container_definitions = jsonencode([{ name = "a", image = "nginx", '
            "port_mappings = [] }])\n}\n",
            "aws_ecs_task_definition.x",
            1,
            'container 0 has a field "port_mappings" that ECS does not have (the AWS provider '
            'would drop it without a word). Did you mean "portMappings"?',
        ),
        (
            'resource "aws_ecs_task_definition" "x" {\n  family = "x"\n'
            '  requires_compatibilities = ["FARGATE"]\n  cpu = 256\n  memory = 4096\n'
            '  container_definitions = jsonencode([{ name = "a", image = "nginx" }])\n}\n',
            "aws_ecs_task_definition.x",
            1,
            "ECS would refuse RegisterTaskDefinition: ClientException: No Fargate configuration "
            "exists for given values: 256 CPU, 4096 memory.",
        ),
        (
            'resource "aws_ecs_task_definition" "x" {\n  family = "x"\n'
            '  container_definitions = jsonencode([{ name = "a", image = "nginx" }])\n}\n'
            'resource "aws_iam_role_policy" "p" {\n  name = "p"\n  role = "ecs-task-role"\n'
            '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",'
            ' Action = "ecs:RunTask", Resource = aws_ecs_task_definition.x.arn }] })\n}\n',
            "aws_iam_role_policy.p",
            5,
            "aws_ecs_task_definition.x.arn is known only after apply",
        ),
        (
            'resource "aws_dynamodb_table" "orders" {\n  name = "orders"\n}\n'
            'resource "aws_iam_role_policy" "p" {\n  name = "p"\n  role = "ecs-task-role"\n'
            '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",'
            ' Action = "dynamodb:PutItem", Resource = aws_dynamodb_table.orders.arn }] })\n}\n',
            "aws_iam_role_policy.p",
            4,
            "ecslab does not apply aws_dynamodb_table blocks",
        ),
        (
            'resource "aws_iam_role_policy" "p" {\n  name = "p"\n  role = "ecs-task-role"\n'
            '  policy = <<EOF\n{"Version": "2012-10-17", "Statement": [\n}\nEOF\n}\n',
            "aws_iam_role_policy.p",
            1,
            "MalformedPolicyDocument: Syntax errors in policy.",
        ),
        (
            'resource "aws_iam_role" "x" {\n  name = "x"\n  assume_role_policy = jsonencod({})\n'
            "}\n",
            "aws_iam_role.x",
            1,
            'the function "jsonencod" is not supported',
        ),
        (
            'resouce "aws_iam_role" "x" {\n}\n',
            'resouce "aws_iam_role" "x"',
            1,
            'Did you mean "resource"?',
        ),
    ],
)
def test_mistakes_in_hcl_text(lab, text, block, line, says):
    before = lab_state(lab)
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, text)
    error = raised.value
    assert (error.file, error.block, error.line) == ("<terraform text>", block, line)
    assert says in str(error)
    assert lab_state(lab) == before


# "Did you mean": the closest declared block, attribute, variable or local of the kind written.
EXTRA_BLOCKS = """
variable "task_role_name" {
  default = "ecs-task-role"
}

locals {
  orders_table = "orders"
}

data "aws_iam_policy_document" "pass_roles" {
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ecs_execution_pass" {
  name   = "pass"
  role   = aws_iam_role.ecs_execution.id
  policy = data.aws_iam_policy_document.pass_roles.json
}
"""


@pytest.mark.parametrize(
    ("written", "meant", "says"),
    [
        (  # the brief's case: a misspelt role in the task definition
            "aws_iam_role.ecs_execution.arn",
            "aws_iam_role.ecs_executon.arn",
            'a resource "aws_iam_role" "ecs_executon" is not declared in these files. Did you '
            'mean "aws_iam_role.ecs_execution"?',
        ),
        (
            "aws_iam_role.ecs_execution.arn",
            "aws_iam_role.ecs_execution.arm",
            'aws_iam_role.ecs_execution has no attribute "arm" ecslab can resolve (it knows: '
            "arn, assume_role_policy, create_date, id, name, path, unique_id). Did you mean "
            '"arn"?',
        ),
        (
            "aws_iam_role.ecs_task.arn",
            "aws_iam_role.ecs_task.role_arn",
            'Did you mean "arn"?',
        ),
        (  # a misspelt type: the closest type, then the name in it
            "aws_iam_role.ecs_task.arn",
            "aws_iam_rol.ecs_task.arn",
            'Did you mean "aws_iam_role.ecs_task"?',
        ),
        (  # a name of another type: the role it points at, and where that name is
            "aws_iam_role.ecs_task.arn",
            "aws_iam_role.ecs_task_s3_read_only.arn",
            'Did you mean "aws_iam_role.ecs_task"? (ecs_task_s3_read_only is declared as '
            "aws_iam_role_policy_attachment.ecs_task_s3_read_only.)",
        ),
        (  # nothing close: no guess, the roles there are
            "aws_iam_role.ecs_task.arn",
            "aws_iam_role.app.arn",
            'a resource "aws_iam_role" "app" is not declared in these files. The aws_iam_role '
            "blocks in these files: aws_iam_role.ecs_execution, aws_iam_role.ecs_task.",
        ),
        (
            "data.aws_iam_policy_document.pass_roles.json",
            "data.aws_iam_policy_document.pass_role.json",
            'Did you mean "data.aws_iam_policy_document.pass_roles"?',
        ),
        (
            "data.aws_iam_policy_document.pass_roles.json",
            "data.aws_iam_policy_documents.pass_roles.json",
            'Did you mean "data.aws_iam_policy_document.pass_roles"?',
        ),
        (  # not another data source whose name only shares the type's prefix
            "data.aws_iam_policy_document.pass_roles.json",
            "data.aws_iam_policy_document.ecs_task.json",
            "The aws_iam_policy_document blocks in these files: "
            "data.aws_iam_policy_document.pass_roles.",
        ),
        (
            "data.aws_iam_policy_document.pass_roles.json",
            "data.aws_iam_policy_document.pass_roles.jsn",
            'Did you mean "json"?',
        ),
        ('"ecs-task-role"', "var.task_rol_name", 'Did you mean "task_role_name"?'),
        ('"ecs-task-role"', "var.cluster", "The variables declared: task_role_name."),
        ('"pass"', "local.orders_tabel", 'Did you mean "orders_table"?'),
    ],
)
def test_did_you_mean_names_the_closest_declared_one_of_the_kind_written(lab, written, meant, says):
    text = ARTICLE.read_text("utf-8") + "\n" + ORDERS.read_text("utf-8") + EXTRA_BLOCKS
    if written == '"ecs-task-role"':
        text = text.replace('  name = "ecs-task-role"', f"  name = {meant}", 1)
    elif written == '"pass"':
        text = text.replace('  name   = "pass"', f"  name   = {meant}", 1)
    else:
        assert written in text
        text = text.replace(written, meant, 1)
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, text)
    assert f"{meant}: " in str(raised.value) or f'no attribute "{meant.rsplit(".")[-1]}"' in str(
        raised.value
    )
    assert says in str(raised.value)


def test_a_refusal_while_applying_puts_back_what_was_applied(lab, monkeypatch, article_and_orders):
    before = lab_state(lab)

    def refuse(definition, programs=None):
        raise ClientError(
            {"Error": {"Code": "ClientException", "Message": "simulated refusal"}},
            "RegisterTaskDefinition",
        )

    monkeypatch.setattr(lab, "register_task_definition", refuse)
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, article_and_orders)

    error = raised.value
    assert error.block == "aws_ecs_task_definition.orders"
    assert (error.file, error.line) == (str(article_and_orders / "orders.tf"), 10)
    assert "AWS refused RegisterTaskDefinition: ClientException: simulated refusal" in str(error)
    assert "nothing was changed" in str(error)
    # the roles had been replaced by then (the trace says so); they are the course's again
    assert any(e.action == "iam:AttachRolePolicy" for e in lab.trace.events)
    assert lab_state(lab) == before


def test_a_mistake_in_one_file_of_a_directory_names_that_file(lab, tmp_path):
    (tmp_path / "article.tf").write_text(ARTICLE.read_text("utf-8"), "utf-8")
    (tmp_path / "roles.tf").write_text('resource "aws_iam_role" "x" {\n  name = \n}\n', "utf-8")
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, tmp_path)
    assert raised.value.file == str(tmp_path / "roles.tf")
    assert (raised.value.block, raised.value.line) == ("aws_iam_role.x", 1)


def test_a_path_that_is_not_there():
    with pytest.raises(TerraformError, match=r"is not a \.tf file or a directory"):
        load_terraform(Lab(), "no/such/main.tf")


# -- what else it reads ---------------------------------------------------------------------------


def test_policy_documents_variables_locals_heredocs_and_customer_policies(lab):
    text = HERE / "features"
    result = load_terraform(lab, text)

    assert result.roles_created == ("orders-dev",)
    assert result.policies == ("arn:aws:iam::123456789012:policy/ecs/orders-table",)
    assert result.ignored == ("output.role_arn",)
    role = lab.role("orders-dev")
    assert role.arn == "arn:aws:iam::123456789012:role/ecs/orders-dev"
    assert role.trust_policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    assert role.managed_policy_arns == [
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        "arn:aws:iam::123456789012:policy/ecs/orders-table",
    ]
    assert role.inline_policy("config")["Statement"][0]["Resource"] == (
        "arn:aws:s3:::orders-config-123456789012/${aws:username}/*"
    )
    orders = json.loads(lab.world.account.managed_policy_document(result.policies[0]) or "{}")
    assert orders["Statement"] == [
        {
            "Sid": "Orders",
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
            "Resource": "arn:aws:dynamodb:ap-northeast-1:123456789012:table/orders",
        }
    ]
    stored = role.stored()
    assert (stored.description, stored.max_session_duration) == ("the orders app", 7200)

    # applied again, the same Terraform replaces the role and leaves the unchanged policy alone
    again = load_terraform(lab, text)
    assert again.roles_replaced == ("orders-dev",) and again.policies == ()
    assert roles_state(lab, ("orders-dev",))["orders-dev"]["managed"] == {
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": json.loads(
            lab.world.account.managed_policy_document(
                "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
            )
            or "{}"
        ),
        result.policies[0]: orders,
    }


def test_container_definitions_as_a_json_heredoc_with_any_case_field_names(lab):
    text = f"""
resource "aws_ecs_task_definition" "web" {{
  family                   = "web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "512"
  memory                   = "1 GB"
  execution_role_arn       = "{lab.execution_role.arn}"
  container_definitions    = <<EOF
[
  {{
    "Name": "web",
    "image": "{lab.resources.image}",
    "portMappings": [{{"containerPort": 8080, "protocol": "tcp"}}],
    "environment": [{{"name": "STAGE", "value": null}}]
  }}
]
EOF
}}
"""
    result = load_terraform(lab, text)
    registered = lab.task_definition(result.task_definition)
    container = registered["containerDefinitions"][0]
    assert container["name"] == "web"  # "Name" matched as the provider's JSON decoder does
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert container["environment"] == [{"name": "STAGE"}]  # the null dropped
    assert (registered["cpu"], registered["memory"]) == ("512", "1024")


# -- to_terraform ---------------------------------------------------------------------------------


def test_to_terraform_writes_idiomatic_hcl_that_hcl2_parses(lab):
    text = to_terraform(lab)

    parsed = hcl2.loads(text)
    types = [next(iter(r)) for r in parsed["resource"]]
    assert types == [
        '"aws_iam_role"',
        '"aws_iam_role_policy_attachment"',
        '"aws_iam_role_policy"',
        '"aws_iam_role"',
        '"aws_iam_role_policy"',
        '"aws_ecs_task_definition"',
    ]
    assert 'resource "aws_iam_role" "ecs_execution" {' in text
    assert '  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n' in text
    assert '        Principal = { Service = "ecs-tasks.amazonaws.com" }\n' in text
    assert "  execution_role_arn       = aws_iam_role.ecs_execution.arn\n" in text
    assert "  task_role_arn            = aws_iam_role.ecs_task.arn\n" in text
    assert "  role = aws_iam_role.ecs_task.id\n" in text
    assert '"arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"' in text
    assert "container_definitions = jsonencode([" in text
    assert '\\"' not in text  # no JSON in strings: documents are HCL objects
    assert to_terraform(lab) == text  # the same lab, the same text


def test_round_trip_of_the_course_lab(lab):
    text = to_terraform(lab)
    roles, task = roles_state(lab), task_fields(lab)

    rebuilt = Lab()
    result = load_terraform(rebuilt, text)

    assert result.roles_replaced == (EXECUTION_ROLE, TASK_ROLE)
    assert result.task_definition == "orders:2"
    assert roles_state(rebuilt) == roles
    assert task_fields(rebuilt, "orders:2") == task
    assert to_terraform(rebuilt) == text
    finished = rebuilt.run_task()
    assert (finished.stop_code, finished.exit_code) == ("EssentialContainerExited", 0)


def test_round_trip_of_a_changed_lab(lab, article_and_orders):
    load_terraform(lab, article_and_orders)
    lab.client("iam").create_policy(
        PolicyName="orders-writer",
        Path="/ecs/",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "dynamodb:PutItem",
                        "Resource": lab.resources.table_arn,
                        "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["a"]}},
                    }
                ],
            }
        ),
    )
    lab.task_role.attach("arn:aws:iam::123456789012:policy/ecs/orders-writer")
    lab.task_role.put_inline(
        "per-user",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
                }
            ],
        },
    )
    text = to_terraform(lab)
    assert 'Resource = "arn:aws:s3:::bucket/$${aws:username}/*"' in text
    assert '"ForAllValues:StringEquals" = {\n            "dynamodb:Attributes" = ["a"]\n' in text
    assert "policy_arn = aws_iam_policy.orders_writer.arn" in text
    roles, task = roles_state(lab), task_fields(lab)

    rebuilt = Lab()
    load_terraform(rebuilt, text)

    assert roles_state(rebuilt) == roles
    assert task_fields(rebuilt) == task


def test_policies_replace_a_roles_permissions_with_one_managed_policy(lab):
    least = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/config/*"}
        ],
    }
    text = to_terraform(lab, policies={TASK_ROLE: least})

    assert 'resource "aws_iam_policy" "ecs_task" {' in text
    assert "  policy_arn = aws_iam_policy.ecs_task.arn\n" in text
    assert '"aws_iam_role_policy" "ecs_task_' not in text  # the task role's inline policy left out
    assert '"aws_iam_role_policy" "ecs_execution_' in text  # the execution role's kept
    execution = roles_state(lab)[EXECUTION_ROLE]

    rebuilt = Lab()
    load_terraform(rebuilt, text)

    assert rebuilt.task_role.inline_policy_names == []
    assert roles_state(rebuilt)[TASK_ROLE]["managed"] == {
        "arn:aws:iam::123456789012:policy/ecs-task-role-policy": least
    }
    assert roles_state(rebuilt)[EXECUTION_ROLE] == execution


def test_to_terraform_of_chosen_roles_and_its_refusals(lab):
    lab.create_role("worker", managed=("AmazonSQSFullAccess",))
    text = to_terraform(lab, roles=["worker"])
    assert 'resource "aws_iam_role" "worker" {' in text
    assert "ecs-task-role" not in text.split('resource "aws_ecs_task_definition"')[0]
    # the task definition's roles are not written, so it names them by ARN
    assert f'  task_role_arn            = "{lab.task_role.arn}"\n' in text
    with pytest.raises(ValueError, match="no role named 'nobody'"):
        to_terraform(lab, roles=["nobody"])
    with pytest.raises(ValueError, match="policies names roles that are not written"):
        to_terraform(lab, roles=["worker"], policies={TASK_ROLE: {}})


def test_least_privilege_terraform_round_trip_runs_the_task():
    """Run, write least-privilege Terraform, build a fresh lab from it: the task still runs."""
    import hcl2

    from ecslab import Lab

    lab = Lab()
    lab.execution_role.attach("CloudWatchLogsFullAccess")  # the article's wide policy
    assert lab.run_task().exit_code == 0
    text = lab.to_terraform(least_privilege=True)
    hcl2.loads(text)
    assert "CloudWatchLogsFullAccess" not in text and "AmazonECSTaskExecutionRolePolicy" not in text
    assert "log-group:/ecs/orders:*" in text and "db-password-??????" in text
    rebuilt = Lab.from_terraform(text)
    assert rebuilt.terraform is not None
    assert rebuilt.execution_role.policies == ["ecs-execution-role-policy"]
    assert rebuilt.task_role.policies == ["ecs-task-role-policy"]
    task = rebuilt.run_task()
    assert (task.exit_code, task.trace.denied().events) == (0, ())


def test_from_terraform_with_a_mistake_leaves_no_lab_open(tmp_path):
    from ecslab import Lab
    from ecslab.cloud.world import open_world
    from ecslab.coach.terraform import TerraformError

    with pytest.raises(TerraformError):
        Lab.from_terraform('resource "aws_iam_role" "x" {\n  name_prefix = "x"\n}\n')
    assert open_world() is None


# The Japanese edition: ecslab's own words in Japanese, file names, lines, block addresses and
# what IAM or ECS would answer (their codes and texts) exactly as in English.
JAPANESE_CASES = [
    (
        "syntax",
        "構文エラー: 予期しない 'assume_role_policy' ('{' が必要)、30 行目",
    ),
    (
        "unknown_reference",
        'リソース "aws_iam_role" "ecs_tsk" はこれらのファイルで宣言されていません。'
        '"aws_iam_role.ecs_task" の間違いではありませんか?',
    ),
    ("name_prefix", "name_prefix を使うと Terraform の apply 時にロールにランダムな名前が付き"),
    (
        "misspelled_arn",
        "IAM は AttachRolePolicy を拒否します: NoSuchEntity: Policy "
        "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAcess does not exist or is not attachable. "
        "('AmazonDynamoDBReadOnlyAcess' という名前の AWS 管理ポリシーはありません。"
        "次の間違いではありませんか: AmazonDynamoDBReadOnlyAccess",
    ),
    (
        "malformed_policy",
        "policy (59 行目): IAM は PutRolePolicy を拒否します: MalformedPolicyDocument: Policy "
        'statement must contain resources. [Statement[0], フィールド Resource; "*" や ARN のような '
        "Resource (または NotResource)]",
    ),
    (
        "policy_document_file",
        "source_policy_documents は ecslab の Terraform リーダーでは使えません",
    ),
]


@pytest.mark.parametrize(("name", "says"), JAPANESE_CASES)
def test_in_japanese_a_mistake_is_explained_in_japanese_beside_awss_own_text(
    lab, tmp_path, name, says
):
    from ecslab.i18n import set_language

    file = mistake(name, tmp_path)
    _name, block, line, english = next(case for case in ERROR_CASES if case[0] == name)
    set_language("ja")
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, file)
    japanese = str(raised.value)
    assert japanese.startswith(f"{block} ({file}, {line} 行目): ")
    assert says in japanese
    set_language("en")
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, file)
    assert str(raised.value).startswith(f"{block} ({file}, line {line}): ")
    assert english in str(raised.value)


def test_in_japanese_hcl_text_mistakes_and_the_summary_are_japanese(lab):
    from ecslab.i18n import set_language

    set_language("ja")
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, 'resouce "aws_iam_role" "x" {\n}\n')
    assert str(raised.value) == (
        'resouce "aws_iam_role" "x" (<terraform text>, 1 行目): "resouce" 型のブロックは '
        'Terraform ファイルのトップレベルには書けません。"resource" の間違いではありませんか?'
    )
    typo = (
        'resource "aws_iam_role" "x" {\n  name = "x"\n'
        '  assume_role_policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": '
        '[{\\"Effect\\": \\"Alow\\"}]}"\n}\n'
    )
    with pytest.raises(TerraformError) as raised:
        load_terraform(lab, typo)
    assert str(raised.value).endswith(
        "assume_role_policy (3 行目): IAM は CreateRole を拒否します: MalformedPolicyDocument: "
        'Syntax errors in policy. [Statement[0], フィールド Effect; "Allow" または "Deny"'
        " ('Alow' ではなく)]"
    )
    summary = load_terraform(lab, ARTICLE).describe()
    assert summary.splitlines() == [
        f"{ARTICLE} の Terraform を適用しました:",
        "  ロール ecs-execution-role を置き換え: 管理ポリシー AmazonEC2ContainerRegistryReadOnly, "
        "CloudWatchLogsFullAccess、インラインポリシー なし",
        "  ロール ecs-task-role を置き換え: 管理ポリシー AmazonS3ReadOnlyAccess, "
        "AmazonDynamoDBReadOnlyAccess、インラインポリシー なし",
    ]
    set_language("en")
    assert load_terraform(lab, ARTICLE).describe().splitlines()[1] == (
        "  replaced role ecs-execution-role: managed policies "
        "AmazonEC2ContainerRegistryReadOnly, CloudWatchLogsFullAccess; inline policies none"
    )
