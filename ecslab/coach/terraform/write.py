"""Writing: ``to_terraform(lab)`` writes the course's two roles (or the roles named) — trust
policy as ``jsonencode({...})``, ``aws_iam_role_policy_attachment`` for each managed policy (a
customer managed one with its ``aws_iam_policy``), ``aws_iam_role_policy`` for each inline
policy — and the latest revision of the course's task definition, its roles as
``aws_iam_role.x.arn``, laid out as ``terraform fmt`` lays them out."""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from ecslab.coach.terraform.evaluate import number_text
from ecslab.i18n import _
from ecslab.lab.course import EXECUTION_ROLE, TASK_ROLE

if TYPE_CHECKING:
    from ecslab.lab import Lab

_WIDTH = 100
_HCL_KEYWORDS = {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}


class _Raw(str):
    """An HCL expression written as is (a reference), not as a quoted string."""


def _hcl_string(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    escaped = "".join(out).replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def _hcl_key(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and key not in _HCL_KEYWORDS:
        return key
    return _hcl_string(key)


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _hcl(value: Any, indent: int) -> str:
    """``value`` as an HCL expression; lines after the first are indented by ``indent``."""
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return _hcl_string(value)
    pad = " " * indent
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(_scalar(v) for v in value):
            line = "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
            if indent + len(line) <= _WIDTH - 20:
                return line
        items = [f"{pad}  {_hcl(v, indent + 2)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(value) <= 2 and all(_scalar(v) for v in value.values()):
            line = "{ " + ", ".join(f"{_hcl_key(k)} = {_hcl(v, 0)}" for k, v in value.items())
            line += " }"
            if indent + len(line) <= _WIDTH - 20:
                return line
        body = _aligned([(_hcl_key(k), _hcl(v, indent + 2)) for k, v in value.items()], indent + 2)
        return "{\n" + "\n".join(body) + f"\n{pad}}}"
    raise TypeError(_("cannot write {type} as HCL").format(type=type(value).__name__))


def _aligned(items: list[tuple[str, str]], indent: int) -> list[str]:
    """``key = value`` lines, the ``=`` aligned as ``terraform fmt`` aligns them: in each run of
    one-line arguments (an argument whose value spans lines ends a run and is not aligned)."""
    pad = " " * indent
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _rest in group), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in group)
        group.clear()

    for key, value in items:
        if "\n" in value:
            flush()
            lines.append(f"{pad}{key} = {value}")
        else:
            group.append((key, value))
    flush()
    return lines


def _resource(type_: str, name: str, items: list[tuple[str, Any]], nested: str = "") -> str:
    lines = _aligned([(k, _hcl(v, 2)) for k, v in items if v is not None], 2)
    return f'resource "{type_}" "{name}" {{\n' + "\n".join(lines) + nested + "\n}\n"


def _identifier(text: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    snake = re.sub(r"[^A-Za-z0-9_]+", "_", snake).strip("_").lower()
    if not snake:
        return "resource"
    return snake if re.match(r"[a-z_]", snake) else f"r_{snake}"


class _Names:
    """Terraform resource names, unique per resource type."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def __call__(self, type_: str, wanted: str) -> str:
        used = self.used.setdefault(type_, set())
        name, number = wanted, 2
        while name in used:
            name, number = f"{wanted}_{number}", number + 1
        used.add(name)
        return name


def _policy_identifier(name: str) -> str:
    ident = _identifier(name)
    return ident.removeprefix("amazon_").removeprefix("aws_") or ident


def _role_identifier(name: str) -> str:
    trimmed = re.sub(r"[-_]role$", "", name, flags=re.IGNORECASE)
    return _identifier(trimmed or name)


_POLICY_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document with its keys in the order people write them (Version, Statement;
    Sid, Effect, Principal, Action, Resource, Condition): ``jsonencode`` sorts them anyway."""

    def order(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        first = {k: mapping[k] for k in keys if k in mapping}
        return {**first, **{k: v for k, v in mapping.items() if k not in first}}

    out = order(document, _POLICY_KEYS)
    statements = out.get("Statement")
    if isinstance(statements, list):
        out["Statement"] = [
            order(s, _STATEMENT_KEYS) if isinstance(s, dict) else s for s in statements
        ]
    elif isinstance(statements, dict):
        out["Statement"] = order(statements, _STATEMENT_KEYS)
    return out


def _jsonencode_hcl(document: dict[str, Any]) -> _Raw:
    return _Raw(f"jsonencode({_hcl(_ordered(document), 2)})")


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return json.loads(value)
    if isinstance(value, dict):
        return copy.deepcopy(value)
    for attribute in ("document", "_source"):  # a LeastPrivilege suggestion, an ecslab Policy
        inner = getattr(value, attribute, None)
        if isinstance(inner, (dict, str)):
            return _document(inner)
    raise TypeError(
        _("a policy document must be a dict or JSON text, not {type}").format(
            type=type(value).__name__
        )
    )


def to_terraform(
    lab: Lab, roles: list[str] | None = None, policies: dict[str, Any] | None = None
) -> str:
    """The lab's roles and the course's task definition as Terraform (HCL) text.

    ``roles``: role names (default: the course's ``ecs-execution-role`` and ``ecs-task-role``).
    ``policies``: ``{role name: policy document}``; a role given here gets that document as an
    ``aws_iam_policy`` and its attachment *instead of* its current permissions. The text is the
    same for the same lab, and :func:`load_terraform` reads it back.
    """
    lab.world.require_open()
    names = list(roles) if roles is not None else [EXECUTION_ROLE, TASK_ROLE]
    policies = dict(policies or {})
    account = lab.world.account
    for name in names:
        if account.role(name) is None:
            known = account.role_names()
            raise ValueError(
                _("no role named {name} in this lab (roles: {roles})").format(
                    name=repr(name), roles=", ".join(known)
                )
            )
    strangers = [name for name in policies if name not in names]
    if strangers:
        raise ValueError(
            _("policies names roles that are not written: {strangers} (roles: {roles})").format(
                strangers=", ".join(strangers), roles=", ".join(names)
            )
        )
    unique = _Names()
    role_ids = {name: unique("aws_iam_role", _role_identifier(name)) for name in names}
    policy_ids: dict[str, str] = {}  # customer managed policy ARN → resource name
    chunks = [
        "# "
        + _("The lab's roles (account {account}, {region}), written by ecslab.").format(
            account=lab.account_id, region=lab.region
        )
        + "\n# "
        + _("Read it back with {call}.").format(
            call="ecslab.coach.terraform.load_terraform(lab, text)"
        )
        + "\n"
    ]
    for name in names:
        role = lab.role(name)
        stored = role
        ident = role_ids[name]
        boundary: Any = stored.permissions_boundary_arn
        chunks.append(
            _resource(
                "aws_iam_role",
                ident,
                [
                    ("name", name),
                    ("path", stored.path if stored.path != "/" else None),
                    ("description", stored.description or None),
                    (
                        "max_session_duration",
                        stored.max_session_duration
                        if stored.max_session_duration not in (None, 3600)
                        else None,
                    ),
                    ("permissions_boundary", boundary),
                    ("assume_role_policy", _jsonencode_hcl(role.trust_policy)),
                ],
            )
        )
        if name in policies:
            policy_id = unique("aws_iam_policy", ident)
            document = _document(policies[name])
            chunks.append(
                _resource(
                    "aws_iam_policy",
                    policy_id,
                    [
                        ("name", f"{name}-policy"),
                        ("policy", _jsonencode_hcl(document)),
                    ],
                )
            )
            chunks.append(
                _resource(
                    "aws_iam_role_policy_attachment",
                    unique("aws_iam_role_policy_attachment", ident),
                    [
                        ("role", _Raw(f"aws_iam_role.{ident}.name")),
                        ("policy_arn", _Raw(f"aws_iam_policy.{policy_id}.arn")),
                    ],
                )
            )
            continue
        for arn in role.managed_policy_arns:
            policy_name = arn.rsplit("/", 1)[-1]
            reference: Any = arn
            if ":aws:policy/" not in arn:
                if arn not in policy_ids:
                    policy_ids[arn] = unique("aws_iam_policy", _identifier(policy_name))
                    chunks.append(_customer_policy(lab, arn, policy_ids[arn]))
                reference = _Raw(f"aws_iam_policy.{policy_ids[arn]}.arn")
            chunks.append(
                _resource(
                    "aws_iam_role_policy_attachment",
                    unique(
                        "aws_iam_role_policy_attachment",
                        f"{ident}_{_policy_identifier(policy_name)}",
                    ),
                    [("role", _Raw(f"aws_iam_role.{ident}.name")), ("policy_arn", reference)],
                )
            )
        for policy_name in role.inline_policy_names:
            chunks.append(
                _resource(
                    "aws_iam_role_policy",
                    unique("aws_iam_role_policy", f"{ident}_{_policy_identifier(policy_name)}"),
                    [
                        ("name", policy_name),
                        ("role", _Raw(f"aws_iam_role.{ident}.id")),
                        (
                            "policy",
                            _jsonencode_hcl(role.inline_policy(policy_name)),
                        ),
                    ],
                )
            )
    definition = lab.ecs.definition(lab.resources.family)
    if definition is not None:
        chunks.append(_task_definition(definition.describe(), names, role_ids, lab))
    return "\n".join(chunks)


def _customer_policy(lab: Lab, arn: str, ident: str) -> str:
    stored = lab.world.account.managed_policies()[arn]
    document = json.loads(stored.document)
    return _resource(
        "aws_iam_policy",
        ident,
        [
            ("name", stored.name),
            ("path", stored.path if stored.path != "/" else None),
            ("description", stored.description),
            ("policy", _jsonencode_hcl(document)),
        ],
    )


def _task_definition(
    described: dict[str, Any], names: list[str], role_ids: dict[str, str], lab: Lab
) -> str:
    def role_reference(arn: Any) -> Any:
        if not arn:
            return None
        name = str(arn).rsplit("/", 1)[-1]
        if name in role_ids and lab.world.account.role(name).arn == arn:
            return _Raw(f"aws_iam_role.{role_ids[name]}.arn")
        return arn

    items: list[tuple[str, Any]] = [
        ("family", described["family"]),
        ("requires_compatibilities", described.get("requiresCompatibilities") or None),
        ("network_mode", described.get("networkMode")),
        ("cpu", described.get("cpu")),
        ("memory", described.get("memory")),
        ("pid_mode", described.get("pidMode")),
        ("ipc_mode", described.get("ipcMode")),
        ("execution_role_arn", role_reference(described.get("executionRoleArn"))),
        ("task_role_arn", role_reference(described.get("taskRoleArn"))),
    ]
    containers = []
    for container in described.get("containerDefinitions") or []:
        ordered = {k: container[k] for k in ("name", "image", "essential") if k in container}
        for key, value in container.items():
            if key in ordered or value is None:
                continue
            if key in ("environment", "secrets") and value == []:
                continue  # ECS describes these as [] when a container has none
            ordered[key] = value
        containers.append(ordered)
    items.append(("container_definitions", _Raw(f"jsonencode({_hcl(containers, 2)})")))
    nested = ""
    platform = described.get("runtimePlatform")
    if platform:
        fields = [
            ("operating_system_family", platform.get("operatingSystemFamily")),
            ("cpu_architecture", platform.get("cpuArchitecture")),
        ]
        lines = _aligned([(k, _hcl(v, 4)) for k, v in fields if v is not None], 4)
        nested += "\n\n  runtime_platform {\n" + "\n".join(lines) + "\n  }"
    storage = described.get("ephemeralStorage")
    if storage and storage.get("sizeInGiB") is not None:
        nested += f"\n\n  ephemeral_storage {{\n    size_in_gib = {storage['sizeInGiB']}\n  }}"
    known = {
        "family",
        "requiresCompatibilities",
        "networkMode",
        "cpu",
        "memory",
        "pidMode",
        "ipcMode",
        "executionRoleArn",
        "taskRoleArn",
        "containerDefinitions",
        "runtimePlatform",
        "ephemeralStorage",
        "taskDefinitionArn",
        "revision",
        "status",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
    }
    left_out = sorted(k for k in described if k not in known)
    text = _resource("aws_ecs_task_definition", _identifier(described["family"]), items, nested)
    if left_out:
        left = _("Not written by ecslab: {fields}").format(fields=", ".join(left_out))
        text = f"# {left}\n" + text
    return text
