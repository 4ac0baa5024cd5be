"""The plan: what the learner's files ask ecslab to create, replace, attach and register,
checked as IAM and ECS would check each request (policy grammar, names and ARNs, attachable
policies, RegisterTaskDefinition's rules) before anything is applied."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ecslab.cloud.errors import Refusal
from ecslab.coach.terraform.evaluate import (
    Config,
    check_arguments,
    distinct,
    kind_of,
    suggest,
    tonumber,
    where_in,
)
from ecslab.coach.terraform.parse import Block, Problem, TerraformError
from ecslab.coach.terraform.resolve import (
    INLINE_POLICY,
    POLICY_ARN,
    iam_path_of,
    policy_arn_of,
    policy_name_of,
    role_arn_of,
    role_name_of,
)
from ecslab.ecs import definitions
from ecslab.i18n import _
from ecslab.iam import MalformedPolicyDocument, parse_policy
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy

if TYPE_CHECKING:
    from ecslab.cloud.account import Account
    from ecslab.ecs.definitions import Program

_ROLE_ARGUMENTS = {
    "name",
    "name_prefix",
    "assume_role_policy",
    "path",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "managed_policy_arns",
    "force_detach_policies",
    "tags",
}


@dataclass
class RolePlan:
    block: Block | None  # None: a role already in the lab that the Terraform only adds to
    name: str
    arn: str
    exists: bool
    trust: str = ""
    path: str = "/"
    description: str | None = None
    max_session: int | None = None
    boundary: str | None = None
    managed: list[tuple[str, Block]] = field(default_factory=list)
    inline: list[tuple[str, str, Block]] = field(default_factory=list)


@dataclass
class PolicyPlan:
    block: Block
    name: str
    path: str
    arn: str
    document: str
    description: str | None
    exists: bool


@dataclass
class TaskPlan:
    block: Block
    request: dict[str, Any]
    programs: dict[str, Program]


@dataclass
class Plan:
    policies: list[PolicyPlan] = field(default_factory=list)
    roles: dict[str, RolePlan] = field(default_factory=dict)
    tasks: list[TaskPlan] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _checked_policy(document: str, kind: str, block: Block, argument: str, operation: str) -> str:
    """``document`` as IAM checks it (the gate's own check), or the block's error."""
    try:
        parse_policy(document, kind)
    except MalformedPolicyDocument as problem:
        raise block.error(
            f"{where_in(block, argument)}: "
            + _("IAM would refuse {operation}: {refusal}").format(
                operation=operation, refusal=problem
            )
        ) from None
    return document


def build_plan(config: Config, account: Account, app: Program | None) -> Plan:
    """Everything the files ask for, read, resolved and checked as IAM and ECS would check it,
    before anything is changed; ``account`` answers what already exists."""
    plan = Plan()
    store = account.managed_policies()
    for block in config.blocks:
        if block.kind == "resource" and config.resolver.attributes(block.type) is None:
            plan.ignored.append(block.address)
        elif block.kind == "data":
            if config.resolver.data_source(block.type) is not None:
                config.data_values(block)  # every data source is read, as Terraform does
            else:
                plan.ignored.append(block.address)
        elif block.kind in (
            "output",
            "provider",
            "module",
            "terraform",
            "moved",
            "import",
            "removed",
            "check",
        ):
            plan.ignored.append(block.address)

    def resources(type_: str) -> list[Block]:
        return [b for b in config.blocks if b.kind == "resource" and b.type == type_]

    # Customer managed policies.
    for block in resources("aws_iam_policy"):
        check_arguments(
            block,
            {
                "name",
                "name_prefix",
                "path",
                "description",
                "policy",
                "tags",
                "delay_after_policy_creation_in_ms",
            },
            set(),
        )
        arn = policy_arn_of(config, block)
        document = _checked_policy(
            config.string(block, "policy", required=True) or "",
            "identity",
            block,
            "policy",
            "CreatePolicy",
        )
        name, path = policy_name_of(config, block), iam_path_of(config, block)
        same_name = [p for a, p in store.items() if ":aws:policy" not in a and p.name == name]
        if same_name and same_name[0].arn != arn:
            raise block.error(
                _(
                    "IAM would refuse {operation}: {refusal} (as {arn}); policy names are unique "
                    "in an account"
                ).format(
                    operation="CreatePolicy",
                    refusal=f"EntityAlreadyExists: A policy called {name} already exists",
                    arn=same_name[0].arn,
                )
            )
        if any(p.arn == arn for p in plan.policies):
            raise block.error(_("another aws_iam_policy block also creates {arn}").format(arn=arn))
        plan.policies.append(
            PolicyPlan(
                block, name, path, arn, document, config.string(block, "description"), arn in store
            )
        )
    planned_policies = {p.arn for p in plan.policies}

    def policy_arn(value: str | None, block: Block, argument: str) -> str:
        arn = value or ""
        if not arn.startswith("arn:"):
            hint = ""
            try:
                hint = _("did you mean {arn}?").format(arn=repr(managed_policy(arn).arn))
            except UnknownManagedPolicy:
                hint = _("give the policy's ARN, such as arn:aws:iam::aws:policy/NAME")
            raise block.error(
                f"{argument}: "
                + _("IAM would refuse {operation}: {refusal}").format(
                    operation="AttachRolePolicy", refusal=f"ValidationError: ARN {arn} is not valid"
                )
                + f": {hint}"
            )
        found = POLICY_ARN.match(arn)
        if found and found.group(1) == "aws":
            try:
                return managed_policy(arn).arn
            except UnknownManagedPolicy as unknown:
                said = str(unknown)  # IAM's text first, ecslab's note after it
                if not said.startswith("Policy "):
                    said = f"Policy {arn} does not exist or is not attachable. ({said})"
                raise block.error(
                    f"{argument}: "
                    + _("IAM would refuse {operation}: {refusal}").format(
                        operation="AttachRolePolicy", refusal=f"NoSuchEntity: {said}"
                    )
                ) from None
        if found and (arn in planned_policies or arn in store):
            return arn
        known = sorted(planned_policies | {a for a in store if ":aws:policy" not in a})
        refusal = f"NoSuchEntity: Policy {arn} does not exist or is not attachable."
        raise block.error(
            f"{argument}: "
            + _("IAM would refuse {operation}: {refusal}").format(
                operation="AttachRolePolicy", refusal=refusal
            )
            + _(" Customer managed policies in the lab and in these files: {policies}").format(
                policies=", ".join(known) or _("none")
            )
        )

    # Roles.
    for block in resources("aws_iam_role"):
        check_arguments(block, _ROLE_ARGUMENTS, {"inline_policy"})
        name = role_name_of(config, block)
        if name in plan.roles:
            other = plan.roles[name].block
            assert other is not None
            raise block.error(
                _("{address} ({file}, line {line}) also creates the role {name}").format(
                    address=other.address, file=other.file, line=other.line, name=repr(name)
                )
            )
        existing = account.role(name)
        path = iam_path_of(config, block)
        if existing is not None and existing.path != path:
            raise block.error(
                _(
                    "the role {name} exists in the lab with the path {path}; changing the path "
                    "would replace the role and change its ARN, which ecslab does not do"
                ).format(name=name, path=repr(existing.path))
            )
        trust = _checked_policy(
            config.string(block, "assume_role_policy", required=True) or "",
            "trust",
            block,
            "assume_role_policy",
            "CreateRole" if existing is None else "UpdateAssumeRolePolicy",
        )
        duration = config.value(block, "max_session_duration")
        if duration is not None:
            try:
                duration = int(tonumber(duration))
            except Problem as problem:
                raise block.error(f"max_session_duration: {problem}") from None
            if not 3600 <= duration <= 43200:
                raise block.error(
                    _(
                        "IAM would refuse max_session_duration: it is from 3600 to 43200 "
                        "seconds, not {duration}"
                    ).format(duration=duration)
                )
        boundary = config.string(block, "permissions_boundary")
        role = RolePlan(
            block,
            name,
            role_arn_of(config, block),
            existing is not None,
            trust,
            path,
            config.string(block, "description"),
            duration,
            policy_arn(boundary, block, "permissions_boundary") if boundary else None,
        )
        plan.roles[name] = role
        for arn in config.strings(block, "managed_policy_arns"):
            role.managed.append((policy_arn(arn, block, "managed_policy_arns"), block))
        for inline in block.blocks:
            if inline.kind != "inline_policy":
                continue
            check_arguments(inline, {"name", "policy"}, set())
            if not inline.attributes:
                continue  # an empty inline_policy block: no inline policies
            policy_name = policy_name_of(config, inline, INLINE_POLICY)
            document = config.string(inline, "policy", required=True) or ""
            _checked_policy(
                document, "identity", inline, "policy", f"PutRolePolicy ({policy_name})"
            )
            role.inline.append((policy_name, document, inline))

    def target(block: Block) -> RolePlan:
        name = config.string(block, "role", required=True) or ""
        if name.startswith("arn:"):
            raise block.error(
                "role: "
                + _(
                    "IAM wants the role's name here, not its ARN ({arn}): write "
                    "aws_iam_role.NAME.name (or .id)"
                ).format(arn=name)
            )
        if name in plan.roles:
            return plan.roles[name]
        existing = account.role(name)
        if existing is None:
            declared = [r for r in plan.roles]
            in_lab = account.role_names()
            raise block.error(
                "role: "
                + _(
                    "IAM would refuse: {refusal} (roles in these files: {declared}; in the lab: "
                    "{in_lab})."
                ).format(
                    refusal=f"NoSuchEntity: The role with name {name} cannot be found",
                    declared=", ".join(declared) or _("none"),
                    in_lab=", ".join(in_lab),
                )
                + suggest(name, [*declared, *in_lab])
            )
        plan.roles[name] = RolePlan(None, name, existing.arn, True)
        return plan.roles[name]

    for block in resources("aws_iam_role_policy_attachment"):
        check_arguments(block, {"role", "policy_arn"}, set())
        role = target(block)
        arn = policy_arn(config.string(block, "policy_arn", required=True), block, "policy_arn")
        role.managed.append((arn, block))

    for block in resources("aws_iam_role_policy"):
        check_arguments(block, {"name", "name_prefix", "role", "policy"}, set())
        role = target(block)
        name = policy_name_of(config, block, INLINE_POLICY)
        document = config.string(block, "policy", required=True) or ""
        _checked_policy(document, "identity", block, "policy", "PutRolePolicy")
        role.inline.append((name, document, block))

    # Task definitions.
    role_arns = {r.arn for r in plan.roles.values()}

    def role_exists(arn: str) -> bool:
        return arn in role_arns or account.role(arn.rsplit("/", 1)[-1]) is not None

    for block in resources("aws_ecs_task_definition"):
        request = _task_request(config, block)
        programs: dict[str, Program] = {}
        if app is not None:
            essential = next(
                (c["name"] for c in request["containerDefinitions"] if c.get("essential", True)),
                None,
            )
            if essential is not None:
                programs = {str(essential): app}
        try:
            definitions.build(
                request, 1, "arn:aws:ecs:::task-definition/check:1", 0.0, role_exists, programs
            )
        except Refusal as refusal:
            raise block.error(
                _("ECS would refuse {operation}: {refusal}").format(
                    operation="RegisterTaskDefinition",
                    refusal=f"{refusal.error.code}: {refusal.error.message}",
                )
            ) from None
        plan.tasks.append(TaskPlan(block, request, programs))
    if app is not None and not plan.tasks:
        raise TerraformError(
            _(
                "app= is the program of a task definition's essential container, but these files "
                "declare no aws_ecs_task_definition"
            )
        )
    return plan


_TASK_ARGUMENTS = {
    "family": "family",
    "execution_role_arn": "executionRoleArn",
    "task_role_arn": "taskRoleArn",
    "network_mode": "networkMode",
    "cpu": "cpu",
    "memory": "memory",
    "pid_mode": "pidMode",
    "ipc_mode": "ipcMode",
}


def _task_request(config: Config, block: Block) -> dict[str, Any]:
    """RegisterTaskDefinition's request for an aws_ecs_task_definition block."""
    unsupported = {
        "volume",
        "placement_constraints",
        "proxy_configuration",
        "inference_accelerator",
    }
    for child in block.blocks:
        if child.kind in unsupported:
            raise block.error(
                _(
                    "{type} blocks (line {line}) are not supported by ecslab's Terraform reader"
                ).format(type=child.kind, line=child.line)
            )
    for name in ("enable_fault_injection",):
        if name in block.attributes:
            raise block.error(
                _("{name} is not supported by ecslab's Terraform reader").format(name=name)
            )
    check_arguments(
        block,
        {
            *_TASK_ARGUMENTS,
            "container_definitions",
            "requires_compatibilities",
            "tags",
            "skip_destroy",
            "track_latest",
        },
        {"runtime_platform", "ephemeral_storage"},
    )
    request: dict[str, Any] = {}
    for argument, key in _TASK_ARGUMENTS.items():
        value = config.string(block, argument, required=argument == "family")
        if value is not None:
            request[key] = value
    if "requires_compatibilities" in block.attributes:
        request["requiresCompatibilities"] = distinct(
            config.strings(block, "requires_compatibilities")
        )
    for child in block.blocks:
        if child.kind == "runtime_platform":
            check_arguments(child, {"operating_system_family", "cpu_architecture"}, set())
            platform = {
                key: config.string(child, argument)
                for argument, key in (
                    ("operating_system_family", "operatingSystemFamily"),
                    ("cpu_architecture", "cpuArchitecture"),
                )
            }
            request["runtimePlatform"] = {k: v for k, v in platform.items() if v is not None}
        elif child.kind == "ephemeral_storage":
            check_arguments(child, {"size_in_gib"}, set())
            size = config.value(child, "size_in_gib")
            try:
                request["ephemeralStorage"] = {"sizeInGiB": int(tonumber(size))}
            except Problem as problem:
                raise block.error(f"ephemeral_storage.size_in_gib: {problem}") from None
    text = config.string(block, "container_definitions", required=True) or ""
    try:
        containers = json.loads(text)
    except json.JSONDecodeError as error:
        raise block.error(
            _(
                "container_definitions is not valid JSON ({problem} at line {line}, column "
                "{column} of the JSON)"
            ).format(problem=error.msg, line=error.lineno, column=error.colno)
        ) from None
    if not isinstance(containers, list):
        raise block.error(
            _("container_definitions must be a JSON list of containers: jsonencode([{...}])")
        )
    model = _ecs_input_shape()
    for i, container in enumerate(containers):
        if not isinstance(container, dict):
            raise block.error(
                "container_definitions: "
                + _("container {number} must be an object ({example}), not {type}").format(
                    number=i, example="{ name = ..., image = ... }", type=kind_of(container)
                )
            )
    try:
        request["containerDefinitions"] = [
            _ecs_fields(
                c,
                model.members["containerDefinitions"].member,
                _("container {number}").format(number=i),
            )
            for i, c in enumerate(containers)
        ]
    except Problem as problem:
        raise block.error(f"container_definitions: {problem}") from None
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(request, model)
    if report.has_errors():
        problems = report.generate_report().replace("\n", "; ")
        raise block.error(
            _("ECS would refuse {operation}: {refusal}").format(
                operation="RegisterTaskDefinition", refusal=problems
            )
        )
    return request


@cache
def _ecs_input_shape() -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def _ecs_fields(value: Any, shape: Any, where: str) -> Any:
    """ECS's own field names for a container definition, matched as the AWS provider's JSON
    decoder matches them (case-insensitively), nulls dropped."""
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        lowered = {k.lower(): k for k in members}
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            name = key if key in members else lowered.get(str(key).lower())
            if name is None:
                plain = {k.lower().replace("_", ""): k for k in members}
                guess = plain.get(str(key).lower().replace("_", ""))
                hint = (
                    _(' Did you mean "{name}"?').format(name=guess)
                    if guess
                    else suggest(str(key), members)
                )
                raise Problem(
                    _(
                        '{where} has a field "{key}" that ECS does not have (the AWS provider '
                        "would drop it without a word)."
                    ).format(where=where, key=key)
                    + hint
                    + _(" container_definitions uses ECS's JSON field names (camelCase)")
                )
            out[name] = _ecs_fields(item, members[name], f"{where}.{name}")
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_ecs_fields(v, shape.member, f"{where}[{i}]") for i, v in enumerate(value)]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _ecs_fields(v, shape.value, f"{where}.{k}") for k, v in value.items()}
    return value  # a wrong type: botocore's validation says so
