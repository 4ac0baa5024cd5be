"""Laws every IAM decision obeys, checked with hypothesis over generated policies and requests.

- an explicit deny always wins;
- the order of statements and of policies never changes the decision;
- adding an Allow never turns an allow into a deny;
- ``Action: X`` and ``NotAction: X`` partition the actions (and likewise resources);
- a wildcard pattern matches what AWS's glob matches.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslab.iam import evaluate
from ecslab.iam.wildcards import action_matches, resource_matches
from tests.iam.helpers import ACCOUNT, EXEC_SESSION, OTHER_SESSION, TASK_SESSION, USER

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "secretsmanager:GetSecretValue",
    "sqs:SendMessage",
    "sns:Publish",
]
RESOURCES = [
    "arn:aws:s3:::orders-config",
    "arn:aws:s3:::orders-config/app.json",
    f"arn:aws:dynamodb:ap-northeast-1:{ACCOUNT}:table/orders",
    f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders",
    f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders:log-stream:ecs/orders/1",
    f"arn:aws:ecr:ap-northeast-1:{ACCOUNT}:repository/orders",
    f"arn:aws:secretsmanager:ap-northeast-1:{ACCOUNT}:secret:orders/db-AbCdEf",
    f"arn:aws:sqs:ap-northeast-1:{ACCOUNT}:orders",
    "*",
]
PRINCIPALS = [TASK_SESSION, EXEC_SESSION, USER, OTHER_SESSION]
CONTEXT_KEYS = ["aws:SourceAccount", "aws:SecureTransport", "aws:PrincipalTag/team", "s3:prefix"]


def _mangle(text: str, rnd: random.Random, keep: int) -> str:
    """Turn a concrete string into a pattern that still matches it (or another one).

    The first ``keep`` characters (the ``arn:aws:service:`` or ``service:`` prefix, which IAM
    requires to be literal) are left alone.
    """
    head, chars = text[:keep], list(text[keep:])
    for _ in range(rnd.randint(0, 3)):
        if not chars:
            break
        i = rnd.randrange(len(chars))
        choice = rnd.random()
        if choice < 0.4:
            chars[i] = "?"
        elif choice < 0.8:
            j = rnd.randint(i, len(chars))
            chars[i:j] = ["*"]
        else:
            chars[i] = chars[i].swapcase()
    return head + "".join(chars)


def _literal_prefix(text: str) -> int:
    """Length of the part a pattern keeps literal: ``service:`` or ``arn:aws:service:region:acct:``.

    IAM rejects wildcards in an ARN's service, and any region in S3 and IAM ARNs.
    """
    if text.startswith("arn:"):
        return len(":".join(text.split(":")[:5])) + 1
    return text.find(":") + 1


@st.composite
def action_patterns(draw):
    base = draw(st.sampled_from([*ACTIONS, "*", "s3:*", "logs:Create*", "dynamodb:Get?tem"]))
    seed = draw(st.integers(0, 10_000))
    if base == "*" or not draw(st.booleans()):
        return base
    return _mangle(base, random.Random(seed), _literal_prefix(base))


@st.composite
def resource_patterns(draw):
    base = draw(
        st.sampled_from(
            [
                *RESOURCES,
                "arn:aws:s3:::orders-config/*",
                f"arn:aws:logs:*:{ACCOUNT}:log-group:/ecs/orders:*",
            ]
        )
    )
    seed = draw(st.integers(0, 10_000))
    if base == "*" or not draw(st.booleans()):
        return base
    return _mangle(base, random.Random(seed), _literal_prefix(base))


@st.composite
def conditions(draw):
    operator = draw(
        st.sampled_from(
            [
                "StringEquals",
                "StringNotEquals",
                "StringLike",
                "StringEqualsIfExists",
                "Bool",
                "ForAnyValue:StringEquals",
                "ForAllValues:StringLike",
                "Null",
            ]
        )
    )
    key = draw(st.sampled_from(CONTEXT_KEYS))
    values = draw(
        st.lists(
            st.sampled_from([ACCOUNT, "true", "false", "orders", "ord*"]), min_size=1, max_size=2
        )
    )
    return {operator: {key: values}}


@st.composite
def statements(draw, effect=None):
    out = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    actions = draw(st.lists(action_patterns(), min_size=1, max_size=3))
    out["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions
    resources = draw(st.lists(resource_patterns(), min_size=1, max_size=2))
    out["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = resources
    if draw(st.integers(0, 3)) == 0:
        out["Condition"] = draw(conditions())
    return out


def as_policy(stmts):
    return {"Version": "2012-10-17", "Statement": stmts}


policy_sets = st.lists(st.lists(statements(), min_size=1, max_size=4), min_size=0, max_size=3)
contexts = st.dictionaries(
    st.sampled_from(CONTEXT_KEYS),
    st.one_of(
        st.sampled_from([ACCOUNT, "true", "orders", "x"]),
        st.lists(st.sampled_from(["orders", "x"]), max_size=2),
    ),
    max_size=3,
)
requests = st.tuples(
    st.sampled_from(PRINCIPALS), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), contexts
)
# Without a resource-based policy, only callers in the resource's account can be allowed.
same_account_requests = st.tuples(
    st.sampled_from(PRINCIPALS[:3]), st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), contexts
)


def decide(request, policies, **extra):
    principal, action, resource, context = request
    return evaluate(
        principal,
        action,
        resource,
        identity_policies=[as_policy(p) for p in policies],
        context=context,
        **extra,
    )


@SETTINGS
@given(request=requests, policies=policy_sets)
def test_explicit_deny_always_wins(request, policies):
    _, action, _, _ = request
    guard = [{"Effect": "Deny", "Action": action.swapcase(), "Resource": "*"}]
    assert decide(request, [*policies, guard]).decision == "ExplicitlyDenied"


@SETTINGS
@given(request=requests, policies=policy_sets, seed=st.integers(0, 2**16))
def test_order_of_statements_and_policies_never_matters(request, policies, seed):
    before = decide(request, policies)
    rnd = random.Random(seed)
    shuffled = [rnd.sample(p, len(p)) for p in policies]
    rnd.shuffle(shuffled)
    after = decide(request, shuffled)
    assert (after.decision, after.message) == (before.decision, before.message)


@SETTINGS
@given(request=requests, policies=policy_sets, extra=statements(effect="Allow"))
def test_adding_an_allow_never_turns_an_allow_into_a_deny(request, policies, extra):
    if decide(request, policies).allowed:
        assert decide(request, [*policies, [extra]]).allowed


@SETTINGS
@given(request=same_account_requests, pattern=action_patterns())
def test_action_and_not_action_partition_the_actions(request, pattern):
    with_action = decide(request, [[{"Effect": "Allow", "Action": pattern, "Resource": "*"}]])
    with_not = decide(request, [[{"Effect": "Allow", "NotAction": pattern, "Resource": "*"}]])
    assert with_action.allowed != with_not.allowed


@SETTINGS
@given(request=same_account_requests, pattern=resource_patterns())
def test_resource_and_not_resource_partition_the_resources(request, pattern):
    with_resource = decide(request, [[{"Effect": "Allow", "Action": "*", "Resource": pattern}]])
    with_not = decide(request, [[{"Effect": "Allow", "Action": "*", "NotResource": pattern}]])
    assert with_resource.allowed != with_not.allowed


def _reference_glob(pattern: str, text: str, *, case: bool) -> bool:
    """An independent matcher: translate to a regex with re.escape, ``*``→``.*``, ``?``→``.``."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = 0 if case else re.IGNORECASE
    return re.fullmatch(regex, text, flags | re.DOTALL) is not None


@SETTINGS
@given(action=st.sampled_from(ACTIONS), pattern=action_patterns())
def test_action_wildcards_match_what_a_glob_matches(action, pattern):
    assert action_matches(pattern, action) == _reference_glob(pattern, action, case=False)


@SETTINGS
@given(resource=st.sampled_from(RESOURCES[:-1]), pattern=resource_patterns())
def test_resource_wildcards_within_one_segment_match_what_a_glob_matches(resource, pattern):
    # Where no wildcard has to cross a colon, the ARN rule and a plain glob agree.
    if any(c in "*?" for c in pattern.replace("*:", "").rstrip("*")):
        return
    assert resource_matches(pattern, resource) == _reference_glob(pattern, resource, case=True)


@SETTINGS
@given(resource=st.sampled_from(RESOURCES[:-1]), pattern=resource_patterns())
def test_resource_matching_is_never_wider_than_a_glob(resource, pattern):
    if resource_matches(pattern, resource):
        assert _reference_glob(pattern, resource, case=True)
