"""The notebooks' own exercises, one module per notebook (``nbNN``), each adding its
:class:`~ecslab.coach.exercises.Spec` entries to :data:`~ecslab.coach.exercises.EXERCISES`.

A module here defines check functions that read the lab (``ex.last_task()``, ``ex.touched(role)``,
``grants(lab, role, action, resource)``, ``granted(lab, role)``, and ``wider_than_needed(ex, role,
needed, who)`` for "and nothing more") and returns problems in words that say what is wrong, never
how to fix it; every Spec has graded hints, a solution and a plausible wrong answer
(``tests/coach/test_exercises.py`` runs all three for every exercise, and wrong answers that once
passed).

Every text a learner reads is marked for the catalog (:mod:`ecslab.i18n`): a Spec's task, hints,
praise (and a solution with prose in it: a comment, a printed text) with ``N_("...")``, which the
exercise translates where it shows them; a check's problems with ``_("...").format(...)``; a text
handed to a shared check (``who``, ``why``) with ``N_``. A problem saying that a role not at fault
was changed is a :class:`~ecslab.coach.exercises.RoleChanged` (``untouched`` makes one), so that
the hint about where the learner stands finds it in every language.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("nb"):
        importlib.import_module(f"{__name__}.{_module.name}")
