"""The notebooks' own exercises, one module per notebook (``nbNN``), each adding its
:class:`~ecslab.coach.exercises.Spec` entries to :data:`~ecslab.coach.exercises.EXERCISES`.

A module here defines check functions that read the lab (``ex.last_task()``, ``ex.touched(role)``,
``grants(lab, role, action, resource)``, ``granted(lab, role)``, and ``wider_than_needed(ex, role,
needed, who)`` for "and nothing more") and returns problems in words that say what is wrong, never
how to fix it; every Spec has graded hints, a solution and a plausible wrong answer
(``tests/coach/test_exercises.py`` runs all three for every exercise, and wrong answers that once
passed).
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("nb"):
        importlib.import_module(f"{__name__}.{_module.name}")
