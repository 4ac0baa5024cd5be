"""The ``Condition`` element: operators, ``IfExists``, set operators and policy variables.

Rules, as AWS documents them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):

- several operators in a block, and several keys under one operator, are ANDed; several values for
  one key are ORed; a negated operator (``StringNotEquals``...) is true when the request value
  matches *none* of the values;
- condition key names are case-insensitive, values are compared as each operator says;
- a key missing from the request makes a positive operator false and a negated one true;
  ``...IfExists`` makes the condition true when the key is missing; ``Null`` tests presence;
- ``ForAnyValue:`` is false for a missing or empty key, ``ForAllValues:`` is true for one;
- ``${aws:username}``-style variables (policy Version 2012-10-17 only) are replaced by the request's
  value; ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters; ``${key, 'default'}``
  supplies a default. A variable whose key is missing makes that value match nothing.
"""

from __future__ import annotations

import base64
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from ecslab.i18n import N_, _
from ecslab.iam.wildcards import arn_like, string_like

# -- request context ----------------------------------------------------------------------------


class RequestContext:
    """Condition keys of one request, looked up case-insensitively; values as tuples of str."""

    __slots__ = ("_derived", "_given", "_values")

    def __init__(self, given: Mapping[str, object] | None, derived: Callable[[], dict[str, str]]):
        self._given = given or {}
        self._derived = derived
        self._values: dict[str, tuple[str, ...]] | None = None

    def _build(self) -> dict[str, tuple[str, ...]]:
        values: dict[str, tuple[str, ...]] = {k: (v,) for k, v in self._derived().items()}
        for key, value in self._given.items():
            values[str(key).lower()] = _as_strings(value)
        self._values = values
        return values

    def get(self, key_lower: str) -> tuple[str, ...] | None:
        values = self._values if self._values is not None else self._build()
        found = values.get(key_lower)
        if found is None and key_lower in ("aws:currenttime", "aws:epochtime"):
            now = datetime.now(timezone.utc)
            found = (
                (now.strftime("%Y-%m-%dT%H:%M:%SZ"),)
                if key_lower == "aws:currenttime"
                else (str(int(now.timestamp())),)
            )
        return found


def _as_strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_scalar(v) for v in value if v is not None)
    return (_scalar(value),)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- policy variables ---------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


def has_variables(text: str) -> bool:
    return "${" in text


def substitute(text: str, context: RequestContext) -> tuple[tuple[str, bool], ...] | None:
    """Split ``text`` into ``(piece, literal)`` with variables replaced; None if one is unknown.

    Substituted values are literal: a ``*`` in a user name is not a wildcard.
    """
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            pieces.append((text[position : found.start()], False))
        inner = found.group(1).strip()
        if inner in _SPECIAL:
            pieces.append((_SPECIAL[inner], True))
        else:
            key, default = inner, None
            if "," in inner:
                key, _sep, rest = inner.partition(",")
                key, rest = key.strip(), rest.strip()
                if len(rest) >= 2 and rest[0] == rest[-1] == "'":
                    default = rest[1:-1]
            values = context.get(key.lower())
            if values and len(values) == 1:
                pieces.append((values[0], True))
            elif default is not None:
                pieces.append((default, True))
            else:
                return None
        position = found.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return tuple(pieces)


def _join(pieces: tuple[tuple[str, bool], ...]) -> str:
    return "".join(text for text, _rest in pieces)


# -- value parsing -------------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> float | None:
    """ISO 8601 date/time or epoch seconds → epoch seconds (None if it is neither)."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        try:
            return float(int(text))
        except ValueError:
            return None
    candidate = text.replace("z", "Z")
    if candidate.endswith("Z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _ip_network(text: str):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _ip_address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        return None


# -- operators -----------------------------------------------------------------------------------
# Each comparison answers: does this one request value match this one policy value (pieces)?

Compare = Callable[[str, tuple[tuple[str, bool], ...]], bool]


def _string_equals(value: str, pieces) -> bool:
    return value == _join(pieces)


def _string_equals_ignore_case(value: str, pieces) -> bool:
    return value.casefold() == _join(pieces).casefold()


def _string_like(value: str, pieces) -> bool:
    return string_like(pieces, value)


def _numeric(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, pieces) -> bool:
        left, right = parse_number(value), parse_number(_join(pieces))
        return left is not None and right is not None and test(left, right)

    return compare


def _date(test: Callable[[float, float], bool]) -> Compare:
    def compare(value: str, pieces) -> bool:
        left, right = parse_date(value), parse_date(_join(pieces))
        return left is not None and right is not None and test(left, right)

    return compare


def _bool(value: str, pieces) -> bool:
    return value.lower() in ("true", "false") and value.lower() == _join(pieces).lower()


def _binary(value: str, pieces) -> bool:
    left, right = _b64(value), _b64(_join(pieces))
    return left is not None and left == right


def _ip(value: str, pieces) -> bool:
    address, network = _ip_address(value), _ip_network(_join(pieces))
    return address is not None and network is not None and address in network


def _arn(value: str, pieces) -> bool:
    return arn_like(pieces, value)


def _eq(a: float, b: float) -> bool:
    return a == b


def _lt(a: float, b: float) -> bool:
    return a < b


def _le(a: float, b: float) -> bool:
    return a <= b


def _gt(a: float, b: float) -> bool:
    return a > b


def _ge(a: float, b: float) -> bool:
    return a >= b


# operator → (comparison, negated)
OPERATORS: dict[str, tuple[Compare, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "NumericEquals": (_numeric(_eq), False),
    "NumericNotEquals": (_numeric(_eq), True),
    "NumericLessThan": (_numeric(_lt), False),
    "NumericLessThanEquals": (_numeric(_le), False),
    "NumericGreaterThan": (_numeric(_gt), False),
    "NumericGreaterThanEquals": (_numeric(_ge), False),
    "DateEquals": (_date(_eq), False),
    "DateNotEquals": (_date(_eq), True),
    "DateLessThan": (_date(_lt), False),
    "DateLessThanEquals": (_date(_le), False),
    "DateGreaterThan": (_date(_gt), False),
    "DateGreaterThanEquals": (_date(_ge), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
    "Null": (_string_equals, False),  # handled specially
}

# Operators whose policy values may use variables: the string, ARN and Bool families
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
_VARIABLE_FAMILIES = ("String", "Arn", "Bool")


@dataclass(frozen=True, slots=True)
class ConditionOperator:
    """``ForAnyValue:StringLikeIfExists`` understood: base operator, set qualifier, IfExists."""

    written: str
    base: str
    qualifier: str | None  # "ForAnyValue", "ForAllValues" or None
    if_exists: bool

    @property
    def negated(self) -> bool:
        return OPERATORS[self.base][1]


def split_operator(written: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``ForAnyValue``, ``StringLike``, True)."""
    qualifier = None
    rest = written
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if rest.startswith(prefix):
            qualifier, rest = prefix[:-1], rest[len(prefix) :]
            break
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    if if_exists:
        rest = rest[: -len("IfExists")]
    return qualifier, rest, if_exists


def parse_operator(written: str) -> ConditionOperator | None:
    """None when ``written`` is not an operator IAM knows.

    ``Null`` takes neither IfExists nor a set qualifier (Access Analyzer: NULL_WITH_IF_EXISTS).
    """
    qualifier, base, if_exists = split_operator(written)
    if base not in OPERATORS or (base == "Null" and (if_exists or qualifier)):
        return None
    return ConditionOperator(written, base, qualifier, if_exists)


def said(text: str, values: Mapping[str, Any] | None, translated: bool) -> str:
    """An explanation's words: ``text`` (an English message id) with ``values`` in its
    ``{placeholders}``, in English or, when ``translated``, in the learner's language. Explanations
    keep their words this way and say them only when shown, so building one translates nothing
    (finding the learner's language is far slower than the judge's decisions)."""
    if translated:
        text = _(text)
    return text.format_map(values) if values is not None else text


class Explained:
    """A part of an explanation (a condition, a check, a step) that equals another of its class
    with the same ``_key()``: what it found, in English, whatever its words are shown in."""

    __slots__ = ()

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


class ConditionResult(Explained):
    """Why one condition (operator + key) held or not, for explanations: ``why`` in English,
    ``str()`` in the learner's language."""

    __slots__ = ("_text", "_values", "holds", "key", "operator", "policy_values", "request_values")

    def __init__(
        self,
        operator: str,
        key: str,
        policy_values: tuple[str, ...],
        request_values: tuple[str, ...] | None,  # None: the key is not in the request
        holds: bool,
        why: str,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.operator = operator
        self.key = key
        self.policy_values = policy_values
        self.request_values = request_values
        self.holds = holds
        self._text = why  # an English message id, with ``values`` for its placeholders
        self._values = values

    @property
    def why(self) -> str:
        return said(self._text, self._values, False)

    def said(self, translated: bool = True) -> str:
        mark = "✓" if self.holds else "✗"
        return f"{mark} {self.operator} {self.key}: {said(self._text, self._values, translated)}"

    def _key(self) -> tuple[Any, ...]:
        return (
            self.operator,
            self.key,
            self.policy_values,
            self.request_values,
            self.holds,
            self.why,
        )

    def __repr__(self) -> str:
        return (
            f"ConditionResult(operator={self.operator!r}, key={self.key!r}, "
            f"policy_values={self.policy_values!r}, request_values={self.request_values!r}, "
            f"holds={self.holds!r}, why={self.why!r})"
        )

    def __str__(self) -> str:
        return self.said()


@dataclass(frozen=True, slots=True)
class Condition:
    """One operator + key + values from a policy's Condition block, ready to evaluate."""

    operator: ConditionOperator
    key: str
    key_lower: str
    values: tuple[str, ...]
    variables: bool  # do the values use ${...} (and does the policy version allow them)?

    def holds(self, context: RequestContext) -> bool:
        return self._evaluate(context)[0]

    def explain(self, context: RequestContext) -> ConditionResult:
        holds, (why, values) = self._evaluate(context, explain=True)
        return ConditionResult(
            self.operator.written,
            self.key,
            self.values,
            context.get(self.key_lower),
            holds,
            why,
            values,
        )

    def _evaluate(self, context: RequestContext, explain: bool = False) -> tuple[bool, Any]:
        """Whether it holds, and (with ``explain``) why: an English message id and its values."""
        op = self.operator
        present = context.get(self.key_lower)
        if op.base == "Null":
            is_null = not present
            wanted = [v.lower() == "true" for v in self.values]
            holds = any(w == is_null for w in wanted)
            if not explain:
                return holds, ""
            return holds, (_KEY_IS_ABSENT if is_null else _KEY_IS_PRESENT, None)
        compare, negated = OPERATORS[op.base]
        if op.qualifier and present == ("",):
            # "If the key values in the request resolve to an empty data set (for example, an
            # empty string), ... ForAllValues returns true, and ... ForAnyValue returns false."
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
            present = ()
        if not present:
            # the reasons are English message ids, translated only for an explanation
            if op.qualifier == "ForAllValues":
                holds, why = True, _KEY_ABSENT_ALL
            elif op.if_exists:
                holds, why = True, _KEY_ABSENT_IF_EXISTS
            elif op.qualifier == "ForAnyValue":
                holds, why = False, _KEY_ABSENT_ANY
            elif negated:
                holds, why = True, _KEY_ABSENT_NEGATED
            else:
                holds, why = False, _KEY_ABSENT
            return holds, (why, None) if explain else ""
        policy_pieces = self._policy_pieces(context)

        def matches(value: str) -> bool:
            return any(compare(value, pieces) for pieces in policy_pieces)

        if op.qualifier == "ForAllValues":
            if negated:
                holds = all(not matches(v) for v in present)
            else:
                holds = all(matches(v) for v in present)
        elif op.qualifier == "ForAnyValue":
            if negated:
                holds = any(not matches(v) for v in present)
            else:
                holds = any(matches(v) for v in present)
        elif negated:
            holds = not any(matches(v) for v in present)
        else:
            holds = any(matches(v) for v in present)
        if not explain:
            return holds, ""
        shown = ", ".join(repr(v) for v in present)
        wanted = ", ".join(repr(v) for v in self.values)
        if op.qualifier:
            text = (
                N_("request has [{shown}], which meets {qualifier} of [{wanted}]")
                if holds
                else N_("request has [{shown}], which does not meet {qualifier} of [{wanted}]")
            )
            return holds, (text, {"shown": shown, "qualifier": op.qualifier, "wanted": wanted})
        one = holds != negated  # a value matches one of the policy's
        text = (
            N_("request has {shown}, which matches one of [{wanted}]")
            if one
            else N_("request has {shown}, which matches none of [{wanted}]")
        )
        return holds, (text, {"shown": shown, "wanted": wanted})

    def _policy_pieces(self, context: RequestContext) -> list[tuple[tuple[str, bool], ...]]:
        if not self.variables:
            return [((v, False),) for v in self.values]
        out = []
        for value in self.values:
            pieces = substitute(value, context)
            if pieces is not None:
                out.append(pieces)
        return out


_KEY_IS_ABSENT = N_("the key is absent")
_KEY_IS_PRESENT = N_("the key is present")
_KEY_ABSENT_ALL = N_("the key is absent, and ForAllValues holds for an empty set")
_KEY_ABSENT_IF_EXISTS = N_("the key is absent, and IfExists makes the condition true")
_KEY_ABSENT_ANY = N_("the key is absent, and ForAnyValue needs at least one value")
_KEY_ABSENT_NEGATED = N_("the key is absent, so the negated operator is true")
_KEY_ABSENT = N_("the key is absent from the request")


def make_condition(
    operator: ConditionOperator, key: str, values: tuple[str, ...], variables_allowed: bool
) -> Condition:
    variables = (
        variables_allowed
        and op_family_uses_variables(operator.base)
        and any(has_variables(v) for v in values)
    )
    return Condition(operator, key, key.lower(), values, variables)


def op_family_uses_variables(base: str) -> bool:
    return base.startswith(_VARIABLE_FAMILIES)
