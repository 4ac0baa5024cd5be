"""Cells that several notebook sources share (imported by ``tools/notebooks/NN_slug.py``)."""

from __future__ import annotations


def exercise(key: str, var: str = "ex", prompt: str = "# Your code here", split: bool = False):
    """The cells of one exercise: load it, the learner's cell, ``check()``, then ``hint()`` and
    ``solution()`` commented out (in one cell, or in two with ``split``)."""
    cells = [
        ("code", f'{var} = lab.exercise("{key}")\n{var}'),
        ("code", f"{prompt}\n"),
        ("code", f"{var}.check()"),
    ]
    if split:
        return [*cells, ("code", f"# {var}.hint()"), ("code", f"# {var}.solution()")]
    return [*cells, ("code", f"# {var}.hint()\n# {var}.solution()")]
