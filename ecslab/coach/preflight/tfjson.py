"""``terraform show -json`` output (a saved plan, or the state): the resources it will create, with
the values Terraform knows before apply (https://developer.hashicorp.com/terraform/internals/
json-format). A role's ARN is unknown before apply; the task definition's ``execution_role_arn``
then is too, and the configuration's references (``aws_iam_role.execution.arn``) say which role
it will be."""

from __future__ import annotations

import json
from typing import Any

from ecslab.coach.preflight.inputs import Deployment, Role, policy_text, problem, where
from ecslab.i18n import _


def is_plan(document: dict[str, Any]) -> bool:
    return "format_version" in document and ("planned_values" in document or "values" in document)


def _resources(module: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not module:
        return []
    found = list(module.get("resources") or [])
    for child in module.get("child_modules") or []:
        found += _resources(child)
    return found


def _references(document: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(resource address, argument) → the addresses its expression references."""
    found: dict[tuple[str, str], list[str]] = {}

    def walk(module: dict[str, Any] | None, prefix: str) -> None:
        for resource in (module or {}).get("resources") or []:
            address = prefix + resource.get("address", "")
            for argument, expression in (resource.get("expressions") or {}).items():
                if isinstance(expression, dict) and expression.get("references"):
                    found[(address, argument)] = list(expression["references"])
        for name, call in ((module or {}).get("module_calls") or {}).items():
            walk(call.get("module"), f"{prefix}module.{name}.")

    walk((document.get("configuration") or {}).get("root_module"), "")
    return found


def read_plan(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    values = document.get("planned_values") or document.get("values") or {}
    resources = _resources(values.get("root_module"))
    references = _references(document)
    roles: dict[str, Role] = {}  # address → role
    account = None
    for resource in resources:
        if resource.get("type") == "aws_iam_role":
            role_values = resource.get("values") or {}
            address = resource.get("address", "")
            name = role_values.get("name")
            if not name:
                raise problem(source, address, _("an aws_iam_role without a known name"))
            arn = role_values.get("arn") or f"arn:aws:iam::{account or '123456789012'}:role/{name}"
            role = Role(
                str(name),
                str(arn),
                trust=policy_text(role_values.get("assume_role_policy"), source, address),
                source=where(source, address),
            )
            for inline in role_values.get("inline_policy") or []:
                if inline.get("policy"):
                    role.identity.append(
                        (
                            str(inline.get("name") or "inline"),
                            policy_text(inline["policy"], source, address),
                        )
                    )
            role.attached += [str(a) for a in role_values.get("managed_policy_arns") or []]
            if role_values.get("permissions_boundary"):
                role.boundary = (str(role_values["permissions_boundary"]), "")
            roles[address] = role
    by_name = {role.name: role for role in roles.values()}

    def role_of(address: str, argument: str, value: Any) -> Role | None:
        if value:
            return by_name.get(str(value).rsplit("/", 1)[-1])
        for reference in references.get((address.split("[")[0], argument), []):
            if reference.startswith("aws_iam_role.") and reference.count(".") >= 1:
                target = ".".join(reference.split(".")[:2])
                if target in roles:
                    return roles[target]
        return None

    for resource in resources:
        kind = resource.get("type")
        address = resource.get("address", "")
        resource_values = resource.get("values") or {}
        if kind == "aws_iam_policy" and resource_values.get("policy"):
            arn = (
                resource_values.get("arn")
                or f"arn:aws:iam::{account or '123456789012'}:policy/{resource_values.get('name')}"
            )
            deployment.managed[str(arn)] = (
                str(resource_values.get("name") or address),
                policy_text(resource_values["policy"], source, address),
            )
            for (ref_address, argument), targets in references.items():
                del ref_address, argument, targets  # attachments are read below
        elif kind == "aws_iam_role_policy":
            role = role_of(address, "role", resource_values.get("role"))
            if role is not None and resource_values.get("policy"):
                role.identity.append(
                    (
                        str(resource_values.get("name") or address),
                        policy_text(resource_values["policy"], source, address),
                    )
                )
        elif kind == "aws_iam_role_policy_attachment":
            role = role_of(address, "role", resource_values.get("role"))
            arn = resource_values.get("policy_arn")
            if arn is None:
                for reference in references.get((address.split("[")[0], "policy_arn"), []):
                    if reference.startswith("aws_iam_policy."):
                        target = ".".join(reference.split(".")[:2])
                        found = next((r for r in resources if r.get("address") == target), None)
                        if found is not None:
                            name = (found.get("values") or {}).get("name")
                            arn = f"arn:aws:iam::{account or '123456789012'}:policy/{name}"
            if role is not None and arn:
                role.attached.append(str(arn))
    for role in roles.values():
        deployment.add_role(role)
    for resource in resources:
        if resource.get("type") != "aws_ecs_task_definition":
            continue
        address = resource.get("address", "")
        task_values = resource.get("values") or {}
        containers = task_values.get("container_definitions")
        try:
            containers = json.loads(containers) if isinstance(containers, str) else containers
        except ValueError as error:
            raise problem(
                source,
                f"{address}.container_definitions",
                _("not JSON: {error}").format(error=error),
            ) from None
        request: dict[str, Any] = {
            "family": task_values.get("family"),
            "containerDefinitions": containers or [],
        }
        for argument, field in (
            ("network_mode", "networkMode"),
            ("cpu", "cpu"),
            ("memory", "memory"),
            ("requires_compatibilities", "requiresCompatibilities"),
        ):
            if task_values.get(argument) is not None:
                request[field] = task_values[argument]
        for argument, field in (
            ("execution_role_arn", "executionRoleArn"),
            ("task_role_arn", "taskRoleArn"),
        ):
            role = role_of(address, argument, task_values.get(argument))
            value = task_values.get(argument) or (role.arn if role is not None else None)
            if value:
                request[field] = value
        deployment.add_task_definition(request, where(source, address))
