"""The course's broken setups: each one changes the course roles the way people get them wrong.

A scenario starts from the healthy course roles (``lab.reset_roles()``) and changes only the two
roles — their policies or trust — so the workbench's **Reset** undoes it. Each says what it
changed in words a learner can read before running the task; none says what will happen.

>>> from ecslab.coach.scenarios import SCENARIOS, load   # doctest: +SKIP
>>> load(lab, "execution-role-without-managed-policy")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecslab.i18n import N_, _

EXECUTION_POLICY = "AmazonECSTaskExecutionRolePolicy"
PULL_AND_LOGS = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
]


@dataclass(frozen=True)
class Scenario:
    key: str
    title_message: str  # in English, marked N_: ``title`` is it in the learner's language
    change_message: str  # what was changed, in words (never what will happen); ditto
    apply: Callable[[Any], None]

    @property
    def title(self) -> str:
        return _(self.title_message)

    @property
    def change(self) -> str:
        """What was changed, in the learner's language."""
        return _(self.change_message)


def without_statement(role: Any, policy: str, sid: str) -> None:
    """Remove the statement ``sid`` from the role's inline policy ``policy``, through IAM."""
    document = role.inline_policy(policy)
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
    role.put_inline(policy, document)


def with_statement_changed(role: Any, policy: str, sid: str, field: str, value: Any) -> None:
    """Set ``field`` of the statement ``sid`` in the role's inline policy ``policy``."""
    document = role.inline_policy(policy)
    for statement in document["Statement"]:
        if statement.get("Sid") == sid:
            statement[field] = value
    role.put_inline(policy, document)


def _healthy(lab: Any) -> None:
    return None


def _no_managed_policy(lab: Any) -> None:
    lab.execution_role.detach(EXECUTION_POLICY)


def _log_group_without_star(lab: Any) -> None:
    r = lab.resources
    group = f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{r.log_group}"
    lab.execution_role.detach(EXECUTION_POLICY)
    lab.execution_role.put_inline(
        "pull-and-logs",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "PullImages", "Effect": "Allow", "Action": PULL_AND_LOGS, "Resource": "*"},
                {
                    "Sid": "WriteLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": group,
                },
            ],
        },
    )


def _no_secret(lab: Any) -> None:
    without_statement(lab.execution_role, "orders-launch-secrets", "InjectDatabasePassword")


def _no_decrypt(lab: Any) -> None:
    without_statement(lab.execution_role, "orders-launch-secrets", "DecryptInjectedValues")


def _no_sqs(lab: Any) -> None:
    without_statement(lab.task_role, "orders-app", "OrderEvents")


def _deny_sns(lab: Any) -> None:
    lab.task_role.put_inline(
        "no-notifications",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "sns:*", "Resource": "*"}],
        },
    )


def _wrong_trust(lab: Any) -> None:
    lab.execution_role.set_trust_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def _empty_task_role(lab: Any) -> None:
    lab.task_role.remove_inline("orders-app")


SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario(
            "healthy",
            N_("Healthy start"),
            N_("Nothing: the course roles as they start."),
            _healthy,
        ),
        Scenario(
            "execution-role-without-managed-policy",
            N_("The article's situation"),
            N_("AmazonECSTaskExecutionRolePolicy was detached from the task execution role."),
            _no_managed_policy,
        ),
        Scenario(
            "log-group-without-star",
            N_("Log permissions on the log group"),
            N_(
                "AmazonECSTaskExecutionRolePolicy was replaced by an inline policy that allows the "
                "image pull, and logs:CreateLogStream and logs:PutLogEvents on the log group's "
                "ARN (no ':*')."
            ),
            _log_group_without_star,
        ),
        Scenario(
            "execution-role-without-secret",
            N_("The injected secret"),
            N_(
                "The statement InjectDatabasePassword was removed from the execution role's "
                "orders-launch-secrets policy."
            ),
            _no_secret,
        ),
        Scenario(
            "execution-role-without-decrypt",
            N_("The customer-managed key"),
            N_(
                "The statement DecryptInjectedValues was removed from the execution role's "
                "orders-launch-secrets policy."
            ),
            _no_decrypt,
        ),
        Scenario(
            "task-role-without-sqs",
            N_("The app's queue"),
            N_("The statement OrderEvents was removed from the task role's orders-app policy."),
            _no_sqs,
        ),
        Scenario(
            "task-role-deny-sns",
            N_("An explicit deny"),
            N_("An inline policy no-notifications denying sns:* was added to the task role."),
            _deny_sns,
        ),
        Scenario(
            "execution-role-wrong-trust",
            N_("Trust"),
            N_("The execution role's trust policy now names ec2.amazonaws.com."),
            _wrong_trust,
        ),
        Scenario(
            "task-role-empty",
            N_("An empty task role"),
            N_("The task role's only policy, orders-app, was removed."),
            _empty_task_role,
        ),
    )
}


def load(lab: Any, key: str) -> Scenario:
    """Reset the course roles, then apply the scenario ``key``; returns it."""
    if key not in SCENARIOS:
        raise ValueError(
            _("No scenario {key}; the course's scenarios are: {keys}").format(
                key=repr(key), keys=", ".join(SCENARIOS)
            )
        )
    scenario = SCENARIOS[key]
    lab.reset_roles()
    scenario.apply(lab)
    return scenario
