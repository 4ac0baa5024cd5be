"""Who holds which credentials: access key → principal, as AWS identifies callers.

AWS knows who is calling from the access key a request is signed with. So does the gate: every
call's signing credentials are looked up here. The lab registers the keys it hands out (the
learner's, the account root used for setting up, the ECS service's), and every successful
``sts:AssumeRole`` through the gate registers the session it created, labelled with who asked for
it ("ECS agent", "orders app"). Keys created by the learner in IAM are found in moto's stores.
Secret access keys and session tokens are never stored here, never traced and never printed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ecslab.cloud.account import Account


@dataclass(frozen=True)
class Principal:
    """A caller as the gate sees it.

    ``arn`` is what AWS puts in error messages and logs (the session ARN for a role session);
    ``label`` says who it is in words; ``phase`` is the phase its calls belong to unless the code
    making them says otherwise; ``context`` holds request-context keys its calls always carry
    (a service's ``aws:SourceAccount`` and ``aws:SourceArn``).
    """

    arn: str
    label: str
    kind: str  # "user", "assumed-role", "root", "service"
    account: str
    name: str | None = None  # user name or role name
    session: str | None = None
    phase: str | None = None
    task: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    session_policy: str | None = None

    @property
    def role(self) -> str | None:
        return self.name if self.kind == "assumed-role" else None


@dataclass(frozen=True)
class SessionLabel:
    """How to label the next role session created through the gate."""

    label: str
    phase: str | None = None
    task: str | None = None


_NEXT_SESSION: contextvars.ContextVar[SessionLabel | None] = contextvars.ContextVar(
    "ecslab_next_session", default=None
)
# Every access key any lab has handed out. When no lab is open, the gate refuses calls signed
# with one of them, so a client left over from a closed lab can never reach the real AWS.
ISSUED_KEYS: set[str] = set()


class Identities:
    """The lab's access-key registry."""

    def __init__(self, account: Account) -> None:
        self._account = account
        self._by_key: dict[str, Principal] = {}

    def register(self, access_key_id: str, principal: Principal) -> Principal:
        self._by_key[access_key_id] = principal
        ISSUED_KEYS.add(access_key_id)
        return principal

    def forget(self, access_key_id: str) -> None:
        self._by_key.pop(access_key_id, None)

    @contextmanager
    def labelled(
        self, label: str, phase: str | None = None, task: str | None = None
    ) -> Iterator[None]:
        """Sessions created by ``sts:AssumeRole`` inside this block carry this label."""
        token = _NEXT_SESSION.set(SessionLabel(label, phase, task))
        try:
            yield
        finally:
            _NEXT_SESSION.reset(token)

    def register_session(
        self,
        access_key_id: str,
        session_arn: str,
        role_name: str,
        session_name: str,
        session_policy: str | None = None,
    ) -> Principal:
        """Called by the gate after a successful AssumeRole."""
        pending = _NEXT_SESSION.get()
        label = pending.label if pending else f"session {session_name} of {role_name}"
        return self.register(
            access_key_id,
            Principal(
                arn=session_arn,
                label=label,
                kind="assumed-role",
                account=self._account.account_id,
                name=role_name,
                session=session_name,
                phase=pending.phase if pending else None,
                task=pending.task if pending else None,
                session_policy=session_policy,
            ),
        )

    def resolve(self, access_key_id: str | None) -> Principal | None:
        """The principal behind an access key, or None when AWS would not know the key."""
        if not access_key_id:
            return None
        found = self._by_key.get(access_key_id)
        if found is not None:
            return found
        user = self._account.user_for_access_key(access_key_id)
        if user is not None:
            return self.register(
                access_key_id,
                Principal(
                    user.arn,
                    f"IAM user {user.name}",
                    "user",
                    self._account.account_id,
                    name=user.name,
                ),
            )
        assumed = self._account.assumed_role_for_access_key(access_key_id)
        if assumed is not None:
            role_name = assumed.role_arn.rsplit("/", 1)[-1]
            return self.register_session(
                access_key_id, assumed.arn, role_name, assumed.session_name, assumed.policy
            )
        return None
