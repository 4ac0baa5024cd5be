"""How the judge combines policy types, and what it says: AWS's documented evaluation logic.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

import json

import pytest

from ecslab.iam import Decision, MalformedPolicyDocument, evaluate, parse_policy
from tests.iam.helpers import (
    ACCOUNT,
    BUCKET,
    EXEC_SESSION,
    KEY,
    LOG_GROUP,
    LOG_STREAM,
    OBJECT,
    OTHER,
    OTHER_SESSION,
    REPOSITORY,
    ROOT,
    SECRET,
    TABLE,
    TASK_ROLE,
    TASK_SESSION,
    USER,
    allow,
    deny,
    policy,
    statement,
    trust,
)

# -- identity-based policies ---------------------------------------------------------------------


def test_no_policy_is_an_implicit_deny_with_the_aws_message():
    d = evaluate(TASK_SESSION, "dynamodb:GetItem", TABLE)
    assert d.decision == "ImplicitlyDenied"
    assert not d.allowed
    assert d.message == (
        f"User: {TASK_SESSION} is not authorized to perform: dynamodb:GetItem on resource: "
        f"{TABLE} because no identity-based policy allows the dynamodb:GetItem action"
    )
    assert d.denied_by == "identity"
    assert d.deciding_statements == ()


def test_an_allow_grants_and_names_the_deciding_statement():
    d = evaluate(
        TASK_SESSION,
        "dynamodb:GetItem",
        TABLE,
        identity_policies=[("orders-table", allow(["dynamodb:GetItem"], TABLE, sid="ReadOrders"))],
    )
    assert d.decision == "Allowed" and d.allowed and d.message == ""
    [ref] = d.deciding_statements
    assert (ref.policy_type, ref.policy_name, ref.index, ref.sid) == (
        "identity",
        "orders-table",
        0,
        "ReadOrders",
    )


def test_explicit_deny_in_an_identity_policy_wins_over_allows():
    d = evaluate(
        TASK_SESSION,
        "dynamodb:DeleteItem",
        TABLE,
        identity_policies=[
            allow("dynamodb:*"),
            ("guard", deny("dynamodb:Delete*", sid="NoDelete")),
        ],
    )
    assert d.decision == "ExplicitlyDenied"
    assert d.message.endswith("with an explicit deny in an identity-based policy")
    assert [r.sid for r in d.deciding_statements] == ["NoDelete"]


def test_policies_accept_json_text_and_parsed_policies():
    text = json.dumps(allow("s3:GetObject", OBJECT))
    assert evaluate(TASK_SESSION, "s3:GetObject", OBJECT, identity_policies=[text]).allowed
    parsed = parse_policy(text, name="config-read")
    d = evaluate(TASK_SESSION, "s3:GetObject", OBJECT, identity_policies=[parsed])
    assert d.allowed and d.deciding_statements[0].policy_name == "config-read"
    # a single document (not in a list) is accepted too
    assert evaluate(TASK_SESSION, "s3:GetObject", OBJECT, identity_policies=text).allowed


def test_a_malformed_policy_is_reported_not_evaluated():
    with pytest.raises(MalformedPolicyDocument) as caught:
        evaluate(
            TASK_SESSION,
            "s3:GetObject",
            OBJECT,
            identity_policies=[("typo", policy(statement("allow", "s3:GetObject", OBJECT)))],
        )
    assert caught.value.policy_name == "typo"
    assert caught.value.field == "Effect"


@pytest.mark.parametrize("bad", [None, 42, ["s3:GetObject"]])
def test_non_string_request_parts_are_clear_type_errors(bad):
    with pytest.raises(TypeError, match="must be a string"):
        evaluate(TASK_SESSION, bad, OBJECT)


# -- log group vs log stream: the course's lesson ------------------------------------------------


def test_log_group_arn_without_star_does_not_cover_its_streams():
    d = evaluate(
        EXEC_SESSION,
        "logs:CreateLogStream",
        LOG_STREAM,
        identity_policies=[allow(["logs:CreateLogStream", "logs:PutLogEvents"], LOG_GROUP)],
    )
    assert d.decision == "ImplicitlyDenied"
    assert "no pattern" in str(d.explanation[0])


def test_log_group_arn_with_star_covers_its_streams():
    d = evaluate(
        EXEC_SESSION,
        "logs:CreateLogStream",
        LOG_STREAM,
        identity_policies=[allow(["logs:CreateLogStream"], LOG_GROUP + ":*")],
    )
    assert d.allowed


# -- resource-based policies in one account ----------------------------------------------------


def bucket_policy(principal, action="s3:GetObject", effect="Allow", resource=OBJECT):
    return policy(statement(effect, action, resource, principal=principal))


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ({"AWS": TASK_SESSION}, "Allowed"),  # the session ARN: granted directly
        ({"AWS": TASK_ROLE}, "Allowed"),  # the role ARN: granted (boundaries may still limit)
        ({"AWS": ACCOUNT}, "ImplicitlyDenied"),  # the account: only delegates
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "ImplicitlyDenied"),
        ("*", "Allowed"),
        ({"AWS": "*"}, "Allowed"),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/other-role"}, "ImplicitlyDenied"),
    ],
)
def test_same_account_resource_policy_without_identity_policy(principal, expected):
    d = evaluate(TASK_SESSION, "s3:GetObject", OBJECT, resource_policy=bucket_policy(principal))
    assert d.decision == expected


def test_account_principal_delegates_to_identity_policies():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:GetObject", "arn:aws:s3:::orders-config/*")],
        resource_policy=bucket_policy({"AWS": ACCOUNT}),
    )
    assert d.allowed


def test_identity_allow_is_enough_in_the_same_account_without_resource_policy_allow():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:GetObject", OBJECT)],
        resource_policy=bucket_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/someone-else"}),
    )
    assert d.allowed


def test_explicit_deny_in_resource_policy_names_resource_based_policy_and_quotes_s3_arns():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:*")],
        resource_policy=bucket_policy("*", effect="Deny"),
    )
    assert d.decision == "ExplicitlyDenied"
    assert d.message == (
        f'User: {TASK_SESSION} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "with an explicit deny in a resource-based policy"
    )


def test_resource_policy_deny_for_the_account_applies_to_its_principals():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:*")],
        resource_policy=bucket_policy({"AWS": ACCOUNT}, effect="Deny"),
    )
    assert d.decision == "ExplicitlyDenied"


def test_user_arn_in_resource_policy_is_not_limited_by_its_boundary():
    d = evaluate(
        USER,
        "s3:GetObject",
        OBJECT,
        resource_policy=bucket_policy({"AWS": USER}),
        permissions_boundary=allow("dynamodb:*"),
    )
    assert d.allowed


def test_role_arn_in_resource_policy_is_limited_by_a_boundary():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        resource_policy=bucket_policy({"AWS": TASK_ROLE}),
        permissions_boundary=allow("dynamodb:*"),
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith("because no permissions boundary allows the s3:GetObject action")


def test_session_arn_in_resource_policy_is_not_limited_by_boundary_or_session_policy():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        resource_policy=bucket_policy({"AWS": TASK_SESSION}),
        permissions_boundary=allow("dynamodb:*"),
        session_policy=allow("dynamodb:*"),
    )
    assert d.allowed


def test_role_arn_in_resource_policy_is_limited_by_a_session_policy():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        resource_policy=bucket_policy({"AWS": TASK_ROLE}),
        session_policy=allow("dynamodb:*"),
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith("because no session policy allows the s3:GetObject action")


# -- cross-account -------------------------------------------------------------------------------


def test_cross_account_needs_the_resource_policy():
    d = evaluate(
        OTHER_SESSION,
        "secretsmanager:GetSecretValue",
        SECRET,
        identity_policies=[allow("secretsmanager:GetSecretValue", SECRET)],
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith(
        "because no resource-based policy allows the secretsmanager:GetSecretValue action"
    )


def test_cross_account_needs_the_identity_side_too():
    secret_policy = policy(
        statement("Allow", "secretsmanager:GetSecretValue", "*", principal={"AWS": OTHER})
    )
    d = evaluate(
        OTHER_SESSION, "secretsmanager:GetSecretValue", SECRET, resource_policy=secret_policy
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.denied_by == "identity"
    both = evaluate(
        OTHER_SESSION,
        "secretsmanager:GetSecretValue",
        SECRET,
        identity_policies=[allow("secretsmanager:GetSecretValue", SECRET)],
        resource_policy=secret_policy,
    )
    assert both.allowed


def test_resource_account_argument_makes_s3_cross_account():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:GetObject", OBJECT)],
        resource_account=OTHER,
    )
    assert d.decision == "ImplicitlyDenied" and d.denied_by == "resource"


# -- KMS key policies are required ---------------------------------------------------------------

KEY_POLICY_ENABLING_IAM = policy(
    statement(
        "Allow",
        "kms:*",
        "*",
        principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        sid="EnableIAMUserPermissions",
    )
)


def test_kms_identity_policy_alone_does_not_grant():
    d = evaluate(EXEC_SESSION, "kms:Decrypt", KEY, identity_policies=[allow("kms:Decrypt")])
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith("because no resource-based policy allows the kms:Decrypt action")


def test_kms_key_policy_enabling_iam_lets_identity_policies_grant():
    granted = evaluate(
        EXEC_SESSION,
        "kms:Decrypt",
        KEY,
        identity_policies=[allow("kms:Decrypt", KEY)],
        resource_policy=KEY_POLICY_ENABLING_IAM,
    )
    assert granted.allowed
    refused = evaluate(EXEC_SESSION, "kms:Decrypt", KEY, resource_policy=KEY_POLICY_ENABLING_IAM)
    assert refused.decision == "ImplicitlyDenied"
    assert refused.message.endswith(
        "because no identity-based policy allows the kms:Decrypt action"
    )


def test_kms_key_policy_naming_the_role_grants_without_identity_policy():
    key_policy = policy(
        statement(
            "Allow",
            "kms:Decrypt",
            "*",
            principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"},
        )
    )
    assert evaluate(EXEC_SESSION, "kms:Decrypt", KEY, resource_policy=key_policy).allowed


def test_kms_actions_not_on_a_key_follow_the_usual_rules():
    d = evaluate(EXEC_SESSION, "kms:ListKeys", "*", identity_policies=[allow("kms:ListKeys")])
    assert d.allowed


def test_identity_deny_applies_to_kms_even_when_the_key_policy_allows():
    d = evaluate(
        EXEC_SESSION,
        "kms:Decrypt",
        KEY,
        identity_policies=[deny("kms:*")],
        resource_policy=KEY_POLICY_ENABLING_IAM,
    )
    assert d.decision == "ExplicitlyDenied"


# -- trust policies ------------------------------------------------------------------------------


def test_ecs_tasks_service_may_assume_a_role_that_trusts_it():
    d = evaluate("ecs-tasks.amazonaws.com", "sts:AssumeRole", TASK_ROLE, resource_policy=trust())
    assert d.allowed
    assert d.deciding_statements[0].policy_type == "trust"


def test_wrong_service_in_trust_policy_refuses_the_assumption_with_stss_wording():
    d = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        TASK_ROLE,
        resource_policy=trust("ec2.amazonaws.com"),
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message == (
        "User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on "
        f"resource: {TASK_ROLE}"
    )


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (
            {
                "aws:SourceAccount": ACCOUNT,
                "aws:SourceArn": f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:task/orders/abc",
            },
            "Allowed",
        ),
        (
            {
                "aws:SourceAccount": OTHER,
                "aws:SourceArn": f"arn:aws:ecs:ap-northeast-1:{OTHER}:task/x/abc",
            },
            "ImplicitlyDenied",
        ),
        ({}, "ImplicitlyDenied"),
    ],
)
def test_confused_deputy_conditions_in_a_trust_policy(context, expected):
    # The ECS task-role page recommends aws:SourceAccount / aws:SourceArn conditions:
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    guarded = trust(
        condition={
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:*"},
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
        }
    )
    d = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        TASK_ROLE,
        resource_policy=guarded,
        context=context,
    )
    assert d.decision == expected


def test_identity_policy_cannot_replace_a_trust_policy():
    d = evaluate(
        USER,
        "sts:AssumeRole",
        TASK_ROLE,
        identity_policies=[allow("sts:AssumeRole", TASK_ROLE)],
        resource_policy=trust(),
    )
    assert d.decision == "ImplicitlyDenied"


def test_trust_policy_naming_the_account_needs_an_identity_allow():
    account_trust = policy(statement("Allow", "sts:AssumeRole", None, principal={"AWS": ROOT}))
    without = evaluate(USER, "sts:AssumeRole", TASK_ROLE, resource_policy=account_trust)
    assert without.decision == "ImplicitlyDenied"
    with_identity = evaluate(
        USER,
        "sts:AssumeRole",
        TASK_ROLE,
        identity_policies=[allow("sts:AssumeRole", TASK_ROLE)],
        resource_policy=account_trust,
    )
    assert with_identity.allowed


def test_trust_policy_naming_a_user_still_needs_its_boundary():
    user_trust = policy(statement("Allow", "sts:AssumeRole", None, principal={"AWS": USER}))
    assert evaluate(USER, "sts:AssumeRole", TASK_ROLE, resource_policy=user_trust).allowed
    limited = evaluate(
        USER,
        "sts:AssumeRole",
        TASK_ROLE,
        resource_policy=user_trust,
        permissions_boundary=allow("s3:*"),
    )
    assert limited.decision == "ImplicitlyDenied"


def test_trust_policies_are_validated_as_trust_policies():
    with pytest.raises(MalformedPolicyDocument, match="Has prohibited field Resource"):
        evaluate(
            "ecs-tasks.amazonaws.com",
            "sts:AssumeRole",
            TASK_ROLE,
            resource_policy=trust()
            | {
                "Statement": [
                    statement(
                        "Allow",
                        "sts:AssumeRole",
                        "*",
                        principal={"Service": "ecs-tasks.amazonaws.com"},
                    )
                ]
            },
        )


# -- boundaries, session policies, SCPs, RCPs ----------------------------------------------------


def test_boundary_intersects_with_identity_policies():
    d = evaluate(
        TASK_SESSION,
        "dynamodb:PutItem",
        TABLE,
        identity_policies=[allow("dynamodb:*")],
        permissions_boundary=allow("dynamodb:Get*"),
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith("because no permissions boundary allows the dynamodb:PutItem action")
    assert evaluate(
        TASK_SESSION,
        "dynamodb:GetItem",
        TABLE,
        identity_policies=[allow("dynamodb:*")],
        permissions_boundary=allow("dynamodb:Get*"),
    ).allowed


def test_boundary_alone_grants_nothing():
    d = evaluate(TASK_SESSION, "dynamodb:GetItem", TABLE, permissions_boundary=allow("*"))
    assert d.decision == "ImplicitlyDenied" and d.denied_by == "identity"


def test_explicit_deny_in_boundary_and_session_policy():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("*")],
        permissions_boundary=policy(statement("Allow"), statement("Deny", "s3:*")),
    )
    assert d.message.endswith("with an explicit deny in a permissions boundary")
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("*")],
        session_policy=policy(statement("Allow"), statement("Deny", "s3:*")),
    )
    assert d.message.endswith("with an explicit deny in a session policy")


def test_scp_must_allow_and_reads_as_explicit_even_when_implicit():
    # "even if the denial is implicit":
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    d = evaluate(
        TASK_SESSION,
        "dynamodb:GetItem",
        TABLE,
        identity_policies=[allow("*")],
        scps=[allow("s3:*")],
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message.endswith("with an explicit deny in a service control policy")
    assert evaluate(
        TASK_SESSION, "dynamodb:GetItem", TABLE, identity_policies=[allow("*")], scps=[allow("*")]
    ).allowed


def test_every_scp_level_must_allow():
    levels = [[allow("*")], [allow("s3:*")]]
    d = evaluate(
        TASK_SESSION, "dynamodb:GetItem", TABLE, identity_policies=[allow("*")], scps=levels
    )
    assert d.decision == "ImplicitlyDenied"
    assert "level 2" in str(d.steps[-1])


def test_scps_do_not_apply_to_service_principals_but_rcps_do():
    d = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        TASK_ROLE,
        resource_policy=trust(),
        scps=[allow("s3:*")],
    )
    assert d.allowed
    d = evaluate(
        "ecs-tasks.amazonaws.com",
        "sts:AssumeRole",
        TASK_ROLE,
        resource_policy=trust(),
        rcps=[deny("sts:*", principal="*")],
    )
    assert d.decision == "ExplicitlyDenied"
    assert d.message.endswith("with an explicit deny in a resource control policy")


def test_scp_explicit_deny():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("*")],
        scps=[allow("*"), deny("s3:*")],
    )
    assert d.decision == "ExplicitlyDenied"
    assert d.message.endswith("with an explicit deny in a service control policy")


# -- principals ---------------------------------------------------------------------------------


def test_root_user_has_full_access_in_its_account_but_not_past_denies():
    assert evaluate(ROOT, "dynamodb:DeleteTable", TABLE).allowed
    assert evaluate(
        ROOT, "s3:GetObject", OBJECT, resource_policy=bucket_policy("*", effect="Deny")
    ).decision == ("ExplicitlyDenied")


def test_services_and_anonymous_callers_need_a_resource_policy():
    assert evaluate("anonymous", "s3:GetObject", OBJECT).decision == "ImplicitlyDenied"
    assert evaluate("anonymous", "s3:GetObject", OBJECT, resource_policy=bucket_policy("*")).allowed
    assert evaluate("logs.amazonaws.com", "kms:Decrypt", KEY).decision == "ImplicitlyDenied"


def test_not_principal_deny_spares_only_fully_listed_identities():
    # With Deny, NotPrincipal must list the session, the role and the account:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    def guard(listed):
        return policy(
            statement("Allow", "s3:GetObject", OBJECT, principal={"AWS": ACCOUNT}),
            statement("Deny", "s3:GetObject", OBJECT, not_principal={"AWS": listed}),
        )

    only_role = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:*")],
        resource_policy=guard([TASK_ROLE]),
    )
    assert only_role.decision == "ExplicitlyDenied"
    all_three = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:*")],
        resource_policy=guard([TASK_ROLE, TASK_SESSION, ROOT]),
    )
    assert all_three.allowed


# -- the answer, for people ---------------------------------------------------------------------


def test_steps_follow_aws_order_and_stop_at_the_decision():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow("s3:GetObject")],
        permissions_boundary=allow("dynamodb:*"),
    )
    names = [s.name for s in d.steps]
    assert names == [
        "Explicit deny",
        "Resource control policies",
        "Service control policies",
        "Resource-based policy",
        "Identity-based policies",
        "Permissions boundary",
    ]
    assert d.steps[-1].verdict == "no allow"


def test_explanation_covers_every_statement_with_reasons():
    d = evaluate(
        TASK_SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[
            ("logs", allow("logs:*")),
            (
                "config",
                policy(
                    statement("Allow", "s3:GetObject", BUCKET, sid="WrongArn"),
                    statement(
                        "Allow",
                        "s3:GetObject",
                        OBJECT,
                        sid="Right",
                        condition={"Bool": {"aws:SecureTransport": "true"}},
                    ),
                ),
            ),
        ],
        context={"aws:SecureTransport": True},
    )
    assert d.allowed
    by_label = {r.label: r for r in d.explanation}
    assert not by_label["logs Statement[0] (Allow)"].applies
    assert "does not apply" in by_label['config Statement[0] Sid "WrongArn" (Allow)'].why
    right = by_label['config Statement[1] Sid "Right" (Allow)']
    assert right.applies and right.conditions[0].holds
    text = d.explain()
    assert "Identity-based policies: continue" in text and "WrongArn" in text


def test_decision_displays_in_text_and_html():
    d = evaluate(TASK_SESSION, "s3:GetObject", OBJECT)
    assert str(d) == d.message
    html = d._repr_html_()
    assert "ImplicitlyDenied" in html and "&lt;" not in d.action
    ok = evaluate(TASK_SESSION, "s3:GetObject", OBJECT, identity_policies=[allow("s3:*")])
    assert str(ok).startswith("Allowed")
    assert isinstance(ok, Decision)


def test_ecr_get_authorization_token_is_authorized_against_star():
    # A repository ARN never matches the "*" the action is authorized against.
    d = evaluate(
        EXEC_SESSION,
        "ecr:GetAuthorizationToken",
        "*",
        identity_policies=[allow("ecr:GetAuthorizationToken", REPOSITORY)],
    )
    assert d.decision == "ImplicitlyDenied"
    assert d.message == (
        f"User: {EXEC_SESSION} is not authorized to perform: ecr:GetAuthorizationToken on "
        "resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"
    )
