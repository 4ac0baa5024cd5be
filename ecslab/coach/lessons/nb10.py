"""Notebook 10 (when it is not IAM): failures that begin like the execution role's refusals.

- ``10-private-subnet``: the task runs in a private subnet with no NAT gateway and no VPC
  endpoints, so the agent's launch calls time out, then the app's. The fix is the endpoints the
  launch and the app need; a change to either role, a NAT gateway or a public IP is not the
  exercise.
- ``10-nightly-secret``: a nightly job's task definition injects a secret by an ARN copied from
  staging. The execution role refuses it (its policy names the right secret), and widening the
  role only turns the refusal into ``ResourceNotFoundException``: the fix is the reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecslab.coach.exercises import EXERCISES, Exercise, Spec, ran_to_the_end, untouched
from ecslab.i18n import N_, _

if TYPE_CHECKING:
    from ecslab.lab import Lab

NIGHTLY = "orders-nightly"
STAGING_SECRET = "staging/orders/db-password-Qw3rTy"  # the name in the ARN, with its suffix


def _setup_private_subnet(lab: Lab) -> None:
    """A private subnet with no route out and no endpoints."""
    lab.network.reset()
    lab.network.private_subnet(nat=False)


def _check_private_subnet(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    problems = ran_to_the_end(ex)
    route = lab.network.route_out(last.subnet, getattr(last, "assign_public_ip", "DISABLED"))
    if route is not None:
        problems.append(
            _(
                "the last task had a route out ({route}): the exercise is to start it in a "
                "subnet with no NAT gateway and no public IP."
            ).format(route=route)
        )
    why = N_("no policy was ever evaluated: the agent's calls found no network path.")
    problems += untouched(ex, lab.execution_role.name, why)
    problems += untouched(ex, lab.task_role.name, why)
    return problems


def _staging_secret(lab: Lab) -> str:
    r = lab.resources
    return f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:{STAGING_SECRET}"


def _setup_nightly(lab: Lab) -> None:
    """The nightly job: the course's task definition, its database password copied from staging."""
    registered = lab.task_definition(f"{lab.resources.family}:1")
    fields = (
        "executionRoleArn",
        "taskRoleArn",
        "networkMode",
        "requiresCompatibilities",
        "cpu",
        "memory",
        "containerDefinitions",
    )
    definition = {field: registered[field] for field in fields}
    definition["family"] = NIGHTLY
    for secret in definition["containerDefinitions"][0]["secrets"]:
        if secret["name"] == "DB_PASSWORD":
            secret["valueFrom"] = _staging_secret(lab) + ":password::"
    lab.network.reset()
    lab.register_task_definition(definition)


def _check_nightly(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    if last.definition.family != NIGHTLY:
        return [
            _(
                "the last task you ran is not the nightly job: run it with "
                'lab.run_task("{family}").'
            ).format(family=NIGHTLY)
        ]
    problems = ran_to_the_end(ex)
    problems += untouched(
        ex,
        lab.execution_role.name,
        N_("it already allows the secret the job means to inject."),
    )
    problems += untouched(ex, lab.task_role.name, N_("the launch never uses it."))
    return problems


EXERCISES.update(
    {
        "10-private-subnet": Spec(
            N_(
                "The task runs in a private subnet with no NAT gateway and no public IP, and "
                "never starts. Make it start and run to the end there, without a route out."
            ),
            "healthy",
            _check_private_subnet,
            (
                N_(
                    "Run the task and read its stop text to the end: does it name a refusal? How "
                    "long after createdAt did the task give up (task.describe())?"
                ),
                N_(
                    "Each time-out names the service that could not be reached: in the stop text "
                    "at launch, in the app's last log line (task.logs) at run time. Give the VPC "
                    "an endpoint for it (lab.network.add_endpoint(...)), run the task again and "
                    "read the next text."
                ),
                N_(
                    "The launch needs ecr.api and ecr.dkr (the registry), s3 (the image layers), "
                    "ssm and secretsmanager (the injected values) and logs (the log stream). Then "
                    "the app needs dynamodb, sqs and sns; it reaches S3 and Secrets Manager "
                    "through the endpoints the launch uses."
                ),
            ),
            'for endpoint in ("ecr.api", "ecr.dkr", "s3", "ssm", "secretsmanager", "logs",\n'
            '                 "dynamodb", "sqs", "sns"):\n'
            "    lab.network.add_endpoint(endpoint)\n"
            "lab.run_task()",
            N_(
                "No permission was missing: the agent needed a path to each service, and the "
                "endpoints gave it one."
            ),
            setup=_setup_private_subnet,
            wrong='lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")\nlab.run_task()',
        ),
        "10-nightly-secret": Spec(
            N_(
                "The nightly job (task definition family orders-nightly) never starts. Run it "
                '(lab.run_task("orders-nightly")), read its stop text and fix the right thing.'
            ),
            "healthy",
            _check_nightly,
            (
                N_(
                    "The text names a refusal: which action, and on which resource? Compare that "
                    "ARN with the secret the execution role may read "
                    '(lab.execution_role.inline_policy("orders-launch-secrets")).'
                ),
                N_(
                    "The role names the secret the job means; the task definition names another "
                    "one, copied from staging, that does not exist here. Allowing it would only "
                    "turn the refusal into ResourceNotFoundException."
                ),
                N_(
                    "Register a new revision of orders-nightly whose DB_PASSWORD comes from "
                    'lab.resources.db_secret_arn + ":password::", then run the job again.'
                ),
            ),
            # TRANSLATORS: Python code; translate only the comment.
            N_(
                'registered = lab.task_definition("orders-nightly")\n'
                'fields = ("family", "executionRoleArn", "taskRoleArn", "networkMode",\n'
                '          "requiresCompatibilities", "cpu", "memory", "containerDefinitions")\n'
                "definition = {field: registered[field] for field in fields}\n"
                "# the secret the execution role may read, and its JSON key\n"
                'definition["containerDefinitions"][0]["secrets"][0]["valueFrom"] = (\n'
                '    lab.resources.db_secret_arn + ":password::")\n'
                "lab.register_task_definition(definition)\n"
                'lab.run_task("orders-nightly")'
            ),
            N_(
                "The refusal was real, but the role was right: the reference was wrong. Read "
                "the resource in a refusal before you widen a role."
            ),
            setup=_setup_nightly,
            wrong='lab.execution_role.put_inline("staging", {"Version": "2012-10-17",\n'
            '    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",\n'
            '    "Resource": "arn:aws:secretsmanager:*:*:secret:staging/orders/*"}]})\n'
            'lab.run_task("orders-nightly")',
            run_hint='lab.run_task("orders-nightly")',
        ),
    }
)
