"""Terraform HCL for a preflight: the course's own reader (:mod:`ecslab.coach.terraform`: parse,
evaluate, plan, with every check IAM and ECS make), answering from the deployment read so far
instead of a lab's account. Its errors (file, block, line) are the preflight's."""

from __future__ import annotations

from pathlib import Path

from ecslab.coach.preflight.account import OfflineAccount
from ecslab.coach.preflight.inputs import Deployment, PreflightError, Role, where


def read_terraform(paths: list[Path | str], deployment: Deployment) -> None:
    """``paths``: .tf files, folders of them, or HCL text, read together as one module."""
    from ecslab.coach.terraform.evaluate import Config
    from ecslab.coach.terraform.parse import TerraformError, parse, sources
    from ecslab.coach.terraform.plan import build_plan
    from ecslab.coach.terraform.resolve import AccountResolver

    account = OfflineAccount(deployment)
    try:
        files = [file for path in paths for file in sources(path)]
        blocks = [block for file, text in files for block in parse(text, file)]
        caller = f"arn:aws:iam::{account.account_id}:user/preflight"
        plan = build_plan(Config(blocks, AccountResolver(account, caller)), account, None)
    except TerraformError as error:
        raise PreflightError(str(error)) from None
    for name, role in plan.roles.items():
        block = role.block
        found = Role(
            name,
            role.arn,
            trust=role.trust or None,
            source=where(block.file, line=block.line) if block is not None else "terraform",
        )
        found.identity += [(policy, document) for policy, document, _block in role.inline]
        found.attached += [arn for arn, _block in role.managed]
        if role.boundary:
            found.boundary = (role.boundary, "")
        deployment.add_role(found)
    for policy in plan.policies:
        deployment.managed[policy.arn] = (policy.name, policy.document)
    for task in plan.tasks:
        deployment.add_task_definition(task.request, where(task.block.file, line=task.block.line))
