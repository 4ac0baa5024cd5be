"""Cells that stand alone, as a learner uses them: one who opens a notebook, runs its first cell
and then jumps to the experiment they came for, and one who comes back to an exercise after
"Run All" or does the exercises out of order.

- Each teaching cell (every code cell before the notebook's first exercise) is run in a kernel
  where only the notebook's first cell ran before it. It must not fail (unless tagged
  ``raises-exception``) and must show what it shows in the committed notebook, read with the
  ids, numbers and pictures left out: a cell that relied on an earlier cell's change would show
  another outcome (a healthy task where a broken one is taught).
- After "Run All", each exercise is done again, from the last to the first: its first cell, its
  solution, its check, which must say "✓ Correct." (in the notebook's language).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import ecslab.coach.lessons  # noqa: F401 — register the notebooks' exercises
from ecslab.coach.exercises import EXERCISES, variable_of

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))  # both editions (ja/)


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


CELL_SECONDS = 120
EXERCISE = re.compile(r'^(\w+) = lab\.exercise\("([\w-]+)"\)', re.M)
# What differs by design between a cell run alone and run in order: ids and hashes, numbers
# (times, counts, positions in the trace), pictures.
_MASKS = (
    (re.compile(r"(?s)<svg\b.*?</svg>"), "<svg/>"),
    (re.compile(r"\b[0-9a-f]{8,}\b"), "<id>"),
    (re.compile(r"\d+"), "0"),
)


def _shown(outputs: list) -> str:
    """What a cell shows, as text, without what differs by design."""
    parts = []
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            text = output["text"]
        elif kind == "error":
            text = f"{output['ename']}: {output['evalue']}"
        else:
            text = output.get("data", {}).get("text/plain", "")
        for pattern, replacement in _MASKS:
            text = pattern.sub(replacement, text)
        parts.append(text)
    return "".join(parts)


def _client(notebook, path: Path) -> NotebookClient:
    return NotebookClient(
        notebook,
        timeout=CELL_SECONDS,
        kernel_name="python3",
        allow_errors=True,  # judged below, cell by cell
        resources={"metadata": {"path": str(path.parent)}},
    )


def _code(notebook) -> list[int]:
    return [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]


def _teaching(notebook) -> list[int]:
    """Code cells after the first and before the first exercise."""
    cells = _code(notebook)
    first_exercise = next(
        (i for i in cells if EXERCISE.search(notebook.cells[i].source)), len(notebook.cells)
    )
    return [i for i in cells[1:] if i < first_exercise]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_each_teaching_cell_after_only_the_first_cell(path: Path) -> None:
    committed = nbformat.read(path, as_version=4)
    notebook = copy.deepcopy(committed)
    first = _code(notebook)[0]
    forget = nbformat.v4.new_code_cell("%reset -f")
    failures = []
    client = _client(notebook, path)
    with client.setup_kernel():
        for index in _teaching(notebook):
            client.execute_cell(forget, 0)
            client.execute_cell(notebook.cells[first], first)
            cell = notebook.cells[index]
            client.execute_cell(cell, index)
            tagged = "raises-exception" in cell.metadata.get("tags", [])
            errors = [o for o in cell.outputs if o["output_type"] == "error"]
            head = cell.source.strip().splitlines()[0][:70]
            if errors and not tagged:
                error = errors[0]
                failures.append(f"cell {index} ({head}): {error['ename']}: {error['evalue']}")
            elif _shown(cell.outputs) != _shown(committed.cells[index].outputs):
                failures.append(f"cell {index} ({head}) shows something else than in order")
    assert not failures, f"{path.name}:\n" + "\n".join(failures)


def _exercises(notebook) -> list[tuple[str, str, int, int]]:
    """(variable, key, first cell, check cell) of each exercise, in the notebook's order."""
    found = []
    for index in _code(notebook):
        match = EXERCISE.search(notebook.cells[index].source)
        if match:
            variable, key = match.groups()
            check = next(
                i
                for i in _code(notebook)
                if i > index and notebook.cells[i].source.strip() == f"{variable}.check()"
            )
            found.append((variable, key, index, check))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_each_exercise_after_run_all_and_out_of_order(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    exercises = _exercises(notebook)
    if not exercises:
        pytest.skip("no exercise in this notebook")
    failures = []
    client = _client(notebook, path)
    with client.setup_kernel():
        for index in _code(notebook):
            client.execute_cell(notebook.cells[index], index)
        for variable, key, first, check in reversed(exercises):
            assert variable_of(key) == variable, f"{key} is {variable} in {path.name}"
            client.execute_cell(notebook.cells[first], first)
            client.execute_cell(nbformat.v4.new_code_cell(EXERCISES[key].solution), 0)
            cell = notebook.cells[check]
            client.execute_cell(cell, check)
            shown = _shown(cell.outputs)
            if not shown.lstrip().startswith("✓"):  # ✓ Correct. / ✓ 正解です。
                failures.append(f"{key}: {shown[:300]}")
    assert not failures, f"{path.name}:\n" + "\n".join(failures)
