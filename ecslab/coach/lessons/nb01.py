"""Exercises of notebook 01 (two principals): the app is not the ECS agent, and a task can be
given a task role of its own.

Both checks read the trace of the last task: which principal made a call, wearing which role,
and what was decided.
"""

from __future__ import annotations

from typing import Any

from ecslab.coach.exercises import (
    AGENT_ACTIONS,
    EXERCISES,
    Exercise,
    RoleChanged,
    Spec,
    examples,
    granted,
    ran_to_the_end,
    started,
)
from ecslab.i18n import N_, _, ngettext

TOKEN = "ecr:GetAuthorizationToken"


def _events(ex: Exercise) -> list[Any]:
    """The trace events of the last task run since the exercise began."""
    last = ex.last_task()
    return [e for e in ex.lab.trace.events if e.task == last.id]


def _app_events(ex: Exercise) -> list[Any]:
    """The application's own calls (run phase, not the agent shipping the app's logs)."""
    return [e for e in _events(ex) if e.phase == "run" and e.principal.endswith(" app")]


def _check_app_asks_for_a_token(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = started(ex)
    if problems:
        return problems
    asked = [e for e in _app_events(ex) if e.action == TOKEN]
    if not asked:
        problems.append(
            _(
                "the app in your last task never called {action} (the ECS agent's call at launch "
                "does not count: it is the agent's, not the app's)."
            ).format(action=TOKEN)
        )
    elif any(e.allowed for e in asked):
        problems.append(
            _(
                "the app's {action} was allowed: this exercise is about what the app may do with "
                "the roles as the course starts them."
            ).format(action=TOKEN)
        )
    for role in (lab.execution_role.name, lab.task_role.name):
        if ex.touched(role):
            problems.append(
                RoleChanged(
                    _("the role {role} was changed; leave both roles as they were.").format(
                        role=role
                    )
                )
            )
    return problems


def _check_own_task_role(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = ran_to_the_end(ex)
    if problems:
        return problems
    calls = _app_events(ex)
    if not calls:
        return [
            _("the app in your last task made no AWS call, so no role was used in the run phase.")
        ]
    roles = sorted({e.role for e in calls if e.role})
    used = {e.action for e in calls}
    if lab.task_role.name in roles:
        problems.append(
            _("the app in your last task still called AWS as {role}.").format(
                role=lab.task_role.name
            )
        )
    if lab.execution_role.name in roles:
        problems.append(
            _(
                "the app called AWS as {role}, the task execution role: the app would hold "
                "everything the ECS agent may do."
            ).format(role=lab.execution_role.name)
        )
    for role in roles:
        if role in (lab.task_role.name, lab.execution_role.name):
            continue
        allowed = granted(lab, role)
        agent = sorted(allowed & AGENT_ACTIONS)
        extra = sorted(allowed - used)
        if agent:
            problems.append(
                _(
                    "the role {role}, which the app used, also allows {actions}: only the ECS "
                    "agent needs those, to launch the task and ship its logs."
                ).format(
                    role=role, actions=", ".join(agent[:3]) + ("..." if len(agent) > 3 else "")
                )
            )
        elif extra:
            problems.append(
                ngettext(
                    "the role {role} allows {count} action the app never called (e.g. {actions}).",
                    "the role {role} allows {count} actions the app never called (e.g. {actions}).",
                    len(extra),
                ).format(role=role, count=len(extra), actions=examples(extra))
            )
    return problems


EXERCISES.update(
    {
        "01-app-asks-for-a-token": Spec(
            N_(
                "At every launch the ECS agent asks ECR for a registry token "
                "(ecr:GetAuthorizationToken). Run a task whose application makes that same call "
                "itself, and let the task start. "
                "Then read the trace: who was refused, wearing which role?"
            ),
            "healthy",
            _check_app_asks_for_a_token,
            (
                N_(
                    "A container's program is a Python function: lab.run_task(app=my_function) "
                    "runs the course's task with your function as the application."
                ),
                N_(
                    'Inside the function, plain boto3 is the application: boto3.client("ecr") '
                    "gets the task role's credentials, never the execution role's."
                ),
                N_(
                    "Call boto3.client('ecr').get_authorization_token() inside a try/except that "
                    "prints the error, and pass the function as app=."
                ),
            ),
            # TRANSLATORS: code; translate only the texts it prints.
            N_(
                "import boto3\n\n"
                "def ask_for_a_token():\n"
                "    try:\n"
                '        boto3.client("ecr").get_authorization_token()\n'
                '        print("got a registry token")\n'
                "    except Exception as error:\n"
                '        print("refused:", error)\n\n'
                "task = lab.run_task(app=ask_for_a_token)\n"
                "print(task.logs)"
            ),
            N_("The app wears the task role: the agent's permissions are not the app's."),
            wrong='lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")\nlab.run_task()',
        ),
        "01-second-task-role": Spec(
            N_(
                "Create a second role for the orders app, with only what the app calls, and run a "
                "task whose run phase uses it, while the ECS agent still launches the task with "
                "the task execution role."
            ),
            "healthy",
            _check_own_task_role,
            (
                N_(
                    'Which calls does the app make? task.trace.filter(principal="orders app") '
                    "lists them (the run phase also has the ECS agent shipping the app's logs), "
                    "and the task role's orders-app policy allows exactly those."
                ),
                N_(
                    "lab.create_role(name, inline=document) creates a role that trusts "
                    "ecs-tasks.amazonaws.com, with an inline policy; role.arn is its ARN."
                ),
                N_(
                    "RunTask can give one task another task role: "
                    'lab.run_task(overrides={"taskRoleArn": role.arn}). (Registering a task '
                    "definition with that taskRoleArn works too.)"
                ),
            ),
            'document = lab.task_role.inline_policy("orders-app")\n'
            'role = lab.create_role("orders-app-role", inline=document, exist_ok=True)\n'
            'task = lab.run_task(overrides={"taskRoleArn": role.arn})\n'
            'print(task.trace.filter(principal="orders app"))',
            N_("One role per caller: the agent and the app never share permissions."),
            creates=("orders-app-role", "orders-all-in-one"),
            wrong='role = lab.create_role("orders-all-in-one",\n'
            '    inline=lab.task_role.inline_policy("orders-app"),\n'
            '    managed=("AmazonECSTaskExecutionRolePolicy",))\n'
            'role.put_inline("launch-secrets",\n'
            '    lab.execution_role.inline_policy("orders-launch-secrets"))\n'
            'lab.run_task(overrides={"executionRoleArn": role.arn, "taskRoleArn": role.arn})',
        ),
    }
)
