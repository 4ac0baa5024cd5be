"""Notebook 06 (least privilege and trust): narrowing the execution role, and exercises on the
roles' trust policies and on the caller's ``iam:PassRole``.

- ``06-narrow-the-logs``: like the article's Terraform, the execution role has
  CloudWatchLogsFullAccess; narrow it to what the launch needs and keep the task running.
- ``06-confused-deputy``: both trust policies should let ECS assume the role only for this
  account's tasks (``aws:SourceAccount`` / ``aws:SourceArn``), and the task must still run.
- ``06-pass-role``: a CI user may call RunTask but not pass the roles; let it pass exactly the two
  course roles, to ECS only, and run the task as that user.

The checks ask the IAM judge, as AWS would decide: a request from another account's task must be
refused by each trust policy; the user may not pass another role, nor pass the roles to another
service.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ecslab.coach.exercises import (
    EXERCISES,
    Exercise,
    RoleChanged,
    Spec,
    granted,
    grants,
    ran_to_the_end,
    snapshot,
)
from ecslab.i18n import N_, _, ngettext
from ecslab.iam import evaluate

if TYPE_CHECKING:
    from ecslab.lab import Lab

OTHER_ACCOUNT = "111122223333"  # AWS's documentation account: someone else's
PIPELINE = "ci-pipeline"
RUN_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RunAndWatchTasks",
            "Effect": "Allow",
            "Action": ["ecs:RunTask", "ecs:DescribeTasks"],
            "Resource": "*",
        }
    ],
}


def _permissions_changed(ex: Exercise, role: str) -> bool:
    """Did the role's permissions policies (not its trust policy) change?"""
    return snapshot(ex.lab, role)[:2] != ex.baseline[role][:2]


# -- the confused deputy ---------------------------------------------------------------------------


def trusts_other_accounts(lab: Lab, role: str) -> bool:
    """Would the role's trust policy let ECS assume it for a task of another account?"""
    r = lab.role(role)
    context = {
        "aws:SourceAccount": OTHER_ACCOUNT,
        "aws:SourceArn": f"arn:aws:ecs:{lab.region}:{OTHER_ACCOUNT}:task/their-cluster/"
        "0123456789abcdef0123456789abcdef",
    }
    decision = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        r.arn,
        resource_policy=r.trust_policy,
        context=context,
    )
    return decision.allowed


def _check_confused_deputy(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    for role in (lab.execution_role.name, lab.task_role.name):
        if trusts_other_accounts(lab, role):
            problems.append(
                _("{role} would still let ECS assume it for a task of another account.").format(
                    role=role
                )
            )
        if _permissions_changed(ex, role):
            problems.append(
                _(
                    "the permissions policies of {role} were changed; this exercise is about who "
                    "may assume the roles, not what they may do."
                ).format(role=role)
            )
    return problems


# -- iam:PassRole ----------------------------------------------------------------------------------


def _setup_pipeline(lab: Lab) -> None:
    """A CI user that may run tasks but pass no role; its old access keys are removed."""
    iam = lab.client("iam")
    if lab.world.account.user(PIPELINE) is None:
        iam.create_user(UserName=PIPELINE)
    for key in iam.list_access_keys(UserName=PIPELINE)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=PIPELINE, AccessKeyId=key["AccessKeyId"])
    iam.put_user_policy(
        UserName=PIPELINE, PolicyName="run-orders-tasks", PolicyDocument=json.dumps(RUN_ONLY)
    )


def _pipeline_may_pass(lab: Lab, role_arn: str, service: str) -> bool:
    documents: list[tuple[str, Any]] = [
        (name, json.loads(text)) for name, text in lab.world.account.user_policies(PIPELINE)
    ]
    decision = evaluate(
        f"arn:aws:iam::{lab.account_id}:user/{PIPELINE}",
        "iam:PassRole",
        role_arn,
        identity_policies=documents,
        context={"iam:PassedToService": service},
    )
    return decision.allowed


def _check_pass_role(ex: Exercise) -> list[str]:
    lab = ex.lab
    last_run = next(e for e in reversed(lab.trace.events) if e.action == "ecs:RunTask")
    pipeline_arn = f"arn:aws:iam::{lab.account_id}:user/{PIPELINE}"
    if last_run.principal_arn != pipeline_arn:
        return [
            _("the last task was started by {principal}, not by the {user} user.").format(
                principal=last_run.principal, user=PIPELINE
            )
        ]
    problems = ran_to_the_end(ex)
    other_role = f"arn:aws:iam::{lab.account_id}:role/some-admin-role"
    if _pipeline_may_pass(lab, other_role, "ecs-tasks.amazonaws.com"):
        problems.append(
            _("{user} may pass other roles too, not only the orders task's two.").format(
                user=PIPELINE
            )
        )
    if _pipeline_may_pass(lab, lab.execution_role.arn, "ec2.amazonaws.com"):
        problems.append(
            _("{user} may pass the roles to other services, not only to ECS.").format(user=PIPELINE)
        )
    for role in (lab.execution_role.name, lab.task_role.name):
        if ex.touched(role):
            problems.append(
                RoleChanged(
                    _("{role} was changed, but the roles were not the problem.").format(role=role)
                )
            )
    return problems


_PASS_POLICY = (
    'iam.put_user_policy(UserName="ci-pipeline", PolicyName="pass-orders-roles",\n'
    '    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{\n'
    '        "Effect": "Allow", "Action": "iam:PassRole",\n'
    '        "Resource": [lab.execution_role.arn, lab.task_role.arn],\n'
    '        "Condition": {"StringEquals": {"iam:PassedToService": '
    '"ecs-tasks.amazonaws.com"}}}]}))\n'
)
_RUN_AS_PIPELINE = (
    'key = iam.create_access_key(UserName="ci-pipeline")["AccessKey"]\n'
    'pipeline = boto3.client("ecs", region_name=lab.region,\n'
    '    aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])\n'
    'pipeline.run_task(cluster=lab.resources.cluster, taskDefinition="orders",\n'
    '    launchType="FARGATE", networkConfiguration=lab.network_configuration)'
)
_TRUST_FOR_THIS_ACCOUNT = (
    "for role in (lab.execution_role, lab.task_role):\n"
    '    role.set_trust_policy({"Version": "2012-10-17", "Statement": [{\n'
    '        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},\n'
    '        "Action": "sts:AssumeRole",\n'
    '        "Condition": {\n'
    '            "StringEquals": {"aws:SourceAccount": lab.account_id},\n'
    '            "ArnLike": {"aws:SourceArn":\n'
    '                        f"arn:aws:ecs:{lab.region}:{lab.account_id}:*"}}}]})\n'
    "lab.run_task()"
)


def _check_least_privilege(ex: Exercise) -> list[str]:
    lab, r = ex.lab, ex.lab.resources
    role = lab.execution_role.name
    problems = ran_to_the_end(ex)
    arn = f"{lab.region}:{lab.account_id}"
    # Least privilege names the resources too: the orders task's log group and repository, not
    # every log group and every image of the account (AmazonECSTaskExecutionRolePolicy's "*").
    probes = [
        (
            "logs:CreateLogStream",
            f"arn:aws:logs:{arn}:log-group:/ecs/another-service:log-stream:ecs/x/1",
            N_(
                "the execution role may still create log streams in any log group, not only "
                "{log_group}."
            ),
        ),
        (
            "logs:PutLogEvents",
            f"arn:aws:logs:{arn}:log-group:/ecs/another-service:log-stream:ecs/x/1",
            N_("the execution role may still write to any log group, not only {log_group}."),
        ),
        (
            "ecr:BatchGetImage",
            f"arn:aws:ecr:{arn}:repository/another-app",
            N_("the execution role may still pull any repository's images, not only {repository}."),
        ),
    ]
    problems += [
        _(problem).format(log_group=r.log_group, repository=r.repository)
        for action, resource, problem in probes
        if grants(lab, role, action, resource)
    ]
    count = len(granted(lab, role))
    if count > 9:
        problems.append(
            ngettext(
                "the execution role still grants {count} action; the launch of this task calls 8.",
                "the execution role still grants {count} actions; the launch of this task calls 8.",
                count,
            ).format(count=count)
        )
    if ex.touched(lab.task_role.name):
        problems.append(
            RoleChanged(_("the task role was changed; this exercise is about the execution role."))
        )
    return problems


def _setup_wide_logs(lab: Lab) -> None:
    lab.execution_role.attach("CloudWatchLogsFullAccess")


EXERCISES.update(
    {
        "06-narrow-the-logs": Spec(
            N_(
                "Like the article's Terraform, the execution role has CloudWatchLogsFullAccess. "
                "Narrow the execution role to what the launch needs, in actions and in resources "
                '(the orders log group and repository, not "*"), and keep the task running.'
            ),
            "healthy",
            _check_least_privilege,
            (
                N_(
                    "How many actions does each policy grant, and on which resources? "
                    "lab.execution_role shows the policies; CloudWatchLogsFullAccess and "
                    'AmazonECSTaskExecutionRolePolicy both allow their actions on "Resource": "*".'
                ),
                N_(
                    'lab.run_task().trace.least_privilege("ecs-execution-role") suggests a policy '
                    "from what the role really did, each resource named (the log group's streams, "
                    "the repository)."
                ),
                N_(
                    "Apply the suggestion (it replaces the role's policies) and run the task again."
                ),
            ),
            'suggestion = lab.run_task().trace.least_privilege("ecs-execution-role")\n'
            "suggestion.apply()\nlab.run_task()",
            N_("Least privilege, proven by a task that still runs."),
            setup=_setup_wide_logs,
            wrong='lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")\nlab.run_task()',
        ),
        "06-confused-deputy": Spec(
            N_(
                "Both roles trust ecs-tasks.amazonaws.com with no condition. Let ECS assume each "
                "role only for tasks of this account, and keep the task running."
            ),
            "healthy",
            _check_confused_deputy,
            (
                N_(
                    "Look at who may assume each role: lab.execution_role and lab.task_role show "
                    "it under 'Who can assume it'."
                ),
                N_(
                    "When ECS assumes a role for a task it says for whom: the request carries "
                    "aws:SourceAccount (the task's account) and aws:SourceArn (an ECS ARN in it). "
                    "A Condition in the trust policy can require them."
                ),
                N_(
                    'Give both roles a trust policy whose statement has "Condition": '
                    '{"StringEquals": {"aws:SourceAccount": lab.account_id}} (and, if you like, an '
                    "ArnLike on aws:SourceArn), then run the task."
                ),
            ),
            _TRUST_FOR_THIS_ACCOUNT,
            N_(
                "Each role can now only be assumed by ECS working for this account: no confused "
                "deputy."
            ),
            wrong=_TRUST_FOR_THIS_ACCOUNT.replace(
                "(lab.execution_role, lab.task_role)", "(lab.execution_role,)"
            ),
        ),
        "06-pass-role": Spec(
            N_(
                "The ci-pipeline user may call RunTask, but ECS refuses it. Let ci-pipeline run "
                "the orders task: it may pass the task's two roles, only to ECS, and nothing more. "
                "Run the task as ci-pipeline."
            ),
            "healthy",
            _check_pass_role,
            (
                N_(
                    "Run the task as ci-pipeline (an access key and a boto3 client, as in the "
                    "notebook) and read the error: which action, on which resource?"
                ),
                N_(
                    "The caller of RunTask needs iam:PassRole on each role the task definition "
                    "names. That is a permission of the user, not of the roles."
                ),
                N_(
                    "Put a user policy on ci-pipeline allowing iam:PassRole on "
                    "lab.execution_role.arn and lab.task_role.arn, with the condition StringEquals "
                    "iam:PassedToService ecs-tasks.amazonaws.com; then run the task again as "
                    "ci-pipeline."
                ),
            ),
            "import json\nimport boto3\n\n"
            'iam = lab.client("iam")\n' + _PASS_POLICY + _RUN_AS_PIPELINE,
            N_("Whoever runs the task may hand ECS exactly these roles, and only ECS."),
            setup=_setup_pipeline,
            wrong="import json\nimport boto3\n\n"
            'iam = lab.client("iam")\n'
            'iam.put_user_policy(UserName="ci-pipeline", PolicyName="pass-orders-roles",\n'
            '    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{\n'
            '        "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}))\n'
            + _RUN_AS_PIPELINE,
        ),
    }
)

__all__ = ["OTHER_ACCOUNT", "PIPELINE", "trusts_other_accounts"]
