"""The gate for AWS Systems Manager Parameter Store, operation by operation."""

from __future__ import annotations

import re

import pytest
from botocore import xform_name

from tests.cloud.operations.gate import (
    Case,
    Cases,
    Env,
    arn,
    count_sends,
    last_events,
    nothing_params,
    one,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("ssm")
case = CASES.add


def own_parameter(env: Env, name: str) -> str:
    def make() -> str:
        env.admin("ssm").put_parameter(Name=name, Type="String", Value="1")
        return name

    return env.once(f"parameter {name}", make)


def parameter_names(env: Env) -> list:
    return sorted(p["Name"] for p in env.admin("ssm").describe_parameters()["Parameters"])


# SSM Parameter Store (service_errors.md §6, §14): the leading "/" is collapsed into
# "parameter/"; WithDecryption of a customer-managed-key SecureString also needs kms:Decrypt.


def course_parameter(env: Env) -> str:
    return env.r.parameter_arn


def by_path_arn(env: Env) -> str:
    return arn("ssm", "parameter/orders/")


case(
    "ssm",
    "GetParameter",
    lambda env: {"Name": env.r.parameter},
    one("ssm:GetParameter", course_parameter),
)
case(
    "ssm",
    "GetParameters",
    lambda env: {"Names": [env.r.parameter]},
    one("ssm:GetParameters", course_parameter),
)
case(
    "ssm",
    "GetParametersByPath",
    lambda env: {"Path": "/orders/"},
    one("ssm:GetParametersByPath", by_path_arn),
)
for _operation, _params in (
    ("GetParameter", lambda env: {"Name": env.r.parameter}),
    ("GetParameters", lambda env: {"Names": [env.r.parameter]}),
):
    case(
        "ssm",
        _operation,
        lambda env, p=_params: {**p(env), "WithDecryption": True},
        lambda env, o=_operation: [
            (f"ssm:{o}", env.r.parameter_arn),
            ("kms:Decrypt", env.r.key_arn),
        ],
        variant="WithDecryption",
    )
case(
    "ssm",
    "GetParametersByPath",
    lambda env: {"Path": "/orders/", "WithDecryption": True},
    lambda env: [("ssm:GetParametersByPath", by_path_arn(env)), ("kms:Decrypt", env.r.key_arn)],
    variant="WithDecryption",
)
case(
    "ssm",
    "GetParameterHistory",
    lambda env: {"Name": env.r.parameter},
    one("ssm:GetParameterHistory", course_parameter),
)
case("ssm", "DescribeParameters", nothing_params, star("ssm:DescribeParameters"))
case(
    "ssm",
    "ListTagsForResource",
    lambda env: {"ResourceType": "Parameter", "ResourceId": env.r.parameter},
    one("ssm:ListTagsForResource", course_parameter),
)
case(
    "ssm",
    "AddTagsToResource",
    lambda env: {
        "ResourceType": "Parameter",
        "ResourceId": own_parameter(env, "/gate/tagged"),
        "Tags": [{"Key": "team", "Value": "orders"}],
    },
    lambda env: [("ssm:AddTagsToResource", arn("ssm", "parameter/gate/tagged"))],
)
case(
    "ssm",
    "RemoveTagsFromResource",
    lambda env: {
        "ResourceType": "Parameter",
        "ResourceId": own_parameter(env, "/gate/untagged"),
        "TagKeys": ["team"],
    },
    lambda env: [("ssm:RemoveTagsFromResource", arn("ssm", "parameter/gate/untagged"))],
)
case(
    "ssm",
    "PutParameter",
    lambda env: {"Name": "/gate/created", "Type": "String", "Value": "on"},
    one("ssm:PutParameter", lambda env: arn("ssm", "parameter/gate/created")),
    state=parameter_names,
)
case(
    "ssm",
    "DeleteParameter",
    lambda env: {"Name": own_parameter(env, "/gate/deleted")},
    lambda env: (
        own_parameter(env, "/gate/deleted")
        and [("ssm:DeleteParameter", arn("ssm", "parameter/gate/deleted"))]
    ),
    state=parameter_names,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetParameter", lambda env: {"Name": env.r.parameter}),
        ("GetParameters", lambda env: {"Names": [env.r.parameter]}),
    ],
    ids=["GetParameter", "GetParameters"],
)
def test_secure_string_under_a_customer_managed_key_needs_kms_decrypt(operation, params):
    """§6: SSM passes KMS's refusal on, with the Java SDK's decoration inside the message."""
    env = shared_env()
    session, caller = env.allowing([(f"ssm:{operation}", env.r.parameter_arn)])
    client = session.client("ssm")
    sent = count_sends(client)
    mark = len(env.lab.trace)
    info = refusal(getattr(client, xform_name(operation)), **params(env), WithDecryption=True)
    error = info.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    kms_text = (
        f"User: {caller} is not authorized to perform: kms:Decrypt on resource: {env.r.key_arn} "
        "because no identity-based policy allows the kms:Decrypt action"
    )
    decoration = (
        r" \(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
        r"Request ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}; Proxy: null\)"
    )
    assert re.fullmatch(re.escape(kms_text) + decoration, error["Message"])
    assert sent == []
    assert last_events(env, mark, caller, operation) == [
        (f"ssm:{operation}", env.r.parameter_arn, "Allowed"),
        ("kms:Decrypt", env.r.key_arn, "ImplicitlyDenied"),
    ]
