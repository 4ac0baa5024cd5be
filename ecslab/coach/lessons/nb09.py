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
from ecslab.ecs import firelens
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
        ex, role, EXEC_ACTIONS, N_("the task (its app and its SSM agent)")
    )
    return problems


SHIP_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def _check_firelens(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    problems = untouched(
        ex,
        lab.execution_role.name,
        N_("the log router runs inside the task and ships the app's lines with the task role."),
    )
    if not any(firelens.is_router(c) for c in last.containers):
        problems.insert(
            0,
            _(
                "the last task had no log router: run it with "
                "lab.run_task(with_log_router(lab.task_definition()))."
            ),
        )
        return problems
    problems = ran_to_the_end(ex) + problems
    shipped = [
        e
        for e in lab.trace.events[ex.first_event :]
        if e.task == last.id
        and e.principal == firelens.LABEL
        and e.action == "logs:PutLogEvents"
        and e.allowed
    ]
    if not shipped:
        problems.insert(
            0,
            _(
                "the app's lines in the last task never reached CloudWatch Logs: read the "
                'router\'s own output (task.container_logs("log_router")).'
            ),
        )
    role = lab.task_role.name
    r = lab.resources
    other = f"arn:aws:logs:{r.region}:{r.account_id}:log-group:someone-else:log-stream:x"
    if grants(lab, role, "logs:PutLogEvents", other):
        problems.append(
            _("the task role may now write to any log group, not only {group}.").format(
                group=r.log_group
            )
        )
    problems += wider_than_needed(
        ex, role, SHIP_ACTIONS, N_("the task (its app and its log router)")
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
        "09-firelens": Spec(
            N_(
                "Ship the orders app's logs through a FireLens log router: run the task with "
                "with_log_router(lab.task_definition()) and make the app's lines reach CloudWatch "
                "Logs, changing only the role that the router uses and allowing only the course's "
                "log group."
            ),
            "healthy",
            _check_firelens,
            (
                N_(
                    "Run the task with the router (from ecslab.ecs.firelens import "
                    "with_log_router), then compare len(task.logs) with what the router printed: "
                    'task.container_logs("log_router").'
                ),
                N_(
                    "The router's error names the refused action and the session that asked for "
                    "it: assumed-role/<role>/<task id>. The router runs inside the task: which "
                    "role does it wear?"
                ),
                N_(
                    "Allow logs:CreateLogStream and logs:PutLogEvents on the task role, on the "
                    "streams of lab.resources.log_group only: "
                    "arn:aws:logs:<region>:<account>:log-group:/ecs/orders:log-stream:*."
                ),
            ),
            N_(
                "from ecslab.ecs.firelens import with_log_router\n\n"
                "r = lab.resources\n"
                'lab.task_role.put_inline("ship-logs", {"Version": "2012-10-17", "Statement": [{\n'
                '    "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],\n'
                '    "Resource": f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{r.log_group}'
                ':log-stream:*"}]})\n'
                "task = lab.run_task(with_log_router(lab.task_definition()))\n"
                "len(task.logs)  # the app's lines arrived"
            ),
            N_(
                "Logging looks like infrastructure, but a FireLens router is a container of your "
                "task: it ships with the task role, while the execution role only pulls its image."
            ),
            wrong="from ecslab.ecs.firelens import with_log_router\n\n"
            'lab.execution_role.attach("CloudWatchLogsFullAccess")\n'
            "lab.run_task(with_log_router(lab.task_definition()))",
            run_hint=(
                "from ecslab.ecs.firelens import with_log_router; "
                "lab.run_task(with_log_router(lab.task_definition()))"
            ),
        ),
    }
)
