"""What nbval does not check about the committed notebooks: STYLE.md's notebook rules."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))  # both editions (ja/)


def _name(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_there_is_a_start_notebook():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_file_name_is_numbered_slug(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_one_h1_and_headings_never_skip_a_level(path):
    levels = []
    for cell in cells(path):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        source = re.sub(r"```.*?```", "", source, flags=re.DOTALL)
        levels += [len(m.group(1)) for m in re.finditer(r"^(#{1,6}) ", source, re.MULTILINE)]
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from {before} to {after}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_outputs_are_committed_clean(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in notebook["metadata"], "widget state saved in metadata"
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("execution_count") is not None, f"cell {number} never executed"
        text = json.dumps(cell.get("outputs", []))
        assert not re.search(r"/(root|home|tmp|work|Users)/", text), f"cell {number}: a path"
        tags = cell.get("metadata", {}).get("tags", [])
        if '"output_type": "error"' in text:
            assert "raises-exception" in tags, f"cell {number}: error without raises-exception"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_a_cell_that_prints_more_than_a_screen_is_shown_scrolled(path):
    for number, cell in enumerate(cells(path)):
        printed = sum(
            "".join(o.get("text", "")).count("\n")
            for o in cell.get("outputs", [])
            if o["output_type"] == "stream"
        )
        assert cell.get("metadata", {}).get("scrolled", False) == (printed > 40), number
