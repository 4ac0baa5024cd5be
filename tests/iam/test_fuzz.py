"""Fuzz: random and mutated documents, ARNs and actions never break the judge.

10,000 seeded cases: each gives a Decision or MalformedPolicyDocument, never another exception.
The same documents through ``validate_policy`` give findings and never raise.
"""

from __future__ import annotations

import copy
import json
import random
import string

from ecslab.iam import Decision, MalformedPolicyDocument, evaluate
from ecslab.iam.analyzer import Finding, validate_policy
from ecslab.iam.policy import STATEMENT_FIELDS, TOP_LEVEL
from tests.iam.helpers import (
    ACCOUNT,
    EXEC_SESSION,
    KEY,
    LOG_STREAM,
    OBJECT,
    SECRET,
    TASK_ROLE,
    TASK_SESSION,
)

CASES = 10_000
SEEDS = [
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/ecs/orders:*",
            },
            {
                "Effect": "Deny",
                "NotAction": "s3:*",
                "NotResource": ["arn:aws:s3:::orders-config/*"],
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:SourceAccount": ACCOUNT},
                    "ForAnyValue:StringLike": {"aws:TagKeys": ["team*", "env"]},
                    "Bool": {"aws:SecureTransport": False},
                    "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                    "NumericGreaterThan": {"s3:max-keys": 10},
                    "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
                    "Null": {"aws:PrincipalTag/team": "true"},
                },
            },
        ],
    },
    {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com", "AWS": [ACCOUNT, TASK_ROLE]},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:*:{ACCOUNT}:*"}},
        },
    },
    {
        "Version": "2008-10-17",
        "Id": "bucket",
        "Statement": [
            {
                "Sid": "Public read",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::orders-config/${aws:username}/*",
            },
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]},
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::orders-config", "arn:aws:s3:::orders-config/*"],
            },
        ],
    },
]
ACTIONS = [
    "s3:GetObject",
    "logs:CreateLogStream",
    "kms:Decrypt",
    "sts:AssumeRole",
    "secretsmanager:GetSecretValue",
    "*",
    "",
    ":",
    "s3:",
    "S3:GETOBJECT",
]
RESOURCES = [OBJECT, LOG_STREAM, KEY, SECRET, TASK_ROLE, "*", "", "arn:", "not an arn", "arn:aws"]
PRINCIPALS = [
    TASK_SESSION,
    EXEC_SESSION,
    "ecs-tasks.amazonaws.com",
    f"arn:aws:iam::{ACCOUNT}:root",
    f"arn:aws:iam::{ACCOUNT}:user/a",
    "anonymous",
    "*",
    "",
    "garbage",
    "arn:aws:sts::999:assumed-role",
]
ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    float("nan"),
    "",
    "*",
    "?",
    "${",
    "${aws:username",
    "${}",
    "${*}",
    "arn:aws:*",
    [],
    [None],
    [1, 2],
    {},
    {"a": 1},
    {"AWS": None},
    "Allow",
    "Deny",
    "ALLOW",
    "\u0000",
    "💥",
    "a" * 300,
    [[[]]],
]
KEYS = [*TOP_LEVEL, *STATEMENT_FIELDS, "Bogus", ""]


def _random_text(rnd: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + ":*?/${}-_.,' \"[]"
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))


def _mutate(node, rnd: random.Random, depth: int = 0):
    """Return a randomly damaged copy of a JSON-like tree."""
    roll = rnd.random()
    if roll < 0.03 or depth > 6:
        return rnd.choice([*ODD_VALUES, _random_text(rnd)])
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if rnd.random() < 0.03:
                continue  # drop a key
            new_key = rnd.choice(KEYS) if rnd.random() < 0.02 else key
            out[new_key] = _mutate(value, rnd, depth + 1) if rnd.random() < 0.3 else value
        if rnd.random() < 0.03:
            out[rnd.choice(KEYS)] = rnd.choice(ODD_VALUES)
        return out
    if isinstance(node, list):
        out = [(_mutate(v, rnd, depth + 1) if rnd.random() < 0.3 else v) for v in node]
        if rnd.random() < 0.05:
            out.append(rnd.choice(ODD_VALUES))
        if rnd.random() < 0.1 and out:
            out.pop(rnd.randrange(len(out)))
        return out
    if isinstance(node, str):
        if roll < 0.3:
            cut = rnd.randint(0, len(node))
            return node[:cut] + rnd.choice(["*", "?", ":", "${aws:userid}", "/", ""]) + node[cut:]
        if roll < 0.4:
            return node.swapcase()
    return node


# Which seed documents fit which argument (a mismatched one is tried a fifth of the time).
FITTING = {"identity": 0, "boundary": 0, "session": 0, "scps": 0, "trust": 1, "resource": 2}


def _document(rnd: random.Random, kind: str):
    fitting = SEEDS[FITTING[kind]]
    seed = copy.deepcopy(fitting if rnd.random() < 0.8 else rnd.choice(SEEDS))
    doc = _mutate(seed, rnd)
    form = rnd.random()
    if form < 0.08:
        text = json.dumps(doc, default=str)
        cut = rnd.randint(0, len(text))
        return text[:cut] + rnd.choice(["", "}", ",", '"', "\\"]) + text[cut + 1 :]
    if form < 0.3:
        return json.dumps(doc, default=str)
    return doc


def _cases():
    rnd = random.Random(20261128)
    for _ in range(CASES):
        kind = rnd.choice(["identity", "resource", "trust", "boundary", "session", "scps"])
        doc = _document(rnd, kind)
        kwargs = {
            "identity": {"identity_policies": [doc]},
            "resource": {"resource_policy": doc},
            "trust": {"resource_policy": doc},
            "boundary": {"identity_policies": [SEEDS[0]], "permissions_boundary": doc},
            "session": {"session_policy": doc},
            "scps": {"scps": [doc]},
        }[kind]
        context = {"aws:SourceAccount": rnd.choice([ACCOUNT, "", None, ["x"], 7])}
        trust_check = kind == "trust" and rnd.random() < 0.8
        yield (
            rnd.choice([*PRINCIPALS, _random_text(rnd)]),
            "sts:AssumeRole" if trust_check else rnd.choice([*ACTIONS, _random_text(rnd)]),
            TASK_ROLE if trust_check else rnd.choice([*RESOURCES, _random_text(rnd)]),
            kwargs,
            context,
            doc,
        )


def test_random_and_mutated_inputs_give_a_decision_or_malformed_policy_document():
    outcomes = {"decision": 0, "malformed": 0}
    for principal, action, resource, kwargs, context, _ in _cases():
        try:
            result = evaluate(principal, action, resource, context=context, **kwargs)
        except MalformedPolicyDocument:
            outcomes["malformed"] += 1
            continue
        assert isinstance(result, Decision)
        assert result.decision in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
        # the explanation is built lazily: it must not break either
        assert isinstance(result.explain(), str)
        outcomes["decision"] += 1
    assert sum(outcomes.values()) == CASES
    # the fuzzer must exercise both outcomes substantially, or it proves little
    assert outcomes["decision"] > CASES // 5 and outcomes["malformed"] > CASES // 5, outcomes


def test_validate_policy_never_raises_on_the_same_documents():
    for number, (*_, doc) in enumerate(_cases()):
        if number % 5:
            continue  # every fifth document: validation is slower than evaluation
        findings = validate_policy(doc)
        assert all(isinstance(f, Finding) for f in findings)


def _blurred(node, rnd: random.Random):
    """A copy that JSON would write alike or nearly so, but Python tells apart: lists as tuples,
    True as 1, 1 as 1.0, string keys as numbers."""
    if isinstance(node, dict):
        return {
            (int(k) if isinstance(k, str) and k.isdigit() and rnd.random() < 0.5 else k): _blurred(
                v, rnd
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        items = [_blurred(v, rnd) for v in node]
        return tuple(items) if rnd.random() < 0.3 else items
    if node is True and rnd.random() < 0.5:
        return 1
    if type(node) is int and rnd.random() < 0.5:
        return float(node)
    return node


def _outcome(principal, action, resource, kwargs, context):
    try:
        result = evaluate(principal, action, resource, context=context, **kwargs)
    except MalformedPolicyDocument as error:
        return ("malformed", str(error))
    deciding = tuple((s.policy_name, s.sid) for s in result.deciding_statements)
    return (result.decision, result.message, deciding)


def test_dicts_parsed_from_the_cache_decide_as_dicts_parsed_afresh():
    """Policies given as dicts are cached on what they say: every fuzzed dict, and after it a
    blurred copy (tuples, 1 for True, 1.0 for 1, number keys), decides exactly as it does with
    nothing cached."""
    import ecslab.iam.policy as policy_module

    rnd = random.Random(20261207)
    cases = []
    for principal, action, resource, kwargs, context, doc in list(_cases())[:3000]:
        if not isinstance(doc, dict):
            continue
        blurred = {key: _blurred(value, rnd) for key, value in kwargs.items()}
        cases.append(((principal, action, resource, kwargs, context), blurred))
    cached = [(_outcome(*case), _outcome(*case[:3], blurred, case[4])) for case, blurred in cases]

    def afresh(*request):
        policy_module._DICT_POLICIES.clear()
        return _outcome(*request)

    fresh = [(afresh(*case), afresh(*case[:3], blurred, case[4])) for case, blurred in cases]
    assert len(cases) > 1500
    assert cached == fresh
    # the blurring must change outcomes somewhere, or it proves nothing about the cache's key
    assert any(first != second for first, second in fresh)
