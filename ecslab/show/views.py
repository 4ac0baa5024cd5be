"""The lab's objects as a learner looks at them: tasks, the trace, roles and plans that draw
themselves. Each view is the simulation's own object with display methods added; nothing here
changes how the simulation decides (data flows one way: ``show`` reads ``cloud`` and ``ecs``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.cloud.roles import Role
from ecslab.cloud.trace import Trace, TraceEvent
from ecslab.ecs.deployer import run_task_events
from ecslab.ecs.plan import Plan, PlannedCall
from ecslab.ecs.task import Task
from ecslab.i18n import _
from ecslab.show.diagram import DEPLOY_PHASE, Call, Diagram, build

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.service import ECSService

DIAGRAM_PHASES = ("launch", "run")


def _outcome(event: TraceEvent) -> str:
    if event.unreachable:
        return "unreachable"
    return "allowed" if event.allowed else "denied"


def event_calls(
    events: Iterable[TraceEvent], wearers: Mapping[str, tuple[str, str]] | None = None
) -> list[Call]:
    """Trace events as diagram calls; ``wearers``: for whom ECS assumed each role (by ARN)."""
    wearers = wearers or {}
    return [
        Call(
            e.phase,
            e.principal,
            e.role,
            e.action,
            e.resource,
            _outcome(e),
            e.via,
            e.error,
            wearer=wearers.get(e.resource) if e.action == "sts:AssumeRole" else None,
        )
        for e in events
    ]


def planned_calls(plan: Plan, outcome: str = "planned") -> list[Call]:
    return [
        Call(
            c.phase,
            c.principal,
            c.role,
            c.action,
            c.resource,
            outcome,
            c.via,
            why=c.why,
            wearer=c.wearer,
        )
        for c in plan
    ]


def _wearers(plan: Plan | None) -> dict[str, tuple[str, str]]:
    return {c.resource: c.wearer for c in plan or () if c.wearer is not None}


def _role_policies(world: World, names: Iterable[str | None]) -> dict[str, list[str]]:
    """Each role's policy names, now; roles that no longer exist are left out."""
    found: dict[str, list[str]] = {}
    for name in dict.fromkeys(n for n in names if n):
        try:
            found[name] = Role(world, name).policies
        except ClientError:
            continue
    return found


class TraceView(Trace):
    """The trace (or part of it), with a diagram and tables. ``world`` and ``ecs``: the
    simulation it was recorded in (for the roles' policies now, and the tasks' plans)."""

    def __init__(
        self,
        events: list[TraceEvent] | None = None,
        world: World | None = None,
        ecs: ECSService | None = None,
    ) -> None:
        super().__init__(events)
        self._world = world
        self._ecs = ecs

    def _derive(self, events: list[TraceEvent]) -> TraceView:
        return TraceView(events, self._world, self._ecs)

    def diagram(self, phases: Sequence[str] = DIAGRAM_PHASES) -> Diagram:
        """Who called what, phase by phase (by default the tasks' phases: launch and run)."""
        events = [e for e in self if e.phase in phases]
        roles = _role_policies(self._world, (e.role for e in events)) if self._world else {}
        denied = sum(not e.allowed for e in events)
        return build(
            event_calls(events),
            _("Trace: {count} calls in phases {phases}").format(
                count=len(events), phases=", ".join(phases)
            ),
            _("{count} denied").format(count=denied) if denied else _("all allowed"),
            roles,
            legend=("allowed", "denied"),
        )

    def table(self) -> Any:
        """The trace as a DataFrame, columns in reading order."""
        from ecslab.show.tables import trace_frame

        return trace_frame(self)

    def summary(self) -> Any:
        """Calls grouped by phase, principal and action, with allowed/denied counts."""
        from ecslab.show.tables import summary_frame

        return summary_frame(self)

    def styled(self) -> Any:
        """An HTML table where denied calls stand out (a ✗ mark, bold, a border; not colour
        alone)."""
        from ecslab.show.tables import styled_html

        return _HTML(styled_html(self))

    def _repr_html_(self) -> str:
        from ecslab.show.tables import styled_html

        return styled_html(self)

    def least_privilege(self, role: str) -> Any:
        """The smallest policy allowing what ``role`` did (and needed) in these calls, beside
        what the role has now (see :mod:`ecslab.show.least`)."""
        from ecslab.show.least import LeastPrivilege

        if self._world is None or self._ecs is None:
            raise ValueError(
                _("least_privilege() needs a lab's trace, e.g. lab.trace or task.trace")
            )
        if hasattr(role, "name"):
            role = role.name
        self._world.require_open()
        return LeastPrivilege(self._world, self._ecs, str(role), self)

    def cloudtrail(self, index: int = -1) -> Any:
        """One event (the last by default) as a CloudTrail-like record."""
        from ecslab.show.tables import cloudtrail_json

        event = self[index]
        account, region = self._account()
        return _Text(cloudtrail_json(event, account, region))

    def _account(self) -> tuple[str, str]:
        if self._world is not None:
            return self._world.account.account_id, self._world.account.region
        first = next((e for e in self if e.principal_arn.count(":") >= 4), None)
        account = first.principal_arn.split(":")[4] if first else ""
        return account, ""


class TaskView(Task):
    """A task, with its diagram: what happened, and what never happened because it stopped."""

    def __init__(
        self,
        world: World,
        ecs: ECSService,
        *args: Any,
        reference: str | None = None,
        deployer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(world, *args, **kwargs)
        self._ecs = ecs
        self._reference = reference
        self._deployer = deployer

    @property
    def deployer_calls(self) -> TraceView:
        """The deployer's RunTask and the iam:PassRole checks ECS made on it (when the task was
        run with ``as_deployer=True``; empty otherwise)."""
        if not self._deployer:
            return TraceView([], self._world, self._ecs)
        start, end = self._trace_range
        events = run_task_events(self._world.trace.events[start:end])
        return TraceView(events, self._world, self._ecs)

    @property
    def trace(self) -> TraceView:
        own = list(super().trace.events)
        return TraceView(list(self.deployer_calls.events) + own, self._world, self._ecs)

    def plan(self) -> Plan | None:
        """The calls this task was going to make (its task definition's plan, with its id)."""
        if self._state is not None:
            return self._ecs.plan("", task=self._state)
        return self._ecs.plan(self._reference or "")

    def diagram(self) -> Diagram:
        """The task's calls in both phases; calls it never reached are drawn dotted."""
        plan = self.plan()
        events = [e for e in super().trace if e.phase in DIAGRAM_PHASES]
        calls = event_calls(events, _wearers(plan))
        # the deployer's RunTask comes first, in a box of its own before launch
        calls = [
            dataclasses.replace(c, phase=DEPLOY_PHASE)
            for c in event_calls(self.deployer_calls.events)
        ] + calls
        # what a planned call is includes the call it comes through: a made kms:Decrypt for
        # Parameter Store does not mean the one for Secrets Manager was reached
        made = {(e.phase, e.principal, e.action, e.resource, e.via) for e in events}
        never = [c for c in planned_calls(plan, "never") if _key(c) not in made] if plan else []
        calls += never
        roles = _role_policies(self._world, [c.role for c in calls] + _plan_roles(plan))
        if self._state is None:
            title = _("RunTask of {definition}").format(
                definition=self._reference or _("the task definition")
            )
            status = _("refused — {failure}").format(failure=self.failure)
        else:
            title = _("Task {id} ({definition})").format(
                id=self.id, definition=self._state.definition.family_revision
            )
            status = f"{self.last_status}, {self.stop_code}"
            if self.exit_code is not None:
                status = _("{status}, exit code {code}").format(status=status, code=self.exit_code)
        return build(calls, title, status, roles)


def _key(call: Call) -> tuple[str, str, str, str, str | None]:
    return (call.phase, call.principal, call.action, call.resource, call.via)


def _plan_roles(plan: Plan | None) -> list[str]:
    return [c.role for c in plan or () if c.role] + [
        c.resource.rsplit("/", 1)[-1] for c in plan or () if c.wearer
    ]


class RoleView(Role):
    """A role that shows itself as a card: trust, policies, and how much each grants."""

    def card(self) -> Any:
        from ecslab.show.cards import RoleCard

        return RoleCard(self)

    def _repr_html_(self) -> str:
        return self.card()._repr_html_()


class PlanView:
    """What a task definition will ask AWS for, and who will ask — before running it."""

    def __init__(self, world: World, plan: Plan) -> None:
        self._world = world
        self.plan = plan

    @property
    def calls(self) -> tuple[PlannedCall, ...]:
        return self.plan.calls

    def diagram(self) -> Diagram:
        roles = _role_policies(self._world, _plan_roles(self.plan))
        status = None
        if not self.plan.run_phase_known:
            status = _("the app's own calls are not known until it runs")
        # the deployer's RunTask, in the box before launch as in a task's diagram
        calls = [
            dataclasses.replace(c, phase=DEPLOY_PHASE) if c.phase == "admin" else c
            for c in planned_calls(self.plan)
        ]
        return build(
            calls,
            _("Plan of {definition}: what a task will ask AWS for").format(
                definition=self.plan.family_revision
            ),
            status,
            roles,
            legend=("planned",),
        )

    def describe(self) -> str:
        return self.diagram().describe()

    def _repr_html_(self) -> str:
        return self.diagram()._repr_html_()

    def __repr__(self) -> str:
        return self.describe()


class _HTML:
    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


class _Text(str):
    """A string that prints as itself in a notebook (no quotes, no escapes)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"
