"""A role on one card: who may assume it, which policies it has, and how much they grant.

``RoleCard(lab.execution_role)`` reads the role once, when it is built (from the account's store:
looking adds nothing to the trace), and then only shows what it read:
``_repr_html_`` for a notebook (headings, a table with header cells, the trust policy and each
policy document in a ``<details>`` block), :meth:`RoleCard.describe` for the same in plain
sentences.

"Actions granted" counts concrete IAM actions with :func:`ecslab.iam.analyzer.granted_actions`:
what the policy's Allow statements name, wildcards expanded, minus what it denies outright.
Resources and conditions are not considered, so ``s3:GetObject`` on one object counts as one
action, the same as on every bucket. A ``"*"`` expands to more than 20,000 actions; the count is
kept per document text, so a card is quick to build again.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from html import escape
from typing import Any, NamedTuple
from urllib.parse import unquote

from ecslab.cloud.roles import Role
from ecslab.i18n import N_, _, ngettext

# a policy's kind: a value (PolicyRow.kind), shown translated (_(row.kind))
AWS_MANAGED = N_("AWS managed")
CUSTOMER_MANAGED = N_("customer managed")
INLINE = N_("inline")


class PolicyRow(NamedTuple):
    """One policy of a role: its name, kind, number of statements and of actions it grants."""

    name: str
    kind: str  # "AWS managed", "customer managed" or "inline"
    statements: int
    actions: int


@lru_cache(maxsize=512)
def _counted(text: str) -> tuple[int, frozenset[str]]:
    """Statements and granted actions of a policy document given as canonical JSON text."""
    from ecslab.iam.analyzer import granted_actions

    document = json.loads(text)
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    count = len(statements) if isinstance(statements, list) else 1
    return count, granted_actions(document)


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _decoded(value: Any) -> dict[str, Any]:
    """A policy document as IAM returns it (a dict, or JSON text, perhaps URL-encoded)."""
    if isinstance(value, str):
        value = json.loads(unquote(value) if value.lstrip().startswith("%") else value)
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _principal_words(key: str, value: str) -> str:
    if value == "*":
        if key in ("*", "AWS"):
            return _("anyone (*)")
        return _("any {key} principal (*)").format(key=key)
    if key == "Service":
        return _("service {name}").format(name=value)
    if key == "AWS":
        if value.isdigit() and len(value) == 12:
            return _("account {account}").format(account=value)
        parts = value.split(":", 5)
        if value.startswith("arn:") and len(parts) == 6:
            account, resource = parts[4], parts[5]
            if resource == "root":
                return _("account {account}").format(account=account)
            kind, _slash, name = resource.partition("/")
            if kind == "role" and name:
                said = _("role {name} in account {account}")
                return said.format(name=name.rsplit("/", 1)[-1], account=account)
            if kind == "user" and name:
                said = _("user {name} in account {account}")
                return said.format(name=name.rsplit("/", 1)[-1], account=account)
        return _("AWS principal {principal}").format(principal=value)
    if key == "Federated":
        return _("federated identity provider {provider}").format(provider=value)
    if key == "CanonicalUser":
        return _("canonical user {user}").format(user=value)
    return f"{key} {value}"


def _condition_words(conditions: Any) -> str:
    if not isinstance(conditions, dict) or not conditions:
        return ""
    parts = []
    for operator, keys in conditions.items():
        if not isinstance(keys, dict):
            continue
        for key, values in keys.items():
            shown = ", ".join(str(v) for v in _as_list(values))
            said = _("{operator} {key} is {values}")
            parts.append(said.format(operator=operator, key=key, values=shown))
    if not parts:
        return ""
    return _(", if {conditions}").format(conditions=_(" and ").join(parts))


def trusted_principals(trust_policy: dict[str, Any]) -> list[str]:
    """Who a trust policy lets assume the role, one readable string per principal.

    ``{"Principal": {"Service": "ecs-tasks.amazonaws.com"}}`` gives
    ``"service ecs-tasks.amazonaws.com"``; a condition is added as
    ``", if StringEquals aws:SourceAccount is 123456789012"``; actions other than plain
    ``sts:AssumeRole`` are named; a Deny statement's principals start with ``"denied: "``.
    """
    if not isinstance(trust_policy, dict):
        raise TypeError(f"a trust policy is a dict, not {type(trust_policy).__name__}")
    found = []
    for statement in _as_list(trust_policy.get("Statement")):
        if not isinstance(statement, dict):
            continue
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        tail = "" if actions in (["sts:AssumeRole"], []) else f" ({', '.join(actions)})"
        tail += _condition_words(statement.get("Condition"))
        head = _("denied: ") if statement.get("Effect") == "Deny" else ""
        if "NotPrincipal" in statement:
            head += _("everyone except ")
        principal = statement.get("Principal", statement.get("NotPrincipal"))
        if principal == "*":
            found.append(head + _("anyone (*)") + tail)
            continue
        if not isinstance(principal, dict):
            continue
        for key, values in principal.items():
            for value in _as_list(values):
                found.append(f"{head}{_principal_words(key, str(value))}{tail}")
    return found


class RoleCard:
    """A role's trust and permissions at the moment the card was made.

    ``name``, ``arn``; ``trusted``: who may assume it, in words; ``trust_policy``: the document;
    ``policies``: one :class:`PolicyRow` per policy (attached managed policies first, then
    inline ones, in IAM's order); ``documents``: each policy's document, in the same order;
    ``total_actions``: how many distinct concrete actions the policies grant together.
    """

    def __init__(self, role: Role) -> None:
        if not isinstance(role, Role):
            if isinstance(role, str):
                said = _(
                    "RoleCard() needs a Role such as lab.execution_role or lab.task_role, "
                    "not {kind} (get one with lab.role(name))"
                )
            else:
                said = _(
                    "RoleCard() needs a Role such as lab.execution_role or lab.task_role, "
                    "not {kind}"
                )
            raise TypeError(said.format(kind=type(role).__name__))
        self.name: str = role.name
        self.arn: str = role.arn
        self.trust_policy: dict[str, Any] = role.trust_policy
        self.trusted: list[str] = trusted_principals(self.trust_policy)
        self.policies: list[PolicyRow] = []
        self.documents: list[dict[str, Any]] = []
        self.policy_arns: list[str | None] = []
        granted: set[str] = set()
        named = [(arn, _managed_kind(arn)) for arn in role.managed_policy_arns]
        for arn, kind in named:
            document = role.managed_document(arn)
            granted |= self._add(arn.rsplit("/", 1)[-1], kind, document, arn)
        for name in role.inline_policy_names:
            granted |= self._add(name, INLINE, role.inline_policy(name), None)
        self.total_actions: int = len(granted)

    def _add(self, name: str, kind: str, document: dict[str, Any], arn: str | None) -> frozenset:
        statements, actions = _counted(_canonical(document))
        self.policies.append(PolicyRow(name, kind, statements, len(actions)))
        self.documents.append(copy.deepcopy(document))
        self.policy_arns.append(arn)
        return actions

    # -- words ---------------------------------------------------------------------------------

    def describe(self) -> str:
        """The card in plain sentences (the text equivalent of the HTML card)."""
        lines = [_("Role {name} ({arn}).").format(name=self.name, arn=self.arn)]
        trusted = self._trusted_words()
        if trusted:
            lines.append(_("Who can assume it: {who}.").format(who="; ".join(trusted)))
        else:
            lines.append(_("Who can assume it: nobody (its trust policy names no principal)."))
        count = len(self.policies)
        if not count:
            lines.append(_("It has no permissions policies, so it grants no actions."))
            return "\n".join(lines)
        lines.append(
            ngettext(
                "It has {count} permissions policy:", "It has {count} permissions policies:", count
            ).format(count=count)
        )
        for row in self.policies:
            statements = ngettext("{count} statement", "{count} statements", row.statements)
            actions = ngettext("{count} action", "{count} actions", row.actions)
            lines.append(
                _("- {name} ({kind}): {statements}, grants {actions}.").format(
                    name=row.name,
                    kind=_(row.kind),
                    statements=statements.format(count=row.statements),
                    actions=actions.format(count=row.actions),
                )
            )
        distinct = ngettext(
            "{count} distinct action", "{count} distinct actions", self.total_actions
        ).format(count=self.total_actions)
        if count > 1:
            lines.append(_("Together they grant {actions}.").format(actions=distinct))
        else:
            lines.append(_("It grants {actions}.").format(actions=distinct))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()

    def _trusted_words(self) -> list[str]:
        """Who may assume the role, in the language the card is shown in (``trusted`` is in
        the language of the moment the card was made)."""
        return trusted_principals(self.trust_policy)

    # -- HTML ----------------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        name = escape(self.name)
        role = _("Role {name}")
        parts = [
            f'<section class="ecslab-role-card" aria-label="{role.format(name=name)}">',
            f"<h3>{role.format(name=f'<code>{name}</code>')}</h3>",
            f"<p>ARN: <code>{escape(self.arn)}</code></p>",
            "<h4>{}</h4>".format(_("Who can assume it")),
        ]
        trusted = self._trusted_words()
        if trusted:
            items = "".join(f"<li>{escape(t)}</li>" for t in trusted)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>{}</p>".format(_("Nobody: its trust policy names no principal.")))
        parts.append(_details(_("Trust policy (JSON)"), self.trust_policy))
        parts.append("<h4>{}</h4>".format(_("Permissions policies")))
        if self.policies:
            parts.append(self._table())
            for row, document in zip(self.policies, self.documents, strict=True):
                summary = _("{name} ({kind}) — policy document")
                parts.append(_details(summary.format(name=row.name, kind=_(row.kind)), document))
        else:
            said = _("No permissions policies: this role grants no actions.")
            parts.append(f"<p>{said}</p>")
        parts.append("</section>")
        return "".join(parts)

    def _table(self) -> str:
        headers = (_("Policy"), _("Kind"), _("Statements"), _("Actions granted"))
        head = "".join(f'<th scope="col">{h}</th>' for h in headers)
        rows = "".join(
            f'<tr><th scope="row">{escape(r.name)}</th><td>{escape(_(r.kind))}</td>'
            f'<td style="text-align:right">{r.statements}</td>'
            f'<td style="text-align:right">{r.actions}</td></tr>'
            for r in self.policies
        )
        together = _("All policies together (distinct actions)")
        foot = (
            f'<tr><th scope="row" colspan="3">{together}</th>'
            f'<td style="text-align:right">{self.total_actions}</td></tr>'
        )
        caption = _("Permissions policies of {name}, with the actions each grants").format(
            name=escape(self.name)
        )
        return (
            f'<table><caption style="text-align:left">{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody><tfoot>{foot}</tfoot></table>"
        )


def _details(summary: str, document: dict[str, Any]) -> str:
    text = json.dumps(document, indent=2)
    return (
        f"<details><summary>{escape(summary)}</summary>"
        f"<pre><code>{escape(text, quote=False)}</code></pre></details>"
    )


def _managed_kind(arn: str) -> str:
    parts = arn.split(":", 5)
    return AWS_MANAGED if len(parts) == 6 and parts[4] == "aws" else CUSTOMER_MANAGED
