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
    Spec,
    any_key_problems,
    granted,
    grants,
    one_action_of_its_service,
    ran_to_the_end,
    wider_than_needed,
)


def _check_launch(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    if ex.touched(lab.task_role.name):
        problems.append(
            "the task role was changed; the launch never uses it. Put it back as it was."
        )
    deletes = [a for a in granted(lab, lab.execution_role.name) if a.startswith("logs:Delete")]
    if deletes:
        problems.append(
            f"the execution role may now delete logs ({', '.join(sorted(deletes)[:3])}...): it "
            "only needs to write them."
        )
    problems += wider_than_needed(
        ex, lab.execution_role.name, LAUNCH_ACTIONS, "the launch", said=deletes
    )
    return problems


def _task_role_untouched(ex: Exercise) -> list[str]:
    if ex.touched(ex.lab.task_role.name):
        return [
            "the task role was changed; the ECS agent injects secrets before the app starts, "
            "so the launch never uses it. Put it back as it was."
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
            "the execution role may now read any secret in Secrets Manager, not only "
            f"{r.db_secret}."
        )
    elif grants(lab, role, "secretsmanager:GetSecretValue", r.api_key_secret_arn):
        problems.append(
            f"the execution role may now read {r.api_key_secret}, a secret that only the app "
            "reads, at run time."
        )
    problems += one_action_of_its_service(
        ex, role, "secretsmanager:GetSecretValue", "injecting a secret only reads it."
    )
    problems += wider_than_needed(
        ex, role, {"secretsmanager:GetSecretValue"}, "the launch", judged={"secretsmanager"}
    )
    return problems


def _check_decrypt(ex: Exercise) -> list[str]:
    lab = ex.lab
    r = lab.resources
    role = lab.execution_role.name
    problems = ran_to_the_end(ex) + _task_role_untouched(ex)
    problems += any_key_problems(ex, role, f"{r.key_alias}'s")
    problems += one_action_of_its_service(
        ex, role, "kms:Decrypt", "injecting the values only decrypts them."
    )
    problems += wider_than_needed(ex, role, {"kms:Decrypt"}, "the launch", judged={"kms"})
    return problems


EXERCISES.update(
    {
        "02-fix-the-launch": Spec(
            "The task does not start and CloudWatch Logs is empty. Make it run to the end, "
            "changing only the role that is at fault.",
            "execution-role-without-managed-policy",
            _check_launch,
            (
                "Did the app ever run? Look at task.stop_code and at task.logs.",
                "When a task never starts, the calls that failed were made by the ECS agent. "
                "Which role does the agent wear?",
                "The agent needs ecr:GetAuthorizationToken, the image pull and the log stream: "
                "one AWS managed policy has exactly those.",
            ),
            'lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")\nlab.run_task()',
            "The agent pulls the image and creates the log stream with the execution role.",
            wrong='lab.task_role.attach("AmazonEC2ContainerRegistryReadOnly")\n'
            'lab.task_role.attach("CloudWatchLogsFullAccess")\nlab.run_task()',
        ),
        "02-inject-the-password": Spec(
            "The task stops before the app starts: ECS cannot inject DB_PASSWORD from Secrets "
            "Manager. Make the task run to the end, letting the launch read that one secret and "
            "nothing more.",
            "execution-role-without-secret",
            _check_password,
            (
                "Read the stoppedReason: which principal was refused, and which role does its "
                "ARN name?",
                "The refused call is the ECS agent's secretsmanager:GetSecretValue, made with the "
                "execution role; the secret's ARN is in the message (and in "
                "lab.resources.db_secret_arn).",
                "Add a statement to the execution role's orders-launch-secrets policy allowing "
                "secretsmanager:GetSecretValue on lab.resources.db_secret_arn only (the full ARN: "
                "Secrets Manager appends '-' and 6 random characters to the secret's name).",
            ),
            'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
            "# (the statement is replaced if it is there: the cell can be re-run)\n"
            'document["Statement"] = [s for s in document["Statement"]\n'
            '                         if s.get("Sid") != "InjectDatabasePassword"]\n'
            'document["Statement"].append({"Sid": "InjectDatabasePassword", "Effect": "Allow",\n'
            '    "Action": "secretsmanager:GetSecretValue",\n'
            '    "Resource": lab.resources.db_secret_arn})\n'
            'lab.execution_role.put_inline("orders-launch-secrets", document)\n'
            "lab.run_task()",
            "Injected secrets are read by the ECS agent, with the execution role, before the app "
            "starts.",
            wrong='lab.execution_role.attach("SecretsManagerReadWrite")\nlab.run_task()',
        ),
        "02-decrypt-the-flags": Spec(
            "The task stops before the app starts: the injected values are encrypted with the "
            "customer-managed key alias/orders-config, and something cannot decrypt them. Make "
            "the task run to the end, with the smallest change to the right role.",
            "execution-role-without-decrypt",
            _check_decrypt,
            (
                "The stoppedReason quotes two services: which one refused, and whom?",
                "Parameter Store (and Secrets Manager) call KMS on the caller's behalf: the "
                "refused kms:Decrypt is the ECS agent's, made with the execution role.",
                "Allow kms:Decrypt on the key's ARN (lab.resources.key_arn) in the execution "
                "role's orders-launch-secrets policy. IAM policies name a key by its key ARN "
                "(…:key/<id>), not by its alias.",
            ),
            'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
            "# (the statement is replaced if it is there: the cell can be re-run)\n"
            'document["Statement"] = [s for s in document["Statement"]\n'
            '                         if s.get("Sid") != "DecryptInjectedValues"]\n'
            'document["Statement"].append({"Sid": "DecryptInjectedValues", "Effect": "Allow",\n'
            '    "Action": "kms:Decrypt", "Resource": lab.resources.key_arn})\n'
            'lab.execution_role.put_inline("orders-launch-secrets", document)\n'
            "lab.run_task()",
            "The agent decrypts what it injects, with the execution role and only that key.",
            wrong='lab.task_role.put_inline("decrypt-config", {"Version": "2012-10-17",\n'
            '    "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",\n'
            '                   "Resource": lab.resources.key_arn}]})\n'
            "lab.run_task()",
        ),
    }
)
