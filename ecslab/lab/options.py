"""The options :meth:`Lab.run_task` and :meth:`Lab.plan` share, checked the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecslab.cloud.mistakes import ArgumentTypeError
from ecslab.i18n import _


@dataclass(frozen=True)
class RunOptions:
    launch_type: str
    enable_execute_command: bool
    as_deployer: bool


def run_options(launch_type: Any, enable_execute_command: Any, as_deployer: Any) -> RunOptions:
    """The options, or the learner's mistake in the words :meth:`Lab.run_task` uses."""
    if launch_type not in ("FARGATE", "EC2"):
        raise ValueError(
            _('launch_type is "FARGATE" or "EC2" (what ecslab simulates), not {value}').format(
                value=repr(launch_type)
            )
        )
    if not isinstance(as_deployer, bool):
        raise ArgumentTypeError(
            _("as_deployer must be True or False, not {kind}").format(
                kind=type(as_deployer).__name__
            )
        )
    if not isinstance(enable_execute_command, bool):
        raise ArgumentTypeError(
            _("enable_execute_command must be True or False, not {kind}").format(
                kind=type(enable_execute_command).__name__
            )
        )
    return RunOptions(launch_type, enable_execute_command, as_deployer)
