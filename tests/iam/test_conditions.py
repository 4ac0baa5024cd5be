"""The Condition element, judged through ``evaluate``: operators, IfExists, Null, set operators,
policy variables and the keys AWS derives from the caller.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
(facts.md §3, §4, §7)
"""

from __future__ import annotations

from typing import Any

import pytest

from ecslab.iam import evaluate

ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::orders-config/app.json"

ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"


def allow_if(
    condition: dict[str, Any], resource: Any = "*", version: str | None = "2012-10-17"
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Statement": [
            {
                "Sid": "Conditional",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": resource,
                "Condition": condition,
            }
        ]
    }
    if version:
        document["Version"] = version
    return document


def decide(
    condition: dict[str, Any],
    context: dict[str, Any] | None = None,
    principal: str = SESSION,
    resource: str = OBJECT,
) -> str:
    return evaluate(
        principal,
        "s3:GetObject",
        resource,
        identity_policies=[allow_if(condition)],
        context=context,
    ).decision


# -- string operators -----------------------------------------------------------------------------

TEAM = "aws:PrincipalTag/team"


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("StringEquals", "orders", "orders", ALLOWED),
        ("StringEquals", "orders", "Orders", IMPLICIT),  # case-sensitive
        ("StringEquals", "ord*", "orders", IMPLICIT),  # no wildcards
        ("StringEquals", "ord*", "ord*", ALLOWED),
        ("StringNotEquals", "orders", "billing", ALLOWED),
        ("StringNotEquals", "orders", "orders", IMPLICIT),
        ("StringEqualsIgnoreCase", "ORDERS", "orders", ALLOWED),
        ("StringNotEqualsIgnoreCase", "ORDERS", "orders", IMPLICIT),
        ("StringNotEqualsIgnoreCase", "ORDERS", "billing", ALLOWED),
        ("StringLike", "ord*", "orders", ALLOWED),
        ("StringLike", "ord?rs", "orders", ALLOWED),
        ("StringLike", "Ord*", "orders", IMPLICIT),  # case-sensitive
        ("StringLike", "ord", "orders", IMPLICIT),  # whole value
        ("StringNotLike", "bill*", "orders", ALLOWED),
        ("StringNotLike", "ord*", "orders", IMPLICIT),
    ],
)
def test_string_operators(operator, policy_value, request_value, expected):
    assert decide({operator: {TEAM: policy_value}}, {TEAM: request_value}) == expected


# -- numeric, date, bool, binary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("NumericEquals", "10", "10", ALLOWED),
        ("NumericEquals", "10", "10.0", ALLOWED),  # numbers, not strings
        ("NumericEquals", "10", "11", IMPLICIT),
        ("NumericNotEquals", "10", "11", ALLOWED),
        ("NumericNotEquals", "10", "10", IMPLICIT),
        ("NumericLessThan", "10", "9", ALLOWED),
        ("NumericLessThan", "10", "10", IMPLICIT),
        ("NumericLessThanEquals", "10", "10", ALLOWED),
        ("NumericGreaterThan", "1.5", "2", ALLOWED),
        ("NumericGreaterThan", "2", "2", IMPLICIT),
        ("NumericGreaterThanEquals", "2", "2", ALLOWED),
        ("NumericLessThan", "10", "ten", IMPLICIT),  # not a number: never matches
    ],
)
def test_numeric_operators(operator, policy_value, request_value, expected):
    assert decide({operator: {"s3:max-keys": policy_value}}, {"s3:max-keys": request_value}) == (
        expected
    )


NOW = "2024-05-01T12:00:00Z"


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("DateGreaterThan", "2020-01-01T00:00:00Z", NOW, ALLOWED),
        ("DateLessThan", "2020-01-01T00:00:00Z", NOW, IMPLICIT),
        ("DateLessThan", "2025-01-01", NOW, ALLOWED),  # date only
        ("DateEquals", "2024-01-01", "2024-01-01T00:00:00Z", ALLOWED),
        ("DateEquals", "2024-01-01T09:00:00+09:00", "2024-01-01T00:00:00Z", ALLOWED),  # offsets
        ("DateNotEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", ALLOWED),
        ("DateLessThanEquals", "2024-05-01T12:00:00Z", NOW, ALLOWED),
        ("DateGreaterThanEquals", "2024-05-01T12:00:01Z", NOW, IMPLICIT),
        # epoch seconds on either side
        ("DateGreaterThan", "1700000000", "2024-01-01T00:00:00Z", ALLOWED),
        ("DateEquals", "2024-01-01T00:00:00Z", "1704067200", ALLOWED),
        ("DateNotEquals", "1704067200", "2024-01-01T00:00:00Z", IMPLICIT),
    ],
)
def test_date_operators_with_iso_and_epoch(operator, policy_value, request_value, expected):
    key = "aws:CurrentTime"
    assert decide({operator: {key: policy_value}}, {key: request_value}) == expected


def test_aws_epoch_time_works_with_numeric_and_date_operators():
    context = {"aws:EpochTime": "1704067200"}
    assert decide({"NumericGreaterThan": {"aws:EpochTime": "1700000000"}}, context) == ALLOWED
    assert decide({"DateGreaterThan": {"aws:EpochTime": "2023-12-31"}}, context) == ALLOWED


@pytest.mark.parametrize(
    ("policy_value", "request_value", "expected"),
    [
        ("true", "true", ALLOWED),
        ("true", True, ALLOWED),
        (True, "TRUE", ALLOWED),
        ("true", "false", IMPLICIT),
        ("false", False, ALLOWED),
        ("true", "yes", IMPLICIT),
    ],
)
def test_bool(policy_value, request_value, expected):
    key = "aws:SecureTransport"
    assert decide({"Bool": {key: policy_value}}, {key: request_value}) == expected


def test_binary_equals_compares_base64_values():
    key = "aws:BinaryKey"
    value = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="
    assert decide({"BinaryEquals": {key: value}}, {key: value}) == ALLOWED
    assert decide({"BinaryEquals": {key: value}}, {key: "T3RoZXJWYWx1ZQ=="}) == IMPLICIT


# -- IP addresses ---------------------------------------------------------------------------------

IP = "aws:SourceIp"


@pytest.mark.parametrize(
    ("operator", "policy_value", "request_value", "expected"),
    [
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", ALLOWED),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", IMPLICIT),
        ("IpAddress", "203.0.113.7", "203.0.113.7", ALLOWED),  # no prefix means /32
        ("IpAddress", "203.0.113.7", "203.0.113.8", IMPLICIT),
        ("IpAddress", "2001:db8::/32", "2001:db8:1234::5", ALLOWED),
        ("IpAddress", "2001:db8::/32", "2001:db9::5", IMPLICIT),
        ("IpAddress", "2001:db8::/32", "203.0.113.7", IMPLICIT),
        ("NotIpAddress", "10.0.0.0/8", "203.0.113.7", ALLOWED),
        ("NotIpAddress", "10.0.0.0/8", "10.1.2.3", IMPLICIT),
        ("NotIpAddress", "2001:db8::/32", "203.0.113.7", ALLOWED),
    ],
)
def test_ip_address_operators(operator, policy_value, request_value, expected):
    assert decide({operator: {IP: policy_value}}, {IP: request_value}) == expected


# -- ARN operators --------------------------------------------------------------------------------

SOURCE_ARN = "aws:SourceArn"
TASK_ARN = f"arn:aws:ecs:us-west-2:{ACCOUNT}:task/orders/0123abcd"


@pytest.mark.parametrize(
    ("operator", "policy_value", "expected"),
    [
        ("ArnLike", f"arn:aws:ecs:us-west-2:{ACCOUNT}:*", ALLOWED),
        ("ArnEquals", f"arn:aws:ecs:*:{ACCOUNT}:task/*", ALLOWED),  # behaves like ArnLike
        ("ArnEquals", TASK_ARN, ALLOWED),
        ("ArnLike", f"arn:aws:ecs:us-east-1:{ACCOUNT}:*", IMPLICIT),
        ("ArnLike", TASK_ARN.upper(), IMPLICIT),  # case-sensitive
        ("ArnNotLike", f"arn:aws:ecs:*:{ACCOUNT}:service/*", ALLOWED),
        ("ArnNotEquals", f"arn:aws:ecs:*:{ACCOUNT}:task/*", IMPLICIT),
    ],
)
def test_arn_operators(operator, policy_value, expected):
    assert decide({operator: {SOURCE_ARN: policy_value}}, {SOURCE_ARN: TASK_ARN}) == expected


# -- missing keys, IfExists, Null -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", "orders", IMPLICIT),
        ("StringLike", "*", IMPLICIT),
        ("NumericGreaterThan", "0", IMPLICIT),
        ("ArnLike", "*", IMPLICIT),
        ("Bool", "false", IMPLICIT),
        ("IpAddress", "0.0.0.0/0", IMPLICIT),
        # "If the policy condition requires that the key is not matched ... the condition is true"
        ("StringNotEquals", "orders", ALLOWED),
        ("StringNotLike", "ord*", ALLOWED),
        ("ArnNotLike", "arn:aws:s3:::x", ALLOWED),
        ("NotIpAddress", "10.0.0.0/8", ALLOWED),
        ("NumericNotEquals", "1", ALLOWED),
        ("DateNotEquals", "2024-01-01", ALLOWED),
    ],
)
def test_a_key_missing_from_the_request(operator, value, expected):
    assert decide({operator: {"aws:ResourceTag/team": value}}) == expected


def test_if_exists_is_true_when_the_key_is_missing_and_normal_when_present():
    condition = {"StringEqualsIfExists": {TEAM: "orders"}}
    assert decide(condition) == ALLOWED
    assert decide(condition, {TEAM: "orders"}) == ALLOWED
    assert decide(condition, {TEAM: "billing"}) == IMPLICIT
    assert decide({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}) == ALLOWED
    assert decide({"NumericLessThanIfExists": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}) == (
        IMPLICIT
    )


def test_a_deny_with_a_negated_if_exists_operator_still_denies_when_the_key_is_missing():
    # "If you are using an "Effect": "Deny" element with a negated condition operator like
    #  StringNotEqualsIfExists, the request is still denied even if the tag is missing."
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:ResourceTag/team": "orders"}},
            }
        ],
    }
    allow_all = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    d = evaluate(SESSION, "s3:GetObject", OBJECT, identity_policies=[allow_all, deny])
    assert d.decision == EXPLICIT
    d = evaluate(
        SESSION,
        "s3:GetObject",
        OBJECT,
        identity_policies=[allow_all, deny],
        context={"aws:ResourceTag/team": "orders"},
    )
    assert d.decision == ALLOWED


@pytest.mark.parametrize(
    ("value", "context", "expected"),
    [
        ("true", None, ALLOWED),  # true: the key is absent
        ("true", {"aws:TokenIssueTime": NOW}, IMPLICIT),
        ("false", None, IMPLICIT),  # false: the key is present
        ("false", {"aws:TokenIssueTime": NOW}, ALLOWED),
        (True, None, ALLOWED),
    ],
)
def test_null(value, context, expected):
    assert decide({"Null": {"aws:TokenIssueTime": value}}, context) == expected


def test_the_explanation_says_the_key_was_absent():
    d = evaluate(
        SESSION, "s3:GetObject", OBJECT, identity_policies=[allow_if({"StringEquals": {TEAM: "x"}})]
    )
    [result] = d.explanation
    [condition] = result.conditions
    assert (condition.operator, condition.key, condition.holds) == ("StringEquals", TEAM, False)
    assert condition.request_values is None
    assert condition.why == "the key is absent from the request"


# -- several keys, several values -----------------------------------------------------------------


def test_several_values_for_one_key_are_ored():
    condition = {"StringEquals": {TEAM: ["orders", "billing"]}}
    assert decide(condition, {TEAM: "billing"}) == ALLOWED
    assert decide(condition, {TEAM: "search"}) == IMPLICIT


def test_several_values_for_a_negated_operator_are_nored():
    condition = {"StringNotEquals": {TEAM: ["orders", "billing"]}}
    assert decide(condition, {TEAM: "billing"}) == IMPLICIT
    assert decide(condition, {TEAM: "search"}) == ALLOWED


def test_several_keys_under_one_operator_are_anded():
    condition = {"StringEquals": {TEAM: "orders", "aws:PrincipalTag/env": "prod"}}
    assert decide(condition, {TEAM: "orders", "aws:PrincipalTag/env": "prod"}) == ALLOWED
    assert decide(condition, {TEAM: "orders", "aws:PrincipalTag/env": "dev"}) == IMPLICIT
    assert decide(condition, {TEAM: "orders"}) == IMPLICIT


def test_several_operators_are_anded():
    condition = {
        "StringEquals": {TEAM: "orders"},
        "IpAddress": {IP: "10.0.0.0/8"},
        "Bool": {"aws:SecureTransport": "true"},
    }
    good = {TEAM: "orders", IP: "10.1.2.3", "aws:SecureTransport": "true"}
    assert decide(condition, good) == ALLOWED
    assert decide(condition, {**good, IP: "203.0.113.7"}) == IMPLICIT
    assert decide(condition, {**good, "aws:SecureTransport": "false"}) == IMPLICIT


def test_condition_key_names_are_case_insensitive():
    # "including the aws:SourceIP condition key is equivalent to testing for AWS:SourceIp"
    assert decide({"IpAddress": {"aws:SourceIP": "10.0.0.0/8"}}, {"AWS:SourceIp": "10.1.2.3"}) == (
        ALLOWED
    )
    # the tag-key part too
    assert decide({"StringEquals": {"aws:PrincipalTag/Team": "orders"}}, {TEAM: "orders"}) == (
        ALLOWED
    )


def test_key_values_keep_their_case():
    assert decide({"StringEquals": {TEAM: "orders"}}, {"AWS:PRINCIPALTAG/TEAM": "ORDERS"}) == (
        IMPLICIT
    )


# -- set operators --------------------------------------------------------------------------------

TAG_KEYS = "aws:TagKeys"


@pytest.mark.parametrize(
    ("operator", "request_keys", "expected"),
    [
        ("ForAnyValue:StringEquals", ["team", "cost"], ALLOWED),
        ("ForAnyValue:StringEquals", ["cost"], IMPLICIT),
        ("ForAllValues:StringEquals", ["team", "env"], ALLOWED),
        ("ForAllValues:StringEquals", ["team", "cost"], IMPLICIT),
        ("ForAnyValue:StringLike", ["cost", "tea"], ALLOWED),
        ("ForAnyValue:StringLike", ["cost", "e"], IMPLICIT),
        ("ForAllValues:StringLike", ["team", "env"], ALLOWED),
        # negated: "none of the request values matches" / "some request value matches none"
        ("ForAllValues:StringNotEquals", ["cost", "owner"], ALLOWED),
        ("ForAllValues:StringNotEquals", ["cost", "team"], IMPLICIT),
        ("ForAnyValue:StringNotEquals", ["team", "cost"], ALLOWED),
        ("ForAnyValue:StringNotEquals", ["team", "env"], IMPLICIT),
    ],
)
def test_set_operators(operator, request_keys, expected):
    policy_values = ["team", "env"] if "Like" not in operator else ["te*", "en?"]
    assert decide({operator: {TAG_KEYS: policy_values}}, {TAG_KEYS: request_keys}) == expected


@pytest.mark.parametrize("context", [None, {TAG_KEYS: []}], ids=["missing", "empty"])
@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        # "If the key values in the request resolve to an empty data set ..., a condition operator
        #  modified by ForAllValues returns true, and ... by ForAnyValue returns false."
        ("ForAllValues:StringEquals", ALLOWED),
        ("ForAnyValue:StringEquals", IMPLICIT),
        ("ForAllValues:StringNotLike", ALLOWED),  # the docs' table: aws:TagKeys absent -> Match
        ("ForAnyValue:StringNotEquals", IMPLICIT),
    ],
)
def test_set_operators_on_a_missing_or_empty_key(operator, expected, context):
    assert decide({operator: {TAG_KEYS: ["team"]}}, context) == expected


def test_for_all_values_is_true_for_an_empty_string():
    assert decide({"ForAllValues:StringEquals": {TAG_KEYS: ["team"]}}, {TAG_KEYS: ""}) == ALLOWED


def test_for_any_value_is_false_for_an_empty_string():
    assert decide({"ForAnyValue:StringEquals": {TAG_KEYS: ["team"]}}, {TAG_KEYS: ""}) == IMPLICIT


def test_a_single_request_value_works_with_set_operators():
    assert decide({"ForAllValues:StringEquals": {TAG_KEYS: ["team"]}}, {TAG_KEYS: "team"}) == (
        ALLOWED
    )


# -- policy variables -----------------------------------------------------------------------------


def decide_resource(
    resource_pattern: str,
    resource: str,
    principal: str = SESSION,
    context: dict[str, Any] | None = None,
) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource_pattern}],
    }
    return evaluate(
        principal, "s3:GetObject", resource, identity_policies=policy, context=context
    ).decision


HOME = "arn:aws:s3:::home/${aws:username}/*"


def test_aws_username_is_the_iam_users_name():
    assert decide_resource(HOME, "arn:aws:s3:::home/alice/notes.txt", USER) == ALLOWED
    assert decide_resource(HOME, "arn:aws:s3:::home/bob/notes.txt", USER) == IMPLICIT
    condition = {"StringEquals": {"s3:prefix": "home/${aws:username}/"}}
    assert decide(condition, {"s3:prefix": "home/alice/"}, USER) == ALLOWED
    assert decide(condition, {"s3:prefix": "home/bob/"}, USER) == IMPLICIT


def test_a_variable_the_request_lacks_makes_that_value_match_nothing():
    # a role session has no aws:username ("not present ... any attempt to match it fails")
    assert decide_resource(HOME, "arn:aws:s3:::home/abc/notes.txt") == IMPLICIT
    assert decide_resource(HOME, "arn:aws:s3:::home//notes.txt") == IMPLICIT
    assert decide_resource(HOME, "arn:aws:s3:::home/${aws:username}/notes.txt") == IMPLICIT
    condition = {"StringEquals": {"s3:prefix": ["home/${aws:username}/", "shared/"]}}
    assert decide(condition, {"s3:prefix": "home//"}) == IMPLICIT
    assert decide(condition, {"s3:prefix": "shared/"}) == ALLOWED  # the other values still count


def test_principal_tag_variables_come_from_the_request():
    pattern = "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"
    context = {"aws:PrincipalTag/team": "orders"}
    assert decide_resource(pattern, "arn:aws:s3:::teams/orders/x", context=context) == ALLOWED
    assert decide_resource(pattern, "arn:aws:s3:::teams/billing/x", context=context) == IMPLICIT
    condition = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    assert decide(condition, {**context, "aws:ResourceTag/team": "orders"}) == ALLOWED
    assert decide(condition, {**context, "aws:ResourceTag/team": "billing"}) == IMPLICIT


def test_a_variable_with_a_default_uses_it_when_the_key_is_missing():
    # Access Analyzer's example: amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}
    pattern = "arn:aws:s3:::amzn-s3-demo-bucket-${aws:PrincipalTag/team, 'company-wide'}/*"
    assert decide_resource(pattern, "arn:aws:s3:::amzn-s3-demo-bucket-company-wide/x") == ALLOWED
    assert (
        decide_resource(
            pattern, "arn:aws:s3:::amzn-s3-demo-bucket-orders/x", context={TEAM: "orders"}
        )
        == ALLOWED
    )
    assert (
        decide_resource(
            pattern, "arn:aws:s3:::amzn-s3-demo-bucket-company-wide/x", context={TEAM: "orders"}
        )
        == IMPLICIT
    )


@pytest.mark.parametrize(("variable", "character"), [("${*}", "*"), ("${?}", "?"), ("${$}", "$")])
def test_special_variables_stand_for_literal_characters(variable, character):
    pattern = f"arn:aws:s3:::b/file{variable}name"
    assert decide_resource(pattern, f"arn:aws:s3:::b/file{character}name") == ALLOWED
    assert decide_resource(pattern, "arn:aws:s3:::b/fileXname") == IMPLICIT
    condition = {"StringLike": {"s3:prefix": f"a{variable}b*"}}
    assert decide(condition, {"s3:prefix": f"a{character}bc"}) == ALLOWED
    assert decide(condition, {"s3:prefix": "aXbc"}) == IMPLICIT


def test_multivalued_keys_cannot_be_variables():
    condition = {"StringEquals": {"s3:prefix": "${aws:TagKeys}"}}
    assert decide(condition, {"aws:TagKeys": ["a", "b"], "s3:prefix": "a"}) == IMPLICIT
    assert decide(condition, {"aws:TagKeys": ["a", "b"], "s3:prefix": "b"}) == IMPLICIT


def test_variables_are_not_replaced_in_numeric_conditions():
    # policy variables work with String, ARN and Bool operators only (operators page)
    condition = {"NumericLessThan": {"s3:max-keys": "${aws:PrincipalTag/limit}"}}
    assert decide(condition, {"s3:max-keys": "5", "aws:PrincipalTag/limit": "10"}) == IMPLICIT


def bucket_policy_for_alice(version: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": USER},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::home/${aws:username}/*",
            }
        ]
    }
    if version:
        document["Version"] = version
    return document


@pytest.mark.parametrize("version", ["2008-10-17", None])
def test_variables_are_literal_text_in_version_2008_and_unversioned_resource_policies(version):
    # "variables like ${aws:username} are treated as literal strings in the policy"
    policy = bucket_policy_for_alice(version)
    d = evaluate(USER, "s3:GetObject", "arn:aws:s3:::home/alice/x", resource_policy=policy)
    assert d.decision == IMPLICIT
    literal = "arn:aws:s3:::home/${aws:username}/x"
    assert evaluate(USER, "s3:GetObject", literal, resource_policy=policy).decision == ALLOWED


def test_variables_are_replaced_in_version_2012_resource_policies():
    policy = bucket_policy_for_alice("2012-10-17")
    d = evaluate(USER, "s3:GetObject", "arn:aws:s3:::home/alice/x", resource_policy=policy)
    assert d.decision == ALLOWED


# -- keys AWS derives from the caller -------------------------------------------------------------


def test_principal_arn_of_a_role_session_is_the_role_arn():
    # "For IAM roles, the request context returns the ARN of the role, not the ARN of the user
    #  that assumed the role."
    assert decide({"ArnEquals": {"aws:PrincipalArn": ROLE}}) == ALLOWED
    assert decide({"StringEquals": {"aws:PrincipalArn": ROLE}}) == ALLOWED
    assert decide({"StringEquals": {"aws:PrincipalArn": SESSION}}) == IMPLICIT
    assert decide({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ecs-*"}}) == (
        ALLOWED
    )


def test_principal_arn_of_a_user_is_the_user_arn():
    assert decide({"ArnEquals": {"aws:PrincipalArn": USER}}, principal=USER) == ALLOWED


def test_principal_account():
    assert decide({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}) == ALLOWED
    assert decide({"StringEquals": {"aws:PrincipalAccount": "444455556666"}}) == IMPLICIT


@pytest.mark.parametrize(
    ("principal", "principal_type"), [(SESSION, "AssumedRole"), (USER, "User")]
)
def test_principal_type(principal, principal_type):
    condition = {"StringEquals": {"aws:PrincipalType": principal_type}}
    assert decide(condition, principal=principal) == ALLOWED
    other = {"StringEquals": {"aws:PrincipalType": "FederatedUser"}}
    assert decide(other, principal=principal) == IMPLICIT


def test_aws_username_exists_only_for_iam_users():
    assert decide({"Null": {"aws:username": "true"}}) == ALLOWED  # a role session has none
    assert decide({"Null": {"aws:username": "false"}}, principal=USER) == ALLOWED
    assert decide({"StringEquals": {"aws:username": "alice"}}, principal=USER) == ALLOWED
    assert decide({"StringEquals": {"aws:username": "abc"}}) == IMPLICIT


def test_principal_is_aws_service_is_false_for_a_role_session():
    assert decide({"Bool": {"aws:PrincipalIsAWSService": "false"}}) == ALLOWED
