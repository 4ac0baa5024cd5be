"""EFS volumes with IAM authorization: the mount signs with the **task role**.

A task definition's volume with ``efsVolumeConfiguration`` is mounted by the Fargate agent with
the EFS mount helper (efs-utils) while the task starts — in the *launch* phase, before the app
runs. With ``authorizationConfig.iam`` ``ENABLED``, the mount helper identifies the client with
the **task role** ("Whether or not to use the Amazon ECS task role defined in a task definition
when mounting the Amazon EFS file system", API reference, EFSAuthorizationConfig:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html), not
the execution role, although the mount happens at launch.

EFS decides when the client connects, from the task role's identity policies *and* the file
system policy: "An allow permission on an action in either an IAM identity policy or a file
system resource policy allows access for that action" (same account; an explicit deny in either
wins), for ``elasticfilesystem:ClientMount`` (read-only access) and
``elasticfilesystem:ClientWrite`` (write access)
(https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html). A refused
ClientMount stops the task with Fargate's text (https://github.com/aws/copilot-cli/issues/3350)::

    ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes:
    stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful
    EFS utils command execution; code: 32

A volume mounted read-only (``readOnly`` on every mount point) asks no ClientWrite; a writable
one without ClientWrite is mounted read-only (ClientMount "provides read-only access"): the
task starts, and the trace shows the refused ClientWrite.

**The lab's file system policy.** With *no* file system policy, EFS applies its default one,
which "grants full access to any anonymous client that can connect to the file system using a
mount target" (same page, "Default EFS file system policy"): the task role's identity policy
would then not matter at all. So the lab's file system (``lab.file_system``) starts with a
policy that grants nothing to anyone — it only refuses clients that do not use TLS
(``aws:SecureTransport`` false: the console's "Enforce in-transit encryption for all clients")
— and the task role's own policy decides. ``fs.delete_policy()`` puts the default back.

With ``iam`` ``DISABLED`` the client is anonymous: no role is asked, and EFS grants what the
file system policy grants to everyone (``"*"``), or everything under the default policy.

Where the lab is not AWS: moto's EFS needs moto's subnets, and the lab's network is simulated
(:mod:`ecslab.ecs.network`), so the lab answers EFS's API itself (CreateFileSystem,
DescribeFileSystems, CreateMountTarget, DescribeMountTargets, Put/Describe/DeleteFileSystemPolicy,
authorized by the gate like any call). Each file system has a mount target in each of the lab's
subnets; access points, ``rootDirectory`` and ``ClientRootAccess`` are not modelled (without
ClientRootAccess EFS squashes root to ``nfsnobody`` and the mount still succeeds). The app sees
no files: only the mount and its permission are simulated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecslab.cloud.account import random_hex
from ecslab.cloud.errors import Refusal, ServiceError
from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.cloud.operations import OPERATIONS, Authorization
from ecslab.ecs.definitions import TaskDefinition, client_exception
from ecslab.i18n import _
from ecslab.iam import MalformedPolicyDocument, evaluate, parse_policy

if TYPE_CHECKING:
    from ecslab.cloud.account import Account
    from ecslab.cloud.world import World
    from ecslab.ecs.lifecycle import Lifecycle

LABEL = "EFS mount (efs-utils)"  # who mounts, as the trace names it
VOLUME = "efs-data"

# https://github.com/aws/copilot-cli/issues/3350
ACCESS_DENIED = (
    "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: "
    "stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful "
    "EFS utils command execution; code: 32"
)


def not_resolved(file_system_id: str, region: str) -> str:
    """An id with no file system (or no mount target in the VPC): efs-utils cannot resolve its
    DNS name (https://github.com/aws/copilot-cli/issues/5419, Fargate;
    https://github.com/aws/efs-utils/issues/90)."""
    return (
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: "
        f'stderr: Failed to resolve "{file_system_id}.efs.{region}.amazonaws.com" - check that '
        "your file system ID is correct, and ensure that the VPC has an EFS mount target for "
        "this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for "
        "more detail. Attempting to lookup mount target ip address using botocore. Failed to "
        "import necessary dependency botocore, please install botocore first. : unsuccessful "
        "EFS utils command execution; code: 1"
    )


# The exact ClientException text is not on record; this quotes the API reference
# (EFSVolumeConfiguration, transitEncryption:
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html).
IAM_NEEDS_TLS = "If Amazon EFS IAM authorization is used, transit encryption must be enabled."
_ID = re.compile(r"^fs-[0-9a-f]{8,40}$")


def enforce_tls_policy(arn: str) -> dict[str, Any]:
    """A file system policy that grants nothing: it only refuses clients without TLS."""
    return {
        "Version": "2012-10-17",
        "Id": "efs-policy-wizard-enforce-in-transit-encryption",
        "Statement": [
            {
                "Sid": "efs-statement-enforce-in-transit-encryption",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


# -- the lab's EFS -------------------------------------------------------------------------------


@dataclass
class StoredFileSystem:
    id: str
    arn: str
    creation_token: str
    created_at: float
    policy: str | None = None
    mount_targets: list[dict[str, str]] = field(default_factory=list)

    def describe(self, account: str) -> dict[str, Any]:
        return {
            "OwnerId": account,
            "CreationToken": self.creation_token,
            "FileSystemId": self.id,
            "FileSystemArn": self.arn,
            "CreationTime": self.created_at,
            "LifeCycleState": "available",
            "NumberOfMountTargets": len(self.mount_targets),
            "SizeInBytes": {"Value": 6144},
            "PerformanceMode": "generalPurpose",
            "Encrypted": True,
            "ThroughputMode": "bursting",
            "Tags": [],
        }


def _error(status: int, code: str, message: str) -> Refusal:
    return Refusal(ServiceError(status, code, message))


class FileSystems:
    """EFS's API for the lab (an answerer: the gate authorizes first, then asks it)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.stored: dict[str, StoredFileSystem] = {}

    def arn(self, file_system_id: str) -> str:
        account = self.world.account
        return (
            f"arn:aws:elasticfilesystem:{account.region}:{account.account_id}:"
            f"file-system/{file_system_id}"
        )

    def found(self, file_system_id: Any) -> StoredFileSystem:
        stored = self.stored.get(str(file_system_id))
        if stored is None:
            # EFS's FileSystemNotFound (API reference, DescribeFileSystems); the exact message is
            # not on record.
            raise _error(
                404, "FileSystemNotFound", f"File system '{file_system_id}' does not exist."
            )
        return stored

    def answer(self, operation: str, params: Mapping[str, Any], principal: Any) -> Any:
        handler = getattr(self, f"_{operation}", None)
        return handler(params) if handler is not None else None

    def _CreateFileSystem(self, params: Mapping[str, Any]) -> dict[str, Any]:
        file_system_id = "fs-" + random_hex(17)
        stored = StoredFileSystem(
            file_system_id,
            self.arn(file_system_id),
            str(params.get("CreationToken") or file_system_id),
            self.world.clock.timestamp(),
        )
        self.stored[file_system_id] = stored
        return stored.describe(self.world.account.account_id)

    def _DescribeFileSystems(self, params: Mapping[str, Any]) -> dict[str, Any]:
        account = self.world.account.account_id
        if params.get("FileSystemId"):
            return {"FileSystems": [self.found(params["FileSystemId"]).describe(account)]}
        return {"FileSystems": [s.describe(account) for s in self.stored.values()]}

    def _CreateMountTarget(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self.found(params.get("FileSystemId"))
        target = {
            "MountTargetId": "fsmt-" + random_hex(17),
            "FileSystemId": stored.id,
            "SubnetId": str(params.get("SubnetId")),
            "LifeCycleState": "available",
            "IpAddress": f"10.0.{len(stored.mount_targets) * 16 + 1}.100",
            "OwnerId": self.world.account.account_id,
        }
        stored.mount_targets.append(target)
        return target

    def _DescribeMountTargets(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self.found(params.get("FileSystemId"))
        return {"MountTargets": list(stored.mount_targets)}

    def _PutFileSystemPolicy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self.found(params.get("FileSystemId"))
        text = str(params.get("Policy") or "")
        try:
            parse_policy(text, "resource")
        except MalformedPolicyDocument as problem:
            # EFS's InvalidPolicyException (API reference, PutFileSystemPolicy).
            raise _error(400, "InvalidPolicyException", str(problem)) from None
        stored.policy = text
        return {"FileSystemId": stored.id, "Policy": text}

    def _DescribeFileSystemPolicy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self.found(params.get("FileSystemId"))
        if stored.policy is None:
            # "Whenever the default file system policy is in effect, the
            # DescribeFileSystemPolicy API operation returns a PolicyNotFound response."
            # (iam-access-control-nfs-efs.html); the message is not on record.
            raise _error(404, "PolicyNotFound", f"File System: {stored.id} does not have a policy.")
        return {"FileSystemId": stored.id, "Policy": stored.policy}

    def _DeleteFileSystemPolicy(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self.found(params.get("FileSystemId")).policy = None
        return {}


def _file_system_arn(params: Mapping[str, Any], account: Account) -> str:
    file_system_id = params.get("FileSystemId") or "*"
    return (
        f"arn:aws:elasticfilesystem:{account.region}:{account.account_id}:"
        f"file-system/{file_system_id}"
    )


def _register_operations() -> None:
    for operation in (
        "CreateFileSystem",
        "DescribeFileSystems",
        "CreateMountTarget",
        "DescribeMountTargets",
        "PutFileSystemPolicy",
        "DescribeFileSystemPolicy",
        "DeleteFileSystemPolicy",
    ):
        action = f"elasticfilesystem:{operation}"

        def resolver(
            params: Mapping[str, Any], account: Account, action: str = action
        ) -> list[Authorization]:
            return [Authorization(action, _file_system_arn(params, account))]

        OPERATIONS.setdefault(("efs", operation), resolver)


_register_operations()


def file_systems(world: World) -> FileSystems:
    """The lab's EFS (answering the gate's authorized ``efs`` calls from now on)."""
    found = world.answerers.get("efs")
    if not isinstance(found, FileSystems):
        found = FileSystems(world)
        world.answerers["efs"] = found
    return found


class FileSystem:
    """An EFS file system of the lab, as you see it (calls made as you, through the gate)."""

    def __init__(self, world: World, file_system_id: str) -> None:
        self._world = world
        self.id = file_system_id

    def _efs(self) -> Any:
        return self._world.learner_client("efs")

    @property
    def arn(self) -> str:
        return file_systems(self._world).arn(self.id)

    @property
    def policy(self) -> dict[str, Any] | None:
        """The file system policy (None: EFS's default policy, full access to any client)."""
        stored = file_systems(self._world).found(self.id)
        return json.loads(stored.policy) if stored.policy is not None else None

    def set_policy(self, document: Mapping[str, Any] | str) -> None:
        """PutFileSystemPolicy, as you."""
        if not isinstance(document, (Mapping, str)):
            raise ArgumentTypeError(
                _("A file system policy is a dict or JSON text, not {kind}").format(
                    kind=type(document).__name__
                )
            )
        text = document if isinstance(document, str) else json.dumps(document)
        self._efs().put_file_system_policy(FileSystemId=self.id, Policy=text)

    def delete_policy(self) -> None:
        """DeleteFileSystemPolicy, as you: EFS's default policy applies again."""
        self._efs().delete_file_system_policy(FileSystemId=self.id)

    @property
    def mount_targets(self) -> list[dict[str, str]]:
        return list(file_systems(self._world).found(self.id).mount_targets)

    def __repr__(self) -> str:
        return f"FileSystem({self.id})"


def course_file_system(world: World, subnets: tuple[str, ...]) -> FileSystem:
    """The lab's file system, made on first use (as the account's setup): one mount target in
    each of the lab's subnets, and a policy that grants nothing (see the module docstring)."""
    registry = file_systems(world)
    for stored in registry.stored.values():
        if stored.creation_token == "ecslab-course":
            return FileSystem(world, stored.id)
    with world.setup() as root:
        efs = root.client("efs")
        created = efs.create_file_system(CreationToken="ecslab-course", Encrypted=True)
        file_system_id = created["FileSystemId"]
        for subnet in subnets:
            efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnet)
        efs.put_file_system_policy(
            FileSystemId=file_system_id,
            Policy=json.dumps(enforce_tls_policy(registry.arn(file_system_id))),
        )
    return FileSystem(world, file_system_id)


# -- the task definition ---------------------------------------------------------------------------


def with_efs_volume(
    definition: Mapping[str, Any],
    file_system_id: str,
    *,
    iam: bool = True,
    read_only: bool = False,
    container_path: str = "/data",
    transit_encryption: bool = True,
) -> dict[str, Any]:
    """A NEW task definition (RegisterTaskDefinition's fields, family ``<family>-efs``):
    ``definition`` with volume ``efs-data`` on EFS file system ``file_system_id``, mounted at
    ``container_path`` in the essential container (``readOnly`` when ``read_only``).

    ``iam=True``: ``authorizationConfig.iam`` ``ENABLED`` — the mount signs with the task role
    (elasticfilesystem:ClientMount, and ClientWrite unless ``read_only``), which needs
    ``transitEncryption`` ``ENABLED`` (``transit_encryption``).
    """
    from ecslab.ecs.firelens import registrable

    if not isinstance(definition, Mapping):
        raise ArgumentTypeError(
            _(
                "with_efs_volume() takes a task definition as a dict (e.g. "
                "lab.task_definition()), not {kind}"
            ).format(kind=type(definition).__name__)
        )
    if not isinstance(file_system_id, str) or not _ID.match(file_system_id):
        raise ValueError(
            _(
                "{value} is not an EFS file system id (fs- and 8 to 40 hexadecimal digits, "
                "e.g. lab.file_system.id)"
            ).format(value=repr(file_system_id))
        )
    for name, value in (
        ("iam", iam),
        ("read_only", read_only),
        ("transit_encryption", transit_encryption),
    ):
        if not isinstance(value, bool):
            raise ArgumentTypeError(
                _("{name} must be True or False, not {kind}").format(
                    name=name, kind=type(value).__name__
                )
            )
    if not isinstance(container_path, str) or not container_path.startswith("/"):
        raise ValueError(
            _("container_path is an absolute path in the container, not {value}").format(
                value=repr(container_path)
            )
        )
    out = registrable(definition)
    containers = [c for c in out.get("containerDefinitions") or [] if isinstance(c, dict)]
    essential = next((c for c in containers if c.get("essential", True)), None)
    if essential is None:
        raise ValueError(_("with_efs_volume() needs a task definition with an essential container"))
    configuration: dict[str, Any] = {
        "fileSystemId": file_system_id,
        "transitEncryption": "ENABLED" if transit_encryption else "DISABLED",
        "authorizationConfig": {"iam": "ENABLED" if iam else "DISABLED"},
    }
    volumes = [v for v in out.get("volumes") or [] if v.get("name") != VOLUME]
    out["volumes"] = [*volumes, {"name": VOLUME, "efsVolumeConfiguration": configuration}]
    points = [p for p in essential.get("mountPoints") or [] if p.get("sourceVolume") != VOLUME]
    essential["mountPoints"] = [
        *points,
        {"sourceVolume": VOLUME, "containerPath": container_path, "readOnly": read_only},
    ]
    out["family"] = f"{out.get('family', 'task')}-efs"
    return out


def check_definition(request: Mapping[str, Any]) -> None:
    """ECS's check at RegisterTaskDefinition: IAM authorization needs transit encryption."""
    for volume in request.get("volumes") or []:
        configuration = (
            volume.get("efsVolumeConfiguration") if isinstance(volume, Mapping) else None
        )
        if not isinstance(configuration, Mapping):
            continue
        iam = (configuration.get("authorizationConfig") or {}).get("iam")
        if iam == "ENABLED" and configuration.get("transitEncryption") != "ENABLED":
            raise client_exception(IAM_NEEDS_TLS)


# -- the launch: mounting with the task role -------------------------------------------------------


def mount(lifecycle: Lifecycle) -> None:
    """Launch phase: each EFS volume is mounted (efs-utils); raises the lifecycle's LaunchFailed
    with Fargate's text when EFS refuses."""
    from ecslab.ecs.lifecycle import LaunchFailed

    task, world = lifecycle.task, lifecycle.world
    for volume in task.definition.raw.get("volumes") or []:
        configuration = (
            volume.get("efsVolumeConfiguration") if isinstance(volume, Mapping) else None
        )
        if not isinstance(configuration, Mapping):
            continue
        file_system_id = str(configuration.get("fileSystemId", ""))
        registry = file_systems(world)
        stored = registry.stored.get(file_system_id)
        if stored is None or not any(t["SubnetId"] == task.subnet for t in stored.mount_targets):
            raise LaunchFailed(not_resolved(file_system_id, world.account.region))
        points = [
            p
            for c in task.containers
            for p in c.definition.raw.get("mountPoints") or []
            if p.get("sourceVolume") == volume.get("name")
        ]
        writable = any(not p.get("readOnly", False) for p in points)
        actions = ["elasticfilesystem:ClientMount"]
        if writable:
            actions.append("elasticfilesystem:ClientWrite")
        tls = configuration.get("transitEncryption") == "ENABLED"
        context = {"aws:SecureTransport": "true" if tls else "false"}
        iam = (configuration.get("authorizationConfig") or {}).get("iam") == "ENABLED"
        for action in actions:
            if iam:
                allowed = _as_task_role(world, task, stored, action, context)
            else:
                allowed = _anonymous(world, task, stored, action, context)
            if not allowed and action == "elasticfilesystem:ClientMount":
                raise LaunchFailed(ACCESS_DENIED)
            # a refused ClientWrite leaves the volume read-only: the task starts


def _as_task_role(
    world: World, task: Any, stored: StoredFileSystem, action: str, context: dict[str, str]
) -> bool:
    credentials = task.task_credentials
    if credentials is None:
        # No task role: efs-utils finds no credentials to sign with, and EFS refuses.
        _record(world, task, stored, action, None, "ImplicitlyDenied")
        return False
    refusal = world.gate.authorize(
        credentials[0],
        "efs",
        action.split(":")[1],
        [Authorization(action, stored.arn, stored.policy, context=context)],
        label=LABEL,
    )
    return refusal is None


def _anonymous(
    world: World, task: Any, stored: StoredFileSystem, action: str, context: dict[str, str]
) -> bool:
    if stored.policy is None:
        allowed = True  # EFS's default file system policy: full access to any client
    else:
        allowed = evaluate(
            "anonymous", action, stored.arn, resource_policy=stored.policy, context=context
        ).allowed
    _record(world, task, stored, action, None, "Allowed" if allowed else "ImplicitlyDenied")
    return allowed


def _record(
    world: World, task: Any, stored: StoredFileSystem, action: str, role: str | None, decision: str
) -> None:
    from ecslab.cloud.gate import current_phase

    world.trace.record(
        time=world.clock.iso(),
        phase=current_phase() or "launch",
        principal=LABEL,
        principal_arn="anonymous",
        role=role,
        service="efs",
        operation=action.split(":")[1],
        action=action,
        resource=stored.arn,
        decision=decision,
        error_code=None if decision == "Allowed" else "AccessDenied",
        error=None if decision == "Allowed" else "access denied by server",
        task=task.id,
        via=None,
    )


# -- the plan: what the mount will ask for (ecslab.ecs.plan) ---------------------------------------


def planned_mounts(
    definition: TaskDefinition, account: Account
) -> list[tuple[str, str, bool, str]]:
    """The mount's questions as :func:`mount` asks them, in order — ``(action, file system
    ARN, iam, why)``, ``why`` in the learner's language: ClientMount for each EFS volume, then
    ClientWrite when a mount point of it is not read-only; ``iam`` False: an anonymous client."""
    out: list[tuple[str, str, bool, str]] = []
    for volume in definition.raw.get("volumes") or []:
        configuration = (
            volume.get("efsVolumeConfiguration") if isinstance(volume, Mapping) else None
        )
        if not isinstance(configuration, Mapping):
            continue
        file_system_id = str(configuration.get("fileSystemId", ""))
        arn = _file_system_arn({"FileSystemId": file_system_id}, account)
        iam = (configuration.get("authorizationConfig") or {}).get("iam") == "ENABLED"
        points = [
            p
            for c in definition.containers
            for p in c.raw.get("mountPoints") or []
            if isinstance(p, Mapping) and p.get("sourceVolume") == volume.get("name")
        ]
        actions = ["elasticfilesystem:ClientMount"]
        if any(not p.get("readOnly", False) for p in points):
            actions.append("elasticfilesystem:ClientWrite")
        for action in actions:
            if action == "elasticfilesystem:ClientMount":
                why = (
                    _("mount EFS file system {file_system} (read access)")
                    if iam
                    else _(
                        "mount EFS file system {file_system} as an anonymous client (no IAM "
                        "authorization: only the file system policy decides)"
                    )
                )
            else:
                why = (
                    _("write to EFS file system {file_system} (a mount point is not read-only)")
                    if iam
                    else _(
                        "write to EFS file system {file_system} as an anonymous client (no "
                        "IAM authorization: only the file system policy decides)"
                    )
                )
            out.append((action, arn, iam, why.format(file_system=file_system_id)))
    return out
