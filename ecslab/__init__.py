"""ecslab: see which IAM role Amazon ECS uses when, in a simulated AWS account.

The task execution role is used by the ECS agent while it launches a task; the task role is used
by the application inside the container. ecslab lets a learner watch both happen.

>>> from ecslab import Lab   # doctest: +SKIP
>>> lab = Lab()              # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecslab.i18n import set_language

__version__ = "0.1.0"
__all__ = ["Lab", "diagnose", "evaluate", "preflight", "set_language"]

if TYPE_CHECKING:
    from ecslab.coach.diagnose import diagnose
    from ecslab.coach.preflight import preflight
    from ecslab.iam import evaluate
    from ecslab.lab import Lab


def __getattr__(name: str) -> Any:
    # Imported on first use: ``import ecslab.iam`` must not pull in moto and boto3.
    if name == "Lab":
        from ecslab.lab import Lab

        return Lab
    if name == "diagnose":
        from ecslab.coach.diagnose import diagnose

        return diagnose
    if name == "evaluate":
        from ecslab.iam import evaluate

        return evaluate
    if name == "preflight":
        from ecslab.coach.preflight import preflight

        return preflight
    raise AttributeError(f"module 'ecslab' has no attribute {name!r}")
