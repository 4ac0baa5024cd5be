"""Exercises of notebook 09 (the task role's other jobs): features that look like infrastructure
but sign with the **task role** — ECS Exec's SSM agent, FireLens's log router, the EFS mount with
IAM authorization.

Each check wants the feature to work in the last task run, the execution role left alone (none of
these calls is made with it: adding the permissions there is the classic wrong fix), and the task
role widened no further than the feature needs.
"""

from __future__ import annotations

from ecslab.coach.exercises import (
    EXERCISES,
    Exercise,
    Spec,
    grants,
    ran_to_the_end,
    untouched,
    wider_than_needed,
)
from ecslab.i18n import N_, _

EXEC_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


def _check_exec(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    problems = untouched(
        ex,
        lab.execution_role.name,
        N_("ECS Exec's SSM agent runs inside the task and never uses it."),
    )
    if not last.enable_execute_command:
        problems.insert(
            0,
            _(
                "the last task was run without ECS Exec: run it with "
                "lab.run_task(enable_execute_command=True)."
            ),
        )
        return problems
    problems = ran_to_the_end(ex) + problems
    if not any(agent.connected for agent in last.exec_agents.values()):
        problems.insert(
            0,
            _(
                "the SSM agent in the last task could not open its control channel: "
                "execute_command would still answer TargetNotConnectedException."
            ),
        )
    role = lab.task_role.name
    missing = [a for a in EXEC_ACTIONS if not grants(lab, role, a, "*")]
    if missing and len(missing) < len(EXEC_ACTIONS):
        problems.append(
            _(
                "the task role does not allow {actions}: the agent needs them too, for the "
                "session itself."
            ).format(actions=", ".join(missing))
        )
    problems += wider_than_needed(
        ex, role, EXEC_ACTIONS, N_("the orders app and ECS Exec's SSM agent")
    )
    return problems


EXERCISES.update(
    {
        "09-ecs-exec": Spec(
            N_(
                "Open a shell in the orders container with ECS Exec: run the task with "
                "enable_execute_command=True and make its SSM agent connect, changing only the "
                "role that the agent uses."
            ),
            "healthy",
            _check_exec,
            (
                N_(
                    "Run the task with lab.run_task(enable_execute_command=True), then look for "
                    "the ssmmessages calls in task.trace: who made them, wearing which role?"
                ),
                N_(
                    "The SSM agent runs inside the task, so it signs with the task's credentials: "
                    "the task role. It needs the four ssmmessages actions of ECS Exec."
                ),
                N_(
                    "Put an inline policy on the task role allowing "
                    "ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and "
                    'OpenDataChannel on "*" (ssmmessages has no resource types), then run the '
                    "task again with enable_execute_command=True."
                ),
            ),
            N_(
                'lab.task_role.put_inline("ecs-exec", {"Version": "2012-10-17", "Statement": [{\n'
                '    "Effect": "Allow", "Resource": "*",\n'
                '    "Action": ["ssmmessages:CreateControlChannel", '
                '"ssmmessages:CreateDataChannel",\n'
                '               "ssmmessages:OpenControlChannel", '
                '"ssmmessages:OpenDataChannel"]}]})\n'
                "task = lab.run_task(enable_execute_command=True)\n"
                "# then open the shell (open_shell(task) above does the same):\n"
                'lab.client("ecs").execute_command(cluster=lab.resources.cluster, task=task.arn,\n'
                '                                  interactive=True, command="/bin/sh")'
            ),
            N_(
                "ECS Exec looks like infrastructure, but its agent lives in your task and wears "
                "the task role."
            ),
            wrong='lab.execution_role.put_inline("ecs-exec", {"Version": "2012-10-17",\n'
            '    "Statement": [{"Effect": "Allow", "Action": "ssmmessages:*", "Resource": "*"}]})\n'
            "lab.run_task(enable_execute_command=True)",
            run_hint="lab.run_task(enable_execute_command=True)",
        ),
    }
)
