"""Differential test: ecslab.iam.evaluate against the npm package @cloud-copilot/iam-simulate.

The oracle is a test-time dependency only (it is AGPL-3.0): it is installed from the npm registry
into the git-ignored tests/iam/oracle/node_modules/ and is never vendored. Install it with

    npm ci --prefix tests/iam/oracle

The tests here skip (and say why) when `node` is not on PATH, the oracle is not installed, or
ecslab.iam.evaluate does not exist yet; they never install anything themselves.

A seeded generator builds a few thousand ECS-flavoured requests (task/execution role sessions, a
user, a principal in another account; ECR, Logs, Secrets Manager, SSM, KMS, S3, DynamoDB, SQS and
SNS actions; identity policies, resource policies, permissions boundaries, session policies and
SCPs with Action/NotAction, Resource/NotResource and simple conditions). All of them go through one
Node process (tests/iam/oracle/simulate.mjs) and through ecslab.iam.evaluate, and the decisions
must be equal.

Areas where the two may legitimately differ are kept out by construction; each is marked
"EXCLUDED" below with the reason.
"""

from __future__ import annotations

import collections
import copy
import json
import random
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ORACLE_DIR = Path(__file__).resolve().parent / "oracle"
ORACLE_SCRIPT = ORACLE_DIR / "simulate.mjs"
ORACLE_PACKAGE = "@cloud-copilot/iam-simulate"
INSTALL_COMMAND = "npm ci --prefix tests/iam/oracle"

SEED = 20251128
REQUEST_COUNT = 3000
SHOW_MISMATCHES = 5

HOME = "123456789012"  # the simulated account: the ECS cluster, its roles and most resources
OTHER = "210987654321"  # a partner account
REGION = "us-east-1"

Doc = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Skips: never install anything here.


def _node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("the IAM oracle needs Node.js (>= 18) and `node` is not on PATH")
    return node


def _pinned_version() -> str:
    package = json.loads((ORACLE_DIR / "package.json").read_text(encoding="utf-8"))
    return package["dependencies"][ORACLE_PACKAGE]


def _oracle_or_skip() -> str:
    """Return the path of `node` once the oracle is installed at the pinned version."""
    node = _node_or_skip()
    installed = ORACLE_DIR / "node_modules" / ORACLE_PACKAGE / "package.json"
    if not installed.is_file():
        pytest.skip(f"the IAM oracle is not installed; run `{INSTALL_COMMAND}` first")
    version = json.loads(installed.read_text(encoding="utf-8"))["version"]
    if version != _pinned_version():
        pytest.skip(
            f"{ORACLE_PACKAGE} {version} is installed but package.json pins "
            f"{_pinned_version()}; run `{INSTALL_COMMAND}` again"
        )
    return node


def _evaluate_or_skip():
    try:
        from ecslab.iam import evaluate
    except ImportError as error:
        # Only the evaluator not being written yet is a reason to skip; any other import error
        # (a bug inside ecslab.iam, a missing dependency) must fail loudly.
        if error.name == "ecslab.iam":
            pytest.skip(f"ecslab.iam.evaluate is not available yet ({error})")
        raise
    return evaluate


def run_oracle(node: str, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send every request to one Node process; return its answers in the same order."""
    lines = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in requests)
    completed = subprocess.run(
        [node, str(ORACLE_SCRIPT)],
        input=lines,
        capture_output=True,
        text=True,
        cwd=ORACLE_DIR,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, f"oracle exited {completed.returncode}:\n{completed.stderr}"
    answers = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    assert len(answers) == len(requests), (
        f"oracle answered {len(answers)} of {len(requests)} requests:\n{completed.stderr}"
    )
    return answers


# --------------------------------------------------------------------------------------------
# The world the requests live in.


@dataclass(frozen=True)
class Principal:
    arn: str  # what makes the request
    account: str
    identity_arn: str  # the role or user ARN behind it: the value of aws:PrincipalArn
    is_session: bool


def _session(account: str, role: str, session: str) -> Principal:
    return Principal(
        arn=f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        account=account,
        identity_arn=f"arn:aws:iam::{account}:role/{role}",
        is_session=True,
    )


def _principals(rng: random.Random) -> list[tuple[Principal, int]]:
    task_id = f"{rng.getrandbits(128):032x}"
    return [
        (_session(HOME, "ecs-task-role", task_id), 40),
        (_session(HOME, "ecs-execution-role", task_id), 25),
        (
            Principal(
                arn=f"arn:aws:iam::{HOME}:user/alice",
                account=HOME,
                identity_arn=f"arn:aws:iam::{HOME}:user/alice",
                is_session=False,
            ),
            15,
        ),
        (_session(OTHER, "partner-role", "partner-session"), 20),
    ]


# (action, kind of resource it takes). Every pair is valid for the resource types in iam-data, so
# the oracle accepts it; "*" marks actions that only take Resource "*".
ACTIONS: list[tuple[str, str]] = [
    ("ecr:GetAuthorizationToken", "*"),
    ("ecr:BatchGetImage", "repository"),
    ("ecr:GetDownloadUrlForLayer", "repository"),
    ("ecr:BatchCheckLayerAvailability", "repository"),
    ("ecr:PutImage", "repository"),
    ("logs:CreateLogStream", "log-stream"),
    ("logs:PutLogEvents", "log-stream"),
    ("logs:CreateLogGroup", "log-group"),
    ("logs:DescribeLogStreams", "log-group"),
    ("logs:DescribeLogGroups", "*"),
    ("secretsmanager:GetSecretValue", "secret"),
    ("secretsmanager:DescribeSecret", "secret"),
    ("secretsmanager:ListSecrets", "*"),
    ("ssm:GetParameters", "parameter"),
    ("ssm:GetParameter", "parameter"),
    ("ssm:GetParametersByPath", "parameter"),
    ("ssm:DescribeParameters", "*"),
    ("kms:Decrypt", "key"),
    ("kms:GenerateDataKey", "key"),
    ("kms:DescribeKey", "key"),
    ("s3:GetObject", "object"),
    ("s3:PutObject", "object"),
    ("s3:DeleteObject", "object"),
    ("s3:ListBucket", "bucket"),
    ("s3:GetBucketLocation", "bucket"),
    ("s3:ListAllMyBuckets", "*"),
    ("dynamodb:GetItem", "table"),
    ("dynamodb:PutItem", "table"),
    ("dynamodb:UpdateItem", "table"),
    ("dynamodb:Query", "table-or-index"),
    ("sqs:SendMessage", "queue"),
    ("sqs:ReceiveMessage", "queue"),
    ("sqs:DeleteMessage", "queue"),
    ("sqs:GetQueueUrl", "queue"),
    ("sns:Publish", "topic"),
    ("sns:Subscribe", "topic"),
    ("sns:ListTopics", "*"),
]
ALL_ACTIONS = [action for action, _ in ACTIONS]

# Kinds of resource whose service has resource-based policies. KMS keys always get one (below).
RESOURCE_POLICY_KINDS = {"repository", "secret", "object", "bucket", "table", "queue", "topic"}

BUCKETS = ["app-assets", "app-logs", "partner-drop"]
OBJECT_KEYS = ["config/app.json", "images/logo.png", "exports/2024/report.csv"]
LOG_GROUPS = ["/ecs/app", "/ecs/worker", "/aws/ecs/containerinsights/main/performance"]
LOG_STREAMS = ["ecs/app/0f1e2d3c4b5a", "ecs/worker/9a8b7c6d"]
KEY_IDS = ["1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321"]


def _resource(kind: str, account: str, rng: random.Random) -> str:
    prefix = f"arn:aws:{{}}:{REGION}:{account}:"
    if kind == "*":
        return "*"
    if kind == "repository":
        name = rng.choice(["app", "sidecar", "base/python"])
        return prefix.format("ecr") + f"repository/{name}"
    if kind == "log-group":
        return prefix.format("logs") + f"log-group:{rng.choice(LOG_GROUPS)}"
    if kind == "log-stream":
        group = prefix.format("logs") + f"log-group:{rng.choice(LOG_GROUPS)}"
        return f"{group}:log-stream:{rng.choice(LOG_STREAMS)}"
    if kind == "secret":
        name = rng.choice(
            ["prod/db-password-AbCdEf", "prod/api-key-a1B2c3", "dev/db-password-Zz9Yy8"]
        )
        return prefix.format("secretsmanager") + f"secret:{name}"
    if kind == "parameter":
        name = rng.choice(["app/db/url", "app/feature-flags", "shared/region"])
        return prefix.format("ssm") + f"parameter/{name}"
    if kind == "key":
        return prefix.format("kms") + f"key/{rng.choice(KEY_IDS)}"
    if kind == "object":
        return f"arn:aws:s3:::{rng.choice(BUCKETS)}/{rng.choice(OBJECT_KEYS)}"
    if kind == "bucket":
        return f"arn:aws:s3:::{rng.choice(BUCKETS)}"
    if kind in ("table", "table-or-index"):
        table = prefix.format("dynamodb") + f"table/{rng.choice(['orders', 'sessions'])}"
        if kind == "table-or-index" and rng.random() < 0.4:
            return f"{table}/index/by-customer"
        return table
    if kind == "queue":
        return prefix.format("sqs") + rng.choice(["jobs", "jobs-dlq"])
    if kind == "topic":
        return prefix.format("sns") + rng.choice(["alerts", "events"])
    raise AssertionError(kind)


def _random_resource(rng: random.Random) -> str:
    kind = rng.choice([k for _, k in ACTIONS if k != "*"])
    return _resource(kind, rng.choice([HOME, HOME, OTHER]), rng)


# --------------------------------------------------------------------------------------------
# Policy pieces.


def _one_or_list(rng: random.Random, values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 and rng.random() < 0.6 else values


def _action_pattern(rng: random.Random, action: str) -> str:
    """A pattern that usually matches `action`, sometimes not."""
    service, name = action.split(":")
    roll = rng.random()
    if roll < 0.25:
        return action
    if roll < 0.32:
        return f"{service.upper()}:{name.lower()}"  # action names are case-insensitive
    if roll < 0.45:
        return f"{service}:*"
    if roll < 0.58:
        return f"{service}:{name[: rng.randint(1, len(name) - 1)]}*"
    if roll < 0.65:
        return f"{service}:*{name[rng.randint(1, len(name) - 1) :]}"
    if roll < 0.70:
        i = rng.randrange(len(name))
        return f"{service}:{name[:i]}?{name[i + 1 :]}"
    if roll < 0.74:
        return "*"
    if roll < 0.82:
        return f"{service}:{rng.choice(['Get', 'Put', 'List', 'Describe', 'Delete'])}*"
    other = rng.choice(ALL_ACTIONS)
    return other if rng.random() < 0.7 else other.split(":")[0] + ":*"


def _arn_parts(arn: str) -> list[str]:
    return arn.split(":", 5)


def _resource_pattern(rng: random.Random, resource: str) -> str:
    """A pattern that usually matches `resource`, sometimes not."""
    roll = rng.random()
    if resource == "*" or roll < 0.12:
        return "*" if rng.random() < 0.7 else _random_resource(rng)
    if roll < 0.35:
        return resource
    parts = _arn_parts(resource)
    tail = parts[5]
    if roll < 0.55:
        # a wildcard inside the resource part only: `*` spans `/` and `:` there
        cut = rng.randint(0, len(tail) - 1)
        return ":".join([*parts[:5], tail[:cut] + "*"])
    if roll < 0.62:
        # EXCLUDED: a wildcard inside the resource-type word ("repos?tory/app", "lo?-group:/ecs",
        # "*/app"). The oracle does not let it match when the pattern goes on past the next "/"
        # or ":", where AWS documents * and ? as matching anywhere in the segment. So "?" only
        # goes after that word (S3 has none: its resource part starts with the bucket name).
        start = 0
        if not resource.startswith("arn:aws:s3:::"):
            separators = [i for i, c in enumerate(tail) if c in "/:"]
            start = separators[0] + 1 if separators else 0
        # EXCLUDED too: "?" for a ":" (".../ecs/app?log-stream:..."). The oracle lets it match the
        # colon; AWS documents only a trailing "*" as running over colons.
        i = rng.choice([i for i in range(start, len(tail)) if tail[i] != ":"])
        return ":".join([*parts[:5], tail[:i] + "?" + tail[i + 1 :]])
    if roll < 0.70:
        # a whole region or account segment as "*" (ARN segments are matched one by one)
        index = rng.choice([3, 4])
        if parts[index]:
            parts[index] = "*"
        return ":".join(parts)
    if roll < 0.80:
        if ":log-group:" in resource:
            group = resource.split(":log-stream:")[0]
            # log-group ARN with and without the ":*" suffix: only the exact string matters
            return rng.choice([group, f"{group}:*", f"{group}:log-stream:*"])
        if resource.startswith("arn:aws:s3:::"):
            bucket = tail.split("/")[0]
            return rng.choice(
                [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*", "arn:aws:s3:::*"]
            )
        if "/index/" in resource:
            return resource.split("/index/")[0] + rng.choice(["", "/*", "/index/*"])
        return ":".join([*parts[:5], "*"])
    if roll < 0.85:
        # near misses; the resource part is case-sensitive. (Upper-casing "arn:aws:s3" itself is
        # EXCLUDED: the oracle matches those segments case-insensitively, AWS does not say.)
        near = tail.upper() if rng.random() < 0.5 else tail + "-x"
        return ":".join([*parts[:5], near])
    return _random_resource(rng)


CONTEXT_CHOICES: dict[str, list[str]] = {
    "aws:SourceAccount": [HOME, HOME, OTHER],
    "aws:SourceArn": [
        f"arn:aws:ecs:{REGION}:{HOME}:cluster/main",
        f"arn:aws:ecs:{REGION}:{HOME}:task/main/0f1e2d3c4b5a",
        f"arn:aws:ecs:{REGION}:{OTHER}:cluster/partner",
    ],
    "aws:SecureTransport": ["true", "true", "false"],
    "aws:PrincipalTag/team": ["payments", "platform"],
    "aws:RequestedRegion": [REGION, REGION, "eu-west-1"],
    "aws:SourceVpce": ["vpce-0a1b2c3d", "vpce-99887766"],
}
CONTEXT_PRESENCE = {
    "aws:SourceAccount": 0.7,
    "aws:SourceArn": 0.4,
    "aws:SecureTransport": 0.6,
    "aws:PrincipalTag/team": 0.5,
    "aws:RequestedRegion": 0.6,
    "aws:SourceVpce": 0.2,
}
CALLED_VIA = ["ecs.amazonaws.com", "cloudformation.amazonaws.com", "athena.amazonaws.com"]

# EXCLUDED from contexts: service-specific keys (s3:prefix, kms:CallerAccount, ...) and
# aws:ResourceTag/*. The oracle drops context keys that do not apply to the action's resource type
# (it reports them as "ignoredContextKeys"; e.g. aws:ResourceTag/* for S3 objects), while
# ecslab may keep them, so a condition on them would compare two different requests.
# aws:PrincipalArn and aws:PrincipalAccount are always supplied, consistent with the principal:
# the oracle does not derive them from the principal, and ecslab may.


def _context(rng: random.Random, principal: Principal) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:PrincipalArn": principal.identity_arn,
        "aws:PrincipalAccount": principal.account,
    }
    for key, chance in CONTEXT_PRESENCE.items():
        if rng.random() < chance:
            context[key] = rng.choice(CONTEXT_CHOICES[key])
    if rng.random() < 0.2:
        context["aws:CalledVia"] = rng.sample(CALLED_VIA, rng.randint(1, 2))
    return context


def _string_value(rng: random.Random, key: str, context: dict[str, Any]) -> str:
    if key == "aws:PrincipalArn":
        options = [
            context["aws:PrincipalArn"],
            f"arn:aws:iam::{HOME}:role/ecs-task-role",
            f"arn:aws:iam::{HOME}:role/ecs-execution-role",
            f"arn:aws:iam::{OTHER}:role/partner-role",
        ]
    elif key == "aws:PrincipalAccount":
        options = [HOME, OTHER]
    else:
        options = list(CONTEXT_CHOICES[key])
        if key in context and rng.random() < 0.5:
            options = [context[key]]
    return rng.choice(options)


def _like_value(rng: random.Random, value: str) -> str:
    if rng.random() < 0.5 or len(value) < 3:
        return value
    cut = rng.randint(1, len(value) - 1)
    return value[:cut] + "*"


def _arn_like_value(rng: random.Random, arn: str) -> str:
    """An ArnLike pattern for `arn` that keeps all six of its components.

    EXCLUDED: patterns with fewer components, such as "arn:aws:e*". AWS checks each of the six
    components separately and does not say what a shorter pattern matches; the oracle lets the
    trailing "*" run over the colons.
    """
    parts = _arn_parts(arn)
    if rng.random() < 0.3:
        parts[rng.choice([3, 4])] = "*"
    if rng.random() < 0.7:
        tail = parts[5]
        parts[5] = tail[: rng.randint(0, len(tail) - 1)] + "*"
    return ":".join(parts)


def _condition(rng: random.Random, context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for _ in range(rng.choice([1, 1, 1, 2])):
        kind = rng.random()
        if kind < 0.40:
            key = rng.choice(
                [
                    "aws:SourceAccount",
                    "aws:PrincipalTag/team",
                    "aws:RequestedRegion",
                    "aws:SourceVpce",
                    "aws:PrincipalAccount",
                ]
            )
            op = rng.choice(
                ["StringEquals", "StringEquals", "StringNotEquals", "StringLike", "StringNotLike"]
            )
            values = [_string_value(rng, key, context) for _ in range(rng.choice([1, 1, 2]))]
            if "Like" in op:
                values = [_like_value(rng, v) for v in values]
            if rng.random() < 0.15:
                op = f"ForAnyValue:{op}"  # on a single-valued key: a set of one value
            elif rng.random() < 0.2:
                op = f"{op}IfExists"
        elif kind < 0.55:
            key = rng.choice(["aws:SourceArn", "aws:PrincipalArn"])
            op = rng.choice(["ArnEquals", "ArnLike", "ArnNotLike", "StringLike"])
            values = [_string_value(rng, key, context)]
            if op == "StringLike":
                values = [_like_value(rng, v) for v in values]
            elif "Like" in op:
                values = [_arn_like_value(rng, v) for v in values]
            if rng.random() < 0.2:
                op = f"{op}IfExists"
        elif kind < 0.72:
            key = "aws:SecureTransport"
            op = rng.choice(["Bool", "Bool", "BoolIfExists"])
            values = [rng.choice(["true", "false"])]
        elif kind < 0.87:
            key = rng.choice(
                ["aws:SourceVpce", "aws:SourceAccount", "aws:PrincipalTag/team", "aws:CalledVia"]
            )
            op = "Null"
            values = [rng.choice(["true", "false"])]
        else:
            key = "aws:CalledVia"
            op = rng.choice(
                ["ForAnyValue:StringEquals", "ForAllValues:StringEquals", "ForAnyValue:StringLike"]
            )
            values = rng.sample(CALLED_VIA, rng.randint(1, 2))
            if "Like" in op:
                values = [_like_value(rng, v) for v in values]
        block.setdefault(op, {})[key] = _one_or_list(rng, values)
    return block


def _statement(
    rng: random.Random,
    action: str,
    resource: str,
    context: dict[str, Any],
    *,
    effect: str | None = None,
    nots: bool = True,
    conditions: float = 0.35,
) -> Doc:
    statement: Doc = {}
    if rng.random() < 0.2:
        statement["Sid"] = f"S{rng.randrange(1000)}"
    statement["Effect"] = effect or ("Allow" if rng.random() < 0.82 else "Deny")
    actions = [_action_pattern(rng, action) for _ in range(rng.choice([1, 1, 2, 3]))]
    element = "NotAction" if nots and rng.random() < 0.12 else "Action"
    statement[element] = _one_or_list(rng, actions)
    resources = [_resource_pattern(rng, resource) for _ in range(rng.choice([1, 1, 2]))]
    element = "NotResource" if nots and rng.random() < 0.1 else "Resource"
    statement[element] = _one_or_list(rng, resources)
    if rng.random() < conditions:
        statement["Condition"] = _condition(rng, context)
    return statement


def _document(statements: list[Doc], rng: random.Random) -> Doc:
    seen: set[str] = set()
    for index, statement in enumerate(statements):
        if "Sid" in statement:
            if statement["Sid"] in seen:  # IAM wants a policy's Sids to be unique
                statement["Sid"] = f"{statement['Sid']}x{index}"
            seen.add(statement["Sid"])
    if len(statements) == 1 and rng.random() < 0.1:
        return {"Version": "2012-10-17", "Statement": statements[0]}  # a lone statement object
    return {"Version": "2012-10-17", "Statement": statements}


def _identity_policy(rng: random.Random, action: str, resource: str, context: dict) -> Doc:
    statements = [
        _statement(rng, action, resource, context) for _ in range(rng.choice([1, 1, 2, 3, 4]))
    ]
    return _document(statements, rng)


def _policy_principal(rng: random.Random, principal: Principal, resource_account: str) -> Any:
    options: list[Any] = [
        principal.account,  # an account id: the same as its root ARN
        resource_account,
        f"arn:aws:iam::{principal.account}:root",
        f"arn:aws:iam::{rng.choice([HOME, OTHER])}:root",
        principal.identity_arn,  # the role (or user) ARN
        principal.identity_arn,
        f"arn:aws:iam::{principal.account}:role/some-other-role",
        "*",
        "*",
    ]
    if principal.is_session and rng.random() < 0.3:
        options.append(principal.arn)  # the session ARN itself
    chosen = rng.choice(options)
    if chosen == "*" and rng.random() < 0.5:
        return "*"
    if rng.random() < 0.2:
        other = rng.choice([o for o in options if o != "*"])
        if chosen != "*" and other != chosen:
            return {"AWS": [chosen, other]}
    return {"AWS": chosen}


def _resource_policy(
    rng: random.Random,
    principal: Principal,
    action: str,
    resource: str,
    resource_account: str,
    context: dict,
) -> Doc:
    statements = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        statement = _statement(
            rng,
            action,
            resource,
            context,
            effect="Allow" if rng.random() < 0.8 else "Deny",
            conditions=0.25,
        )
        statement = {
            "Principal": _policy_principal(rng, principal, resource_account),
            **statement,
        }
        statements.append(statement)
    if rng.random() < 0.15:
        # the usual "deny insecure transport" statement of bucket, queue and secret policies
        service = action.split(":")[0]
        statements.append(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": f"{service}:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
    return _document(statements, rng)


def _key_policy(
    rng: random.Random,
    principal: Principal,
    action: str,
    resource: str,
    key_account: str,
    context: dict,
) -> Doc:
    statements: list[Doc] = []
    if rng.random() < 0.7:
        statements.append(
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{key_account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
    for _ in range(rng.choice([0, 1, 1, 2])):
        statement = _statement(rng, action, "*", context, conditions=0.2)
        statement = {
            "Principal": _policy_principal(rng, principal, key_account),
            **statement,
        }
        statements.append(statement)
    if not statements:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{key_account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        )
    return _document(statements, rng)


def _boundary(rng: random.Random, action: str, resource: str, context: dict) -> Doc:
    statements = [
        _statement(rng, action, resource, context, effect="Allow", conditions=0.15)
        for _ in range(rng.choice([1, 1, 2]))
    ]
    if rng.random() < 0.2:
        statements.append(_statement(rng, action, resource, context, effect="Deny"))
    return _document(statements, rng)


def _scp(rng: random.Random, action: str, resource: str, context: dict) -> Doc:
    if rng.random() < 0.7:
        statements: list[Doc] = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    else:
        actions = [_action_pattern(rng, action) for _ in range(rng.choice([1, 2, 3]))]
        statements = [{"Effect": "Allow", "Action": _one_or_list(rng, actions), "Resource": "*"}]
    for _ in range(rng.choice([0, 1, 1, 2])):
        statements.append(_statement(rng, action, resource, context, effect="Deny"))
    return _document(statements, rng)


def _scps(rng: random.Random, action: str, resource: str, context: dict) -> list[Any]:
    """SCPs as evaluate takes them: one level (a flat list) or a list of levels (lists)."""
    if rng.random() < 0.6:
        return [_as_given(rng, "scp", _scp(rng, action, resource, context))]
    levels = []
    for n in range(rng.randint(2, 3)):
        size = rng.choice([1, 1, 2])
        level = [_scp(rng, action, resource, context) for _ in range(size)]
        levels.append([_as_given(rng, f"scp-{n + 1}-{i + 1}", doc) for i, doc in enumerate(level)])
    return levels


def _as_given(rng: random.Random, name: str, doc: Doc) -> Any:
    """A policy as evaluate accepts it: a dict, its JSON text, or a (name, document) pair."""
    roll = rng.random()
    if roll < 0.5:
        return doc
    if roll < 0.75:
        return json.dumps(doc)
    return (name, doc if rng.random() < 0.7 else json.dumps(doc))


# --------------------------------------------------------------------------------------------
# Requests.


def generate_requests(seed: int = SEED, count: int = REQUEST_COUNT) -> list[dict[str, Any]]:
    """Deterministic requests in the keyword-argument shape of ecslab.iam.evaluate."""
    rng = random.Random(seed)
    principals = _principals(rng)
    population = [p for p, _ in principals]
    weights = [w for _, w in principals]
    requests = []
    for _ in range(count):
        principal = rng.choices(population, weights)[0]
        action, kind = rng.choice(ACTIONS)
        if kind == "*":
            resource_account = principal.account
        else:
            # mostly the simulated account's resources, so the partner's requests are mostly
            # cross-account ones
            resource_account = HOME if rng.random() < 0.8 else OTHER
        resource = _resource(kind, resource_account, rng)
        same_account = resource_account == principal.account
        context = _context(rng, principal)

        identity_policies = []
        for i in range(rng.choices([0, 1, 2, 3], [8, 50, 30, 12])[0]):
            doc = _identity_policy(rng, action, resource, context)
            identity_policies.append(_as_given(rng, f"policy-{i + 1}", doc))

        boundary = None
        if rng.random() < 0.2:
            boundary = _boundary(rng, action, resource, context)

        resource_policy = None
        if kind == "key":
            # EXCLUDED: KMS requests without a key policy. ecslab denies a kms: action on a key
            # that has no key policy; so does the oracle (KMS never trusts IAM policies on their
            # own), but whether that is an implicit or explicit deny is ecslab's choice. Every
            # key therefore gets a key policy, which trusts the key's account in most cases.
            resource_policy = _key_policy(
                rng, principal, action, resource, resource_account, context
            )
        elif kind in RESOURCE_POLICY_KINDS and rng.random() < (0.3 if same_account else 0.75):
            resource_policy = _resource_policy(
                rng, principal, action, resource, resource_account, context
            )

        session_policy = None
        # EXCLUDED: session policies together with a resource policy. The oracle's README lists
        # session policies as "coming soon" and it keeps the session policy's limit even when a
        # resource policy names the session ARN, which AWS documents the other way round.
        if principal.is_session and resource_policy is None and rng.random() < 0.15:
            session_policy = _identity_policy(rng, action, resource, context)

        scps = None
        if rng.random() < 0.15:
            scps = _scps(rng, action, resource, context)

        if resource_policy is not None and rng.random() < 0.2:
            resource_policy = json.dumps(resource_policy)

        # The ARN of an S3 bucket or object, and "*", carry no account: always say whose it is.
        # Other ARNs do; pass resource_account for them only now and then.
        explicit = resource == "*" or resource.startswith("arn:aws:s3:::") or rng.random() < 0.3
        requests.append(
            {
                "principal": principal.arn,
                "action": action,
                "resource": resource,
                "identity_policies": identity_policies,
                "resource_policy": resource_policy,
                "permissions_boundary": boundary,
                "session_policy": session_policy,
                "scps": scps,
                "context": context,
                "resource_account": resource_account if explicit else None,
            }
        )
    # EXCLUDED by never generating them: service principals (Principal {"Service": ...}, whose
    # treatment the oracle models on its own terms), NotPrincipal, anonymous callers, resource
    # ARNs with wildcards (the oracle then runs one simulation per matching pattern), policy
    # variables (${aws:username}), resource control policies and VPC endpoint policies. Also
    # left out: policies without "Version" or with "2008-10-17" (ecslab rejects them as
    # malformed, the oracle evaluates them) and action/resource pairs that iam-data does not
    # list, such as s3:GetObject on a bucket ARN (the oracle refuses them, ecslab evaluates).
    return requests


def _oracle_input(index: int, request: dict[str, Any]) -> dict[str, Any]:
    return {"id": index, **request}


def _ours(evaluate, request: dict[str, Any]) -> str:
    try:
        return evaluate(**request).decision
    except Exception as error:
        return f"error: {type(error).__name__}: {error}"


# --------------------------------------------------------------------------------------------
# Shrinking a mismatch to a small request that still shows it, so the report is short.

POLICY_FIELDS = ("resource_policy", "permissions_boundary", "session_policy")
# Never dropped while shrinking: the oracle does not derive them from the principal, ecslab may.
KEPT_CONTEXT = {"aws:PrincipalArn", "aws:PrincipalAccount"}


def _plain(policy: Any) -> Doc:
    """A policy as a dict with a Statement list, whichever way it was given."""
    if isinstance(policy, tuple):
        policy = policy[1]
    doc = json.loads(policy) if isinstance(policy, str) else copy.deepcopy(policy)
    if isinstance(doc.get("Statement"), dict):
        doc["Statement"] = [doc["Statement"]]
    return doc


def _is_levels(scps: Any) -> bool:
    return isinstance(scps, list) and any(isinstance(item, list) for item in scps)


def _normalized(request: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(request)
    out["identity_policies"] = [_plain(p) for p in out["identity_policies"] or []]
    if _is_levels(out["scps"]):
        out["scps"] = [[_plain(p) for p in level] for level in out["scps"]]
    elif out["scps"] is not None:
        out["scps"] = [_plain(p) for p in out["scps"]]
    for field in POLICY_FIELDS:
        if out[field] is not None:
            out[field] = _plain(out[field])
    return out


Slot = tuple[str, Any]  # (field, None | index | (level, index))


def _slots(request: dict[str, Any]) -> list[Slot]:
    slots: list[Slot] = [("identity_policies", i) for i in range(len(request["identity_policies"]))]
    scps = request["scps"] or []
    if _is_levels(scps):
        slots += [("scps", (n, i)) for n, level in enumerate(scps) for i in range(len(level))]
    else:
        slots += [("scps", i) for i in range(len(scps))]
    slots += [(field, None) for field in POLICY_FIELDS if request[field] is not None]
    return slots


def _doc_at(request: dict[str, Any], slot: Slot) -> Doc:
    field, index = slot
    if index is None:
        return request[field]
    if isinstance(index, tuple):
        return request[field][index[0]][index[1]]
    return request[field][index]


def _without_slot(request: dict[str, Any], slot: Slot) -> dict[str, Any]:
    out = copy.deepcopy(request)
    field, index = slot
    if index is None:
        out[field] = None
    elif isinstance(index, tuple):
        level = out[field][index[0]]
        del level[index[1]]
        if not level:
            del out[field][index[0]]
    else:
        del out[field][index]
    if field == "scps" and not out[field]:
        out[field] = None
    return out


def _smaller_values(value: Any):
    """Yield (smaller value) for a string-or-list element: one fewer item, or a lone string."""
    if isinstance(value, list):
        if len(value) == 1:
            yield value[0]
        for i in range(len(value)):
            if len(value) > 1:
                yield value[:i] + value[i + 1 :]


def _smaller_statements(statement: Doc):
    if "Sid" in statement:
        yield {k: v for k, v in statement.items() if k != "Sid"}
    if "Condition" in statement:
        yield {k: v for k, v in statement.items() if k != "Condition"}
        condition = statement["Condition"]
        for op, keys in condition.items():
            if len(condition) > 1:
                yield {**statement, "Condition": {o: k for o, k in condition.items() if o != op}}
            for key, values in keys.items():
                if len(keys) > 1:
                    rest = {k: v for k, v in keys.items() if k != key}
                    yield {**statement, "Condition": {**condition, op: rest}}
                for smaller in _smaller_values(values):
                    yield {**statement, "Condition": {**condition, op: {**keys, key: smaller}}}
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        for smaller in _smaller_values(statement.get(element)):
            yield {**statement, element: smaller}
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        for smaller in _smaller_values(principal.get("AWS")):
            yield {**statement, "Principal": {"AWS": smaller}}


def _candidates(request: dict[str, Any]):
    """Requests one step smaller than `request`."""
    for slot in _slots(request):
        yield _without_slot(request, slot)
    for slot in _slots(request):
        statements = _doc_at(request, slot)["Statement"]
        for i, statement in enumerate(statements):
            replacements = [None] if len(statements) > 1 else []
            replacements += list(_smaller_statements(statement))
            for replacement in replacements:
                out = copy.deepcopy(request)
                target = _doc_at(out, slot)["Statement"]
                if replacement is None:
                    del target[i]
                else:
                    target[i] = replacement
                yield out
    for key in request["context"]:
        if key not in KEPT_CONTEXT:
            yield {**request, "context": {k: v for k, v in request["context"].items() if k != key}}


def shrink(
    node: str, evaluate, mismatches: list[tuple[dict[str, Any], str, str]], budget: float = 60.0
) -> list[dict[str, Any]]:
    """Greedily shrink each (request, ecslab decision, oracle decision) while both stay the same.

    Each round sends every candidate of every mismatch to one Node process.
    """
    current = [_normalized(request) for request, _, _ in mismatches]
    active = set(range(len(mismatches)))
    deadline = time.monotonic() + budget
    while active and time.monotonic() < deadline:
        batch = [(m, c) for m in sorted(active) for c in _candidates(current[m])]
        answers = run_oracle(node, [_oracle_input(i, c) for i, (_, c) in enumerate(batch)])
        shrunk = set()
        for (m, candidate), answer in zip(batch, answers, strict=True):
            if m in shrunk or answer.get("ignored_context_keys"):
                continue
            _, ours, theirs = mismatches[m]
            if answer.get("decision") == theirs and _ours(evaluate, candidate) == ours:
                current[m] = candidate
                shrunk.add(m)
        active &= shrunk
    return current


def _describe(index: int, request: dict[str, Any], ours: str, theirs: str) -> str:
    given = {k: v for k, v in request.items() if v is not None and v != []}
    return f"#{index}: ecslab={ours} oracle={theirs}\n  evaluate(**{given!r})"


# --------------------------------------------------------------------------------------------
# Tests.


def test_request_generator_is_deterministic_and_varied():
    """Runs without Node: the request set is the same on every machine and covers its ground."""
    first = generate_requests()
    assert first == generate_requests()
    assert len(first) >= 2000
    services = {r["action"].split(":")[0] for r in first}
    assert services == {
        "ecr",
        "logs",
        "secretsmanager",
        "ssm",
        "kms",
        "s3",
        "dynamodb",
        "sqs",
        "sns",
    }
    assert len({r["principal"] for r in first}) == 4
    for field in ("resource_policy", "permissions_boundary", "session_policy", "scps"):
        assert sum(r[field] is not None for r in first) >= 100, field
    assert (
        sum(
            r["principal"].split(":")[4] != (r["resource_account"] or r["resource"].split(":")[4])
            for r in first
        )
        >= 300
    )


KNOWN_ANSWERS = [
    # (what, request fields over the defaults, oracle decision)
    ("no policy at all", {}, "ImplicitlyDenied"),
    ("identity allow", {"identity_policies": ["allow-object"]}, "Allowed"),
    ("identity deny wins", {"identity_policies": ["allow-object", "deny-s3"]}, "ExplicitlyDenied"),
    (
        "boundary without the action",
        {"identity_policies": ["allow-object"], "permissions_boundary": "allow-ec2"},
        "ImplicitlyDenied",
    ),
    (
        "SCP without the action",
        {"identity_policies": ["allow-object"], "scps": ["allow-ec2"]},
        "ImplicitlyDenied",
    ),
    (
        "session policy without the action",
        {"identity_policies": ["allow-object"], "session_policy": "allow-ec2"},
        "ImplicitlyDenied",
    ),
    ("same-account bucket policy naming the role", {"resource_policy": "bucket-role"}, "Allowed"),
    (
        "same-account bucket policy naming the account only",
        {"resource_policy": "bucket-account"},
        "ImplicitlyDenied",
    ),
    (
        "cross-account: bucket policy alone",
        {"resource_account": OTHER, "resource_policy": "bucket-role"},
        "ImplicitlyDenied",
    ),
    (
        "cross-account: bucket policy and identity",
        {
            "resource_account": OTHER,
            "resource_policy": "bucket-account",
            "identity_policies": ["allow-object"],
        },
        "Allowed",
    ),
    ("condition on an absent key", {"identity_policies": ["allow-if-vpce"]}, "ImplicitlyDenied"),
    (
        "condition on a present key",
        {"identity_policies": ["allow-if-vpce"], "context": {"aws:SourceVpce": "vpce-1"}},
        "Allowed",
    ),
]


def _known_request(fields: dict[str, Any]) -> dict[str, Any]:
    def doc(*statements: Doc) -> Doc:
        return {"Version": "2012-10-17", "Statement": list(statements)}

    role = f"arn:aws:iam::{HOME}:role/ecs-task-role"
    docs = {
        "allow-object": doc(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
        ),
        "deny-s3": doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
        "allow-ec2": doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),
        "bucket-role": doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": role},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::bucket/*",
            }
        ),
        "bucket-account": doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": HOME},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::bucket/*",
            }
        ),
        "allow-if-vpce": doc(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
            }
        ),
    }
    request: dict[str, Any] = {
        "principal": f"arn:aws:sts::{HOME}:assumed-role/ecs-task-role/abc",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::bucket/key",
        "identity_policies": [],
        "resource_policy": None,
        "permissions_boundary": None,
        "session_policy": None,
        "scps": None,
        "context": {"aws:SourceAccount": HOME},
        "resource_account": HOME,
    }
    for key, value in fields.items():
        if key in ("identity_policies", "scps"):
            request[key] = [docs[name] for name in value]
        elif key in ("resource_policy", "permissions_boundary", "session_policy"):
            request[key] = docs[value]
        else:
            request[key] = value
    return request


@pytest.mark.oracle
def test_oracle_gives_known_answers():
    """Checks the Node side (the request mapping in simulate.mjs) on cases with known answers."""
    node = _oracle_or_skip()
    requests = [_oracle_input(i, _known_request(f)) for i, (_, f, _) in enumerate(KNOWN_ANSWERS)]
    answers = run_oracle(node, requests)
    wrong = [
        f"{what}: expected {expected}, oracle said {answer}"
        for (what, _, expected), answer in zip(KNOWN_ANSWERS, answers, strict=True)
        if answer.get("decision") != expected
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.oracle
def test_evaluate_agrees_with_iam_simulate():
    node = _oracle_or_skip()
    evaluate = _evaluate_or_skip()
    requests = generate_requests()
    answers = run_oracle(node, [_oracle_input(i, r) for i, r in enumerate(requests)])

    # The generator must only produce requests the oracle takes as they are.
    rejected = [
        f"#{i}: {a.get('error') or 'ignored context keys ' + str(a['ignored_context_keys'])}"
        for i, a in enumerate(answers)
        if "error" in a or a.get("ignored_context_keys")
    ]
    assert not rejected, (
        f"the oracle rejected {len(rejected)} generated requests (a generator bug):\n"
        + "\n".join(rejected[:SHOW_MISMATCHES])
    )

    mismatches = []
    for index, (request, answer) in enumerate(zip(requests, answers, strict=True)):
        ours = _ours(evaluate, request)
        if ours != answer["decision"]:
            mismatches.append((index, request, ours, answer))

    if mismatches:
        kinds = collections.Counter(f"{m[2][:40]} -> {m[3]['decision']}" for m in mismatches)
        summary = ", ".join(f"{k} x{n}" for k, n in kinds.most_common())
        first = mismatches[:SHOW_MISMATCHES]
        small = shrink(node, evaluate, [(r, ours, a["decision"]) for _, r, ours, a in first])
        shown = "\n".join(
            _describe(index, request, ours, answer["decision"])
            for (index, _, ours, answer), request in zip(first, small, strict=True)
        )
        pytest.fail(
            f"ecslab.iam.evaluate disagrees with {ORACLE_PACKAGE} {_pinned_version()} on "
            f"{len(mismatches)} of {len(requests)} requests (ecslab -> oracle: {summary}).\n"
            f"The first {len(first)}, each shrunk to a smaller request that still disagrees "
            f"(#N is generate_requests()[N] in {Path(__file__).name}):\n{shown}",
            pytrace=False,
        )
