"""The gate for AWS KMS (Key Management Service), operation by operation, and key policies."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cloud.operations.gate import (
    ACCOUNT,
    ROOT,
    Case,
    Cases,
    Env,
    arn,
    assert_refusal,
    denial,
    last_events,
    nothing_params,
    one,
    policy,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("kms")
case = CASES.add


def key_policy() -> str:
    return policy(
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "Describe",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "kms:DescribeKey",
            "Resource": "*",
        },
    )


def own_key(env: Env, name: str, disabled: bool = False, pending: bool = False) -> str:
    """The key's ARN."""

    def make() -> str:
        kms = env.admin("kms")
        metadata = kms.create_key(Description=name)["KeyMetadata"]
        if disabled:
            kms.disable_key(KeyId=metadata["KeyId"])
        if pending:
            kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=7)
        return metadata["Arn"]

    return env.once(f"key {name} {disabled} {pending}", make)


def key_id(key: str) -> str:
    # moto's EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion look the KeyId up
    # as given (KeyError for an ARN), so those cases pass the key id; AWS takes either.
    return key.rsplit("/", 1)[-1]


def own_alias(env: Env, alias: str, key: str) -> str:
    def make() -> str:
        env.admin("kms").create_alias(AliasName=alias, TargetKeyId=own_key(env, key))
        return alias

    return env.once(f"alias {alias}", make)


def key_view(env: Env, key: str) -> dict:
    kms = env.admin("kms")
    return {
        "state": kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"],
        "policy": kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"],
        "tags": kms.list_resource_tags(KeyId=key)["Tags"],
    }


def ciphertext(env: Env) -> bytes:
    return env.once(
        "ciphertext",
        lambda: env.admin("kms").encrypt(KeyId=env.r.key_alias, Plaintext=b"orders")[
            "CiphertextBlob"
        ],
    )


def aliases(env: Env) -> list:
    answer = env.admin("kms").list_aliases()["Aliases"]
    return sorted((a["AliasName"], a.get("TargetKeyId")) for a in answer)


# KMS (service_errors.md §7): always the key's ARN; keys' default policy delegates to IAM.


def course_key(env: Env) -> str:
    return env.r.key_arn


def key_read(operation: str, params: Callable[[Env], dict]) -> None:
    case("kms", operation, params, one(f"kms:{operation}", course_key))


def key_write(operation: str, name: str, extra: dict, by_id: bool = False, **own: bool) -> None:
    def key(env: Env) -> str:
        return own_key(env, name, **own)

    case(
        "kms",
        operation,
        lambda env: {"KeyId": key_id(key(env)) if by_id else key(env), **extra},
        lambda env: [(f"kms:{operation}", key(env))],
        state=lambda env: key_view(env, key(env)),
    )


key_read("Encrypt", lambda env: {"KeyId": env.r.key_alias, "Plaintext": b"orders"})
key_read("Decrypt", lambda env: {"CiphertextBlob": ciphertext(env)})
key_read("GenerateDataKey", lambda env: {"KeyId": env.r.key_arn, "KeySpec": "AES_256"})
key_read(
    "GenerateDataKeyWithoutPlaintext", lambda env: {"KeyId": env.r.key_arn, "KeySpec": "AES_256"}
)
key_read("DescribeKey", lambda env: {"KeyId": env.r.key_alias})
key_read("GetKeyPolicy", lambda env: {"KeyId": env.r.key_arn, "PolicyName": "default"})
key_read("GetKeyRotationStatus", lambda env: {"KeyId": env.r.key_arn})
key_read("ListResourceTags", lambda env: {"KeyId": env.r.key_arn})
key_write("PutKeyPolicy", "gate-put-policy", {"PolicyName": "default", "Policy": key_policy()})
key_write("EnableKey", "gate-enable", {}, by_id=True, disabled=True)
key_write("DisableKey", "gate-disable", {}, by_id=True)
key_write("ScheduleKeyDeletion", "gate-schedule", {"PendingWindowInDays": 7}, by_id=True)
key_write("CancelKeyDeletion", "gate-cancel", {}, by_id=True, pending=True)
key_write("TagResource", "gate-tag", {"Tags": [{"TagKey": "team", "TagValue": "orders"}]})
case(
    "kms",
    "ReEncrypt",
    lambda env: {
        "CiphertextBlob": ciphertext(env),
        "DestinationKeyId": own_key(env, "gate-reencrypt-case"),
    },
    lambda env: [
        ("kms:ReEncryptFrom", env.r.key_arn),
        ("kms:ReEncryptTo", own_key(env, "gate-reencrypt-case")),
    ],
)
case(
    "kms",
    "CreateKey",
    lambda env: {"Description": "new"},
    star("kms:CreateKey"),
    state=lambda env: len(env.admin("kms").list_keys()["Keys"]),
)
case("kms", "ListKeys", nothing_params, star("kms:ListKeys"))
case("kms", "ListAliases", nothing_params, star("kms:ListAliases"))
case(
    "kms",
    "CreateAlias",
    lambda env: {"AliasName": "alias/gate-created", "TargetKeyId": env.r.key_arn},
    lambda env: [
        ("kms:CreateAlias", arn("kms", "alias/gate-created")),
        ("kms:CreateAlias", env.r.key_arn),
    ],
    state=aliases,
)
case(
    "kms",
    "DeleteAlias",
    lambda env: {"AliasName": own_alias(env, "alias/gate-deleted", "gate-alias-deleted")},
    lambda env: [
        ("kms:DeleteAlias", arn("kms", own_alias(env, "alias/gate-deleted", "gate-alias-deleted"))),
        ("kms:DeleteAlias", own_key(env, "gate-alias-deleted")),
    ],
    state=aliases,
)
case(
    "kms",
    "UpdateAlias",
    lambda env: {
        "AliasName": own_alias(env, "alias/gate-updated", "gate-alias-old"),
        "TargetKeyId": own_key(env, "gate-alias-new"),
    },
    lambda env: [
        ("kms:UpdateAlias", arn("kms", own_alias(env, "alias/gate-updated", "gate-alias-old"))),
        ("kms:UpdateAlias", own_key(env, "gate-alias-old")),
        ("kms:UpdateAlias", own_key(env, "gate-alias-new")),
    ],
    state=aliases,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


def test_a_key_policy_that_does_not_allow_the_account_refuses_iam_permissions():
    """§7: the key policy is the gate to a KMS key. One naming only someone else refuses the
    caller's IAM permission ("no resource-based policy"); one naming the caller's role grants
    without any IAM permission."""
    env = shared_env()
    session, caller = env.session([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}])
    kms = env.admin("kms")

    def key_for(principal: str) -> str:
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": "kms:*",
            "Resource": "*",
        }
        return kms.create_key(Policy=policy(statement))["KeyMetadata"]["Arn"]

    someone_else = key_for(f"arn:aws:iam::{ACCOUNT}:user/learner")
    client = session.client("kms")
    info = refusal(client.encrypt, KeyId=someone_else, Plaintext=b"x")
    assert_refusal(
        info,
        denial("kms", "Encrypt", caller, "kms:Encrypt", someone_else, kind="resource-based"),
    )

    nothing_session, nothing_caller = env.nothing()
    granted = key_for(f"arn:aws:iam::{ACCOUNT}:role/{nothing_caller.split('/')[1]}")
    nothing_session.client("kms").encrypt(KeyId=granted, Plaintext=b"x")


def test_kms_reencrypt_is_authorized_as_reencrypt_from_and_to():
    env = shared_env()
    destination = own_key(env, "gate-reencrypt-destination")
    session, caller = env.allowing(
        [("kms:ReEncryptFrom", env.r.key_arn), ("kms:ReEncryptTo", destination)]
    )
    mark = len(env.lab.trace)
    session.client("kms").re_encrypt(CiphertextBlob=ciphertext(env), DestinationKeyId=destination)
    assert sorted(last_events(env, mark, caller, "ReEncrypt")) == [
        ("kms:ReEncryptFrom", env.r.key_arn, "Allowed"),
        ("kms:ReEncryptTo", destination, "Allowed"),
    ]
