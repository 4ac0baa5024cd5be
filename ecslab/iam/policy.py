"""Policy documents: parse, validate as IAM does, and compile for fast evaluation.

``parse_policy(document, kind=...)`` accepts a dict or JSON text and returns a :class:`Policy`, or
raises :class:`MalformedPolicyDocument` naming the statement (index and Sid), the field, IAM's own
wording of the problem, and what was expected.

Kinds, and the rules IAM applies to each:

- ``identity`` (also ``boundary``, ``session``, ``scp``): ``Resource``/``NotResource`` required,
  no ``Principal``;
- ``resource`` (bucket, queue, topic, secret, key, repository policies; ``rcp``): ``Principal`` /
  ``NotPrincipal`` and ``Resource`` / ``NotResource`` required;
- ``trust`` (a role's assume-role policy): ``Principal`` / ``NotPrincipal`` required, no
  ``Resource``, only ``sts:`` role-assumption actions.

IAM's error texts are reproduced from what IAM returns, as recorded by moto's policy validator
(moto/iam/policy_validation.py, whose messages were checked against AWS) and the IAM User Guide
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ecslab.iam.conditions import (
    Condition,
    ConditionResult,
    RequestContext,
    has_variables,
    make_condition,
    parse_date,
    parse_operator,
    substitute,
)
from ecslab.iam.principals import (
    DIRECT,
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

KINDS = ("identity", "boundary", "session", "scp", "resource", "rcp", "trust")
_IDENTITY_LIKE = ("identity", "boundary", "session", "scp")
_RESOURCE_LIKE = ("resource", "rcp")
KIND_WORDS = {
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "resource": "resource-based policy",
    "trust": "trust policy",
}

VERSIONS = ("2012-10-17", "2008-10-17")
TOP_LEVEL = ("Version", "Id", "Statement")
STATEMENT_FIELDS = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)
PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
TRUST_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
)
_VENDOR = re.compile(r"^[a-zA-Z0-9\-.]+$")
_SID_IAM = re.compile(r"^[0-9A-Za-z]*$")
_IAM_PATHS = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
_PARTITIONS = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)


class MalformedPolicyDocument(ValueError):
    """A policy IAM would reject, said the way IAM says it, plus where and what was expected.

    ``reason`` is IAM's text; ``statement_index`` (0-based), ``sid`` and ``field`` locate it;
    ``expected`` tells the learner what would be accepted.
    """

    def __init__(
        self,
        reason: str,
        *,
        statement_index: int | None = None,
        sid: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        policy_name: str | None = None,
    ) -> None:
        self.reason = reason
        self.statement_index = statement_index
        self.sid = sid
        self.field = field
        self.expected = expected
        self.policy_name = policy_name
        super().__init__(self._text())

    @property
    def location(self) -> str:
        parts = []
        if self.policy_name:
            parts.append(f"policy {self.policy_name!r}")
        if self.statement_index is not None:
            where = f"Statement[{self.statement_index}]"
            if self.sid:
                where += f' (Sid "{self.sid}")'
            parts.append(where)
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def _text(self) -> str:
        text = f"MalformedPolicyDocument: {self.reason}"
        details = [d for d in (self.location, self.expected) if d]
        if details:
            text += " [" + "; ".join(details) + "]"
        return text

    def __reduce__(self):  # keep keyword arguments through pickling (multiprocessing, nbval)
        return (_rebuild_error, (self.reason, self.__dict__))


def _rebuild_error(reason: str, state: dict) -> MalformedPolicyDocument:
    error = MalformedPolicyDocument.__new__(MalformedPolicyDocument)
    error.__dict__.update(state)
    ValueError.__init__(error, error._text())
    return error


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


@dataclass(frozen=True, slots=True)
class Check:
    """One element of a statement checked against the request, for explanations."""

    element: str  # Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition
    matched: bool
    detail: str

    def __str__(self) -> str:
        return f"{'✓' if self.matched else '✗'} {self.element}: {self.detail}"


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
        failed = [c for c in self.checks if not c.matched]
        if not failed:
            return "applies: " + "; ".join(c.detail for c in self.checks)
        return "does not apply: " + failed[0].detail

    def __str__(self) -> str:
        return f"{self.label} {self.why}"


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
        checks: list[Check] = []
        action_lower = action.lower()
        hit = self.actions.first_action_match(action_lower)
        if self.action_key == "Action":
            checks.append(
                Check("Action", True, f"{hit!r} matches {action}")
                if hit
                else Check(
                    "Action", False, f"no pattern in {list(self.actions.written)} matches {action}"
                )
            )
        else:
            checks.append(
                Check("NotAction", False, f"{action} is excluded by {hit!r}")
                if hit
                else Check("NotAction", True, f"{action} is not in {list(self.actions.written)}")
            )
        if self.resources is not None:
            hit = self.resources.first_resource_match(resource, context)
            if self.resource_key == "Resource":
                checks.append(
                    Check("Resource", True, f"{hit!r} matches {resource}")
                    if hit
                    else Check(
                        "Resource",
                        False,
                        f"no pattern in {list(self.resources.written)} matches {resource}",
                    )
                )
            else:
                checks.append(
                    Check("NotResource", False, f"{resource} is excluded by {hit!r}")
                    if hit
                    else Check(
                        "NotResource", True, f"{resource} is not in {list(self.resources.written)}"
                    )
                )
        if self.principal_key is not None:
            strength = self.principal_match(caller, has_boundary)
            listed = [n.value for n in self.principals]
            if self.principal_key == "Principal":
                from ecslab.iam.principals import MATCH_WORDS

                checks.append(
                    Check("Principal", True, f"{listed} {MATCH_WORDS[strength]}")
                    if strength
                    else Check("Principal", False, f"{listed} does not name {caller.arn}")
                )
            else:
                checks.append(
                    Check(
                        "NotPrincipal",
                        bool(strength),
                        f"{caller.arn} is not covered by {listed}"
                        if strength
                        else f"{caller.arn} is covered by {listed}",
                    )
                )
        results = tuple(c.explain(context) for c in self.conditions)
        if results:
            failed = [r for r in results if not r.holds]
            checks.append(
                Check("Condition", not failed, "; ".join(str(r) for r in (failed or results)))
            )
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


@dataclass(frozen=True, eq=False)
class Policy:
    """A validated policy document, compiled. ``document`` is the original, for display."""

    kind: str
    name: str | None
    version: str | None
    statements: tuple[Statement, ...]
    document: dict[str, Any] = field(repr=False)

    @property
    def variables_enabled(self) -> bool:
        return self.version == "2012-10-17"

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.document, indent=indent)

    @property
    def sids(self) -> tuple[str | None, ...]:
        return tuple(s.sid for s in self.statements)


# -- parsing -------------------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def load_document(document: Any, name: str | None = None, kind: str = "identity") -> dict[str, Any]:
    """JSON text or a mapping → a dict; JSON problems become MalformedPolicyDocument."""
    # IAM answers bad JSON in a trust policy differently from a permissions policy
    # (facts: CreateRole "This policy contains invalid Json", CreatePolicy "Syntax errors in
    # policy."; https://github.com/AWSCookbook/Security/issues/2,
    # https://github.com/aws-samples/amazon-ecs-firelens-examples/pull/50).
    syntax = "This policy contains invalid Json" if kind == "trust" else "Syntax errors in policy."
    if isinstance(document, Policy):
        return document.document
    if isinstance(document, (bytes, bytearray)):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedPolicyDocument(
                syntax, expected="UTF-8 JSON text", policy_name=name
            ) from None
    if isinstance(document, str):
        if not document.strip():
            raise MalformedPolicyDocument(
                syntax,
                expected='a JSON object such as {"Version": "2012-10-17", "Statement": [...]}',
                policy_name=name,
            )
        try:
            loaded = json.loads(document, object_pairs_hook=_no_duplicates)
        except _DuplicateKey as error:
            raise MalformedPolicyDocument(
                syntax,
                expected=f"each key once per object; {error.args[0]!r} appears twice, "
                "and only one of them would be kept",
                policy_name=name,
            ) from None
        except json.JSONDecodeError as error:
            raise MalformedPolicyDocument(
                syntax,
                expected=f"valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                policy_name=name,
            ) from None
        except RecursionError:
            raise MalformedPolicyDocument(
                syntax, expected="JSON nested less deeply", policy_name=name
            ) from None
        document = loaded
    if not isinstance(document, Mapping):
        raise MalformedPolicyDocument(
            syntax,
            expected=f"a JSON object with Version and Statement, not {_type_word(document)}",
            policy_name=name,
        )
    return dict(document)


def _type_word(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        tuple: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def parse_policy(document: Any, kind: str = "identity", name: str | None = None) -> Policy:
    """Validate and compile a policy document (dict, JSON text, or a Policy of any kind)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if isinstance(document, Policy) and document.kind == kind:
        if name is None or name == document.name:
            return document
        return Policy(kind, name, document.version, document.statements, document.document)
    if isinstance(document, str):
        return _parse_text(document, kind, name)
    return _parse(load_document(document, name, kind), kind, name)


@lru_cache(maxsize=1024)
def _parse_text(text: str, kind: str, name: str | None) -> Policy:
    return _parse(load_document(text, name, kind), kind, name)


def _parse(doc: dict[str, Any], kind: str, name: str | None) -> Policy:
    def fail(reason: str, **where: Any) -> MalformedPolicyDocument:
        return MalformedPolicyDocument(reason, policy_name=name, **where)

    for key in doc:
        if key not in TOP_LEVEL:
            raise fail(
                "Syntax errors in policy.",
                field=str(key),
                expected=f"only {', '.join(TOP_LEVEL)} at the top level",
            )
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise fail(
            "Syntax errors in policy.",
            field="Version",
            expected=f'"2012-10-17" (or the legacy "2008-10-17"), not {version!r}',
        )
    if kind in (*_IDENTITY_LIKE, "trust") and kind != "scp" and version != "2012-10-17":
        raise fail(
            "Policy document must be version 2012-10-17 or greater.",
            field="Version",
            expected='"Version": "2012-10-17" at the top of the document'
            + ("" if version is None else f", not {version!r}"),
        )
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise fail("Syntax errors in policy.", field="Id", expected="a string")
    if "Statement" not in doc:
        raise fail(
            "Syntax errors in policy.",
            field="Statement",
            expected="a Statement: one statement object or a list of them",
        )
    raw = doc["Statement"]
    if isinstance(raw, Mapping):
        raw_statements = [raw]
    elif isinstance(raw, (list, tuple)):
        raw_statements = list(raw)
    else:
        raise fail(
            "Syntax errors in policy.",
            field="Statement",
            expected=f"one statement object or a list of them, not {_type_word(raw)}",
        )
    if not raw_statements:
        raise fail(
            "Syntax errors in policy.",
            field="Statement",
            expected="at least one statement",
        )
    variables = version == "2012-10-17"
    statements = []
    seen_sids: dict[str, int] = {}
    for index, raw_statement in enumerate(raw_statements):
        statement = _parse_statement(raw_statement, index, kind, name, variables)
        if statement.sid:
            if statement.sid in seen_sids:
                raise fail(
                    "Statement IDs (SID) in a single policy must be unique.",
                    statement_index=index,
                    sid=statement.sid,
                    field="Sid",
                    expected=f"a Sid different from Statement[{seen_sids[statement.sid]}]'s",
                )
            seen_sids[statement.sid] = index
        statements.append(statement)
    return Policy(kind, name, version, tuple(statements), doc)


def _which(raw: Mapping[str, Any], key: str, fail) -> str | None:
    """``Action`` or ``NotAction`` (likewise Resource, Principal): one of them, never both."""
    negated = "Not" + key
    if key in raw and negated in raw:
        raise fail(
            "Syntax errors in policy.", field=key, expected=f"either {key} or {negated}, not both"
        )
    return key if key in raw else negated if negated in raw else None


def _required_strings(raw: Mapping[str, Any], key: str, fail, reason: str) -> tuple[str, ...]:
    what = "actions" if key.endswith("Action") else "resources"
    values = _strings(raw[key], fail, key, what)
    if not values:
        raise fail(reason, field=key, expected=f"at least one of the {what}")
    return values


def _strings(value: Any, fail, field_name: str, what: str) -> tuple[str, ...]:
    """A string or a list of strings, as IAM accepts for Action, Resource and principals."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise fail(
        "Syntax errors in policy.",
        field=field_name,
        expected=f"{what} as a string or a list of strings, not {_type_word(value)}"
        + ("" if not isinstance(value, (list, tuple)) else " holding non-strings"),
    )


def _parse_statement(
    raw: Any, index: int, kind: str, name: str | None, variables: bool
) -> Statement:
    sid = raw.get("Sid") if isinstance(raw, Mapping) else None
    sid_text = sid if isinstance(sid, str) else None

    def fail(reason: str, **where: Any) -> MalformedPolicyDocument:
        return MalformedPolicyDocument(
            reason, statement_index=index, sid=sid_text, policy_name=name, **where
        )

    if not isinstance(raw, Mapping):
        raise fail(
            "Syntax errors in policy.", expected=f"a statement object, not {_type_word(raw)}"
        )
    for key in raw:
        if key not in STATEMENT_FIELDS:
            close = [f for f in STATEMENT_FIELDS if f.lower() == str(key).lower()]
            hint = f"; did you mean {close[0]}?" if close else ""
            raise fail(
                "Syntax errors in policy.",
                field=str(key),
                expected=f"only {', '.join(STATEMENT_FIELDS)} in a statement{hint}",
            )
    if "Sid" in raw:
        if not isinstance(sid, str):
            raise fail("Syntax errors in policy.", field="Sid", expected="a string")
        if kind in (*_IDENTITY_LIKE, "trust") and not _SID_IAM.match(sid):
            raise fail(
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                "regular expression [0-9A-Za-z]*",
                field="Sid",
                expected='letters and digits only, e.g. "AllowLogs"',
            )
    # Effect
    if "Effect" not in raw:
        raise fail("Syntax errors in policy.", field="Effect", expected='"Allow" or "Deny"')
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise fail(
            "The policy failed legacy parsing"
            if isinstance(effect, str) and effect.lower() in ("allow", "deny")
            else "Syntax errors in policy.",
            field="Effect",
            expected=f'exactly "Allow" or "Deny" (case-sensitive), not {effect!r}',
        )
    # Action / NotAction
    action_key = _which(raw, "Action", fail)
    if action_key is None:
        raise fail(
            "Policy statement must contain actions.",
            field="Action",
            expected='an Action such as "logs:CreateLogStream" (or a NotAction)',
        )
    actions = _required_strings(raw, action_key, fail, "Policy statement must contain actions.")
    for action in actions:
        _check_action(action, fail, action_key)
    if kind == "trust":
        for action in actions:
            if not any(
                action == allowed
                or (has_wildcard(action) and action_regex(action).match(allowed.lower()))
                for allowed in TRUST_ACTIONS
            ):
                raise fail(
                    # Wording used by IAM emulators that claim parity with CreateRole.
                    "AssumeRole policy may only specify STS AssumeRole actions.",
                    field=action_key,
                    expected=f"one of {', '.join(TRUST_ACTIONS)}, not {action!r}",
                )
    # Resource / NotResource
    resource_key = _which(raw, "Resource", fail)
    resources: _Patterns | None = None
    if kind == "trust":
        if resource_key:
            raise fail(
                # https://github.com/kubernetes-sigs/external-dns/issues/3085
                "Has prohibited field Resource",
                field=resource_key,
                expected="no Resource in a trust policy: the resource is the role itself",
            )
    else:
        if resource_key is None:
            raise fail(
                "Policy statement must contain resources.",
                field="Resource",
                expected='a Resource such as "*" or an ARN (or a NotResource)',
            )
        written = _required_strings(
            raw, resource_key, fail, "Policy statement must contain resources."
        )
        for resource in written:
            _check_resource(resource, fail, resource_key)
        resources = _Patterns(written, actions=False, variables=variables)
    # Principal / NotPrincipal
    principal_key = _which(raw, "Principal", fail)
    principals: tuple[PrincipalName, ...] = ()
    if kind in _IDENTITY_LIKE:
        if principal_key:
            raise fail(
                "Policy document should not specify a principal.",
                field=principal_key,
                expected=f"no {principal_key} in an {KIND_WORDS[kind]}: it applies to whoever "
                "it is attached to",
            )
    else:
        if principal_key is None:
            raise fail(
                # CreateRole's answer to a statement without principals,
                # https://github.com/terraform-aws-modules/terraform-aws-iam/issues/47
                "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
                "The passed in policy has a statement with no principals!"
                if kind == "trust"
                # S3's answer (https://github.com/humanmade/S3-Uploads/issues/191)
                else "Missing required field Principal",
                field="Principal",
                expected='a Principal such as {"Service": "ecs-tasks.amazonaws.com"}'
                if kind == "trust"
                else 'a Principal such as {"AWS": "arn:aws:iam::123456789012:role/name"}',
            )
        principals = _parse_principal(raw[principal_key], fail, principal_key)
    # Condition
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        conditions = _parse_conditions(raw["Condition"], fail, variables)
    return Statement(
        index=index,
        sid=sid_text,
        effect=effect,
        action_key=action_key,
        actions=_Patterns(actions, actions=True, variables=False),
        resource_key=resource_key if kind != "trust" else None,
        resources=resources,
        principal_key=principal_key,
        principals=principals,
        conditions=conditions,
    )


def _check_action(action: str, fail, field_name: str) -> None:
    if action == "*":
        return
    parts = action.split(":")
    if len(parts) == 1:
        raise fail(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            field=field_name,
            expected=f'service:action, e.g. "s3:GetObject", not {action!r}',
        )
    if len(parts) > 2:
        raise fail(
            "Actions/Condition can contain only one colon.",
            field=field_name,
            expected=f"service:action with one colon, not {action!r}",
        )
    if parts[0] != "*" and not _VENDOR.match(parts[0]):
        raise fail(
            f"Vendor {parts[0]} is not valid",
            field=field_name,
            expected="a service prefix of letters, digits, '-' and '.'",
        )


def _check_resource(resource: str, fail, field_name: str) -> None:
    if resource == "*":
        return
    parts = resource.split(":", 5)
    if len(parts) < 2 or parts[0] != "arn":
        raise fail(
            f'Resource {resource} must be in ARN format or "*".',
            field=field_name,
            expected='"*" or an ARN such as "arn:aws:s3:::bucket/key"',
        )
    partition = parts[1]
    if partition != "*" and partition not in _PARTITIONS and not has_wildcard(partition):
        raise fail(
            f'Partition "{partition}" is not valid for resource "{resource}".',
            field=field_name,
            expected='the partition "aws" (or "aws-cn", "aws-us-gov", ...)',
        )
    if len(parts) < 3 or not parts[2]:
        raise fail(
            "Resource vendor must be fully qualified and cannot contain regexes.",
            field=field_name,
            expected=f"arn:partition:service:region:account:resource, got {resource!r}",
        )
    if resource.count(":") < 5 and "::" in resource:
        raise fail(
            "The policy failed legacy parsing",
            field=field_name,
            expected=f"an ARN with six parts (arn:partition:service:region:account:resource), "
            f"got {resource!r}",
        )
    service, region = parts[2], parts[3] if len(parts) > 3 else ""
    rest = parts[5] if len(parts) > 5 else ""
    if service == "iam" and region:
        raise fail(
            f"IAM resource {resource} cannot contain region information.",
            field=field_name,
            expected="an empty region: arn:aws:iam::ACCOUNT:role/NAME",
        )
    if service == "s3" and region and not rest.startswith("accesspoint/"):
        raise fail(
            f"Resource {resource} can not contain region information.",
            field=field_name,
            expected="an empty region and account: arn:aws:s3:::bucket/key",
        )
    if service == "iam" and len(parts) == 6 and rest != "*" and not rest.startswith(_IAM_PATHS):
        raise fail(
            'IAM resource path must either be "*" or start with ' + ", ".join(_IAM_PATHS) + ".",
            field=field_name,
            expected=f"for example arn:aws:iam::123456789012:role/NAME, not {resource!r}",
        )


def _parse_principal(value: Any, fail, field_name: str) -> tuple[PrincipalName, ...]:
    if value == "*":
        return (PrincipalName("*", "*", "everyone"),)
    if not isinstance(value, Mapping) or not value:
        raise fail(
            "Syntax errors in policy.",
            field=field_name,
            expected='"*" or an object such as {"AWS": "arn:..."} or {"Service": "..."}',
        )
    names: list[PrincipalName] = []
    for key, raw_values in value.items():
        if key not in PRINCIPAL_KEYS:
            raise fail(
                f"Invalid principal in policy: {json.dumps({key: raw_values})[1:-1]}",
                field=field_name,
                expected=f"principal keys {', '.join(PRINCIPAL_KEYS)}, not {key!r}",
            )
        for text in _strings(raw_values, fail, f"{field_name}.{key}", "principals"):
            try:
                names.append(understand_principal_value(key, text))
            except ValueError:
                raise fail(
                    f'Invalid principal in policy: "{key}":"{text}"',
                    field=f"{field_name}.{key}",
                    expected='an account id, "arn:aws:iam::ACCOUNT:root", a role, user or '
                    'assumed-role ARN, or "*"',
                ) from None
    return tuple(names)


def _parse_conditions(block: Any, fail, variables: bool) -> tuple[Condition, ...]:
    if not isinstance(block, Mapping):
        raise fail(
            "Syntax errors in policy.",
            field="Condition",
            expected='an object of operators, e.g. {"StringEquals": {"aws:SourceAccount": "..."}}',
        )
    out: list[Condition] = []
    for written, keys in block.items():
        if not isinstance(written, str):
            raise fail("Syntax errors in policy.", field="Condition", expected="operator names")
        operator = parse_operator(written)
        if operator is None:
            raise fail(
                # IAM rejects an unknown operator as a syntax error (moto policy_validation;
                # https://github.com/aws-cloudformation/cfn-lint/issues/3751).
                "Syntax errors in policy.",
                field=f"Condition.{written}",
                expected="an operator such as StringEquals, StringLike, ArnLike, Bool, "
                "NumericLessThan, DateGreaterThan, IpAddress or Null (optionally with "
                "IfExists, ForAnyValue: or ForAllValues:)",
            )
        if not isinstance(keys, Mapping) or not keys:
            raise fail(
                "Syntax errors in policy.",
                field=f"Condition.{written}",
                expected='an object of condition keys to values, e.g. {"aws:SourceAccount": '
                '"123456789012"}',
            )
        for key, raw_values in keys.items():
            where = f"Condition.{written}.{key}"
            if not isinstance(key, str) or ":" not in key or key.startswith(":"):
                raise fail(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                    field=where,
                    expected='a condition key with its prefix, e.g. "aws:SourceAccount"',
                )
            values = _condition_values(raw_values, fail, where)
            if operator.base.startswith("Date"):
                for text in values:
                    if parse_date(text) is None and not has_variables(text):
                        raise fail(
                            "The policy failed legacy parsing",
                            field=where,
                            expected=f"an ISO 8601 date or epoch seconds, not {text!r}",
                        )
            out.append(make_condition(operator, key, values, variables))
    return tuple(out)


def _condition_values(raw: Any, fail, where: str) -> tuple[str, ...]:
    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and value == value and abs(value) != float("inf"):
            return str(value)
        raise fail(
            "Syntax errors in policy.",
            field=where,
            expected=f"strings, numbers or booleans as condition values, not {_type_word(value)}",
        )

    if isinstance(raw, (list, tuple)):
        if not raw:
            raise fail("Syntax errors in policy.", field=where, expected="at least one value")
        return tuple(scalar(v) for v in raw)
    return (scalar(raw),)
