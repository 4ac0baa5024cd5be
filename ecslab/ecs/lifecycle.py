"""A Fargate task's life: launched by the ECS agent with the execution role, run by the app with
the task role — and failing exactly where a real task fails.

The order follows Fargate platform 1.4 (docs/research/ecs_lifecycle.md §1):

1. **ECS** (the service principal ``ecs-tasks.amazonaws.com``) assumes the task's roles when the
   task is run; if it cannot, ``RunTask`` itself fails and no task exists;
2. PROVISIONING: the task's network interface (simulated time only);
3. PENDING, the **agent** with the execution role: *execution resource retrieval* — registry auth
   (``ecr:GetAuthorizationToken``), then the injected secrets (``ssm:GetParameters``,
   ``secretsmanager:GetSecretValue``, ``kms:Decrypt`` through them);
4. the image pull (``ecr:BatchGetImage``, ``ecr:GetDownloadUrlForLayer``);
5. the awslogs driver: ``logs:CreateLogStream`` ``<prefix>/<container>/<task-id>`` (and
   ``logs:CreateLogGroup`` first when ``awslogs-create-group`` is true and the group is missing);
6. RUNNING, the **app**: the container's program with the task role, through the container
   credentials endpoint; what it prints goes to the task's log stream by the agent's
   ``logs:PutLogEvents`` (execution role);
7. STOPPED: "Essential container in task exited", or a launch failure's reason.

Any launch failure stops the task before the app runs, with ``stopCode`` ``TaskFailedToStart``
and Fargate's own ``stoppedReason`` (see :mod:`ecslab.ecs.reasons`); the app never ran, so its
log stream holds nothing. Durations are simulated and the same on every run.
"""

from __future__ import annotations

import contextlib
import json
import sys
import sysconfig
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.ecs import efs, firelens, network, reasons, registries
from ecslab.ecs import exec as ecs_exec
from ecslab.ecs.definitions import ContainerDefinition, Program, TaskDefinition
from ecslab.ecs.images import ImageReference, parse_image

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.service import ECSService

# Simulated durations (seconds), of the order a small Fargate task shows.
PROVISIONING = 8.4  # the network interface
PULL_OVERHEAD = 2.1
PULL_BYTES_PER_SECOND = 40_000_000
LOG_SETUP = 0.3
CONTAINER_START = 1.2
DEPROVISIONING = 31.0


class LaunchFailed(Exception):
    """The launch stopped; ``reason`` is the task's stoppedReason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ContainerState:
    definition: ContainerDefinition
    arn: str
    runtime_id: str
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    image_digest: str | None = None
    log_group: str | None = None
    log_stream: str | None = None
    log_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass
class TaskState:
    """Everything ECS knows about one task."""

    arn: str
    id: str
    cluster_arn: str
    definition: TaskDefinition
    containers: list[ContainerState]
    created_at: float
    started_by: str | None
    group: str
    overrides: dict[str, Any]
    subnet: str
    private_ip: str
    eni_id: str
    attachment_id: str
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    connectivity_at: float | None = None
    pull_started_at: float | None = None
    pull_stopped_at: float | None = None
    started_at: float | None = None
    execution_stopped_at: float | None = None
    stopping_at: float | None = None
    stopped_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    version: int = 1
    program_overrides: dict[str, Program] = field(default_factory=dict)
    execution_credentials: tuple[str, str, str] | None = None
    task_credentials: tuple[str, str, str] | None = None
    launch_error: str | None = None
    enable_execute_command: bool = False
    exec_agents: dict[str, Any] = field(default_factory=dict)  # ecslab.ecs.exec.ExecAgent
    assign_public_ip: str = "DISABLED"
    instance: Any = None  # the EC2 container instance (ecslab.ecs.instances); None on Fargate
    # where a container's lines went other than its awslogs stream (FireLens): name → group, stream
    log_destinations: dict[str, tuple[str, str]] = field(default_factory=dict)


class Lifecycle:
    """Runs one task through both phases inside the lab's world."""

    def __init__(self, world: World, service: ECSService, task: TaskState) -> None:
        self.world = world
        self.service = service
        self.task = task
        self.clock = world.clock

    # -- the whole life ----------------------------------------------------------------------------

    def run(self) -> TaskState:
        task = self.task
        self._set("PROVISIONING")
        self.clock.advance(PROVISIONING)
        task.connectivity_at = self.clock.timestamp()
        self._set("PENDING")
        try:
            with self.world.gate.phase("launch"):
                secrets = self._retrieve_execution_resources()
                self._pull_images()
                self._start_log_drivers()
                efs.mount(self)  # EFS volumes, with the task role (ecslab.ecs.efs)
        except LaunchFailed as failure:
            self._stop("TaskFailedToStart", failure.reason, launched=False)
            return task
        self.clock.advance(CONTAINER_START)
        task.started_at = self.clock.timestamp()
        for container in task.containers:
            container.last_status = "RUNNING"
        self._set("RUNNING")
        with self.world.gate.phase("run"):
            ecs_exec.start_agents(self.world, task)
            for container in task.containers:
                self._run_container(container, secrets.get(container.name, {}))
            firelens.ship(self)  # a log router's lines, with the task role (ecslab.ecs.firelens)
            self._ship_logs()
        self._stop("EssentialContainerExited", reasons.ESSENTIAL_EXITED, launched=True)
        return task

    def _set(self, status: str) -> None:
        self.task.last_status = status
        self.task.version += 1

    def _stop(self, code: str, reason: str, launched: bool) -> None:
        task = self.task
        now = self.clock.timestamp()
        task.execution_stopped_at = now
        task.stopping_at = now
        task.desired_status = "STOPPED"
        task.stop_code = code
        task.stopped_reason = reason
        ecs_exec.stop_agents(task)
        for container in task.containers:
            if container.last_status != "STOPPED":
                container.last_status = "STOPPED"
            if not launched:
                container.reason = reason
        self._set("DEPROVISIONING")
        self.clock.advance(DEPROVISIONING)
        task.stopped_at = self.clock.timestamp()
        self._set("STOPPED")

    # -- the agent, with the execution role --------------------------------------------------------

    def _agent(self, service: str) -> Any:
        credentials = self.task.execution_credentials
        if credentials is None and self.task.instance is not None:
            # On EC2, the agent and the Docker daemon fall back to the instance role.
            credentials = self.task.instance.agent_credentials(self.world, self.task, service)
        if credentials is None:  # no execution role: nothing to retrieve with
            raise LaunchFailed(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                "resource retrieval failed: unable to find execution role credentials"
            )
        client = self.world.pooled_client("ecs-agent", service, credentials)
        # each call first needs a network path from the task's subnet (ecslab.ecs.network)
        return network.GuardedClient(
            client, service, self.world, self.service.network, self.task, LaunchFailed
        )

    def _retrieve_execution_resources(self) -> dict[str, dict[str, str]]:
        """Registry auth, then the secrets each container injects as environment variables."""
        task = self.task
        ecr_images = [parse_image(c.definition.image) for c in task.containers]
        if any(i.is_ecr for i in ecr_images):
            try:
                self._agent("ecr").get_authorization_token()
            except ClientError as error:
                raise LaunchFailed(reasons.registry_auth(error)) from None
        values: dict[str, dict[str, str]] = {c.name: {} for c in task.containers}
        ssm_names = [
            (c.name, s) for c in task.containers for s in c.definition.secrets if s.source == "ssm"
        ]
        if ssm_names:
            names = list(dict.fromkeys(s.value_from for _, s in ssm_names))
            try:
                answer = self._agent("ssm").get_parameters(Names=names, WithDecryption=True)
            except ClientError as error:
                raise LaunchFailed(reasons.ssm_secrets(reasons.sdk_v1(error))) from None
            if answer.get("InvalidParameters"):
                raise LaunchFailed(reasons.ssm_invalid_parameters(answer["InvalidParameters"]))
            found = {}
            for parameter in answer.get("Parameters", []):
                found[parameter["Name"]] = parameter["Value"]
                found[parameter["ARN"]] = parameter["Value"]
            for container_name, secret in ssm_names:
                key = secret.value_from
                value = found.get(key) or found.get("/" + key.lstrip("/"))
                values[container_name][secret.name] = value or ""
        for container in task.containers:
            for secret in container.definition.secrets:
                if secret.source == "asm":
                    values[container.name][secret.name] = self._secret_value(secret.value_from)
        return values

    def _secret_value(self, value_from: str) -> str:
        """``arn:...:secret:<id>[:<json-key>:<version-stage>:<version-id>]`` as the agent reads it
        (amazon-ecs-agent agent/taskresource/asmsecret/asmsecret.go)."""
        head, _, rest = value_from.partition(":secret:")
        parts = rest.split(":")
        if len(parts) == 1:
            secret_id, json_key, stage, version = value_from, "", "", ""
        elif len(parts) == 4:
            secret_id = f"{head}:secret:{parts[0]}"
            json_key, stage, version = parts[1], parts[2], parts[3]
        else:
            raise LaunchFailed(reasons.asm_not_json(reasons.INVALID_SECRET_ARN))
        request: dict[str, str] = {"SecretId": secret_id}
        if stage:
            request["VersionStage"] = stage
        if version:
            request["VersionId"] = version
        try:
            answer = self._agent("secretsmanager").get_secret_value(**request)
        except ClientError as error:
            error = registries.as_secrets_manager_answers(error)
            raise LaunchFailed(reasons.asm_secret(secret_id, error)) from None
        text = answer.get("SecretString", "")
        if not json_key:
            return text
        try:
            document = json.loads(text)
        except ValueError as problem:
            raise LaunchFailed(reasons.asm_not_json(str(problem))) from None
        if not isinstance(document, dict) or json_key not in document:
            raise LaunchFailed(reasons.asm_json_key(json_key))
        value = document[json_key]
        return value if isinstance(value, str) else json.dumps(value)

    def _pull_images(self) -> None:
        task = self.task
        task.pull_started_at = self.clock.timestamp()
        total = 0
        for container in task.containers:
            image = parse_image(container.definition.image)
            if firelens.is_aws_image(image):  # AWS's Fluent Bit image, from AWS's registry
                total += firelens.pull(self, container, image)
                continue
            if not image.is_ecr:
                try:  # a public registry: Docker Hub's quota (ecslab.ecs.registries)
                    self.service.docker_hub.pull(container.definition.image)
                except LookupError as refused:
                    raise LaunchFailed(str(refused)) from None
                continue
            total += self._pull(container, image)
        self.clock.advance(PULL_OVERHEAD + total / PULL_BYTES_PER_SECOND)
        task.pull_stopped_at = self.clock.timestamp()

    def _pull(self, container: ContainerState, image: ImageReference) -> int:
        ecr = self._agent("ecr")
        try:
            answer = ecr.batch_get_image(
                registryId=image.account,
                repositoryName=image.repository,
                imageIds=[image.image_id],
                acceptedMediaTypes=["application/vnd.docker.distribution.manifest.v2+json"],
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "RepositoryNotFoundException":
                raise LaunchFailed(reasons.image_not_found(image.resolved)) from None
            raise LaunchFailed(
                reasons.image_pull_forbidden(
                    str(image.registry), image.resolved, image.tag or image.digest or "latest"
                )
            ) from None
        images = answer.get("images") or []
        if not images:
            raise LaunchFailed(reasons.image_not_found(image.resolved))
        manifest = json.loads(images[0]["imageManifest"])
        try:  # an image index: the descriptor for the task's platform (ecslab.ecs.registries)
            platform = registries.task_platform(self.task.definition.raw)
            manifest = registries.select_platform(manifest, platform)
        except LookupError as mismatch:
            raise LaunchFailed(str(mismatch)) from None
        container.image_digest = images[0]["imageId"]["imageDigest"]
        size = 0
        for layer in manifest.get("layers", []):
            try:
                ecr.get_download_url_for_layer(
                    registryId=image.account,
                    repositoryName=image.repository,
                    layerDigest=layer["digest"],
                )
            except ClientError:
                # The layer's blob download is refused (403) once the manifest resolved.
                raise LaunchFailed(
                    "CannotPullContainerError: ref pull has been retried 1 time(s): failed to "
                    f"copy: httpReadSeeker: failed open: unexpected status code https://"
                    f"{image.registry}/v2/{image.repository}/blobs/{layer['digest']}: "
                    "403 Forbidden"
                ) from None
            size += int(layer.get("size", 0))
        return size

    def _start_log_drivers(self) -> None:
        task = self.task
        for container in task.containers:
            logging = container.definition.log_configuration
            if logging is None or logging.driver != "awslogs":
                continue
            group = str(logging.group)
            prefix = logging.prefix
            stream = f"{prefix}/{container.name}/{task.id}" if prefix else task.id
            logs = self._agent("logs")
            try:
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code == "ResourceAlreadyExistsException":
                    pass
                elif code == "ResourceNotFoundException" and logging.create_group:
                    self._create_group_then_stream(logs, group, stream)
                elif code == "ResourceNotFoundException":
                    raise LaunchFailed(
                        reasons.log_stream(
                            "ResourceNotFoundException: The specified log group does not exist."
                        )
                    ) from None
                else:
                    raise LaunchFailed(reasons.log_stream(reasons.sdk_v1(error))) from None
            container.log_group, container.log_stream = group, stream
        self.clock.advance(LOG_SETUP)

    @staticmethod
    def _create_group_then_stream(logs: Any, group: str, stream: str) -> None:
        # moby's awslogs driver: CreateLogStream; on ResourceNotFound with create-group,
        # CreateLogGroup then CreateLogStream again
        # (https://github.com/moby/moby/blob/master/daemon/logger/awslogs/cloudwatchlogs.go).
        try:
            logs.create_log_group(logGroupName=group)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                raise LaunchFailed(reasons.log_group(reasons.sdk_v1(error))) from None
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        except ClientError as error:
            raise LaunchFailed(reasons.log_stream(reasons.sdk_v1(error))) from None

    # -- the app, with the task role ---------------------------------------------------------------

    def _run_container(self, container: ContainerState, secrets: dict[str, str]) -> None:
        task = self.task
        program = task.program_overrides.get(container.name) or container.definition.program
        if program is None:
            program = self.service.images.program_for(
                parse_image(container.definition.image), container.image_digest
            )
        variables = self._environment(container, secrets)
        container.log_lines.clear()
        writer = _LogWriter(self.clock, container.log_lines)
        role_arn = task.definition.task_role_arn
        instance = task.instance
        with (
            instance.container(self.world, task, container, variables)
            if instance is not None
            else contextlib.nullcontext(),
            self.world.container_environment(task.task_credentials, role_arn, variables),
            contextlib.redirect_stdout(writer),
            contextlib.redirect_stderr(writer),
        ):
            code = _run_program(program, writer)
        writer.flush()
        container.exit_code = code
        container.last_status = "STOPPED"

    def _environment(self, container: ContainerState, secrets: dict[str, str]) -> dict[str, str]:
        task = self.task
        runtime = f"http://169.254.170.2/v4/{container.runtime_id}"
        variables = {
            # The image's own (every course image is built FROM python:3.12-slim).
            **IMAGE_ENVIRONMENT,
            "HOSTNAME": f"ip-{task.private_ip.replace('.', '-')}.{self.world.account.region}"
            ".compute.internal",
            # Set by Fargate in every container (docs/research/ecs_lifecycle.md §4).
            "AWS_EXECUTION_ENV": "AWS_ECS_FARGATE",
            "ECS_CONTAINER_METADATA_URI_V4": runtime,
            "ECS_CONTAINER_METADATA_URI": runtime.replace("/v4/", "/v3/"),
            "ECS_AGENT_URI": runtime.replace("/v4/", "/api/"),
        }
        variables.update(dict(container.definition.environment))
        for override in task.overrides.get("containerOverrides", []):
            if override.get("name") == container.name:
                variables.update(
                    {e["name"]: e.get("value", "") for e in override.get("environment", [])}
                )
        variables.update(secrets)
        return variables

    def _ship_logs(self) -> None:
        """The awslogs driver sends what the containers printed (execution role)."""
        for container in self.task.containers:
            if not container.log_group:
                continue
            # An empty line makes no log event (moby awslogs driver, processEvent:
            # ``for len(bytes) > 0``), so a traceback's blank lines are not in CloudWatch.
            events = [
                {"timestamp": stamp, "message": line} for stamp, line in container.log_lines if line
            ]
            if not events:
                continue
            with contextlib.suppress(ClientError):
                # A refused PutLogEvents loses the lines; the task goes on
                # (moby awslogs driver only logs the error).
                self._agent("logs").put_log_events(
                    logGroupName=container.log_group,
                    logStreamName=container.log_stream,
                    logEvents=events,
                )


# The environment the python:3.12-slim image declares (its Dockerfile's ENV lines) and the
# HOME of its root user; a container starts from these, not from the notebook's environment.
IMAGE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "PYTHON_VERSION": "3.12.7",
    "HOME": "/root",
}


class _LogWriter:
    """stdout/stderr of a container: each line an event, stamped with the lab clock."""

    def __init__(self, clock: Any, lines: list[tuple[int, str]]) -> None:
        self._clock = clock
        self._lines = lines
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self._lines.append((self._clock.millis(), line))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self._lines.append((self._clock.millis(), self._partial))
            self._partial = ""

    def isatty(self) -> bool:
        return False


def _run_program(program: Program | None, writer: _LogWriter) -> int:
    """Run the container's process; its exit code as a container's would be."""
    if program is None:
        return 0
    try:
        program()
    except SystemExit as stop:
        if stop.code is None:
            return 0
        if isinstance(stop.code, int):
            return stop.code & 0xFF  # what the operating system keeps of an exit status
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException as error:  # an uncaught exception: the traceback, then exit 1
        for line in container_traceback(error):
            print(line, file=sys.stderr)
        # Python exits 130 (128 + SIGINT) after a KeyboardInterrupt, 1 after anything else.
        return 130 if isinstance(error, KeyboardInterrupt) else 1
    return 0


def container_traceback(error: BaseException) -> Iterator[str]:
    """Python's traceback — the whole chain of causes — as it would read in the container: the
    course's app under /app/orders, the standard library and packages under the image's
    /usr/local/lib/python3.12, other code (a learner's program) as /app/main.py, and no frame of
    the simulation itself (ecslab, moto), which a real container does not run."""
    summary = traceback.TracebackException(type(error), error, error.__traceback__)
    _containerize(summary, set())
    for chunk in summary.format():
        yield from chunk.rstrip("\n").split("\n")


def _containerize(summary: traceback.TracebackException, seen: set[int]) -> None:
    if id(summary) in seen:
        return
    seen.add(id(summary))
    kept = []
    for frame in summary.stack:
        path = _container_path(frame.filename)
        if path is None:
            continue
        frame.line  # noqa: B018 — read the source line before the file name changes
        frame.filename = path
        kept.append(frame)
    summary.stack[:] = kept
    for linked in (summary.__cause__, summary.__context__, *(summary.exceptions or ())):
        if linked is not None:
            _containerize(linked, seen)


def _container_path(filename: str) -> str | None:
    path = Path(filename)
    try:
        relative = path.resolve().relative_to(_PACKAGE)
    except ValueError:
        pass
    else:
        return "/app/orders/app.py" if relative.as_posix() == "ecs/apps.py" else None
    parts = path.parts
    if "site-packages" in parts:
        index = parts.index("site-packages")
        if parts[index + 1 : index + 2] == ("moto",):
            return None
        return f"{_IMAGE_LIB}/site-packages/" + "/".join(parts[index + 1 :])
    try:
        return f"{_IMAGE_LIB}/" + path.resolve().relative_to(_STDLIB).as_posix()
    except ValueError:
        return "/app/main.py"


_PACKAGE = Path(__file__).resolve().parents[1]
_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
_IMAGE_LIB = "/usr/local/lib/python3.12"  # the image's Python (python:3.12-slim)
