"""ECS Exec: a shell in a running container, opened by the SSM agent with the **task role**.

Run a task with ``enableExecuteCommand`` and ECS starts the SSM agent (its managed agent
``ExecuteCommandAgent``) in every container. The agent registers its *control channel* with
Systems Manager's message gateway (``ssmmessages:CreateControlChannel``, then
``ssmmessages:OpenControlChannel``) as soon as the container starts, and opens a *data channel*
(``ssmmessages:CreateDataChannel``, ``ssmmessages:OpenDataChannel``) for each session. It signs
those calls with the task's credentials — the **task role**, not the execution role, although
ECS Exec looks like infrastructure ("IAM permissions required for ECS Exec":
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions).
``ssmmessages`` has no resource types: the actions are granted on ``*``
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmessagegatewayservice.html).

``ecs:ExecuteCommand`` (the learner's permission, authorized by the gate) then answers:

- with a session (``sessionId``, ``streamUrl``, ``tokenValue``) when the container's agent is
  connected;
- ``TargetNotConnectedException`` when it is not — the task role did not allow the control
  channel, or the task has no task role at all;
- ``InvalidParameterException`` when the task was run without ``enableExecuteCommand`` or the
  agent never ran (the task stopped before its containers started).

Where the lab is not AWS: a task's whole life runs inside ``RunTask``, so every task the lab
returns is already STOPPED; ``ExecuteCommand`` answers for a task that reached RUNNING as it was
then (AWS refuses a stopped task). A refused data channel is only in the trace: on AWS the
session is created and the Session Manager plugin then fails to connect. The exec session's
logging and encryption settings (the cluster's ``executeCommandConfiguration``: KMS, S3,
CloudWatch Logs) are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecslab.cloud.account import random_hex
from ecslab.cloud.errors import Refusal, ServiceError
from ecslab.cloud.operations import Authorization

if TYPE_CHECKING:
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import TaskState
    from ecslab.ecs.service import ECSService

MANAGED_AGENT = "ExecuteCommandAgent"
AGENT = "SSM agent (ECS Exec)"  # who signs the channels' calls, as the trace names it
CONTROL_CHANNEL = ("CreateControlChannel", "OpenControlChannel")
DATA_CHANNEL = ("CreateDataChannel", "OpenDataChannel")

# https://github.com/aws/aws-cli/issues/6456 (response body of ExecuteCommand)
NOT_CONNECTED = "The execute command failed due to an internal error. Try again later."
# https://github.com/keidarcy/e1s/issues/206 (ECS writes a typographic apostrophe)
NOT_ENABLED = (
    "The execute command failed because execute command was not enabled when the task was run "
    "or the execute command agent isn\u2019t running. Wait and try again or run a new task with "
    "execute command enabled and try again."
)
# https://github.com/Mic-U/ecsher/issues/56 (a task id of the wrong length)
TASK_LENGTH = "task length should be one of [32,36]"


@dataclass
class ExecAgent:
    """One container's ``ExecuteCommandAgent``."""

    container: str
    started_at: float
    connected: bool
    last_status: str = "RUNNING"

    def describe(self) -> dict[str, Any]:
        return {
            "lastStartedAt": self.started_at,
            "name": MANAGED_AGENT,
            "lastStatus": self.last_status,
        }


def _error(code: str, message: str) -> Refusal:
    return Refusal(ServiceError(400, code, message))


def _channel(world: World, task: TaskState, operations: tuple[str, ...]) -> bool:
    """The agent's calls for one channel, with the task's credentials; True if all allowed."""
    credentials = task.task_credentials
    if credentials is None:
        # No task role: the agent finds no credentials and sends nothing.
        return False
    for operation in operations:
        refusal = world.gate.authorize(
            credentials[0],
            "ssmmessages",
            operation,
            [Authorization(f"ssmmessages:{operation}", "*")],
            label=AGENT,
        )
        if refusal is not None:
            return False
    return True


def start_agents(world: World, task: TaskState) -> None:
    """At container start (run phase): each container's agent opens its control channel."""
    if not task.enable_execute_command:
        return
    for container in task.containers:
        task.exec_agents[container.name] = ExecAgent(
            container.name, world.clock.timestamp(), _channel(world, task, CONTROL_CHANNEL)
        )


def stop_agents(task: TaskState) -> None:
    for agent in task.exec_agents.values():
        agent.last_status = "STOPPED"


def check_task_reference(params: Mapping[str, Any]) -> None:
    """A task id (not an ARN) has ECS's length."""
    reference = str(params.get("task") or "")
    if not reference.startswith("arn:") and len(reference) not in (32, 36):
        raise _error("InvalidParameterException", TASK_LENGTH)


def execute_command(
    ecs: ECSService, params: Mapping[str, Any], task: TaskState | None
) -> dict[str, Any]:
    """The ExecuteCommand API, after the gate allowed the caller's ``ecs:ExecuteCommand``;
    ``task`` is the task ``params`` names (``None``: no such task)."""
    if task is None:
        # StopTask's answer for an unknown task; ExecuteCommand's own is not on record.
        raise _error("InvalidParameterException", "The referenced task was not found.")
    names = [c.name for c in task.containers]
    name = params.get("container")
    if name is None:
        if len(names) > 1:
            # "A container name only needs to be specified for tasks containing multiple
            # containers." (API reference, ExecuteCommand, container); the exact error text is
            # not on record.
            raise _error(
                "InvalidParameterException",
                "A container name must be specified for tasks containing multiple containers.",
            )
        name = names[0]
    if name not in names:
        # The exact text is not on record (API reference, ExecuteCommand).
        raise _error(
            "InvalidParameterException",
            f"The container {name} does not exist in the task.",
        )
    agent = task.exec_agents.get(str(name))
    if not task.enable_execute_command or agent is None:
        raise _error("InvalidParameterException", NOT_ENABLED)
    if not agent.connected:
        raise _error("TargetNotConnectedException", NOT_CONNECTED)
    world = ecs.world
    with world.gate.phase("run"):
        _channel(world, task, DATA_CHANNEL)
    container = next(c for c in task.containers if c.name == name)
    session_id = f"ecs-execute-command-{random_hex(17)}"
    region = ecs.region
    return {
        "clusterArn": task.cluster_arn,
        "containerArn": container.arn,
        "containerName": name,
        "interactive": bool(params.get("interactive")),
        "session": {
            "sessionId": session_id,
            "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/"
            f"{session_id}?role=publish_subscribe&cell-number=AAEAAQ",
            "tokenValue": "AAEAA" + random_hex(64),
        },
        "taskArn": task.arn,
    }
