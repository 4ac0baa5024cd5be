"""``Lab``: a fresh simulated AWS account for the course, safe to create again and again.

>>> lab = Lab()                       # doctest: +SKIP
>>> lab.client("s3").list_buckets()   # as the account's administrator, through the gate
>>> lab.task_role.policies
>>> lab.trace.to_frame()

Creating a lab closes the one before it; ``with Lab() as lab:`` closes it at the end of the block,
``lab.close()`` at any time. While a lab is open, real AWS credentials in the environment are set
aside (and given back on close), and plain ``boto3.client(...)`` acts as the lab's administrator.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ecslab.cloud.course import EXECUTION_ROLE, TASK_ROLE, CourseResources, build
from ecslab.cloud.roles import Role
from ecslab.cloud.trace import Trace
from ecslab.cloud.world import World


class Lab:
    """The course's simulated AWS account (account 123456789012, region ap-northeast-1)."""

    def __init__(self) -> None:
        self._world = World().open()
        try:
            self._world.add_learner()
            self.resources: CourseResources = build(self._world)
        except BaseException:
            self._world.close()
            raise
        self.execution_role = Role(self, EXECUTION_ROLE)
        self.task_role = Role(self, TASK_ROLE)

    # -- the account -----------------------------------------------------------------------------

    @property
    def account_id(self) -> str:
        return self._world.account.account_id

    @property
    def region(self) -> str:
        return self._world.account.region

    @property
    def trace(self) -> Trace:
        """Every call made in this lab, in order (setup included)."""
        return self._world.trace

    @property
    def clock(self):
        return self._world.clock

    @property
    def world(self) -> World:
        return self._world

    @property
    def is_open(self) -> bool:
        return self._world.is_open

    def client(self, service: str) -> Any:
        """A boto3 client acting as you, the account's administrator."""
        self._require_open()
        keys = self._world.learner_keys
        assert keys is not None
        return self._world.client(*keys, service)

    def role(self, name: str) -> Role:
        """Any role in the account, by name."""
        self._require_open()
        return Role(self, name)

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """End the simulation and give the environment back as it was."""
        self._world.close()

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _require_open(self) -> None:
        if not self._world.is_open:
            raise RuntimeError(
                "This lab is closed (a newer Lab() replaces the one before it). "
                "Create a new one with lab = Lab()."
            )

    # -- display ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return (
            f"Lab(account {self.account_id}, region {self.region}, {state}, "
            f"{len(self.trace)} calls traced)"
        )

    def _repr_html_(self) -> str:
        r = self.resources
        rows = [
            ("ECS cluster", r.cluster),
            ("Image", r.image),
            ("Log group", r.log_group),
            ("Injected secret", r.db_secret),
            ("Injected parameter", f"{r.parameter} (SecureString, {r.key_alias})"),
            ("Runtime secret", r.api_key_secret),
            ("Config object", f"s3://{r.bucket}/{r.config_key}"),
            ("DynamoDB table", r.table),
            ("SQS queue", r.queue_url.rsplit("/", 1)[-1]),
            ("SNS topic", r.topic_arn.rsplit(":", 1)[-1]),
            ("Task execution role", self.execution_role.name),
            ("Task role", self.task_role.name),
        ]
        cell = "<tr><th style='text-align:left'>{}</th><td><code>{}</code></td></tr>"
        body = "".join(cell.format(escape(k), escape(v)) for k, v in rows)
        return f"<p><strong>{escape(repr(self))}</strong></p><table>{body}</table>"
