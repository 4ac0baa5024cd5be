"""A preflight's inputs in a lab: the same roles, policies and task definition, created in the
simulated account as you (through the gate, as every learner call is), so that ``lab.run_task()``
shows what the preflight predicted (``Lab.from_preflight``).

A real deployment lives in another account and region than the lab's: every ARN, image URI and
document is rewritten from the deployment's account and region to the lab's (said in
``notes``). What a real account holds beside the roles is made as it would exist, so that the
run is about IAM: each ECR repository the task pulls from, with the image and tag it names (its
program prints a line and exits 0), each log group (unless ``awslogs-create-group`` asks the
agent to make it), each Secrets Manager secret and SSM parameter the task injects (with a
placeholder value, JSON when a JSON key is asked for), each customer managed policy.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecslab.coach.preflight.account import DEFAULT_ACCOUNT, DEFAULT_REGION
from ecslab.coach.preflight.inputs import Deployment
from ecslab.i18n import _

if TYPE_CHECKING:
    from ecslab.lab import Lab


@dataclass
class Applied:
    """What ``Lab.from_preflight`` made: the task definition to run, and what it changed."""

    task_definition: str
    notes: list[str] = field(default_factory=list)


def _rewrite(value: Any, old: tuple[str, str], new: tuple[str, str]) -> Any:
    """``value`` with the deployment's account and region replaced by the lab's."""
    text = json.dumps(value)
    if old[0] != new[0]:
        text = text.replace(old[0], new[0])
    if old[1] != new[1]:
        text = text.replace(f":{old[1]}:", f":{new[1]}:").replace(f".{old[1]}.", f".{new[1]}.")
        text = text.replace(f'"{old[1]}"', f'"{new[1]}"')
    return json.loads(text)


def _app() -> None:
    print("the image's process started and exited")


def apply_deployment(lab: Lab, deployment: Deployment) -> Applied:
    old = (deployment.account_id or DEFAULT_ACCOUNT, deployment.region or DEFAULT_REGION)
    new = (lab.account_id, lab.region)
    notes = []
    if old != new:
        notes.append(
            _(
                "the deployment's account {account} and region {region} are the lab's "
                "{lab_account} and {lab_region} here: every ARN and image URI was rewritten"
            ).format(account=old[0], region=old[1], lab_account=new[0], lab_region=new[1])
        )
    iam = lab.client("iam")
    for arn, (name, document) in _rewrite(deployment.managed, old, new).items():
        if ":aws:policy/" in arn:
            continue
        path = "/" + arn.split(":policy/", 1)[1].rsplit("/", 1)[0].strip("/") + "/"
        iam.create_policy(
            PolicyName=arn.rsplit("/", 1)[-1],
            Path=path.replace("//", "/"),
            PolicyDocument=document,
        )
        del name
    for role in deployment.roles.values():
        trust = _rewrite(json.loads(role.trust or "{}"), old, new)
        made = lab.create_role(role.name, trust=trust, exist_ok=True)
        # a role of the same name in the lab (the course's own) keeps nothing of its own
        for arn in made.managed_policy_arns:
            made.detach(arn)
        for name in made.inline_policy_names:
            made.remove_inline(name)
        for name, text in role.identity:
            document = _rewrite(json.loads(text), old, new)
            if len(name) > 128 or ":" in name or "/" in name:
                name = name.rsplit("/", 1)[-1][:128]
            made.put_inline(name, document)
        for arn in role.attached:
            made.attach(_rewrite(arn, old, new))
    request = _rewrite(deployment.task_definition or {}, old, new)
    _resources(lab, request, notes)
    registered = lab.register_task_definition(request)
    return Applied(registered, notes)


def _resources(lab: Lab, request: dict[str, Any], notes: list[str]) -> None:
    from ecslab.ecs.images import parse_image

    ecr, logs = lab.client("ecr"), lab.client("logs")
    secrets, ssm = lab.client("secretsmanager"), lab.client("ssm")
    for container in request.get("containerDefinitions") or []:
        image = parse_image(str(container.get("image") or ""))
        if image.is_ecr and image.account == lab.account_id:
            with suppress(ecr.exceptions.RepositoryAlreadyExistsException):
                ecr.create_repository(repositoryName=image.repository)
            lab.build_image(image.tag or "latest", _app, repository=image.repository)
        options = (container.get("logConfiguration") or {}).get("options") or {}
        group = options.get("awslogs-group")
        if group and str(options.get("awslogs-create-group")).lower() != "true":
            with suppress(logs.exceptions.ResourceAlreadyExistsException):
                logs.create_log_group(logGroupName=group)
        for secret in container.get("secrets") or []:
            value_from = str(secret.get("valueFrom") or "")
            if ":secretsmanager:" in value_from:
                name, _, rest = value_from.split(":secret:", 1)[1].partition(":")
                json_key = rest.split(":", 1)[0] if rest else ""
                base = name.rsplit("-", 1)[0] if len(name.rsplit("-", 1)[-1]) == 6 else name
                value = json.dumps({json_key: "placeholder"}) if json_key else "placeholder"
                with suppress(secrets.exceptions.ResourceExistsException):
                    secrets.create_secret(Name=base, SecretString=value)
                if base != name:
                    notes.append(
                        _(
                            "the secret {name} was made as {base}: the lab gives it a new random "
                            "suffix, so the task definition names it without one"
                        ).format(name=name, base=base)
                    )
                    secret["valueFrom"] = value_from.replace(f":secret:{name}", f":secret:{base}")
            else:
                # a parameter by ARN (arn:...:parameter/name) or by name (name, /path/name)
                name = value_from
                if value_from.startswith("arn:"):
                    name = value_from.split(":parameter", 1)[1]
                ssm.put_parameter(
                    Name=name, Value="placeholder", Type="SecureString", Overwrite=True
                )
