"""The gate for Amazon EFS's API as the lab answers it (ecslab.ecs.efs), operation by operation."""

from __future__ import annotations

import json

import pytest

from ecslab.ecs.efs import course_file_system
from tests.cloud.operations.gate import Case, Cases, Env, arn, nothing_params, one, run_gate

CASES = Cases("efs")
case = CASES.add


def fs_id(env: Env) -> str:
    return env.once("file system", lambda: course_file_system(env.world, env.r.subnets).id)


def fs_arn(env: Env) -> str:
    return arn("elasticfilesystem", f"file-system/{fs_id(env)}")


def on_fs(env: Env) -> dict:
    return {"FileSystemId": fs_id(env)}


case(
    "efs",
    "CreateFileSystem",
    lambda env: {"CreationToken": "gate-created"},
    one(
        "elasticfilesystem:CreateFileSystem", lambda env: arn("elasticfilesystem", "file-system/*")
    ),
)
case(
    "efs",
    "DescribeFileSystems",
    nothing_params,
    one(
        "elasticfilesystem:DescribeFileSystems",
        lambda env: arn("elasticfilesystem", "file-system/*"),
    ),
)
case(
    "efs",
    "CreateMountTarget",
    lambda env: {**on_fs(env), "SubnetId": "subnet-0123456789abcdef0"},
    one("elasticfilesystem:CreateMountTarget", fs_arn),
)
case("efs", "DescribeMountTargets", on_fs, one("elasticfilesystem:DescribeMountTargets", fs_arn))
case(
    "efs",
    "PutFileSystemPolicy",
    lambda env: {
        **on_fs(env),
        "Policy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": "*",
                        "Resource": fs_arn(env),
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    },
    one("elasticfilesystem:PutFileSystemPolicy", fs_arn),
)
case(
    "efs",
    "DescribeFileSystemPolicy",
    on_fs,
    one("elasticfilesystem:DescribeFileSystemPolicy", fs_arn),
)
case(
    "efs",
    "DeleteFileSystemPolicy",
    on_fs,
    one("elasticfilesystem:DeleteFileSystemPolicy", fs_arn),
    own_lab=True,
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
