"""Least privilege from what really happened: the smallest policy that allows what a role did.

``lab.trace.least_privilege("ecs-execution-role")`` looks at every call made wearing the role —
allowed or denied — and, for each task in the trace, at the task's plan (:mod:`ecslab.ecs.plan`):
a task that stopped at its first refused call still *needed* what came after it. From those
calls it writes one identity policy, with each resource scoped the way the service names it:

- log streams carry the task id, so ``...:log-group:/ecs/orders:log-stream:ecs/orders/<id>``
  becomes ``...:log-group:/ecs/orders:*`` (the group's streams, now and later — the ``:*`` the
  course keeps coming back to);
- a secret's ARN ends with six random characters Secrets Manager chose, matched as ``-??????``;
- S3 keeps bucket ARNs (``ListBucket``) and object ARNs (``GetObject``) apart;
- an action that only accepts ``"*"`` (``ecr:GetAuthorizationToken``) keeps ``"*"``.

Beside it, :class:`LeastPrivilege` shows what is attached now: how many concrete actions each
policy grants (the judge's wildcard expansion) against how many the role used. Nothing here
changes the lab unless you call :meth:`LeastPrivilege.apply`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from ecslab.cloud.roles import Role
from ecslab.i18n import N_, _

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.service import ECSService

_STREAM = re.compile(r"^(arn:aws[\w-]*:logs:[^:]*:\d*:log-group:[^:]+):.*$")
_SECRET = re.compile(r"^(arn:aws[\w-]*:secretsmanager:[^:]*:\d*:secret:.+)-[A-Za-z0-9]{6}$")
SOURCE_PRINCIPALS = ("Amazon ECS",)  # assuming a role is its trust policy's business
# what became of a needed call (Need.seen, a value), as a learner reads it
SEEN = {"allowed": N_("allowed"), "denied": N_("denied"), "never reached": N_("never reached")}


def _seen(seen: str) -> str:
    return _(SEEN[seen]) if seen in SEEN else seen


@dataclass(frozen=True)
class Need:
    """One action on one resource the role needed."""

    action: str
    resource: str
    seen: str  # "allowed", "denied" or "never reached"


def scoped(resource: str) -> str:
    """The resource as a policy should name it (see the module docstring)."""
    stream = _STREAM.match(resource)
    if stream:
        return f"{stream.group(1)}:*"
    secret = _SECRET.match(resource)
    if secret:
        return f"{secret.group(1)}-??????"
    return resource


def needs_of(ecs: ECSService, events: Iterable[Any], role: str) -> list[Need]:
    """What ``role`` needed in these trace events, in the order it was needed."""
    events = list(events)
    needs: dict[tuple[str, str], Need] = {}
    tasks: list[str] = []
    for event in events:
        if event.task and event.task not in tasks:
            tasks.append(event.task)
        if event.role != role or event.principal in SOURCE_PRINCIPALS:
            continue
        key = (event.action, scoped(event.resource))
        seen = "allowed" if event.allowed else "denied"
        if key not in needs or needs[key].seen != "allowed":
            needs[key] = Need(*key, seen)
    states = {state.id: state for state in ecs.tasks.values()}
    for task_id in tasks:
        state = states.get(task_id)
        plan = ecs.plan("", task=state) if state is not None else None
        for call in plan or ():
            if call.role != role or call.principal in SOURCE_PRINCIPALS:
                continue
            key = (call.action, scoped(call.resource))
            needs.setdefault(key, Need(*key, "never reached"))
    return list(needs.values())


def policy_for(needs: Iterable[Need]) -> dict[str, Any]:
    """One statement per service and resource set, in the order first needed."""
    by_action: dict[str, list[str]] = {}
    for need in needs:
        resources = by_action.setdefault(need.action, [])
        if need.resource not in resources:
            resources.append(need.resource)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, resources in by_action.items():
        service = action.split(":", 1)[0]
        groups.setdefault((service, tuple(resources)), []).append(action)
    statements = []
    counts: dict[str, int] = {}
    for (service, resources), actions in groups.items():
        base = _sid(service) + _resource_words(resources)
        counts[base] = counts.get(base, 0) + 1
        sid = base + (str(counts[base]) if counts[base] > 1 else "")
        statements.append(
            {
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions[0] if len(actions) == 1 else actions,
                "Resource": resources[0] if len(resources) == 1 else list(resources),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _resource_words(resources: tuple[str, ...]) -> str:
    """ "arn:aws:logs:...:log-group:/ecs/orders:*" → "EcsOrders"; "*" → "Any"."""
    if len(resources) != 1:
        return "Resources"
    resource = resources[0]
    if resource == "*":
        return "Any"
    part = resource.split(":", 5)[-1] if resource.startswith("arn:") else resource
    part = re.sub(r"^(log-group:|secret:|parameter/|key/|table/|repository/|alias/)", "", part)
    part = re.sub(r"(:\*|-\?{6})$", "", part)
    words = re.findall(r"[A-Za-z0-9]+", part)
    return "".join(w[:1].upper() + w[1:] for w in words)[:40]


def _sid(service: str) -> str:
    names = {
        "ecr": "Ecr",
        "logs": "Logs",
        "secretsmanager": "SecretsManager",
        "ssm": "Ssm",
        "kms": "Kms",
        "s3": "S3",
        "dynamodb": "DynamoDb",
        "sqs": "Sqs",
        "sns": "Sns",
        "sts": "Sts",
    }
    return names.get(service, re.sub(r"[^A-Za-z0-9]", "", service.title()) or "Service")


class LeastPrivilege:
    """A least-privilege suggestion for one role, beside what the role has now."""

    def __init__(self, world: World, ecs: ECSService, role: str, events: Iterable[Any]) -> None:
        from ecslab.show.cards import RoleCard

        self._world = world
        self.role = role
        self.needs = needs_of(ecs, events, role)
        self.document = policy_for(self.needs)
        card = RoleCard(Role(world, role))
        self.attached = [(row.name, row.kind, row.actions) for row in card.policies]
        self.granted = card.total_actions
        self.used = sorted({n.action for n in self.needs})

    @property
    def json(self) -> str:
        return json.dumps(self.document, indent=2)

    def apply(self, name: str | None = None) -> None:
        """Make the suggestion the role's only permissions policy (an inline policy ``name``,
        by default ``<role>-least-privilege``); everything else is detached or removed."""
        role = Role(self._world, self.role)
        for arn in role.managed_policy_arns:
            role.detach(arn)
        for inline in role.inline_policy_names:
            role.remove_inline(inline)
        role.put_inline(name or f"{self.role}-least-privilege", self.document)

    def describe(self) -> str:
        lines = [
            _(
                "Least privilege for {role}: {used} action(s) used (or needed), against "
                "{granted} granted by what is attached now."
            ).format(role=self.role, used=len(self.used), granted=self.granted)
        ]
        for name, kind, actions in self.attached:
            said = _("- {name} ({kind}) grants {actions} action(s).")
            lines.append(said.format(name=name, kind=_(kind), actions=actions))
        for need in self.needs:
            note = "" if need.seen == "allowed" else f" ({_seen(need.seen)})"
            said = _("  needs {action} on {resource}{note}")
            lines.append(said.format(action=need.action, resource=need.resource, note=note))
        lines.append(_("Suggested policy:"))
        lines.append(self.json)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(_(kind))}</td><td>{actions}</td></tr>"
            for name, kind, actions in self.attached
        )
        used = "✓ " + _("used")
        needs = "".join(
            f"<tr><td><code>{escape(n.action)}</code></td><td><code>{escape(n.resource)}</code>"
            f"</td><td>{used if n.seen == 'allowed' else '✗ ' + escape(_seen(n.seen))}</td></tr>"
            for n in self.needs
        )
        role = escape(self.role)
        title = _("Least privilege for {role}")
        counts = _(
            "Used or needed: <strong>{used}</strong> action(s). Granted by what is attached now: "
            "<strong>{granted}</strong>."
        ).format(used=len(self.used), granted=self.granted)
        summary = _("Suggested policy ({count} statements, JSON)").format(
            count=len(self.document["Statement"])
        )

        def th(*texts: str) -> str:
            return "".join(f'<th scope="col">{text}</th>' for text in texts)

        attached = th(_("attached policy"), _("kind"), _("actions granted"))
        needed = th(_("action"), _("resource"), _("seen"))

        return (
            f'<section aria-label="{title.format(role=role)}">'
            f"<h3>{title.format(role=f'<code>{role}</code>')}</h3>"
            f"<p>{counts}</p>"
            f"<table><thead><tr>{attached}</tr></thead><tbody>{rows}</tbody></table>"
            f"<table><thead><tr>{needed}</tr></thead><tbody>{needs}</tbody></table>"
            f"<details><summary>{summary}</summary><pre>{escape(self.json)}</pre></details>"
            "</section>"
        )
