"""Wildcards as IAM reads them: actions, Resource ARNs, StringLike and ArnLike.

- Actions: "The prefix and the action name are case insensitive."
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resources: "You can use wildcard characters (* and ?) within the individual segments of an ARN
  (the parts separated by colons) ... If the * wildcard is the last character of a resource ARN
  segment, it can expand to match beyond the colon boundaries."
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- StringLike / ArnLike: "Each of the six colon-delimited components of the ARN is checked
  separately"; worked example in
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import pytest

from ecslab.iam import evaluate
from ecslab.iam.wildcards import (
    action_matches,
    arn_like,
    has_wildcard,
    resource_matches,
    string_like,
)

ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-task-role/abc"
LOG_GROUP = f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/orders"
LOG_STREAM = f"{LOG_GROUP}:log-stream:ecs/orders/5f1c2d3e"


def test_has_wildcard():
    assert has_wildcard("s3:Get*") and has_wildcard("s3:?etObject")
    assert not has_wildcard("s3:GetObject")


# -- actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        ("s3:GetObject", "s3:GetObject"),
        ("iam:ListAccessKeys", "IAM:listaccesskeys"),  # the docs' own example
        ("S3:GETOBJECT", "s3:GetObject"),
        ("s3:Get*", "S3:GETOBJECTACL"),
        ("s3:*Object", "s3:PutObject"),
        ("s3:?etObject", "s3:GetObject"),
        ("s3:*", "s3:ListBucket"),
        ("*", "ecr:GetAuthorizationToken"),
        ("*:Get*", "ecr:GetAuthorizationToken"),
        ("logs:Create*", "logs:CreateLogStream"),
    ],
)
def test_action_patterns_that_match(pattern, action):
    assert action_matches(pattern, action)


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        ("s3:Get*", "s3:PutObject"),
        ("s3:GetObject", "s3:GetObjectAcl"),  # no implicit prefix matching
        ("s3:?etObject", "s3:etObject"),  # ? is exactly one character
        ("s3:GetObject?", "s3:GetObject"),
        ("s3:Get.bject", "s3:GetObject"),  # . is a plain character
        ("s3:GetObject", "s3x:GetObject"),
        ("logs:Create*", "ecr:CreateRepository"),
    ],
)
def test_action_patterns_that_do_not_match(pattern, action):
    assert not action_matches(pattern, action)


def test_action_case_does_not_matter_in_a_real_decision():
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}],
    }
    d = evaluate(SESSION, "s3:GetObject", "arn:aws:s3:::config/app.json", identity_policies=policy)
    assert d.decision == "Allowed"


# -- resources -----------------------------------------------------------------------------------


def test_star_alone_matches_any_resource():
    assert resource_matches("*", LOG_STREAM)
    assert resource_matches("*", "anything at all")


def test_resources_without_wildcards_must_be_equal():
    assert resource_matches(LOG_GROUP, LOG_GROUP)
    assert not resource_matches(LOG_GROUP, LOG_GROUP + "/")


def test_resources_are_case_sensitive():
    assert not resource_matches("arn:aws:s3:::Config/*", "arn:aws:s3:::config/app.json")
    assert not resource_matches(
        f"arn:aws:iam::{ACCOUNT}:user/Alice", f"arn:aws:iam::{ACCOUNT}:user/alice"
    )


def test_question_mark_is_exactly_one_character_within_a_segment():
    assert resource_matches("arn:aws:s3:::b?t/*", "arn:aws:s3:::bat/x")
    assert not resource_matches("arn:aws:s3:::b?t/*", "arn:aws:s3:::bt/x")
    assert not resource_matches("arn:aws:s3:::b?t/*", "arn:aws:s3:::baat/x")
    assert resource_matches("arn:aws:logs:us-east-?:*:*", "arn:aws:logs:us-east-1:1:log-group:x")


def test_a_star_inside_a_segment_stays_inside_it():
    assert resource_matches("arn:aws:s3:::b/a*z", "arn:aws:s3:::b/a/b/c/z")
    assert not resource_matches("arn:aws:s3:::b/a*z", "arn:aws:s3:::b/a:z")
    assert not resource_matches(
        f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/*s:log-stream:x",
        f"arn:aws:logs:ap-northeast-1:{ACCOUNT}:log-group:/ecs/a:b/orders:log-stream:x",
    )


def test_a_star_that_ends_a_segment_runs_past_the_colons():
    assert resource_matches("arn:aws:s3:::b/a*", "arn:aws:s3:::b/a:z")
    assert resource_matches(f"arn:aws:logs:*:{ACCOUNT}:log-group:/ecs/*", LOG_STREAM)
    assert resource_matches(f"arn:aws:logs:*:{ACCOUNT}:*", LOG_STREAM)
    assert resource_matches("arn:aws:logs:*:*:log-group:*:log-stream:*", LOG_STREAM)


def test_the_log_group_arn_does_not_cover_its_streams_but_group_colon_star_does():
    # The course's lesson: logs:CreateLogStream / PutLogEvents are authorized on the stream ARN.
    assert not resource_matches(LOG_GROUP, LOG_STREAM)
    assert resource_matches(LOG_GROUP + ":*", LOG_STREAM)
    assert not resource_matches(LOG_GROUP + ":*", LOG_GROUP)  # ":*" needs the colon
    assert not resource_matches(LOG_GROUP + ":*", LOG_GROUP.replace("orders", "orders-v2") + ":x")
    assert resource_matches(LOG_GROUP + "*", LOG_GROUP.replace("orders", "orders-v2"))


def test_the_log_group_lesson_as_a_decision():
    def decide(resource_pattern: str) -> str:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": resource_pattern}
            ],
        }
        return evaluate(
            SESSION, "logs:CreateLogStream", LOG_STREAM, identity_policies=policy
        ).decision

    assert decide(LOG_GROUP) == "ImplicitlyDenied"
    assert decide(LOG_GROUP + ":*") == "Allowed"
    assert decide(LOG_GROUP + ":log-stream:*") == "Allowed"


def test_a_bucket_arn_is_not_its_objects_and_bucket_slash_star_is_not_the_bucket():
    bucket, obj = "arn:aws:s3:::orders-config", "arn:aws:s3:::orders-config/app.json"
    assert not resource_matches(bucket, obj)
    assert resource_matches(bucket + "/*", obj)
    assert not resource_matches(bucket + "/*", bucket)
    assert resource_matches(bucket + "*", bucket)
    # a trailing star without the slash also covers other buckets sharing the prefix
    assert resource_matches(bucket + "*", "arn:aws:s3:::orders-config-backup/app.json")


DOCS_BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket/"


@pytest.mark.parametrize(
    "key", ["1/2/test/3/object.jpg", "1///test///object.jpg", "/test/object.jpg", "1/test/"]
)
def test_the_resource_docs_examples_for_bucket_star_test_star(key):
    # "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*" matches each of these (IAM Resource docs)
    assert resource_matches(DOCS_BUCKET + "*/test/*", DOCS_BUCKET + key)


@pytest.mark.parametrize("key", ["test/object.jpg", "1/tests/object.jpg", "1/2/test"])
def test_bucket_star_test_star_needs_a_slash_before_and_after_test(key):
    assert not resource_matches(DOCS_BUCKET + "*/test/*", DOCS_BUCKET + key)


@pytest.mark.parametrize(
    ("pattern", "literal", "other"),
    [
        ("arn:aws:s3:::my.bucket/*", "arn:aws:s3:::my.bucket/k", "arn:aws:s3:::myXbucket/k"),
        ("arn:aws:s3:::a+b/*", "arn:aws:s3:::a+b/k", "arn:aws:s3:::aab/k"),
        ("arn:aws:s3:::b/[ab]*", "arn:aws:s3:::b/[ab]x", "arn:aws:s3:::b/a"),
        ("arn:aws:s3:::b/(x)?", "arn:aws:s3:::b/(x)1", "arn:aws:s3:::b/x1"),
        ("arn:aws:s3:::b/^x$|y*", "arn:aws:s3:::b/^x$|y", "arn:aws:s3:::b/y"),
        ("arn:aws:s3:::b/\\d*", "arn:aws:s3:::b/\\d1", "arn:aws:s3:::b/1"),
    ],
)
def test_regex_characters_in_resource_patterns_are_literal(pattern, literal, other):
    assert resource_matches(pattern, literal)
    assert not resource_matches(pattern, other)


# -- StringLike ----------------------------------------------------------------------------------


def test_string_like_star_and_question_mark_anywhere():
    assert string_like("home/*", "home/alice/notes:2024.txt")
    assert string_like("home/*", "home/")
    assert string_like("*", "")
    assert string_like("a?c", "abc")
    assert not string_like("a?c", "ac")
    assert not string_like("a?c", "abbc")


def test_string_like_is_case_sensitive_and_whole_string():
    assert not string_like("Home/*", "home/alice")
    assert not string_like("home", "home/alice")  # "You must specify wildcards"
    assert not string_like("alice", "xalicex")


@pytest.mark.parametrize(
    ("pattern", "literal", "other"),
    [
        ("a.c", "a.c", "abc"),
        ("a+", "a+", "aa"),
        ("[ab]", "[ab]", "a"),
        ("(x)", "(x)", "x"),
        ("a{2}", "a{2}", "aa"),
    ],
)
def test_regex_characters_in_string_like_are_literal(pattern, literal, other):
    assert string_like(pattern, literal)
    assert not string_like(pattern, other)


def test_string_like_pieces_can_hold_literal_wildcards():
    # a substituted ${*} must not act as a wildcard
    assert string_like([("a", False), ("*", True), ("b", False)], "a*b")
    assert not string_like([("a", False), ("*", True), ("b", False)], "axb")
    assert string_like([("a", False), ("*", False), ("b", False)], "axb")


# -- ArnLike -------------------------------------------------------------------------------------

DOCS_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
DOCS_VALUE = (
    "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
)


def test_the_docs_example_string_like_matches_across_colons():
    # "With a StringLike condition, the match succeeds. The first asterisk matches
    #  us-east-2:999999999999:store/abc:."
    assert string_like(DOCS_PATTERN, DOCS_VALUE)


def test_the_docs_example_arn_like_compares_component_by_component():
    # "With an ArnLike condition, which matches elements between colons, the match fails."
    assert not arn_like(DOCS_PATTERN, DOCS_VALUE)


def test_the_docs_example_as_decisions():
    def decide(operator: str) -> str:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {operator: {"aws:SourceArn": DOCS_PATTERN}},
                }
            ],
        }
        return evaluate(
            SESSION,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            identity_policies=policy,
            context={"aws:SourceArn": DOCS_VALUE},
        ).decision

    assert decide("StringLike") == "Allowed"
    assert decide("ArnLike") == "ImplicitlyDenied"
    assert decide("ArnEquals") == "ImplicitlyDenied"


def test_arn_like_wildcards_per_component():
    value = f"arn:aws:ecs:us-west-2:{ACCOUNT}:task/orders-cluster/0123abcd"
    assert arn_like(f"arn:aws:ecs:us-west-2:{ACCOUNT}:*", value)  # the ECS task-role example
    assert arn_like("arn:aws:ecs:*:*:task/*", value)
    assert arn_like("arn:aws:ecs:us-west-?:*:task/*", value)
    assert not arn_like("arn:aws:ecs:us-east-*:*:task/*", value)
    assert not arn_like(f"arn:aws:ecs:us-west-2:{ACCOUNT}:service/*", value)


def test_arn_like_resource_component_may_hold_colons():
    assert arn_like("arn:aws:logs:*:*:log-group:/ecs/*", LOG_STREAM)
    assert arn_like(LOG_GROUP + ":*", LOG_STREAM)
    assert not arn_like(LOG_GROUP, LOG_STREAM)


def test_arn_like_is_case_sensitive():
    role = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    assert arn_like(role, role)
    assert not arn_like(role, role.lower())


def test_arn_like_star_matches_anything_and_a_short_pattern_matches_nothing():
    assert arn_like("*", "arn:aws:s3:::b")
    assert not arn_like("arn:aws:s3::b", "arn:aws:s3::b")  # five components: not an ARN pattern


@pytest.mark.parametrize(
    ("pattern", "literal", "other"),
    [
        ("arn:aws:s3:::b/a.b", "arn:aws:s3:::b/a.b", "arn:aws:s3:::b/aXb"),
        ("arn:aws:s3:::b/(x)+", "arn:aws:s3:::b/(x)+", "arn:aws:s3:::b/xx"),
        ("arn:aws:s3:::b/[x]", "arn:aws:s3:::b/[x]", "arn:aws:s3:::b/x"),
    ],
)
def test_regex_characters_in_arn_like_are_literal(pattern, literal, other):
    assert arn_like(pattern, literal)
    assert not arn_like(pattern, other)
