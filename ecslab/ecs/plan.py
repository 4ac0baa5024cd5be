"""What a task will ask AWS for, and who will ask — before it runs.

A task definition says enough to know the launch phase exactly: ECS assumes the execution role for
the agent and the task role for the app; the agent, as the execution role, asks for registry
authorization, the injected secrets (with KMS when a customer-managed key protects them), the
image and the log stream; during the run it delivers the app's output with ``logs:PutLogEvents``.
The run phase is the app's own business: a program may say what it will call (the course's
orders app does, through :data:`PLANNED_CALLS`); otherwise the plan says it is unknown until it
runs.

Each planned call is turned into IAM actions and resources by the same operation map the gate
uses (:mod:`ecslab.cloud.operations`), so the plan cannot disagree with what the gate will ask
the judge. It follows the lifecycle's order (:mod:`ecslab.ecs.lifecycle`); a test runs healthy
tasks and compares.

The rest of the cast (:class:`Cast`, from ``lab.plan(launch_type=..., enable_execute_command=...,
as_deployer=...)``): the deployer's ``ecs:RunTask`` and the ``iam:PassRole`` checks ECS makes on
it, before launch (:mod:`ecslab.ecs.deployer`); on EC2, the agent's image pull and log calls as
the **instance role** when the task has no execution role, and the app's calls as the instance
role when it has no task role and the instance metadata service answers it
(:mod:`ecslab.ecs.instances`); with ECS Exec, each container's SSM agent opening its control
channel with the **task role** (:mod:`ecslab.ecs.exec`). From the definition itself: an EFS
volume's mount at launch, "EFS mount (efs-utils)" asking elasticfilesystem:ClientMount (and
ClientWrite unless every mount point is read-only) with the **task role**, or as an anonymous
client without IAM authorization (:mod:`ecslab.ecs.efs`); a FireLens log router, "log router
(Fluent Bit)", shipping the app's lines after it ran with the **task role** (logs:CreateLogGroup
with auto_create_group, CreateLogStream, PutLogEvents), while the execution role pulls the
router's image and delivers the router's own output (:mod:`ecslab.ecs.firelens`). The plan does
not predict decisions:
a call after a refused one is in the plan but never made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecslab.cloud.operations import OPERATIONS
from ecslab.ecs import efs, firelens
from ecslab.ecs.definitions import TaskDefinition
from ecslab.ecs.images import parse_image
from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.cloud.account import Account

TASK_ID = "<task-id>"  # the id a task will get is not known before RunTask


@dataclass(frozen=True)
class PlannedCall:
    """One IAM question a task will raise: who, wearing which role, asks what, and why."""

    phase: str  # "launch" or "run"
    principal: str  # "Amazon ECS", "ECS agent", "<container> app" — as in the trace
    role: str | None  # the role the principal wears (None for ECS itself)
    service: str  # the API's service, e.g. "ssm" (kms:Decrypt via SSM is asked of "ssm")
    operation: str
    action: str
    resource: str
    why: str  # in the learner's language when the plan was made
    via: str | None = None
    wearer: tuple[str, str] | None = None  # ECS's sts:AssumeRole: for whom (phase, principal)

    def key(self) -> tuple[str, str, str, str, str | None]:
        """What identifies the call in a trace (phase, principal, action, resource, via): the
        agent's kms:Decrypt via ssm:GetParameters and via secretsmanager:GetSecretValue are two
        calls, with two purposes."""
        return (self.phase, self.principal, self.action, self.resource, self.via)


@dataclass(frozen=True)
class Plan:
    """A task definition's planned calls, in the order a task makes them."""

    family_revision: str
    calls: tuple[PlannedCall, ...]
    run_phase_known: bool  # False when a program does not say what it calls

    def __iter__(self):
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self.calls)


# A program may carry ``ecslab_calls(environment, account) -> [(service, operation, params, why)]``
# to say what it will call at run time; PLANNED_CALLS maps programs that cannot carry attributes.
@dataclass(frozen=True)
class Cast:
    """Who else takes part in a task, beyond the definition's two roles."""

    deployer: str | None = None  # the role that calls RunTask (as_deployer): its name
    deployer_label: str = "deployer"
    cluster: str | None = None
    instance_role: str | None = None  # EC2: the container instance's role
    imds_reachable: bool = False  # EC2: an app with no task role gets the instance role
    exec_agent: str | None = None  # ECS Exec: the trace's name for the SSM agent


def cast_of(
    definition: TaskDefinition,
    instance: Any = None,
    exec_agent: str | None = None,
    deployer: tuple[str, str] | None = None,
    cluster: str | None = None,
) -> Cast:
    """The cast of a task: ``instance`` its EC2 container instance (None on Fargate),
    ``exec_agent`` the SSM agent's name with ECS Exec, ``deployer`` (role, label)."""
    return Cast(
        deployer=deployer[0] if deployer else None,
        deployer_label=deployer[1] if deployer else "deployer",
        cluster=cluster,
        instance_role=instance.role_name if instance is not None else None,
        imds_reachable=instance is not None and instance.imds_reachable(definition.network_mode),
        exec_agent=exec_agent,
    )


AppCalls = Callable[[Mapping[str, str], "Account"], list[tuple[str, str, dict[str, Any], str]]]
PLANNED_CALLS: dict[Any, AppCalls] = {}


def app_calls_of(program: Any) -> AppCalls | None:
    found = getattr(program, "ecslab_calls", None)
    if found is None:
        try:
            found = PLANNED_CALLS.get(program)
        except TypeError:  # an unhashable callable
            found = None
    return found


def plan(
    definition: TaskDefinition,
    account: Account,
    programs: Mapping[str, Any],
    task_id: str = TASK_ID,
    overrides: Mapping[str, Any] | None = None,
    cast: Cast | None = None,
) -> Plan:
    """The calls a task of ``definition`` will make; ``programs`` by container name; ``cast``:
    the deployer, the EC2 instance, ECS Exec."""
    overrides = overrides or {}
    cast = cast or Cast()
    execution_arn = overrides.get("executionRoleArn") or definition.execution_role_arn
    task_arn = overrides.get("taskRoleArn") or definition.task_role_arn
    execution = _role_name(execution_arn)
    task_role = _role_name(task_arn)
    essential = next((c.name for c in definition.containers if c.essential), "app")
    app = f"{essential} app"
    calls: list[PlannedCall] = []

    def ask(
        phase: str,
        principal: str,
        role: str | None,
        service: str,
        operation: str,
        params: dict[str, Any],
        why: str,
        wearer: tuple[str, str] | None = None,
    ) -> None:
        resolver = OPERATIONS.get((service, operation))
        if resolver is None:
            return
        for check in resolver(params, account):
            calls.append(
                PlannedCall(
                    phase,
                    principal,
                    role,
                    service,
                    operation,
                    check.action,
                    check.resource,
                    why,
                    check.via,
                    wearer,
                )
            )

    if cast.deployer:
        # the deployer's RunTask, and the iam:PassRole checks ECS makes on it (operations._run)
        request = {"taskDefinition": definition.family_revision, "cluster": cast.cluster}
        if overrides:
            request["overrides"] = dict(overrides)
        ask(
            "admin",
            cast.deployer_label,
            cast.deployer,
            "ecs",
            "RunTask",
            request,
            _("run the task, handing ECS the task definition's roles (iam:PassRole)"),
        )
    # RunTask: ECS assumes both roles (service.ECSService._assume_roles).
    if execution_arn:
        ask(
            "launch",
            "Amazon ECS",
            None,
            "sts",
            "AssumeRole",
            {"RoleArn": execution_arn},
            _("give the ECS agent the execution role's credentials"),
            ("launch", "ECS agent"),
        )
    if task_arn:
        ask(
            "launch",
            "Amazon ECS",
            None,
            "sts",
            "AssumeRole",
            {"RoleArn": task_arn},
            _("give the {container} app the task role's credentials").format(container=essential),
            ("run", app),
        )

    agent = ("launch", "ECS agent", execution)
    # On EC2 without an execution role, the agent pulls and logs as the instance role
    # (instances.ContainerInstance.agent_credentials); secrets still need the execution role.
    puller = ("launch", "ECS agent", execution or cast.instance_role)
    images = [(c, parse_image(c.image)) for c in definition.containers]
    if any(image.is_ecr for _container, image in images):
        why = _("get a registry token for the image pull")
        ask(*puller, "ecr", "GetAuthorizationToken", {}, why)
    ssm = [(c.name, s) for c in definition.containers for s in c.secrets if s.source == "ssm"]
    if ssm:
        names = list(dict.fromkeys(s.value_from for _container, s in ssm))
        injected = ", ".join(s.name for _container, s in ssm)
        ask(
            *agent,
            "ssm",
            "GetParameters",
            {"Names": names, "WithDecryption": True},
            _("inject {variables} from Parameter Store").format(variables=injected),
        )
    for container in definition.containers:
        for secret in container.secrets:
            if secret.source == "asm":
                ask(
                    *agent,
                    "secretsmanager",
                    "GetSecretValue",
                    {"SecretId": _secret_id(secret.value_from)},
                    _("inject {variable} from Secrets Manager").format(variable=secret.name),
                )
    for container, image in images:
        if not image.is_ecr:
            continue
        where = {"registryId": image.account, "repositoryName": image.repository}
        ask(
            *puller,
            "ecr",
            "BatchGetImage",
            {**where, "imageIds": [image.image_id]},
            _("pull the image manifest of {container}").format(container=container.name),
        )
        ask(
            *puller,
            "ecr",
            "GetDownloadUrlForLayer",
            {**where, "layerDigest": "sha256:"},
            _("download the image layers of {container}").format(container=container.name),
        )
    streams = []
    for container in definition.containers:
        logging = container.log_configuration
        if logging is None or logging.driver != "awslogs":
            continue
        group = str(logging.group)
        stream = f"{logging.prefix}/{container.name}/{task_id}" if logging.prefix else task_id
        if logging.create_group and not account.log_group_exists(group):
            # moby's awslogs driver tries the stream first; on ResourceNotFound it creates the
            # group and tries again (lifecycle._create_group_then_stream).
            ask(
                *puller,
                "logs",
                "CreateLogStream",
                {"logGroupName": group, "logStreamName": stream},
                _("create the log stream of {container} (the group is missing)").format(
                    container=container.name
                ),
            )
            ask(
                *puller,
                "logs",
                "CreateLogGroup",
                {"logGroupName": group},
                _("create the missing log group {group} (awslogs-create-group)").format(
                    group=group
                ),
            )
        ask(
            *puller,
            "logs",
            "CreateLogStream",
            {"logGroupName": group, "logStreamName": stream},
            _("create the log stream of {container}").format(container=container.name),
        )
        streams.append((container.name, group, stream))
    # EFS volumes: efs-utils mounts each with the task role (or anonymously), after the log
    # streams (lifecycle.run: efs.mount)
    for action, resource, iam, why in efs.planned_mounts(definition, account):
        operation = action.split(":")[1]
        calls.append(
            PlannedCall(
                "launch",
                efs.LABEL,
                task_role if iam else None,
                "efs",
                operation,
                action,
                resource,
                why,
            )
        )

    if cast.exec_agent and task_arn:
        # ECS Exec: each container's SSM agent opens its control channel with the task role
        # (exec.start_agents); ssmmessages has no resource types
        for container in definition.containers:
            for operation in ("CreateControlChannel", "OpenControlChannel"):
                calls.append(
                    PlannedCall(
                        "run",
                        cast.exec_agent,
                        task_role,
                        "ssmmessages",
                        operation,
                        f"ssmmessages:{operation}",
                        "*",
                        _("open ECS Exec's control channel in {container}").format(
                            container=container.name
                        ),
                    )
                )
    app_role = task_role
    if app_role is None and cast.imds_reachable:
        app_role = cast.instance_role  # the SDK's chain falls through to IMDS
    known = True
    environment = _environment(definition, overrides)
    for container in definition.containers:
        program = programs.get(container.name)
        planned = app_calls_of(program) if program is not None else None
        if program is not None and planned is None:
            known = False
            continue
        for service, operation, params, why in planned(environment, account) if planned else ():
            ask("run", app, app_role, service, operation, params, why)
    printing = {name for name, program in programs.items() if program is not None}
    # FireLens: after the containers ran, the router ships their lines with the task role
    # (firelens.ship; with no task role its SDK finds no credentials and asks nothing)
    shipping, router_prints = firelens.planned_shipping(definition, printing, task_id)
    for _container, operation, params, why in shipping if task_arn else ():
        ask("run", firelens.LABEL, task_role, "logs", operation, params, why)
    if router_prints:
        printing |= {c.name for c in definition.containers if firelens.is_router_definition(c)}
    for name, group, stream in streams:
        if name not in printing:
            continue  # a container with nothing to run prints nothing to deliver
        ask(
            "run",
            "ECS agent",
            execution or cast.instance_role,
            "logs",
            "PutLogEvents",
            {"logGroupName": group, "logStreamName": stream},
            _("deliver what {container} prints to CloudWatch Logs").format(container=name),
        )
    return Plan(definition.family_revision, tuple(calls), known)


def _role_name(arn: Any) -> str | None:
    return str(arn).rsplit("/", 1)[-1] if arn else None


def _secret_id(value_from: str) -> str:
    """The secret a ``valueFrom`` names, without its JSON key / version fields."""
    head, _sep, rest = value_from.partition(":secret:")
    parts = rest.split(":")
    return f"{head}:secret:{parts[0]}" if len(parts) == 4 else value_from


def _environment(definition: TaskDefinition, overrides: Mapping[str, Any]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for container in definition.containers:
        variables.update(dict(container.environment))
        for override in overrides.get("containerOverrides", []) or []:
            if override.get("name") == container.name:
                for entry in override.get("environment", []) or []:
                    variables[entry["name"]] = entry.get("value", "")
    return variables
