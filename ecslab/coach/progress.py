"""Progress for the instructor (issue 17): each exercise's ``check()`` records its result, and an
instructor reads a class's records as a table and a chart.

What is recorded, and only that: the exercise's key (``02-fix-the-pull``), the result
(``correct``, ``not yet``, ``not attempted``) and when (UTC, to the second), one JSON line per
check, appended to ``~/.ecslab/progress.jsonl`` in the learner's own home (``ECSLAB_PROGRESS_FILE``
names another file; ``ECSLAB_PROGRESS=off`` records nothing). No name, no code, no lab state:
on a JupyterHub the learner is the home folder the file is in. A home that cannot be written
(a read-only Binder) records nothing and the check works as before.

``ecslab progress <folder of homes>`` (or :func:`class_progress`) reads
``<folder>/<learner>/.ecslab/progress.jsonl`` for every learner: who passed what (✓ passed,
· tried, blank never checked), in the course's order, each learner's last check, and a bar chart
of how many passed each exercise (SVG, with the table as its text equivalent).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from ecslab.i18n import _

FILE = Path(".ecslab") / "progress.jsonl"
PASSED, TRIED = "✓", "·"


def progress_file() -> Path | None:
    """Where this learner's checks are recorded, or None when recording is off."""
    if os.environ.get("ECSLAB_PROGRESS", "").lower() in ("off", "0", "no", "false"):
        return None
    named = os.environ.get("ECSLAB_PROGRESS_FILE")
    return Path(named) if named else Path.home() / FILE


def record(exercise: str, result: str, now: datetime | None = None) -> None:
    """Append one check's result; never raises (a read-only home records nothing)."""
    path = progress_file()
    if path is None:
        return
    when = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = json.dumps({"exercise": exercise, "result": result, "at": when})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError:
        return


@dataclass
class ClassProgress:
    """A class's progress: ``table`` (a pandas DataFrame, learners × exercises), ``chart()``."""

    table: Any
    passed: dict[str, int]  # exercise → learners who passed it
    learners: int

    def chart(self) -> str:
        """A bar chart (SVG) of how many learners passed each exercise; the table says the
        same in text."""
        width, bar, gap, left = 560, 18, 6, 190
        rows = list(self.passed.items())
        height = 40 + len(rows) * (bar + gap)
        most = max(self.learners, 1)
        title = _("Learners who passed each exercise ({count} learners)").format(
            count=self.learners
        )
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
            f'<text x="4" y="18" font-family="sans-serif" font-size="14">{escape(title)}</text>',
        ]
        for index, (key, count) in enumerate(rows):
            y = 30 + index * (bar + gap)
            length = (width - left - 60) * count / most
            parts += [
                f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end" '
                f'font-family="monospace" font-size="12">{escape(key)}</text>',
                f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="#1f77b4" '
                'stroke="#000" stroke-width="0.5"/>',
                f'<text x="{left + length + 6:.1f}" y="{y + bar - 5}" font-family="sans-serif" '
                f'font-size="12">{count}</text>',
            ]
        parts.append("</svg>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.table.to_html() + self.chart()

    def __str__(self) -> str:
        return self.table.to_string()


def _records(path: Path) -> list[dict[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a full disk: skipped, the others still count
        if isinstance(entry, dict) and {"exercise", "result", "at"} <= set(entry):
            found.append({k: str(entry[k]) for k in ("exercise", "result", "at")})
    return found


def class_progress(homes: str | Path) -> ClassProgress:
    """Every learner's records under ``homes`` (a folder of home folders, as JupyterHub's local
    spawner makes them: ``/home/<learner>``)."""
    import pandas as pd

    import ecslab.coach.lessons  # noqa: F401 - the notebooks' exercises register themselves
    from ecslab.coach.exercises import EXERCISES

    folder = Path(homes)
    if not folder.is_dir():
        raise ValueError(_("{folder}: not a folder of learners' homes").format(folder=folder))
    rows: dict[str, dict[str, str]] = {}
    for home in sorted(p for p in folder.iterdir() if p.is_dir()):
        path = home / FILE
        if not path.is_file():
            continue
        try:
            records = _records(path)
        except OSError:
            continue
        row: dict[str, str] = {}
        for entry in records:
            mark = PASSED if entry["result"] == "correct" else TRIED
            if row.get(entry["exercise"]) != PASSED:
                row[entry["exercise"]] = mark
        row[_("last check")] = max((e["at"] for e in records), default="")
        rows[home.name] = row
    keys = [k for k in EXERCISES if any(k in row for row in rows.values())]
    keys += sorted({k for row in rows.values() for k in row} - set(keys) - {_("last check")})
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[*keys, _("last check")])
    table = table.fillna("")
    table.index.name = _("learner")
    passed = {key: int((table[key] == PASSED).sum()) for key in keys}
    return ClassProgress(table, passed, len(rows))
