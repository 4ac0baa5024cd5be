"""Every cell is safe to re-run, as notebook 01 promises: run each code cell twice in a row (the
way a learner presses Shift+Enter again) and no cell fails the second time that did not fail the
first. Cells tagged ``raises-exception`` fail both times; the others never."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))  # both editions (ja/)


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


CELL_SECONDS = 120


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_each_cell_twice_in_a_row(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_SECONDS,
        kernel_name="python3",
        allow_errors=True,  # judged below, cell by cell
        resources={"metadata": {"path": str(path.parent)}},
    )
    failures = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            expected = "raises-exception" in cell.metadata.get("tags", [])
            for time in ("first", "second"):
                client.execute_cell(cell, index)
                errors = [o for o in cell.outputs if o["output_type"] == "error"]
                if expected and not errors:
                    failures.append(f"cell {index} ({time} run) is tagged but did not fail")
                elif errors and not expected:
                    error = errors[0]
                    failures.append(
                        f"cell {index} ({time} run): {error['ename']}: {error['evalue'][:200]}"
                    )
    assert not failures, f"{path.name}:\n" + "\n".join(failures)
