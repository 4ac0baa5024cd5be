"""How fast does the IAM judge decide? Prints decisions per second on a fixed mix of ECS requests.

Target (issue 2): >= 40,000 decisions/s on the 2-core course machine with the policies parsed
once, as the simulated account holds them. Also printed, for honesty: the same mix with policies
handed over as dicts and as JSON text on every call, the cost of building the explanation, and —
when Node.js and the test oracle are installed (`npm ci --prefix tests/iam/oracle`) — what
@cloud-copilot/iam-simulate does on the same requests. Target (issue 11): with the policies as
dicts on every call (``evaluate(identity_policies=[(name, dict)])``, parsed policies cached on
the dict's JSON text), >= 10x iam-simulate in the same run.

    .venv/bin/python benchmarks/iam_judge.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ecslab.iam import evaluate, parse_policy
from ecslab.iam.managed import managed_policy

ROOT = Path(__file__).resolve().parents[1]
TARGET = 40_000
ROUNDS = 5
COMPARISON_ROUNDS = 5
DICT_TARGET = 10  # issue 11: policies given as dicts, against iam-simulate in the same run
ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
TASK_ID = "0f4e1c9a8b7d4e2f9a6b5c4d3e2f1a0b"
EXEC = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-execution-role/{TASK_ID}"
TASK = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/{TASK_ID}"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-AbCdEf"
API_KEY = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/api-key-GhIjKl"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/orders/{TASK_ID}"
REPO = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-events"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-notifications"
PARAM = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/feature-flags"

EXECUTION_INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "InjectedSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "ssm:GetParameters"],
            "Resource": [
                f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-password-??????",
                f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/*",
            ],
        },
        {
            "Sid": "DecryptParameters",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": KEY,
            "Condition": {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}},
        },
    ],
}
TASK_INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadConfig",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::orders-config/*",
        },
        {
            "Sid": "Orders",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": TABLE,
        },
        {"Sid": "Events", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE},
        {"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC},
        {
            "Sid": "ApiKey",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/api-key-*",
        },
    ],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:*"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }
    ],
}
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "EnableIAMUserPermissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::orders-config", "arn:aws:s3:::orders-config/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}
SOURCE = {
    "aws:SourceAccount": ACCOUNT,
    "aws:SourceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/orders-cluster/{TASK_ID}",
}


def requests(form: str) -> list[dict]:
    """The mix: one healthy task's launch and run phases, plus the classic denials."""

    def as_form(doc, name):
        if form == "parsed":
            return doc
        if form == "json":
            return json.dumps(doc.document if hasattr(doc, "document") else doc)
        document = doc.document if hasattr(doc, "document") else doc
        return (name, document) if name else document  # evaluate(identity_policies=[(name, dict)])

    managed = managed_policy("AmazonECSTaskExecutionRolePolicy").policy
    if form == "parsed":
        execution = [managed, parse_policy(EXECUTION_INLINE, name="orders-execution")]
        task = [parse_policy(TASK_INLINE, name="orders-app")]
        trust = parse_policy(TRUST, "trust", "trust")
        key_policy = parse_policy(KEY_POLICY, "resource", "key-policy")
        bucket_policy = parse_policy(BUCKET_POLICY, "resource", "bucket-policy")
    else:
        execution = [as_form(managed, "m"), as_form(EXECUTION_INLINE, "e")]
        task = [as_form(TASK_INLINE, "t")]
        trust, key_policy, bucket_policy = (
            as_form(d, "") for d in (TRUST, KEY_POLICY, BUCKET_POLICY)
        )
    secure = {"aws:SecureTransport": True}
    via_ssm = {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}
    launch = [
        (
            "ecs-tasks.amazonaws.com",
            "sts:AssumeRole",
            "arn:aws:iam::123456789012:role/ecs-execution-role",
            {},
            trust,
            SOURCE,
        ),
        (EXEC, "ecr:GetAuthorizationToken", "*", execution, None, {}),
        (EXEC, "ecr:BatchCheckLayerAvailability", REPO, execution, None, {}),
        (EXEC, "ecr:GetDownloadUrlForLayer", REPO, execution, None, {}),
        (EXEC, "ecr:BatchGetImage", REPO, execution, None, {}),
        (EXEC, "secretsmanager:GetSecretValue", SECRET, execution, None, {}),
        (EXEC, "ssm:GetParameters", PARAM, execution, None, {}),
        (EXEC, "kms:Decrypt", KEY, execution, key_policy, via_ssm),
        (EXEC, "logs:CreateLogStream", STREAM, execution, None, {}),
        (EXEC, "logs:PutLogEvents", STREAM, execution, None, {}),
    ]
    run = [
        (
            "ecs-tasks.amazonaws.com",
            "sts:AssumeRole",
            "arn:aws:iam::123456789012:role/ecs-task-role",
            {},
            trust,
            SOURCE,
        ),
        (TASK, "s3:GetObject", "arn:aws:s3:::orders-config/app.json", task, bucket_policy, secure),
        (TASK, "dynamodb:PutItem", TABLE, task, None, {}),
        (TASK, "dynamodb:GetItem", TABLE, task, None, {}),
        (TASK, "sqs:SendMessage", QUEUE, task, None, {}),
        (TASK, "sns:Publish", TOPIC, task, None, {}),
        (TASK, "secretsmanager:GetSecretValue", API_KEY, task, None, {}),
    ]
    denials = [
        (TASK, "ecr:GetAuthorizationToken", "*", task, None, {}),  # the wrong role
        (
            EXEC,
            "s3:GetObject",
            "arn:aws:s3:::orders-config/app.json",
            execution,
            bucket_policy,
            secure,
        ),
        (
            TASK,
            "s3:GetObject",
            "arn:aws:s3:::orders-config/app.json",
            task,
            bucket_policy,
            {"aws:SecureTransport": False},
        ),
    ]
    out = []
    for principal, action, resource, identity, resource_policy, context in launch + run + denials:
        out.append(
            {
                "principal": principal,
                "action": action,
                "resource": resource,
                "identity_policies": identity or [],
                "resource_policy": resource_policy,
                "context": context,
            }
        )
    return out


def rates(mixes: dict[str, tuple[list[dict], bool]], seconds: float = 2.0) -> dict[str, float]:
    """Decisions per second for each mix (``label: (requests, build the explanation)``). The
    rounds of the mixes are interleaved, so that a slower stretch of a shared machine falls on
    all of them alike; each figure is the median of its rounds."""
    for mix, _ in mixes.values():  # warm caches
        for request in mix:
            evaluate(**request)
    rounds: dict[str, list[float]] = {label: [] for label in mixes}
    for _ in range(ROUNDS):
        for label, (mix, explain) in mixes.items():
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds / ROUNDS:
                for request in mix:
                    decision = evaluate(**request)
                    if explain:
                        decision.explanation  # noqa: B018 - built on purpose
                count += len(mix)
            rounds[label].append(count / (time.perf_counter() - start))
    return {label: statistics.median(values) for label, values in rounds.items()}


def oracle(mix: list[dict]) -> Callable[[int], float] | None:
    """iam-simulate on the same requests, through the differential test's Node script: a
    function that runs ``count`` requests and answers decisions per second (Node's start-up,
    measured on one request, taken off)."""
    script = ROOT / "tests" / "iam" / "oracle" / "simulate.mjs"
    if not shutil.which("node") or not (script.parent / "node_modules").exists():
        return None
    lines = [json.dumps(r) for r in mix]

    def run(count: int) -> float:
        payload = "\n".join(lines[i % len(lines)] for i in range(count)) + "\n"
        start = time.perf_counter()
        subprocess.run(
            ["node", str(script)],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            cwd=script.parent,
        )
        return time.perf_counter() - start

    startup = min(run(1) for _ in range(3))
    return lambda count: count / max(run(count) - startup, 1e-9)


def main() -> int:
    parsed = requests("parsed")
    dicts = requests("dicts")
    outcomes = [evaluate(**r).decision for r in parsed]
    print(
        f"ecslab IAM judge — {len(parsed)} requests in the mix "
        f"({outcomes.count('Allowed')} allowed, {len(outcomes) - outcomes.count('Allowed')} "
        f"denied), Python {sys.version.split()[0]}"
    )
    figures = rates(
        {
            "policies parsed once (how the lab calls it)": (parsed, False),
            "policies as dicts on every call": (dicts, False),
            "policies as JSON text on every call (cached)": (requests("json"), False),
        }
    )
    # apart: the explanations' garbage would otherwise be collected in the others' rounds
    figures.update(
        rates({"parsed, plus the statement-by-statement explanation": (parsed, True)}, 1.0)
    )
    for label, value in figures.items():
        print(f"  {value:>10,.0f} decisions/s  {label}")
    headline = figures["policies parsed once (how the lab calls it)"]
    verdict = "meets" if headline >= TARGET else "MISSES"
    print(f"target >= {TARGET:,} decisions/s: {verdict} ({headline / TARGET:.2f}x)")
    simulate = oracle(
        [
            {
                **r,
                "identity_policies": [
                    p.document if hasattr(p, "document") else p for p in r["identity_policies"]
                ],
                "resource_policy": getattr(r["resource_policy"], "document", r["resource_policy"]),
            }
            for r in parsed
        ]
    )
    if simulate is None:
        print("  iam-simulate: not installed (npm ci --prefix tests/iam/oracle) — not compared")
        return 0
    # ecslab with dicts and iam-simulate side by side, round after round, so that a slower
    # stretch of a shared machine falls on both: the ratio is the median of the rounds' ratios.
    ours, theirs = [], []
    for _ in range(COMPARISON_ROUNDS):
        ours.append(rates({"dicts": (dicts, False)}, seconds=1.0)["dicts"])
        theirs.append(simulate(10_000))
    ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
    print(
        f"  {statistics.median(theirs):>10,.0f} decisions/s  @cloud-copilot/iam-simulate, same "
        f"requests (ecslab with dicts, side by side: {statistics.median(ours):,.0f})"
    )
    verdict = "meets" if ratio >= DICT_TARGET else "MISSES"
    print(
        f"target (issue 11): the public API with dicts >= {DICT_TARGET}x iam-simulate: {verdict} "
        f"({ratio:.1f}x, median of {COMPARISON_ROUNDS} side-by-side rounds)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
