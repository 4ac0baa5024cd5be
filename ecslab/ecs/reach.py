"""Where the app's own calls can go at run time: the task's subnet, its route out, VPC endpoints.

The app's SDK calls leave through the task's network interface, like the agent's launch calls
(:mod:`ecslab.ecs.network`): a call to S3, DynamoDB, SQS, SNS, Secrets Manager, KMS, SSM, Logs
or ECR gets there through a NAT gateway, an internet gateway with a public IP, or the VPC
endpoint for the service (gateway endpoints for S3 and DynamoDB, interface endpoints for the
rest: https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html);
any other service (STS, for one) needs the route out.

With no path, no AWS service ever sees the request: the TCP connection is never established,
botocore gives up after its connect timeout (``connect_timeout``, 60 s by default:
botocore/endpoint.py ``DEFAULT_TIMEOUT``), retries, and finally raises
``botocore.exceptions.ConnectTimeoutError`` — ``Connect timeout on endpoint URL: "<url>"``
(its ``fmt`` in botocore/exceptions.py) — the app's log shows it, not an AccessDenied. The trace
records the attempt with the decision ``Unreachable``: no policy was evaluated.

The SDK's retries, in simulated time: botocore's **standard** mode (its default when nothing is
configured, botocore/args.py ``_compute_retry_mode``) makes 3 attempts and retries a
``ConnectionError`` (botocore/retries/standard.py ``TransientRetryableChecker``), waiting
``rand(0, 1) × min(0.05 × 2^i, 20)`` s between attempts (0.025 for DynamoDB); the **legacy** mode
makes 5 attempts (10 for DynamoDB) waiting ``rand(0, 1) × 2^i`` s (0.05 × 2^i for DynamoDB),
botocore/data/_retry.json. A client's own ``Config(retries=..., connect_timeout=...)`` is
followed.

Where the simulation is not faithful: the random jitter is replaced by its mean (so the time is
the same on every run); the lab's containers carry ``AWS_MAX_ATTEMPTS=1`` and
``AWS_RETRY_MODE=legacy`` (:data:`ecslab.cloud.safety.LAB_SETTINGS`, so that a refusal appears
once in the trace) — a client with exactly those settings is timed as botocore's default
instead, since a real container would not carry them; the retries appear as one row of the trace;
security groups, NACLs and DNS are always open; only calls made while a container runs are checked
(the ECS Exec agent's and the log delivery's are not).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ConnectTimeoutError

from ecslab.cloud.operations import OPERATIONS, Authorization
from ecslab.ecs.network import UNREACHABLE

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import TaskState
    from ecslab.ecs.network import Network

# botocore's service name -> the VPC endpoint that serves it (ecslab.ecs.network.ENDPOINTS)
ENDPOINT_OF = {
    "s3": "s3",
    "dynamodb": "dynamodb",
    "sqs": "sqs",
    "sns": "sns",
    "secretsmanager": "secretsmanager",
    "kms": "kms",
    "ssm": "ssm",
    "logs": "logs",
    "ecr": "ecr.api",
}
CONNECT_TIMEOUT = 60.0  # botocore/endpoint.py DEFAULT_TIMEOUT
LAB_RETRIES = {"mode": "legacy", "total_max_attempts": 1}  # what LAB_SETTINGS makes


def sdk_wait(service: str, config: Any) -> tuple[int, float]:
    """(attempts, simulated seconds) botocore spends on a connection that never opens."""
    retries = dict(getattr(config, "retries", None) or {})
    if retries == LAB_RETRIES or not retries.get("mode"):
        retries = {"mode": "standard"}
    mode = retries["mode"]
    timeout = getattr(config, "connect_timeout", None) or CONNECT_TIMEOUT
    dynamodb = service in ("dynamodb", "dynamodbstreams")
    if mode == "legacy":
        attempts = 10 if dynamodb else 5
        base, cap = (0.05 if dynamodb else 0.5), None  # mean of rand(0, 1) for "rand"
    else:  # standard (and adaptive, which waits as standard does for a connection error)
        attempts = 3
        base, cap = 0.5 * (0.025 if dynamodb else 0.05), 0.5 * 20
    if retries.get("total_max_attempts"):
        attempts = int(retries["total_max_attempts"])
    elif retries.get("max_attempts") is not None:
        attempts = int(retries["max_attempts"]) + 1
    attempts = max(attempts, 1)
    waits = 0.0
    for attempt in range(1, attempts):
        wait = base * 2 ** (attempt - 1)
        waits += min(wait, cap) if cap is not None else wait
    return attempts, attempts * float(timeout) + waits


def _endpoint_name(service: str) -> str | None:
    return ENDPOINT_OF.get(service)


@contextlib.contextmanager
def run_phase(world: World, network: Network, task: TaskState) -> Iterator[None]:
    """While a container runs: the gate asks this task's network before every call."""
    if task.subnet not in network.subnets:
        yield  # the lab's own subnets: always a route out (the default lab is unchanged)
        return
    public_ip = getattr(task, "assign_public_ip", "DISABLED")

    def check(
        service: str,
        operation: str,
        api_params: Mapping[str, Any],
        request: Mapping[str, Any],
        context: Mapping[str, Any],
        access_key: str,
    ) -> None:
        endpoint = _endpoint_name(service)
        if endpoint is not None and network.reaches(task.subnet, public_ip, endpoint):
            return
        if endpoint is None and network.route_out(task.subnet, public_ip) is not None:
            return
        _unreachable(world, task, service, operation, api_params, request, context, access_key)

    with world.gate.route(check):
        yield


def _unreachable(
    world: World,
    task: TaskState,
    service: str,
    operation: str,
    api_params: Mapping[str, Any],
    request: Mapping[str, Any],
    context: Mapping[str, Any],
    access_key: str,
) -> None:
    from ecslab.cloud.gate import current_phase

    principal = world.identities.resolve(access_key)
    resolver = OPERATIONS.get((service, operation))
    checks = resolver(api_params, world.account) if resolver else []
    check = checks[0] if checks else Authorization(f"{service}:{operation}", "*")
    url = str(request.get("url") or f"https://{service}.{world.account.region}.amazonaws.com/")
    error = ConnectTimeoutError(endpoint_url=url)
    world.trace.record(
        time=world.clock.iso(),
        phase=current_phase() or "run",
        principal=principal.label if principal else "unknown credentials",
        principal_arn=principal.arn if principal else "",
        role=principal.role if principal else None,
        service=service,
        operation=operation,
        action=check.action,
        resource=check.resource,
        decision=UNREACHABLE,
        error_code="ConnectTimeoutError",
        error=str(error),
        task=(principal.task if principal else None) or task.arn,
        via=check.via,
    )
    _attempts, seconds = sdk_wait(service, context.get("client_config"))
    world.clock.advance(seconds)
    raise error
