"""What a notebook asks its reader to read (ecslab.coach.reading): the first task runs within the
first screen of the course, no markdown cell is longer than a screen's worth of reading, and a
notebook that says how long it takes says what the computed reading time is."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecslab.coach.reading import LONGEST_MARKDOWN_CELL, reading, words

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb"))


def test_the_first_task_runs_within_the_first_screen_of_the_course():
    for start in sorted((ROOT / "notebooks").glob("**/00_*.ipynb")):
        first = reading(start)
        assert first.before_first_task is not None
        assert first.before_first_task <= LONGEST_MARKDOWN_CELL, start


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_markdown_cell_is_longer_than_the_limit(path):
    assert reading(path).longest <= LONGEST_MARKDOWN_CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_notebook_announces_its_computed_reading_time(path):
    figures = reading(path)
    if path.stem.startswith("00_"):
        return  # the start page announces nothing: it is run, not studied
    assert figures.announced == figures.minutes


def test_words_are_what_a_reader_sees():
    assert words("Two roles, `ecs-task-role` and *the* **execution** role.") == 7
    assert words("Read this.\n\n<details><summary>More</summary>\n\nhidden words\n</details>") == 2
    assert words("| a | b |\n|---|---|\n| one | two |") == 4
    assert words("タスク実行ロールとタスクロール") == 5  # 15 characters, 3.3 a word
