"""Errors that are the learner's mistake (a typo in a policy, an unknown managed policy, a
malformed Terraform file) are shown in Jupyter without ecslab's own frames.

IPython shows an exception through its ``_render_traceback_()`` when it has one (the hook
ipyparallel's remote errors use; IPython.core.interactiveshell.InteractiveShell.showtraceback).
:class:`LearnerMistake` renders the frames of the learner's own code — their cells and files —
followed by the error and its message, and leaves out the frames inside ecslab, the standard
library and installed packages, which would only bury the line that needs fixing. Outside IPython
nothing changes: Python's own traceback is printed in full. It lives beside the IAM judge, which
imports nothing else from ecslab, because the judge's own errors are learner mistakes too.
"""

from __future__ import annotations

import linecache
import os
import sysconfig
import traceback
from pathlib import Path

_RULE = "-" * 75
_PACKAGE = str(Path(__file__).resolve().parents[1]) + os.sep  # all of ecslab, not only the judge
_INSTALLED = tuple(
    {
        str(Path(path).resolve()) + os.sep
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (path := sysconfig.get_paths().get(key))
    }
)


def _ours(filename: str) -> bool:
    try:
        resolved = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return resolved.startswith(_PACKAGE) or resolved.startswith(_INSTALLED)


def learners_code(filename: str) -> bool:
    """Whether code compiled from ``filename`` is the learner's own (a notebook cell, their
    script): outside ecslab, the standard library and installed packages."""
    return not _ours(filename)


def cell_label(filename: str) -> str:
    """IPython's "Cell In[5]" for a cell's code, else the file's name."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        number = shell.compile._filename_map.get(filename) if shell else None
    except (ImportError, AttributeError):
        number = None
    return f"Cell In[{number}]" if number is not None else f"File {filename}"


class LearnerMistake(Exception):
    """Mixed into ecslab's errors about what the learner wrote (see the module docstring)."""

    shown_as: str | None = None
    """The name shown before the message, when not the class's (``TypeError``)."""

    def _render_traceback_(self) -> list[str]:
        name = self.shown_as or type(self).__name__
        lines = [_RULE, f"{name:<42}Traceback (most recent call last)"]
        for frame in traceback.extract_tb(self.__traceback__):
            if not learners_code(frame.filename):
                continue
            source = linecache.getline(frame.filename, frame.lineno).rstrip() or frame.line
            within = "" if frame.name == "<module>" else f", in {frame.name}()"
            lines.append(f"{cell_label(frame.filename)}, line {frame.lineno}{within}")
            if source:
                lines.append(f"----> {frame.lineno} {source.strip()}")
            lines.append("")
        lines.append(f"{name}: {self}")
        return lines
