"""Applying: ``load_terraform(lab, source)`` reads, plans and then applies the plan to the lab
**as the learner**, through the same gate and IAM checks as every other call. Should AWS still
refuse a call while applying, what was already changed is put back and the
refusal is reported with the block that asked for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ecslab.coach.terraform.evaluate import Config
from ecslab.coach.terraform.parse import Block, TerraformError, parse, sources
from ecslab.coach.terraform.plan import Plan, PolicyPlan, RolePlan, build_plan
from ecslab.coach.terraform.resolve import AccountResolver
from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.ecs.definitions import Program
    from ecslab.lab import Lab


@dataclass(frozen=True, repr=False)
class TerraformResult:
    """What :func:`load_terraform` did to the lab."""

    files: tuple[str, ...]
    roles_created: tuple[str, ...] = ()
    roles_replaced: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    """ARNs of the customer managed policies created (or given a new default version)."""
    attachments: tuple[tuple[str, str], ...] = ()
    """(role name, policy ARN) for each managed policy attached."""
    inline_policies: tuple[tuple[str, str], ...] = ()
    """(role name, policy name) for each inline policy put."""
    task_definitions: tuple[str, ...] = ()
    """``family:revision`` of each task definition registered."""
    ignored: tuple[str, ...] = ()
    """Blocks left alone (``aws_ecs_cluster.main``, ``provider.aws``, ``output.x``, ...)."""
    texts: tuple[tuple[str, str], ...] = ()
    """(file, text) of each file read."""
    calls: tuple[int, int] = (0, 0)
    """Where applying it is in the lab's trace: ``lab.trace.events[start:end]`` are its calls."""

    @property
    def roles(self) -> tuple[str, ...]:
        return self.roles_created + self.roles_replaced

    @property
    def task_definition(self) -> str | None:
        """The task definition registered (the last one if there were several), or None."""
        return self.task_definitions[-1] if self.task_definitions else None

    def describe(self) -> str:
        """What was applied, in plain text."""
        lines = [_("Applied Terraform from {files}:").format(files=", ".join(self.files))]
        none = _("none")
        for name in self.roles:
            text = (
                _("created role {name}: managed policies {managed}; inline policies {inline}")
                if name in self.roles_created
                else _("replaced role {name}: managed policies {managed}; inline policies {inline}")
            )
            managed = [arn.rsplit("/", 1)[-1] for role, arn in self.attachments if role == name]
            inline = [policy for role, policy in self.inline_policies if role == name]
            lines.append(
                "  "
                + text.format(
                    name=name, managed=", ".join(managed) or none, inline=", ".join(inline) or none
                )
            )
        roles = set(self.roles)
        for role, arn in self.attachments:
            if role not in roles:
                lines.append(
                    "  "
                    + _("attached {policy} to role {role}").format(
                        policy=arn.rsplit("/", 1)[-1], role=role
                    )
                )
        for role, policy in self.inline_policies:
            if role not in roles:
                lines.append(
                    "  "
                    + _("put inline policy {policy} on role {role}").format(
                        policy=policy, role=role
                    )
                )
        for arn in self.policies:
            lines.append("  " + _("customer managed policy {arn}").format(arn=arn))
        for reference in self.task_definitions:
            lines.append(
                "  " + _("registered task definition {reference}").format(reference=reference)
            )
        if len(lines) == 1:
            lines.append(
                "  " + _("nothing that ecslab applies (roles, policies, task definitions)")
            )
        if self.ignored:
            lines.append(
                _("Ignored (ecslab does not model them): {blocks}").format(
                    blocks=", ".join(self.ignored)
                )
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()


def load_terraform(lab: Lab, source: str | Path, app: Program | None = None) -> TerraformResult:
    """Apply the ECS and IAM parts of a learner's Terraform to ``lab``, as the learner.

    ``source``: a .tf file, a directory of .tf files, or HCL text. ``app``: a program (Python
    callable) for the essential container of the task definition(s) it registers. Roles that
    already exist in the lab are replaced (trust policy set, every policy removed, then the
    Terraform's attached). Raises :class:`TerraformError` for any problem in the Terraform,
    before anything is changed.
    """
    if app is not None and not callable(app):
        raise TypeError(
            _(
                "app must be a Python function (the essential container's program), not {type}"
            ).format(type=type(app).__name__)
        )
    lab.world.require_open()
    files = sources(source)
    try:
        blocks = [block for file, text in files for block in parse(text, file)]
        plan = build_plan(Config(blocks, _resolver(lab)), lab.world.account, app)
    except TerraformError:
        raise
    except Exception as error:  # an ecslab bug: still a TerraformError, and nothing changed
        raise TerraformError(
            _(
                "ecslab could not read this Terraform ({error}); nothing was changed. This is a "
                "bug in ecslab: please report it with the Terraform text"
            ).format(error=f"{type(error).__name__}: {error}")
        ) from error
    result = apply_plan(lab, plan, tuple(files))
    lab.terraform = result
    return result


def _resolver(lab: Lab) -> AccountResolver:
    """The lab's account, with the learner as the caller (data "aws_caller_identity")."""
    world = lab.world
    keys = world.learner_keys
    principal = world.identities.resolve(keys[0]) if keys else None
    arn = principal.arn if principal is not None else f"arn:aws:iam::{lab.account_id}:root"
    return AccountResolver(world.account, arn)


class _Undo:
    """What applying changed, to put back if AWS refuses a later call."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.iam = lab.client("iam")
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.created_roles: list[str] = []
        self.created_policies: list[str] = []
        self.new_versions: list[tuple[str, str, str]] = []  # arn, old default, new version
        self.task_definitions: list[str] = []

    def snapshot(self, name: str) -> None:
        role = self.lab.role(name)
        stored = role
        self.snapshots[name] = {
            "trust": json.dumps(role.trust_policy),
            "managed": list(role.managed_policy_arns),
            "inline": {n: json.dumps(role.inline_policy(n)) for n in role.inline_policy_names},
            "boundary": stored.permissions_boundary_arn,
            "description": stored.description,
            "max_session": stored.max_session_duration,
        }

    def run(self) -> list[str]:
        """Put everything back; returns what could not be put back."""
        failed: list[str] = []
        steps: list[tuple[str, Callable[[], Any]]] = []
        steps += [
            (_("deregister {reference}").format(reference=t), self._deregister(t))
            for t in self.task_definitions
        ]
        steps += [
            (_("delete role {name}").format(name=r), self._delete_role(r))
            for r in self.created_roles
        ]
        steps += [
            (_("restore role {name}").format(name=r), self._restore(r, s))
            for r, s in self.snapshots.items()
        ]
        steps += [
            (_("restore policy {arn}").format(arn=a), self._version(a, o, n))
            for a, o, n in self.new_versions
        ]
        steps += [
            (_("delete policy {arn}").format(arn=a), self._delete_policy(a))
            for a in self.created_policies
        ]
        for what, step in steps:
            try:
                step()
            except Exception:  # keep putting back the rest
                failed.append(what)
        return failed

    def _deregister(self, reference: str) -> Callable[[], Any]:
        return lambda: self.lab.client("ecs").deregister_task_definition(taskDefinition=reference)

    def _delete_role(self, name: str) -> Callable[[], None]:
        def delete() -> None:
            role = self.lab.role(name)
            for arn in role.managed_policy_arns:
                self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            for policy in role.inline_policy_names:
                self.iam.delete_role_policy(RoleName=name, PolicyName=policy)
            if role.permissions_boundary_arn:
                self.iam.delete_role_permissions_boundary(RoleName=name)
            self.iam.delete_role(RoleName=name)

        return delete

    def _restore(self, name: str, snapshot: dict[str, Any]) -> Callable[[], None]:
        def restore() -> None:
            role = self.lab.role(name)
            self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=snapshot["trust"])
            for arn in role.managed_policy_arns:
                if arn not in snapshot["managed"]:
                    self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            for arn in snapshot["managed"]:
                if arn not in role.managed_policy_arns:
                    self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            for policy in role.inline_policy_names:
                if policy not in snapshot["inline"]:
                    self.iam.delete_role_policy(RoleName=name, PolicyName=policy)
            for policy, document in snapshot["inline"].items():
                self.iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=document)
            stored = role
            if stored.permissions_boundary_arn != snapshot["boundary"]:
                if snapshot["boundary"]:
                    self.iam.put_role_permissions_boundary(
                        RoleName=name, PermissionsBoundary=snapshot["boundary"]
                    )
                else:
                    self.iam.delete_role_permissions_boundary(RoleName=name)
            if (stored.description, stored.max_session_duration) != (
                snapshot["description"],
                snapshot["max_session"],
            ):
                self.iam.update_role(
                    RoleName=name,
                    Description=snapshot["description"] or "",
                    MaxSessionDuration=snapshot["max_session"] or 3600,
                )

        return restore

    def _version(self, arn: str, old: str, new: str) -> Callable[[], None]:
        def restore() -> None:
            self.iam.set_default_policy_version(PolicyArn=arn, VersionId=old)
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=new)

        return restore

    def _delete_policy(self, arn: str) -> Callable[[], None]:
        def delete() -> None:
            entities = self.iam.list_entities_for_policy(PolicyArn=arn)
            for role in entities.get("PolicyRoles", []):
                self.iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
            self.iam.delete_policy(PolicyArn=arn)

        return delete


def apply_plan(lab: Lab, plan: Plan, files: tuple[tuple[str, str], ...]) -> TerraformResult:
    start = len(lab.trace)
    iam = lab.client("iam")
    undo = _Undo(lab)
    done: dict[str, list[Any]] = {
        "created": [],
        "replaced": [],
        "policies": [],
        "attachments": [],
        "inline": [],
        "tasks": [],
    }
    current: Block | None = None
    try:
        for policy in plan.policies:
            current = policy.block
            if policy.exists:
                _new_version(lab, iam, policy, undo, done)
            else:
                arguments = {
                    "PolicyName": policy.name,
                    "Path": policy.path,
                    "PolicyDocument": policy.document,
                }
                if policy.description:
                    arguments["Description"] = policy.description
                iam.create_policy(**arguments)
                undo.created_policies.append(policy.arn)
                done["policies"].append(policy.arn)
        for role in plan.roles.values():
            current = role.block
            if role.exists:
                undo.snapshot(role.name)
            if role.block is None:
                continue  # only added to (attachments, inline policies) below
            if role.exists:
                _replace(lab, iam, role)
                done["replaced"].append(role.name)
            else:
                arguments = {
                    "RoleName": role.name,
                    "Path": role.path,
                    "AssumeRolePolicyDocument": role.trust,
                }
                if role.description:
                    arguments["Description"] = role.description
                if role.max_session:
                    arguments["MaxSessionDuration"] = role.max_session
                iam.create_role(**arguments)
                undo.created_roles.append(role.name)
                done["created"].append(role.name)
            if role.boundary:
                iam.put_role_permissions_boundary(
                    RoleName=role.name, PermissionsBoundary=role.boundary
                )
        for role in plan.roles.values():
            for arn, block in role.managed:
                current = block
                iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
                done["attachments"].append((role.name, arn))
            for name, document, block in role.inline:
                current = block
                iam.put_role_policy(RoleName=role.name, PolicyName=name, PolicyDocument=document)
                done["inline"].append((role.name, name))
        for task in plan.tasks:
            current = task.block
            reference = lab.register_task_definition(task.request, programs=task.programs)
            undo.task_definitions.append(reference)
            done["tasks"].append(reference)
    except ClientError as error:
        failed = undo.run()
        info = error.response.get("Error", {})
        problem = _("AWS refused {operation}: {refusal}").format(
            operation=error.operation_name, refusal=f"{info.get('Code')}: {info.get('Message')}"
        )
        raise _applying_error(current, problem, failed) from None
    except Exception as error:
        failed = undo.run()
        problem = _("applying failed: {error}").format(error=error)
        raise _applying_error(current, problem, failed) from error
    return TerraformResult(
        files=tuple(file for file, _rest in files),
        texts=files,
        calls=(start, len(lab.trace)),
        roles_created=tuple(done["created"]),
        roles_replaced=tuple(done["replaced"]),
        policies=tuple(done["policies"]),
        attachments=tuple(done["attachments"]),
        inline_policies=tuple(done["inline"]),
        task_definitions=tuple(done["tasks"]),
        ignored=tuple(plan.ignored),
    )


def _applying_error(block: Block | None, problem: str, failed: list[str]) -> TerraformError:
    if failed:
        problem += _(
            " (and ecslab could not put back: {steps}; lab.reset_roles() puts the course's roles "
            "back)"
        ).format(steps=", ".join(failed))
    else:
        problem += _(" (nothing was changed: ecslab put back what it had applied)")
    return block.error(problem) if block is not None else TerraformError(problem)


def _replace(lab: Lab, iam: Any, role: RolePlan) -> None:
    """An existing role, made what the Terraform says: trust set, every policy removed."""
    view = lab.role(role.name)
    view.set_trust_policy(role.trust)
    for arn in view.managed_policy_arns:
        view.detach(arn)
    for name in view.inline_policy_names:
        view.remove_inline(name)
    stored = view
    if stored.permissions_boundary_arn and not role.boundary:
        iam.delete_role_permissions_boundary(RoleName=role.name)
    update: dict[str, Any] = {}
    if role.description is not None and role.description != stored.description:
        update["Description"] = role.description
    if role.max_session is not None and role.max_session != stored.max_session_duration:
        update["MaxSessionDuration"] = role.max_session
    if update:
        iam.update_role(RoleName=role.name, **update)


def _new_version(
    lab: Lab, iam: Any, policy: PolicyPlan, undo: _Undo, done: dict[str, list[Any]]
) -> None:
    """An existing customer managed policy: a new default version, as Terraform updates it."""
    current = lab.world.account.managed_policy_document(policy.arn)
    if current is not None and json.loads(current) == json.loads(policy.document):
        return
    versions = iam.list_policy_versions(PolicyArn=policy.arn)["Versions"]
    old = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
    if len(versions) >= 5:  # IAM keeps five versions: Terraform deletes the oldest
        oldest = min(
            (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
        )
        iam.delete_policy_version(PolicyArn=policy.arn, VersionId=oldest["VersionId"])
    new = iam.create_policy_version(
        PolicyArn=policy.arn, PolicyDocument=policy.document, SetAsDefault=True
    )["PolicyVersion"]["VersionId"]
    undo.new_versions.append((policy.arn, old, new))
    done["policies"].append(policy.arn)
