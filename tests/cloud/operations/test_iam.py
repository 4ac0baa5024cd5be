"""The gate for AWS IAM, operation by operation, and IAM's own errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore import xform_name

from tests.cloud.operations.gate import (
    ACCOUNT,
    ACCOUNT_TRUST,
    ECS_TRUST,
    READ_ONLY_POLICY,
    S3_READ_ONLY,
    Case,
    Cases,
    Env,
    assert_refusal,
    denial,
    nothing_params,
    one,
    own_role,
    policy,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("iam")
case = CASES.add


def role_view(env: Env, name: str) -> dict:
    iam = env.admin("iam")
    got = iam.get_role(RoleName=name)["Role"]
    keep = ("Description", "AssumeRolePolicyDocument", "PermissionsBoundary", "Tags")
    view = {k: got.get(k) for k in keep}
    view["inline"] = iam.list_role_policies(RoleName=name)["PolicyNames"]
    view["attached"] = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    return view


def roles_named(env: Env) -> list:
    return sorted(r["RoleName"] for r in env.admin("iam").list_roles()["Roles"])


def own_policy(env: Env, name: str, second_version: bool = False) -> str:
    """The customer managed policy's ARN."""

    def make() -> str:
        iam = env.admin("iam")
        policy_arn = iam.create_policy(PolicyName=name, PolicyDocument=READ_ONLY_POLICY)["Policy"][
            "Arn"
        ]
        if second_version:
            iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=READ_ONLY_POLICY)
            iam.set_default_policy_version(PolicyArn=policy_arn, VersionId="v1")
        return policy_arn

    return env.once(f"policy {name} {second_version}", make)


def policy_view(env: Env, name: str, second_version: bool = False) -> list:
    policy_arn = own_policy(env, name, second_version)
    answer = env.admin("iam").list_policy_versions(PolicyArn=policy_arn)["Versions"]
    return sorted((v["VersionId"], v["IsDefaultVersion"]) for v in answer)


def local_policies(env: Env) -> list:
    answer = env.admin("iam").list_policies(Scope="Local")["Policies"]
    return sorted(p["PolicyName"] for p in answer)


def own_user(
    env: Env, name: str, key: bool = False, attached: bool = False, inline: bool = False
) -> str:
    """The user's ARN."""

    def make() -> str:
        iam = env.admin("iam")
        user_arn = iam.create_user(UserName=name)["User"]["Arn"]
        if inline:
            iam.put_user_policy(UserName=name, PolicyName="extra", PolicyDocument=READ_ONLY_POLICY)
        if key:
            env.memo[f"key {name}"] = iam.create_access_key(UserName=name)["AccessKey"][
                "AccessKeyId"
            ]
        if attached:
            iam.attach_user_policy(UserName=name, PolicyArn=S3_READ_ONLY)
        return user_arn

    return env.once(f"user {name} {key} {attached} {inline}", make)


def user_view(env: Env, name: str) -> dict:
    iam = env.admin("iam")
    keys = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    return {
        "keys": sorted(k["AccessKeyId"] for k in keys),
        "attached": iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
        "inline": iam.list_user_policies(UserName=name)["PolicyNames"],
    }


def user_names(env: Env) -> list:
    return sorted(u["UserName"] for u in env.admin("iam").list_users()["Users"])


# IAM (service_errors.md §11): "on resource: role NAME" (user NAME, policy NAME).

for _operation, _extra in (
    ("GetRole", {}),
    ("GetRolePolicy", {"PolicyName": "orders-app"}),
    ("ListRolePolicies", {}),
    ("ListAttachedRolePolicies", {}),
    ("ListRoleTags", {}),
    ("ListInstanceProfilesForRole", {}),
):
    case(
        "iam",
        _operation,
        lambda env, e=_extra: {"RoleName": "ecs-task-role", **e},
        one(f"iam:{_operation}", lambda env: env.r.task_role_arn),
        shown=lambda env: "role ecs-task-role",
    )


def role_write(
    operation: str,
    name: str,
    extra: dict,
    state: Callable[[Env], Any] | None = None,
    **own: bool,
) -> None:
    case(
        "iam",
        operation,
        lambda env: own_role(env, name, **own) and {"RoleName": name, **extra},
        lambda env: [(f"iam:{operation}", own_role(env, name, **own))],
        shown=lambda env: f"role {name}",
        state=state or (lambda env: role_view(env, name)),
    )


role_write("UpdateRole", "gate-update-role", {"Description": "updated"})
role_write(
    "UpdateAssumeRolePolicy", "gate-update-trust", {"PolicyDocument": json.dumps(ACCOUNT_TRUST)}
)
role_write(
    "PutRolePolicy",
    "gate-put-inline",
    {"PolicyName": "extra", "PolicyDocument": READ_ONLY_POLICY},
)
role_write("DeleteRolePolicy", "gate-delete-inline", {"PolicyName": "extra"}, inline=True)
role_write("PutRolePermissionsBoundary", "gate-put-boundary", {"PermissionsBoundary": S3_READ_ONLY})
role_write("DeleteRolePermissionsBoundary", "gate-delete-boundary", {}, boundary=True)
role_write("TagRole", "gate-tag-role", {"Tags": [{"Key": "team", "Value": "orders"}]})
role_write("UntagRole", "gate-untag-role", {"TagKeys": ["team"]}, tagged=True)
role_write("AttachRolePolicy", "gate-attach", {"PolicyArn": S3_READ_ONLY})
role_write("DetachRolePolicy", "gate-detach", {"PolicyArn": S3_READ_ONLY}, attached=True)
role_write("DeleteRole", "gate-deleted-role", {}, state=roles_named)
case(
    "iam",
    "CreateRole",
    lambda env: {
        "RoleName": "gate-created-role",
        "AssumeRolePolicyDocument": json.dumps(ECS_TRUST),
    },
    one("iam:CreateRole", lambda env: f"arn:aws:iam::{ACCOUNT}:role/gate-created-role"),
    shown=lambda env: "role gate-created-role",
    state=roles_named,
)


def policy_case(operation: str, name: str, extra: Callable[[Env], dict], **kw: Any) -> None:
    second = kw.pop("second_version", False)
    case(
        "iam",
        operation,
        lambda env: {"PolicyArn": own_policy(env, name, second), **extra(env)},
        lambda env: [(f"iam:{operation}", own_policy(env, name, second))],
        shown=lambda env: f"policy {name}",
        **kw,
    )


for _operation, _extra in (
    ("GetPolicy", {}),
    ("GetPolicyVersion", {"VersionId": "v1"}),
    ("ListPolicyVersions", {}),
    ("ListEntitiesForPolicy", {}),
):
    policy_case(_operation, "gate-readonly", lambda env, e=_extra: e)
policy_case(
    "CreatePolicyVersion",
    "gate-create-version",
    lambda env: {"PolicyDocument": READ_ONLY_POLICY},
    state=lambda env: policy_view(env, "gate-create-version"),
)
for _operation, _name in (
    ("DeletePolicyVersion", "gate-delete-version"),
    ("SetDefaultPolicyVersion", "gate-set-default"),
):
    policy_case(
        _operation,
        _name,
        lambda env: {"VersionId": "v2"},
        state=lambda env, n=_name: policy_view(env, n, True),
        second_version=True,
    )
policy_case("DeletePolicy", "gate-deleted-policy", lambda env: {}, state=local_policies)
case(
    "iam",
    "CreatePolicy",
    lambda env: {"PolicyName": "gate-created-policy", "PolicyDocument": READ_ONLY_POLICY},
    one("iam:CreatePolicy", lambda env: f"arn:aws:iam::{ACCOUNT}:policy/gate-created-policy"),
    shown=lambda env: "policy gate-created-policy",
    state=local_policies,
)


def user_case(operation: str, name: str, extra: Callable[[Env], dict], **kw: Any) -> None:
    own = kw.pop("own", {})
    case(
        "iam",
        operation,
        lambda env: own_user(env, name, **own) and {"UserName": name, **extra(env)},
        lambda env: [(f"iam:{operation}", own_user(env, name, **own))],
        shown=lambda env: f"user {name}",
        **kw,
    )


for _operation in ("GetUser", "ListAccessKeys", "ListAttachedUserPolicies", "ListUserPolicies"):
    user_case(_operation, "gate-reader", lambda env: {})
for _operation, _name, _extra, _own in (
    ("CreateAccessKey", "gate-key-created", {}, {}),
    ("AttachUserPolicy", "gate-user-attach", {"PolicyArn": S3_READ_ONLY}, {}),
    ("DetachUserPolicy", "gate-user-detach", {"PolicyArn": S3_READ_ONLY}, {"attached": True}),
    ("GetUserPolicy", "gate-user-get-inline", {"PolicyName": "extra"}, {"inline": True}),
    ("DeleteUserPolicy", "gate-user-del-inline", {"PolicyName": "extra"}, {"inline": True}),
    (
        "PutUserPolicy",
        "gate-user-inline",
        {"PolicyName": "extra", "PolicyDocument": READ_ONLY_POLICY},
        {},
    ),
):
    user_case(
        _operation,
        _name,
        lambda env, e=_extra: e,
        own=_own,
        state=lambda env, n=_name: user_view(env, n),
    )
user_case(
    "DeleteAccessKey",
    "gate-key-deleted",
    lambda env: {"AccessKeyId": env.memo["key gate-key-deleted"]},
    own={"key": True},
    state=lambda env: user_view(env, "gate-key-deleted"),
)
user_case("DeleteUser", "gate-user-deleted", lambda env: {}, state=user_names)
case(
    "iam",
    "CreateUser",
    lambda env: {"UserName": "gate-user-created"},
    one("iam:CreateUser", lambda env: f"arn:aws:iam::{ACCOUNT}:user/gate-user-created"),
    shown=lambda env: "user gate-user-created",
    state=user_names,
)
for _operation in ("ListRoles", "ListPolicies", "ListUsers", "GetAccountSummary"):
    case("iam", _operation, nothing_params, star(f"iam:{_operation}"))


# -- instance profiles (the EC2 launch type's ecsInstanceRole) -------------------------------------
def _profile_arn(env: Env) -> str:
    return f"arn:aws:iam::{env.r.account_id}:instance-profile/gate-profile"


case(
    "iam",
    "GetInstanceProfile",
    lambda env: {"InstanceProfileName": "gate-profile"},
    one("iam:GetInstanceProfile", _profile_arn),
    answer="NoSuchEntity",
)
case(
    "iam",
    "AddRoleToInstanceProfile",
    lambda env: {"InstanceProfileName": "gate-profile", "RoleName": "ecs-task-role"},
    one("iam:AddRoleToInstanceProfile", _profile_arn),
    answer="NoSuchEntity",
)
case(
    "iam",
    "CreateInstanceProfile",
    lambda env: {"InstanceProfileName": "gate-profile"},
    one("iam:CreateInstanceProfile", _profile_arn),
    own_lab=True,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- IAM's own errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy_arn",
    ["arn:aws:iam::aws:policy/NoSuchPolicy", f"arn:aws:iam::{ACCOUNT}:policy/NoSuchPolicy"],
    ids=["aws managed", "customer managed"],
)
def test_attaching_an_unknown_policy_is_no_such_entity(policy_arn):
    """§11: NoSuchEntity, HTTP 404, "Policy ARN does not exist or is not attachable." """
    env = shared_env()
    own_role(env, "gate-attach-unknown")
    info = refusal(
        env.admin("iam").attach_role_policy, RoleName="gate-attach-unknown", PolicyArn=policy_arn
    )
    assert_refusal(
        info, (404, "NoSuchEntity", f"Policy {policy_arn} does not exist or is not attachable.")
    )
    assert role_view(env, "gate-attach-unknown")["attached"] == []


def test_an_unknown_role_cannot_be_found():
    """§11: "The role with name X cannot be found." (moto says "Role X not found")."""
    env = shared_env()
    info = refusal(env.admin("iam").get_role, RoleName="gate-ghost")
    assert_refusal(info, (404, "NoSuchEntity", "The role with name gate-ghost cannot be found."))


GOOD_STATEMENT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
MALFORMED = {
    "effect in lower case": (
        "PutRolePolicy",
        policy({**GOOD_STATEMENT, "Effect": "allow"}),
        "The policy failed legacy parsing",
    ),
    "invalid JSON": (
        "PutRolePolicy",
        '{"Version": "2012-10-17", "Statement": [',
        "Syntax errors in policy.",
    ),
    "no Version": (
        "PutRolePolicy",
        json.dumps({"Statement": [GOOD_STATEMENT]}),
        "Policy document must be version 2012-10-17 or greater.",
    ),
    "no Resource": (
        "PutRolePolicy",
        policy({"Effect": "Allow", "Action": "s3:GetObject"}),
        "Policy statement must contain resources.",
    ),
    "a Principal": (
        "PutRolePolicy",
        policy({**GOOD_STATEMENT, "Principal": "*"}),
        "Policy document should not specify a principal.",
    ),
    "trust policy, invalid JSON": (
        "UpdateAssumeRolePolicy",
        '{"Version": "2012-10-17", "Statement": [',
        "This policy contains invalid Json",
    ),
    "trust policy with a Resource": (
        "UpdateAssumeRolePolicy",
        policy({**ECS_TRUST["Statement"][0], "Resource": "*"}),
        "Has prohibited field Resource",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_policy_document_gets_iams_text_first(name):
    """facts.md §2: MalformedPolicyDocument, HTTP 400, IAM's own sentence (ecslab may add where
    the problem is after it); the role is unchanged."""
    operation, document, text = MALFORMED[name]
    env = shared_env()
    own_role(env, "gate-malformed")
    before = role_view(env, "gate-malformed")
    params = {"RoleName": "gate-malformed", "PolicyDocument": document}
    if operation == "PutRolePolicy":
        params["PolicyName"] = "bad"
    info = refusal(getattr(env.admin("iam"), xform_name(operation)), **params)
    error = info.value.response["Error"]
    assert error["Code"] == "MalformedPolicyDocument"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == text or error["Message"].startswith(text + " ")
    assert role_view(env, "gate-malformed") == before


def test_a_malformed_document_from_a_caller_without_permission_is_access_denied():
    """IAM authorizes before it reads the document."""
    env = shared_env()
    own_role(env, "gate-malformed")
    session, caller = env.nothing()
    info = refusal(
        session.client("iam").put_role_policy,
        RoleName="gate-malformed",
        PolicyName="bad",
        PolicyDocument="{",
    )
    assert_refusal(
        info, denial("iam", "PutRolePolicy", caller, "iam:PutRolePolicy", "role gate-malformed")
    )
