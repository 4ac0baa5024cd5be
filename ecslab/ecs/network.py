"""Where a Fargate task's network lets the ECS agent go: subnets, routes out, VPC endpoints.

On Fargate platform 1.4 the agent reaches ECR, S3, CloudWatch Logs, Secrets Manager and Systems
Manager through the **task's own network interface**, in the subnet RunTask put it in
(https://aws.amazon.com/premiumsupport/knowledge-center/ecs-unable-to-pull-secrets/). A call gets
there when the subnet has a route out — a NAT gateway, or an internet gateway *and* a public IP
(``assignPublicIp`` ENABLED) — or when the VPC has an endpoint for the service: interface
endpoints ``ecr.api``, ``ecr.dkr``, ``logs``, ``secretsmanager``, ``ssm``, ``kms``, ``sqs``,
``sns`` and gateway endpoints ``s3``, ``dynamodb``. ECR keeps image layers in S3, so a pull
needs ``ecr.dkr`` *and* ``s3`` (https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error).

With no path, nothing refuses the call: it times out, the SDK retries, and the task stops with
Fargate's wording for a network failure (below, each text with its source) — minutes later, not
the few milliseconds of an IAM refusal. The trace records the attempt with the decision
``Unreachable``: no policy was ever evaluated.

Where the simulation is not faithful: the lab's own subnets, and any subnet id :class:`Network`
did not make, are private subnets with a NAT gateway (so the default lab is reachable, as
before); security groups, network ACLs and DNS are always open; interface endpoints have private
DNS enabled; this module checks the agent's launch calls (the app's calls at run time:
:mod:`ecslab.ecs.reach`);
the IP addresses and the S3 layer URL's path in the texts are stand-ins; the waits are of the
order public reports give (a few minutes, https://github.com/aws/amazon-ecs-agent/issues/1680),
not measured.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import TaskState

UNREACHABLE = "Unreachable"  # the trace's decision for a call that found no network path

# name -> endpoint type (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html)
ENDPOINTS = {
    "ecr.api": "Interface",
    "ecr.dkr": "Interface",
    "s3": "Gateway",
    "logs": "Interface",
    "secretsmanager": "Interface",
    "ssm": "Interface",
    "kms": "Interface",
    "sqs": "Interface",
    "sns": "Interface",
    "dynamodb": "Gateway",
}

# The agent's calls and the endpoints each needs (in the order it tries them).
NEEDS = {
    ("ecr", "GetAuthorizationToken"): ("ecr.api",),
    ("ecr", "BatchGetImage"): ("ecr.dkr",),
    ("ecr", "GetDownloadUrlForLayer"): ("ecr.dkr", "s3"),
    ("ssm", "GetParameters"): ("ssm",),
    ("secretsmanager", "GetSecretValue"): ("secretsmanager",),
    ("logs", "CreateLogStream"): ("logs",),
    ("logs", "CreateLogGroup"): ("logs",),
    ("logs", "PutLogEvents"): ("logs",),
}

# Simulated seconds before the agent gives up: attempts x a 30 s dial timeout.
WAIT = {"ecr.api": 90.0, "ecr.dkr": 150.0, "s3": 150.0, "ssm": 150.0, "secretsmanager": 150.0}
WAIT_LOGS = 120.0

_RETRIEVAL = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution "
    "resource retrieval failed: "
)
_CHECK = ". Please check your task network configuration."
_DEADLINE = "RequestCanceled: request context canceled caused by: context deadline exceeded"


class UnknownEndpoint(LearnerMistake, ValueError):
    """An endpoint name the lab does not model (shown as ``ValueError``)."""

    shown_as = "ValueError"


class NetworkInputError(LearnerMistake, ValueError):
    """A network setting that AWS would not accept (shown as ``ValueError``)."""

    shown_as = "ValueError"


@dataclass(frozen=True)
class Subnet:
    """A subnet the learner made: ``route`` is "internet gateway", "NAT gateway" or None."""

    id: str
    public: bool
    route: str | None

    def __str__(self) -> str:
        return self.id


def _ip(host: str) -> str:
    """A stand-in public address for a host, the same on every run."""
    digest = hashlib.sha256(host.encode()).digest()
    return f"52.{digest[0] % 128 + 64}.{digest[1]}.{digest[2] % 254 + 1}"


class Network:
    """The lab's VPC as far as the ECS agent cares: subnets, their routes out, endpoints.

    >>> subnet = lab.network.private_subnet(nat=False)  # doctest: +SKIP
    >>> lab.network.add_endpoint("ecr.api")              # doctest: +SKIP

    A subnet made here becomes the one :attr:`Lab.network_configuration` (and so
    ``lab.run_task()``) uses; ``lab.network.reset()`` goes back to the lab's own.
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self.subnets: dict[str, Subnet] = {}
        self.endpoints: list[str] = []
        self.chosen: Subnet | None = None
        self.assign_public_ip = "DISABLED"

    # -- the learner's API -----------------------------------------------------------------------

    def public_subnet(self, public_ip: bool = True) -> Subnet:
        """A subnet whose route table sends 0.0.0.0/0 to an internet gateway; the task gets a
        public IP unless ``public_ip=False`` (and without one it cannot use the gateway)."""
        _check_bool("public_ip", public_ip)
        return self._new(public=True, route="internet gateway", public_ip=public_ip)

    def private_subnet(self, nat: bool = True) -> Subnet:
        """A subnet whose route out is a NAT gateway, or none with ``nat=False``."""
        _check_bool("nat", nat)
        return self._new(public=False, route="NAT gateway" if nat else None, public_ip=False)

    def add_endpoint(self, name: str) -> None:
        """A VPC endpoint: ``"ecr.api"``, ``"ecr.dkr"``, ``"s3"``, ``"logs"``,
        ``"secretsmanager"``, ``"ssm"``, ``"kms"``, ``"sqs"``, ``"sns"``, ``"dynamodb"`` (or the
        service name ``com.amazonaws.<region>.<name>``)."""
        name = self._endpoint_name(name)
        if name not in self.endpoints:
            self.endpoints.append(name)

    def remove_endpoint(self, name: str) -> None:
        name = self._endpoint_name(name)
        if name in self.endpoints:
            self.endpoints.remove(name)

    def reset(self) -> None:
        """Back to the lab's own subnets (private, with a NAT gateway) and no endpoints."""
        self.chosen = None
        self.assign_public_ip = "DISABLED"
        self.endpoints.clear()

    def configuration(self, default: dict[str, Any]) -> dict[str, Any]:
        """The awsvpc configuration for RunTask: ``default`` until a subnet is made here."""
        if self.chosen is None:
            return default
        awsvpc = dict(default.get("awsvpcConfiguration") or {})
        awsvpc["subnets"] = [self.chosen.id]
        awsvpc["assignPublicIp"] = self.assign_public_ip
        return {"awsvpcConfiguration": awsvpc}

    def __repr__(self) -> str:
        if self.chosen is None:
            where = _("the lab's subnets (private, route out through a NAT gateway)")
        else:
            where = _("{subnet} ({route}), assignPublicIp {ip}").format(
                subnet=self.chosen.id,
                route=self.chosen.route or _("no route out"),
                ip=self.assign_public_ip,
            )
        endpoints = ", ".join(self.endpoints) or _("none")
        return _("Network: tasks run in {where}; VPC endpoints: {endpoints}").format(
            where=where, endpoints=endpoints
        )

    # -- the simulation's questions --------------------------------------------------------------

    def route_out(self, subnet_id: str, assign_public_ip: str) -> str | None:
        """How a task in this subnet reaches the internet, or None."""
        subnet = self.subnets.get(subnet_id)
        if subnet is None:
            return "NAT gateway"  # the lab's own subnets, and any this model did not make
        if subnet.route == "internet gateway" and assign_public_ip != "ENABLED":
            return None  # a gateway with no public address to translate
        return subnet.route

    def reaches(self, subnet_id: str, assign_public_ip: str, endpoint: str) -> bool:
        return endpoint in self.endpoints or self.route_out(subnet_id, assign_public_ip) is not None

    # -- inside --------------------------------------------------------------------------------

    def _new(self, public: bool, route: str | None, public_ip: bool) -> Subnet:
        subnet = Subnet(f"subnet-0e1ab{len(self.subnets) + 1:012x}", public, route)
        self.subnets[subnet.id] = subnet
        self.chosen = subnet
        self.assign_public_ip = "ENABLED" if public_ip else "DISABLED"
        return subnet

    def _endpoint_name(self, name: Any) -> str:
        if not isinstance(name, str):
            raise UnknownEndpoint(
                _("An endpoint name is a string such as 'ecr.api', not {value}").format(
                    value=repr(name)
                )
            )
        short = name.strip().lower()
        prefix = f"com.amazonaws.{self.region}."
        if short.startswith(prefix):
            short = short[len(prefix) :]
        if short in ENDPOINTS:
            return short
        close = difflib.get_close_matches(short, list(ENDPOINTS), n=1, cutoff=0.5)
        message = _("There is no VPC endpoint {name} in this lab; the endpoints are: {names}.")
        text = message.format(name=repr(name), names=", ".join(ENDPOINTS))
        if close:
            text += _(' Did you mean "{name}"?').format(name=close[0])
        raise UnknownEndpoint(text)


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise NetworkInputError(
            _("{name} must be True or False, not {value}").format(name=name, value=repr(value))
        )


# -- the texts ------------------------------------------------------------------------------------


def failure_text(endpoint: str, region: str, call: dict[str, str]) -> tuple[str, str, str]:
    """(stoppedReason, error code, the error the agent got) for a call with no path."""
    if endpoint == "ecr.api":
        # https://github.com/doctorray117/minecraft-ondemand/issues/74 and
        # https://repost.aws/knowledge-center/ecs-unable-to-pull-secrets (same words)
        host = f"api.ecr.{region}.amazonaws.com"
        inner = (
            f'RequestError: send request failed caused by: Post "https://{host}/": '
            f"dial tcp {_ip(host)}:443: i/o timeout"
        )
        reason = (
            _RETRIEVAL + "unable to retrieve ecr registry auth: service call has been retried "
            "3 time(s): " + inner + _CHECK
        )
        return reason, "RequestError", inner
    if endpoint == "ssm":
        # https://github.com/hashicorp/terraform-provider-aws/issues/33044
        reason = (
            _RETRIEVAL + "unable to retrieve secrets from ssm: service call has been retried "
            "5 time(s): " + _DEADLINE + _CHECK
        )
        return reason, "RequestCanceled", _DEADLINE
    if endpoint == "secretsmanager":
        # "...unable to retrieve secret from asm: service call has been retried 5 time(s):
        # failed to fetch secret arn:aws:secretsmanager..." (re:Post knowledge center, above),
        # ending as the SSM network failure does
        reason = (
            _RETRIEVAL + "unable to retrieve secret from asm: service call has been retried "
            f"5 time(s): failed to fetch secret {call.get('secret', '')} from secrets manager: "
            + _DEADLINE
            + _CHECK
        )
        return reason, "RequestCanceled", _DEADLINE
    if endpoint == "ecr.dkr":
        # https://github.com/deepfence/terraform-aws-cloud-scanner/issues/13
        host = call["registry"]
        inner = (
            f'failed to do request: Head "https://{host}/v2/{call["repository"]}/manifests/'
            f'{call["tag"]}": dial tcp {_ip(host)}:443: i/o timeout'
        )
        reason = (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed "
            f"to resolve ref {call['reference']}: " + inner
        )
        return reason, "i/o timeout", inner
    if endpoint == "s3":
        # The layer blob, redirected to ECR's S3 bucket prod-<region>-starport-layer-bucket
        # (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html): the
        # Fargate prefix of lifecycle's 403 text and containerd's words for a dial timeout
        # ("failed to copy: httpReadSeeker: failed open: failed to do request: Get ...: dial tcp
        # ...: i/o timeout", https://github.com/Roblox/nomad-driver-containerd/issues/184).
        host = f"prod-{region}-starport-layer-bucket.s3.{region}.amazonaws.com"
        inner = (
            f'failed to do request: Get "https://{host}/{call["account"]}/{call["repository"]}/'
            f'{call["digest"]}": dial tcp {_ip(host)}:443: i/o timeout'
        )
        reason = (
            "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: "
            "httpReadSeeker: failed open: " + inner
        )
        return reason, "i/o timeout", inner
    # logs: https://github.com/civiform/civiform/issues/7648
    inner = (
        "The task cannot find the Amazon CloudWatch log group defined in the task definition. "
        "There is a connection issue between the task and Amazon CloudWatch. Check your network "
        "configuration."
    )
    reason = (
        "ResourceInitializationError: failed to validate logger args: "
        + inner
        + " : signal: killed"
    )
    return reason, "signal: killed", inner


# -- the agent's calls ----------------------------------------------------------------------------


class GuardedClient:
    """The agent's client for one service: each call first asks the network for a path; with
    none, the attempt is traced as ``Unreachable``, the clock runs for the SDK's retries, and
    ``fail(reason)`` is raised (the lifecycle's LaunchFailed)."""

    def __init__(
        self,
        client: Any,
        service: str,
        world: World,
        network: Network,
        task: TaskState,
        fail: Callable[[str], Exception],
    ) -> None:
        self._client = client
        self._service = service
        self._world = world
        self._network = network
        self._task = task
        self._fail = fail

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        needs = NEEDS.get((self._service, operation or ""), ())
        if not needs:
            return method

        def call(**params: Any) -> Any:
            task = self._task
            public_ip = getattr(task, "assign_public_ip", "DISABLED")
            for endpoint in needs:
                if not self._network.reaches(task.subnet, public_ip, endpoint):
                    self._unreachable(str(operation), params, endpoint)
            return method(**params)

        return call

    def _unreachable(self, operation: str, params: dict[str, Any], endpoint: str) -> None:
        from ecslab.cloud.gate import current_phase
        from ecslab.cloud.operations import OPERATIONS, Authorization

        world = self._world
        region = world.account.region
        credentials = self._task.execution_credentials or ("",)
        principal = world.identities.resolve(credentials[0])
        resolver = OPERATIONS.get((self._service, operation))
        checks = resolver(params, world.account) if resolver else []
        check = checks[0] if checks else Authorization(f"{self._service}:{operation}", "*")
        reason, code, inner = failure_text(endpoint, region, _details(params, region, world))
        world.trace.record(
            time=world.clock.iso(),
            phase=current_phase() or "launch",
            principal=principal.label if principal else "ECS agent",
            principal_arn=principal.arn if principal else "",
            role=principal.role if principal else None,
            service=self._service,
            operation=operation,
            action=check.action,
            resource=check.resource,
            decision=UNREACHABLE,
            error_code=code,
            error=inner,
            task=principal.task if principal else self._task.arn,
            via=check.via,
        )
        world.clock.advance(WAIT.get(endpoint, WAIT_LOGS))
        raise self._fail(reason)


def _details(params: dict[str, Any], region: str, world: World) -> dict[str, str]:
    account = str(params.get("registryId") or world.account.account_id)
    repository = str(params.get("repositoryName", ""))
    registry = f"{account}.dkr.ecr.{region}.amazonaws.com"
    ids = params.get("imageIds") or [{}]
    tag = str(ids[0].get("imageTag") or ids[0].get("imageDigest") or "latest")
    separator = "@" if tag.startswith("sha256:") else ":"
    return {
        "account": account,
        "repository": repository,
        "registry": registry,
        "tag": tag,
        "reference": f"{registry}/{repository}{separator}{tag}",
        "digest": str(params.get("layerDigest", "")),
        "secret": str(params.get("SecretId", "")),
    }
