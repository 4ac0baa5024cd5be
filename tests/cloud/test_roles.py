"""Roles for learners: every change goes through IAM, with IAM's own errors for bad input."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def test_attach_and_detach_by_name_or_arn(lab):
    role = lab.task_role
    role.attach("AmazonS3ReadOnlyAccess")
    role.attach("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    assert sorted(role.policies) == [
        "AmazonDynamoDBReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "orders-app",
    ]
    assert role.policies[-1] == "orders-app"  # managed first, then inline
    role.detach("AmazonS3ReadOnlyAccess")
    role.detach("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess")
    assert role.policies == ["orders-app"]
    admin_calls = lab.trace.filter(phase="admin", where=lambda e: "RolePolicy" in e.action)
    assert [e.action for e in admin_calls] == ["iam:AttachRolePolicy"] * 2 + [
        "iam:DetachRolePolicy"
    ] * 2


def test_an_unknown_policy_is_iams_no_such_entity_with_suggestions(lab):
    with pytest.raises(ClientError) as unknown:
        lab.execution_role.attach("AmazonS3ReadOnly")
    error = unknown.value.response["Error"]
    assert error["Code"] == "NoSuchEntity"
    assert error["Message"].startswith(
        "Policy arn:aws:iam::aws:policy/AmazonS3ReadOnly does not exist or is not attachable."
    )
    assert "AmazonS3ReadOnlyAccess" in error["Message"]
    assert lab.trace[-1].action == "iam:AttachRolePolicy"  # IAM really was asked


def test_an_aws_managed_policy_outside_the_course_set_still_attaches(lab):
    lab.task_role.attach("AmazonEC2ReadOnlyAccess")
    assert "AmazonEC2ReadOnlyAccess" in lab.task_role.policies


def test_wrong_path_arn_is_no_such_entity(lab):
    with pytest.raises(ClientError) as unknown:
        lab.execution_role.attach("arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy")
    assert unknown.value.response["Error"]["Code"] == "NoSuchEntity"


def test_inline_policies(lab):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Queue",
                "Effect": "Allow",
                "Action": "sqs:ReceiveMessage",
                "Resource": lab.resources.queue_arn,
            }
        ],
    }
    lab.task_role.put_inline("read-queue", document)
    assert lab.task_role.inline_policy("read-queue") == document
    assert lab.task_role.policies == ["orders-app", "read-queue"]
    lab.task_role.remove_inline("read-queue")
    assert lab.task_role.policies == ["orders-app"]
    with pytest.raises(ClientError) as missing:
        lab.task_role.remove_inline("read-queue")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_malformed_inline_policy_names_the_problem_and_changes_nothing(lab):
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObject"}],
    }
    with pytest.raises(ClientError) as refused:
        lab.task_role.put_inline("broken", bad)
    error = refused.value.response["Error"]
    assert error["Code"] == "MalformedPolicyDocument"
    assert error["Message"].startswith("Policy statement must contain resources.")
    assert 'Statement[0] (Sid "Typo")' in error["Message"] and "Resource" in error["Message"]
    assert lab.task_role.policies == ["orders-app"]
    with pytest.raises(ClientError) as bad_json:
        lab.task_role.put_inline("broken", '{"Version": "2012-10-17", "Statement": [}')
    assert bad_json.value.response["Error"]["Message"].startswith("Syntax errors in policy.")


def test_trust_policy_read_and_replace(lab):
    lab.task_role.set_trust_policy(TRUST_EC2)
    assert lab.task_role.trust_policy == TRUST_EC2
    with pytest.raises(ClientError) as refused:
        lab.task_role.set_trust_policy(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Resource": "*",
                    }
                ],
            }
        )
    assert refused.value.response["Error"]["Message"].startswith("Has prohibited field Resource")
    assert lab.task_role.trust_policy == TRUST_EC2


def test_any_role_by_name_and_unknown_roles(lab):
    role = lab.role("ecs-execution-role")
    assert role.arn == lab.resources.execution_role_arn
    with pytest.raises(ClientError) as unknown:
        lab.role("nope").arn  # noqa: B018
    assert unknown.value.response["Error"]["Message"] == "The role with name nope cannot be found."
    assert "ecs-task-role" in repr(lab.task_role)


def test_a_roles_path_description_boundary_and_session_length_are_readable(lab):
    role = lab.execution_role
    assert (role.path, role.description, role.permissions_boundary_arn) == ("/", None, None)
    assert role.max_session_duration == 3600
    boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    lab.client("iam").put_role_permissions_boundary(
        RoleName=role.name, PermissionsBoundary=boundary
    )
    lab.client("iam").update_role(
        RoleName=role.name, Description="pulls the image", MaxSessionDuration=7200
    )
    assert role.permissions_boundary_arn == boundary
    assert (role.description, role.max_session_duration) == ("pulls the image", 7200)


# -- in Japanese (日本語) ------------------------------------------------------------------------


def test_in_japanese_a_roles_repr_and_its_mistakes_are_in_japanese(lab):
    import warnings

    from ecslab.cloud.mistakes import UnknownActionWarning
    from ecslab.i18n import set_language

    role = lab.task_role
    role.remove_inline("orders-app")
    set_language("ja")
    assert repr(role) == "Role('ecs-task-role': ポリシーなし)"
    with pytest.raises(TypeError) as raised:
        role.attach(3)
    assert str(raised.value) == (
        "attach() の引数 (管理ポリシーの名前または ARN) は文字列 (str) で渡してください。"
        "渡された値: 3"
    )
    with pytest.raises(TypeError) as raised:
        role.put_inline("p", {"Resource": {1, 2}})
    assert str(raised.value).startswith(
        "put_inline() にはポリシーを JSON の値からなる dict か JSON テキストで渡してください。"
    )
    typo = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObjec", "Resource": "*"}],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        role.put_inline("typo", typo)
    [warning] = [w for w in caught if issubclass(w.category, UnknownActionWarning)]
    assert "ロール ecs-task-role のインラインポリシー 'typo'" in str(warning.message)
    set_language("en")
    assert repr(role) == "Role('ecs-task-role': typo)"
    role.remove_inline("typo")
    assert repr(role) == "Role('ecs-task-role': no policies)"
    with pytest.raises(TypeError) as raised:
        role.attach(3)
    assert str(raised.value) == (
        "attach() takes a managed policy's name or ARN as text (a str), not 3"
    )
