"""Write and execute the course notebooks from their sources in ``tools/notebooks/``.

Each ``tools/notebooks/NN_slug.py`` is a Jupytext percent script: ``# %% [markdown]`` starts a
markdown cell (its lines commented out with ``# ``), ``# %%`` a code cell, and a cell that fails
on purpose says so in its header: ``# %% tags=["raises-exception"]``. Edit a source as text, or
in JupyterLab with jupytext installed (*Open With → Jupytext Notebook*; the folder's
``jupytext.toml`` makes it save the file back in the same form). This script reads each source
with jupytext, turns it into ``notebooks/NN_slug.ipynb``, executes it top to bottom in a fresh
kernel (as nbval will), and writes it with its outputs, stable cell ids, one output per run of
printed text, tracebacks cut to their last line, placeholder widget ids, no widget state, no
interpreter version, and a cell that prints more than a screen's worth marked ``scrolled`` (its
output in a box of its own) — so the committed notebook is exactly what ``pytest --nbval``
expects. The notebook gets no jupytext metadata. ``tests/notebooks/test_sources.py`` fails when
a committed notebook's cells are no longer its source's.

Edits belong in the source: a notebook's cells are overwritten by every build. So that an edit
made in the notebook itself (in JupyterLab, say) is never silently lost, the builder writes over a
notebook only when nothing in its cells (type, text, tags) would be lost, that is when they are

- the cells its source gives now (only the outputs change), or
- the cells of the notebook as last committed (``git show HEAD:notebooks/NN_slug.ipynb``), when
  the source committed with it gives the same cells (the commit holds a build, not an edit), or
- the cells this builder last wrote there (recorded in the git directory,
  ``.git/ecslab-built-notebooks.json``, so that editing and rebuilding without committing works).

Outputs do not count: the build makes them anew. Otherwise it builds nothing, names the first
cell that differs, and asks for the edit to be copied into the source — or for ``--force``, which
overwrites anyway. Without git only the first case applies.

    .venv/bin/python tools/build_notebooks.py            # every notebook
    .venv/bin/python tools/build_notebooks.py 02 03      # some of them (by number)
    .venv/bin/python tools/build_notebooks.py --force 02 # even over edits made in the notebook
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

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


# The editions: English in tools/notebooks/ → notebooks/, Japanese in tools/notebooks/ja/ →
# notebooks/ja/ (the same lessons, the same code; tests/notebooks/test_editions.py compares them).
EDITIONS = {"en": "", "ja": "ja"}


def sources(editions: Sequence[str] = tuple(EDITIONS)) -> list[Path]:
    return [
        path
        for edition in editions
        for path in sorted((SOURCES / EDITIONS[edition]).glob("[0-9][0-9]_*.py"))
    ]


def edition_of(source: Path) -> str:
    """ "en" or "ja": the edition a source belongs to."""
    folder = source.parent.relative_to(SOURCES).as_posix()
    return next(e for e, where in EDITIONS.items() if where == (folder if folder != "." else ""))


def cells_of(source: Path) -> list[Cell]:
    """The cells of a source, as jupytext reads them."""
    return cells_read(source.read_text(encoding="utf-8"), source.name)


def cells_read(text: str, name: str) -> list[Cell]:
    """The cells of a source's text (``name`` says which source, in errors).

    Besides its tags a cell may carry only ``active="ipynb"``: the cell is commented out in the
    .py (it is IPython, not Python, so ruff could not parse it) and is a plain code cell in the
    notebook. Anything else would not reach the notebook, so it is a ``ValueError``.
    """
    cells = []
    for number, cell in enumerate(jupytext.reads(text, fmt="py:percent").cells):
        metadata = dict(cell.metadata)
        active = metadata.pop("active", "ipynb")
        tags = metadata.pop("tags", [])
        if cell.cell_type not in ("markdown", "code") or metadata or active != "ipynb":
            raise ValueError(
                f"{name}, cell {number}: a {cell.cell_type} cell with metadata "
                f"{dict(cell.metadata)}; the notebooks have markdown and code cells whose only "
                "metadata is their tags"
            )
        cells.append(Cell(cell.cell_type, cell.source, tuple(tags)))
    return cells


def cells_in(notebook: nbformat.NotebookNode) -> list[Cell]:
    """The cells of a notebook, as its source would say them."""
    return [
        Cell(cell.cell_type, cell.source, tuple(cell.metadata.get("tags", [])))
        for cell in notebook.cells
    ]


def first_difference(notebook: list[Cell], source: list[Cell]) -> str | None:
    """Where the cells of a notebook and of a source part, in words; None if they do not."""
    for number, (ours, theirs) in enumerate(zip(notebook, source, strict=False)):
        if ours.kind != theirs.kind:
            return f"cell {number} is {ours.kind} in the notebook, {theirs.kind} in the source"
        if ours.tags != theirs.tags:
            return (
                f"cell {number} is tagged {list(ours.tags)} in the notebook, "
                f"{list(theirs.tags)} in the source"
            )
        if ours.text != theirs.text:
            line, mine, yours = _first_different_line(ours.text, theirs.text)
            return f"cell {number}, line {line}: the notebook has {mine}, the source {yours}"
    if len(notebook) != len(source):
        return f"the notebook has {len(notebook)} cells, the source {len(source)}"
    return None


def _first_different_line(a: str, b: str) -> tuple[int, str, str]:
    """The number of the first line where two texts part, and that line of each, quoted from a
    little before where they part."""
    a_lines, b_lines = a.splitlines(), b.splitlines()
    number = _parting(a_lines, b_lines)
    a_line = a_lines[number] if number < len(a_lines) else None
    b_line = b_lines[number] if number < len(b_lines) else None
    start = max(0, _parting(a_line or "", b_line or "") - 20)

    def quoted(line: str | None) -> str:
        if line is None:
            return "no such line"
        more = "..." if len(line) > start + 50 else ""
        return repr(("..." if start else "") + line[start : start + 50] + more)

    return number + 1, quoted(a_line), quoted(b_line)


def _parting(a: Sequence, b: Sequence) -> int:
    """The first position where two sequences differ (the shorter's length if one starts the
    other)."""
    return next(
        (n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _fingerprint(cells: list[Cell]) -> str:
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def _git(*args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=False)
    except OSError:  # no git
        return None
    return done.stdout if done.returncode == 0 else None


def _committed(path: Path) -> str | None:
    """The file at ``path`` as last committed, if it is in git."""
    try:
        name = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None
    text = _git("show", f"HEAD:{name}")
    return None if text is None else text.decode()


def _built_and_committed(notebook: Path, source: Path) -> list[Cell] | None:
    """The cells of the notebook as last committed, if the source committed with it gives the
    same cells: that commit holds a build, not an edit made in the notebook."""
    notebook_text, source_text = _committed(notebook), _committed(source)
    if notebook_text is None or source_text is None:
        return None
    cells = cells_in(nbformat.reads(notebook_text, as_version=4))
    try:
        built = cells_read(source_text, source.name)
    except ValueError:
        return None
    return cells if cells == built else None


def _record() -> Path | None:
    """Where the builder remembers what it wrote: in the git directory, outside every commit."""
    where = _git("rev-parse", "--git-path", "ecslab-built-notebooks.json")
    return None if where is None else ROOT / where.decode().strip()


def _last_built() -> dict[str, str]:
    record = _record()
    if record is None or not record.exists():
        return {}
    return json.loads(record.read_text(encoding="utf-8"))


def _remember(path: Path, cells: list[Cell]) -> None:
    record = _record()
    if record is None:
        return
    built = _last_built()
    built[str(path.resolve())] = _fingerprint(cells)
    record.write_text(json.dumps(built, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def refusal(notebook: Path, source: Path) -> str | None:
    """Why building ``source`` over ``notebook`` would lose cells edited in the notebook (the
    first difference, in words); None when it would not. See the module's docstring."""
    if not notebook.exists():
        return None
    cells = cells_in(nbformat.read(notebook, as_version=4))
    difference = first_difference(cells, cells_of(source))
    if difference is None:
        return None
    if _last_built().get(str(notebook.resolve())) == _fingerprint(cells):
        return None
    if cells == _built_and_committed(notebook, source):
        return None
    return difference


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
    notebook_of(source).parent.mkdir(parents=True, exist_ok=True)  # the kernel runs there
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(notebook_of(source).parent)}},
    ).execute()
    elapsed = time.perf_counter() - started
    notebook.metadata["language_info"] = {"name": "python"}  # no interpreter version
    notebook.metadata.pop("widgets", None)  # widget state: random ids, alive only in a kernel
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids keep diffs quiet
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
        cell.metadata.pop("execution", None)
        if _printed_lines(cell) > SCROLL_AFTER_LINES:
            cell.metadata["scrolled"] = True  # JupyterLab shows it in a box of its own that scrolls
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # the frames name this machine's paths; the learner's own run shows them live
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view is not None:  # a model that lives only in a kernel: a stable placeholder id
                view["model_id"] = f"{number:032d}"
    path = notebook_of(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    _remember(path, cells)
    return elapsed


# A printed output longer than this (lines) is shown scrolled, in a box about 24 lines high that
# the learner can drag taller: a screen holds about 40 lines.
SCROLL_AFTER_LINES = 40


def _printed_lines(cell: Any) -> int:
    """How many lines a code cell prints (its stream outputs)."""
    return sum(
        output.get("text", "").count("\n")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="numbers (02) or names (02_execution_role)")
    parser.add_argument(
        "--lang", choices=sorted(EDITIONS), action="append", help="only this edition (en, ja)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite even cells edited in the notebook itself"
    )
    args = parser.parse_args(argv)
    chosen = sources(args.lang or tuple(EDITIONS))
    if args.notebooks:
        chosen = [s for s in chosen if s.stem[:2] in args.notebooks or s.stem in args.notebooks]
    try:
        refused = [] if args.force else [(s, refusal(notebook_of(s), s)) for s in chosen]
        refused = [(source, why) for source, why in refused if why is not None]
        for source, why in refused:
            print(
                f"{_shown(notebook_of(source))} was edited since it was built ({why}). Copy the "
                f"edit into {_shown(source)}, or rerun with --force to discard it.",
                file=sys.stderr,
            )
        if refused:
            print("nothing built", file=sys.stderr)
            return 1
        for source in chosen:
            elapsed = build(source)
            print(f"wrote {_shown(notebook_of(source))} ({elapsed:.1f} s)")
    except ValueError as error:  # a source the notebooks cannot say
        print(error, file=sys.stderr)
        return 2
    return 0


def notebook_of(source: Path) -> Path:
    return NOTEBOOKS / EDITIONS[edition_of(source)] / f"{source.stem}.ipynb"


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
