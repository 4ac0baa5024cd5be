"""Notebook 05 (troubleshooting): mystery tasks.

A mystery is one of the course's broken setups (:mod:`ecslab.scenarios`, or a change made here),
loaded without saying which, so that the learner has to find the role at fault from what the
task shows: did it start, who was refused, and when.

- ``mystery(lab, "A")`` loads one of the notebook's worked mysteries; ``.reveal()`` says, once
  solved, what had been changed.
- ``lab.exercise("05-mystery-1")`` (and 2, 3) are the learner's own; each check wants the task to
  run to the end **and** only the role at fault to have been changed.
- ``suspect(ex, "execution")`` lets the learner name the role before fixing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ecslab.coach.exercises import (
    EXERCISES,
    LAUNCH_ACTIONS,
    Exercise,
    Spec,
    granted,
    grants,
    ran_to_the_end,
    untouched,
    wider_than_needed,
)
from ecslab.coach.scenarios import SCENARIOS, Scenario, load, with_statement_changed
from ecslab.i18n import N_, _

if TYPE_CHECKING:
    from ecslab.lab import Lab


@dataclass(frozen=True)
class _Words:
    """Text that shows itself as text in a notebook (plain and HTML)."""

    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return "".join(f"<p>{escape(line)}</p>" for line in self.text.split("\n"))


# -- worked mysteries ------------------------------------------------------------------------------

_WORKED = {
    "A": "execution-role-without-secret",
    "B": "task-role-without-sqs",
    "C": "execution-role-wrong-trust",
}


@dataclass(frozen=True)
class Mystery:
    """A worked mystery, loaded into a lab: what was changed stays hidden until ``reveal()``."""

    letter: str
    _scenario: Scenario

    def reveal(self) -> _Words:
        """What had been changed (read it after you solved the mystery)."""
        return _Words(
            _("Mystery {letter} was: {change}").format(
                letter=self.letter, change=_(self._scenario.change)
            )
        )

    def __repr__(self) -> str:
        return _(
            "Mystery {letter} is loaded: the course roles were put back as they start, then "
            "something in them was changed. Run the task and find out which role is at fault."
        ).format(letter=self.letter)

    def _repr_html_(self) -> str:
        return f"<p><strong>{escape(repr(self))}</strong></p>"


def mystery(lab: Lab, letter: str) -> Mystery:
    """Load worked mystery ``letter`` ("A", "B" or "C") into ``lab`` without saying what it is."""
    key = _WORKED.get(str(letter).upper())
    if key is None:
        raise ValueError(
            _("No mystery {letter!r}; the worked mysteries are: {letters}").format(
                letter=letter, letters=", ".join(_WORKED)
            )
        )
    return Mystery(str(letter).upper(), load(lab, key))


# -- naming the role -------------------------------------------------------------------------------

_ROLE_WORDS = {
    "execution": "execution",
    "execution role": "execution",
    "task execution role": "execution",
    "ecs-execution-role": "execution",
    "task": "task",
    "task role": "task",
    "ecs-task-role": "task",
}
_AT_FAULT = {
    "05-mystery-1": (
        "execution",
        N_(
            "the task never started (TaskFailedToStart) and the refused call was made by the ECS "
            "agent's session of ecs-execution-role, during the launch."
        ),
    ),
    "05-mystery-2": (
        "task",
        N_("the task started and the app itself was refused, as ecs-task-role, while it ran."),
    ),
    "05-mystery-3": (
        "execution",
        N_(
            "the task never started: the ECS agent, as ecs-execution-role, was refused while it "
            "fetched a value to inject into the container."
        ),
    ),
}


def suspect(ex: Exercise, role: str) -> _Words:
    """Name the role you would fix for mystery exercise ``ex``: "execution" or "task"."""
    if ex.key not in _AT_FAULT:
        raise ValueError(
            _("suspect() is for the mystery exercises ({keys}), not {key!r}").format(
                keys=", ".join(_AT_FAULT), key=ex.key
            )
        )
    answer = _ROLE_WORDS.get(str(role).strip().lower())
    if answer is None:
        return _Words(
            _(
                '? Name a role: "execution" (the task execution role) or "task" (the task role), '
                "not {role!r}."
            ).format(role=role)
        )
    right, why = _AT_FAULT[ex.key]
    if not ex.tasks() and not ex.run_attempts():
        return _Words(_("? Run the task first (lab.run_task()): the evidence is in what it shows."))
    if answer == right:
        ex.named = right
        if right == "execution":
            said = _(
                "✓ Yes, the task execution role: {why}\nNow fix it, run the task again and check."
            )
        else:
            said = _("✓ Yes, the task role: {why}\nNow fix it, run the task again and check.")
        return _Words(said.format(why=_(why)))
    return _Words(
        _(
            "✗ Not that one. Look again: did the app ever run (task.started, task.logs)? Whose "
            "session was refused (assumed-role/<role>/<task id> in the error)?"
        )
    )


# -- checks ----------------------------------------------------------------------------------------


def _named(ex: Exercise) -> list[str]:
    """A problem until the learner has named the role at fault with suspect() (the mystery asks
    for the diagnosis, not only for a task that runs)."""
    if ex.named is None:
        return [
            _(
                'name the role at fault first: suspect({ex}, "execution") or '
                'suspect({ex}, "task"): the mystery is solved when you can say which role, '
                "and why."
            ).format(ex=ex.variable)
        ]
    return []


def _check_article(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = _named(ex) + ran_to_the_end(ex)
    problems += untouched(ex, lab.task_role.name, _("the task never got as far as using it."))
    deletes = sorted(a for a in granted(lab, lab.execution_role.name) if a.startswith("logs:Del"))
    if deletes:
        problems.append(
            _(
                "the execution role may now delete logs ({actions}...): the agent only writes them."
            ).format(actions=", ".join(deletes[:3]))
        )
    problems += wider_than_needed(
        ex, lab.execution_role.name, LAUNCH_ACTIONS, _("the launch"), said=deletes
    )
    return problems


def _check_table(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = _named(ex) + ran_to_the_end(ex)
    problems += untouched(ex, lab.execution_role.name, _("the application never uses it."))
    role = lab.task_role.name
    for action in ("dynamodb:PutItem", "dynamodb:GetItem"):
        other = f"arn:aws:dynamodb:{lab.region}:{lab.account_id}:table/someone-elses-table"
        if grants(lab, role, action, other):
            problems.append(
                _(
                    "the task role may now use {action} on any table, not only orders: fix the "
                    "table's ARN instead of widening it."
                ).format(action=action)
            )
            break
    problems += wider_than_needed(
        ex, role, {"dynamodb:PutItem", "dynamodb:GetItem"}, _("the orders app")
    )
    return problems


def _check_parameter(ex: Exercise) -> list[str]:
    lab = ex.lab
    problems = _named(ex) + ran_to_the_end(ex)
    problems += untouched(ex, lab.task_role.name, _("the task never got as far as using it."))
    role = lab.execution_role.name
    other = f"arn:aws:ssm:{lab.region}:{lab.account_id}:parameter/someone-else/password"
    if grants(lab, role, "ssm:GetParameters", other):
        problems.append(
            _("the execution role may now read any parameter, not only /orders/feature-flags.")
        )
    problems += wider_than_needed(ex, role, {"ssm:GetParameters"}, _("the launch"))
    return problems


def _setup_article(lab: Lab) -> None:
    """The article's situation: the execution role can pull the image, and that is all."""
    lab.execution_role.detach("AmazonECSTaskExecutionRolePolicy")
    lab.execution_role.attach("AmazonEC2ContainerRegistryReadOnly")


def _setup_table_typo(lab: Lab) -> None:
    """One character missing from the table's ARN in the task role's policy."""
    typo = lab.resources.table_arn[:-1]  # .../table/order
    with_statement_changed(lab.task_role, "orders-app", "Orders", "Resource", typo)


def _setup_singular_parameter(lab: Lab) -> None:
    """The injected parameter allowed with ssm:GetParameter, not the ssm:GetParameters ECS calls."""
    with_statement_changed(
        lab.execution_role,
        "orders-launch-secrets",
        "InjectFeatureFlags",
        "Action",
        "ssm:GetParameter",
    )


# Each mystery's task, whole (a translator needs each sentence as the learner reads it).
_TASKS = {
    1: N_(
        "Mystery 1: something in the course roles was changed. Run the task, name the role at "
        "fault (suspect(ex1, ...)), then make the task run to the end by changing only that role."
    ),
    2: N_(
        "Mystery 2: something in the course roles was changed. Run the task, name the role at "
        "fault (suspect(ex2, ...)), then make the task run to the end by changing only that role."
    ),
    3: N_(
        "Mystery 3: something in the course roles was changed. Run the task, name the role at "
        "fault (suspect(ex3, ...)), then make the task run to the end by changing only that role."
    ),
}

EXERCISES.update(
    {
        "05-mystery-1": Spec(
            _TASKS[1],
            "healthy",
            _check_article,
            (
                N_(
                    "Run the task and read what triage(task) prints: did the task start, what is "
                    "its stopCode, how many log lines did the app write?"
                ),
                N_(
                    "task.stopped_reason names the refused action and the session that asked for "
                    "it (assumed-role/<role>/<task id>): which role is that, and in which phase?"
                ),
                N_(
                    "The execution role can pull the image but may not create the log stream: it "
                    "needs logs:CreateLogStream and logs:PutLogEvents, which one AWS managed "
                    "policy for task execution grants."
                ),
            ),
            # TRANSLATORS: Python code; translate only the comment.
            N_(
                "from ecslab.coach.lessons.nb05 import suspect\n\n"
                "lab.run_task()  # the evidence first\n"
                'suspect(ex1, "execution")\n'
                'lab.execution_role.attach("AmazonECSTaskExecutionRolePolicy")\nlab.run_task()'
            ),
            N_("No log line and no start: the ECS agent, with the execution role, was refused."),
            setup=_setup_article,
            wrong='lab.task_role.attach("CloudWatchLogsFullAccess")\nlab.run_task()',
        ),
        "05-mystery-2": Spec(
            _TASKS[2],
            "healthy",
            _check_table,
            (
                N_(
                    "Run the task and triage(task) it. Did it start? If it did, the refusal is in "
                    "the app's own log lines: read task.logs to the end."
                ),
                N_(
                    "The last log line names the refused action and the resource it was refused "
                    "on. Find the statement of the task role that should allow it "
                    '(lab.task_role.inline_policy("orders-app")) and compare the two, character '
                    "by character."
                ),
                N_(
                    "The Orders statement names a table that does not exist; the app's table is "
                    "lab.resources.table_arn. Correct the statement's Resource."
                ),
            ),
            # TRANSLATORS: Python code; translate only the comment.
            N_(
                "from ecslab.coach.lessons.nb05 import suspect\n\n"
                "lab.run_task()  # the evidence first\n"
                'suspect(ex2, "task")\n'
                'document = lab.task_role.inline_policy("orders-app")\n'
                'for statement in document["Statement"]:\n'
                '    if statement["Sid"] == "Orders":\n'
                '        statement["Resource"] = lab.resources.table_arn\n'
                'lab.task_role.put_inline("orders-app", document)\nlab.run_task()'
            ),
            N_(
                "The app's call, the app's role — and the policy was right in every way but one "
                "letter of the resource."
            ),
            setup=_setup_table_typo,
            wrong='lab.execution_role.attach("AmazonDynamoDBFullAccess")\nlab.run_task()',
        ),
        "05-mystery-3": Spec(
            _TASKS[3],
            "healthy",
            _check_parameter,
            (
                N_(
                    "Run the task. Did the app ever run? When did the task stop: before or after "
                    "the image was pulled? timeline(task) puts it in time order."
                ),
                N_(
                    "Read the inner error of task.stopped_reason: which action was refused, to "
                    "whose session? Then read the statement that should allow it, in "
                    'lab.execution_role.inline_policy("orders-launch-secrets").'
                ),
                N_(
                    "ECS fetches injected parameters with ssm:GetParameters (plural); the "
                    "statement allows ssm:GetParameter, another action (the one an app calls for "
                    "a single parameter). Correct the statement's Action."
                ),
            ),
            # TRANSLATORS: Python code; translate only the comment.
            N_(
                "from ecslab.coach.lessons.nb05 import suspect\n\n"
                "lab.run_task()  # the evidence first\n"
                'suspect(ex3, "execution")\n'
                'document = lab.execution_role.inline_policy("orders-launch-secrets")\n'
                'for statement in document["Statement"]:\n'
                '    if statement["Sid"] == "InjectFeatureFlags":\n'
                '        statement["Action"] = "ssm:GetParameters"\n'
                'lab.execution_role.put_inline("orders-launch-secrets", document)\nlab.run_task()'
            ),
            N_(
                "Injected values are fetched during the launch, by the agent, with the execution "
                "role — with exactly the action ECS calls."
            ),
            setup=_setup_singular_parameter,
            wrong='lab.task_role.put_inline("flags", {"Version": "2012-10-17", "Statement": [{\n'
            '    "Effect": "Allow", "Action": "ssm:GetParameters",\n'
            '    "Resource": lab.resources.parameter_arn}]})\n'
            "lab.run_task()",
        ),
    }
)

assert all(key in SCENARIOS for key in _WORKED.values())

__all__ = ["Mystery", "mystery", "suspect"]
