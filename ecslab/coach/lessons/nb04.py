"""Exercises of notebook 04, the workbench: predict with the plan, change a role, run, compare.

The checks read the lab, so a fix made by clicking in the workbench counts exactly like one
typed as code (the workbench changes the roles through the lab's IAM).
"""

from __future__ import annotations

from ecslab.coach.exercises import (
    EXERCISES,
    Exercise,
    RoleChanged,
    Spec,
    any_key_problems,
    grants,
    one_action_of_its_service,
    ran_to_the_end,
    wider_than_needed,
)
from ecslab.i18n import N_, _

# -- 04-explicit-deny ------------------------------------------------------------------------------


def _check_explicit_deny(ex: Exercise) -> list[str]:
    lab, r = ex.lab, ex.lab.resources
    role = lab.task_role.name
    problems = ran_to_the_end(ex)
    if ex.touched(lab.execution_role.name):
        problems.append(
            RoleChanged(
                _(
                    "the execution role was changed; the app's calls never use it. Put it back as "
                    "it was."
                )
            )
        )
    other = f"arn:aws:sns:{r.region}:{r.account_id}:some-other-topic"
    if grants(lab, role, "sns:Publish", other):
        problems.append(
            _("the task role may now publish to any topic, not only orders-notifications.")
        )
    problems += one_action_of_its_service(
        ex, role, "sns:Publish", _("the app only publishes its notification.")
    )
    problems += wider_than_needed(ex, role, {"sns:Publish"}, _("the orders app"), judged={"sns"})
    return problems


# -- 04-decrypt ------------------------------------------------------------------------------------


def _check_decrypt(ex: Exercise) -> list[str]:
    lab, r = ex.lab, ex.lab.resources
    role = lab.execution_role.name
    problems = ran_to_the_end(ex)
    if ex.touched(lab.task_role.name):
        problems.append(
            RoleChanged(
                _("the task role was changed; the launch never uses it. Put it back as it was.")
            )
        )
    # TRANSLATORS: the key in "may now decrypt with any KMS key, not only {key}."
    problems += any_key_problems(ex, role, _("{alias}'s").format(alias=r.key_alias))
    problems += one_action_of_its_service(
        ex, role, "kms:Decrypt", _("injecting the values only decrypts them.")
    )
    problems += wider_than_needed(ex, role, {"kms:Decrypt"}, _("the launch"), judged={"kms"})
    return problems


EXERCISES.update(
    {
        "04-explicit-deny": Spec(
            N_(
                "The orders app stops when it publishes its notification. Make the whole task run "
                "(in the workbench or in code) without letting the task role do more with SNS "
                "than the app needs."
            ),
            "task-role-deny-sns",
            _check_explicit_deny,
            (
                N_("Read the end of the denial in the last log line: why was it refused?"),
                N_(
                    "An explicit Deny wins over every Allow: adding a policy that allows "
                    "sns:Publish changes nothing while the Deny is there."
                ),
                N_(
                    "Remove the task role's inline policy no-notifications (in the workbench: "
                    "choose it under Inline policies, then Remove inline policy) and run the task."
                ),
            ),
            'wb = lab.workbench()\nwb.task.remove_inline("no-notifications")\nwb.run()',
            N_("An explicit deny beats any allow; removing it is the fix, not adding more."),
            wrong='lab.task_role.attach("AmazonSNSFullAccess")\nlab.run_task()',
        ),
        "04-decrypt": Spec(
            N_(
                "The task does not start. Find the call that is refused (the plan and the diagram "
                "help), and fix the role at fault so the task runs, without letting it decrypt "
                "with any other KMS key."
            ),
            "execution-role-without-decrypt",
            _check_decrypt,
            (
                N_(
                    "In which phase did the task stop, and which principal was refused which "
                    "action?"
                ),
                N_(
                    "The SecureString parameter and the database password secret are encrypted "
                    "with the customer-managed key alias/orders-config; the ECS agent decrypts "
                    "them at launch as the execution role."
                ),
                N_(
                    "Add a statement allowing kms:Decrypt on lab.resources.key_arn (the key ARN: "
                    "IAM policies name a key by its key ARN, not by its alias) to the execution "
                    "role's orders-launch-secrets policy (in the workbench: edit it under Inline "
                    "policies, then Save inline policy) and run the task."
                ),
            ),
            # TRANSLATORS: Python code; translate only the comment.
            N_(
                "import json\n"
                "wb = lab.workbench()\n"
                'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
                "# (the statement is replaced if it is there: the cell can be re-run)\n"
                'document["Statement"] = [s for s in document["Statement"]\n'
                '                         if s.get("Sid") != "DecryptInjectedValues"]\n'
                'document["Statement"].append({"Sid": "DecryptInjectedValues", "Effect": "Allow",\n'
                '    "Action": "kms:Decrypt", "Resource": lab.resources.key_arn})\n'
                'wb.execution.apply_inline("orders-launch-secrets", '
                "json.dumps(document, indent=2))\n"
                "wb.run()"
            ),
            N_(
                "Values injected at launch are decrypted by the ECS agent, with the execution role."
            ),
            wrong='lab.task_role.put_inline("decrypt", {"Version": "2012-10-17", "Statement": [\n'
            '    {"Effect": "Allow", "Action": "kms:Decrypt",\n'
            '     "Resource": lab.resources.key_arn}]})\n'
            "lab.run_task()",
        ),
    }
)
