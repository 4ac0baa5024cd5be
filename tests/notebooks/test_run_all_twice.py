"""Every notebook survives "Run All" twice in the same kernel, as a learner's second pass does.

The first code cell of each notebook builds a fresh ``Lab``; whatever the first pass left behind
(roles changed, tasks run, variables defined) must not change the second pass. So: no cell fails
that is not tagged ``raises-exception``, every tagged cell fails both times with the same error,
and the second pass prints exactly what the first printed (nbval compares the first with the
committed outputs). SVG is left out of the comparison, as in nbval (notebooks/conftest.py), and
widget views are compared without their random model ids.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))  # both editions (ja/)


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


SVG = re.compile(r"(?s)<svg\b.*?</svg>")
CELL_SECONDS = 120


def _comparable(outputs: list) -> list:
    """What a learner reads in a cell's outputs, without what differs by design."""
    seen = []
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            if seen and seen[-1][0] == "stream" and seen[-1][1] == output["name"]:
                seen[-1] = ("stream", output["name"], seen[-1][2] + output["text"])
            else:
                seen.append(("stream", output["name"], output["text"]))
        elif kind == "error":
            seen.append(("error", output["ename"], output["evalue"]))
        else:
            data = {}
            for mime, value in output.get("data", {}).items():
                if mime == "image/svg+xml":
                    continue
                if mime == "application/vnd.jupyter.widget-view+json":
                    value = {k: v for k, v in value.items() if k != "model_id"}
                elif isinstance(value, str):
                    value = SVG.sub("<svg/>", value)
                data[mime] = value
            seen.append((kind, data))
    return seen


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_run_all_twice_in_one_kernel(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_SECONDS,
        kernel_name="python3",
        allow_errors=True,  # judged below, cell by cell
        resources={"metadata": {"path": str(path.parent)}},
    )
    passes = []
    with client.setup_kernel():
        for number in (1, 2):
            cells = copy.deepcopy(notebook.cells)
            for index, cell in enumerate(cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            passes.append(cells)
            for index, cell in enumerate(cells):
                if cell.cell_type != "code":
                    continue
                errors = [o for o in cell.outputs if o["output_type"] == "error"]
                expected = "raises-exception" in cell.metadata.get("tags", [])
                where = f"{path.name}, pass {number}, cell {index}"
                if expected:
                    assert errors, f"{where} is tagged raises-exception but did not fail"
                else:
                    assert not errors, (
                        f"{where} failed: {errors[0]['ename']}: {errors[0]['evalue']}"
                        if errors
                        else ""
                    )
    first, second = passes
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        if a.cell_type == "code":
            assert _comparable(b.outputs) == _comparable(a.outputs), (
                f"{path.name}, cell {index}: the second Run All printed something else"
            )
