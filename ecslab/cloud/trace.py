"""The trace: every call that passed through the gate, as a frozen record.

``lab.trace`` grows as the learner, the ECS agent and the application call AWS. It can be
filtered (by phase, role, principal, decision, service, task) and turned into a pandas DataFrame
with ``to_frame()``; pandas is imported only then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from html import escape
from typing import Any

from ecslab.i18n import _

ALLOWED = "Allowed"
REGISTRY_REFUSED = "RegistryRefused"  # a container registry said no (Docker Hub's 429): not IAM
UNREACHABLE = "Unreachable"  # no network path: the call timed out, no policy was evaluated

COLUMNS = (
    "seq",
    "time",
    "phase",
    "principal",
    "role",
    "service",
    "operation",
    "action",
    "resource",
    "decision",
    "policy",
    "sid",
    "error_code",
    "error",
    "principal_arn",
    "task",
    "via",
)


_DECISION_WORDS = frozenset(
    {"allowed", "denied", "implicitlydenied", "explicitlydenied", "unreachable", "registryrefused"}
)


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One authorized (or refused) call.

    ``principal`` says who in words ("ECS agent", "orders app", "you (administrator)");
    ``principal_arn`` is what AWS would log; ``decision`` is the judge's; ``policy``/``sid`` name
    the deciding statement; ``error_code``/``error`` are what the caller received when refused.
    ``via`` names the call this one was made on behalf of (SSM decrypting with KMS for a caller).
    """

    seq: int
    time: str
    phase: str
    principal: str
    principal_arn: str
    role: str | None
    service: str
    operation: str
    action: str
    resource: str
    decision: str
    policy: str | None = None
    sid: str | None = None
    error_code: str | None = None
    error: str | None = None
    task: str | None = None
    via: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}

    @property
    def unreachable(self) -> bool:
        return self.decision == UNREACHABLE

    def __str__(self) -> str:
        mark = "✓" if self.allowed else "⊘" if self.unreachable else "✗"
        who = f"{self.principal} ({self.role})" if self.role else self.principal
        line = _("#{seq} [{phase}] {who} {mark} {action} on {resource}").format(
            seq=self.seq,
            phase=self.phase,
            who=who,
            mark=mark,
            action=self.action,
            resource=self.resource,
        )
        return line + (f" — {self.error_code}" if self.error_code else "")


class Trace:
    """An ordered, filterable view of trace events (the lab's trace, or part of it)."""

    def __init__(self, events: list[TraceEvent] | None = None) -> None:
        self._events: list[TraceEvent] = events if events is not None else []

    # -- recording (the gate) --------------------------------------------------------------------

    def record(self, **values: Any) -> TraceEvent:
        event = TraceEvent(seq=len(self._events) + 1, **values)
        self._events.append(event)
        return event

    def clear(self) -> None:
        self._events.clear()

    # -- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[TraceEvent]:
        return iter(tuple(self._events))

    def __getitem__(self, index: int) -> TraceEvent:
        return self._events[index]

    @property
    def events(self) -> tuple[TraceEvent, ...]:
        return tuple(self._events)

    def live_events(self) -> list[TraceEvent]:
        """The trace's own list of events, not a copy: a view built on it sees later calls."""
        return self._events

    def filter(
        self,
        phase: str | Iterable[str] | None = None,
        role: str | None = None,
        principal: str | None = None,
        decision: str | None = None,
        service: str | None = None,
        task: str | None = None,
        where: Callable[[TraceEvent], bool] | None = None,
    ) -> Trace:
        """Events that match every given criterion.

        >>> lab.trace.filter(phase="launch", decision="denied")  # doctest: +SKIP

        ``decision`` accepts "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", "Unreachable" (no
        network path: not an IAM decision), or "denied" for both kinds of denial, in any case
        ("allowed", as the tables print it, works too).
        """
        wanted = None
        if decision is not None:
            wanted = str(decision).strip().lower()
            if wanted not in _DECISION_WORDS:
                raise ValueError(
                    _(
                        "decision={decision} is not a decision; use 'allowed', 'denied', "
                        "'ImplicitlyDenied', 'ExplicitlyDenied' or 'unreachable'"
                    ).format(decision=repr(decision))
                )
        phases = {phase} if isinstance(phase, str) else set(phase) if phase else None
        chosen = []
        for event in self._events:
            if phases and event.phase not in phases:
                continue
            if role is not None and event.role != role:
                continue
            if principal is not None and event.principal != principal:
                continue
            if wanted is not None:
                if wanted == "denied":
                    if event.allowed or event.unreachable:
                        continue
                elif event.decision.lower() != wanted:
                    continue
            if service is not None and event.service != service:
                continue
            if task is not None and event.task != task:
                continue
            if where is not None and not where(event):
                continue
            chosen.append(event)
        return self._derive(chosen)

    def _derive(self, events: list[TraceEvent]) -> Trace:
        """A trace of some of these events (subclasses keep their kind)."""
        return type(self)(events)

    def denied(self) -> Trace:
        return self.filter(decision="denied")

    def to_frame(self):
        """The events as a pandas DataFrame, one row per call, columns in a reading order."""
        import pandas as pd

        # object columns keep None as None (pandas 3 would turn it into NaN in text columns)
        frame = pd.DataFrame(
            [e.as_dict() for e in self._events], columns=list(COLUMNS), dtype=object
        )
        frame["seq"] = frame["seq"].astype("int64")
        return frame

    def to_records(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self._events]

    def __repr__(self) -> str:
        if not self._events:
            return _("Trace (no calls)")
        return "\n".join(str(e) for e in self._events)

    def _repr_html_(self) -> str:
        if not self._events:
            return "<p>" + escape(_("Trace: no calls yet.")) + "</p>"
        shown = ("seq", "phase", "principal", "role", "action", "resource", "decision", "error")
        head = "".join(f"<th>{escape(name)}</th>" for name in shown)
        rows = []
        for event in self._events:
            mark = "✓ " if event.allowed else "⊘ " if event.unreachable else "✗ "
            cells = []
            for name in shown:
                value = getattr(event, name)
                text = "" if value is None else str(value)
                if name == "decision":
                    text = mark + text
                cells.append(f"<td>{escape(text)}</td>")
            style = "" if event.allowed else ' style="font-weight:bold"'
            rows.append(f"<tr{style}>{''.join(cells)}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


assert {f.name for f in fields(TraceEvent)} == set(COLUMNS)
