"""The gate for AWS Secrets Manager, operation by operation, and the KMS key behind a secret."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cloud.operations.gate import (
    ROOT,
    Case,
    Cases,
    Env,
    api_key_arn,
    arn,
    assert_refusal,
    count_sends,
    events_of,
    nothing_params,
    one,
    policy,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("secretsmanager")
case = CASES.add


SECRET_POLICY = policy(
    {
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "secretsmanager:DescribeSecret",
        "Resource": "*",
    }
)


def own_secret(
    env: Env, name: str, deleted: bool = False, tagged: bool = False, with_policy: bool = False
) -> str:
    """The secret's full ARN (with Secrets Manager's six-character suffix)."""

    def make() -> str:
        secrets = env.admin("secretsmanager")
        secret_arn = secrets.create_secret(Name=name, SecretString="initial")["ARN"]
        if deleted:
            secrets.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        if tagged:
            secrets.tag_resource(SecretId=name, Tags=[{"Key": "team", "Value": "orders"}])
        if with_policy:
            secrets.put_resource_policy(SecretId=name, ResourcePolicy=SECRET_POLICY)
        return secret_arn

    return env.once(f"secret {name} {deleted} {tagged} {with_policy}", make)


def secret_view(env: Env, name: str) -> dict:
    secrets = env.admin("secretsmanager")
    described = secrets.describe_secret(SecretId=name)
    view = {k: described.get(k) for k in ("Description", "DeletedDate", "Tags")}
    view["policy"] = secrets.get_resource_policy(SecretId=name).get("ResourcePolicy")
    if not described.get("DeletedDate"):
        view["value"] = secrets.get_secret_value(SecretId=name)["SecretString"]
    return view


# Secrets Manager (service_errors.md §5): authorized against the full ARN (with its suffix),
# printed as the SecretId was passed: a name, a full ARN or a partial ARN.


def partial(secret_arn: str) -> str:
    return secret_arn[: -len("-XXXXXX")]


SECRET_IDS: dict[str, Callable[[Env], str]] = {
    "by name": lambda env: env.r.api_key_secret,
    "by full ARN": lambda env: env.r.api_key_secret_arn,
    "by partial ARN": lambda env: partial(env.r.api_key_secret_arn),
}
for _variant, _secret_id in SECRET_IDS.items():
    for _operation in ("GetSecretValue", "DescribeSecret"):
        case(
            "secretsmanager",
            _operation,
            lambda env, s=_secret_id: {"SecretId": s(env)},
            one(f"secretsmanager:{_operation}", api_key_arn),
            shown=_secret_id,
            variant=_variant,
        )
case(
    "secretsmanager",
    "GetSecretValue",
    lambda env: {"SecretId": env.r.db_secret},
    lambda env: [
        ("secretsmanager:GetSecretValue", env.r.db_secret_arn),
        ("kms:Decrypt", env.r.key_arn),
    ],
    shown=lambda env: env.r.db_secret,
    variant="customer-managed key",
)
for _operation in ("ListSecretVersionIds", "GetResourcePolicy"):
    case(
        "secretsmanager",
        _operation,
        lambda env: {"SecretId": env.r.api_key_secret},
        one(f"secretsmanager:{_operation}", api_key_arn),
        shown=lambda env: env.r.api_key_secret,
    )


def secret_write(operation: str, name: str, extra: dict, **own: bool) -> None:
    case(
        "secretsmanager",
        operation,
        lambda env: own_secret(env, name, **own) and {"SecretId": name, **extra},
        lambda env: [(f"secretsmanager:{operation}", own_secret(env, name, **own))],
        shown=lambda env: name,
        state=lambda env: secret_view(env, name),
    )


secret_write("PutSecretValue", "gate/put-value", {"SecretString": "rotated"})
secret_write("UpdateSecret", "gate/update", {"Description": "payments key"})
secret_write("DeleteSecret", "gate/delete", {"RecoveryWindowInDays": 7})
secret_write("RestoreSecret", "gate/restore", {}, deleted=True)
secret_write("PutResourcePolicy", "gate/put-policy", {"ResourcePolicy": SECRET_POLICY})
secret_write("DeleteResourcePolicy", "gate/delete-policy", {}, with_policy=True)
secret_write("TagResource", "gate/tag", {"Tags": [{"Key": "team", "Value": "orders"}]})
secret_write("UntagResource", "gate/untag", {"TagKeys": ["team"]}, tagged=True)


def secret_names(env: Env) -> list:
    return sorted(s["Name"] for s in env.admin("secretsmanager").list_secrets()["SecretList"])


case(
    "secretsmanager",
    "CreateSecret",
    lambda env: {"Name": "gate/created", "SecretString": "x"},
    one("secretsmanager:CreateSecret", lambda env: arn("secretsmanager", "secret:gate/created")),
    shown=lambda env: "gate/created",
    state=secret_names,
    # Once the secret exists, the gate authorizes CreateSecret against its full ARN.
    own_lab=True,
)
case(
    "secretsmanager",
    "ListSecrets",
    nothing_params,
    star("secretsmanager:ListSecrets"),
    shown=lambda env: None,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


@pytest.mark.parametrize("form", ["by name", "by full ARN", "by partial ARN"])
def test_secret_under_a_customer_managed_key_needs_kms_decrypt(form):
    """§5: Secrets Manager decrypts with the caller's kms:Decrypt and answers, when KMS refuses,
    with exactly "Access to KMS is not allowed" (no ARN, no period)."""
    env = shared_env()
    secret_id = {
        "by name": env.r.db_secret,
        "by full ARN": env.r.db_secret_arn,
        "by partial ARN": partial(env.r.db_secret_arn),
    }[form]
    session, caller = env.allowing([("secretsmanager:GetSecretValue", env.r.db_secret_arn)])
    client = session.client("secretsmanager")
    sent = count_sends(client)
    mark = len(env.lab.trace)
    info = refusal(client.get_secret_value, SecretId=secret_id)
    assert_refusal(info, (400, "AccessDeniedException", "Access to KMS is not allowed"))
    assert sent == []
    events = events_of(env, mark, caller, "GetSecretValue")
    assert [(e.action, e.resource, e.decision) for e in events] == [
        ("secretsmanager:GetSecretValue", env.r.db_secret_arn, "Allowed"),
        ("kms:Decrypt", env.r.key_arn, "ImplicitlyDenied"),
    ]
    assert events[1].via and events[1].via.startswith("secretsmanager:")
