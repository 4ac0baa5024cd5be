"""AWS managed policies: the real documents, found by name or ARN.

The catalog is copied from moto's bundled documents (moto/iam/aws_managed_policies.py); the judge
itself must not import moto, but this test may, to check the copy is exact.
"""

from __future__ import annotations

import json

import pytest

from ecslab.iam import Policy, parse_policy
from ecslab.iam.managed import (
    ManagedPolicy,
    UnknownManagedPolicy,
    all_policy_names,
    course_policy_names,
    managed_policy,
)

EXECUTION = "AmazonECSTaskExecutionRolePolicy"
EXECUTION_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

ISSUE_POLICIES = (
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "CloudWatchLogsFullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonS3FullAccess",
    "SecretsManagerReadWrite",
    "AmazonSQSFullAccess",
    "AmazonSNSFullAccess",
    "AdministratorAccess",
    "ReadOnlyAccess",
)


def unknown(asked) -> UnknownManagedPolicy:
    with pytest.raises(UnknownManagedPolicy) as info:
        managed_policy(asked)
    return info.value


# -- lookups --------------------------------------------------------------------------------------


def test_lookup_by_name_knows_the_service_role_path():
    policy = managed_policy(EXECUTION)
    assert isinstance(policy, ManagedPolicy)
    assert policy.name == EXECUTION
    assert policy.path == "/service-role/"
    assert policy.arn == EXECUTION_ARN


def test_lookup_by_arn_gives_the_same_policy():
    assert managed_policy(EXECUTION_ARN) == managed_policy(EXECUTION)


def test_policies_at_the_root_path():
    policy = managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert (policy.name, policy.path) == ("AdministratorAccess", "/")


def test_surrounding_spaces_are_ignored():
    assert managed_policy(f"  {EXECUTION}\n").arn == EXECUTION_ARN


def test_the_execution_role_policy_document_is_the_real_one():
    policy = managed_policy(EXECUTION)
    assert policy.version_id == "v1"
    assert policy.document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    }
    assert json.loads(policy.to_json()) == policy.document
    assert json.loads(policy.to_json(indent=None)) == policy.document


def test_the_parsed_policy_is_an_identity_policy_named_after_it():
    parsed = managed_policy(EXECUTION).policy
    assert isinstance(parsed, Policy)
    assert (parsed.kind, parsed.name, parsed.version) == ("identity", EXECUTION, "2012-10-17")
    [statement] = parsed.statements
    assert statement.actions.written == (
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    )
    assert statement.resources.everything
    assert managed_policy(EXECUTION).policy is parsed  # cached


@pytest.mark.parametrize("name", ISSUE_POLICIES)
def test_every_policy_the_course_needs_is_there_and_parses(name):
    policy = managed_policy(name)
    assert name in course_policy_names()
    assert policy.arn == f"arn:aws:iam::aws:policy{policy.path}{name}"
    assert managed_policy(policy.arn) == policy
    assert policy.policy.statements


def test_administrator_access_allows_everything():
    [statement] = managed_policy("AdministratorAccess").policy.statements
    assert statement.effect == "Allow"
    assert statement.actions.written == ("*",) and statement.resources.everything


def test_course_policies_also_come_from_the_full_catalog():
    names = set(all_policy_names())
    assert set(course_policy_names()) <= names
    assert len(names) > 1000
    assert course_policy_names() == tuple(sorted(course_policy_names()))


def test_a_policy_outside_the_course_set_is_found_in_the_full_catalog():
    policy = managed_policy("AWSLambdaBasicExecutionRole")
    assert policy.arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert "AWSLambdaBasicExecutionRole" not in course_policy_names()


# -- mistakes -------------------------------------------------------------------------------------


def test_an_unknown_name_suggests_close_names_course_first():
    error = unknown("AmazonECSTaskExecutionRolePolcy")
    assert isinstance(error, LookupError) and isinstance(error, ValueError)
    assert error.asked == "AmazonECSTaskExecutionRolePolcy"
    assert error.suggestions[0] == EXECUTION
    assert len(error.suggestions) <= 3
    assert str(error).startswith(
        "No AWS managed policy is named 'AmazonECSTaskExecutionRolePolcy'. Did you mean: "
        "AmazonECSTaskExecutionRolePolicy"
    )


def test_a_typo_in_a_course_policy_name():
    error = unknown("CloudWatchLogsFullAcess")
    assert error.suggestions[0] == "CloudWatchLogsFullAccess"


def test_a_name_nothing_resembles_has_no_suggestions():
    error = unknown("Zzzzzzzzzzzzzzzzzzzzzz")
    assert error.suggestions == ()
    assert str(error) == "No AWS managed policy is named 'Zzzzzzzzzzzzzzzzzzzzzz'."


def test_names_are_case_sensitive():
    error = unknown("amazonecstaskexecutionrolepolicy")
    assert error.suggestions == (EXECUTION,)
    assert str(error) == (
        "No AWS managed policy is named 'amazonecstaskexecutionrolepolicy'; names are "
        "case-sensitive: did you mean 'AmazonECSTaskExecutionRolePolicy'?"
    )


def test_an_arn_with_the_wrong_case_gets_the_right_name():
    error = unknown("arn:aws:iam::aws:policy/amazons3readonlyaccess")
    assert error.suggestions == ("AmazonS3ReadOnlyAccess",)


def test_an_arn_without_the_service_role_path():
    asked = "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"
    error = unknown(asked)
    assert error.asked == asked
    assert error.suggestions == (EXECUTION_ARN,)
    assert str(error) == (
        f"Policy {asked} does not exist or is not attachable. The policy "
        f"AmazonECSTaskExecutionRolePolicy has the ARN {EXECUTION_ARN} (its path is "
        "/service-role/)."
    )


def test_an_arn_with_a_path_where_there_is_none():
    error = unknown("arn:aws:iam::aws:policy/service-role/AdministratorAccess")
    assert error.suggestions == ("arn:aws:iam::aws:policy/AdministratorAccess",)


def test_a_customer_managed_policy_arn_is_not_an_aws_managed_one():
    asked = "arn:aws:iam::123456789012:policy/orders-task-policy"
    error = unknown(asked)
    assert str(error) == (
        f"{asked} is not an AWS managed policy ARN: those look like "
        "'arn:aws:iam::aws:policy/NAME' (account 'aws'). A policy in account 123456789012 is a "
        "customer managed policy."
    )


def test_an_unknown_aws_managed_arn():
    error = unknown("arn:aws:iam::aws:policy/NoSuchPolicyAtAllAnywhere")
    assert str(error).startswith("No AWS managed policy is named 'NoSuchPolicyAtAllAnywhere'")


@pytest.mark.parametrize("asked", [None, 5, "", "   ", ["AdministratorAccess"]])
def test_something_that_is_not_a_name(asked):
    error = unknown(asked)
    assert str(error) == (
        "Give an AWS managed policy name such as 'AmazonECSTaskExecutionRolePolicy' or its ARN, "
        f"not {asked!r}"
    )


# -- the copy of moto's catalog -------------------------------------------------------------------


def _moto_catalog() -> dict:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def _as_moto_would(name: str, raw: dict) -> dict:
    path = raw.get("Path", "/")
    return {
        "name": name,
        "arn": f"arn:aws:iam::aws:policy{path}{name}",
        "path": path,
        "version_id": raw.get("DefaultVersionId"),
        "updated": raw.get("UpdateDate"),
        "document": raw["Document"],
    }


def _as_packaged(policy: ManagedPolicy) -> dict:
    return {
        "name": policy.name,
        "arn": policy.arn,
        "path": policy.path,
        "version_id": policy.version_id,
        "updated": policy.updated,
        "document": policy.document,
    }


def test_the_packaged_course_catalog_matches_motos_documents_exactly():
    moto = _moto_catalog()
    for name in course_policy_names():
        assert _as_packaged(managed_policy(name)) == _as_moto_would(name, moto[name]), name


def test_the_packaged_full_catalog_matches_motos_exactly():
    moto = _moto_catalog()
    assert set(all_policy_names()) == set(moto)
    for name in all_policy_names():
        assert _as_packaged(managed_policy(name)) == _as_moto_would(name, moto[name]), name


def test_the_names_file_lists_exactly_the_full_catalog():
    from ecslab.iam.managed import _everything

    assert set(all_policy_names()) == set(_everything())


def test_a_misspelt_name_is_answered_without_loading_the_catalog():
    from ecslab.iam import managed

    managed._everything.cache_clear()
    with pytest.raises(managed.UnknownManagedPolicy, match="Did you mean"):
        managed_policy("AmazonDynamoDBReadOnlyAcess")
    assert managed._everything.cache_info().currsize == 0


def test_every_course_policy_parses_as_an_identity_policy():
    for name in course_policy_names():
        parse_policy(managed_policy(name).document, "identity", name)


def test_every_aws_managed_policy_parses_as_an_identity_policy():
    failures = []
    for name in all_policy_names():
        try:
            parse_policy(managed_policy(name).document, "identity", name)
        except ValueError as error:
            failures.append(f"{name}: {error}")
    assert failures == []
