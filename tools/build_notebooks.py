"""Write and execute the course notebooks from their sources in ``tools/notebooks/``.

Each ``tools/notebooks/NN_slug.py`` defines ``CELLS``: a list of ``(kind, source)`` or
``(kind, source, tags)`` with kind ``"markdown"`` or ``"code"``; a code cell that fails on purpose
carries the tag ``"raises-exception"``. This script turns each into ``notebooks/NN_slug.ipynb``,
executes it top to bottom in a fresh kernel (as nbval will), and writes it with its outputs, stable
cell ids, no widget state and no interpreter version — so the committed notebook is exactly what
``pytest --nbval`` expects.

    .venv/bin/python tools/build_notebooks.py            # every notebook
    .venv/bin/python tools/build_notebooks.py 02 03      # some of them (by number)
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "notebooks"
NOTEBOOKS = ROOT / "notebooks"


def cells_of(source: Path) -> list[tuple]:
    if str(SOURCES) not in sys.path:
        sys.path.insert(0, str(SOURCES))  # the sources share cells from tools/notebooks/_parts.py
    spec = importlib.util.spec_from_file_location(f"lesson_{source.stem}", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.CELLS)


def build(source: Path) -> float:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for cell in cells_of(source):
        kind, text, *rest = cell
        tags = list(rest[0]) if rest else []
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        new = make(text.strip("\n"))
        if tags:
            new.metadata["tags"] = tags
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
    nbformat.write(notebook, NOTEBOOKS / f"{source.stem}.ipynb")
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
    sources = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if argv:
        sources = [s for s in sources if s.stem[:2] in argv or s.stem in argv]
    for source in sources:
        elapsed = build(source)
        print(f"wrote notebooks/{source.stem}.ipynb ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
