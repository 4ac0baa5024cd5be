"""The EC2 launch type: a container instance, its instance role, and what answers for an app
that has no task role.

An EC2 container instance runs the ECS agent and carries an instance profile whose role —
``ecsInstanceRole``, with the AWS managed policy ``AmazonEC2ContainerServiceforEC2Role``, trusting
``ec2.amazonaws.com`` — "provides permissions needed for the Amazon ECS container agent and
Docker daemon to call AWS APIs on your behalf" ("Amazon ECS container instance IAM role",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html). In ecslab:

1. EC2 gets the role's credentials (``sts:AssumeRole`` by ``ec2.amazonaws.com``; the session name
   is the instance id, so the session is ``assumed-role/ecsInstanceRole/i-0...`` as on AWS);
2. the agent, with them, registers the instance in the cluster (``ecs:RegisterContainerInstance``)
   and asks where to poll for work (``ecs:DiscoverPollEndpoint``), as amazon-ecs-agent does at
   start (agent/api/ecsclient/client.go, agent/acs/session). The agent's long-poll itself
   (``ecs:Poll``, a WebSocket the SDK has no operation for) and its telemetry session
   (``ecs:StartTelemetrySession``) are not simulated: they are not in the trace;
3. for a task on the instance, the agent pulls images from ECR with the task execution role when
   the task has one, with the instance role otherwise (amazon-ecs-agent
   agent/api/container/container.go ``ShouldPullWithExecutionRole``; "the Amazon ECS, or Fargate,
   container agent must have permissions ...": https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html);
   the awslogs driver likewise gets the execution role's credentials when there is one
   (the agent's ``awslogs-credentials-endpoint`` option), the Docker daemon's instance role
   otherwise. Injected secrets always need the execution role;
4. the app's SDK looks for credentials: with a task role, the container credentials endpoint
   answers; without one, the chain falls through to the instance metadata service
   (:mod:`ecslab.cloud.imds`) and the app answers as the *instance role*.

What blocks that fallback, as the ECS guide documents it ("Amazon ECS task IAM role" →
"Additional configuration for Amazon EC2",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html) and the EC2 guide
("Instance metadata options",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html):

- ``agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"``: containers of tasks in ``awsvpc`` network
  mode cannot reach the instance metadata service at all;
- ``hop_limit = 1`` with ``http_tokens = "required"``: the IMDSv2 token response does not come back
  across the container's extra network hop (``bridge`` and ``awsvpc`` mode; ``host`` mode shares
  the instance's network and has no extra hop), and IMDSv1 is refused. With
  ``http_tokens = "optional"`` the SDK falls back to IMDSv1 and still gets the instance role.

The instance starts as an Amazon Linux 2023 ECS-optimized AMI starts one: ``HttpTokens``
``required`` and hop limit 2 (an AMI with ``ImdsSupport`` ``v2.0``: EC2 API reference,
``Image.imdsSupport``), and the agent settings ecs-init writes (``ECS_ENABLE_TASK_IAM_ROLE`` and
``ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST`` true, ``ECS_AWSVPC_BLOCK_IMDS`` false).

Not simulated, and refused with a clear error if asked for: turning ``ECS_ENABLE_TASK_IAM_ROLE``
or ``ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST`` off (the agent then stops offering task roles to
bridge/default or host mode tasks and ECS's placement refuses tasks that have one — its exact
answer is not on record here); the iptables rule the ECS guide gives for bridge mode; instance
types, resources and placement (the one instance takes every task); ECS Anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.cloud.account import random_hex
from ecslab.cloud.errors import Refusal, ServiceError
from ecslab.cloud.imds import MetadataRoute
from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import ContainerState, TaskState

INSTANCE_ROLE = "ecsInstanceRole"
INSTANCE_POLICY = "AmazonEC2ContainerServiceforEC2Role"
EC2_TRUST = {
    # "Amazon ECS container instance IAM role" (link above): the role's trust policy.
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
AGENT_VERSION = "1.89.3"
DOCKER_VERSION = "25.0.8"
# The agent settings ecslab knows (/etc/ecs/ecs.config), as ecs-init sets them on an
# ECS-optimized AMI (amazon-ecs-agent README, "Environment Variables").
AGENT_DEFAULTS = {
    "ECS_AWSVPC_BLOCK_IMDS": "false",
    "ECS_ENABLE_TASK_IAM_ROLE": "true",
    "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST": "true",
}
_NOT_SIMULATED = ("ECS_ENABLE_TASK_IAM_ROLE", "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST")
HTTP_TOKENS = ("required", "optional")
# Network hops from a container to the instance's metadata service, by network mode.
_HOPS = {"bridge": 2, "awsvpc": 2, "host": 1, "none": 2}


class ContainerInstanceSettingError(LearnerMistake, ValueError):
    """A container instance setting ecslab does not know, or a value it cannot take."""

    shown_as = "ValueError"


class AgentConfig(MutableMapping[str, str]):
    """The agent's configuration file, ``/etc/ecs/ecs.config``: known settings only, each
    ``"true"`` or ``"false"``. Deleting a setting puts back its default."""

    def __init__(self) -> None:
        self._values = dict(AGENT_DEFAULTS)

    def __getitem__(self, key: str) -> str:
        self._check_key(key)
        return self._values[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._check_key(key)
        if value not in ("true", "false"):
            raise ContainerInstanceSettingError(
                _(
                    '{key} takes the text "true" or "false" (as in /etc/ecs/ecs.config), not '
                    "{value}"
                ).format(key=key, value=repr(value))
            )
        if key in _NOT_SIMULATED and value == "false":
            raise ContainerInstanceSettingError(
                _(
                    "ecslab does not simulate {key}=false: the agent would stop offering task "
                    "roles to such tasks, and ECS would not place a task that has one. What "
                    "ecslab simulates: ECS_AWSVPC_BLOCK_IMDS, hop_limit and http_tokens."
                ).format(key=key)
            )
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        self._check_key(key)
        self._values[key] = AGENT_DEFAULTS[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    @staticmethod
    def _check_key(key: Any) -> None:
        if key not in AGENT_DEFAULTS:
            raise ContainerInstanceSettingError(
                _("ecslab does not know the agent setting {key}; it knows: {known}").format(
                    key=repr(key), known=", ".join(AGENT_DEFAULTS)
                )
            )

    def __repr__(self) -> str:
        return f"AgentConfig({self._values!r})"


class ContainerInstance:
    """The cluster's one EC2 container instance (``lab.container_instance``).

    >>> lab.container_instance.agent_config["ECS_AWSVPC_BLOCK_IMDS"] = "true"  # doctest: +SKIP
    >>> lab.container_instance.hop_limit = 1                                   # doctest: +SKIP
    """

    _SETTABLE = ("hop_limit", "http_tokens")

    def __init__(self, cluster: str, instance_id: str, role_name: str = INSTANCE_ROLE) -> None:
        object.__setattr__(self, "_state", {})
        state = self._state
        state.update(
            cluster=cluster,
            instance_id=instance_id,
            role_name=role_name,
            agent_config=AgentConfig(),
            hop_limit=2,
            http_tokens="required",
            arn=None,
            credentials=None,
            principal=None,
            aliases={},
        )

    # -- what a learner reads and sets -------------------------------------------------------------

    @property
    def instance_id(self) -> str:
        return str(self._state["instance_id"])

    @property
    def cluster(self) -> str:
        return str(self._state["cluster"])

    @property
    def role_name(self) -> str:
        """The role in the instance profile (the instance role)."""
        return str(self._state["role_name"])

    @property
    def arn(self) -> str | None:
        """The container instance ARN, once the agent has registered it."""
        return self._state["arn"]

    @property
    def agent_config(self) -> AgentConfig:
        return self._state["agent_config"]

    @property
    def hop_limit(self) -> int:
        """The IMDS PUT response hop limit (``HttpPutResponseHopLimit``), 1 to 64."""
        return int(self._state["hop_limit"])

    @property
    def http_tokens(self) -> str:
        """``"required"`` (IMDSv2 only) or ``"optional"`` (IMDSv1 answers too)."""
        return str(self._state["http_tokens"])

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "hop_limit":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
                # EC2's own range for HttpPutResponseHopLimit (ModifyInstanceMetadataOptions).
                raise ContainerInstanceSettingError(
                    _("hop_limit takes a whole number from 1 to 64, not {value}").format(
                        value=repr(value)
                    )
                )
        elif name == "http_tokens":
            if value not in HTTP_TOKENS:
                raise ContainerInstanceSettingError(
                    _(
                        'http_tokens takes "required" (IMDSv2 only) or "optional" (IMDSv1 '
                        "too), not {value}"
                    ).format(value=repr(value))
                )
        else:
            raise ContainerInstanceSettingError(
                _(
                    "A container instance has no setting {name}; you can set: hop_limit, "
                    "http_tokens, and agent_config[...] ({known})"
                ).format(name=repr(name), known=", ".join(AGENT_DEFAULTS))
            )
        self._state[name] = value

    def __repr__(self) -> str:
        return (
            f"ContainerInstance({self.instance_id}, role {self.role_name}, cluster "
            f"{self.cluster}, hop_limit={self.hop_limit}, http_tokens={self.http_tokens!r}, "
            f"agent_config={dict(self.agent_config)!r})"
        )

    # -- the instance at work ----------------------------------------------------------------------

    @property
    def registered(self) -> bool:
        return self._state["arn"] is not None

    def start(self, world: World) -> bool:
        """EC2 hands the instance its role; the agent registers it in the cluster. False when
        either is refused (the instance then never joins the cluster)."""
        if self.registered:
            return True
        with world.gate.phase("launch"):
            ec2 = world.service_keys("ec2.amazonaws.com", "Amazon EC2", phase="launch")
            try:
                credentials = world.assume_role(
                    ec2, self.role_name, self.instance_id, "ECS agent", "launch"
                )
            except ClientError:
                return False
            self._state["credentials"] = credentials
            self._state["principal"] = world.identities.resolve(credentials[0])
            ecs = world.pooled_client("ecs-agent", "ecs", credentials)
            document = {
                "accountId": world.account.account_id,
                "availabilityZone": f"{world.account.region}a",
                "instanceId": self.instance_id,
                "instanceType": "t3.medium",
                "region": world.account.region,
            }
            try:
                answer = ecs.register_container_instance(
                    cluster=self.cluster,
                    instanceIdentityDocument=json.dumps(document),
                    instanceIdentityDocumentSignature="simulated",
                    versionInfo={
                        "agentVersion": AGENT_VERSION,
                        "agentHash": "simulated",
                        "dockerVersion": f"DockerVersion: {DOCKER_VERSION}",
                    },
                )
                arn = answer["containerInstance"]["containerInstanceArn"]
                ecs.discover_poll_endpoint(containerInstance=arn, cluster=self.cluster)
            except ClientError:
                return False
        return True

    def registered_as(self, arn: str) -> None:
        """ECS registered the instance under this container instance ARN."""
        self._state["arn"] = arn

    def agent_credentials(
        self, world: World, task: TaskState, service: str
    ) -> tuple[str, str, str] | None:
        """What the agent (or the Docker daemon) uses when the task has no execution role:
        the instance role for the image pull and the awslogs driver, nothing for secrets."""
        if service not in ("ecr", "logs"):
            return None
        return self.session_for(world, task.id, "ECS agent", "launch")

    def session_for(
        self, world: World, task_id: str, label: str, phase: str
    ) -> tuple[str, str, str] | None:
        """The instance role's one session (same ARN, ``assumed-role/<instance role>/<instance
        id>``, for every caller on the instance, as on AWS), traced as ``label``'s calls for
        this task: the gate knows callers by access key, so each gets a key of its own."""
        principal = self._state["principal"]
        credentials = self._state["credentials"]
        if principal is None or credentials is None:
            return None
        aliases = self._state["aliases"]
        key = (task_id, label)
        if key not in aliases:
            access_key = f"ASIAECSLABIMDS{len(aliases) + 1:06d}"
            world.identities.register(
                access_key, replace(principal, label=label, phase=phase, task=task_id)
            )
            world.account.alias_session(credentials[0], access_key)
            aliases[key] = (access_key, credentials[1], credentials[2])
        return aliases[key]

    def imds_reachable(self, network_mode: str) -> bool:
        """Whether a container of a task in ``network_mode`` gets the instance role from IMDS
        (as :meth:`container` serves it): not blocked, and the IMDSv2 token comes back over
        the container's hops — or IMDSv1 is allowed."""
        if network_mode == "awsvpc" and self.agent_config["ECS_AWSVPC_BLOCK_IMDS"] == "true":
            return False
        return _HOPS.get(network_mode, 2) <= self.hop_limit or self.http_tokens == "optional"

    @contextmanager
    def container(
        self,
        world: World,
        task: TaskState,
        container: ContainerState,
        variables: dict[str, str],
    ) -> Iterator[None]:
        """While the container runs, its IMDS route is served and ``variables`` (the container's
        environment) lead botocore to it."""
        mode = task.definition.network_mode
        blocked = mode == "awsvpc" and self.agent_config["ECS_AWSVPC_BLOCK_IMDS"] == "true"
        route = MetadataRoute(
            instance_id=self.instance_id,
            role_name=self.role_name,
            credentials=self.session_for(world, task.id, f"{container.name} app", "run"),
            http_tokens=self.http_tokens,
            hop_limit=self.hop_limit,
            hops=_HOPS.get(mode, 2),
            blocked=blocked,
        )
        issued = world.imds.issue(route)
        variables.update(issued)
        # Set by the agent in every container on EC2 (the Fargate value is AWS_ECS_FARGATE).
        variables["AWS_EXECUTION_ENV"] = "AWS_ECS_EC2"
        try:
            yield
        finally:
            world.imds.revoke(issued)


class ContainerInstances:
    """ECS's side: container instances by cluster, and the API calls about them."""

    def __init__(self, world: World, service: Any) -> None:
        self.world = world
        self.service = service
        self.by_cluster: dict[str, ContainerInstance] = {}

    def instance(self, cluster: str) -> ContainerInstance:
        """The cluster's container instance, launched (its role made) on first use."""
        found = self.by_cluster.get(cluster)
        if found is None:
            ensure_instance_role(self.world)
            found = self.by_cluster[cluster] = ContainerInstance(cluster, f"i-0{random_hex(16)}")
        return found

    def place(self, cluster: dict[str, Any], course_cluster: str | None) -> ContainerInstance:
        """The instance an EC2 task goes to; ECS's refusal when the cluster has none."""
        name = cluster["clusterName"]
        if name not in self.by_cluster and name == course_cluster:
            self.instance(name)
        instance = self.by_cluster.get(name)
        if instance is None or not instance.start(self.world):
            # RunTask with launchType EC2 on a cluster without a registered instance
            # (https://github.com/aws/amazon-ecs-cli/issues/1122,
            # https://github.com/awsdocs/amazon-ecs-developer-guide/issues/1).
            raise Refusal(
                ServiceError(
                    400,
                    "InvalidParameterException",
                    "No Container Instances were found in your cluster.",
                )
            )
        return instance

    def answer(self, operation: str, params: Any) -> dict[str, Any]:
        return getattr(self, f"_{operation}")(params)

    def _cluster(self, reference: Any) -> dict[str, Any]:
        name = str(reference or "default").rsplit("/", 1)[-1]
        cluster = self.service.clusters.get(name)
        if cluster is None or cluster["status"] != "ACTIVE":
            # ECS: ClusterNotFoundException "Cluster not found." (as ECSService answers it)
            raise Refusal(ServiceError(400, "ClusterNotFoundException", "Cluster not found."))
        return cluster

    def _RegisterContainerInstance(self, params: Any) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        document = json.loads(str(params.get("instanceIdentityDocument") or "{}"))
        instance = self.by_cluster.get(cluster["clusterName"])
        if instance is None or document.get("instanceId") != instance.instance_id:
            # Not an AWS text: only the lab's own instance registers in ecslab.
            raise Refusal(
                ServiceError(
                    400,
                    "ClientException",
                    "ecslab: only the lab's container instance (lab.container_instance) "
                    "registers; RegisterContainerInstance from elsewhere is not simulated.",
                )
            )
        if instance.arn is None:
            account = self.world.account
            instance.registered_as(
                f"arn:aws:ecs:{account.region}:{account.account_id}:container-instance/"
                f"{cluster['clusterName']}/{random_hex(32)}"
            )
            cluster["registeredContainerInstancesCount"] += 1
        return {"containerInstance": self._describe(instance, params.get("versionInfo"))}

    def _DiscoverPollEndpoint(self, params: Any) -> dict[str, Any]:
        region = self.world.account.region
        # DiscoverPollEndpoint's documented response shape (ECS API reference).
        return {
            "endpoint": f"https://ecs-a-1.{region}.amazonaws.com/",
            "telemetryEndpoint": f"https://ecs-t-1.{region}.amazonaws.com/",
        }

    def _ListContainerInstances(self, params: Any) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        instance = self.by_cluster.get(cluster["clusterName"])
        return {"containerInstanceArns": [instance.arn] if instance and instance.arn else []}

    def _DescribeContainerInstances(self, params: Any) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        instance = self.by_cluster.get(cluster["clusterName"])
        found, failures = [], []
        for reference in params.get("containerInstances") or []:
            if (
                instance is not None
                and instance.arn
                and str(reference)
                in (
                    instance.arn,
                    instance.arn.rsplit("/", 1)[-1],
                )
            ):
                found.append(self._describe(instance))
            else:
                failures.append({"arn": str(reference), "reason": "MISSING"})
        return {"containerInstances": found, "failures": failures}

    def _describe(self, instance: ContainerInstance, version: Any = None) -> dict[str, Any]:
        return {
            "containerInstanceArn": instance.arn,
            "ec2InstanceId": instance.instance_id,
            "status": "ACTIVE",
            "agentConnected": True,
            "versionInfo": dict(
                version
                or {
                    "agentVersion": AGENT_VERSION,
                    "agentHash": "simulated",
                    "dockerVersion": f"DockerVersion: {DOCKER_VERSION}",
                }
            ),
            "runningTasksCount": 0,
            "pendingTasksCount": 0,
            "attributes": [{"name": "ecs.instance-type", "value": "t3.medium"}],
        }


def ensure_instance_role(world: World) -> None:
    """``ecsInstanceRole`` and its instance profile, as the ECS console creates them: trusting
    ec2.amazonaws.com, with AmazonEC2ContainerServiceforEC2Role (made by the lab, phase setup)."""
    if world.account.role(INSTANCE_ROLE) is not None:
        return
    with world.setup() as root:
        iam = root.client("iam")
        iam.create_role(RoleName=INSTANCE_ROLE, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        arn = world.attach_managed_policy_support(INSTANCE_POLICY)
        iam.attach_role_policy(RoleName=INSTANCE_ROLE, PolicyArn=arn)
        iam.create_instance_profile(InstanceProfileName=INSTANCE_ROLE)
        iam.add_role_to_instance_profile(InstanceProfileName=INSTANCE_ROLE, RoleName=INSTANCE_ROLE)


def describe_ec2(out: dict[str, Any], instance: ContainerInstance) -> None:
    """A task on EC2 as DescribeTasks shows it: launch type EC2, its container instance, and no
    Fargate platform fields."""
    out["launchType"] = "EC2"
    if instance.arn:
        out["containerInstanceArn"] = instance.arn
    for key in ("platformVersion", "platformFamily", "ephemeralStorage"):
        out.pop(key, None)
