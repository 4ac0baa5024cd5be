"""The gate for Amazon S3, operation by operation, and bucket policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cloud.operations.gate import (
    ACCOUNT,
    REGION,
    ROOT,
    Case,
    Cases,
    Env,
    assert_refusal,
    config_object,
    course_bucket,
    denial,
    last_events,
    nothing_params,
    object_arn,
    one,
    or_missing,
    policy,
    refusal,
    run_gate,
    shared_env,
    star,
)

CASES = Cases("s3")
case = CASES.add


def bucket_policy(bucket_name: str) -> str:
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket_name}/*",
        }
    )


def own_bucket(env: Env, name: str, with_policy: bool = False) -> str:
    def make() -> str:
        s3 = env.admin("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        if with_policy:
            s3.put_bucket_policy(Bucket=name, Policy=bucket_policy(name))
        return name

    return env.once(f"bucket {name} {with_policy}", make)


def own_object(env: Env, key: str) -> str:
    def make() -> str:
        env.admin("s3").put_object(Bucket=env.r.bucket, Key=key, Body=b"{}")
        return key

    return env.once(f"object {key}", make)


def object_keys(env: Env) -> list:
    answer = env.admin("s3").list_objects_v2(Bucket=env.r.bucket)
    return sorted(o["Key"] for o in answer.get("Contents", []))


def bucket_names(env: Env) -> list:
    return sorted(b["Name"] for b in env.admin("s3").list_buckets()["Buckets"])


def bucket_view(env: Env, name: str) -> dict:
    s3 = env.admin("s3")
    return {
        "policy": or_missing(
            lambda: s3.get_bucket_policy(Bucket=name)["Policy"], "NoSuchBucketPolicy"
        ),
        "tags": or_missing(lambda: s3.get_bucket_tagging(Bucket=name)["TagSet"], "NoSuchTagSet"),
    }


# S3 (service_errors.md §1, §14): object actions on the object ARN, listing and HeadBucket as
# s3:ListBucket on the bucket ARN; the message quotes the resource; HEAD has no body.


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def course_bucket_arn(env: Env) -> str:
    return bucket_arn(env.r.bucket)


case("s3", "GetObject", config_object, one("s3:GetObject", object_arn))
case("s3", "HeadObject", config_object, one("s3:GetObject", object_arn))
case("s3", "GetObjectTagging", config_object, one("s3:GetObjectTagging", object_arn))
case("s3", "ListObjectsV2", course_bucket, one("s3:ListBucket", course_bucket_arn))
case("s3", "ListObjects", course_bucket, one("s3:ListBucket", course_bucket_arn))
case("s3", "HeadBucket", course_bucket, one("s3:ListBucket", course_bucket_arn))
case(
    "s3",
    "GetBucketLocation",
    course_bucket,
    one("s3:GetBucketLocation", course_bucket_arn),
)
case(
    "s3",
    "GetBucketPolicy",
    course_bucket,
    one("s3:GetBucketPolicy", course_bucket_arn),
    answer="NoSuchBucketPolicy",
)
case(
    "s3",
    "GetBucketTagging",
    course_bucket,
    one("s3:GetBucketTagging", course_bucket_arn),
    answer="NoSuchTagSet",
)
case("s3", "ListBuckets", nothing_params, star("s3:ListAllMyBuckets"))
case(
    "s3",
    "PutObject",
    lambda env: {"Bucket": env.r.bucket, "Key": "gate/created.json", "Body": b"{}"},
    one("s3:PutObject", lambda env: object_arn(env, "gate/created.json")),
    state=object_keys,
)
case(
    "s3",
    "DeleteObject",
    lambda env: {"Bucket": env.r.bucket, "Key": own_object(env, "gate/deleted.json")},
    lambda env: [("s3:DeleteObject", object_arn(env, own_object(env, "gate/deleted.json")))],
    state=object_keys,
)
case(
    "s3",
    "PutObjectTagging",
    lambda env: {
        "Bucket": env.r.bucket,
        "Key": own_object(env, "gate/tagged.json"),
        "Tagging": {"TagSet": [{"Key": "team", "Value": "orders"}]},
    },
    lambda env: [("s3:PutObjectTagging", object_arn(env, own_object(env, "gate/tagged.json")))],
    state=lambda env: env.admin("s3").get_object_tagging(
        Bucket=env.r.bucket, Key=own_object(env, "gate/tagged.json")
    )["TagSet"],
)
case(
    "s3",
    "CopyObject",
    lambda env: {
        "Bucket": env.r.bucket,
        "Key": "gate/copy.json",
        "CopySource": {"Bucket": env.r.bucket, "Key": env.r.config_key},
    },
    lambda env: [
        ("s3:GetObject", object_arn(env)),
        ("s3:PutObject", object_arn(env, "gate/copy.json")),
    ],
    state=object_keys,
)
case(
    "s3",
    "CreateBucket",
    lambda env: {
        "Bucket": "gate-created-123456789012",
        "CreateBucketConfiguration": {"LocationConstraint": REGION},
    },
    one("s3:CreateBucket", lambda env: bucket_arn("gate-created-123456789012")),
    state=bucket_names,
)


def bucket_write(
    operation: str,
    name: str,
    extra: Callable[[str], dict],
    state: Callable[[Env], Any] | None = None,
    **own: bool,
) -> None:
    case(
        "s3",
        operation,
        lambda env: {"Bucket": own_bucket(env, name, **own), **extra(name)},
        lambda env: [(f"s3:{operation}", bucket_arn(own_bucket(env, name, **own)))],
        state=state or (lambda env: bucket_view(env, name)),
    )


bucket_write("DeleteBucket", "gate-deleted-123456789012", lambda n: {}, state=bucket_names)
bucket_write(
    "PutBucketPolicy", "gate-put-policy-123456789012", lambda n: {"Policy": bucket_policy(n)}
)
bucket_write(
    "DeleteBucketPolicy", "gate-delete-policy-123456789012", lambda n: {}, with_policy=True
)
bucket_write(
    "PutBucketTagging",
    "gate-tagging-123456789012",
    lambda n: {"Tagging": {"TagSet": [{"Key": "team", "Value": "orders"}]}},
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)


# -- beyond one case per operation -----------------------------------------------------------------


def test_bucket_policy_deny_is_an_explicit_deny_in_a_resource_based_policy():
    env = shared_env()
    name = own_bucket(env, "gate-denying-123456789012")
    env.admin("s3").put_object(Bucket=name, Key="app.json", Body=b"{}")
    session, caller = env.session([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{caller.split('/')[1]}"
    env.admin("s3").put_bucket_policy(
        Bucket=name,
        Policy=policy(
            {
                "Sid": "NotThisRole",
                "Effect": "Deny",
                "Principal": {"AWS": role_arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ),
    )
    s3 = session.client("s3")
    mark = len(env.lab.trace)
    info = refusal(s3.get_object, Bucket=name, Key="app.json")
    expected = denial(
        "s3",
        "GetObject",
        caller,
        "s3:GetObject",
        f"arn:aws:s3:::{name}/app.json",
        kind="resource-based",
        explicit=True,
    )
    assert expected[2].endswith('app.json" with an explicit deny in a resource-based policy')
    assert_refusal(info, expected)
    assert last_events(env, mark, caller, "GetObject") == [
        ("s3:GetObject", f"arn:aws:s3:::{name}/app.json", "ExplicitlyDenied")
    ]
