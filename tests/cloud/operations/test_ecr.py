"""The gate for Amazon ECR (Elastic Container Registry), operation by operation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from ecslab.lab.course import image_manifest
from tests.cloud.operations.gate import (
    ROOT,
    VERSION,
    Case,
    Cases,
    Env,
    arn,
    nothing_params,
    one,
    or_missing,
    run_gate,
    star,
)

CASES = Cases("ecr")
case = CASES.add


def repository_policy(resource: bool) -> str:
    statement: dict[str, Any] = {
        "Sid": "Pull",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "ecr:BatchGetImage",
    }
    if resource:  # the gate insists on one (see the SetRepositoryPolicy case); fixtures add it
        statement["Resource"] = "*"
    return json.dumps({"Version": VERSION, "Statement": [statement]})


def layer_digest() -> str:
    return image_manifest()["layers"][0]["digest"]


def own_repository(env: Env, name: str, image: bool = False, with_policy: bool = False) -> str:
    def make() -> str:
        ecr = env.admin("ecr")
        ecr.create_repository(repositoryName=name)
        if image:
            ecr.put_image(
                repositoryName=name, imageManifest=json.dumps(image_manifest()), imageTag="1.0.0"
            )
        if with_policy:
            ecr.set_repository_policy(repositoryName=name, policyText=repository_policy(True))
        return name

    return env.once(f"repository {name} {image} {with_policy}", make)


def upload(env: Env, repository: str, part: bool = False) -> str:
    def make() -> str:
        ecr = env.admin("ecr")
        upload_id = ecr.initiate_layer_upload(repositoryName=own_repository(env, repository))[
            "uploadId"
        ]
        if part:
            ecr.upload_layer_part(
                repositoryName=repository,
                uploadId=upload_id,
                partFirstByte=0,
                partLastByte=4,
                layerPartBlob=b"layer",
            )
        return upload_id

    return env.once(f"upload {repository}", make)


# ECR (service_errors.md §8, §14)


def repo_arn(name: str) -> str:
    return arn("ecr", f"repository/{name}")


def course_repo(env: Env) -> str:
    return repo_arn(env.r.repository)


def image_tags(env: Env, name: str) -> list:
    images = env.admin("ecr").list_images(repositoryName=name)["imageIds"]
    return sorted(i.get("imageTag", "") for i in images)


def repository_view(env: Env, name: str) -> dict:
    ecr = env.admin("ecr")
    return {
        "images": image_tags(env, name),
        "policy": or_missing(
            lambda: ecr.get_repository_policy(repositoryName=name)["policyText"],
            "RepositoryPolicyNotFoundException",
        ),
    }


def repositories(env: Env) -> list:
    answer = env.admin("ecr").describe_repositories()["repositories"]
    return sorted(r["repositoryName"] for r in answer)


def ecr_read(operation: str, extra: Callable[[Env], dict], **kw: Any) -> None:
    case(
        "ecr",
        operation,
        lambda env: {"repositoryName": env.r.repository, **extra(env)},
        one(f"ecr:{operation}", course_repo),
        **kw,
    )


def ecr_write(operation: str, name: str, extra: Callable[[Env], dict], **kw: Any) -> None:
    """A write on a repository of its own (``own`` makes it, with an image or a policy)."""
    own = kw.pop("own", {})
    kw.setdefault("state", lambda env: repository_view(env, name))
    case(
        "ecr",
        operation,
        lambda env: {"repositoryName": own_repository(env, name, **own), **extra(env)},
        lambda env: [(f"ecr:{operation}", repo_arn(own_repository(env, name, **own)))],
        **kw,
    )


case("ecr", "GetAuthorizationToken", nothing_params, star("ecr:GetAuthorizationToken"))
ecr_read("BatchCheckLayerAvailability", lambda env: {"layerDigests": [layer_digest()]})
ecr_read("GetDownloadUrlForLayer", lambda env: {"layerDigest": layer_digest()})
ecr_read("BatchGetImage", lambda env: {"imageIds": [{"imageTag": "1.4.2"}]})
ecr_read("DescribeImages", lambda env: {})
ecr_read("ListImages", lambda env: {})
ecr_read("GetRepositoryPolicy", lambda env: {}, answer="RepositoryPolicyNotFoundException")
case(
    "ecr",
    "DescribeRepositories",
    lambda env: {"repositoryNames": [env.r.repository]},
    one("ecr:DescribeRepositories", course_repo),
)
ecr_write(
    "PutImage",
    "gate-put-image",
    lambda env: {"imageManifest": json.dumps(image_manifest()), "imageTag": "2.0.0"},
)
# Layer uploads leave nothing the administrator can read back: "never sent" is the check.
ecr_write("InitiateLayerUpload", "gate-initiate-upload", lambda env: {}, state=None)
ecr_write(
    "UploadLayerPart",
    "gate-upload-part",
    lambda env: {
        "uploadId": upload(env, "gate-upload-part"),
        "partFirstByte": 0,
        "partLastByte": 4,
        "layerPartBlob": b"layer",
    },
    state=None,
)
ecr_write(
    "CompleteLayerUpload",
    "gate-complete-upload",
    lambda env: {
        "uploadId": upload(env, "gate-complete-upload", part=True),
        "layerDigests": ["sha256:" + hashlib.sha256(b"layer").hexdigest()],
    },
    state=None,
)
ecr_write(
    "SetRepositoryPolicy",
    "gate-set-policy",
    lambda env: {"policyText": repository_policy(False)},
)
ecr_write(
    "DeleteRepositoryPolicy",
    "gate-delete-policy",
    lambda env: {},
    own={"with_policy": True},
)
ecr_write(
    "BatchDeleteImage",
    "gate-delete-image",
    lambda env: {"imageIds": [{"imageTag": "1.0.0"}]},
    own={"image": True},
)
ecr_write("DeleteRepository", "gate-deleted", lambda env: {}, state=repositories)
case(
    "ecr",
    "CreateRepository",
    lambda env: {"repositoryName": "gate-created"},
    one("ecr:CreateRepository", lambda env: repo_arn("gate-created")),
    state=repositories,
)
case(
    "ecr",
    "TagResource",
    lambda env: {
        "resourceArn": repo_arn(own_repository(env, "gate-tagged")),
        "tags": [{"Key": "team", "Value": "orders"}],
    },
    lambda env: [("ecr:TagResource", repo_arn(own_repository(env, "gate-tagged")))],
)

case(
    "ecr",
    "UntagResource",
    lambda env: {
        "resourceArn": repo_arn(own_repository(env, "gate-untagged")),
        "tagKeys": ["team"],
    },
    lambda env: [("ecr:UntagResource", repo_arn(own_repository(env, "gate-untagged")))],
)
case(
    "ecr",
    "ListTagsForResource",
    lambda env: {"resourceArn": repo_arn(course_repo(env))},
    lambda env: [("ecr:ListTagsForResource", repo_arn(course_repo(env)))],
    answer="RepositoryNotFoundException",  # moto reads the ARN as a repository name
)


@pytest.mark.parametrize(("c", "half"), CASES.params())
def test_gate(c: Case, half: str):
    """Allowed with exactly the expected permission; refused, in the service's words, without."""
    run_gate(c, half)
