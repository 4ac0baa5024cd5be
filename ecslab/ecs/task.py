"""A task as a learner looks at it: its status, its containers, its logs and its part of the trace.

``Task`` reads the lab's ECS state: what ``describe_tasks`` would show (``last_status``,
``stop_code``, ``stopped_reason``, the containers' exit codes and reasons), the task's CloudWatch
log lines as the agent delivered them (none when the task never started), and the trace events
that belong to it. A ``RunTask`` that ECS refused (a role it cannot assume, say) gives a Task
whose ``failure`` holds the API's error and which has no ARN: ECS created nothing. Its
DescribeTasks fields (``last_status``, ``stop_code``, ``stopped_reason``...) stay ``None`` for a
program to test, while everything that shows the task (its repr, its HTML, ``summary()``) says
"No task was created: RunTask was refused: <what ECS said>", and ``describe()`` raises
:class:`NoTaskCreated` saying the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Any

from ecslab.cloud.trace import Trace
from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import TaskState


class NoTaskCreated(LearnerMistake, LookupError):
    """Asked for what ECS says about a task, when RunTask was refused and made none."""


@dataclass(frozen=True)
class Container:
    """One container of a task, as DescribeTasks shows it."""

    name: str
    image: str
    last_status: str
    exit_code: int | None
    reason: str | None


class Task:
    """One task run in the lab (or one RunTask that ECS refused: then ``failure`` holds ECS's
    error and the DescribeTasks fields below are ``None``, since there is no task)."""

    def __init__(
        self,
        world: World,
        state: TaskState | None,
        failure: str | None = None,
        trace_from: int = 0,
        trace_to: int | None = None,
    ) -> None:
        self._world = world
        self._state = state
        self.failure = failure
        self._trace_range = (trace_from, trace_to)

    @property
    def refusal(self) -> str | None:
        """ "No task was created: RunTask was refused: <ECS's error>", when it was."""
        if self._state is not None:
            return None
        return _("No task was created: RunTask was refused: {error}").format(error=self.failure)

    # -- what DescribeTasks says -------------------------------------------------------------------

    @property
    def arn(self) -> str | None:
        return self._state.arn if self._state else None

    @property
    def id(self) -> str | None:
        return self._state.id if self._state else None

    @property
    def last_status(self) -> str | None:
        """DescribeTasks' ``lastStatus`` (``STOPPED`` once the lab has followed the task to its
        end); ``None`` when RunTask was refused and no task was created (see ``failure``)."""
        return self._state.last_status if self._state else None

    @property
    def desired_status(self) -> str | None:
        return self._state.desired_status if self._state else None

    @property
    def stop_code(self) -> str | None:
        """``TaskFailedToStart``, ``EssentialContainerExited``...; ``None`` when RunTask was
        refused and no task was created (see ``failure``)."""
        return self._state.stop_code if self._state else None

    @property
    def stopped_reason(self) -> str | None:
        """DescribeTasks' ``stoppedReason``; ``None`` when RunTask was refused and no task was
        created (see ``failure``)."""
        return self._state.stopped_reason if self._state else None

    @property
    def task_definition_arn(self) -> str | None:
        return self._state.definition.arn if self._state else None

    @property
    def started(self) -> bool:
        """Did any container start (did the app get to run)?"""
        return bool(self._state and self._state.started_at is not None)

    @property
    def containers(self) -> list[Container]:
        if self._state is None:
            return []
        return [
            Container(c.name, c.definition.image, c.last_status, c.exit_code, c.reason)
            for c in self._state.containers
        ]

    @property
    def exit_code(self) -> int | None:
        """The first essential container's exit code."""
        if self._state is None:
            return None
        essential = [c for c in self._state.containers if c.definition.essential]
        return essential[0].exit_code if essential else None

    def describe(self) -> dict[str, Any]:
        """This task as ``ecs.describe_tasks`` returns it (timestamps as datetimes);
        :class:`NoTaskCreated` when RunTask was refused, as there is no task to describe."""
        if self._state is None:
            raise NoTaskCreated(
                _("There is no task to describe. {refusal}").format(refusal=self.refusal)
            )
        return self._world.learner_client("ecs").describe_tasks(
            cluster=self._state.cluster_arn, tasks=[self._state.arn]
        )["tasks"][0]

    # -- logs and trace ----------------------------------------------------------------------------

    @property
    def logs(self) -> list[str]:
        """The task's CloudWatch Logs lines, as the awslogs driver delivered them (or a FireLens
        log router: the app's lines it shipped; the router's own output is in
        ``container_logs("log_router")``)."""
        if self._state is None:
            return []
        lines: list[str] = []
        account = self._world.account
        for container in self._state.containers:
            if container.definition.raw.get("firelensConfiguration"):
                continue
            if container.log_group and container.log_stream:
                lines += account.log_messages(container.log_group, container.log_stream)
            elif container.name in self._state.log_destinations:
                lines += account.log_messages(*self._state.log_destinations[container.name])
        return lines

    def container_logs(self, name: str) -> list[str]:
        """What container ``name`` printed (its stdout and stderr, as ``docker logs`` shows it),
        whether or not it reached CloudWatch Logs: e.g. a FireLens router's error lines."""
        if self._state is None:
            return []
        names = [c.name for c in self._state.containers]
        if name not in names:
            raise ValueError(
                _("This task has no container {name}; its containers are: {names}").format(
                    name=repr(name), names=", ".join(repr(n) for n in names)
                )
            )
        container = next(c for c in self._state.containers if c.name == name)
        return [line for _stamp, line in container.log_lines if line]

    @property
    def log_stream(self) -> str | None:
        if self._state is None:
            return None
        for container in self._state.containers:
            if container.log_stream:
                return container.log_stream
        logging = next(
            (
                c.definition.log_configuration
                for c in self._state.containers
                if c.definition.log_configuration
            ),
            None,
        )
        if logging is not None and logging.prefix:
            name = self._state.containers[0].name
            return f"{logging.prefix}/{name}/{self._state.id}"
        return None

    @property
    def trace(self) -> Trace:
        """The calls made for this task: ECS assuming its roles, the agent, the app."""
        start, end = self._trace_range
        events = self._world.trace.events[start:end]
        if self._state is not None:
            return Trace([e for e in events if e.task == self._state.id])
        return Trace([e for e in events if e.phase == "launch"])

    # -- display -----------------------------------------------------------------------------------

    def summary(self) -> str:
        """One or two lines: what happened."""
        if self._state is None:
            return str(self.refusal)
        state = self._state
        text = _("Task {id}: {status}").format(id=state.id, status=state.last_status)
        if state.stop_code:
            text += f" ({state.stop_code})"
        if state.stopped_reason:
            text += f"\nstoppedReason: {state.stopped_reason}"
        codes = [
            _("{container} exit {code}").format(container=c.name, code=c.exit_code)
            for c in self.containers
            if c.exit_code is not None
        ]
        if codes:
            # TRANSLATORS: between two items of a list on one line.
            text += "\n" + _("containers: {exits}").format(exits=_(", ").join(codes))
        return text

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        if self._state is None:
            none = escape(_("No task was created"))
            refused = escape(_("RunTask was refused. ECS said:"))
            return (
                f"<p><strong>✗ {none}</strong>: {refused}</p>"
                f"<pre style='white-space:pre-wrap'>{escape(str(self.failure))}</pre>"
            )
        ok = self.stop_code == "EssentialContainerExited" and self.exit_code == 0
        mark = "✓" if ok else "✗"
        rows = [
            ("lastStatus", self.last_status),
            ("stopCode", self.stop_code),
            ("stoppedReason", self.stopped_reason),
            (_("started"), _time(self._state.started_at) or _("never (the app did not run)")),
        ]
        rows += [
            (
                _("container {name}").format(name=c.name),
                _("{status}, exit code {code}").format(status=c.last_status, code=c.exit_code),
            )
            for c in self.containers
        ]
        rows.append((_("log lines"), str(len(self.logs))))
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
            for k, v in rows
            if v is not None
        )
        heading = escape(_("Task {id}").format(id=self.id))
        return f"<p><strong>{mark} {heading}</strong></p><table>{body}</table>"


def _time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
