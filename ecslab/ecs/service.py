"""The ECS control plane of the lab: clusters, task definitions and tasks, answered by ecslab.

ECS is the one service ecslab simulates itself rather than through moto: moto's ECS never calls
ECR, Logs or Secrets Manager, has no PROVISIONING/PENDING, keeps only a task's first container
and rejects valid input (a container without ``memory``, awsvpc without security groups). Calls
still go through the gate like any other (authorized, traced, refused in ECS's error shape);
when authorized, this module answers them in the API's own shapes, and ``RunTask`` runs the
task's whole life (:mod:`ecslab.ecs.lifecycle`) before it returns the task as it was created.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.cloud.account import random_hex, random_int, random_uuid
from ecslab.cloud.errors import Refusal, ServiceError, not_modelled
from ecslab.ecs import definitions, reasons
from ecslab.ecs import exec as ecs_exec
from ecslab.ecs.definitions import Program, TaskDefinition
from ecslab.ecs.images import Images, parse_image
from ecslab.ecs.instances import ContainerInstances, describe_ec2
from ecslab.ecs.lifecycle import ContainerState, Lifecycle, TaskState
from ecslab.ecs.network import Network
from ecslab.ecs.plan import TASK_ID, Cast, Plan, cast_of
from ecslab.ecs.plan import plan as plan_calls
from ecslab.ecs.registries import DockerHub
from ecslab.ecs.service_linked import ServiceLinkedRole

if TYPE_CHECKING:
    from ecslab.cloud.identities import Principal
    from ecslab.cloud.world import World

_PROGRAMS: contextvars.ContextVar[dict[str, Program] | None] = contextvars.ContextVar(
    "ecslab_programs", default=None
)
AVAILABILITY_ZONE = "ap-northeast-1a"


def _error(code: str, message: str) -> Refusal:
    return Refusal(ServiceError(400, code, message))


class ECSService:
    """Clusters, task definitions and tasks of one lab's account."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.images = Images()
        self.docker_hub = DockerHub()  # a simulation of its anonymous quota
        self.clusters: dict[str, dict[str, Any]] = {}
        self.definitions: dict[str, dict[int, TaskDefinition]] = {}
        self.tasks: dict[str, TaskState] = {}
        self._programs_by_definition: dict[str, dict[str, Program]] = {}
        self._caller: Principal | None = None
        self.network = Network(world.account.region)
        self.instances = ContainerInstances(world, self)  # the EC2 launch type
        self.course_cluster: str | None = None  # the cluster whose instance starts on demand
        self.service_linked_role = ServiceLinkedRole(world)  # off unless a lab models it

    @property
    def account(self) -> str:
        return self.world.account.account_id

    @property
    def region(self) -> str:
        return self.world.account.region

    def _arn(self, rest: str) -> str:
        return f"arn:aws:ecs:{self.region}:{self.account}:{rest}"

    # -- helpers for the lab -----------------------------------------------------------------------

    @staticmethod
    @contextmanager
    def programs(programs: Mapping[str, Program]) -> Iterator[None]:
        """``RunTask``/``RegisterTaskDefinition`` calls inside run these programs by container."""
        token = _PROGRAMS.set(dict(programs))
        try:
            yield
        finally:
            _PROGRAMS.reset(token)

    def latest_revision(self, family: str) -> int | None:
        """The family's latest ACTIVE revision: what a bare family name means."""
        active = [
            r for r, d in (self.definitions.get(family) or {}).items() if d.status == "ACTIVE"
        ]
        return max(active) if active else None

    def definition(self, reference: str) -> TaskDefinition | None:
        """By ARN or ``family:revision`` (ACTIVE or INACTIVE), or ``family`` (its latest ACTIVE
        revision)."""
        text = reference.rsplit("task-definition/", 1)[-1]
        family, _, revision = text.partition(":")
        revisions = self.definitions.get(family) or {}
        if revision:
            return revisions.get(int(revision)) if revision.isdigit() else None
        latest = self.latest_revision(family)
        return revisions[latest] if latest is not None else None

    def programs_of(
        self, definition: TaskDefinition, overrides: Mapping[str, Program] | None = None
    ) -> dict[str, Program | None]:
        """The program each container will run: an override, the task definition's, or the
        image's (by tag; as the lifecycle chooses)."""
        chosen: dict[str, Program | None] = {}
        for container in definition.containers:
            program = (overrides or {}).get(container.name) or container.program
            if program is None:
                program = self.images.program_for(parse_image(container.image))
            chosen[container.name] = program
        return chosen

    def plan(
        self,
        reference: str,
        programs: Mapping[str, Program] | None = None,
        task: TaskState | None = None,
        cast: Cast | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Plan | None:
        """What a task of this task definition will ask AWS for (``None``: no such definition).
        With ``task``, the plan of that task: its id, overrides and programs."""
        definition = task.definition if task is not None else self.definition(reference)
        if definition is None:
            return None
        if task is not None:
            programs = task.program_overrides
            agent = ecs_exec.AGENT if task.enable_execute_command else None
            cast = cast_of(definition, task.instance, agent)
        return plan_calls(
            definition,
            self.world.account,
            self.programs_of(definition, programs),
            task.id if task is not None else TASK_ID,
            task.overrides if task is not None else overrides,
            cast,
        )

    def definition_roles(self, reference: str) -> list[str]:
        definition = self.definition(reference)
        if definition is None:
            return []
        return [r for r in (definition.task_role_arn, definition.execution_role_arn) if r]

    # -- the API -----------------------------------------------------------------------------------

    def answer(
        self, operation: str, params: Mapping[str, Any], principal: Principal
    ) -> dict[str, Any] | None:
        self._caller = principal
        handler = getattr(self, f"_{operation}", None)
        if handler is None and hasattr(self.instances, f"_{operation}"):
            return self.instances.answer(operation, params)
        if handler is None:
            # ECS is answered by the lab alone: what it does not simulate, it refuses.
            modelled = sorted(
                name[1:] for name in dir(self) if name[1:2].isupper() and name.startswith("_")
            )
            raise Refusal(not_modelled("ecs", operation, modelled))
        return handler(params)

    def _cluster(self, reference: Any) -> dict[str, Any]:
        name = str(reference or "default").rsplit("/", 1)[-1]
        cluster = self.clusters.get(name)
        if cluster is None or cluster["status"] != "ACTIVE":
            # ECS: ClusterNotFoundException "Cluster not found."
            raise _error("ClusterNotFoundException", "Cluster not found.")
        return cluster

    def _CreateCluster(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = str(params.get("clusterName") or "default")
        cluster = self.clusters.get(name)
        if cluster is None or cluster["status"] != "ACTIVE":
            self.service_linked_role.on_create_cluster(self._caller)
            cluster = {
                "clusterArn": self._arn(f"cluster/{name}"),
                "clusterName": name,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 0,
                "pendingTasksCount": 0,
                "activeServicesCount": 0,
                "statistics": [],
                "tags": list(params.get("tags") or []),
                "settings": list(
                    params.get("settings") or [{"name": "containerInsights", "value": "disabled"}]
                ),
                "capacityProviders": list(params.get("capacityProviders") or []),
                "defaultCapacityProviderStrategy": list(
                    params.get("defaultCapacityProviderStrategy") or []
                ),
            }
            self.clusters[name] = cluster
        return {"cluster": dict(cluster)}

    def _DescribeClusters(self, params: Mapping[str, Any]) -> dict[str, Any]:
        found, failures = [], []
        for reference in params.get("clusters") or ["default"]:
            name = str(reference).rsplit("/", 1)[-1]
            cluster = self.clusters.get(name)
            if cluster is None:
                failures.append({"arn": self._arn(f"cluster/{name}"), "reason": "MISSING"})
            else:
                found.append(self._with_counts(cluster))
        return {"clusters": found, "failures": failures}

    def _with_counts(self, cluster: dict[str, Any]) -> dict[str, Any]:
        tasks = [t for t in self.tasks.values() if t.cluster_arn == cluster["clusterArn"]]
        return {
            **cluster,
            "runningTasksCount": sum(t.last_status == "RUNNING" for t in tasks),
            "pendingTasksCount": sum(t.last_status == "PENDING" for t in tasks),
        }

    def _ListClusters(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "clusterArns": [
                c["clusterArn"] for c in self.clusters.values() if c["status"] == "ACTIVE"
            ]
        }

    def _DeleteCluster(self, params: Mapping[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        cluster["status"] = "INACTIVE"
        return {"cluster": dict(cluster)}

    def _RegisterTaskDefinition(self, params: Mapping[str, Any]) -> dict[str, Any]:
        family = str(params.get("family") or "")
        # Revision numbers are never reused, even after the latest one is deregistered.
        revision = max(self.definitions.get(family) or {0}) + 1
        programs = _PROGRAMS.get() or {}
        definition = definitions.build(
            params,
            revision,
            self._arn(f"task-definition/{family}:{revision}"),
            self.world.clock.timestamp(),
            lambda arn: self.world.account.role(arn.rsplit("/", 1)[-1]) is not None,
            programs,
            self._caller.arn if self._caller is not None else None,
        )
        self.definitions.setdefault(family, {})[revision] = definition
        return {"taskDefinition": definition.describe(), "tags": list(params.get("tags") or [])}

    def _found_definition(self, reference: Any) -> TaskDefinition:
        definition = self.definition(str(reference or ""))
        if definition is None:
            raise _error("ClientException", "Unable to describe task definition.")
        return definition

    def _DescribeTaskDefinition(self, params: Mapping[str, Any]) -> dict[str, Any]:
        definition = self._found_definition(params.get("taskDefinition"))
        return {"taskDefinition": definition.describe()}

    def _DeregisterTaskDefinition(self, params: Mapping[str, Any]) -> dict[str, Any]:
        reference = str(params.get("taskDefinition") or "")
        if ":" not in reference.rsplit("task-definition/", 1)[-1]:
            # "You must specify a revision." (API reference, DeregisterTaskDefinition); the
            # exact text of the ClientException is not on record, so this quotes the reference.
            raise _error("ClientException", "You must specify a revision.")
        definition = self._found_definition(reference)
        if definition.status == "ACTIVE":
            # INACTIVE revisions "remain discoverable in your account indefinitely" (ibid.).
            definition = dataclasses.replace(
                definition, status="INACTIVE", deregistered_at=self.world.clock.timestamp()
            )
            self.definitions[definition.family][definition.revision] = definition
        return {"taskDefinition": definition.describe()}

    def _ListTaskDefinitions(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """ACTIVE revisions unless ``status`` says INACTIVE, by family then revision, ``sort``
        ASC (the default) or DESC."""
        prefix = str(params.get("familyPrefix") or "")
        status = str(params.get("status") or "ACTIVE")
        arns = [
            d.arn
            for family, revisions in sorted(self.definitions.items())
            if (family == prefix if prefix else True)
            for _, d in sorted(revisions.items())
            if d.status == status
        ]
        if params.get("sort") == "DESC":
            arns.reverse()
        return {"taskDefinitionArns": arns}

    def _ListTaskDefinitionFamilies(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A family is ACTIVE while it has an ACTIVE revision; both kinds are listed unless
        ``status`` is ACTIVE or INACTIVE."""
        prefix = str(params.get("familyPrefix") or "")
        wanted = str(params.get("status") or "ALL")
        families = []
        for family, revisions in sorted(self.definitions.items()):
            status = (
                "ACTIVE" if any(d.status == "ACTIVE" for d in revisions.values()) else "INACTIVE"
            )
            if family.startswith(prefix) and wanted in ("ALL", status):
                families.append(family)
        return {"families": families}

    # -- tasks -------------------------------------------------------------------------------------

    def _RunTask(self, params: Mapping[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        definition = self.definition(str(params.get("taskDefinition") or ""))
        if definition is None:
            # https://github.com/aws/aws-cli/issues (RunTask on an unknown family)
            raise _error("ClientException", "TaskDefinition not found.")
        if definition.status != "ACTIVE":
            # https://github.com/DefangLabs/defang/pull/775 (RunTask on a deregistered revision)
            raise _error("InvalidParameterException", "TaskDefinition is inactive")
        launch_type = params.get("launchType") or "FARGATE"
        if launch_type == "FARGATE" and "FARGATE" not in definition.requires_compatibilities:
            # https://github.com/oranmoshai/ecsServiceRestart/issues/2
            raise _error(
                "InvalidParameterException", "Task definition does not support launch_type FARGATE."
            )
        network = (params.get("networkConfiguration") or {}).get("awsvpcConfiguration")
        if definition.network_mode == "awsvpc" and not network:
            # https://github.com/fabfuel/ecs-deploy/issues/133
            raise _error(
                "InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
            )
        self.service_linked_role.on_run_task(definition.network_mode)
        names = {c.name for c in definition.containers}
        for override in (params.get("overrides") or {}).get("containerOverrides") or []:
            if override.get("name") not in names:
                # https://github.com/azavea/django-ecsmanage/issues/21
                raise _error(
                    "InvalidParameterException",
                    f"Override for container named {override.get('name')} is not a container "
                    "in the TaskDefinition.",
                )
        count = int(params.get("count") or 1)
        if not 1 <= count <= 10:
            raise _error("InvalidParameterException", "Count must be between 1 and 10.")
        instance = (
            self.instances.place(cluster, self.course_cluster) if launch_type == "EC2" else None
        )
        created = []
        for _ in range(count):
            task = self._new_task(definition, cluster, params, network or {})
            task.instance = instance
            self.service_linked_role.on_new_task(task, launch_type)
            created.append(self.describe(task))
            Lifecycle(self.world, self, task).run()
        return {"tasks": created, "failures": []}

    def _new_task(
        self,
        definition: TaskDefinition,
        cluster: dict[str, Any],
        params: Mapping[str, Any],
        network: Mapping[str, Any],
    ) -> TaskState:
        task_id = random_hex(32)
        cluster_name = cluster["clusterName"]
        task_arn = self._arn(f"task/{cluster_name}/{task_id}")
        containers = [
            ContainerState(
                definition=c,
                arn=self._arn(f"container/{cluster_name}/{task_id}/{random_uuid()}"),
                runtime_id=f"{task_id}-{random_int(1_000_000_000, 4_294_967_295)}",
            )
            for c in definition.containers
        ]
        subnets = list(network.get("subnets") or ["subnet-0a1b2c3d4e5f60718"])
        host = random_int(10, 250)
        task = TaskState(
            arn=task_arn,
            id=task_id,
            cluster_arn=cluster["clusterArn"],
            definition=definition,
            containers=containers,
            created_at=self.world.clock.timestamp(),
            started_by=params.get("startedBy"),
            group=str(params.get("group") or f"family:{definition.family}"),
            overrides=dict(params.get("overrides") or {}),
            subnet=subnets[0],
            private_ip=f"10.0.1.{host}",
            eni_id=f"eni-0{random_hex(16)}",
            attachment_id=random_uuid(),
            program_overrides=dict(_PROGRAMS.get() or {}),
            enable_execute_command=bool(params.get("enableExecuteCommand")),
            assign_public_ip=str(network.get("assignPublicIp") or "DISABLED"),
        )
        self._assume_roles(task)
        self.tasks[task_arn] = task
        return task

    def _assume_roles(self, task: TaskState) -> None:
        """ECS assumes the task's roles at RunTask; a role it cannot assume fails RunTask itself
        and no task is created (docs/research/ecs_lifecycle.md §2.7)."""
        world = self.world
        definition = task.definition
        overrides = task.overrides
        execution_role = overrides.get("executionRoleArn") or definition.execution_role_arn
        task_role = overrides.get("taskRoleArn") or definition.task_role_arn
        essential = next((c.name for c in definition.containers if c.essential), "app")
        with world.gate.phase("launch"):
            service = world.service_keys(
                "ecs-tasks.amazonaws.com",
                "Amazon ECS",
                {"aws:SourceAccount": self.account, "aws:SourceArn": task.arn},
                phase="launch",
                task=task.id,
            )
            for role_arn, label, attribute in (
                (execution_role, "ECS agent", "execution_credentials"),
                (task_role, f"{essential} app", "task_credentials"),
            ):
                if not role_arn:
                    continue
                try:
                    credentials = world.assume_role(
                        service,
                        str(role_arn).rsplit("/", 1)[-1],
                        task.id,
                        label,
                        "launch" if label == "ECS agent" else "run",
                        task.id,
                    )
                except ClientError:
                    raise _error(
                        "ClientException", reasons.unable_to_assume(str(role_arn))
                    ) from None
                setattr(task, attribute, credentials)

    def _tasks(self, params: Mapping[str, Any]) -> list[tuple[str, TaskState | None]]:
        cluster = self._cluster(params.get("cluster"))
        found = []
        for reference in params.get("tasks") or [params.get("task")]:
            text = str(reference or "")
            arn = (
                text
                if text.startswith("arn:")
                else (self._arn(f"task/{cluster['clusterName']}/{text}"))
            )
            found.append((arn, self.tasks.get(arn)))
        return found

    def _DescribeTasks(self, params: Mapping[str, Any]) -> dict[str, Any]:
        tasks, failures = [], []
        for arn, task in self._tasks(params):
            if task is None:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                tasks.append(self.describe(task))
        return {"tasks": tasks, "failures": failures}

    def _ListTasks(self, params: Mapping[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(params.get("cluster"))
        wanted = params.get("desiredStatus") or "RUNNING"
        family = params.get("family")
        arns = [
            t.arn
            for t in self.tasks.values()
            if t.cluster_arn == cluster["clusterArn"]
            and t.desired_status == wanted
            and (family is None or t.definition.family == family)
            and (params.get("startedBy") is None or t.started_by == params["startedBy"])
        ]
        return {"taskArns": arns}

    def _StopTask(self, params: Mapping[str, Any]) -> dict[str, Any]:
        [(_, task)] = self._tasks(params)
        if task is None:
            raise _error("InvalidParameterException", "The referenced task was not found.")
        return {"task": self.describe(task)}

    def _ExecuteCommand(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ecs_exec.check_task_reference(params)
        [(_, task)] = self._tasks(params)
        return ecs_exec.execute_command(self, params, task)

    # -- the task as DescribeTasks shows it -------------------------------------------------------

    def describe(self, task: TaskState) -> dict[str, Any]:
        definition = task.definition
        containers = []
        for container in task.containers:
            item: dict[str, Any] = {
                "containerArn": container.arn,
                "taskArn": task.arn,
                "name": container.name,
                "image": container.definition.image,
                "runtimeId": container.runtime_id,
                "lastStatus": container.last_status,
                "networkBindings": [],
                "networkInterfaces": [
                    {"attachmentId": task.attachment_id, "privateIpv4Address": task.private_ip}
                ],
                "healthStatus": "UNKNOWN",
                "cpu": str(container.definition.cpu or 0),
            }
            if container.image_digest:
                item["imageDigest"] = container.image_digest
            if container.exit_code is not None:
                item["exitCode"] = container.exit_code
            if container.reason:
                item["reason"] = container.reason
            if container.definition.memory:
                item["memory"] = str(container.definition.memory)
            if container.name in task.exec_agents:
                item["managedAgents"] = [task.exec_agents[container.name].describe()]
            containers.append(item)
        out: dict[str, Any] = {
            "attachments": [
                {
                    "id": task.attachment_id,
                    "type": "ElasticNetworkInterface",
                    "status": "DELETED" if task.last_status == "STOPPED" else "ATTACHED",
                    "details": [
                        {"name": "subnetId", "value": task.subnet},
                        {"name": "networkInterfaceId", "value": task.eni_id},
                        {"name": "macAddress", "value": _mac_address(task.eni_id)},
                        {
                            "name": "privateDnsName",
                            "value": f"ip-{task.private_ip.replace('.', '-')}.{self.region}"
                            ".compute.internal",
                        },
                        {"name": "privateIPv4Address", "value": task.private_ip},
                    ],
                }
            ],
            "availabilityZone": AVAILABILITY_ZONE,
            "clusterArn": task.cluster_arn,
            "containers": containers,
            "cpu": definition.cpu,
            "memory": definition.memory,
            "createdAt": task.created_at,
            "desiredStatus": task.desired_status,
            "enableExecuteCommand": task.enable_execute_command,
            "ephemeralStorage": {"sizeInGiB": 20},
            "group": task.group,
            "healthStatus": "UNKNOWN",
            "lastStatus": task.last_status,
            "launchType": "FARGATE",
            "overrides": {
                "containerOverrides": [{"name": c.name} for c in task.containers],
                "inferenceAcceleratorOverrides": [],
                **task.overrides,
            },
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "tags": [],
            "taskArn": task.arn,
            "taskDefinitionArn": definition.arn,
            "version": task.version,
        }
        if task.instance is not None:
            describe_ec2(out, task.instance)
        for key, value in (
            ("connectivity", "CONNECTED" if task.connectivity_at else None),
            ("connectivityAt", task.connectivity_at),
            ("pullStartedAt", task.pull_started_at),
            ("pullStoppedAt", task.pull_stopped_at),
            ("startedAt", task.started_at),
            ("startedBy", task.started_by),
            ("executionStoppedAt", task.execution_stopped_at),
            ("stoppingAt", task.stopping_at),
            ("stoppedAt", task.stopped_at),
            ("stopCode", task.stop_code),
            ("stoppedReason", task.stopped_reason),
        ):
            if value is not None:
                out[key] = value
        return out


def _mac_address(eni_id: str) -> str:
    """A stable, locally administered MAC address for an ENI, as EC2 gives (``0a:...``)."""
    digits = eni_id.removeprefix("eni-")[-10:].rjust(10, "0")
    return ":".join(["0a", *(digits[i : i + 2] for i in range(0, 10, 2))])


class ECRAnswers:
    """What moto's ECR cannot answer: GetDownloadUrlForLayer (layer blobs are simulated)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def answer(
        self, operation: str, params: Mapping[str, Any], principal: Principal
    ) -> dict[str, Any] | None:
        if operation != "GetDownloadUrlForLayer":
            return None
        name = str(params.get("repositoryName"))
        registry = str(params.get("registryId") or self.world.account.account_id)
        if not self.world.account.repository_exists(name):
            raise _error(
                "RepositoryNotFoundException",
                f"The repository with name '{name}' does not exist in the registry with "
                f"id '{registry}'",
            )
        digest = str(params.get("layerDigest"))
        region = self.world.account.region
        return {
            "downloadUrl": f"https://prod-{region}-starport-layer-bucket.s3.{region}.amazonaws.com"
            f"/{registry}/{name}/{digest.split(':')[-1]}",
            "layerDigest": digest,
        }
