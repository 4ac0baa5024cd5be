"""AWS managed policies: the real documents, looked up by name or ARN.

The documents come from the copy moto bundles (see tools/extract_managed_policies.py). The ones
the course uses are read on first use; every other AWS managed policy is in a compressed file read
only when someone asks for one of them. An unknown name is an error that suggests the closest
names.

>>> managed_policy("AmazonECSTaskExecutionRolePolicy").arn
'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'
"""

from __future__ import annotations

import copy
import difflib
import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ecslab.i18n import _
from ecslab.iam.mistakes import LearnerMistake
from ecslab.iam.policy import Policy, parse_policy

_ARN_PREFIX = "arn:aws:iam::aws:policy"


class UnknownManagedPolicy(LearnerMistake, LookupError, ValueError):
    """No AWS managed policy has this name or ARN. ``suggestions`` holds the closest names."""

    def __init__(self, asked: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        self.asked = asked
        self.suggestions = suggestions
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ManagedPolicy:
    """One AWS managed policy: its name, ARN, default version and document."""

    name: str
    arn: str
    path: str
    version_id: str | None
    updated: str | None
    document: dict[str, Any] = field(repr=False)

    @property
    def policy(self) -> Policy:
        """The document, parsed and compiled (cached)."""
        return _parsed(self.name)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.document, indent=indent)


@cache
def _course() -> dict[str, dict[str, Any]]:
    text = resources.files("ecslab.iam").joinpath("data/managed_policies.json").read_text("utf-8")
    return json.loads(text)["policies"]


@cache
def _everything() -> dict[str, dict[str, Any]]:
    raw = resources.files("ecslab.iam").joinpath("data/managed_policies_all.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))["policies"]


@cache
def _parsed(name: str) -> Policy:
    return parse_policy(managed_policy(name).document, "identity", name)


@cache
def _names() -> frozenset[str]:
    """Every AWS managed policy's name (a small file: the catalog loads only when needed)."""
    names = resources.files("ecslab.iam").joinpath("data/managed_policy_names.txt")
    return frozenset(names.read_text("utf-8").split())


def course_policy_names() -> tuple[str, ...]:
    """The managed policies the course uses, in a stable order."""
    return tuple(sorted(_course()))


def all_policy_names() -> tuple[str, ...]:
    """Every AWS managed policy name known to ecslab."""
    return tuple(sorted(_names()))


def _entry(name: str) -> dict[str, Any] | None:
    if name in _course():
        return _course()[name]
    return _everything()[name] if name in _names() else None


def managed_policy(name_or_arn: str) -> ManagedPolicy:
    """Find an AWS managed policy by name (``"CloudWatchLogsFullAccess"``) or ARN."""
    if not isinstance(name_or_arn, str) or not name_or_arn.strip():
        raise UnknownManagedPolicy(
            str(name_or_arn),
            _(
                "Give an AWS managed policy name such as 'AmazonECSTaskExecutionRolePolicy' or "
                "its ARN, not {asked}"
            ).format(asked=repr(name_or_arn)),
        )
    asked = name_or_arn.strip()
    if asked.startswith("arn:"):
        entry = _by_arn(asked)
    else:
        entry = _entry(asked)
        if entry is None:
            _raise_unknown(asked)
    assert entry is not None
    return ManagedPolicy(
        entry["name"],
        entry["arn"],
        entry["path"],
        entry.get("version_id"),
        entry.get("updated"),
        copy.deepcopy(entry["document"]),  # the catalog's own copy is never handed out
    )


def _by_arn(arn: str) -> dict[str, Any]:
    if not arn.startswith(_ARN_PREFIX + "/"):
        account = arn.split(":")[4] if arn.count(":") >= 5 else "?"
        message = _(
            "{arn} is not an AWS managed policy ARN: those look like '{prefix}/NAME' "
            "(account 'aws')."
        ).format(arn=arn, prefix=_ARN_PREFIX)
        if account.isdigit():
            message += _(" A policy in account {account} is a customer managed policy.").format(
                account=account
            )
        raise UnknownManagedPolicy(arn, message)
    name = arn.rsplit("/", 1)[-1]
    entry = _entry(name)
    if entry is None:
        _raise_unknown(arn, name)
    assert entry is not None
    if entry["arn"] != arn:
        raise UnknownManagedPolicy(
            arn,
            # IAM's NoSuchEntity text, then ecslab's note beside it
            f"Policy {arn} does not exist or is not attachable. "
            + _("The policy {name} has the ARN {arn} (its path is {path}).").format(
                name=name, arn=entry["arn"], path=entry["path"]
            ),
            (entry["arn"],),
        )
    return entry


def _raise_unknown(asked: str, name: str | None = None) -> None:
    name = name or asked
    names = sorted(_names())
    lowered = {n.lower(): n for n in names}
    if name.lower() in lowered:
        right = lowered[name.lower()]
        raise UnknownManagedPolicy(
            asked,
            _(
                "No AWS managed policy is named {name}; names are case-sensitive: did you mean "
                "{right}?"
            ).format(name=repr(name), right=repr(right)),
            (right,),
        )
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    # Prefer the course's own policies when they are about as close.
    course = difflib.get_close_matches(name, list(_course()), n=3, cutoff=0.6)
    suggestions = tuple(dict.fromkeys(course + close))[:3]
    message = _("No AWS managed policy is named {name}.").format(name=repr(name))
    if suggestions:
        message += _(" Did you mean: {names}?").format(names=", ".join(suggestions))
    raise UnknownManagedPolicy(asked, message, suggestions)
