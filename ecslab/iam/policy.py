"""Policy documents compiled for fast evaluation.

``parse_policy(document, kind=...)`` accepts a dict or JSON text, has :mod:`ecslab.iam.grammar`
check it the way IAM does (raising :class:`MalformedPolicyDocument` with IAM's wording, the
statement, the field and what was expected), and returns a :class:`Policy` whose statements match
requests quickly: exact actions and resources in sets, wildcards as compiled regexes, conditions
and principals understood once.

Kinds: ``identity`` (also ``boundary``, ``session``, ``scp``), ``resource`` (bucket, queue,
topic, secret, key and repository policies; also ``rcp``) and ``trust`` (a role's assume-role
policy).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ecslab.i18n import N_, _
from ecslab.iam.conditions import (
    Condition,
    ConditionResult,
    Explained,
    RequestContext,
    has_variables,
    make_condition,
    parse_operator,
    said,
    substitute,
)
from ecslab.iam.grammar import (
    KIND_WORDS,
    KINDS,
    STATEMENT_FIELDS,
    TOP_LEVEL,
    TRUST_ACTIONS,
    MalformedPolicyDocument,
    iter_conditions,
    load_document,
    validate_document,
)
from ecslab.iam.principals import (
    ACCOUNT,
    DIRECT,
    ROLE,
    Caller,
    PrincipalName,
    caller_identities,
    names_identity,
    understand_principal_value,
)
from ecslab.iam.wildcards import (
    action_regex,
    has_wildcard,
    resource_regex,
    resource_regex_from_pieces,
)

__all__ = [
    "KINDS",
    "KIND_WORDS",
    "STATEMENT_FIELDS",
    "TOP_LEVEL",
    "TRUST_ACTIONS",
    "MalformedPolicyDocument",
    "Policy",
    "Statement",
    "StatementResult",
    "parse_policy",
]


# What a statement's Principal does for the caller, by strength (principals.MATCH_WORDS).
_NAMES_CALLER = {
    ACCOUNT: N_("{listed} names the account (delegates to its identity-based policies)"),
    ROLE: N_("{listed} names the role"),
    DIRECT: N_("{listed} names the caller directly"),
}

# -- compiled statement parts --------------------------------------------------------------------


class _Patterns:
    """A set of action or resource patterns: exact ones in a set, wildcard ones as regexes."""

    __slots__ = ("dynamic", "everything", "exact", "regexes", "written")

    def __init__(self, written: tuple[str, ...], *, actions: bool, variables: bool) -> None:
        self.written = written
        self.everything = "*" in written
        self.exact: frozenset[str] = frozenset(
            (p.lower() if actions else p)
            for p in written
            if not has_wildcard(p) and not (variables and has_variables(p))
        )
        self.regexes = tuple(
            action_regex(p) if actions else resource_regex(p)
            for p in written
            if has_wildcard(p) and not (variables and has_variables(p))
        )
        self.dynamic = tuple(p for p in written if variables and has_variables(p))

    def match_action(self, action_lower: str) -> bool:
        if self.everything or action_lower in self.exact:
            return True
        return any(r.match(action_lower) for r in self.regexes)

    def match_resource(self, resource: str, context: RequestContext) -> bool:
        if self.everything or resource in self.exact:
            return True
        if any(r.match(resource) for r in self.regexes):
            return True
        for pattern in self.dynamic:
            pieces = substitute(pattern, context)
            if pieces is not None and resource_regex_from_pieces(pieces).match(resource):
                return True
        return False

    def first_resource_match(self, resource: str, context: RequestContext) -> str | None:
        for pattern in self.written:
            if pattern == "*" or pattern == resource:
                return pattern
            if has_variables(pattern) and pattern in self.dynamic:
                pieces = substitute(pattern, context)
                if pieces is not None and resource_regex_from_pieces(pieces).match(resource):
                    return pattern
            elif has_wildcard(pattern) and resource_regex(pattern).match(resource):
                return pattern
        return None

    def first_action_match(self, action_lower: str) -> str | None:
        for pattern in self.written:
            if pattern == "*" or pattern.lower() == action_lower:
                return pattern
            if has_wildcard(pattern) and action_regex(pattern).match(action_lower):
                return pattern
        return None


class Check(Explained):
    """One element of a statement checked against the request, for explanations: ``detail`` in
    English, ``str()`` in the learner's language (the words are said only when shown)."""

    __slots__ = ("_conditions", "_text", "_values", "element", "matched")

    def __init__(
        self,
        element: str,  # Action, NotAction, Resource, NotResource, (Not)Principal, Condition
        matched: bool,
        detail: str,
        values: Mapping[str, Any] | None = None,
        conditions: tuple[ConditionResult, ...] = (),
    ) -> None:
        self.element = element
        self.matched = matched
        self._text = detail  # an English message id, with ``values`` for its placeholders
        self._values = values
        self._conditions = conditions  # a Condition check: the conditions' own words

    def said(self, translated: bool = True) -> str:
        if self._conditions:
            return "; ".join(c.said(translated) for c in self._conditions)
        return said(self._text, self._values, translated)

    @property
    def detail(self) -> str:
        return self.said(False)

    def _key(self) -> tuple[str, bool, str]:
        return (self.element, self.matched, self.detail)

    def __repr__(self) -> str:
        return f"Check(element={self.element!r}, matched={self.matched!r}, detail={self.detail!r})"

    def __str__(self) -> str:
        return f"{'✓' if self.matched else '✗'} {self.element}: {self.said()}"


@dataclass(frozen=True, slots=True)
class StatementResult:
    """What one statement made of the request: does it apply, and why (not)."""

    policy_type: str
    policy_name: str
    index: int
    sid: str | None
    effect: str
    applies: bool
    checks: tuple[Check, ...]
    conditions: tuple[ConditionResult, ...] = ()

    @property
    def label(self) -> str:
        sid = f' Sid "{self.sid}"' if self.sid else ""
        return f"{self.policy_name} Statement[{self.index}]{sid} ({self.effect})"

    @property
    def why(self) -> str:
        """Why it applies or not, in English."""
        return self._why(False)

    def _why(self, translated: bool) -> str:
        failed = [c for c in self.checks if not c.matched]
        if not failed:
            checks = "; ".join(c.said(translated) for c in self.checks)
            return said(N_("applies: {checks}"), {"checks": checks}, translated)
        return said(
            N_("does not apply: {check}"), {"check": failed[0].said(translated)}, translated
        )

    def __str__(self) -> str:
        return f"{self.label} {self._why(True)}"


@dataclass(frozen=True, eq=False)
class Statement:
    """A validated, compiled statement."""

    index: int
    sid: str | None
    effect: str  # "Allow" | "Deny"
    action_key: str  # "Action" | "NotAction"
    actions: _Patterns
    resource_key: str | None  # "Resource" | "NotResource" | None (trust policies)
    resources: _Patterns | None
    principal_key: str | None  # "Principal" | "NotPrincipal" | None
    principals: tuple[PrincipalName, ...]
    conditions: tuple[Condition, ...]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    # -- fast path ------------------------------------------------------------------------------

    def matches_request(self, action_lower: str, resource: str, context: RequestContext) -> bool:
        """Action, resource and conditions (not the principal)."""
        if self.actions.match_action(action_lower) == (self.action_key == "NotAction"):
            return False
        resources = self.resources
        if resources is not None and resources.match_resource(resource, context) == (
            self.resource_key == "NotResource"
        ):
            return False
        return all(c.holds(context) for c in self.conditions)

    def principal_match(self, caller: Caller, has_boundary: bool = False) -> int:
        """0 when the statement does not name the caller, else how strongly it does.

        A ``Deny`` with ``NotPrincipal`` always applies to a principal that has a permissions
        boundary, whatever it lists
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
        """
        if self.principal_key is None:
            return DIRECT
        if self.principal_key == "Principal":
            best = 0
            for name in self.principals:
                best = max(best, name.match(caller))
            return best
        # NotPrincipal: applies unless every identity of the caller is listed.
        if has_boundary and self.effect == "Deny":
            return DIRECT
        identities = caller_identities(caller)
        if all(names_identity(self.principals, identity) for identity in identities):
            return 0
        return DIRECT

    # -- explanation ----------------------------------------------------------------------------

    def explain(
        self,
        policy_type: str,
        policy_name: str,
        caller: Caller,
        action: str,
        resource: str,
        context: RequestContext,
        has_boundary: bool = False,
    ) -> StatementResult:
        # Each check keeps its words as an English message id and values: nothing is translated
        # until the explanation is shown.
        checks: list[Check] = []
        action_lower = action.lower()
        hit = self.actions.first_action_match(action_lower)
        if self.action_key == "Action":
            checks.append(
                Check("Action", True, *_matches(hit, action))
                if hit
                else Check("Action", False, *_no_pattern(self.actions.written, action))
            )
        else:
            checks.append(
                Check("NotAction", False, *_excluded(action, hit))
                if hit
                else Check("NotAction", True, *_not_in(action, self.actions.written))
            )
        if self.resources is not None:
            hit = self.resources.first_resource_match(resource, context)
            if self.resource_key == "Resource":
                checks.append(
                    Check("Resource", True, *_matches(hit, resource))
                    if hit
                    else Check("Resource", False, *_no_pattern(self.resources.written, resource))
                )
            else:
                checks.append(
                    Check("NotResource", False, *_excluded(resource, hit))
                    if hit
                    else Check("NotResource", True, *_not_in(resource, self.resources.written))
                )
        if self.principal_key is not None:
            strength = self.principal_match(caller, has_boundary)
            listed = [n.value for n in self.principals]
            named = {"listed": listed, "caller": caller.arn}
            if self.principal_key == "Principal":
                checks.append(
                    Check("Principal", True, _NAMES_CALLER[strength], named)
                    if strength
                    else Check("Principal", False, N_("{listed} does not name {caller}"), named)
                )
            else:
                checks.append(
                    Check(
                        "NotPrincipal",
                        bool(strength),
                        N_("{caller} is not covered by {listed}")
                        if strength
                        else N_("{caller} is covered by {listed}"),
                        named,
                    )
                )
        results = tuple(c.explain(context) for c in self.conditions)
        if results:
            failed = [r for r in results if not r.holds]
            checks.append(Check("Condition", not failed, "", None, tuple(failed or results)))
        applies = all(c.matched for c in checks)
        return StatementResult(
            policy_type,
            policy_name,
            self.index,
            self.sid,
            self.effect,
            applies,
            tuple(checks),
            results,
        )


Said = tuple[str, dict[str, Any]]  # an English message id and the values of its placeholders


def _matches(pattern: str, value: str) -> Said:
    return N_("{pattern} matches {value}"), {"pattern": repr(pattern), "value": value}


def _no_pattern(written: tuple[str, ...], value: str) -> Said:
    return N_("no pattern in {patterns} matches {value}"), {
        "patterns": list(written),
        "value": value,
    }


def _excluded(value: str, pattern: str) -> Said:
    return N_("{value} is excluded by {pattern}"), {"value": value, "pattern": repr(pattern)}


def _not_in(value: str, written: tuple[str, ...]) -> Said:
    return N_("{value} is not in {patterns}"), {"value": value, "patterns": list(written)}


@dataclass(frozen=True, eq=False)
class Policy:
    """A validated policy document, compiled.

    ``document`` gives a fresh copy of the original (parsed policies are cached and shared, so the
    original is never handed out to be changed).
    """

    kind: str
    name: str | None
    version: str | None
    statements: tuple[Statement, ...]
    _source: dict[str, Any] = field(repr=False)

    @property
    def document(self) -> dict[str, Any]:
        return copy.deepcopy(self._source)

    @property
    def variables_enabled(self) -> bool:
        return self.version == "2012-10-17"

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self._source, indent=indent)

    @property
    def sids(self) -> tuple[str | None, ...]:
        return tuple(s.sid for s in self.statements)


# -- parsing -------------------------------------------------------------------------------------


def parse_policy(document: Any, kind: str = "identity", name: str | None = None) -> Policy:
    """Validate (as IAM would) and compile a policy: a dict, JSON text, or a parsed Policy."""
    if kind not in KINDS:
        raise ValueError(
            _("kind must be one of {kinds}; got {kind}").format(
                kinds=", ".join(KINDS), kind=repr(kind)
            )
        )
    if isinstance(document, Policy):
        if document.kind == kind:
            if name is None or name == document.name:
                return document
            return Policy(kind, name, document.version, document.statements, document._source)
        document = document._source
    if isinstance(document, str):
        return _parse_text(document, kind, name)
    if type(document) is dict:
        return _parse_dict(document, kind, name)
    loaded = load_document(document, name, kind)
    # The caller keeps their dict; the policy keeps its own copy (JSON text needs none).
    return _compile(copy.deepcopy(loaded) if loaded is not document else loaded, kind, name)


@lru_cache(maxsize=1024)
def _parse_text(text: str, kind: str, name: str | None) -> Policy:
    return _compile(load_document(text, name, kind), kind, name)


# Policies parsed from dicts, keyed on the dict's repr at the call (see _parse_dict).
_DICT_POLICIES: dict[tuple[str, str, str | None], Policy] = {}
_DICT_POLICIES_KEPT = 1024


def _parse_dict(document: dict[str, Any], kind: str, name: str | None) -> Policy:
    """A dict's policy, parsed once for what the dict says. A dict is mutable, so the cache is
    keyed on what it says at this call, never on the object: its ``repr``, which (unlike its JSON
    text) tells a tuple from a list, ``True`` from ``1`` and ``1`` from ``"1"`` and ``1.0``, and
    costs half as much to build. A hit must also equal the document kept with the policy. Only
    valid policies are kept (an invalid one raises, as IAM would), the oldest first dropped."""
    try:
        key = (repr(document), kind, name)
    except Exception:  # an object whose repr fails: parse it as it is, uncached
        key = None
    policy = _DICT_POLICIES.get(key) if key is not None else None
    if policy is not None and policy._source == document:
        return policy
    policy = _compile(copy.deepcopy(load_document(document, name, kind)), kind, name)
    if key is not None:
        if len(_DICT_POLICIES) >= _DICT_POLICIES_KEPT:
            del _DICT_POLICIES[next(iter(_DICT_POLICIES))]
        _DICT_POLICIES[key] = policy
    return policy


def _compile(doc: dict[str, Any], kind: str, name: str | None) -> Policy:
    validate_document(doc, kind, name)
    version = doc.get("Version")
    raw = doc["Statement"]
    raw_statements = [raw] if isinstance(raw, Mapping) else list(raw)
    variables = version == "2012-10-17"
    statements = tuple(
        _compile_statement(statement, index, kind, variables)
        for index, statement in enumerate(raw_statements)
    )
    return Policy(kind, name, version, statements, doc)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str))


def _compile_statement(raw: Mapping[str, Any], index: int, kind: str, variables: bool) -> Statement:
    action_key = "Action" if "Action" in raw else "NotAction"
    resource_key = next((k for k in ("Resource", "NotResource") if k in raw), None)
    principal_key = next((k for k in ("Principal", "NotPrincipal") if k in raw), None)
    principals: tuple[PrincipalName, ...] = ()
    if principal_key is not None:
        value = raw[principal_key]
        if value == "*":
            principals = (PrincipalName("*", "*", "everyone"),)
        else:
            principals = tuple(
                understand_principal_value(key, text)
                for key, values in value.items()
                for text in _strings(values)
            )
    conditions = tuple(
        make_condition(operator, key, values, variables)
        for written, key, values in iter_conditions(raw.get("Condition") or {})
        if (operator := parse_operator(written)) is not None
    )
    return Statement(
        index=index,
        sid=raw.get("Sid"),
        effect=raw["Effect"],
        action_key=action_key,
        actions=_Patterns(_strings(raw[action_key]), actions=True, variables=False),
        resource_key=resource_key if kind != "trust" else None,
        resources=(
            _Patterns(_strings(raw[resource_key]), actions=False, variables=variables)
            if resource_key and kind != "trust"
            else None
        ),
        principal_key=principal_key,
        principals=principals,
        conditions=conditions,
    )
