"""FireLens: a log-router container ships the app's logs — with the **task role**.

A task definition uses FireLens when a container's ``logConfiguration`` names the
``awsfirelens`` log driver; another container of the task, the *log router*, carries a
``firelensConfiguration`` (``type`` ``fluentbit`` or ``fluentd``). ECS turns the app's log
options into the router's output configuration, and the router — Fluent Bit in AWS's
``aws-for-fluent-bit`` image — sends the lines itself. The docs ask for "a task IAM role ...
that contains the permissions needed for the task to route the logs"
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html): the router
is a process in the task, so it signs with the task's credentials, the **task role**, although
logging looks like infrastructure. The **execution role** still does the agent's part at launch:
it pulls the router's image (from AWS's own ECR account for the region, as in AWS's example
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-ECS-logs.html)
and creates the log stream of the router's own output (the ``awslogs`` driver, as AWS's examples
configure the router; https://github.com/aws-samples/amazon-ecs-firelens-examples).

Fluent Bit's ``cloudwatch_logs`` output (fluent-bit ``plugins/out_cloudwatch_logs``) calls
``logs:CreateLogGroup`` first when ``auto_create_group`` is ``true``, then
``logs:CreateLogStream`` and ``logs:PutLogEvents``. A refused call does not stop the task: the
app keeps running, its lines never reach CloudWatch Logs, and the router's own log shows the
error in the plugin's format, e.g. (https://github.com/aws/aws-for-fluent-bit/issues/177,
https://github.com/fluent/fluent-bit/issues/4553 for the ``message=`` part)::

    [2021/05/12 19:36:11] [error] [output:cloudwatch_logs:cloudwatch_logs.0] CreateLogGroup
    API responded with error='AccessDeniedException'
    [2021/05/12 19:36:11] [error] [output:cloudwatch_logs:cloudwatch_logs.0] Failed to create
    log group

(each on one line).

Where the lab is not AWS: the router ships each container's lines once, after the containers
ran (a real router flushes every few seconds and retries a failed chunk); only the
``cloudwatch_logs`` output is modelled (another ``Name`` ships nothing, and the router says so);
the router's calls are authorized and traced as the router's (caller "log router (Fluent
Bit)"), and the accepted lines are written to the simulated CloudWatch Logs directly. The
router's image is answered by the lab (AWS's registry is another account): its pull is
authorized as a cross-account pull from a repository whose policy lets everyone pull, so what
decides is the execution role's own policy, as on AWS.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.cloud.operations import OPERATIONS, Authorization
from ecslab.ecs import network, reasons
from ecslab.ecs.definitions import ContainerDefinition, TaskDefinition, client_exception
from ecslab.ecs.images import ImageReference
from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import ContainerState, Lifecycle

ROUTER = "log_router"
LABEL = "log router (Fluent Bit)"  # who signs the router's calls, as the trace names it
# AWS's own ECR account for aws-for-fluent-bit in most regions (the docs' example image:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/deploy-container-insights-ECS-logs.html).
FLUENT_BIT_ACCOUNT = "906394416424"
REPOSITORY = "aws-for-fluent-bit"
TAG = "latest"
ROUTER_IMAGE_BYTES = 38_000_000
OUTPUT = "cloudwatch_logs"

# https://github.com/fabfuel/ecs-deploy/issues/164
NO_ROUTER = (
    "When awsfirelens log driver is specified in log configuration, a firelens configuration "
    "object must be configured in one of the containers."
)
# https://github.com/aws/amazon-cloudwatch-logs-for-fluent-bit/issues/20,
# https://github.com/pulumi/pulumi-awsx/issues/552
NO_AWSFIRELENS = (
    "When a firelensConfiguration object is specified, at least one container has to be "
    "configured with the awsfirelens log driver."
)

# Fields DescribeTaskDefinition adds that RegisterTaskDefinition does not take.
_DESCRIBED_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "compatibilities",
    "requiresAttributes",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


def fluent_bit_image(region: str) -> str:
    return f"{FLUENT_BIT_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{REPOSITORY}:{TAG}"


def registrable(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a task definition (as DescribeTaskDefinition gives it) that
    RegisterTaskDefinition takes: the fields only ECS writes are left out."""
    out = copy.deepcopy(dict(definition))
    for name in _DESCRIBED_ONLY:
        out.pop(name, None)
    return out


def _region_of(definition: Mapping[str, Any]) -> str:
    for container in definition.get("containerDefinitions") or []:
        options = (container.get("logConfiguration") or {}).get("options") or {}
        if options.get("awslogs-region"):
            return str(options["awslogs-region"])
    arn = str(definition.get("taskDefinitionArn") or "")
    if arn.count(":") >= 5:
        return arn.split(":")[3]
    return "ap-northeast-1"


def with_log_router(
    definition: Mapping[str, Any], *, log_group: str | None = None, auto_create_group: bool = False
) -> dict[str, Any]:
    """A NEW task definition (RegisterTaskDefinition's fields, family ``<family>-firelens``):
    ``definition`` with a FireLens log router and its essential container logging through it.

    The router, ``log_router``, runs AWS's ``aws-for-fluent-bit`` image from AWS's ECR account
    for the region (so the execution role pulls it) with ``firelensConfiguration`` type
    ``fluentbit``, and writes its own output with the ``awslogs`` driver (as AWS's examples do).
    The essential container's ``logConfiguration`` becomes ``awsfirelens`` with Fluent Bit's
    ``cloudwatch_logs`` output to ``log_group`` (default: the log group it used with awslogs).
    The router ships those lines with the **task role** (logs:CreateLogStream,
    logs:PutLogEvents, and logs:CreateLogGroup when ``auto_create_group`` is true).
    """
    if not isinstance(definition, Mapping):
        raise ArgumentTypeError(
            _(
                "with_log_router() takes a task definition as a dict (e.g. "
                "lab.task_definition()), not {kind}"
            ).format(kind=type(definition).__name__)
        )
    if not isinstance(auto_create_group, bool):
        raise ArgumentTypeError(
            _("auto_create_group must be True or False, not {kind}").format(
                kind=type(auto_create_group).__name__
            )
        )
    out = registrable(definition)
    containers = [c for c in out.get("containerDefinitions") or [] if isinstance(c, dict)]
    essential = next((c for c in containers if c.get("essential", True)), None)
    if essential is None:
        raise ValueError(
            _(
                "with_log_router() needs a task definition with an essential container whose "
                "logs the router ships; this one has none"
            )
        )
    if any(c.get("firelensConfiguration") for c in containers):
        raise ValueError(
            _("This task definition already has a log router (a container with {field})").format(
                field="firelensConfiguration"
            )
        )
    region = _region_of(definition)
    old = (essential.get("logConfiguration") or {}).get("options") or {}
    group = log_group or str(old.get("awslogs-group") or f"/ecs/{out.get('family', 'task')}")
    if not isinstance(group, str) or not group:
        raise ArgumentTypeError(
            _("log_group must be a log group name (a str), not {value}").format(value=repr(group))
        )
    essential["logConfiguration"] = {
        "logDriver": "awsfirelens",
        "options": {
            "Name": OUTPUT,
            "region": region,
            "log_group_name": group,
            "log_stream_prefix": "firelens-",
            "auto_create_group": "true" if auto_create_group else "false",
        },
    }
    router = {
        "name": ROUTER,
        "image": fluent_bit_image(region),
        "essential": True,
        "firelensConfiguration": {"type": "fluentbit"},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                # the router's own output: where the app logged before (an existing group)
                "awslogs-group": str(old.get("awslogs-group") or group),
                "awslogs-region": region,
                "awslogs-stream-prefix": "firelens",
            },
        },
        "memoryReservation": 50,
    }
    # After the app: the task's first essential container stays the app (its exit code is the
    # task's); ECS starts the router first whatever the order (firelens-taskdef.html).
    out["containerDefinitions"] = [*containers, router]
    # A family of its own, so that the course's task (lab.run_task(), lab.task_definition())
    # stays as it was.
    out["family"] = f"{out.get('family', 'task')}-firelens"
    return out


# -- RegisterTaskDefinition ------------------------------------------------------------------------


def check_definition(containers: list[Mapping[str, Any]]) -> None:
    """ECS's own check: ``awsfirelens`` needs a container with a FireLens configuration."""
    uses = any(
        isinstance(c, Mapping)
        and (c.get("logConfiguration") or {}).get("logDriver") == "awsfirelens"
        for c in containers
    )
    has_router = any(isinstance(c, Mapping) and c.get("firelensConfiguration") for c in containers)
    if uses and not has_router:
        raise client_exception(NO_ROUTER)
    if has_router and not uses:
        raise client_exception(NO_AWSFIRELENS)


def is_router(container: ContainerState) -> bool:
    return is_router_definition(container.definition)


def is_router_definition(container: ContainerDefinition) -> bool:
    return bool(container.raw.get("firelensConfiguration"))


# -- the launch: the execution role pulls the router's image ---------------------------------------


def is_aws_image(image: ImageReference) -> bool:
    return image.account == FLUENT_BIT_ACCOUNT and image.repository == REPOSITORY


def _public_policy(arn: str) -> str:
    # aws-for-fluent-bit's repositories let every AWS account pull.
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowPull",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": [
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchCheckLayerAvailability",
                    ],
                    "Resource": arn,
                }
            ],
        }
    )


class _AwsRegistry:
    """The agent's client for AWS's registry: each call authorized (as the agent's, through the
    gate's judge) with AWS's repository policy; wrapped in the network's guard like any pull."""

    class meta:  # botocore's attribute name: what the network's guard reads
        method_to_api_mapping: ClassVar[dict[str, str]] = {
            "batch_get_image": "BatchGetImage",
            "get_download_url_for_layer": "GetDownloadUrlForLayer",
        }

    def __init__(self, world: World, access_key: str, image: ImageReference) -> None:
        self._world = world
        self._key = access_key
        self._image = image

    def _authorize(self, operation: str, params: dict[str, Any]) -> None:
        image = self._image
        arn = f"arn:aws:ecr:{image.region}:{image.account}:repository/{image.repository}"
        refusal = self._world.gate.authorize(
            self._key,
            "ecr",
            operation,
            [Authorization(f"ecr:{operation}", arn, _public_policy(arn))],
        )
        if refusal is not None:
            raise _Refused(refusal.message)

    def batch_get_image(self, **params: Any) -> None:
        self._authorize("BatchGetImage", params)

    def get_download_url_for_layer(self, **params: Any) -> None:
        self._authorize("GetDownloadUrlForLayer", params)


class _Refused(Exception):
    pass


def pull(lifecycle: Lifecycle, container: ContainerState, image: ImageReference) -> int:
    """The agent pulls AWS's Fluent Bit image with the execution role; returns its size."""
    from ecslab.ecs.lifecycle import LaunchFailed

    task, world = lifecycle.task, lifecycle.world
    credentials = task.execution_credentials
    if credentials is None and task.instance is not None:
        credentials = task.instance.agent_credentials(world, task, "ecr")
    if credentials is None:  # as the lifecycle's agent with no execution role
        raise LaunchFailed(
            "ResourceInitializationError: unable to pull secrets or registry auth: execution "
            "resource retrieval failed: unable to find execution role credentials"
        )
    ecr = network.GuardedClient(
        _AwsRegistry(world, credentials[0], image),
        "ecr",
        world,
        lifecycle.service.network,
        task,
        LaunchFailed,
    )
    tag = image.tag or image.digest or "latest"
    try:
        ecr.batch_get_image(
            registryId=image.account,
            repositoryName=image.repository,
            imageIds=[image.image_id],
        )
    except _Refused:
        raise LaunchFailed(
            reasons.image_pull_forbidden(str(image.registry), image.resolved, tag)
        ) from None
    digest = "sha256:" + hashlib.sha256(image.resolved.encode()).hexdigest()
    container.image_digest = digest
    layer = "sha256:" + hashlib.sha256(f"{image.resolved} layer".encode()).hexdigest()
    try:
        ecr.get_download_url_for_layer(
            registryId=image.account, repositoryName=image.repository, layerDigest=layer
        )
    except _Refused:
        # as the lifecycle's own pull: the layer's blob download refused (403)
        raise LaunchFailed(
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to "
            f"copy: httpReadSeeker: failed open: unexpected status code https://"
            f"{image.registry}/v2/{image.repository}/blobs/{layer}: 403 Forbidden"
        ) from None
    return ROUTER_IMAGE_BYTES


# -- the run: the router ships the app's lines with the task role ----------------------------------


def ship(lifecycle: Lifecycle) -> None:
    """Run phase, after the containers ran: the router sends each ``awsfirelens`` container's
    lines with the task role; its own error lines go to its own output."""
    task, world = lifecycle.task, lifecycle.world
    router = next((c for c in task.containers if is_router(c)), None)
    if router is None:
        return
    for index, container in enumerate(
        c
        for c in task.containers
        if c.definition.log_configuration is not None
        and c.definition.log_configuration.driver == "awsfirelens"
    ):
        options = dict(container.definition.log_configuration.options)  # type: ignore[union-attr]
        events = [
            {"timestamp": stamp, "message": line} for stamp, line in container.log_lines if line
        ]
        name = str(options.get("Name", ""))
        plugin = f"[output:{name}:{name}.{index}]"
        if name != OUTPUT:
            router.log_lines.append(
                (
                    world.clock.millis(),
                    f"{_stamp(world)} [ warn] {plugin} not modelled by ecslab: nothing shipped",
                )
            )
            continue
        group = str(options.get("log_group_name", ""))
        stream = str(
            options.get("log_stream_name")
            or f"{options.get('log_stream_prefix', '')}{container.name}-firelens-{task.id}"
        )
        if not events:
            continue  # nothing to flush: the plugin makes no call
        auto_create = str(options.get("auto_create_group", "false")).lower() == "true"
        if _send(world, task.task_credentials, plugin, group, stream, events, auto_create, router):
            task.log_destinations[container.name] = (group, stream)


def _stamp(world: World) -> str:
    now = datetime.datetime.fromtimestamp(world.clock.timestamp(), datetime.timezone.utc)
    return now.strftime("[%Y/%m/%d %H:%M:%S]")


def _send(
    world: World,
    credentials: tuple[str, str, str] | None,
    plugin: str,
    group: str,
    stream: str,
    events: list[dict[str, Any]],
    auto_create: bool,
    router: ContainerState,
) -> bool:
    """One flush of the cloudwatch_logs output; True when the lines arrived."""

    def say(level: str, text: str) -> None:
        router.log_lines.append(
            (world.clock.millis(), f"{_stamp(world)} [{level}] {plugin} {text}")
        )

    if credentials is None:
        # No task role: the router's SDK finds no credentials in the task.
        say("error", "Failed to create log stream")
        say("error", "Failed to send events")
        return False
    account = world.account

    def call(operation: str, params: dict[str, Any]) -> tuple[str, str] | None:
        checks = OPERATIONS[("logs", operation)](params, world.account)
        refusal = world.gate.authorize(credentials[0], "logs", operation, checks, label=LABEL)
        if refusal is None:
            return None
        return refusal.code, refusal.message

    def failed(operation: str, error: tuple[str, str], what: str) -> bool:
        # fluent-bit's flb_aws_print_error: "<API> API responded with error='<code>', message='..'"
        say("error", f"{operation} API responded with error='{error[0]}', message='{error[1]}'")
        say("error", f"Failed to {what}")
        say("error", "Failed to send events")
        return False

    if auto_create:
        say(" info", f"Creating log group {group}")
        error = call("CreateLogGroup", {"logGroupName": group})
        if error is not None:
            return failed("CreateLogGroup", error, "create log group")
        account.deliver_log_events(group)
    say(" info", f"Creating log stream {stream} in log group {group}")
    error = call("CreateLogStream", {"logGroupName": group, "logStreamName": stream})
    if error is None and not account.log_group_exists(group):
        error = ("ResourceNotFoundException", "The specified log group does not exist.")
    if error is not None:
        return failed("CreateLogStream", error, "create log stream")
    account.deliver_log_events(group, stream)
    error = call(
        "PutLogEvents", {"logGroupName": group, "logStreamName": stream, "logEvents": events}
    )
    if error is not None:
        say("error", f"PutLogEvents API responded with error='{error[0]}', message='{error[1]}'")
        say("error", "Failed to send log events")
        say("error", "Failed to send events")
        return True  # the stream exists; the lines did not arrive
    account.deliver_log_events(group, stream, events)
    return True


# -- the plan: what the router will ask for (ecslab.ecs.plan) --------------------------------------


def planned_shipping(
    definition: TaskDefinition, printing: set[str], task_id: str
) -> tuple[list[tuple[str, str, dict[str, Any], str]], bool]:
    """The router's calls as :func:`ship` makes them, in order — ``(container, operation,
    params, why)``, ``why`` in the learner's language — for the ``awsfirelens`` containers in
    ``printing`` (those that print something); and whether the router prints lines of its own
    (which the agent then delivers to the router's awslogs stream)."""
    if not any(is_router_definition(c) for c in definition.containers):
        return [], False
    calls: list[tuple[str, str, dict[str, Any], str]] = []
    router_prints = False
    for container in definition.containers:
        logging = container.log_configuration
        if logging is None or logging.driver != "awsfirelens" or container.name not in printing:
            continue
        router_prints = True  # "Creating log stream ..." or "not modelled by ecslab"
        options = dict(logging.options)
        if str(options.get("Name", "")) != OUTPUT:
            continue
        group = str(options.get("log_group_name", ""))
        stream = str(
            options.get("log_stream_name")
            or f"{options.get('log_stream_prefix', '')}{container.name}-firelens-{task_id}"
        )
        if str(options.get("auto_create_group", "false")).lower() == "true":
            calls.append(
                (
                    container.name,
                    "CreateLogGroup",
                    {"logGroupName": group},
                    _(
                        "create log group {group} for the lines of {container} (auto_create_group)"
                    ).format(group=group, container=container.name),
                )
            )
        calls.append(
            (
                container.name,
                "CreateLogStream",
                {"logGroupName": group, "logStreamName": stream},
                _("create the log stream for the lines of {container} (FireLens)").format(
                    container=container.name
                ),
            )
        )
        calls.append(
            (
                container.name,
                "PutLogEvents",
                {"logGroupName": group, "logStreamName": stream},
                _("ship what {container} prints to CloudWatch Logs (FireLens)").format(
                    container=container.name
                ),
            )
        )
    return calls, router_prints
