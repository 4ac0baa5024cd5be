"""The course's broken setups, as the notebooks import them (``from ecslab.scenarios import load``).

They live in :mod:`ecslab.coach.scenarios`, with everything else that drives a lab as a notebook
does; this module is part of the small public surface, like :mod:`ecslab` itself.
"""

from ecslab.coach.scenarios import SCENARIOS, Scenario, load

__all__ = ["SCENARIOS", "Scenario", "load"]
