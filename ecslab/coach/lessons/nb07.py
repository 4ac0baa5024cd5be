"""Notebook 07 (Terraform): the article's Terraform, and an exercise to make it right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ecslab.coach.exercises import (
    AGENT_ACTIONS,
    EXERCISES,
    Exercise,
    Spec,
    any_key_problems,
    granted,
    grants,
    ran_to_the_end,
    wider_than_needed,
)
from ecslab.i18n import N_, _
from ecslab.i18n import language as learners_language

if TYPE_CHECKING:
    from ecslab.lab import Lab

# The article's Terraform, once (article.tf, package data): its two roles trusting
# ecs-tasks.amazonaws.com and four managed policy attachments, with the article's own comments.
# The article's copy lost its indentation; article.tf is laid out as `terraform fmt` writes it
# (indented, `=` aligned, a blank line between blocks). Nothing else is changed; a test checks
# its text against the article's.
ARTICLE_FILE = Path(__file__).with_name("article.tf")

# The English edition's comments for the article's (Japanese) comment lines.
_ENGLISH_COMMENTS = {
    "# タスク実行ロール": "# Task execution role",
    "# タスク実行ロールに AmazonEC2ContainerRegistryReadOnly ポリシーをアタッチ": (
        "# Attach AmazonEC2ContainerRegistryReadOnly to the task execution role"
    ),
    (
        "# タスク実行ロールに CloudWatchLogsFullAccess ポリシーをアタッチ"
        "(本来はカスタムに権限を絞る方が良いです)"
    ): (
        "# Attach CloudWatchLogsFullAccess to the task execution role\n"
        '# (the article: "it is better to narrow this down with a custom policy")'
    ),
    "# タスクロール": "# Task role",
    "# タスクロールに AmazonS3ReadOnlyAccess ポリシーをアタッチ": (
        "# Attach AmazonS3ReadOnlyAccess to the task role"
    ),
    "# タスクロールに AmazonDynamoDBReadOnlyAccess ポリシーをアタッチ": (
        "# Attach AmazonDynamoDBReadOnlyAccess to the task role"
    ),
}


def article_terraform(language: str | None = None) -> str:
    """The article's Terraform: its own (Japanese) comments with ``language="ja"``, the comments
    translated with ``"en"``; by default in the learner's language (``ecslab.set_language``).
    The blocks are the same in both."""
    language = language or learners_language()
    text = ARTICLE_FILE.read_text("utf-8")
    if language == "ja":
        return text
    if language != "en":
        raise ValueError(f'language is "en" or "ja", not {language!r}')
    return "".join(
        _ENGLISH_COMMENTS[line.rstrip("\n")] + "\n" if line.startswith("#") else line
        for line in text.splitlines(keepends=True)
    )


ARTICLE_TERRAFORM = article_terraform("en")


def _load_article(lab: Lab) -> None:
    from ecslab.coach.terraform import load_terraform

    load_terraform(lab, ARTICLE_TERRAFORM)


def _check_article(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    execution, task = lab.execution_role.name, lab.task_role.name
    deletes = sorted(a for a in granted(lab, execution) if a.startswith("logs:Delete"))
    if deletes:
        problems.append(
            _(
                "the execution role may still delete logs ({actions}, ...): the article itself "
                "says to narrow it."
            ).format(actions=", ".join(deletes[:2]))
        )
    problems += _reaches_elsewhere(lab)
    # TRANSLATORS: the key in "may now decrypt with any KMS key, not only {key}."
    problems += any_key_problems(ex, execution, _("the course's key (alias/orders-config)"))
    # What each caller of the healthy task uses (notebook 01); the article's own managed policies
    # count as well, since the exercise is to narrow them.
    app = {
        "s3:GetObject",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "sqs:SendMessage",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
    }
    launch = AGENT_ACTIONS | {"secretsmanager:GetSecretValue"}
    problems += wider_than_needed(
        ex, execution, launch, _("the ECS agent"), said=deletes, from_scratch=True
    )
    problems += wider_than_needed(ex, task, app, _("the orders app"), from_scratch=True)
    return problems


def _reaches_elsewhere(lab: Lab) -> list[str]:
    """What each role may do to resources of the account that are not the orders task's."""
    r = lab.resources
    arn = f"{lab.region}:{lab.account_id}"
    other_secret = f"arn:aws:secretsmanager:{arn}:secret:someone-else/password-AbCdEf"
    probes = [
        (
            lab.task_role.name,
            "dynamodb:PutItem",
            f"arn:aws:dynamodb:{arn}:table/other-table",
            N_("the task role may write to any DynamoDB table, not only orders."),
        ),
        (
            lab.task_role.name,
            "dynamodb:GetItem",
            f"arn:aws:dynamodb:{arn}:table/other-table",
            N_("the task role may read any DynamoDB table, not only orders."),
        ),
        (
            lab.task_role.name,
            "s3:GetObject",
            "arn:aws:s3:::any-bucket-at-all/secret.txt",
            N_("the task role may read every S3 bucket, not only the config object."),
        ),
        (
            lab.task_role.name,
            "sqs:SendMessage",
            f"arn:aws:sqs:{arn}:other-queue",
            N_("the task role may send to any queue, not only orders-events."),
        ),
        (
            lab.task_role.name,
            "sns:Publish",
            f"arn:aws:sns:{arn}:other-topic",
            N_("the task role may publish to any topic, not only orders-notifications."),
        ),
        (
            lab.task_role.name,
            "secretsmanager:GetSecretValue",
            other_secret,
            N_("the task role may read any secret, not only the payments API key."),
        ),
        (
            lab.task_role.name,
            "secretsmanager:GetSecretValue",
            r.db_secret_arn,
            N_("the task role may read the database password, which ECS injects for the app."),
        ),
        (
            lab.execution_role.name,
            "secretsmanager:GetSecretValue",
            other_secret,
            N_(
                "the execution role may read any secret, not only the database password it injects."
            ),
        ),
        (
            lab.execution_role.name,
            "logs:PutLogEvents",
            f"arn:aws:logs:{arn}:log-group:/ecs/another-service:log-stream:ecs/x/1",
            N_("the execution role may write to any log group, not only {log_group}."),
        ),
        (
            lab.execution_role.name,
            "ecr:BatchGetImage",
            f"arn:aws:ecr:{arn}:repository/another-app",
            N_("the execution role may pull any repository's images, not only {repository}."),
        ),
        (
            lab.execution_role.name,
            "ssm:GetParameters",
            f"arn:aws:ssm:{arn}:parameter/other",
            N_("the execution role may read any parameter, not only the feature flags it injects."),
        ),
    ]
    return [
        _(problem).format(log_group=r.log_group, repository=r.repository)
        for role, action, resource, problem in probes
        if grants(lab, role, action, resource)
    ]


# A narrowing written by hand, as the exercise asks (07-fix-the-article's solution): the article's
# Terraform without its four managed-policy attachments, and a policy of its own for each role.
_OWN_POLICIES = """\
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  where   = "${data.aws_region.current.region}:${local.account}"
}

# What the ECS agent does at launch: the registry, the log stream, the injected values
resource "aws_iam_role_policy" "ecs_execution_launch" {
  name = "orders-launch"
  role = aws_iam_role.ecs_execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "RegistryToken"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "PullTheImage"
        Effect   = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchGetImage",
        ]
        Resource = "arn:aws:ecr:${local.where}:repository/orders-app"
      },
      {
        Sid      = "WriteTheLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:aws:logs:${local.where}:log-group:/ecs/orders:*"
      },
      {
        Sid      = "InjectThePassword"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = "arn:aws:secretsmanager:${local.where}:secret:orders/db-password-??????"
      },
      {
        Sid      = "InjectTheFlags"
        Effect   = "Allow"
        Action   = "ssm:GetParameters"
        Resource = "arn:aws:ssm:${local.where}:parameter/orders/feature-flags"
      },
      {
        Sid      = "DecryptWithTheOrdersKey"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = "*"
        Condition = {
          "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/orders-config" }
        }
      },
    ]
  })
}

# What the orders app calls, with the task role
resource "aws_iam_role_policy" "ecs_task_app" {
  name = "orders-app"
  role = aws_iam_role.ecs_task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadTheConfig"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:aws:s3:::orders-config-${local.account}/config/*"
      },
      {
        Sid      = "Orders"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem"]
        Resource = "arn:aws:dynamodb:${local.where}:table/orders"
      },
      {
        Sid      = "OrderEvents"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = "arn:aws:sqs:${local.where}:orders-events"
      },
      {
        Sid      = "Notify"
        Effect   = "Allow"
        Action   = "sns:Publish"
        Resource = "arn:aws:sns:${local.where}:orders-notifications"
      },
      {
        Sid      = "PaymentsApiKey"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = "arn:aws:secretsmanager:${local.where}:secret:orders/payments-api-key-??????"
      },
    ]
  })
}
"""


def _without_attachments(text: str) -> str:
    """The article's Terraform without its aws_iam_role_policy_attachment blocks (and their
    comments): the two roles."""
    blocks = text.split("\n\n")
    return "\n\n".join(b for b in blocks if "aws_iam_role_policy_attachment" not in b) + "\n"


# The Japanese edition's comments for the solution's own comment lines (the article's come from
# article.tf itself).
_JAPANESE_COMMENTS = {
    "# What the ECS agent does at launch: the registry, the log stream, the injected values": (
        "# ECS エージェントが起動時に行うこと: レジストリ、ログストリーム、注入する値"
    ),
    "# What the orders app calls, with the task role": (
        "# orders アプリがタスクロールで呼び出すもの"
    ),
}


def solution_terraform(language: str | None = None) -> str:
    """07-fix-the-article's solution: the article's two roles (``article_terraform``) and a
    policy of its own for each, its comments in ``language`` ("en" or "ja"; by default the
    learner's language). The blocks are the same in both."""
    language = language or learners_language()
    own = _OWN_POLICIES
    if language == "ja":
        own = "".join(
            _JAPANESE_COMMENTS.get(line.rstrip("\n"), line.rstrip("\n")) + "\n"
            for line in own.splitlines(keepends=True)
        )
    return _without_attachments(article_terraform(language)) + "\n" + own


SOLUTION_TERRAFORM = solution_terraform("en")

# What lab.to_terraform() writes first: a text with it was written by ecslab, not by the learner.
_WRITTEN_BY_ECSLAB = "written by ecslab"
# IAM calls that change a role or its policies.
_IAM_CHANGES = (
    "iam:Attach",
    "iam:Detach",
    "iam:Put",
    "iam:Delete",
    "iam:Update",
    "iam:Create",
    "iam:SetDefaultPolicyVersion",
)


def _written_as_terraform(ex: Exercise) -> list[str]:
    """The exercise is to write the narrowing as Terraform: the roles must be what the learner's
    own Terraform, applied after the exercise began, made them."""
    lab = ex.lab
    applied = lab.terraform
    if applied is None or applied.calls[0] < ex.first_event:
        return [
            _(
                "write the fix as Terraform (the article's, edited) and apply it with "
                "load_terraform(lab, text): the roles have not been changed by Terraform since "
                "the exercise began."
            )
        ]
    if any(_WRITTEN_BY_ECSLAB in text for _name, text in applied.texts) or _generated(lab):
        return [
            _(
                "the Terraform you applied is lab.to_terraform(least_privilege=True)'s: the "
                "exercise is to write the narrowing yourself, as you would for your own task."
            )
        ]
    roles = {lab.execution_role.arn, lab.task_role.arn, lab.execution_role.name, lab.task_role.name}
    later = [
        e
        for e in lab.trace.events[applied.calls[1] :]
        if e.action.startswith(_IAM_CHANGES) and any(role in e.resource for role in roles)
    ]
    if later:
        return [
            _(
                "the roles were changed after your Terraform was applied ({action}): put the "
                "change in the Terraform and apply it again."
            ).format(action=later[0].action)
        ]
    return []


def _generated(lab: Lab) -> bool:
    """Is each role's only policy exactly what lab.trace.least_privilege() suggests?"""
    for role in (lab.execution_role.name, lab.task_role.name):
        documents = [document for _name, document in lab.role(role).documents()]
        suggestion = lab.trace.least_privilege(role)
        if len(documents) != 1 or not suggestion.needs:
            return False
        if _statements(documents[0]) != _statements(suggestion.document):
            return False
    return True


def _statements(document: dict) -> list[str]:
    """A policy's statements, comparable whatever the order of statements and keys."""
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return sorted(json.dumps(s, sort_keys=True) for s in statements)


EXERCISES["07-fix-the-article"] = Spec(
    N_(
        "The lab now has the article's two roles, exactly as its Terraform writes them. Edit that "
        "Terraform so the orders task runs to the end with roles no wider than it needs, and "
        "apply it with load_terraform(lab, text). Write the policies yourself: "
        "lab.to_terraform(least_privilege=True)'s output is not an answer."
    ),
    "healthy",
    lambda ex: _written_as_terraform(ex) + _check_article(ex),
    (
        N_(
            "Run the task and read the stoppedReason, then the logs: which role fails first, and "
            "then?"
        ),
        N_(
            "The launch needs the registry, the log stream of /ecs/orders and the injected values "
            "(Secrets Manager, SSM and their KMS key); the app needs S3, DynamoDB, SQS, SNS and "
            "its API key. The managed policies are too little (read-only) or too much (full "
            "access, and every resource): replace each role's attachments with an "
            "aws_iam_role_policy of its own."
        ),
        N_(
            "Name the resources in each statement: data.aws_region and data.aws_caller_identity "
            "give the region and account for the ARNs; a secret's ARN ends with -??????; the KMS "
            "key can be named by its alias through the kms:ResourceAliases condition key; the log "
            "group's streams are its ARN followed by :*. "
            "lab.trace.least_privilege(role) lists what each role needed (to compare with yours)."
        ),
    ),
    # TRANSLATORS: Python code. The Japanese edition prints solution_terraform(), the same
    # Terraform with the article's own (Japanese) comments.
    N_(
        "from ecslab.coach.lessons.nb07 import SOLUTION_TERRAFORM\n"
        "from ecslab.coach.terraform import load_terraform\n\n"
        "print(SOLUTION_TERRAFORM)\n"
        "load_terraform(lab, SOLUTION_TERRAFORM)\n"
        "lab.run_task()"
    ),
    N_("Two roles, each with exactly what its caller needs — written as Terraform, by you."),
    setup=_load_article,
    wrong="from ecslab.coach.terraform import load_terraform\n\n"
    "lab.run_task()\n"
    "load_terraform(lab, lab.to_terraform(least_privilege=True))\n"
    "lab.run_task()",
)
