"""Write and execute the course notebooks from their sources in ``tools/notebooks/``.

Each ``tools/notebooks/NN_slug.py`` is a Jupytext percent script: ``# %% [markdown]`` starts a
markdown cell (its lines commented out with ``# ``), ``# %%`` a code cell, and a cell that fails
on purpose says so in its header: ``# %% tags=["raises-exception"]``. Edit a source as text, or in
JupyterLab (with jupytext installed, *Open With → Notebook*; ``tools/notebooks/jupytext.toml``
makes it save the file back in the same form). This script reads each source with jupytext, turns
it into ``notebooks/NN_slug.ipynb``, executes it top to bottom in a fresh kernel (as nbval will),
and writes it with its outputs, stable cell ids, one output per run of printed text, tracebacks
cut to their last line, placeholder widget ids, no widget state and no interpreter version — so
the committed notebook is exactly what ``pytest --nbval`` expects. The notebook gets no jupytext
metadata.

    .venv/bin/python tools/build_notebooks.py            # every notebook
    .venv/bin/python tools/build_notebooks.py 02 03      # some of them (by number)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NamedTuple

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "notebooks"
NOTEBOOKS = ROOT / "notebooks"


class Cell(NamedTuple):
    """What a source says about a cell, and all of it that the notebook keeps."""

    kind: str  # "markdown" or "code"
    text: str
    tags: tuple[str, ...]


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9][0-9]_*.py"))


def cells_of(source: Path) -> list[Cell]:
    """The cells of a source, as jupytext reads them.

    Besides its tags a cell may carry only ``active="ipynb"``: the cell is commented out in the
    .py (it is IPython, not Python, so ruff could not parse it) and is a plain code cell in the
    notebook. Anything else would not reach the notebook, so it stops the build.
    """
    cells = []
    for number, cell in enumerate(jupytext.read(source, fmt="py:percent").cells):
        metadata = dict(cell.metadata)
        active = metadata.pop("active", "ipynb")
        tags = metadata.pop("tags", [])
        if cell.cell_type not in ("markdown", "code") or metadata or active != "ipynb":
            raise SystemExit(
                f"{source.relative_to(ROOT)}, cell {number}: a {cell.cell_type} cell with "
                f"metadata {dict(cell.metadata)}; the notebooks have markdown and code cells "
                "whose only metadata is their tags"
            )
        cells.append(Cell(cell.cell_type, cell.source, tuple(tags)))
    return cells


def build(source: Path) -> float:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    cells = cells_of(source)
    for cell in cells:
        markdown = cell.kind == "markdown"
        make = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
        new = make(cell.text)
        if cell.tags:
            new.metadata["tags"] = list(cell.tags)
        notebook.cells.append(new)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()
    elapsed = time.perf_counter() - started
    notebook.metadata["language_info"] = {"name": "python"}  # no interpreter version
    notebook.metadata.pop("widgets", None)  # widget state: random ids, alive only in a kernel
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids keep diffs quiet
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # the frames name this machine's paths; the learner's own run shows them live
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view is not None:  # a model that lives only in a kernel: a stable placeholder id
                view["model_id"] = f"{number:032d}"
    NOTEBOOKS.mkdir(exist_ok=True)
    path = NOTEBOOKS / f"{source.stem}.ipynb"
    nbformat.write(notebook, path)
    return elapsed


def _merged_streams(outputs: list) -> list:
    """One output per run of printed text: the kernel splits a stream at arbitrary points, so
    the same cell would otherwise be written differently from one build to the next."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def main(argv: list[str]) -> int:
    chosen = sources()
    if argv:
        chosen = [s for s in chosen if s.stem[:2] in argv or s.stem in argv]
    for source in chosen:
        elapsed = build(source)
        print(f"wrote notebooks/{source.stem}.ipynb ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
