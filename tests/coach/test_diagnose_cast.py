"""diagnose() on the failures of the whole cast (issue 14): the network at launch, an EC2 instance
role answering for an app, ECS Exec, and a cluster with no container instance — each run in the
lab and diagnosed from the lab's own text, and from real messages of the corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from ecslab import diagnose
from ecslab.lab.course import default_task_definition

CORPUS = {
    entry["id"]: entry
    for entry in json.loads(
        (Path(__file__).parent / "corpus" / "messages.json").read_text(encoding="utf-8")
    )
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def english_left(text: str) -> list[str]:
    unquoted = re.sub(r"'[^\n;]*'", "", text)
    return re.findall(r"\b[A-Za-z][a-z]+(?: [A-Za-z][a-z]+){2,}\b", unquoted)


def _who_am_i():
    s3 = boto3.client("s3")
    try:
        s3.get_object(Bucket="somebody-elses-bucket", Key="x")
    except ClientError as error:
        print(error.response["Error"]["Message"])
    except NoCredentialsError as error:
        print(f"NoCredentialsError: {error}")


def _without_task_role(lab, family, network_mode="awsvpc"):
    definition = default_task_definition(lab.resources)
    definition.pop("taskRoleArn")
    definition["family"] = family
    definition["networkMode"] = network_mode
    if network_mode != "awsvpc":
        definition["requiresCompatibilities"] = ["EC2"]
    return lab.register_task_definition(definition)


# -- (1) the network at launch -------------------------------------------------------------------


def _network_reasons(lab):
    lab.network.private_subnet(nat=False)
    reasons = [lab.run_task().stopped_reason]
    for name in ("ecr.api", "ssm", "secretsmanager", "ecr.dkr", "s3"):
        lab.network.add_endpoint(name)
        reasons.append(lab.run_task().stopped_reason)
    return reasons


def test_every_network_timeout_of_the_lab_is_neither_role(lab):
    reasons = _network_reasons(lab)
    assert len(set(reasons)) == 6  # ECR auth, SSM, Secrets Manager, the manifest, S3, Logs
    for reason in reasons:
        found = diagnose(reason)
        assert (found.role, found.category, found.phase) == ("neither", "network", "launch"), reason
        assert "its end differs" in found.explanation
        assert "no IAM change helps" in found.fix


def test_the_same_prefix_with_a_refusal_is_the_execution_role(lab):
    from ecslab.coach.scenarios import load

    load(lab, "execution-role-without-secret")
    refused = lab.run_task().stopped_reason
    prefix = "ResourceInitializationError: unable to pull secrets or registry auth"
    assert refused.startswith(prefix)
    assert diagnose(refused).role == "execution"
    # the network texts from public threads keep their answer, and get the same explanation
    real = diagnose(CORPUS["neither-net-asm-context-deadline"]["message"])
    assert (real.role, real.category) == ("neither", "network")
    assert "its end differs" in real.explanation


# -- (2) the instance role answering for an app with no task role --------------------------------


def test_the_instance_role_answering_points_at_the_task_role(lab):
    family = _without_task_role(lab, "no-role-ec2")
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    [line] = task.logs
    assert "assumed-role/ecsInstanceRole/i-0" in line
    found = diagnose(line)
    assert (found.role, found.category, found.phase) == ("task", "instance-role", "run")
    assert "The role to work on is the task role, not the instance role" in found.explanation
    assert "task role (taskRoleArn)" in found.fix
    assert "ECS_AWSVPC_BLOCK_IMDS=true" in found.fix
    assert "IMDSv2 required with a hop limit of 1" in found.fix
    assert lab.container_instance.instance_id in " ".join(found.evidence)


def test_the_same_over_imdsv1_in_bridge_mode(lab):
    family = _without_task_role(lab, "no-role-bridge", network_mode="bridge")
    lab.container_instance.http_tokens = "optional"
    task = lab.run_task(family, app=_who_am_i, launch_type="EC2")
    found = diagnose(task.logs[-1])
    assert (found.role, found.category) == ("task", "instance-role")
    assert "ECS_AWSVPC_BLOCK_IMDS" in found.fix


@pytest.mark.parametrize(
    "ident",
    [
        "neither-instance-role-sqs-createqueue",
        "neither-instance-role-ssm-cli-in-container",
        "neither-instance-role-cloudformation-spring",
    ],
)
def test_real_instance_role_sessions_get_the_task_role_fix(ident):
    found = diagnose(CORPUS[ident]["message"])
    assert (found.role, found.category, found.phase) == ("task", "instance-role", "run")
    assert "task role (taskRoleArn)" in found.fix


def test_the_agents_own_calls_are_fixed_on_the_instance_role(lab):
    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    lab.run_task(launch_type="EC2")
    [register] = [e for e in lab.trace.events if e.action == "ecs:RegisterContainerInstance"]
    found = diagnose(register.error)
    assert (found.role, found.category, found.phase) == ("instance", "instance-role", "deploy")
    assert found.fix.startswith("Attach AmazonEC2ContainerServiceforEC2Role")
    assert "taskRoleArn" not in found.fix


def test_a_pull_refused_to_the_instance_role_is_still_the_instance_role(lab):
    definition = default_task_definition(lab.resources)
    for key in ("taskRoleArn", "executionRoleArn"):
        definition.pop(key)
    definition.update(family="no-exec-ec2", requiresCompatibilities=["EC2"])
    container = definition["containerDefinitions"][0]
    container.pop("secrets")
    container.pop("logConfiguration")
    family = lab.register_task_definition(definition)
    lab.run_task(family, app=lambda: None, launch_type="EC2")  # the instance registers
    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    task = lab.run_task(family, app=lambda: None, launch_type="EC2")
    found = diagnose(task.stopped_reason)
    assert (found.role, found.category, found.phase) == ("instance", "instance-role", "launch")


# -- (3) ECS Exec ----------------------------------------------------------------------------------


def test_ecs_exec_not_connected_is_the_task_role(lab):
    task = lab.run_task(enable_execute_command=True)
    with pytest.raises(ClientError) as raised:
        lab.client("ecs").execute_command(
            cluster=lab.resources.cluster,
            task=task.describe()["taskArn"],
            interactive=True,
            command="/bin/sh",
        )
    [refused] = [e for e in lab.trace if e.service == "ssmmessages"]
    for text in (str(raised.value), refused.error):
        found = diagnose(text)
        assert (found.role, found.category, found.phase) == ("task", "ecs-exec", "run"), text
        assert found.explanation.startswith("ECS Exec failed inside the task")
        assert "never the task execution role" in found.explanation
        assert found.fix.endswith(
            "Adding them to the task execution role changes nothing: the SSM agent never uses it."
        )


def test_real_ecs_exec_messages():
    for ident in (
        "task-ecs-exec-target-not-connected",
        "task-ecs-exec-target-not-connected-raw-body",
    ):
        found = diagnose(CORPUS[ident]["message"])
        assert (found.role, found.category) == ("task", "ecs-exec")
        assert "TargetNotConnectedException" in found.explanation
    not_enabled = diagnose(CORPUS["neither-ecs-exec-not-enabled"]["message"])
    assert (not_enabled.role, not_enabled.category) == ("neither", "ecs-exec")


# -- (4) no container instance in the cluster ------------------------------------------------------


def test_runtask_with_no_container_instance_is_neither_role(lab):
    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    task = lab.run_task(launch_type="EC2")
    for text in (task.refusal, task.failure):
        found = diagnose(text)
        assert (found.role, found.category, found.phase) == ("neither", "placement", "deploy")
        assert "AmazonEC2ContainerServiceforEC2Role" in found.explanation
        assert "ECS_CLUSTER" in found.fix
        assert "RunTask found no container instance in the cluster" in found.evidence


@pytest.mark.parametrize(
    ("ident", "phase"),
    [
        ("neither-runtask-no-container-instances-java", "deploy"),
        ("neither-runtask-no-container-instances-ecs-cli", "deploy"),
        ("neither-place-no-container-instances", "launch"),
    ],
)
def test_real_no_container_instance_messages(ident, phase):
    entry = CORPUS[ident]
    found = diagnose(entry["message"])
    assert (found.role, found.category) == ("neither", "placement")
    assert entry["phase"] == phase
    assert "could not register it" in found.explanation


# -- in Japanese, and a learner's bad input --------------------------------------------------------


@pytest.mark.parametrize(
    "ident",
    [
        "neither-net-asm-context-deadline",
        "neither-instance-role-sqs-createqueue",
        "task-ecs-exec-target-not-connected",
        "neither-runtask-no-container-instances-java",
    ],
)
def test_the_new_explanations_in_japanese(ident):
    from ecslab.i18n import set_language

    english = diagnose(CORPUS[ident]["message"])
    set_language("ja")
    japanese = diagnose(CORPUS[ident]["message"])
    assert (japanese.role, japanese.category) == (english.role, english.category)
    for text in (japanese.explanation, japanese.fix):
        assert JAPANESE.search(text), text
        assert not english_left(text), text


def test_the_agents_refusal_in_japanese(lab):
    from ecslab.i18n import set_language

    lab.instance_role.detach("AmazonEC2ContainerServiceforEC2Role")
    task = lab.run_task(launch_type="EC2")
    [register] = [e for e in lab.trace.events if e.action == "ecs:RegisterContainerInstance"]
    set_language("ja")
    for text in (register.error, task.refusal):
        described = diagnose(text).describe()
        assert "AmazonEC2ContainerServiceforEC2Role" in described
        assert not english_left(described), described


def test_passing_the_task_instead_of_its_text_is_a_clear_error(lab):
    task = lab.run_task(launch_type="EC2")
    with pytest.raises(TypeError, match="takes the error message as text, not Task"):
        diagnose(task)  # type: ignore[arg-type]


def test_a_missing_secret_behind_fargates_generic_wrapper_is_not_the_registry():
    """Fargate's wrapper "unable to pull secrets or registry auth" names both: a secret that does
    not exist is a Secrets Manager problem, not ECR's authorization token."""
    text = (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
        "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 "
        "time(s): failed to fetch secret arn:aws:secretsmanager:ap-northeast-1:123456789012:"
        "secret:orders/nightly-AbCdEf from secrets manager: ResourceNotFoundException: Secrets "
        "Manager can't find the specified secret."
    )
    assert diagnose(text).category == "secrets-manager"


def test_an_app_timeout_names_the_service_to_reach_and_quotes_the_message():
    text = (
        "botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: "
        '"https://dynamodb.ap-northeast-1.amazonaws.com/"'
    )
    found = diagnose(text)
    assert (found.role, found.category, found.phase) == ("neither", "network", "run")
    assert "a path to dynamodb" in found.fix
    assert "network trouble: 'Connect timeout on endpoint URL'" in found.evidence
