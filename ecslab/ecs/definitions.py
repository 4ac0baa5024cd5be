"""Task definitions: what the course needs of a Fargate task definition, validated as ECS does.

A :class:`TaskDefinition` is built from the ``RegisterTaskDefinition`` request (the same
camelCase fields as the API) and checked with ECS's own rules and error texts
(``ClientException``, HTTP 400), one error at a time as ECS reports them
(https://github.com/boto/boto3/issues/3283). Each container may carry a *program*: the Python
callable that runs as the container's process (ecslab's stand-in for the image's entrypoint);
without one, the image decides (see :mod:`ecslab.ecs.images`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecslab.cloud.errors import Refusal, ServiceError

Program = Callable[[], Any]

# Valid Fargate task sizes: CPU units → allowed memory (MiB)
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
_ROLE_ARN = re.compile(r"^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$")


def client_exception(message: str) -> Refusal:
    return Refusal(ServiceError(400, "ClientException", message))


@dataclass(frozen=True)
class Secret:
    """A ``secrets`` entry: an environment variable whose value ECS fetches at launch."""

    name: str
    value_from: str

    @property
    def source(self) -> str:
        """ "asm" for Secrets Manager, "ssm" for Parameter Store."""
        return "asm" if ":secretsmanager:" in self.value_from else "ssm"


@dataclass(frozen=True)
class LogConfiguration:
    driver: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str | None:
        return self.options.get("awslogs-group")

    @property
    def prefix(self) -> str | None:
        return self.options.get("awslogs-stream-prefix")

    @property
    def create_group(self) -> bool:
        return str(self.options.get("awslogs-create-group", "false")).lower() == "true"


@dataclass(frozen=True)
class ContainerDefinition:
    name: str
    image: str
    essential: bool = True
    environment: tuple[tuple[str, str], ...] = ()
    secrets: tuple[Secret, ...] = ()
    log_configuration: LogConfiguration | None = None
    cpu: int | None = None
    memory: int | None = None
    command: tuple[str, ...] = ()
    program: Program | None = field(default=None, compare=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class TaskDefinition:
    family: str
    revision: int
    containers: tuple[ContainerDefinition, ...]
    execution_role_arn: str | None
    task_role_arn: str | None
    network_mode: str
    cpu: str | None
    memory: str | None
    requires_compatibilities: tuple[str, ...]
    arn: str
    registered_at: float
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    registered_by: str | None = None
    status: str = "ACTIVE"
    deregistered_at: float | None = None

    @property
    def family_revision(self) -> str:
        return f"{self.family}:{self.revision}"

    @property
    def essential_containers(self) -> tuple[ContainerDefinition, ...]:
        return tuple(c for c in self.containers if c.essential)

    def describe(self) -> dict[str, Any]:
        """The API's TaskDefinition shape (RegisterTaskDefinition / DescribeTaskDefinition)."""
        out = dict(self.raw)
        out.update(
            {
                "taskDefinitionArn": self.arn,
                "family": self.family,
                "revision": self.revision,
                "status": self.status,
                "networkMode": self.network_mode,
                "cpu": self.cpu,
                "memory": self.memory,
                "requiresCompatibilities": list(self.requires_compatibilities),
                "compatibilities": ["EC2", "FARGATE"],
                "registeredAt": self.registered_at,
                "registeredBy": self.registered_by,
                "deregisteredAt": self.deregistered_at,
            }
        )
        out["containerDefinitions"] = [
            {
                "essential": c.essential,
                "environment": [],
                "secrets": [],
                **c.raw,
                "name": c.name,
                "image": c.image,
            }
            for c in self.containers
        ]
        return {k: v for k, v in out.items() if v is not None}


def build(
    request: Mapping[str, Any],
    revision: int,
    arn: str,
    registered_at: float,
    role_exists: Callable[[str], bool],
    programs: Mapping[str, Program] | None = None,
    registered_by: str | None = None,
) -> TaskDefinition:
    """Validate a RegisterTaskDefinition request as ECS does; raise ``ServiceError`` if not."""
    family = request.get("family")
    if not family or not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", str(family)):
        raise client_exception(
            "Family contains invalid characters. Up to 255 letters (uppercase and lowercase), "
            "numbers, hyphens, and underscores are allowed."
            if family
            else "Family should not be null or empty."
        )
    raw_containers = request.get("containerDefinitions") or []
    if not raw_containers:
        # https://github.com/awsdocs/aws-cloudformation-user-guide/pull/454
        raise client_exception("Container list cannot be empty.")
    compatibilities = tuple(request.get("requiresCompatibilities") or ())
    fargate = "FARGATE" in compatibilities
    network_mode = str(request.get("networkMode") or ("awsvpc" if fargate else "bridge"))
    execution_role = request.get("executionRoleArn")
    task_role = request.get("taskRoleArn")
    for role in (execution_role, task_role):
        # https://github.com/fabfuel/ecs-deploy/issues/231
        if role and (not _ROLE_ARN.match(str(role)) or not role_exists(str(role))):
            raise client_exception("Role is not valid")
    from ecslab.ecs import efs, firelens

    firelens.check_definition(raw_containers)
    efs.check_definition(request)
    containers = tuple(
        _container(raw, (programs or {}).get(str(raw.get("name"))), execution_role, fargate)
        for raw in raw_containers
    )
    if not any(c.essential for c in containers):
        raise client_exception("All tasks must have at least one essential container.")
    if fargate:
        _check_fargate(request, network_mode)
    return TaskDefinition(
        family=str(family),
        revision=revision,
        containers=containers,
        execution_role_arn=execution_role,
        task_role_arn=task_role,
        network_mode=network_mode,
        cpu=_size(request.get("cpu")),
        memory=_size(request.get("memory")),
        requires_compatibilities=compatibilities,
        arn=arn,
        registered_at=registered_at,
        raw={k: v for k, v in request.items() if k != "containerDefinitions"},
        registered_by=registered_by,
    )


def _size(value: Any) -> str | None:
    """The task size as stored: "1 vCPU" and "2 GB" are converted to CPU units and MiB when the
    task definition is registered (RegisterTaskDefinition, ``cpu`` and ``memory``:
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html)."""
    if value is None:
        return None
    try:
        return str(_units(value, 1024))
    except ValueError:
        return str(value)


def _container(
    raw: Mapping[str, Any], program: Program | None, execution_role: Any, fargate: bool
) -> ContainerDefinition:
    name = raw.get("name")
    if not name:
        # https://github.com/hashicorp/terraform/issues/2888
        raise client_exception("Container.name should not be null or empty.")
    image = raw.get("image")
    if not image:
        # https://github.com/aws-actions/amazon-ecs-render-task-definition/issues/87
        raise client_exception("Container.image should not be null or empty.")
    secrets = tuple(
        Secret(str(s.get("name")), str(s.get("valueFrom"))) for s in raw.get("secrets") or []
    )
    if "secrets" in raw and not execution_role:
        # https://github.com/fabfuel/ecs-deploy/issues/87
        raise client_exception(
            "When you are specifying container secrets, you must also specify a value for "
            "'executionRoleArn'."
        )
    logging = raw.get("logConfiguration")
    log_configuration = None
    if logging:
        options = dict(logging.get("options") or {})
        log_configuration = LogConfiguration(str(logging.get("logDriver")), options)
        if log_configuration.driver == "awslogs":
            missing = [o for o in ("awslogs-region", "awslogs-group") if o not in options]
            if missing:
                # https://github.com/klothoplatform/klotho/issues/892
                raise client_exception("Log driver awslogs requires options: " + ", ".join(missing))
            if fargate and not execution_role:
                # https://github.com/virtual-kubelet/virtual-kubelet/issues/193
                raise client_exception(
                    "Fargate requires task definition to have execution role ARN to support "
                    "log driver awslogs."
                )
    if fargate and not execution_role and ".dkr.ecr." in str(image):
        # https://github.com/hashicorp/terraform-provider-aws/issues/3051
        raise client_exception(
            "Fargate requires task definition to have execution role ARN to support ECR images."
        )
    return ContainerDefinition(
        name=str(name),
        image=str(image),
        essential=bool(raw.get("essential", True)),
        environment=tuple(
            (str(e.get("name")), str(e.get("value", ""))) for e in raw.get("environment") or []
        ),
        secrets=secrets,
        log_configuration=log_configuration,
        cpu=raw.get("cpu"),
        memory=raw.get("memory"),
        command=tuple(raw.get("command") or ()),
        program=program,
        raw=dict(raw),
    )


def _check_fargate(request: Mapping[str, Any], network_mode: str) -> None:
    if network_mode != "awsvpc":
        # https://github.com/aws/amazon-ecs-cli/issues/1145 (ECS writes typographic quotes)
        raise client_exception("Fargate only supports network mode \u2018awsvpc\u2019.")
    for name in ("cpu", "memory"):
        if request.get(name) is None:
            # https://github.com/mongodb/terraform-aws-ecs-task-definition/issues/38
            raise client_exception(f"Fargate requires that '{name}' be defined at the task level.")
    try:
        cpu, memory = _units(request["cpu"], 1024), _units(request["memory"], 1024)
    except ValueError:
        # https://github.com/cds-snc/notification-terraform/pull/329
        raise client_exception(
            "Invalid 'cpu' setting for task. For more information, see the Troubleshooting "
            "section of the Amazon ECS Developer Guide."
        ) from None
    if memory not in FARGATE_SIZES.get(cpu, ()):
        # https://github.com/aws-games/cloud-game-development-toolkit/issues/737
        raise client_exception(
            f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values."
        )


def _units(value: Any, per_unit: int) -> int:
    """ "1 vCPU" → 1024, "2 GB" → 2048, "512" → 512."""
    text = str(value).strip()
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(vcpu|gb)", text, re.IGNORECASE)
    if found:
        return int(float(found.group(1)) * per_unit)
    return int(text)
