"""CloudFormation templates (JSON or YAML, ``cdk synth`` output included): the roles, policies,
task definition, KMS keys and secrets they declare, with intrinsic functions resolved as
CloudFormation would resolve them at deploy time.

Why our own resolver: the libraries that read templates (cfn-lint, cfn-flip) parse the short
tags (``!Ref``, ``!GetAtt``, ``!Sub``) but do not evaluate them; a preflight needs the values:
a role's ARN where ``Fn::GetAtt: [TaskRole, Arn]`` stands, a log group's name where ``Ref``
stands. What only a deployed stack knows (a physical name CloudFormation generates) is given
the name CloudFormation would generate for it, ``<stack>-<LogicalId>-<suffix>``, written with
``STACK`` and ``RANDOM`` so that nobody mistakes it for a real name.

YAML is read with PyYAML's safe loader, with CloudFormation's short tags turned into their long
form (``!Sub "x"`` → ``{"Fn::Sub": "x"}``), as the CloudFormation user guide defines them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ecslab.coach.preflight.inputs import (
    Deployment,
    PreflightError,
    Role,
    policy_text,
    problem,
    where,
)
from ecslab.i18n import _

STACK = "STACK"
PSEUDO = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix")


# What Fn::GetAtt [X, Arn] is, by X's type (each service's ARN format, as the CloudFormation
# resource reference gives its Arn attribute)
ARNS = {
    "AWS::IAM::Role": "arn:aws:iam::{account}:role{path}{name}",
    "AWS::IAM::ManagedPolicy": "arn:aws:iam::{account}:policy{path}{name}",
    "AWS::ECS::TaskDefinition": "arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-RANDOM",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/{stack}-{logical}-KEYID",
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::ECR::Repository": "arn:aws:ecr:{region}:{account}:repository/{name}",
}


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, knowing CloudFormation's short-form tags."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)  # !GetAtt Role.Arn
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _short_form)


def load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise PreflightError(
            _("{where}: not valid JSON or YAML: {error}").format(
                where=where(source, line=line), error=reason
            )
        ) from None


def is_template(document: Any) -> bool:
    resources = document.get("Resources") if isinstance(document, dict) else None
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
        for r in resources.values()
    )


class Template:
    """One template's resources, resolving intrinsic functions against them."""

    def __init__(self, document: dict[str, Any], source: str, deployment: Deployment) -> None:
        self.resources: dict[str, Any] = document["Resources"]
        self.parameters: dict[str, Any] = document.get("Parameters") or {}
        self.conditions: dict[str, Any] = document.get("Conditions") or {}
        self.mappings: dict[str, Any] = document.get("Mappings") or {}
        self.exports = deployment.exports
        self.source = source
        self.account = deployment.account_id or "123456789012"
        self.region = deployment.region or "us-east-1"

    def error(self, path: str, text: str) -> PreflightError:
        return problem(self.source, path, text)

    # -- what a logical id stands for ----------------------------------------------------------

    def physical_name(self, logical: str) -> str:
        properties = self.resources[logical].get("Properties") or {}
        kind = self.resources[logical].get("Type", "")
        for key in (
            "RoleName",
            "PolicyName",
            "ManagedPolicyName",
            "Family",
            "Name",
            "LogGroupName",
            "QueueName",
            "TopicName",
            "BucketName",
            "TableName",
        ):
            if key in properties and not (kind == "AWS::IAM::Policy" and key == "PolicyName"):
                value = self.resolve(properties[key], f"$.Resources.{logical}.Properties.{key}")
                if isinstance(value, str):
                    return value
        # CloudFormation's generated name: stack, logical id, a random suffix
        return f"{STACK}-{logical}-RANDOM"

    def ref(self, name: str, path: str) -> Any:
        if name in ("AWS::AccountId",):
            return self.account
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return "aws"
        if name == "AWS::StackName":
            return STACK
        if name == "AWS::URLSuffix":
            return "amazonaws.com"
        if name == "AWS::NoValue":
            return None
        if name in self.parameters:
            parameter = self.parameters[name] or {}
            if "Default" not in parameter:
                raise self.error(
                    path,
                    _("Ref {name}: the parameter has no Default; preflight needs its value").format(
                        name=name
                    ),
                )
            return parameter["Default"]
        if name not in self.resources:
            raise self.error(
                path,
                _("Ref {name}: no such resource or parameter in the template").format(name=name),
            )
        kind = self.resources[name].get("Type", "")
        if kind in (
            "AWS::IAM::ManagedPolicy",
            "AWS::ECS::TaskDefinition",
            "AWS::SecretsManager::Secret",
        ):
            return self.arn(name, path)
        if kind == "AWS::KMS::Key":
            return f"{STACK}-{name}-KEYID"
        return self.physical_name(name)

    def arn(self, logical: str, path: str) -> str:
        kind = self.resources[logical].get("Type", "")
        name = self.physical_name(logical)
        properties = self.resources[logical].get("Properties") or {}
        iam_path = self.resolve(properties.get("Path", "/"), path) or "/"
        form = ARNS.get(kind)
        if form is not None:
            return form.format(
                region=self.region,
                account=self.account,
                path=iam_path,
                name=name,
                stack=STACK,
                logical=logical,
            )
        return f"arn:aws:cloudformation:{self.region}:{self.account}:{STACK}/{logical}"

    def get_att(self, value: Any, path: str) -> Any:
        if not (isinstance(value, list) and len(value) == 2):
            raise self.error(path, _("Fn::GetAtt takes [LogicalId, Attribute]"))
        logical, attribute = value[0], self.resolve(value[1], path)
        if logical not in self.resources:
            raise self.error(
                path, _("Fn::GetAtt {name}: no such resource in the template").format(name=logical)
            )
        if attribute == "Arn":
            return self.arn(logical, path)
        if attribute in ("RoleId", "KeyId", "Id"):
            return f"{STACK}-{logical}-ID"
        if attribute in ("Name", "RoleName"):
            return self.physical_name(logical)
        if attribute in ("QueueUrl",):
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.physical_name(logical)}"
        return f"{STACK}-{logical}-{attribute}"

    # -- intrinsic functions -------------------------------------------------------------------

    def resolve(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v, f"{path}[{i}]") for i, v in enumerate(value)]
            return [v for v in items if v is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(str(argument), path)
            if key == "Fn::GetAtt":
                return self.get_att(argument, path)
            if key == "Fn::Sub":
                return self.sub(argument, path)
            if key == "Fn::Join":
                if not (isinstance(argument, list) and len(argument) == 2):
                    raise self.error(path, _("Fn::Join takes [delimiter, [values]]"))
                items = self.resolve(argument[1], path)
                if not isinstance(items, list):
                    raise self.error(path, _("Fn::Join takes [delimiter, [values]]"))
                return str(argument[0]).join(_text(i) for i in items)
            if key == "Fn::Select":
                index, items = argument
                items = self.resolve(items, path)
                return items[int(self.resolve(index, path))]
            if key == "Fn::Split":
                delimiter, text = argument
                return str(self.resolve(text, path)).split(delimiter)
            if key == "Fn::If":
                name, yes, no = argument
                return self.resolve(yes if self.condition(name, path) else no, path)
            if key == "Fn::ImportValue":
                name = _text(self.resolve(argument, path))
                if name in self.exports:
                    return self.exports[name]
                # an export named after its own stack (${AWS::StackName}:X) whose stack name
                # preflight writes STACK: the one export with the same name after the stack's
                tail = name.split(":", 1)[-1]
                found = [v for k, v in self.exports.items() if k == f"{STACK}:{tail}"]
                return found[0] if len(found) == 1 else f"IMPORTED-{name}"
            if key == "Fn::GetAZs":
                return [f"{self.region}a", f"{self.region}b"]
            if key == "Fn::Base64":
                return self.resolve(argument, path)
            if key == "Fn::FindInMap":
                if not (isinstance(argument, list) and len(argument) == 3):
                    raise self.error(path, _("Fn::FindInMap takes [MapName, TopKey, SecondKey]"))
                names = [str(self.resolve(a, path)) for a in argument]
                try:
                    return self.resolve(self.mappings[names[0]][names[1]][names[2]], path)
                except (KeyError, TypeError):
                    raise self.error(
                        path,
                        _("Fn::FindInMap {keys}: no such entry in the template's Mappings").format(
                            keys=" / ".join(names)
                        ),
                    ) from None
        return {k: self.resolve(v, f"{path}.{k}") for k, v in value.items()}

    def condition(self, name: str, path: str) -> bool:
        """A condition's value; Fn::Equals of resolved values, Fn::Not/And/Or of those."""
        expression = self.conditions.get(name)
        if expression is None:
            raise self.error(path, _("no condition {name} in the template").format(name=name))
        return bool(self._truth(expression, path))

    def _truth(self, expression: Any, path: str) -> bool:
        if isinstance(expression, dict) and len(expression) == 1:
            ((key, argument),) = expression.items()
            if key == "Fn::Equals":
                left, right = (self.resolve(v, path) for v in argument)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._truth(argument[0], path)
            if key == "Fn::And":
                return all(self._truth(a, path) for a in argument)
            if key == "Fn::Or":
                return any(self._truth(a, path) for a in argument)
            if key == "Condition":
                return self.condition(argument, path)
        raise self.error(path, _("a condition preflight cannot evaluate"))

    def sub(self, argument: Any, path: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            text, given = argument[0], argument[1] if len(argument) > 1 else {}
            variables = {k: self.resolve(v, path) for k, v in (given or {}).items()}
        else:
            text = argument

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name and name not in PSEUDO:
                logical, attribute = name.split(".", 1)
                return _text(self.get_att([logical, attribute], path))
            return _text(self.ref(name, path))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# -- what a template contributes to the deployment ---------------------------------------------

# AWS::ECS::TaskDefinition's PascalCase keys are RegisterTaskDefinition's camelCase ones, except
# where CloudFormation spells them differently.
_RENAMED = {"Options": "options", "SecretOptions": "secretOptions"}
# keys whose values are maps the user names (their keys are data, not properties)
_FREE_MAPS = {"Options", "options", "DockerLabels", "dockerLabels", "FirelensConfiguration"}


def _camel(value: Any, under_free_map: bool = False) -> Any:
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    if under_free_map:
        return dict(value)
    out = {}
    for key, item in value.items():
        name = _RENAMED.get(key, key[:1].lower() + key[1:])
        out[name] = _camel(item, key in ("Options", "DockerLabels"))
    return out


READ = (
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::ECS::TaskDefinition",
    "AWS::Logs::LogGroup",
)


def read_exports(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    """A template's ``Outputs`` with an ``Export``: what another stack's ``Fn::ImportValue``
    gets (read before the templates that import them)."""
    template = Template(document, source, deployment)
    for name, output in (document.get("Outputs") or {}).items():
        if not isinstance(output, dict) or not isinstance(output.get("Export"), dict):
            continue
        path = f"$.Outputs.{name}"
        try:
            exported = template.resolve(output["Export"].get("Name"), f"{path}.Export")
            value = template.resolve(output.get("Value"), f"{path}.Value")
        except PreflightError:
            continue  # an output preflight cannot resolve is simply not known
        if isinstance(exported, str):
            deployment.exports[exported] = value


def read_template(document: dict[str, Any], source: str, deployment: Deployment) -> None:
    template = Template(document, source, deployment)
    resources = template.resources
    roles: dict[str, Role] = {}
    for logical, resource in resources.items():
        kind = resource.get("Type")
        path = f"$.Resources.{logical}.Properties"
        if kind not in READ:
            continue  # a VPC, a load balancer...: not preflight's, and never resolved
        properties = template.resolve(resource.get("Properties") or {}, path)
        if kind == "AWS::Logs::LogGroup":
            deployment.log_groups.add(template.physical_name(logical))
        if kind == "AWS::IAM::Role":
            role = Role(
                template.physical_name(logical),
                template.arn(logical, path),
                trust=policy_text(
                    properties.get("AssumeRolePolicyDocument"),
                    source,
                    f"{path}.AssumeRolePolicyDocument",
                ),
                source=where(source, f"$.Resources.{logical}"),
            )
            for index, policy in enumerate(properties.get("Policies") or []):
                role.identity.append(
                    (
                        str(policy.get("PolicyName") or f"{logical}-{index}"),
                        policy_text(
                            policy.get("PolicyDocument"), source, f"{path}.Policies[{index}]"
                        ),
                    )
                )
            role.attached += [str(a) for a in properties.get("ManagedPolicyArns") or []]
            if properties.get("PermissionsBoundary"):
                role.boundary = (str(properties["PermissionsBoundary"]), "")
            roles[logical] = role
        elif kind == "AWS::IAM::ManagedPolicy":
            deployment.managed[template.arn(logical, path)] = (
                template.physical_name(logical),
                policy_text(properties.get("PolicyDocument"), source, f"{path}.PolicyDocument"),
            )
        elif kind == "AWS::KMS::Key" and properties.get("KeyPolicy") is not None:
            deployment.key_policies[template.arn(logical, path)] = policy_text(
                properties["KeyPolicy"], source, f"{path}.KeyPolicy"
            )
        elif kind == "AWS::SecretsManager::Secret":
            deployment.secrets[template.arn(logical, path)] = properties.get("KmsKeyId")
        elif kind == "AWS::ECS::TaskDefinition":
            request = _camel(properties)
            request.pop("tags", None)
            request.setdefault("family", template.physical_name(logical))
            deployment.add_task_definition(request, where(source, f"$.Resources.{logical}"))
    # policies attached to roles by AWS::IAM::Policy and AWS::IAM::ManagedPolicy's Roles
    by_name = {role.name: role for role in roles.values()}
    for logical, resource in resources.items():
        kind = resource.get("Type")
        if kind not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        path = f"$.Resources.{logical}.Properties"
        properties = template.resolve(resource.get("Properties") or {}, path)
        for index, name in enumerate(properties.get("Roles") or []):
            role = by_name.get(str(name).rsplit("/", 1)[-1])
            if role is None:
                continue  # a role outside the template: its own input says what it has
            if kind == "AWS::IAM::Policy":
                role.identity.append(
                    (
                        str(properties.get("PolicyName") or logical),
                        policy_text(
                            properties.get("PolicyDocument"), source, f"{path}.PolicyDocument"
                        ),
                    )
                )
            else:
                role.attached.append(template.arn(logical, f"{path}.Roles[{index}]"))
    for role in roles.values():
        deployment.add_role(role)
