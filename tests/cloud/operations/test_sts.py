"""The gate for AWS STS (Security Token Service): AssumeRole and GetCallerIdentity."""

from __future__ import annotations

import pytest

from tests.cloud.operations.gate import (
    ACCOUNT_TRUST,
    Case,
    Cases,
    Env,
    assert_refusal,
    last_events,
    nothing_params,
    own_role,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("sts")
case = CASES.add


# STS (service_errors.md §10): the role's ARN; the refusal has no "because" tail.


def assumable(env: Env) -> str:
    return own_role(env, "gate-assumable", ACCOUNT_TRUST)


case(
    "sts",
    "AssumeRole",
    lambda env: {"RoleArn": assumable(env), "RoleSessionName": "chained"},
    lambda env: [("sts:AssumeRole", assumable(env))],
)
case("sts", "GetCallerIdentity", nothing_params, star("sts:GetCallerIdentity"))


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


def test_get_caller_identity_cannot_be_denied():
    """§10: "If an administrator attaches a policy ... that explicitly denies access to the
    sts:GetCallerIdentity action, you can still perform this operation." """
    env = shared_env()
    session, caller = env.session(
        [{"Sid": "NoWay", "Effect": "Deny", "Action": "sts:GetCallerIdentity", "Resource": "*"}]
    )
    mark = len(env.lab.trace)
    assert session.client("sts").get_caller_identity()["Arn"] == caller
    assert last_events(env, mark, caller, "GetCallerIdentity") == [
        ("sts:GetCallerIdentity", "*", "Allowed")
    ]


def test_assume_role_refused_by_the_trust_policy_has_no_because_tail():
    """§10 and facts.md §1(a): STS names the role ARN and gives no reason."""
    env = shared_env()
    session, caller = env.allowing([("sts:AssumeRole", env.r.task_role_arn)])
    mark = len(env.lab.trace)
    info = refusal(
        session.client("sts").assume_role, RoleArn=env.r.task_role_arn, RoleSessionName="sneaky"
    )
    message = (
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
        f"{env.r.task_role_arn}"
    )
    assert_refusal(info, (403, "AccessDenied", message))
    assert last_events(env, mark, caller, "AssumeRole") == [
        ("sts:AssumeRole", env.r.task_role_arn, "ImplicitlyDenied")
    ]
