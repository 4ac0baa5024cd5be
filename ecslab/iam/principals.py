"""Who is calling, and does a policy's ``Principal`` element name them?

AWS identifies a caller by several identities at once: an assumed-role session is also its role
and its account. A ``Principal`` element may name any of them, and *which one* it names matters:

- the session ARN or an IAM user ARN grants that principal directly;
- a role ARN grants the role's sessions, still limited by their permissions boundary and session
  policy;
- an account (``"123456789012"`` or ``arn:aws:iam::123456789012:root``) names the *account*: it
  delegates to that account's identity-based policies and grants none of its principals by itself;
- ``"*"`` is everyone, anonymous callers included.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# How strongly a Principal element names the caller; higher wins when several statements match.
ACCOUNT = 1  # delegation to the account's identity-based policies
ROLE = 2  # the role ARN: limited by the session's permissions boundary and session policy
DIRECT = 3  # the session ARN, the user ARN, a service, "*": granted directly

MATCH_WORDS = {
    ACCOUNT: "names the account (delegates to its identity-based policies)",
    ROLE: "names the role",
    DIRECT: "names the caller directly",
}

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:([^:]*):(iam|sts)::(\d{12}):(.*)$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal making a request, as the judge understands it."""

    arn: str
    kind: str  # AssumedRole, Role, User, Root, FederatedUser, Service, Anonymous, Unknown
    account: str | None = None
    partition: str = "aws"
    name: str | None = None  # role name, user name, session's role name
    session: str | None = None

    @property
    def role_arn(self) -> str | None:
        if self.kind in ("AssumedRole", "Role") and self.account and self.name:
            return f"arn:{self.partition}:iam::{self.account}:role/{self.name}"
        return None

    @property
    def root_arn(self) -> str | None:
        return f"arn:{self.partition}:iam::{self.account}:root" if self.account else None

    @property
    def is_aws_service(self) -> bool:
        return self.kind == "Service"

    @property
    def has_identity_policies(self) -> bool:
        """Services, federated web identities and anonymous callers carry no IAM policies."""
        return self.kind in ("AssumedRole", "Role", "User", "Root", "FederatedUser")

    def context_keys(self) -> dict[str, str]:
        """The global condition keys AWS derives from the caller (lower-cased names)."""
        keys: dict[str, str] = {}
        if self.kind == "Service":
            keys["aws:principalservicename"] = self.arn
            keys["aws:principalisawsservice"] = "true"
            return keys
        keys["aws:principalisawsservice"] = "false"
        if self.kind == "Anonymous":
            keys["aws:principaltype"] = "Anonymous"
            return keys
        if self.account:
            keys["aws:principalaccount"] = self.account
        principal_arn = {"AssumedRole": self.role_arn, "Root": self.root_arn}.get(
            self.kind, self.arn
        )
        if principal_arn:
            keys["aws:principalarn"] = principal_arn
        principal_type = {
            "AssumedRole": "AssumedRole",
            "Role": "AssumedRole",
            "User": "User",
            "Root": "Account",
            "FederatedUser": "FederatedUser",
        }.get(self.kind)
        if principal_type:
            keys["aws:principaltype"] = principal_type
        if self.kind == "User" and self.name:
            keys["aws:username"] = self.name
        return keys


@lru_cache(maxsize=4096)
def parse_caller(principal: str) -> Caller:
    """Understand a principal string: an ARN, a service name, ``*`` or ``anonymous``."""
    if principal in ("*", "anonymous", ""):
        return Caller(principal or "anonymous", "Anonymous")
    if _SERVICE.match(principal):
        return Caller(principal, "Service")
    found = _ARN.match(principal)
    if not found:
        return Caller(principal, "Unknown")
    partition, service, account, rest = found.groups()
    kind_and_name: tuple[str, str | None, str | None]
    if service == "sts" and rest.startswith("assumed-role/"):
        parts = rest.split("/")
        role = parts[1] if len(parts) > 1 else None
        session = "/".join(parts[2:]) or None
        kind_and_name = ("AssumedRole", role, session)
    elif service == "sts" and rest.startswith("federated-user/"):
        kind_and_name = ("FederatedUser", rest.split("/", 1)[1], None)
    elif service == "iam" and rest == "root":
        kind_and_name = ("Root", None, None)
    elif service == "iam" and rest.startswith("role/"):
        kind_and_name = ("Role", rest.rsplit("/", 1)[-1], None)
    elif service == "iam" and rest.startswith("user/"):
        kind_and_name = ("User", rest.rsplit("/", 1)[-1], None)
    else:
        kind_and_name = ("Unknown", None, None)
    kind, name, session = kind_and_name
    return Caller(principal, kind, account, partition, name, session)


# -- the Principal element -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrincipalName:
    """One value of a ``Principal`` element, understood."""

    key: str  # AWS, Service, Federated, CanonicalUser, or "*" for the bare wildcard
    value: str
    kind: str  # everyone, account, role, session, user, federated-user, service, other
    account: str | None = None
    name: str | None = None

    def match(self, caller: Caller) -> int:
        """0 when this value does not name the caller, else ACCOUNT, ROLE or DIRECT."""
        kind = self.kind
        if kind == "everyone":
            return DIRECT
        if kind == "service":
            return DIRECT if caller.kind == "Service" and caller.arn == self.value else 0
        if kind == "account":
            if caller.account == self.account and caller.has_identity_policies:
                return DIRECT if caller.kind == "Root" else ACCOUNT
            return 0
        if kind == "role":
            if (
                caller.kind in ("AssumedRole", "Role")
                and caller.account == self.account
                and caller.name == self.name
            ):
                return ROLE
            return 0
        # session, user, federated user, and anything else: the exact ARN or value.
        return DIRECT if caller.arn == self.value else 0


def understand_principal_value(key: str, value: str) -> PrincipalName:
    """Classify one value; raise ``ValueError`` with IAM's wording when it cannot be a principal."""
    if key == "AWS":
        if value == "*":
            return PrincipalName(key, value, "everyone")
        if _ACCOUNT_ID.match(value):
            return PrincipalName(key, value, "account", account=value)
        found = _ARN.match(value)
        if not found:
            raise ValueError(value)
        _partition, service, account, rest = found.groups()
        if service == "iam" and rest == "root":
            return PrincipalName(key, value, "account", account=account)
        if service == "iam" and rest.startswith("role/") and len(rest) > 5:
            return PrincipalName(key, value, "role", account, rest.rsplit("/", 1)[-1])
        if service == "iam" and rest.startswith("user/") and len(rest) > 5:
            return PrincipalName(key, value, "user", account, rest.rsplit("/", 1)[-1])
        if service == "sts" and rest.startswith("assumed-role/") and rest.count("/") >= 2:
            return PrincipalName(key, value, "session", account, rest.split("/")[1])
        if service == "sts" and rest.startswith("federated-user/"):
            return PrincipalName(key, value, "federated-user", account)
        raise ValueError(value)
    if key == "Service":
        if value == "*":
            return PrincipalName(key, value, "everyone")
        return PrincipalName(key, value, "service")
    return PrincipalName(key, value, "other")


def caller_identities(caller: Caller) -> tuple[PrincipalName, ...]:
    """Every identity the caller has, for ``NotPrincipal`` (session, role, account...)."""
    out: list[PrincipalName] = []
    if caller.kind == "Service":
        out.append(PrincipalName("Service", caller.arn, "service"))
    elif caller.kind in ("Anonymous", "Unknown"):
        out.append(PrincipalName("AWS", caller.arn, "other"))
    else:
        out.append(PrincipalName("AWS", caller.arn, "other"))
        if caller.role_arn and caller.kind == "AssumedRole":
            out.append(PrincipalName("AWS", caller.role_arn, "role", caller.account, caller.name))
        if caller.account and caller.kind != "Root":
            out.append(PrincipalName("AWS", caller.account, "account", account=caller.account))
    return tuple(out)


def names_identity(names: tuple[PrincipalName, ...], identity: PrincipalName) -> bool:
    """Does a ``NotPrincipal`` list name this one identity of the caller?"""
    for name in names:
        if name.kind == "everyone":
            return True
        if identity.kind == "account":
            if name.kind == "account" and name.account == identity.account:
                return True
        elif identity.kind == "role":
            if name.kind == "role" and (name.account, name.name) == (
                identity.account,
                identity.name,
            ):
                return True
        elif name.value == identity.value:
            return True
    return False
