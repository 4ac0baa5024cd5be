"""Reading a real deployment: task definitions, roles and policies in the formats AWS and the
tools really emit, into one :class:`Deployment`.

Formats, recognised by their content (not their file name):

- a task definition: ``aws ecs describe-task-definition`` output (``{"taskDefinition": ...}``) or
  ``register-task-definition`` input (``{"family": ..., "containerDefinitions": [...]}``);
- roles and policies: ``aws iam get-account-authorization-details`` output (roles with their
  trust, inline and attached policies and permissions boundary; customer managed policies with
  their versions), ``aws iam get-role`` output, ``aws iam list-attached-role-policies`` output
  (for the role of the ``get-role`` output read just before it), ``aws iam get-role-policy``
  output;
- a CloudFormation template, JSON or YAML (``cdk synth`` output included): ``AWS::IAM::Role``,
  ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``, ``AWS::ECS::TaskDefinition``,
  ``AWS::KMS::Key``, ``AWS::SecretsManager::Secret``, with ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``,
  ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` and ``Fn::ImportValue`` resolved
  (``cfn.py``);
- Terraform: ``.tf`` files or a directory of them (the course's own reader,
  :mod:`ecslab.coach.terraform`), or ``terraform show -json`` output (``tfjson.py``);
- ``aws secretsmanager describe-secret`` output (its KMS key), ``aws ssm get-parameter`` /
  ``describe-parameters`` output (a SecureString's key).

Bad input is a :class:`PreflightError` that names the file and the line (JSON, YAML) or the JSON
path of the problem; nothing is half-read: a file either contributes everything it says or the
whole preflight stops.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake

# DescribeTaskDefinition's fields that RegisterTaskDefinition does not take
# (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html)
READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


class PreflightError(LearnerMistake, ValueError):
    """Input preflight cannot read: the message names the file and where in it."""

    def __str__(self) -> str:
        return str(self.args[0])


def where(source: str, path: str = "", line: int | None = None) -> str:
    """``file``, ``file:12`` or ``file: $.Resources.TaskRole.Properties`` for messages."""
    if line is not None:
        return f"{source}:{line}"
    return f"{source}: {path}" if path else source


def problem(source: str, path: str, text: str) -> PreflightError:
    return PreflightError(_("{where}: {problem}").format(where=where(source, path), problem=text))


@dataclass
class Role:
    """A role as preflight knows it: trust policy, identity policies, boundary, and where each
    came from."""

    name: str
    arn: str
    trust: str | None = None
    identity: list[tuple[str, str]] = field(default_factory=list)  # (policy name, JSON text)
    boundary: tuple[str, str] | None = None
    attached: list[str] = field(default_factory=list)  # managed policy ARNs, resolved later
    source: str = ""


@dataclass
class Deployment:
    """Everything read: one task definition, the roles, and what the resources say."""

    account_id: str | None = None
    region: str | None = None
    task_definition: dict[str, Any] | None = None
    task_definition_source: str = ""
    roles: dict[str, Role] = field(default_factory=dict)
    managed: dict[str, tuple[str, str]] = field(default_factory=dict)  # ARN → (name, JSON text)
    key_policies: dict[str, str] = field(default_factory=dict)  # key ARN or id → JSON text
    secrets: dict[str, str | None] = field(default_factory=dict)  # secret ARN → KMS key id
    parameters: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # name → type, key
    sources: list[str] = field(default_factory=list)
    last_role: str | None = None  # the role of the last get-role output read
    log_groups: set[str] = field(default_factory=set)  # log groups the inputs create
    exports: dict[str, Any] = field(default_factory=dict)  # CloudFormation exports by name
    # the app's calls from a record (iamlive, CloudTrail): (action, resource, who made it)
    expects: list[tuple[str, str, str]] = field(default_factory=list)

    def role_by_arn(self, arn: str | None) -> Role | None:
        if not arn:
            return None
        name = str(arn).rsplit("/", 1)[-1]
        role = self.roles.get(name)
        return role if role is not None and (role.arn == arn or ":role/" not in arn) else None

    def add_task_definition(self, request: dict[str, Any], source: str) -> None:
        if self.task_definition is not None:
            raise problem(
                source,
                "",
                _(
                    "a second task definition (the first came from {first}); preflight reads one "
                    "task definition at a time"
                ).format(first=self.task_definition_source),
            )
        self.task_definition = {k: v for k, v in request.items() if k not in READ_ONLY}
        self.task_definition_source = source
        # the account and region the task runs in: an ECR image's registry host
        # (<account>.dkr.ecr.<region>.amazonaws.com) and the awslogs driver's region say them
        for container in request.get("containerDefinitions") or []:
            if not isinstance(container, dict):
                continue
            host = str(container.get("image") or "").split("/", 1)[0].split(".")
            if len(host) >= 6 and host[1:3] == ["dkr", "ecr"] and host[0].isdigit():
                self.account_id = self.account_id or host[0]
                self.region = self.region or host[3]
            options = (container.get("logConfiguration") or {}).get("options") or {}
            if isinstance(options, dict) and options.get("awslogs-region"):
                self.region = self.region or str(options["awslogs-region"])
        self.notice_account(str(request.get("executionRoleArn") or ""))
        self.notice_account(str(request.get("taskRoleArn") or ""))

    def add_role(self, role: Role) -> None:
        known = self.roles.get(role.name)
        if known is not None and known.source != role.source:
            # two outputs about one role (get-role then get-role-policy): merge what they add
            known.trust = role.trust or known.trust
            known.identity += [p for p in role.identity if p not in known.identity]
            known.attached += [a for a in role.attached if a not in known.attached]
            known.boundary = role.boundary or known.boundary
            return
        self.roles[role.name] = role
        self.notice_account(role.arn)

    def notice_account(self, arn: str) -> None:
        """The account and region, from the first ARN that names them."""
        parts = arn.split(":")
        if len(parts) >= 6 and parts[0] == "arn":
            if parts[4].isdigit() and self.account_id is None:
                self.account_id = parts[4]
            if parts[3] and self.region is None and parts[2] not in ("iam", "sts"):
                self.region = parts[3]


def policy_text(value: Any, source: str, path: str) -> str:
    """A policy document as JSON text: a dict, JSON text, or IAM's URL-encoded JSON (what the
    IAM API itself returns; the CLI decodes it)."""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise problem(
                source, path, _("this policy document is not JSON: {error}").format(error=error)
            ) from None
        if isinstance(parsed, dict):
            return json.dumps(parsed)
    raise problem(source, path, _("a policy document must be a JSON object"))


def load_document(path: Path) -> Any:
    """A JSON or YAML file's content; a syntax error names the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PreflightError(_("{file}: not a text file (UTF-8)").format(file=path)) from None
    except OSError as error:
        raise PreflightError(
            _("{file}: cannot be read: {error}").format(file=path, error=error.strerror or error)
        ) from None
    return parse_text(text, str(path))


def parse_text(text: str, source: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise PreflightError(
                _("{where}: not valid JSON: {error}").format(
                    where=where(source, line=error.lineno), error=error.msg
                )
            ) from None
    from ecslab.coach.preflight.cfn import load_yaml

    return load_yaml(text, source)


def read_iam_output(document: dict[str, Any], source: str, deployment: Deployment) -> bool:
    """The AWS CLI's IAM outputs; False when ``document`` is none of them."""
    if "RoleDetailList" in document or ("Policies" in document and "UserDetailList" in document):
        _authorization_details(document, source, deployment)
        return True
    if isinstance(document.get("Role"), dict) and "AssumeRolePolicyDocument" in document["Role"]:
        role = document["Role"]
        name, arn = _name_and_arn(role, source, "$.Role")
        found = Role(
            name,
            arn,
            trust=policy_text(role["AssumeRolePolicyDocument"], source, "$.Role"),
            source=source,
        )
        boundary = role.get("PermissionsBoundary") or {}
        if boundary.get("PermissionsBoundaryArn"):
            found.boundary = (str(boundary["PermissionsBoundaryArn"]), "")
        deployment.add_role(found)
        deployment.last_role = name
        return True
    if "AttachedPolicies" in document:
        last = deployment.last_role
        if last is None:
            raise problem(
                source,
                "$.AttachedPolicies",
                _(
                    "list-attached-role-policies output does not say which role it lists: give "
                    "the role's get-role output before it"
                ),
            )
        for index, attached in enumerate(document.get("AttachedPolicies") or []):
            arn = attached.get("PolicyArn") if isinstance(attached, dict) else None
            if not arn:
                raise problem(
                    source, f"$.AttachedPolicies[{index}]", _("an attached policy with no ARN")
                )
            deployment.roles[last].attached.append(str(arn))
        return True
    if "PolicyDocument" in document and "RoleName" in document:
        name = str(document["RoleName"])
        text = policy_text(document["PolicyDocument"], source, "$.PolicyDocument")
        role = deployment.roles.get(name)
        if role is None:
            raise problem(
                source,
                "$.RoleName",
                _(
                    "get-role-policy output for role {name}, whose get-role output was not "
                    "given before it (its ARN and trust policy are in it)"
                ).format(name=name),
            )
        role.identity.append((str(document.get("PolicyName") or "inline"), text))
        return True
    return False


def _name_and_arn(role: dict[str, Any], source: str, path: str) -> tuple[str, str]:
    name, arn = role.get("RoleName"), role.get("Arn")
    if not name or not arn:
        raise problem(source, path, _("a role needs its RoleName and Arn"))
    return str(name), str(arn)


def _authorization_details(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    for index, policy in enumerate(document.get("Policies") or []):
        path = f"$.Policies[{index}]"
        arn = policy.get("Arn")
        versions = policy.get("PolicyVersionList") or []
        default = next((v for v in versions if v.get("IsDefaultVersion")), None)
        if not arn or default is None:
            raise problem(source, path, _("a policy needs its Arn and its default version"))
        deployment.managed[str(arn)] = (
            str(policy.get("PolicyName") or arn),
            policy_text(default.get("Document"), source, f"{path}.PolicyVersionList"),
        )
    for index, role in enumerate(document.get("RoleDetailList") or []):
        path = f"$.RoleDetailList[{index}]"
        name, arn = _name_and_arn(role, source, path)
        found = Role(
            name,
            arn,
            trust=policy_text(
                role.get("AssumeRolePolicyDocument"), source, f"{path}.AssumeRolePolicyDocument"
            ),
            source=source,
        )
        for number, inline in enumerate(role.get("RolePolicyList") or []):
            found.identity.append(
                (
                    str(inline.get("PolicyName") or f"inline-{number}"),
                    policy_text(
                        inline.get("PolicyDocument"),
                        source,
                        f"{path}.RolePolicyList[{number}].PolicyDocument",
                    ),
                )
            )
        for attached in role.get("AttachedManagedPolicies") or []:
            found.attached.append(str(attached.get("PolicyArn")))
        boundary = role.get("PermissionsBoundary") or {}
        if boundary.get("PermissionsBoundaryArn"):
            found.boundary = (str(boundary["PermissionsBoundaryArn"]), "")
        deployment.add_role(found)


def read_other_outputs(document: dict[str, Any], source: str, deployment: Deployment) -> bool:
    """Secrets Manager's and SSM's describe outputs: the KMS key behind a secret or parameter."""
    arn = str(document.get("ARN") or "")
    if ":secretsmanager:" in arn and "Name" in document:
        deployment.secrets[arn] = document.get("KmsKeyId")
        deployment.notice_account(arn)
        return True
    parameters = document.get("Parameters") if "Parameters" in document else None
    if isinstance(document.get("Parameter"), dict):
        parameters = [document["Parameter"]]
    if isinstance(parameters, list) and all(isinstance(p, dict) for p in parameters):
        for parameter in parameters:
            if "Name" in parameter and "Type" in parameter:
                deployment.parameters[str(parameter["Name"])] = (
                    str(parameter["Type"]),
                    parameter.get("KeyId"),
                )
        return True
    return False
