"""Notebook 07 (Terraform): the article's Terraform, and an exercise to make it right."""

from __future__ import annotations

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


def article_terraform(language: str = "en") -> str:
    """The article's Terraform: its own (Japanese) comments with ``language="ja"``, the comments
    translated with ``"en"``. The blocks are the same in both."""
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
            "the execution role may still delete logs "
            f"({', '.join(deletes[:2])}, ...): the article itself says to narrow it."
        )
    problems += _reaches_elsewhere(lab)
    problems += any_key_problems(ex, execution, "the course's key (alias/orders-config)")
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
        ex, execution, launch, "the ECS agent", said=deletes, from_scratch=True
    )
    problems += wider_than_needed(ex, task, app, "the orders app", from_scratch=True)
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
            "write to any DynamoDB table, not only orders",
        ),
        (
            lab.task_role.name,
            "dynamodb:GetItem",
            f"arn:aws:dynamodb:{arn}:table/other-table",
            "read any DynamoDB table, not only orders",
        ),
        (
            lab.task_role.name,
            "s3:GetObject",
            "arn:aws:s3:::any-bucket-at-all/secret.txt",
            "read every S3 bucket, not only the config object",
        ),
        (
            lab.task_role.name,
            "sqs:SendMessage",
            f"arn:aws:sqs:{arn}:other-queue",
            "send to any queue, not only orders-events",
        ),
        (
            lab.task_role.name,
            "sns:Publish",
            f"arn:aws:sns:{arn}:other-topic",
            "publish to any topic, not only orders-notifications",
        ),
        (
            lab.task_role.name,
            "secretsmanager:GetSecretValue",
            other_secret,
            "read any secret, not only the payments API key",
        ),
        (
            lab.task_role.name,
            "secretsmanager:GetSecretValue",
            r.db_secret_arn,
            "read the database password, which ECS injects for the app",
        ),
        (
            lab.execution_role.name,
            "secretsmanager:GetSecretValue",
            other_secret,
            "read any secret, not only the database password it injects",
        ),
        (
            lab.execution_role.name,
            "ssm:GetParameters",
            f"arn:aws:ssm:{arn}:parameter/other",
            "read any parameter, not only the feature flags it injects",
        ),
    ]
    return [
        f"the {'task' if role == lab.task_role.name else 'execution'} role may {what}."
        for role, action, resource, what in probes
        if grants(lab, role, action, resource)
    ]


EXERCISES["07-fix-the-article"] = Spec(
    "The lab now has the article's two roles, exactly as its Terraform writes them. Make the "
    "orders task run to the end with roles no wider than it needs.",
    "healthy",
    _check_article,
    (
        "Run the task and read the stoppedReason, then the logs: which role fails first, and then?",
        "The launch needs the injected secrets (SSM, Secrets Manager, KMS); the app needs to "
        "write to DynamoDB, send to SQS and SNS. Read-only and full-access managed policies are "
        "either too little or too much.",
        "lab.trace.least_privilege(role) knows what each role needed, even the calls a failed "
        "task never reached; lab.to_terraform(least_privilege=True) writes it as Terraform, and "
        "load_terraform(lab, text) applies it.",
    ),
    "from ecslab.coach.terraform import load_terraform\n"
    "lab.run_task()\n"
    "load_terraform(lab, lab.to_terraform(least_privilege=True))\n"
    "lab.run_task()",
    "Two roles, each with exactly what its caller needs — written as Terraform.",
    setup=_load_article,
    wrong='lab.execution_role.attach("AdministratorAccess")\n'
    'lab.task_role.attach("AdministratorAccess")\nlab.run_task()',
)
