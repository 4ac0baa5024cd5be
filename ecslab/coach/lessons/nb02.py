"""Exercises of notebook 02 (the task execution role): a launch that fails for want of the
managed policy, and the secrets ECS injects at launch — the execution role's business, and only
those secrets, only with their key.

Each check wants the task to run to the end, the task role left alone (the launch never uses
it), and the execution role widened no further than the injection needs.
"""

from __future__ import annotations

from ecslab.coach.exercises import (
    EXERCISES,
    LAUNCH_ACTIONS,
    Exercise,
    RoleChanged,
    Spec,
    any_key_problems,
    granted,
    grants,
    one_action_of_its_service,
    ran_to_the_end,
    wider_than_needed,
)
from ecslab.i18n import N_, _


def _check_launch(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    if ex.touched(lab.task_role.name):
        problems.append(
            RoleChanged(
                _("the task role was changed; the launch never uses it. Put it back as it was.")
            )
        )
    deletes = [a for a in granted(lab, lab.execution_role.name) if a.startswith("logs:Delete")]
    if deletes:
        problems.append(
            _(
                "the execution role may now delete logs ({actions}...): it only needs to write "
                "them."
            ).format(actions=", ".join(sorted(deletes)[:3]))
        )
    problems += wider_than_needed(
        ex, lab.execution_role.name, LAUNCH_ACTIONS, N_("the launch"), said=deletes
    )
    return problems


def _task_role_untouched(ex: Exercise) -> list[str]:
    if ex.touched(ex.lab.task_role.name):
        return [
            RoleChanged(
                _(
                    "the task role was changed; the ECS agent injects secrets before the app "
                    "starts, so the launch never uses it. Put it back as it was."
                )
            )
        ]
    return []


def _check_password(ex: Exercise) -> list[str]:
    lab = ex.lab
    r = lab.resources
    role = lab.execution_role.name
    problems = ran_to_the_end(ex) + _task_role_untouched(ex)
    other = f"arn:aws:secretsmanager:{r.region}:{r.account_id}:secret:billing/other-AbCdEf"
    if grants(lab, role, "secretsmanager:GetSecretValue", other):
        problems.append(
            _(
                "the execution role may now read any secret in Secrets Manager, not only {secret}."
            ).format(secret=r.db_secret)
        )
    elif grants(lab, role, "secretsmanager:GetSecretValue", r.api_key_secret_arn):
        problems.append(
            _(
                "the execution role may now read {secret}, a secret that only the app reads, at "
                "run time."
            ).format(secret=r.api_key_secret)
        )
    problems += one_action_of_its_service(
        ex, role, "secretsmanager:GetSecretValue", N_("injecting a secret only reads it.")
    )
    problems += wider_than_needed(
        ex, role, {"secretsmanager:GetSecretValue"}, N_("the launch"), judged={"secretsmanager"}
    )
    return problems


def _check_decrypt(ex: Exercise) -> list[str]:
    lab = ex.lab
    r = lab.resources
    role = lab.execution_role.name
    problems = ran_to_the_end(ex) + _task_role_untouched(ex)
    # TRANSLATORS: the course's KMS key, in "... any KMS key, not only {key}".
    problems += any_key_problems(ex, role, _("{alias}'s").format(alias=r.key_alias))
    problems += one_action_of_its_service(
        ex, role, "kms:Decrypt", N_("injecting the values only decrypts them.")
    )
    problems += wider_than_needed(ex, role, {"kms:Decrypt"}, N_("the launch"), judged={"kms"})
    return problems


EXERCISES.update(
    {
        "02-fix-the-launch": Spec(
            N_(
                "The task does not start and CloudWatch Logs is empty. Make it run to the end, "
                "changing only the role that is at fault."
            ),
            "execution-role-without-managed-policy",
            _check_launch,
            (
                N_("Did the app ever run? Look at task.stop_code and at task.logs."),
                N_(
                    "When a task never starts, the calls that failed were made by the ECS agent. "
                    "Which role does the agent wear?"
                ),
                N_(
                    "The agent needs ecr:GetAuthorizationToken, the image pull and the log stream: "
                    "one AWS managed policy has exactly those."
                ),
            ),
            'lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")\nlab.run_task()',
            N_("The agent pulls the image and creates the log stream with the execution role."),
            wrong='lab.task_role.attach("AmazonEC2ContainerRegistryReadOnly")\n'
            'lab.task_role.attach("CloudWatchLogsFullAccess")\nlab.run_task()',
        ),
        "02-inject-the-password": Spec(
            N_(
                "The task stops before the app starts: ECS cannot inject DB_PASSWORD from Secrets "
                "Manager. Make the task run to the end, letting the launch read that one secret "
                "and nothing more."
            ),
            "execution-role-without-secret",
            _check_password,
            (
                N_(
                    "Read the stoppedReason: which principal was refused, and which role does its "
                    "ARN name?"
                ),
                N_(
                    "The refused call is the ECS agent's secretsmanager:GetSecretValue, made with "
                    "the execution role; the secret's ARN is in the message (and in "
                    "lab.resources.db_secret_arn)."
                ),
                N_(
                    "Add a statement to the execution role's orders-launch-secrets policy allowing "
                    "secretsmanager:GetSecretValue on lab.resources.db_secret_arn only (the full "
                    "ARN: Secrets Manager appends '-' and 6 random characters to the secret's "
                    "name)."
                ),
            ),
            N_(
                'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
                "# (the statement is replaced if it is there: the cell can be re-run)\n"
                'document["Statement"] = [s for s in document["Statement"]\n'
                '                         if s.get("Sid") != "InjectDatabasePassword"]\n'
                'document["Statement"].append({"Sid": "InjectDatabasePassword", '
                '"Effect": "Allow",\n'
                '    "Action": "secretsmanager:GetSecretValue",\n'
                '    "Resource": lab.resources.db_secret_arn})\n'
                'lab.execution_role.put_inline("orders-launch-secrets", document)\n'
                "lab.run_task()"
            ),
            N_(
                "Injected secrets are read by the ECS agent, with the execution role, before the "
                "app starts."
            ),
            wrong='lab.execution_role.attach("SecretsManagerReadWrite")\nlab.run_task()',
        ),
        "02-decrypt-the-flags": Spec(
            N_(
                "The task stops before the app starts: the injected values are encrypted with the "
                "customer-managed key alias/orders-config, and something cannot decrypt them. Make "
                "the task run to the end, with the smallest change to the right role."
            ),
            "execution-role-without-decrypt",
            _check_decrypt,
            (
                N_("The stoppedReason quotes two services: which one refused, and whom?"),
                N_(
                    "Parameter Store (and Secrets Manager) call KMS on the caller's behalf: the "
                    "refused kms:Decrypt is the ECS agent's, made with the execution role."
                ),
                N_(
                    "Allow kms:Decrypt on the key's ARN (lab.resources.key_arn) in the execution "
                    "role's orders-launch-secrets policy. IAM policies name a key by its key ARN "
                    "(…:key/<id>), not by its alias."
                ),
            ),
            N_(
                'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
                "# (the statement is replaced if it is there: the cell can be re-run)\n"
                'document["Statement"] = [s for s in document["Statement"]\n'
                '                         if s.get("Sid") != "DecryptInjectedValues"]\n'
                'document["Statement"].append({"Sid": "DecryptInjectedValues", "Effect": "Allow",\n'
                '    "Action": "kms:Decrypt", "Resource": lab.resources.key_arn})\n'
                'lab.execution_role.put_inline("orders-launch-secrets", document)\n'
                "lab.run_task()"
            ),
            N_("The agent decrypts what it injects, with the execution role and only that key."),
            wrong='lab.task_role.put_inline("decrypt-config", {"Version": "2012-10-17",\n'
            '    "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",\n'
            '                   "Resource": lab.resources.key_arn}]})\n'
            "lab.run_task()",
        ),
    }
)
