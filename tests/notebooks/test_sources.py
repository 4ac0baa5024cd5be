"""Each committed notebook is still what its source (tools/notebooks/NN_slug.py) says: the same
cells, of the same types, with the same text and tags. Outputs are nbval's business. Also: a
source opened and saved in JupyterLab (through jupytext) comes back unchanged, and an edit made
in a notebook rather than in its source is caught, by this test and by the builder."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from jupytext import TextFileContentsManager

from tools import build_notebooks as builder

ROOT = Path(__file__).resolve().parents[2]
SOURCES = builder.sources()  # both editions: tools/notebooks/ and tools/notebooks/ja/
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))


def _name(source: Path) -> str:
    return source.relative_to(builder.SOURCES).with_suffix("").as_posix()


def committed(source: Path) -> Path:
    return builder.notebook_of(source)


def test_every_source_has_a_notebook_and_every_notebook_a_source():
    assert sorted(committed(s) for s in SOURCES) == NOTEBOOKS


@pytest.mark.parametrize("source", SOURCES, ids=_name)
def test_the_notebook_has_its_sources_cells(source):
    notebook = nbformat.read(committed(source), as_version=4)
    difference = builder.first_difference(builder.cells_in(notebook), builder.cells_of(source))
    assert difference is None, (
        f"{committed(source).relative_to(ROOT)} is not what {source.relative_to(ROOT)} says "
        f"({difference}): edit the source (not the notebook), then rebuild it with "
        f"tools/build_notebooks.py {source.stem[:2]}"
    )


@pytest.mark.parametrize("source", SOURCES, ids=_name)
def test_the_notebook_has_no_jupytext_metadata(source):
    notebook = nbformat.read(committed(source), as_version=4)
    assert set(notebook.metadata) == {"kernelspec", "language_info"}
    for cell in notebook.cells:
        assert set(cell.metadata) <= {"tags", "scrolled"}  # scrolled: the builder's, not jupytext's


def test_an_edit_made_in_a_notebook_is_caught(tmp_path):
    """A markdown cell edited in a copy of a notebook: the comparison above fails, naming the
    cell, and the builder will not write over the copy; over an unedited copy it will."""
    source = SOURCES[0]
    unedited = tmp_path / "unedited" / f"{source.stem}.ipynb"
    unedited.parent.mkdir()
    shutil.copy(committed(source), unedited)
    assert builder.refusal(unedited, source) is None

    notebook = nbformat.read(committed(source), as_version=4)
    number = next(n for n, c in enumerate(notebook.cells) if c.cell_type == "markdown")
    lines = notebook.cells[number].source.splitlines()
    last = lines[-1]
    lines[-1] += " A sentence added in JupyterLab."
    notebook.cells[number].source = "\n".join(lines)
    edited = tmp_path / f"{source.stem}.ipynb"
    nbformat.write(notebook, edited)

    cells = builder.cells_in(nbformat.read(edited, as_version=4))
    difference = builder.first_difference(cells, builder.cells_of(source))
    assert difference is not None and difference.startswith(f"cell {number}, line {len(lines)}:")
    assert f"{last[-20:]} A sentence added" in difference
    assert builder.refusal(edited, source) == difference


def test_a_tag_removed_in_a_notebook_is_caught():
    source = next(s for s in SOURCES if any(c.tags for c in builder.cells_of(s)))
    notebook = nbformat.read(committed(source), as_version=4)
    number = next(n for n, c in enumerate(notebook.cells) if c.metadata.get("tags"))
    del notebook.cells[number].metadata["tags"]
    difference = builder.first_difference(builder.cells_in(notebook), builder.cells_of(source))
    assert difference == (
        f"cell {number} is tagged [] in the notebook, ['raises-exception'] in the source"
    )


def _contents_manager(tmp_path: Path, source: Path) -> TextFileContentsManager:
    """What JupyterLab's server saves through, over a copy of the sources' folder."""
    shutil.copy(builder.SOURCES / "jupytext.toml", tmp_path)  # both editions use it
    shutil.copy(source, tmp_path)
    return TextFileContentsManager(root_dir=str(tmp_path))


@pytest.mark.parametrize("source", SOURCES, ids=_name)
def test_a_source_opened_and_saved_in_jupyterlab_is_unchanged(tmp_path, source):
    manager = _contents_manager(tmp_path, source)
    model = manager.get(source.name, content=True, type="notebook")
    assert model["type"] == "notebook"
    manager.save(model, source.name)
    assert (tmp_path / source.name).read_bytes() == source.read_bytes()


def test_an_edit_made_in_jupyterlab_reaches_the_source(tmp_path):
    """Text and tags edited in JupyterLab are saved into the .py, where the builder reads them;
    what JupyterLab adds on its own (collapsed outputs) is not."""
    source = SOURCES[0]
    manager = _contents_manager(tmp_path, source)
    model = manager.get(source.name, content=True, type="notebook")
    cells = model["content"].cells
    code = next(n for n, c in enumerate(cells) if c.cell_type == "code")
    cells[0].source += "\n\nA sentence added in JupyterLab."
    cells[code].metadata["tags"] = ["raises-exception"]
    cells[code].metadata["collapsed"] = True
    manager.save(model, source.name)

    saved = builder.cells_of(tmp_path / source.name)
    expected = builder.cells_of(source)
    added = "\n\nA sentence added in JupyterLab."
    expected[0] = expected[0]._replace(text=expected[0].text + added)
    expected[code] = expected[code]._replace(tags=("raises-exception",))
    assert saved == expected
