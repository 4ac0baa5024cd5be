"""Exercises of notebook 03, the task role: the app's own calls, the runtime secret, and a second
service in the same cluster with a task role of its own.

The billing service is this module's own small app: it reads an order from DynamoDB and the
payments API key from Secrets Manager at run time, as any boto3 code would (the task role).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab.coach.exercises import (
    AGENT_ACTIONS,
    EXERCISES,
    Exercise,
    RoleChanged,
    Spec,
    examples,
    granted,
    grants,
    one_action_of_its_service,
    ran_to_the_end,
    wider_than_needed,
)
from ecslab.coach.scenarios import without_statement
from ecslab.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ecslab.lab import Lab

ORDER_ID = "order-1001"
BILLING = "billing"
BILLING_REPOSITORY = "billing-app"
BILLING_TAG = "1.0.0"
BILLING_LOG_GROUP = "/ecs/billing"
# What the billing app calls, and so all its own task role should allow.
BILLING_ACTIONS = frozenset({"dynamodb:GetItem", "secretsmanager:GetSecretValue"})


def billing_app() -> None:
    """Charge an order: read it from DynamoDB, then the payments API key at run time."""
    table, secret = os.environ["ORDERS_TABLE"], os.environ["PAYMENTS_API_KEY_SECRET"]
    try:
        item = (
            boto3.client("dynamodb")
            .get_item(TableName=table, Key={"order_id": {"S": ORDER_ID}})
            .get("Item")
        )
        api_key = boto3.client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    except (ClientError, NoCredentialsError) as error:
        print(f"ERROR {error}")
        sys.exit(1)
    if item is None:
        print(f"billing: {ORDER_ID} not found, nothing to charge")
    else:
        print(
            f"billing: charged {ORDER_ID}, {item['total']['N']} {item['currency']['S']} "
            f"(payments API key: {len(api_key)} characters)"
        )


# -- shared reading --------------------------------------------------------------------------------


# -- 03-runtime-secret -----------------------------------------------------------------------------


def _setup_runtime_secret(lab: Lab) -> None:
    without_statement(lab.task_role, "orders-app", "PaymentsApiKey")


def _check_runtime_secret(ex: Exercise) -> list[str]:
    lab, r = ex.lab, ex.lab.resources
    role = lab.task_role.name
    problems = ran_to_the_end(ex)
    if ex.touched(lab.execution_role.name):
        problems.append(
            RoleChanged(
                _(
                    "the execution role was changed; it only fetches the secrets injected at "
                    "launch, never the ones the app reads itself. Put it back as it was."
                )
            )
        )
    if grants(lab, role, "secretsmanager:GetSecretValue", r.db_secret_arn):
        problems.append(
            _(
                "the task role may now read the database password secret too, which the app "
                "never reads itself."
            )
        )
    other = f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:some-other-secret-AbCdEf"
    if grants(lab, role, "secretsmanager:GetSecretValue", other):
        problems.append(
            _("the task role may now read any secret, not only {secret}.").format(
                secret="orders/payments-api-key"
            )
        )
    problems += one_action_of_its_service(
        ex, role, "secretsmanager:GetSecretValue", N_("the app only reads its secret.")
    )
    problems += wider_than_needed(
        ex,
        role,
        {"secretsmanager:GetSecretValue"},
        N_("the orders app"),
        judged={"secretsmanager"},
    )
    return problems


# -- 03-own-task-role ------------------------------------------------------------------------------


def _setup_billing(lab: Lab) -> None:
    """A billing service in orders-cluster, registered with the orders service's task role."""
    r = lab.resources
    try:
        lab.client("ecr").create_repository(repositoryName=BILLING_REPOSITORY)
    except ClientError as error:
        if error.response["Error"]["Code"] != "RepositoryAlreadyExistsException":
            raise
    try:
        lab.build_image(BILLING_TAG, billing_app, repository=BILLING_REPOSITORY)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ImageAlreadyExistsException":
            raise
    try:
        lab.client("logs").create_log_group(logGroupName=BILLING_LOG_GROUP)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    registry = r.repository_uri.split("/", 1)[0]
    lab.register_task_definition(
        {
            "family": BILLING,
            "executionRoleArn": lab.execution_role.arn,
            "taskRoleArn": lab.task_role.arn,  # shared with the orders service: the problem
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [
                {
                    "name": BILLING,
                    "image": f"{registry}/{BILLING_REPOSITORY}:{BILLING_TAG}",
                    "essential": True,
                    "environment": [
                        {"name": "ORDERS_TABLE", "value": r.table},
                        {"name": "PAYMENTS_API_KEY_SECRET", "value": r.api_key_secret},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": BILLING_LOG_GROUP,
                            "awslogs-region": r.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        }
    )


def _check_own_role(ex: Exercise) -> list[str]:
    lab, r = ex.lab, ex.lab.resources
    last = ex.last_task()
    if last.definition.family != BILLING:
        return [
            _(
                "the last task you ran is not the billing service's (task definition {family})."
            ).format(family=BILLING)
        ]
    problems = ran_to_the_end(ex)
    shared, execution = lab.task_role.name, lab.execution_role.name
    app = f"{BILLING} app"
    used = {e.role for e in lab.trace.events if e.task == last.id and e.principal == app}
    used.discard(None)
    if shared in used:
        problems.append(
            _("the billing app still calls AWS as {role}, the orders service's task role.").format(
                role=shared
            )
        )
    if execution in used:
        problems.append(
            _(
                "the billing app calls AWS as {role}, the task execution role: the app would hold "
                "everything the ECS agent may do."
            ).format(role=execution)
        )
    other_table = f"arn:aws:dynamodb:{r.region}:{r.account_id}:table/someone-elses-table"
    other_secret = f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:some-other-AbCdEf"
    for role in sorted(used - {shared, execution}):
        allowed = granted(lab, role)
        agent = sorted(allowed & AGENT_ACTIONS)
        extra = allowed - BILLING_ACTIONS - AGENT_ACTIONS
        if agent:
            problems.append(
                _(
                    "the billing app's role {role} also allows {actions}: only the ECS agent needs "
                    "those, to launch the task and ship its logs."
                ).format(
                    role=role, actions=", ".join(agent[:3]) + ("..." if len(agent) > 3 else "")
                )
            )
        if extra:
            problems.append(
                ngettext(
                    "the billing app's role {role} allows {count} action the billing app never "
                    "calls ({actions}).",
                    "the billing app's role {role} allows {count} actions the billing app never "
                    "calls ({actions}).",
                    len(extra),
                ).format(role=role, count=f"{len(extra):,}", actions=examples(extra))
            )
        problems += _beyond_billing(lab, role, other_table, other_secret)
    if ex.touched(shared):
        problems.append(
            RoleChanged(
                _(
                    "{role} was changed; the orders service still runs with it and needs all of it."
                ).format(role=shared)
            )
        )
    return problems


def _beyond_billing(lab: Lab, role: str, other_table: str, other_secret: str) -> list[str]:
    """A problem if the billing app's own role reads more than its table and its secret."""
    r = lab.resources
    tables = grants(lab, role, "dynamodb:GetItem", other_table)
    secrets = grants(lab, role, "secretsmanager:GetSecretValue", other_secret)
    password = not secrets and grants(lab, role, "secretsmanager:GetSecretValue", r.db_secret_arn)
    if tables and secrets:
        text = _(
            "the billing app's role {role} may also read any DynamoDB table, not only orders and "
            "read any secret, not only {secret}: billing never does."
        )
    elif tables and password:
        text = _(
            "the billing app's role {role} may also read any DynamoDB table, not only orders and "
            "read the database password: billing never does."
        )
    elif tables:
        text = _(
            "the billing app's role {role} may also read any DynamoDB table, not only orders: "
            "billing never does."
        )
    elif secrets:
        text = _(
            "the billing app's role {role} may also read any secret, not only {secret}: billing "
            "never does."
        )
    elif password:
        text = _(
            "the billing app's role {role} may also read the database password: billing never does."
        )
    else:
        return []
    return [text.format(role=role, secret=r.api_key_secret)]


def _check_app(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    if ex.touched(lab.execution_role.name):
        problems.append(
            RoleChanged(
                _("the execution role was changed; the application never uses it. Put it back.")
            )
        )
    if grants(lab, lab.task_role.name, "sqs:SendMessage", "arn:aws:sqs:*:*:some-other-queue"):
        problems.append(
            _("the task role may now send to any queue, not only {queue}.").format(
                queue="orders-events"
            )
        )
    if len([a for a in granted(lab, lab.task_role.name) if a.startswith("sqs:")]) > 1:
        problems.append(_("the task role now allows more SQS actions than the app uses."))
    problems += wider_than_needed(
        ex, lab.task_role.name, {"sqs:SendMessage"}, N_("the orders app"), judged={"sqs"}
    )
    return problems


EXERCISES.update(
    {
        "03-fix-the-app": Spec(
            N_(
                "The task starts, but the orders app stops with AccessDenied. Let it send its "
                "event, and nothing more."
            ),
            "task-role-without-sqs",
            _check_app,
            (
                N_("Read the last log line: which call failed, and who made it?"),
                N_(
                    "The caller is assumed-role/ecs-task-role/...: the app's own calls use the "
                    "task role."
                ),
                N_(
                    "Put back a statement allowing sqs:SendMessage on the orders-events queue's "
                    "ARN (lab.resources.queue_arn) in the task role's orders-app policy."
                ),
            ),
            N_(
                'document = lab.task_role.inline_policy("orders-app")\n'
                "# (the statement is replaced if it is there: the cell can be re-run)\n"
                'document["Statement"] = [s for s in document["Statement"]\n'
                '                         if s.get("Sid") != "OrderEvents"]\n'
                'document["Statement"].append({"Sid": "OrderEvents", "Effect": "Allow",\n'
                '    "Action": "sqs:SendMessage", "Resource": lab.resources.queue_arn})\n'
                'lab.task_role.put_inline("orders-app", document)\nlab.run_task()'
            ),
            N_("The application's calls are the task role's business."),
            wrong='lab.execution_role.attach("AmazonSQSFullAccess")\nlab.run_task()',
        ),
        "03-runtime-secret": Spec(
            N_(
                "The orders app saves its order, sends its event and its notification, then stops "
                "when it reads the payments API key. Let it read that key, and no other secret."
            ),
            "healthy",
            _check_runtime_secret,
            (
                N_(
                    "Read the last log line: which call failed, on which secret, and as which role?"
                ),
                N_(
                    "DB_PASSWORD is injected at launch by the ECS agent; the payments API key is "
                    "read by the app itself while it runs. Whose credentials does the app's boto3 "
                    "use?"
                ),
                N_(
                    "Put back a statement in the task role's orders-app policy allowing "
                    "secretsmanager:GetSecretValue on lab.resources.api_key_secret_arn only (the "
                    "full ARN: Secrets Manager appends '-' and 6 random characters to the secret's "
                    "name)."
                ),
            ),
            N_(
                'document = lab.task_role.inline_policy("orders-app")\n'
                "# (the statement is replaced if it is there: the cell can be re-run)\n"
                'document["Statement"] = [s for s in document["Statement"]\n'
                '                         if s.get("Sid") != "PaymentsApiKey"]\n'
                'document["Statement"].append({"Sid": "PaymentsApiKey", "Effect": "Allow",\n'
                '    "Action": "secretsmanager:GetSecretValue",\n'
                '    "Resource": lab.resources.api_key_secret_arn})\n'
                'lab.task_role.put_inline("orders-app", document)\nlab.run_task()'
            ),
            N_(
                "A secret the app reads at run time is the task role's business; an injected one "
                "is the execution role's."
            ),
            setup=_setup_runtime_secret,
            wrong='lab.execution_role.attach("SecretsManagerReadWrite")\nlab.run_task()',
        ),
        "03-own-task-role": Spec(
            N_(
                "The billing service runs in orders-cluster with the orders service's task role, "
                "so it could write orders, send events and publish notifications too. Give the "
                "billing task a task role of its own that allows only what the billing app does, "
                "and run it."
            ),
            "healthy",
            _check_own_role,
            (
                N_(
                    'Run lab.run_task("billing") and read its trace: which actions does the '
                    "billing app call in the run phase, on which resources?"
                ),
                N_(
                    "lab.create_role(name, inline=...) makes a role that ECS tasks may assume. A "
                    "task uses the role named by taskRoleArn: in a new revision of its task "
                    'definition, or in run_task(..., overrides={"taskRoleArn": ...}).'
                ),
                N_(
                    "The billing app calls dynamodb:GetItem on the orders table "
                    "(lab.resources.table_arn) and secretsmanager:GetSecretValue on the payments "
                    "API key (lab.resources.api_key_secret_arn, the secret's full ARN): allow "
                    "exactly those two, on exactly those resources."
                ),
            ),
            "r = lab.resources\n"
            'billing = lab.create_role("billing-task-role", exist_ok=True, inline={\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [\n'
            '        {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem",\n'
            '         "Resource": r.table_arn},\n'
            '        {"Sid": "PaymentsApiKey", "Effect": "Allow",\n'
            '         "Action": "secretsmanager:GetSecretValue",\n'
            '         "Resource": r.api_key_secret_arn}]})\n'
            'lab.run_task("billing", overrides={"taskRoleArn": billing.arn})',
            N_("One task role per service: each app can do its own job and nothing else."),
            setup=_setup_billing,
            creates=("billing-task-role",),
            wrong='billing = lab.create_role("billing-task-role",\n'
            '    inline=lab.task_role.inline_policy("orders-app"))\n'
            'lab.run_task("billing", overrides={"taskRoleArn": billing.arn})',
        ),
    }
)
