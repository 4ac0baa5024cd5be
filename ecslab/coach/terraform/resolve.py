"""What references resolve to: the attributes ecslab computes for the resources it applies
(``aws_iam_role.x.arn`` from the role's path and name, ...), and the data sources it reads,
answered from the lab's account (:class:`AccountResolver`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ecslab.coach.terraform.evaluate import (
    Config,
    after_apply,
    check_arguments,
    distinct,
)
from ecslab.coach.terraform.parse import Block
from ecslab.i18n import N_, _
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy
from ecslab.lab.course import EXECUTION_ROLE, TASK_ROLE

if TYPE_CHECKING:
    from ecslab.cloud.account import Account

_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_PATH = re.compile(r"^(/|/[\x21-\x7e]{0,510}/)$")
POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}|aws):policy(/.*)?/([^/]+)$")


def role_name_of(config: Config, block: Block) -> str:
    if "name_prefix" in block.attributes:
        raise block.error(
            _(
                "name_prefix gives the role a random name when Terraform applies it, which ecslab "
                'cannot reproduce: give it a fixed name = "..." (the course uses "{execution}" '
                'and "{task}")'
            ).format(execution=EXECUTION_ROLE, task=TASK_ROLE)
        )
    name = config.string(block, "name")
    if name is None:
        raise block.error(
            _('the role has no name (Terraform would make up a random one): give it name = "..."')
        )
    if not _ROLE_NAME.match(name):
        # IAM's own ValidationError text, as IAM writes it, inside ecslab's sentence
        refusal = (
            f"1 validation error detected: Value '{name}' at 'roleName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
        )
        raise block.error(
            _("IAM would refuse the role name {name}: {refusal} (1 to 64 characters)").format(
                name=repr(name), refusal=refusal
            )
        )
    return name


def iam_path_of(config: Config, block: Block) -> str:
    path = config.string(block, "path") or "/"
    if not _PATH.match(path):
        raise block.error(
            _(
                'IAM would refuse the path {path}: a path starts and ends with / (such as "/" or '
                '"/ecs/")'
            ).format(path=repr(path))
        )
    return path


def role_arn_of(config: Config, block: Block) -> str:
    path, name = iam_path_of(config, block), role_name_of(config, block)
    return f"arn:aws:iam::{config.account_id}:role{path}{name}"


def policy_name_of(config: Config, block: Block, what: str = N_("policy")) -> str:
    """``what``: "policy" or "inline policy" (an English message id, shown translated)."""
    if "name_prefix" in block.attributes:
        raise block.error(
            _(
                "name_prefix gives the {what} a random name when Terraform applies it, which "
                'ecslab cannot reproduce: give it a fixed name = "..."'
            ).format(what=_(what))
        )
    name = config.string(block, "name")
    if name is None:
        raise block.error(_('the {what} has no name: give it name = "..."').format(what=_(what)))
    if not _POLICY_NAME.match(name):
        # IAM's own ValidationError text, as IAM writes it, inside ecslab's sentence
        refusal = (
            f"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
        )
        raise block.error(
            _("IAM would refuse the {what} name {name}: {refusal} (1 to 128 characters)").format(
                what=_(what), name=repr(name), refusal=refusal
            )
        )
    return name


def policy_arn_of(config: Config, block: Block) -> str:
    name = policy_name_of(config, block)
    return f"arn:aws:iam::{config.account_id}:policy{iam_path_of(config, block)}{name}"


INLINE_POLICY = N_("inline policy")


def family_of(config: Config, block: Block) -> str:
    return config.string(block, "family", required=True) or ""


COMPUTED: dict[str, dict[str, Callable[[Config, Block], Any]]] = {
    "aws_iam_role": {
        "name": role_name_of,
        "id": role_name_of,
        "arn": role_arn_of,
        "path": iam_path_of,
        "unique_id": after_apply,
        "create_date": after_apply,
    },
    "aws_iam_policy": {
        "name": policy_name_of,
        "arn": policy_arn_of,
        "id": policy_arn_of,
        "path": iam_path_of,
        "policy_id": after_apply,
        "attachment_count": after_apply,
    },
    "aws_iam_role_policy": {
        "name": lambda c, b: policy_name_of(c, b, INLINE_POLICY),
        "id": lambda c, b: f"{c.string(b, 'role', True)}:{policy_name_of(c, b, INLINE_POLICY)}",
    },
    "aws_iam_role_policy_attachment": {"id": after_apply},
    "aws_ecs_task_definition": {
        "family": family_of,
        "arn_without_revision": lambda c, b: (
            f"arn:aws:ecs:{c.region}:{c.account_id}:task-definition/{family_of(c, b)}"
        ),
        "arn": after_apply,
        "revision": after_apply,
        "id": after_apply,
    },
}


def _policy_document(config: Config, block: Block) -> dict[str, Any]:
    """data "aws_iam_policy_document": the JSON the AWS provider renders."""
    for name in (
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ):
        if name in block.attributes:
            raise block.error(
                _(
                    "{name} is not supported by ecslab's Terraform reader: write the statements "
                    "in this document"
                ).format(name=name)
            )
    check_arguments(block, {"version", "policy_id"}, {"statement"})
    document: dict[str, Any] = {"Version": config.string(block, "version") or "2012-10-17"}
    policy_id = config.string(block, "policy_id")
    if policy_id:
        document["Id"] = policy_id
    statements = []
    for statement in (b for b in block.blocks if b.kind == "statement"):
        check_arguments(
            statement,
            {"sid", "effect", "actions", "not_actions", "resources", "not_resources"},
            {"principals", "not_principals", "condition"},
        )
        rendered: dict[str, Any] = {}
        sid = config.string(statement, "sid")
        if sid:
            rendered["Sid"] = sid
        effect = config.string(statement, "effect") or "Allow"
        if effect not in ("Allow", "Deny"):
            raise statement.error(
                _('statement effect must be "Allow" or "Deny", not {effect}').format(
                    effect=repr(effect)
                )
            )
        rendered["Effect"] = effect
        for argument, key in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if argument in statement.attributes:
                rendered[key] = _one_or_many(distinct(config.strings(statement, argument)))
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals: dict[str, list[str]] = {}
            for principal in (b for b in statement.blocks if b.kind == kind):
                check_arguments(principal, {"type", "identifiers"}, set())
                type_ = config.string(principal, "type", required=True) or ""
                principals.setdefault(type_, []).extend(config.strings(principal, "identifiers"))
            if principals == {"*": ["*"]}:
                rendered[key] = "*"
            elif principals:
                rendered[key] = {t: _one_or_many(distinct(i)) for t, i in principals.items()}
        conditions: dict[str, dict[str, Any]] = {}
        for condition in (b for b in statement.blocks if b.kind == "condition"):
            check_arguments(condition, {"test", "variable", "values"}, set())
            test = config.string(condition, "test", required=True) or ""
            variable = config.string(condition, "variable", required=True) or ""
            conditions.setdefault(test, {})[variable] = _one_or_many(
                config.strings(condition, "values")
            )
        if conditions:
            rendered["Condition"] = conditions
        statements.append(rendered)
    document["Statement"] = statements
    return document


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _data_policy_document(config: Config, block: Block) -> dict[str, Any]:
    document = _policy_document(config, block)
    return {
        "json": json.dumps(document, indent=2),
        "minified_json": json.dumps(document, separators=(",", ":")),
    }


def _data_region(config: Config, block: Block) -> dict[str, Any]:
    check_arguments(block, {"name", "region"}, set())
    for name in ("name", "region"):
        asked = config.string(block, name)
        if asked and asked != config.region:
            raise block.error(
                _("the lab's account is in {region}, not {asked}").format(
                    region=config.region, asked=asked
                )
            )
    return {"name": config.region, "region": config.region, "id": config.region}


def _data_partition(config: Config, block: Block) -> dict[str, Any]:
    check_arguments(block, set(), set())
    return {
        "partition": "aws",
        "id": "aws",
        "dns_suffix": "amazonaws.com",
        "reverse_dns_prefix": "com.amazonaws",
    }


class AccountResolver:
    """The :class:`~ecslab.coach.terraform.evaluate.Resolver` of a lab's account: the attributes
    ecslab computes for the resources it applies, and data sources answered from the account
    (who is calling, its customer managed policies and roles, AWS managed policies)."""

    def __init__(self, account: Account, caller_arn: str) -> None:
        self.account = account
        self.account_id = account.account_id
        self.region = account.region
        self.caller_arn = caller_arn
        self._data: dict[str, Callable[[Config, Block], dict[str, Any]]] = {
            "aws_iam_policy_document": _data_policy_document,
            "aws_caller_identity": self._caller_identity,
            "aws_region": _data_region,
            "aws_partition": _data_partition,
            "aws_iam_policy": self._iam_policy,
            "aws_iam_role": self._iam_role,
        }

    def attributes(self, type_: str) -> Mapping[str, Callable[[Config, Block], Any]] | None:
        return COMPUTED.get(type_)

    def data_source(self, type_: str) -> Callable[[Config, Block], dict[str, Any]] | None:
        return self._data.get(type_)

    def _caller_identity(self, config: Config, block: Block) -> dict[str, Any]:
        check_arguments(block, set(), set())
        return {"account_id": self.account_id, "id": self.account_id, "arn": self.caller_arn}

    def _iam_policy(self, config: Config, block: Block) -> dict[str, Any]:
        check_arguments(block, {"name", "arn", "path_prefix"}, set())
        asked = config.string(block, "arn") or config.string(block, "name")
        if not asked:
            raise block.error(_('give the policy\'s name = "..." or arn = "..."'))
        store = self.account.managed_policies()
        customer = [p for arn, p in store.items() if ":aws:policy" not in arn]
        found = next((p for p in customer if asked in (p.arn, p.name)), None)
        if found is not None:
            document = found.document
            arn, name, path = found.arn, found.name, found.path
        else:
            try:
                policy = managed_policy(asked)
            except UnknownManagedPolicy as unknown:
                raise block.error(
                    _("no policy {asked} in the lab's account: {problem}").format(
                        asked=repr(asked), problem=unknown
                    )
                ) from None
            arn, name, path, document = policy.arn, policy.name, policy.path, policy.to_json()
        return {"arn": arn, "id": arn, "name": name, "path": path, "policy": document}

    def _iam_role(self, config: Config, block: Block) -> dict[str, Any]:
        check_arguments(block, {"name"}, set())
        name = config.string(block, "name", required=True) or ""
        role = self.account.role(name)
        if role is None:
            raise block.error(
                _("no role named {name} in the lab's account").format(name=repr(name))
            )
        return {
            "name": role.name,
            "id": role.name,
            "arn": role.arn,
            "path": role.path,
            "assume_role_policy": role.trust,
        }
