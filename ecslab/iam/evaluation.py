"""Decide a request the way AWS does, step by step, and say why.

The order mirrors AWS's documented evaluation logic
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):

1. **explicit deny** — a matching ``Deny`` in any policy that applies ends it;
2. **resource control policies** and 3. **service control policies** — when given, each level must
   allow;
4. **resource-based policy** — within one account it can grant on its own when it names the caller
   (session ARN, user ARN, service, ``*``); naming the role still leaves the permissions boundary
   and session policy to say; naming the account only delegates to identity policies. Across
   accounts it must allow *and* so must the identity side. KMS key policies and role trust policies
   are required: identity policies count only if they delegate to the account
   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html,
   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html);
5. **identity-based policies** — one of them must allow, unless step 4 already granted;
6. **permissions boundary** and 7. **session policy** — when present, each must allow too.

Each step is one small function that returns a :class:`Step`: its verdict and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ecslab.i18n import N_, _
from ecslab.iam.conditions import Explained, RequestContext
from ecslab.iam.policy import KIND_WORDS, TRUST_ACTIONS, Policy, StatementResult, parse_policy
from ecslab.iam.principals import ACCOUNT, DIRECT, ROLE, Caller, parse_caller

ALLOWED = "Allowed"
IMPLICIT = "ImplicitlyDenied"
EXPLICIT = "ExplicitlyDenied"

_KMS_KEY = re.compile(r"^arn:[^:]+:kms:[^:]*:\d{12}:key/")
_ROLE = re.compile(r"^arn:[^:]+:iam::(\d{12}):role/")
_ROLE_ASSUMPTION = frozenset(a.lower() for a in TRUST_ACTIONS)
_ACCOUNT_IN_ARN = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:(\d{12}):")

# The order AWS lists the policy types in; an explicit deny is reported for the first that has one.
_DENY_ORDER = ("rcp", "scp", "resource", "trust", "identity", "boundary", "session")
_ARTICLE = {
    "identity": "an",
    "resource": "a",
    "trust": "a",
    "boundary": "a",
    "session": "a",
    "scp": "a",
    "rcp": "a",
}


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Which statement decided: policy type and name, statement index and Sid."""

    policy_type: str  # identity, resource, trust, boundary, session, scp, rcp
    policy_name: str
    index: int
    sid: str | None
    effect: str

    def __str__(self) -> str:
        sid = f' Sid "{self.sid}"' if self.sid else ""
        return f"{self.policy_name} Statement[{self.index}]{sid} ({self.effect})"


_VERDICTS = {
    "deny": N_("deny"),
    "no allow": N_("no allow"),
    "allow": N_("allow"),
    "continue": N_("continue"),
    "not applicable": N_("not applicable"),
}


class Step(Explained):
    """One step of AWS's evaluation order and what it concluded.

    ``why`` is kept as an English message id and the values that fill its ``{placeholders}``
    (a policy kind in ``{policy}``, from ``KIND_WORDS``): the judge decides without building or
    translating any sentence, and ``str(step)`` says it in the learner's language when shown.
    """

    __slots__ = ("_text", "_values", "name", "verdict")

    name: str
    verdict: str  # "deny", "no allow", "allow", "continue", "not applicable"

    def __init__(
        self, name: str, verdict: str, why: str, values: Mapping[str, Any] | None = None
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "name", name)
        setattr_(self, "verdict", verdict)
        setattr_(self, "_text", why)
        setattr_(self, "_values", values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, as a dataclass's

    @property
    def why(self) -> str:
        """Why, in English."""
        values = self._values
        return self._text.format_map(values) if values is not None else self._text

    @property
    def shown_why(self) -> str:
        """Why, in the learner's language."""
        values = self._values
        if values is None:
            return _(self._text)
        shown = {k: _(v) if k == "policy" else v for k, v in values.items()}
        return _(self._text).format_map(shown)

    @property
    def final(self) -> bool:
        return self.verdict in ("deny", "no allow", "allow")

    def _key(self) -> tuple[str, str, str]:
        return (self.name, self.verdict, self.why)

    def __repr__(self) -> str:
        return f"Step(name={self.name!r}, verdict={self.verdict!r}, why={self.why!r})"

    def __str__(self) -> str:
        return _("{name}: {verdict} — {why}").format(
            name=_(self.name),
            verdict=_(_VERDICTS.get(self.verdict, self.verdict)),
            why=self.shown_why,
        )


@dataclass(frozen=True)
class Decision:
    """The judge's answer: ``decision``, ``allowed``, ``message`` and why.

    ``message`` is the text AWS would put in the AccessDenied error (``""`` when allowed).
    ``steps`` follows AWS's evaluation order; ``explanation`` says, statement by statement, what
    matched or failed and on what (built on first use).
    """

    decision: str
    principal: str
    action: str
    resource: str
    message: str
    deciding_statements: tuple[StatementRef, ...]
    denied_by: str | None  # policy type whose deny (explicit or implicit) decided, else None
    steps: tuple[Step, ...]
    _scan: _Scan = field(repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def explanation(self) -> tuple[StatementResult, ...]:
        """Every statement of every policy considered, with what matched and what did not."""
        return self._scan.explain()

    def explain(self) -> str:
        """A plain-text account of the decision, for people (AWS's message stays as AWS writes
        it)."""
        lines = [
            _("{decision}: {principal} → {action} on {resource}").format(
                decision=self.decision,
                principal=self.principal,
                action=self.action,
                resource=self.resource,
            )
        ]
        if self.message:
            lines.append(self.message)
        lines.append(_("Steps (AWS evaluation order):"))
        lines += [f"  {i}. {s}" for i, s in enumerate(self.steps, 1)]
        lines.append(_("Statements:"))
        lines += [f"  {r}" for r in self.explanation] or ["  " + _("(no policies)")]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message or _("{decision}: {principal} → {action} on {resource}").format(
            decision=ALLOWED, principal=self.principal, action=self.action, resource=self.resource
        )

    def _repr_html_(self) -> str:
        from html import escape

        mark = "✓ Allowed" if self.allowed else f"✗ {self.decision}"
        rows = "".join(f"<li>{escape(str(s))}</li>" for s in self.steps)
        message = f"<p><code>{escape(self.message)}</code></p>" if self.message else ""
        request = _("{principal} → {action} on {resource}").format(
            principal=escape(self.principal),
            action=f"<code>{escape(self.action)}</code>",
            resource=f"<code>{escape(self.resource)}</code>",
        )
        return f"<div><strong>{escape(mark)}</strong>: {request}{message}<ol>{rows}</ol></div>"


# -- the scan: which statements of which policies match this request ---------------------------


class _Scan:
    """The request and the policies, with the matching statements of each kind found once."""

    def __init__(
        self,
        caller: Caller,
        action: str,
        resource: str,
        context: RequestContext,
        groups: dict[str, list[Policy]],
        scp_levels: list[list[Policy]],
        rcp_levels: list[list[Policy]],
        resource_account: str | None,
    ) -> None:
        self.caller = caller
        self.action = action
        self.action_lower = action.lower()
        self.resource = resource
        self.context = context
        self.groups = groups
        self.scp_levels = scp_levels
        self.rcp_levels = rcp_levels
        self.resource_account = resource_account
        self.allows: dict[str, list[tuple[Policy, Any, int]]] = {}
        self.denies: dict[str, list[tuple[Policy, Any]]] = {}
        self.any_deny = False
        self.has_boundary = bool(groups.get("boundary"))
        for kind, policies in groups.items():
            if policies:
                self._scan(kind, policies)
        for kind, levels in (("scp", scp_levels), ("rcp", rcp_levels)):
            if levels:
                self._scan(kind, [p for level in levels for p in level])

    def _scan(self, kind: str, policies: Iterable[Policy]) -> None:
        allows: list[tuple[Policy, Any, int]] = []
        denies: list[tuple[Policy, Any]] = []
        needs_principal = kind in ("resource", "trust", "rcp")
        action_lower, resource, context = self.action_lower, self.resource, self.context
        has_boundary = self.has_boundary
        for policy in policies:
            for statement in policy.statements:
                strength = (
                    statement.principal_match(self.caller, has_boundary)
                    if needs_principal
                    else DIRECT
                )
                if not strength:
                    continue
                if not statement.matches_request(action_lower, resource, context):
                    continue
                if statement.allows:
                    allows.append((policy, statement, strength))
                else:
                    denies.append((policy, statement))
        self.allows[kind] = allows
        self.denies[kind] = denies
        self.any_deny = self.any_deny or bool(denies)

    def allowed_by(self, kind: str) -> bool:
        return bool(self.allows.get(kind))

    def level_allows(self, level: list[Policy]) -> bool:
        ids = {id(p) for p in level}
        kind_allows = self.allows.get("scp", []) + self.allows.get("rcp", [])
        return any(id(policy) in ids for policy, _statement, _strength in kind_allows)

    def strongest_resource_grant(self) -> int:
        best = 0
        for kind in ("resource", "trust"):
            for _policy, _statement, strength in self.allows.get(kind, ()):
                best = max(best, strength)
        return best

    def refs(self, kind: str, allows: bool, min_strength: int = 0) -> list[StatementRef]:
        out = []
        if allows:
            for policy, statement, strength in self.allows.get(kind, ()):
                if strength >= min_strength:
                    out.append(_ref(kind, policy, statement))
        else:
            for policy, statement in self.denies.get(kind, ()):
                out.append(_ref(kind, policy, statement))
        return out

    def explain(self) -> tuple[StatementResult, ...]:
        results: list[StatementResult] = []
        kinds: list[tuple[str, list[Policy]]] = [
            ("rcp", [p for level in self.rcp_levels for p in level]),
            ("scp", [p for level in self.scp_levels for p in level]),
            *self.groups.items(),
        ]
        for kind, policies in kinds:
            for policy in policies:
                for statement in policy.statements:
                    results.append(
                        statement.explain(
                            kind,
                            policy.name or KIND_WORDS[kind],
                            self.caller,
                            self.action,
                            self.resource,
                            self.context,
                            self.has_boundary,
                        )
                    )
        return tuple(results)


def _ref(kind: str, policy: Policy, statement: Any) -> StatementRef:
    return StatementRef(
        kind, policy.name or KIND_WORDS[kind], statement.index, statement.sid, statement.effect
    )


# -- the steps -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Facts:
    """What earlier steps established, for later ones."""

    same_account: bool
    required_resource_policy: bool  # KMS key policy, role trust policy
    resource_grant: int = 0
    identity_needed: bool = True
    deciding: list[StatementRef] = field(default_factory=list)
    denied_by: str | None = None


# Step names and reasons: English message ids, translated only when a step is shown.
_EXPLICIT_DENY = N_("Explicit deny")
_NO_DENY_MATCHES = N_("no Deny statement matches the request")
_NO_DENY = Step(_EXPLICIT_DENY, "continue", _NO_DENY_MATCHES)
_DENIES = N_("{listed} denies {action}")
_IDENTITY_BASED = N_("Identity-based policies")
_IDENTITY_ALLOWS = N_("{listed} allows {action}")
_NO_IDENTITY_ALLOWS = N_("no identity-based policy allows {action} on {resource}")
_LIMIT_ALLOWS = N_("the {policy} allows {action}")
_LIMIT_DOES_NOT_ALLOW = N_("the {policy} does not allow {action}")
_EVERY_LEVEL_ALLOWS = {
    "scp": N_("every level of service control policies allows {action}"),
    "rcp": N_("every level of resource control policies allows {action}"),
}


@lru_cache(maxsize=256)
def _constant(name: str, verdict: str, why: str, policy: str | None = None) -> Step:
    """Steps whose words never change are built once (``policy``: a kind in ``{policy}``)."""
    return Step(name, verdict, why, None if policy is None else {"policy": policy})


def _step_explicit_deny(scan: _Scan, facts: _Facts) -> Step:
    if not scan.any_deny:
        return _NO_DENY
    for kind in _DENY_ORDER:
        refs = scan.refs(kind, allows=False)
        if refs:
            facts.deciding = refs
            facts.denied_by = kind
            listed = ", ".join(str(r) for r in refs)
            return Step(_EXPLICIT_DENY, "deny", _DENIES, {"listed": listed, "action": scan.action})
    return _NO_DENY


def _control_policy_step(
    scan: _Scan, facts: _Facts, kind: str, levels: list[list[Policy]], title: str
) -> Step:
    if not levels:
        return _constant(title, "not applicable", N_("no {policy} given"), KIND_WORDS[kind])
    if scan.caller.is_aws_service and kind == "scp":
        return _constant(
            title, "not applicable", N_("service control policies do not apply to AWS services")
        )
    for number, level in enumerate(levels, 1):
        if not scan.level_allows(level):
            facts.denied_by = kind
            values = {"policy": KIND_WORDS[kind], "level": number, "action": scan.action}
            if len(levels) > 1:
                return Step(
                    title, "no allow", N_("no {policy} at level {level} allows {action}"), values
                )
            return Step(title, "no allow", N_("no {policy} allows {action}"), values)
    return Step(title, "continue", _EVERY_LEVEL_ALLOWS[kind], {"action": scan.action})


def _step_rcps(scan: _Scan, facts: _Facts) -> Step:
    return _control_policy_step(
        scan, facts, "rcp", scan.rcp_levels, N_("Resource control policies")
    )


def _step_scps(scan: _Scan, facts: _Facts) -> Step:
    return _control_policy_step(scan, facts, "scp", scan.scp_levels, N_("Service control policies"))


def _step_resource_based(scan: _Scan, facts: _Facts) -> Step:
    title = N_("Resource-based policy")
    kind = "trust" if facts.required_resource_policy and "trust" in scan.groups else "resource"
    given = bool(scan.groups.get(kind))
    grant = scan.strongest_resource_grant()
    facts.resource_grant = grant
    caller = scan.caller
    words = KIND_WORDS[kind]
    if not caller.has_identity_policies:
        if grant:
            facts.deciding = scan.refs(kind, allows=True)
            return Step(
                title,
                "allow",
                N_("the {policy} allows {caller}"),
                {"policy": words, "caller": caller.arn},
            )
        facts.denied_by = kind
        return Step(
            title,
            "no allow",
            N_("{caller} has no identity-based policies and no {policy} allows it")
            if given
            else N_("{caller} can be granted only by a {policy}, and there is none"),
            {"policy": words, "caller": caller.arn},
        )
    if not facts.same_account:
        if not grant:
            facts.denied_by = kind
            return Step(
                title,
                "no allow",
                N_(
                    "cross-account request ({account} → {resource_account}): the {policy} must "
                    "allow it and does not"
                ),
                {
                    "policy": words,
                    "account": caller.account,
                    "resource_account": scan.resource_account,
                },
            )
        return Step(
            title,
            "continue",
            N_(
                "cross-account request: the {policy} allows it; the identity side must allow it too"
            ),
            {"policy": words},
        )
    if facts.required_resource_policy and not grant:
        facts.denied_by = kind
        return Step(
            title,
            "no allow",
            N_("the {policy} must allow {action} and does not")
            if given
            else N_("the {policy} must allow {action} and does not (there is no {policy})"),
            {"policy": words, "action": scan.action},
        )
    if not given:
        return _constant(title, "not applicable", N_("no resource-based policy"))
    # A user named in a trust policy still needs its permissions boundary to allow sts:AssumeRole:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
    if grant == DIRECT and not (kind == "trust" and caller.kind == "User"):
        facts.deciding = scan.refs(kind, allows=True, min_strength=DIRECT)
        return Step(
            title,
            "allow",
            N_("the {policy} names {caller} directly"),
            {"policy": words, "caller": caller.arn},
        )
    if grant >= ROLE:
        facts.identity_needed = False
        facts.deciding = scan.refs(kind, allows=True, min_strength=ROLE)
        if grant == ROLE:
            return Step(
                title,
                "continue",
                N_(
                    "the {policy} names the role {role}; a permissions boundary or session "
                    "policy may still limit it"
                ),
                {"policy": words, "role": caller.name},
            )
        return Step(
            title,
            "continue",
            N_(
                "the {policy} names the {caller}; a permissions boundary or session policy may "
                "still limit it"
            ),
            {"policy": words, "caller": caller.arn},
        )
    if grant == ACCOUNT:
        return Step(
            title,
            "continue",
            N_(
                "the {policy} allows the account {account}, which delegates to its "
                "identity-based policies"
            ),
            {"policy": words, "account": caller.account},
        )
    return Step(
        title,
        "continue",
        N_("the {policy} does not allow it; identity-based policies may"),
        {"policy": words},
    )


def _step_identity_based(scan: _Scan, facts: _Facts) -> Step:
    title = _IDENTITY_BASED
    caller = scan.caller
    if caller.kind == "Root":
        return _constant(
            title, "continue", N_("the account root user has full access in its account")
        )
    refs = scan.refs("identity", allows=True)
    if refs:
        facts.deciding = facts.deciding + refs
        listed = ", ".join(str(r) for r in refs)
        return Step(title, "continue", _IDENTITY_ALLOWS, {"listed": listed, "action": scan.action})
    if not facts.identity_needed:
        return _constant(
            title,
            "continue",
            N_("none allows it, but the resource-based policy already grants the role"),
        )
    facts.denied_by = "identity"
    return Step(
        title, "no allow", _NO_IDENTITY_ALLOWS, {"action": scan.action, "resource": scan.resource}
    )


def _limit_step(scan: _Scan, facts: _Facts, kind: str, title: str) -> Step:
    if not scan.groups.get(kind):
        return _constant(title, "not applicable", N_("no {policy}"), KIND_WORDS[kind])
    values = {"policy": KIND_WORDS[kind], "action": scan.action}
    if scan.allowed_by(kind):
        return Step(title, "continue", _LIMIT_ALLOWS, values)
    facts.denied_by = kind
    return Step(title, "no allow", _LIMIT_DOES_NOT_ALLOW, values)


def _step_boundary(scan: _Scan, facts: _Facts) -> Step:
    return _limit_step(scan, facts, "boundary", N_("Permissions boundary"))


def _step_session(scan: _Scan, facts: _Facts) -> Step:
    return _limit_step(scan, facts, "session", N_("Session policy"))


STEPS = (
    _step_explicit_deny,
    _step_rcps,
    _step_scps,
    _step_resource_based,
    _step_identity_based,
    _step_boundary,
    _step_session,
)


# -- messages ------------------------------------------------------------------------------------


def denial_message(principal: str, action: str, resource: str, kind: str, explicit: bool) -> str:
    """AWS's access-denied text for a denial decided by a ``kind`` of policy.

    Formats from https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html:
    ``User: P is not authorized to perform: A on resource: R because no identity-based policy
    allows the A action`` / ``... with an explicit deny in an identity-based policy``. Special
    cases, each as AWS really answers:

    - SCPs and RCPs always read "with an explicit deny", even when no statement allowed (same page:
      "even if the denial is implicit");
    - S3 (same account, since August 2024) quotes the resource ARN
      (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html,
      https://github.com/aws-samples/serverless-patterns/pull/2457);
    - STS ``AssumeRole`` refused by a trust policy has no "because" tail
      (https://github.com/aws-containers/ecsworkshop/issues/66);
    - an empty ``resource`` leaves out "on resource: ..." as some services do for actions that
      take no resource (``secretsmanager:ListSecrets``:
      https://github.com/Kralizek/AWSSecretsManagerConfigurationExtensions/issues/78).
    """
    shown = f'"{resource}"' if action.lower().startswith("s3:") else resource
    head = f"User: {principal} is not authorized to perform: {action}"
    if resource:  # some services name no resource for actions without one (facts: ListSecrets)
        head += f" on resource: {shown}"
    if kind in ("scp", "rcp"):
        explicit = True
    if not explicit and action.lower() in _ROLE_ASSUMPTION and kind in ("trust", "identity"):
        return head
    words = KIND_WORDS["resource" if kind == "trust" else kind]
    if explicit:
        return f"{head} with an explicit deny in {_ARTICLE[kind]} {words}"
    return f"{head} because no {words} allows the {action} action"


# -- the entry point -----------------------------------------------------------------------------

PolicyInput = Any  # dict, JSON text, Policy, or (name, one of those)


def evaluate(
    principal: str,
    action: str,
    resource: str,
    identity_policies: Sequence[PolicyInput] | PolicyInput | None = None,
    resource_policy: PolicyInput | None = None,
    permissions_boundary: PolicyInput | None = None,
    session_policy: PolicyInput | None = None,
    scps: Sequence[PolicyInput] | None = None,
    context: Mapping[str, Any] | None = None,
    resource_account: str | None = None,
    *,
    rcps: Sequence[PolicyInput] | None = None,
) -> Decision:
    """Decide whether ``principal`` may perform ``action`` on ``resource``, as AWS would.

    >>> evaluate("arn:aws:sts::123456789012:assumed-role/ecs-task-role/abc", "s3:GetObject",
    ...          "arn:aws:s3:::config/app.json",
    ...          identity_policies=[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ...              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::config/*"}]}]).decision
    'Allowed'

    Policies may be dicts, JSON text, parsed :class:`Policy` objects, or ``(name, policy)`` pairs.
    A trust-policy check is ``action="sts:AssumeRole"`` on the role ARN with the trust policy as
    ``resource_policy``. ``scps``/``rcps`` are lists of documents at one level, or lists of such
    lists (one per level of the organization). Raises :class:`MalformedPolicyDocument` for a
    policy IAM would reject.
    """
    if not (type(principal) is str and type(action) is str and type(resource) is str):
        _reject_non_strings(principal, action, resource)
    caller = parse_caller(principal)
    action_lower = action.lower()
    arn_account, is_role, is_key = _resource_facts(resource)
    trust_check = is_role and action_lower in _ROLE_ASSUMPTION
    resource_kind = "trust" if trust_check else "resource"
    groups: dict[str, list[Policy]] = {
        "identity": _policies(identity_policies, "identity", "identity_policies"),
        resource_kind: _policies(resource_policy, resource_kind, "resource_policy", False),
        "boundary": _policies(permissions_boundary, "boundary", "permissions_boundary", False),
        "session": _policies(session_policy, "session", "session_policy", False),
    }
    scp_levels = _levels(scps, "scp", "scps")
    rcp_levels = _levels(rcps, "rcp", "rcps")
    if resource_account is None:
        resource_account = arn_account or caller.account
    same_account = caller.account is None or caller.account == resource_account

    def derived() -> dict[str, str]:
        keys = caller.context_keys()
        if resource_account:
            keys["aws:resourceaccount"] = resource_account
        return keys

    scan = _Scan(
        caller,
        action,
        resource,
        RequestContext(context, derived),
        groups,
        scp_levels,
        rcp_levels,
        resource_account,
    )
    required = trust_check or (is_key and action_lower.startswith("kms:"))
    facts = _Facts(same_account=same_account, required_resource_policy=required)
    steps: list[Step] = []
    for step in STEPS:
        result = step(scan, facts)
        steps.append(result)
        if result.final:
            break
    final = steps[-1]
    if final.verdict == "deny":
        decision = EXPLICIT
    elif final.verdict == "no allow":
        decision = IMPLICIT
    else:
        decision = ALLOWED
        facts.denied_by = None
    message = (
        ""
        if decision == ALLOWED
        else denial_message(
            principal, action, resource, facts.denied_by or "identity", decision == EXPLICIT
        )
    )
    return Decision(
        decision=decision,
        principal=principal,
        action=action,
        resource=resource,
        message=message,
        deciding_statements=tuple(facts.deciding) if decision != IMPLICIT else (),
        denied_by=facts.denied_by,
        steps=tuple(steps),
        _scan=scan,
    )


def _reject_non_strings(principal: Any, action: Any, resource: Any) -> None:
    examples = {
        "principal": "'arn:aws:sts::123456789012:assumed-role/ecs-task-role/abc'",
        "action": "'s3:GetObject'",
        "resource": "'arn:aws:s3:::bucket/key'",
    }
    for name, value in (("principal", principal), ("action", action), ("resource", resource)):
        if not isinstance(value, str):
            raise TypeError(
                _("{name} must be a string such as {example}, not {type}").format(
                    name=name, example=examples[name], type=type(value).__name__
                )
            )


@lru_cache(maxsize=4096)
def _resource_facts(resource: str) -> tuple[str | None, bool, bool]:
    """(account in the ARN, is it an IAM role, is it a KMS key) — read once per resource."""
    found = _ACCOUNT_IN_ARN.match(resource)
    return (
        found.group(1) if found else None,
        _ROLE.match(resource) is not None,
        _KMS_KEY.match(resource) is not None,
    )


def _is_named(item: Any) -> bool:
    """``("name", policy)``: a name (not JSON text) and a policy."""
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and not item[0].lstrip().startswith("{")
        and isinstance(item[1], (str, bytes, Mapping, Policy))
    )


def _policies(items: Any, kind: str, argument: str, indexed: bool = True) -> list[Policy]:
    if items is None:
        return []
    if not indexed or not isinstance(items, (list, tuple)) or _is_named(items):
        # one policy (possibly not a policy at all: parse_policy says so, as IAM would)
        items, indexed = [items], False
    policies = []
    for number, item in enumerate(items):
        name = f"{argument}[{number}]" if indexed else argument
        if _is_named(item):
            name, item = item
        elif isinstance(item, Policy) and item.name:
            name = item.name
        policies.append(parse_policy(item, kind, name))
    return policies


def _levels(items: Any, kind: str, argument: str) -> list[list[Policy]]:
    if not items:
        return []
    if not isinstance(items, (list, tuple)) or _is_named(items):
        items = [items]
    if any(isinstance(item, list) for item in items):
        return [
            _policies(level if isinstance(level, list) else [level], kind, f"{argument}[{n}]")
            for n, level in enumerate(items)
        ]
    return [_policies(items, kind, argument)]
