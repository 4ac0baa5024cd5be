"""The EC2 launch type: the container instance role answers where the task has no role."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab.ecs.instances import ContainerInstanceSettingError
from ecslab.lab.course import default_task_definition


def _without_task_role(lab, family, network_mode="awsvpc", execution_role=True):
    definition = default_task_definition(lab.resources)
    definition.pop("taskRoleArn")
    definition["family"] = family
    definition["networkMode"] = network_mode
    definition["requiresCompatibilities"] = ["FARGATE"]
    if network_mode != "awsvpc" or not execution_role:
        # Fargate requires an execution role to pull from ECR, and awsvpc.
        definition["requiresCompatibilities"] = ["EC2"]
    if not execution_role:
        definition.pop("executionRoleArn")
        container = definition["containerDefinitions"][0]
        container.pop("secrets")
        container.pop("logConfiguration")
    return lab.register_task_definition(definition)


def _who_am_i():
    """An app that reads one object its role may not read, and prints what AWS answered."""
    s3 = boto3.client("s3")
    try:
        s3.get_object(Bucket="somebody-elses-bucket", Key="x")
    except ClientError as error:
        print(error.response["Error"]["Message"])
    except NoCredentialsError as error:
        print(f"NoCredentialsError: {error}")


def _reset(lab):
    instance = lab.container_instance
    instance.hop_limit = 2
    instance.http_tokens = "required"
    del instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"]


def test_instance_role_is_the_real_one(lab):
    role = lab.instance_role
    assert role.name == "ecsInstanceRole"
    assert role.policies == ["AmazonEC2ContainerServiceforEC2Role"]
    assert role.trust_policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert lab.container_instance.instance_id.startswith("i-0")
    assert len(lab.container_instance.instance_id) == 19


def test_fargate_task_without_task_role_has_no_credentials(lab):
    family = _without_task_role(lab, "no-role-fargate")
    task = lab.run_task(family, app=_who_am_i)
    assert task.logs == ["NoCredentialsError: Unable to locate credentials"]


def test_ec2_task_without_task_role_answers_as_the_instance_role(lab):
    _reset(lab)
    family = _without_task_role(lab, "no-role-ec2")
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    instance = lab.container_instance
    assert task.describe()["launchType"] == "EC2"
    assert task.describe()["containerInstanceArn"] == instance.arn
    [line] = task.logs
    assert line.startswith(
        "User: arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/"
        f"{instance.instance_id} is not authorized to perform: s3:GetObject"
    )
    app_calls = [e for e in task.trace.events if e.phase == "run" and e.principal != "ECS agent"]
    assert [(e.principal, e.role, e.action) for e in app_calls] == [
        ("orders app", "ecsInstanceRole", "s3:GetObject")
    ]
    dot = task.diagram().source
    assert "ecsInstanceRole" in dot


def test_get_caller_identity_names_the_instance_role_session(lab):
    """Every caller on the instance holds the instance role's one session, and STS says so."""
    _reset(lab)
    family = _without_task_role(lab, "who-am-i-ec2")

    def app():
        print(boto3.client("sts").get_caller_identity()["Arn"])

    task = lab.run_task(family, app=app, launch_type="EC2")
    instance_id = lab.container_instance.instance_id
    assert task.logs == [f"arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/{instance_id}"]


def test_the_agent_registers_with_the_instance_role(lab):
    lab.run_task(launch_type="EC2")
    calls = [
        (e.principal, e.role, e.action, e.decision)
        for e in lab.trace.events
        if e.action in ("ecs:RegisterContainerInstance", "ecs:DiscoverPollEndpoint")
        or (e.principal == "Amazon EC2")
    ]
    assert calls == [
        ("Amazon EC2", None, "sts:AssumeRole", "Allowed"),
        ("ECS agent", "ecsInstanceRole", "ecs:RegisterContainerInstance", "Allowed"),
        ("ECS agent", "ecsInstanceRole", "ecs:DiscoverPollEndpoint", "Allowed"),
    ]
    arns = lab.client("ecs").list_container_instances(cluster=lab.resources.cluster)
    assert arns["containerInstanceArns"] == [lab.container_instance.arn]


def test_blocking_imds_in_awsvpc_mode_leaves_no_credentials(lab):
    _reset(lab)
    lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"
    family = _without_task_role(lab, "no-role-ec2")
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    assert task.logs == ["NoCredentialsError: Unable to locate credentials"]
    _reset(lab)


def test_hop_limit_one_blocks_bridge_containers_when_tokens_are_required(lab):
    _reset(lab)
    family = _without_task_role(lab, "no-role-bridge", network_mode="bridge")
    lab.container_instance.hop_limit = 1
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    assert task.logs == ["NoCredentialsError: Unable to locate credentials"]
    # With IMDSv1 allowed, the SDK falls back to it and still finds the instance role.
    lab.container_instance.http_tokens = "optional"
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    assert "assumed-role/ecsInstanceRole/i-0" in task.logs[0]
    _reset(lab)


def test_with_a_task_role_the_task_role_wins(lab):
    _reset(lab)
    task = lab.run_task(app=_who_am_i, launch_type="EC2")
    assert "assumed-role/ecs-task-role/" + task.id in task.logs[0]


def test_pull_without_execution_role_uses_the_instance_role_on_ec2(lab):
    _reset(lab)
    family = _without_task_role(lab, "no-exec-ec2", execution_role=False)
    task = lab.run_task(family, app=lambda: None, launch_type="EC2")
    assert task.last_status == "STOPPED"
    assert task.stop_code == "EssentialContainerExited"
    pulls = [(e.principal, e.role) for e in task.trace.events if e.service == "ecr"]
    assert pulls and set(pulls) == {("ECS agent", "ecsInstanceRole")}


def test_without_the_instance_policy_the_pull_is_refused(lab):
    _reset(lab)
    family = _without_task_role(lab, "no-exec-ec2", execution_role=False)
    lab.run_task(family, app=lambda: None, launch_type="EC2")  # the instance registers
    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    task = lab.run_task(family, app=lambda: None, launch_type="EC2")
    assert task.stop_code == "TaskFailedToStart"
    assert (
        "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/"
        f"{lab.container_instance.instance_id} is not authorized to perform: "
        "ecr:GetAuthorizationToken on resource: *"
    ) in task.stopped_reason


def test_an_instance_role_without_its_policy_never_registers(lab):
    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    task = lab.run_task(launch_type="EC2")
    assert task.refusal.endswith(
        "RunTask was refused: InvalidParameterException: No Container Instances were found in "
        "your cluster."
    )
    [register] = [e for e in lab.trace.events if e.action == "ecs:RegisterContainerInstance"]
    assert (register.principal, register.role, register.decision) == (
        "ECS agent",
        "ecsInstanceRole",
        "ImplicitlyDenied",
    )
    assert lab.container_instance.arn is None


def test_ec2_on_a_cluster_without_instances_is_refused(lab):
    lab.client("ecs").create_cluster(clusterName="empty")
    with pytest.raises(ClientError) as raised:
        lab.client("ecs").run_task(
            cluster="empty",
            taskDefinition="orders",
            launchType="EC2",
            networkConfiguration=lab.network_configuration,
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert raised.value.response["Error"]["Message"] == (
        "No Container Instances were found in your cluster."
    )


def test_bad_settings_are_clear_errors(lab):
    instance = lab.container_instance
    with pytest.raises(ContainerInstanceSettingError, match="ECS_AWSVPC_BLOCK_IMDS"):
        instance.agent_config["ECS_AWSVPC_BLOCK_IMSD"] = "true"
    with pytest.raises(ContainerInstanceSettingError, match='"true" or "false"'):
        instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = True
    with pytest.raises(ContainerInstanceSettingError, match="does not simulate"):
        instance.agent_config["ECS_ENABLE_TASK_IAM_ROLE"] = "false"
    with pytest.raises(ContainerInstanceSettingError, match="1 to 64"):
        instance.hop_limit = 0
    with pytest.raises(ContainerInstanceSettingError, match="required"):
        instance.http_tokens = "v2"
    with pytest.raises(ContainerInstanceSettingError, match="hop_limit"):
        instance.hoplimit = 1
    with pytest.raises(ValueError, match="launch_type"):
        lab.run_task(launch_type="EXTERNAL")
    assert instance.hop_limit == 2
