"""The deployer: the learner's RunTask as a restricted role, and the iam:PassRole checks ECS makes
on it, drawn before launch; the refusals as ECS words them (sources in ecslab/ecs/deployer.py)."""

from __future__ import annotations

import pytest

from ecslab import Lab
from ecslab.cloud.mistakes import ArgumentTypeError

ACCOUNT = "123456789012"
DEPLOYER = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-deployer/deployer"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-task-role"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecs-execution-role"
ONLY_RUN_TASK = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"}],
}


@pytest.fixture
def lab():
    return Lab()


def rows(task):
    return [(e.phase, e.principal, e.action, e.resource, e.decision) for e in task.trace]


def test_the_default_run_task_keeps_its_trace_without_a_deployer(lab):
    task = lab.run_task()
    assert task.trace[0].phase == "launch"
    assert not task.deployer_calls
    assert "deploy" not in task.diagram().source
    assert lab.world.account.role("ecs-deployer") is None  # made only on first use


def test_the_deployers_run_task_and_pass_role_come_first(lab):
    task = lab.run_task(as_deployer=True)
    assert task.stop_code == "EssentialContainerExited"
    definition = f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:task-definition/orders:1"
    assert rows(task)[:3] == [
        ("admin", "deployer", "ecs:RunTask", definition, "Allowed"),
        ("admin", "deployer", "iam:PassRole", TASK_ROLE, "Allowed"),
        ("admin", "deployer", "iam:PassRole", EXECUTION_ROLE, "Allowed"),
    ]
    assert task.trace[0].principal_arn == DEPLOYER
    assert task.trace[1].via == "ecs:RunTask"
    assert task.trace[3].phase == "launch"


def test_the_diagram_draws_the_deployer_before_launch(lab):
    diagram = lab.run_task(as_deployer=True).diagram()
    assert "cluster_deploy" in diagram.source
    text = diagram.describe()
    assert text.index("Phase deploy") < text.index("Phase launch")
    assert "The deployer, as role ecs-deployer, called iam:PassRole" in text
    assert "ecs-deployer has: deploy-tasks" in text
    assert "<svg" in diagram._repr_html_()


def test_without_pass_role_run_task_is_refused_with_ecs_words(lab):
    lab.deployer.put_inline("deploy-tasks", ONLY_RUN_TASK)
    task = lab.run_task(as_deployer=True)
    assert task.id is None
    # RunTask's AccessDeniedException (HTTP 400) with IAM's wording
    # (https://github.com/aws/serverless-application-model/issues/2247)
    assert task.failure == (
        f"AccessDeniedException: User: {DEPLOYER} is not authorized to perform: iam:PassRole on "
        f"resource: {TASK_ROLE} because no identity-based policy allows the iam:PassRole action"
    )
    assert rows(task)[-1] == ("admin", "deployer", "iam:PassRole", TASK_ROLE, "ImplicitlyDenied")
    text = task.diagram().describe()
    assert "✗ The deployer, as role ecs-deployer, called iam:PassRole" in text
    assert "Never reached: Amazon ECS would have assumed role ecs-execution-role" in text


def test_without_run_task_nothing_is_passed(lab):
    lab.deployer.put_inline(
        "deploy-tasks",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}],
        },
    )
    task = lab.run_task(as_deployer=True)
    definition = f"arn:aws:ecs:ap-northeast-1:{ACCOUNT}:task-definition/orders:1"
    assert task.failure == (
        f"AccessDeniedException: User: {DEPLOYER} is not authorized to perform: ecs:RunTask on "
        f"resource: {definition} because no identity-based policy allows the ecs:RunTask action"
    )
    assert [e.action for e in task.trace] == ["ecs:RunTask"]


def test_pass_role_only_to_ecs_tasks(lab):
    lab.deployer.put_inline(
        "deploy-tasks",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
                },
            ],
        },
    )
    task = lab.run_task(as_deployer=True)
    assert "iam:PassRole on resource: " + TASK_ROLE in task.failure


def test_the_deployer_is_a_role_you_edit(lab):
    deployer = lab.deployer
    assert deployer.name == "ecs-deployer"
    assert "deploy-tasks" in deployer.policies
    assert lab.deployer.name == "ecs-deployer"  # asking again makes nothing new


def test_as_deployer_must_be_a_bool(lab):
    with pytest.raises(ArgumentTypeError, match="as_deployer must be True or False, not str"):
        lab.run_task(as_deployer="yes")


def test_the_deployer_lane_in_japanese(lab):
    from ecslab.i18n import set_language

    task = lab.run_task(as_deployer=True)
    set_language("ja")
    text = task.diagram().describe()
    assert "デプロイ (deploy)" in text
    assert "デプロイ担当" in text


# -- the service-linked role, AWSServiceRoleForECS ----------------------------------------------

SLR = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
# InvalidParameterException, HTTP 400
# (https://github.com/aws-solutions/cost-optimizer-for-amazon-workspaces/issues/13)
UNABLE = (
    "Unable to assume the service linked role. Please verify that the ECS service linked role "
    "exists."
)


def test_the_service_linked_role_is_not_modelled_by_default(lab):
    task = lab.run_task()
    assert not lab.service_linked_role.modelled
    assert not lab.service_linked_role.exists
    assert all(e.principal != "Amazon ECS (service-linked role)" for e in lab.trace)
    assert task.stop_code == "EssentialContainerExited"


def test_ecs_makes_the_tasks_network_interface_as_its_service_linked_role(lab):
    lab.service_linked_role.model()
    assert lab.role("AWSServiceRoleForECS").policies == ["AmazonECSServiceRolePolicy"]
    task = lab.run_task()
    eni = task.trace[2]
    assert (eni.phase, eni.principal, eni.role, eni.action, eni.decision) == (
        "launch",
        "Amazon ECS (service-linked role)",
        "AWSServiceRoleForECS",
        "ec2:CreateNetworkInterface",
        "Allowed",
    )
    assert eni.principal_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForECS/ecs"
    assert eni.sid == "ECSTaskManagement"
    text = task.diagram().describe()
    assert "Amazon ECS (service-linked role), as role AWSServiceRoleForECS, called " in text
    assert "<svg" in task.diagram()._repr_html_()


def test_on_ec2_it_also_attaches_the_interface(lab):
    lab.service_linked_role.model()
    task = lab.run_task(launch_type="EC2")
    actions = [e.action for e in task.trace if e.role == "AWSServiceRoleForECS"]
    assert actions == ["ec2:CreateNetworkInterface", "ec2:AttachNetworkInterface"]


def test_without_the_role_run_task_is_refused(lab):
    lab.service_linked_role.model(exists=False)
    task = lab.run_task()
    assert task.id is None
    assert task.failure == f"InvalidParameterException: {UNABLE}"


def test_create_cluster_makes_the_role_with_the_callers_permission(lab):
    lab.service_linked_role.model(exists=False)
    lab.client("ecs").create_cluster(clusterName="team")
    assert lab.service_linked_role.exists
    check = lab.trace[-3]
    assert (check.principal, check.action, check.resource, check.decision, check.via) == (
        "you (administrator)",
        "iam:CreateServiceLinkedRole",
        SLR,
        "Allowed",
        "ecs:CreateCluster",
    )
    assert lab.run_task().stop_code == "EssentialContainerExited"


def test_a_deployer_who_may_not_create_it_gets_ecs_words(lab):
    from botocore.exceptions import ClientError

    lab.service_linked_role.model(exists=False)
    lab.deployer.put_inline(
        "deploy-tasks",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["ecs:RunTask", "ecs:CreateCluster", "iam:PassRole"],
                    "Resource": "*",
                }
            ],
        },
    )
    with pytest.raises(ClientError) as raised:
        lab.client("ecs", as_deployer=True).create_cluster(clusterName="team")
    assert raised.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": UNABLE,
    }
    assert not lab.service_linked_role.exists
    refused = lab.trace[-1]
    assert (refused.principal, refused.action, refused.decision) == (
        "deployer",
        "iam:CreateServiceLinkedRole",
        "ImplicitlyDenied",
    )
    task = lab.run_task(as_deployer=True)
    assert task.failure == f"InvalidParameterException: {UNABLE}"
    assert [e.action for e in task.trace] == ["ecs:RunTask", "iam:PassRole", "iam:PassRole"]


def test_the_condition_on_the_service_name_is_checked(lab):
    lab.service_linked_role.model(exists=False)
    lab.deployer.put_inline(
        "deploy-tasks",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "ecs:CreateCluster", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "iam:CreateServiceLinkedRole",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"iam:AWSServiceName": "ecs.amazonaws.com"}},
                },
            ],
        },
    )
    lab.client("ecs", as_deployer=True).create_cluster(clusterName="team")
    assert lab.service_linked_role.exists


def test_model_takes_a_bool(lab):
    with pytest.raises(ArgumentTypeError, match="exists must be True or False, not str"):
        lab.service_linked_role.model(exists="no")


def test_a_deployer_client_signs_as_the_deployer(lab):
    identity = lab.client("sts", as_deployer=True).get_caller_identity()
    assert identity["Arn"] == DEPLOYER
