"""ECS's service-linked role, ``AWSServiceRoleForECS``: the role ECS itself wears to manage a task's
elastic network interface in ``awsvpc`` mode (neither the task execution role nor the task role).

What AWS documents (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html):
the role trusts ``ecs.amazonaws.com``; its permissions policy is the AWS managed
``AmazonECSServiceRolePolicy`` (statement ``ECSTaskManagement``: ``ec2:CreateNetworkInterface``,
``ec2:AttachNetworkInterface``, ...); "when using the awsvpc network mode for your Amazon ECS
tasks, Amazon ECS manages the lifecycle of the elastic network interfaces associated with the
task"; and "when you create a cluster or create or update a service ... Amazon ECS creates the
service-linked role for you" — which needs the *caller's* ``iam:CreateServiceLinkedRole`` (condition
key ``iam:AWSServiceName`` = ``ecs.amazonaws.com``). When the role does not exist, RunTask and
CreateCluster fail with ``InvalidParameterException`` (HTTP 400) "Unable to assume the service
linked role. Please verify that the ECS service linked role exists." (RunTask:
https://github.com/aws-solutions/cost-optimizer-for-amazon-workspaces/issues/13,
https://github.com/awslabs/fargatecli/issues/35; CreateCluster:
https://github.com/aws-samples/run-selenium-tests-at-scale-using-ecs-fargate/issues/2,
https://github.com/aws-samples/baseline-environment-on-aws/issues/238).

The model is off by default (``modelled = False``), so a default lab's trace and diagrams stay as
they were. ``lab.service_linked_role.model()`` turns it on: the role exists (the course's cluster
was made through the API, which made it) unless ``model(exists=False)`` — a new account — or
``delete()``. Then:

- ``CreateCluster`` without the role checks the caller's ``iam:CreateServiceLinkedRole`` (traced in
  the caller's phase, through ``ecs:CreateCluster``) and creates the role, or is refused;
- ``RunTask`` of an ``awsvpc`` task without the role is refused, no task is created;
- each ``awsvpc`` task's launch begins with "Amazon ECS (service-linked role)" calling
  ``ec2:CreateNetworkInterface`` (and, on the EC2 launch type, ``ec2:AttachNetworkInterface``) as
  ``AWSServiceRoleForECS``, judged against the role's real managed policy.

Where the simulation is not faithful: the role session's name (``ecs``) is the lab's own (AWS does
not document it); IAM's eventual consistency right after the role is created (the "race" behind
some of the reports above) is not simulated; the ENI is not created in EC2 (the lab has no VPC in
moto); ECS's later ENI calls (``ec2:DeleteNetworkInterface`` when the task stops) are not traced.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ecslab.cloud.errors import Refusal, ServiceError
from ecslab.cloud.gate import CALL_LATENCY
from ecslab.cloud.identities import Principal
from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.cloud.operations import Authorization
from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import TaskState

ROLE_NAME = "AWSServiceRoleForECS"
SERVICE = "ecs.amazonaws.com"
ROLE_PATH = f"/aws-service-role/{SERVICE}/"
POLICY = "AmazonECSServiceRolePolicy"
LABEL = "Amazon ECS (service-linked role)"
# InvalidParameterException, HTTP 400 (sources in the module docstring)
UNABLE_TO_ASSUME = (
    "Unable to assume the service linked role. Please verify that the ECS service linked role "
    "exists."
)


class ServiceLinkedRole:
    """``AWSServiceRoleForECS`` in one lab (see the module docstring)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.modelled = False
        self._session_key: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.world.account.account_id}:role{ROLE_PATH}{ROLE_NAME}"

    @property
    def exists(self) -> bool:
        return self.world.account.role(ROLE_NAME) is not None

    def model(self, exists: bool = True) -> ServiceLinkedRole:
        """Turn the model on; ``exists=False``: an account where ECS never made the role."""
        if not isinstance(exists, bool):
            raise ArgumentTypeError(
                _("exists must be True or False, not {kind}").format(kind=type(exists).__name__)
            )
        self.modelled = True
        if exists and not self.exists:
            self._create()
        elif not exists and self.exists:
            self.delete()
        return self

    def delete(self) -> None:
        """Delete the role (as IAM's DeleteServiceLinkedRole would, once nothing uses it)."""
        if not self.exists:
            return
        with self.world.setup() as root:
            iam = root.client("iam")
            for attached in iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=ROLE_NAME, PolicyArn=attached["PolicyArn"])
            iam.delete_role(RoleName=ROLE_NAME)

    # -- hooks ECS calls ---------------------------------------------------------------------------

    def on_create_cluster(self, caller: Principal | None) -> None:
        """ECS creates the role for whoever creates a cluster, with that caller's permission."""
        if not self.modelled or self.exists or caller is None:
            return
        refusal = self.world.gate.authorize_principal(
            caller,
            "ecs",
            "CreateCluster",
            [
                Authorization(
                    "iam:CreateServiceLinkedRole",
                    self.arn,
                    context={"iam:AWSServiceName": SERVICE},
                    via="ecs:CreateCluster",
                )
            ],
        )
        if refusal is not None:
            raise Refusal(ServiceError(400, "InvalidParameterException", UNABLE_TO_ASSUME))
        self._create()

    def on_run_task(self, network_mode: str) -> None:
        """RunTask of an awsvpc task needs the role to exist."""
        if self.modelled and network_mode == "awsvpc" and not self.exists:
            raise Refusal(ServiceError(400, "InvalidParameterException", UNABLE_TO_ASSUME))

    def on_new_task(self, task: TaskState, launch_type: str) -> None:
        """ECS, as the role, creates (and on EC2 attaches) the task's network interface."""
        if not self.modelled or task.definition.network_mode != "awsvpc" or not self.exists:
            return
        world = self.world
        account, region = world.account.account_id, world.account.region
        principal = Principal(
            arn=f"arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/ecs",
            label=LABEL,
            kind="assumed-role",
            account=account,
            name=ROLE_NAME,
            session="ecs",
            phase="launch",
            task=task.id,
        )
        checks = [
            (
                "CreateNetworkInterface",
                Authorization(
                    "ec2:CreateNetworkInterface",
                    f"arn:aws:ec2:{region}:{account}:network-interface/{task.eni_id}",
                ),
            )
        ]
        instance = getattr(task, "instance", None)
        if launch_type == "EC2" and instance is not None:
            instance_id = getattr(instance, "instance_id", None) or getattr(instance, "id", "")
            checks.append(
                (
                    "AttachNetworkInterface",
                    Authorization(
                        "ec2:AttachNetworkInterface",
                        f"arn:aws:ec2:{region}:{account}:instance/{instance_id}",
                    ),
                )
            )
        with world.gate.phase("launch"):
            for operation, check in checks:
                world.clock.advance(CALL_LATENCY)
                world.gate.authorize_principal(principal, "ec2", operation, [check])

    # -- making it ---------------------------------------------------------------------------------

    def _create(self) -> None:
        trust: dict[str, Any] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": SERVICE},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        world = self.world
        with world.setup() as root:
            iam = root.client("iam")
            iam.create_role(
                RoleName=ROLE_NAME,
                Path=ROLE_PATH,
                AssumeRolePolicyDocument=json.dumps(trust),
            )
            iam.attach_role_policy(
                RoleName=ROLE_NAME, PolicyArn=world.attach_managed_policy_support(POLICY)
            )
