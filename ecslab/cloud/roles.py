"""A role, for learners: read its policies, attach and detach, edit inline policies and trust.

Every change goes through IAM in the simulated account, as the learner (the account
administrator): it is authorized and traced like any other call, and bad input gets IAM's own
errors — ``NoSuchEntity`` for a policy that does not exist (with ecslab's suggestion of the
closest names), ``MalformedPolicyDocument`` naming the statement and field. They are botocore's
``ClientError`` as always, shown in Jupyter with the learner's own line and AWS's message only
(``ecslab.cloud.mistakes``). A policy IAM accepts that names an action no service has is kept, as
IAM keeps it, with an ``UnknownActionWarning`` naming the closest real actions.

Reading a role (its ARN, policies, documents, trust) only looks at the account's store: looking
at the lab does not add calls to the trace or move its clock, so a diagram or a role card shown
in a notebook never changes what the next cell prints. The answers are IAM's, in IAM's order
(attached policies by name, inline policies as they were put).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from ecslab.cloud.mistakes import ArgumentTypeError, learner_facing, warn_unknown_actions
from ecslab.i18n import N_, _
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy

if TYPE_CHECKING:
    from ecslab.cloud.account import StoredRole
    from ecslab.cloud.world import World


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(unquote(value) if value.lstrip().startswith("%") else value)
    return value


def _text(value: Any, method: str, what: str) -> str:
    """``value``, which must be a str; ``what``: what it is, marked with ``N_``."""
    if not isinstance(value, str):
        raise ArgumentTypeError(
            _("{method}() takes {what} as text (a str), not {value}").format(
                method=method, what=_(what), value=repr(value)
            )
        )
    return value


POLICY_NAME_OR_ARN = N_("a managed policy's name or ARN")


def _policy_text(document: Any, method: str) -> str:
    """A policy given as a dict (sent as JSON, as the SDK would) or as JSON text."""
    if isinstance(document, str):
        return document
    try:
        return json.dumps(document)
    except (TypeError, ValueError) as problem:
        raise ArgumentTypeError(
            _(
                "{method}() takes a policy as a dict of JSON values or as JSON text; this one "
                "cannot be written as JSON: {problem}"
            ).format(method=method, problem=problem)
        ) from None


class Role:
    """An IAM role in the lab's account, by name."""

    def __init__(self, world: World, name: str) -> None:
        self._world = world
        self.name = name

    @property
    def _iam(self) -> Any:
        return self._world.learner_client("iam")

    # -- reading ---------------------------------------------------------------------------------

    @learner_facing
    def stored(self) -> StoredRole:
        """The role as IAM stores it; IAM's NoSuchEntity if there is none."""
        self._world.require_open()
        role = self._world.account.role(self.name)
        if role is None:
            # IAM GetRole: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
            raise ClientError(
                {
                    "Error": {
                        "Code": "NoSuchEntity",
                        "Message": f"The role with name {self.name} cannot be found.",
                        "Type": "Sender",
                    },
                    "ResponseMetadata": {"HTTPStatusCode": 404},
                },
                "GetRole",
            )
        return role

    @property
    def arn(self) -> str:
        return str(self.stored().arn)

    @property
    def path(self) -> str:
        """The role's IAM path ("/" unless it was created with another)."""
        return str(self.stored().path)

    @property
    def description(self) -> str | None:
        return self.stored().description or None

    @property
    def permissions_boundary_arn(self) -> str | None:
        """The managed policy set as the role's permissions boundary, if any."""
        return self.stored().permissions_boundary_arn or None

    @property
    def max_session_duration(self) -> int:
        """Seconds a session of the role may last (IAM's default is 3600)."""
        return int(self.stored().max_session_duration)

    @property
    def managed_policy_arns(self) -> list[str]:
        """The attached managed policies' ARNs, sorted by policy name (as IAM lists them)."""
        return sorted(self.stored().managed_policy_arns, key=lambda arn: arn.rsplit("/", 1)[-1])

    @property
    def inline_policy_names(self) -> list[str]:
        return [name for name, _document_text in self.stored().inline_policies]

    @property
    def policies(self) -> list[str]:
        """Names of the attached managed policies, then of the inline policies."""
        names = [arn.rsplit("/", 1)[-1] for arn in self.managed_policy_arns]
        return names + self.inline_policy_names

    @learner_facing
    def inline_policy(self, name: str) -> dict[str, Any]:
        documents = dict(self.stored().inline_policies)
        if name not in documents:
            # IAM GetRolePolicy's NoSuchEntity
            raise ClientError(
                {
                    "Error": {
                        "Code": "NoSuchEntity",
                        "Message": f"The role policy with name {name} cannot be found.",
                        "Type": "Sender",
                    },
                    "ResponseMetadata": {"HTTPStatusCode": 404},
                },
                "GetRolePolicy",
            )
        return _document(documents[name])

    @property
    def trust_policy(self) -> dict[str, Any]:
        return _document(self.stored().trust)

    def documents(self) -> list[tuple[str, dict[str, Any]]]:
        """The role's identity policies as ``(name, document)``: the attached managed policies
        (by name, an AWS managed one from ecslab's catalog, a customer managed one as IAM stores
        its default version), then the inline policies as they were put."""
        found: list[tuple[str, dict[str, Any]]] = []
        for arn in self.managed_policy_arns:
            found.append((arn.rsplit("/", 1)[-1], self.managed_document(arn)))
        found += [(name, _document(text)) for name, text in self.stored().inline_policies]
        return found

    def managed_document(self, arn: str) -> dict[str, Any]:
        """A managed policy's default version: AWS's from ecslab's catalog, a customer's from
        IAM ({} when IAM has none)."""
        if arn.split(":")[4:5] == ["aws"]:
            try:
                return managed_policy(arn).document
            except UnknownManagedPolicy:
                pass  # not in the catalog: ask IAM, as for a customer managed policy
        stored = self._world.account.managed_policy_document(arn)
        return _document(stored) if stored else {}

    # -- changing --------------------------------------------------------------------------------

    @learner_facing
    def attach(self, name_or_arn: str) -> Role:
        """Attach a managed policy: an AWS managed policy's name, or any policy ARN."""
        _text(name_or_arn, "attach", POLICY_NAME_OR_ARN)
        arn = self._policy_arn(name_or_arn)
        with self._hint_on_unknown(name_or_arn):
            self._iam.attach_role_policy(RoleName=self.name, PolicyArn=arn)
        return self

    @learner_facing
    def detach(self, name_or_arn: str) -> Role:
        """Detach a managed policy by name (as listed in ``policies``) or ARN."""
        _text(name_or_arn, "detach", POLICY_NAME_OR_ARN)
        attached = {a.rsplit("/", 1)[-1]: a for a in self.managed_policy_arns}
        arn = attached.get(name_or_arn) or self._policy_arn(name_or_arn)
        with self._hint_on_unknown(name_or_arn):
            self._iam.detach_role_policy(RoleName=self.name, PolicyArn=arn)
        return self

    @learner_facing
    def put_inline(self, name: str, document: dict[str, Any] | str) -> Role:
        """Add or replace an inline policy. IAM keeps a policy that names actions no service
        has; an ``UnknownActionWarning`` then names them and the closest real ones."""
        text = _policy_text(document, "put_inline")
        self._iam.put_role_policy(RoleName=self.name, PolicyName=name, PolicyDocument=text)
        where = _("inline policy {name} on role {role}").format(name=repr(name), role=self.name)
        warn_unknown_actions(_document(text), where)
        return self

    @learner_facing
    def remove_inline(self, name: str) -> Role:
        self._iam.delete_role_policy(RoleName=self.name, PolicyName=name)
        return self

    @learner_facing
    def set_trust_policy(self, document: dict[str, Any] | str) -> Role:
        text = _policy_text(document, "set_trust_policy")
        self._iam.update_assume_role_policy(RoleName=self.name, PolicyDocument=text)
        return self

    @staticmethod
    def _policy_arn(name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        try:
            return managed_policy(name_or_arn).arn
        except UnknownManagedPolicy:
            return f"arn:aws:iam::aws:policy/{name_or_arn}"  # IAM will say it does not exist

    @staticmethod
    @contextmanager
    def _hint_on_unknown(name_or_arn: str) -> Iterator[None]:
        """IAM's NoSuchEntity, with ecslab's suggestion of the policy names closest to a typo."""
        try:
            yield
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
            try:
                managed_policy(name_or_arn)
            except UnknownManagedPolicy as unknown:
                if unknown.suggestions:
                    error.response["Error"]["Message"] += f" (ecslab: {unknown})"
                    raise type(error)(error.response, error.operation_name) from None
            raise

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        policies = ", ".join(self.policies) or _("no policies")
        return f"Role({self.name!r}: {policies})"
