"""EFS volumes with IAM authorization: the mount, at launch, signs with the task role."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.ecs import efs
from ecslab.ecs.efs import with_efs_volume

REFUSED = (
    "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: "
    "stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful "
    "EFS utils command execution; code: 32"
)


def _allow(*actions, resource="*"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}],
    }


def _mounts(task):
    return [(e.phase, e.role, e.action, e.allowed) for e in task.trace if e.principal == efs.LABEL]


def test_the_file_system_is_made_on_first_use_with_a_policy_that_grants_nothing(lab):
    fs = lab.file_system
    assert fs.id.startswith("fs-") and lab.file_system.id == fs.id
    assert [t["SubnetId"] for t in fs.mount_targets] == list(lab.resources.subnets)
    (statement,) = fs.policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_definition_gets_an_efs_volume_with_iam(lab):
    definition = with_efs_volume(lab.task_definition(), lab.file_system.id, read_only=True)
    assert definition["family"] == "orders-efs"
    (volume,) = definition["volumes"]
    assert volume["efsVolumeConfiguration"] == {
        "fileSystemId": lab.file_system.id,
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"iam": "ENABLED"},
    }
    assert definition["containerDefinitions"][0]["mountPoints"] == [
        {"sourceVolume": "efs-data", "containerPath": "/data", "readOnly": True}
    ]


def test_the_course_task_role_is_refused_and_the_task_stops(lab):
    task = lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason == REFUSED
    assert not task.started
    assert _mounts(task) == [("launch", "ecs-task-role", "elasticfilesystem:ClientMount", False)]
    assert efs.LABEL in task.diagram()._repr_html_()


def test_the_task_role_fix_mounts(lab):
    fs = lab.file_system
    lab.task_role.put_inline(
        "efs",
        _allow("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", resource=fs.arn),
    )
    task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id))
    assert task.stop_code == "EssentialContainerExited"
    assert _mounts(task) == [
        ("launch", "ecs-task-role", "elasticfilesystem:ClientMount", True),
        ("launch", "ecs-task-role", "elasticfilesystem:ClientWrite", True),
    ]


def test_the_wrong_role_fix_does_nothing(lab):
    lab.execution_role.put_inline(
        "efs", _allow("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
    )
    task = lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))
    assert task.stopped_reason == REFUSED


def test_read_only_needs_no_client_write(lab):
    lab.task_role.put_inline("efs", _allow("elasticfilesystem:ClientMount"))
    task = lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id, read_only=True))
    assert task.stop_code == "EssentialContainerExited"
    assert _mounts(task) == [("launch", "ecs-task-role", "elasticfilesystem:ClientMount", True)]
    # writable without ClientWrite: mounted read-only, the refusal is in the trace
    task = lab.run_task(with_efs_volume(lab.task_definition("orders"), lab.file_system.id))
    assert task.stop_code == "EssentialContainerExited"
    assert _mounts(task)[-1] == ("launch", "ecs-task-role", "elasticfilesystem:ClientWrite", False)


def test_the_file_system_policy_can_allow_or_deny(lab):
    fs = lab.file_system
    role_arn = lab.task_role.arn
    fs.set_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": role_arn},
                    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    "Resource": fs.arn,
                }
            ],
        }
    )
    task = lab.run_task(with_efs_volume(lab.task_definition(), fs.id))
    assert task.stop_code == "EssentialContainerExited"  # an allow in either policy is enough
    lab.task_role.put_inline("efs", _allow("elasticfilesystem:*"))
    fs.set_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "elasticfilesystem:ClientMount",
                    "Resource": fs.arn,
                }
            ],
        }
    )
    task = lab.run_task(with_efs_volume(lab.task_definition("orders"), fs.id))
    assert task.stopped_reason == REFUSED  # an explicit deny in either wins


def test_without_iam_the_client_is_anonymous(lab):
    fs = lab.file_system
    definition = with_efs_volume(lab.task_definition(), fs.id, iam=False)
    assert lab.run_task(definition).stopped_reason == REFUSED  # the policy grants "*" nothing
    fs.delete_policy()
    assert fs.policy is None
    task = lab.run_task(definition)
    assert task.stop_code == "EssentialContainerExited"  # EFS's default policy: full access
    assert not any(e.role == "ecs-task-role" for e in task.trace if e.principal == efs.LABEL)


def test_iam_needs_transit_encryption(lab):
    definition = with_efs_volume(
        lab.task_definition(), lab.file_system.id, transit_encryption=False
    )
    with pytest.raises(ClientError) as caught:
        lab.register_task_definition(definition)
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert "transit encryption must be enabled" in caught.value.response["Error"]["Message"]


def test_an_unknown_file_system(lab):
    task = lab.run_task(with_efs_volume(lab.task_definition(), "fs-0123456789abcdef0"))
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith(
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: "
        'stderr: Failed to resolve "fs-0123456789abcdef0.efs.ap-northeast-1.amazonaws.com"'
    )


def test_bad_input_is_a_learner_error(lab):
    with pytest.raises(ValueError, match="'my-disk' is not an EFS file system id"):
        with_efs_volume(lab.task_definition(), "my-disk")
    with pytest.raises(ArgumentTypeError, match="with_efs_volume\\(\\) takes a task definition"):
        with_efs_volume(None, lab.file_system.id)
    with pytest.raises(ArgumentTypeError, match="read_only must be True or False"):
        with_efs_volume(lab.task_definition(), lab.file_system.id, read_only="no")
    with pytest.raises(ValueError, match="container_path"):
        with_efs_volume(lab.task_definition(), lab.file_system.id, container_path="data")
    with pytest.raises(ArgumentTypeError, match="dict or JSON text"):
        lab.file_system.set_policy(42)
    with pytest.raises(ClientError, match="InvalidPolicyException"):
        lab.file_system.set_policy("{not json")


def test_the_default_task_is_unchanged(lab):
    task = lab.run_task()
    assert task.stop_code == "EssentialContainerExited"
    assert not any(e.principal == efs.LABEL for e in task.trace)


def test_diagnose_points_the_mount_refusal_at_the_task_role(lab):
    from ecslab.coach.diagnose import diagnose

    task = lab.run_task(with_efs_volume(lab.task_definition(), lab.file_system.id))
    answer = diagnose(task.stopped_reason)
    assert (answer.role, answer.category, answer.phase) == ("task", "efs", "launch")
    assert "elasticfilesystem:ClientMount" in answer.fix
    unknown = lab.run_task(with_efs_volume(lab.task_definition("orders"), "fs-0123456789abcdef0"))
    assert diagnose(unknown.stopped_reason).role == "neither"
