"""Exercises of notebook 09 (the task role's other jobs): features that look like infrastructure
but sign with the **task role** — ECS Exec's SSM agent, FireLens's log router, the EFS mount with
IAM authorization.

Each check wants the feature to work in the last task run, the execution role left alone (none of
these calls is made with it: adding the permissions there is the classic wrong fix), and the task
role widened no further than the feature needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecslab.coach.exercises import (
    EXERCISES,
    Exercise,
    Spec,
    grants,
    ran_to_the_end,
    untouched,
    wider_than_needed,
)
from ecslab.ecs import efs, firelens
from ecslab.i18n import N_, _
from ecslab.iam import evaluate

if TYPE_CHECKING:
    from ecslab.lab import Lab

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


MOUNT_ACTIONS = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")


def _setup_efs(lab: Lab) -> None:
    """The course's roles as they start, and the file system's policy as the lab creates it
    (it grants nothing: the task role's own policy decides)."""
    fs = lab.file_system
    fs.set_policy(efs.enforce_tls_policy(fs.arn))


def _file_system_problems(ex: Exercise) -> list[str]:
    """The file system policy may grant the task role, not everyone."""
    lab = ex.lab
    fs = lab.file_system
    if fs.policy is None:
        return [
            _(
                "the file system has no policy any more: EFS's default policy lets every client "
                "that reaches a mount target mount and write, whatever its role."
            )
        ]
    someone = f"arn:aws:sts::{lab.account_id}:assumed-role/someone-else/session"
    allowed = evaluate(
        someone,
        "elasticfilesystem:ClientWrite",
        fs.arn,
        identity_policies=[],
        resource_policy=fs.policy,
        context={"aws:SecureTransport": True},
    ).allowed
    if allowed:
        return [
            _("the file system policy now lets any principal mount and write, not only the task.")
        ]
    return []


def _check_efs(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    problems = untouched(
        ex,
        lab.execution_role.name,
        N_("the EFS mount helper identifies the task with the task role, even at launch."),
    )
    mounts = [
        e
        for e in lab.trace.events[ex.first_event :]
        if e.task == last.id and e.principal == efs.LABEL
    ]
    if not mounts:
        problems.insert(
            0,
            _(
                "the last task mounted no EFS volume with IAM authorization: run it with "
                "lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))."
            ),
        )
        return problems
    problems = ran_to_the_end(ex) + problems
    if ran_to_the_end(ex) == [] and any(
        e.action == "elasticfilesystem:ClientWrite" and not e.allowed for e in mounts
    ):
        problems.insert(
            0,
            _(
                "the volume was mounted read-only: the task may mount the file system but not "
                "write to it (elasticfilesystem:ClientWrite)."
            ),
        )
    role = lab.task_role.name
    other = (
        f"arn:aws:elasticfilesystem:{lab.region}:{lab.account_id}:file-system/fs-0123456789abcdef0"
    )
    if grants(lab, role, "elasticfilesystem:ClientMount", other):
        problems.append(
            _("the task role may now mount any file system, not only {id}.").format(
                id=lab.file_system.id
            )
        )
    problems += _file_system_problems(ex)
    problems += wider_than_needed(
        ex, role, MOUNT_ACTIONS, N_("the task (its app and its EFS mount)")
    )
    return problems


ALL_THREE = (
    "from ecslab.ecs.efs import with_efs_volume\n"
    "from ecslab.ecs.firelens import with_log_router\n\n"
    "everything = with_efs_volume(with_log_router(lab.task_definition()), lab.file_system.id)\n"
    "task = lab.run_task(everything, enable_execute_command=True)"
)


def _document(actions: tuple[str, ...], resource: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}],
    }


def _setup_mystery(lab: Lab) -> None:
    """A teammate's setup for the three jobs: ECS Exec and FireLens right, EFS on the wrong role."""
    _setup_efs(lab)
    r = lab.resources
    streams = f"arn:aws:logs:{r.region}:{r.account_id}:log-group:{r.log_group}:log-stream:*"
    lab.task_role.put_inline("ecs-exec", _document(EXEC_ACTIONS, "*"))
    lab.task_role.put_inline("ship-logs", _document(SHIP_ACTIONS, streams))
    lab.execution_role.put_inline("efs", _document(MOUNT_ACTIONS, lab.file_system.arn))


def _check_mystery(ex: Exercise) -> list[str]:
    lab = ex.lab
    last = ex.last_task()
    uses_all = (
        last.enable_execute_command
        and any(firelens.is_router(c) for c in last.containers)
        and any(
            e.task == last.id and e.principal == efs.LABEL
            for e in lab.trace.events[ex.first_event :]
        )
    )
    if not uses_all:
        return [
            _(
                "the last task did not use all three jobs (ECS Exec, a log router, an EFS volume): "
                "run it as the exercise shows ({variable}.hint(1))."
            ).format(variable=ex.variable)
        ]
    problems = ran_to_the_end(ex)
    if last.started_at is not None and not any(
        agent.connected for agent in last.exec_agents.values()
    ):
        problems.append(_("ECS Exec's agent in the last task could not connect."))
    for action in MOUNT_ACTIONS:
        if grants(lab, lab.execution_role.name, action, lab.file_system.arn):
            problems.append(
                _(
                    "the execution role still allows {action}: the mount never uses it, so it is "
                    "a permission nobody needs there."
                ).format(action=action)
            )
            break
    problems += wider_than_needed(
        ex, lab.execution_role.name, (), N_("the launch"), judged={"elasticfilesystem"}
    )
    problems += _file_system_problems(ex)
    problems += wider_than_needed(
        ex, lab.task_role.name, MOUNT_ACTIONS, N_("the task (its app and its EFS mount)")
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
            goal_is_a_run=False,  # the task runs to the end whatever the task role holds
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
                "task: it ships with the task role, while the execution role pulls its image (and "
                "ships the router's own output, with awslogs)."
            ),
            wrong="from ecslab.ecs.firelens import with_log_router\n\n"
            'lab.execution_role.attach("CloudWatchLogsFullAccess")\n'
            "lab.run_task(with_log_router(lab.task_definition()))",
            run_hint=(
                "from ecslab.ecs.firelens import with_log_router; "
                "lab.run_task(with_log_router(lab.task_definition()))"
            ),
            goal_is_a_run=False,  # the task runs to the end whatever the task role holds
        ),
        "09-efs": Spec(
            N_(
                "Mount the EFS file system lab.file_system into the orders container, with IAM "
                "authorization and write access: run the task with "
                "with_efs_volume(lab.task_definition(), lab.file_system.id) and make it run to the "
                "end, changing only the role that the mount uses, for this file system only."
            ),
            "healthy",
            _check_efs,
            (
                N_(
                    "Run the task with the volume (from ecslab.ecs.efs import with_efs_volume). "
                    "It stops at launch, and stoppedReason names no role: look for the "
                    "elasticfilesystem calls in task.trace. Who made them, wearing which role?"
                ),
                N_(
                    "With IAM authorization, the mount helper identifies the task with the task "
                    "role, although the mount happens at launch. It needs "
                    "elasticfilesystem:ClientMount to mount and elasticfilesystem:ClientWrite to "
                    "write."
                ),
                N_(
                    "Allow elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite on the "
                    "file system's ARN (lab.file_system.arn) in an inline policy of the task role, "
                    "then run the task again with the volume."
                ),
            ),
            N_(
                "from ecslab.ecs.efs import with_efs_volume\n\n"
                "fs = lab.file_system\n"
                'lab.task_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{\n'
                '    "Effect": "Allow", "Resource": fs.arn,\n'
                '    "Action": ["elasticfilesystem:ClientMount", '
                '"elasticfilesystem:ClientWrite"]}]})\n'
                "task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id))\n"
                "task.stop_code  # EssentialContainerExited: the task started"
            ),
            N_(
                "The exception to the rule of thumb: a launch failure, fixed on the task role — "
                "because the caller that was refused wears the task role."
            ),
            setup=_setup_efs,
            wrong="from ecslab.ecs.efs import with_efs_volume\n\n"
            'lab.execution_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{\n'
            '    "Effect": "Allow", "Resource": lab.file_system.arn,\n'
            '    "Action": ["elasticfilesystem:ClientMount", '
            '"elasticfilesystem:ClientWrite"]}]})\n'
            "lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))",
            run_hint=(
                "from ecslab.ecs.efs import with_efs_volume; "
                "lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))"
            ),
        ),
        "09-mystery": Spec(
            N_(
                "Mystery: a teammate set up all three jobs for the orders task, and it does not "
                "start. Run it with all three (ex4.hint(1) shows how), find the job and the role "
                "at fault, and make the task run to the end with ECS Exec connected — leaving no "
                "permission on a role that does not use it."
            ),
            "healthy",
            _check_mystery,
            (
                N_(
                    "Run the task with all three jobs:\n"
                    "from ecslab.ecs.efs import with_efs_volume\n"
                    "from ecslab.ecs.firelens import with_log_router\n"
                    "everything = with_efs_volume(with_log_router(lab.task_definition()), "
                    "lab.file_system.id)\n"
                    "task = lab.run_task(everything, enable_execute_command=True)\n"
                    "Then read task.stopped_reason: in which phase did it stop?"
                ),
                N_(
                    "The stoppedReason names no role. Look in task.trace for the refused call: who "
                    "made it, wearing which role? Then read both roles' inline policies "
                    "(lab.task_role, lab.execution_role): where did the teammate put that "
                    "permission?"
                ),
                N_(
                    "The EFS permissions are on the execution role, which the mount never uses: "
                    'move the inline policy "efs" to the task role (put it there, delete it from '
                    "the execution role), then run the task with all three jobs again."
                ),
            ),
            N_(
                'lab.task_role.put_inline("efs", {"Version": "2012-10-17", "Statement": [{\n'
                '    "Effect": "Allow", "Resource": lab.file_system.arn,\n'
                '    "Action": ["elasticfilesystem:ClientMount", '
                '"elasticfilesystem:ClientWrite"]}]})\n'
                'if "efs" in lab.execution_role.inline_policy_names:  # (the cell can be re-run)\n'
                '    lab.execution_role.remove_inline("efs")\n'
                "from ecslab.ecs.efs import with_efs_volume\n"
                "from ecslab.ecs.firelens import with_log_router\n\n"
                "everything = with_efs_volume(with_log_router(lab.task_definition()), "
                "lab.file_system.id)\n"
                "task = lab.run_task(everything, enable_execute_command=True)"
            ),
            N_(
                "Three jobs, one question: who makes the call? All three sign with the task role, "
                "even the mount at launch."
            ),
            setup=_setup_mystery,
            wrong='lab.execution_role.attach("AmazonElasticFileSystemClientReadWriteAccess")\n'
            + ALL_THREE,
            run_hint=ALL_THREE.replace("\n\n", "\n").replace("\n", "; "),
        ),
    }
)
