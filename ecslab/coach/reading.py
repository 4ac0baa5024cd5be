"""How much a notebook asks its reader to read, and how long it takes: the figures behind each
notebook's "Allow about N minutes", the course's limit on a markdown cell's length, and
``benchmarks/reading.py``.

A reading time is computed, never guessed, from what the notebook holds:

- the words a reader sees (markdown outside ``<details>`` blocks), at ``WORDS_PER_MINUTE`` — a
  pace for technical text read with attention, often in a second language (studies of reading
  speed put silent reading of English non-fiction near 240 words a minute for native readers,
  Brysbaert 2019, *Journal of Memory and Language* 109; technical text, a second language and
  code in the prose slow it down);
- each code cell, ``CODE_CELL_MINUTES`` to read it, run it and look at what it shows;
- each exercise, ``EXERCISE_MINUTES`` to try, check and read a hint;
- what is folded away (``<details>``) is not counted: it is read once, when wanted.

Words are counted as whitespace-separated tokens with a letter or digit in them, in English;
Japanese text has no spaces between words, so each run of kana and kanji counts one word per
``JAPANESE_CHARACTERS_PER_WORD`` characters (about 500 characters a minute at the same pace).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_MINUTE = 150
CODE_CELL_MINUTES = 0.5
EXERCISE_MINUTES = 8
JAPANESE_CHARACTERS_PER_WORD = 3.3
LONGEST_MARKDOWN_CELL = 150  # words a reader sees in one markdown cell, at most

_DETAILS = re.compile(r"(?s)<details>.*?</details>")
_TAG = re.compile(r"<[^>]+>")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")
_EXERCISE = re.compile(r"\w+ = lab\.exercise\(")
_RUN_TASK = re.compile(r"\brun_task\(")
_ANNOUNCED = re.compile(r"(?:Allow about|約)\s*(\d+)\s*(?:minutes|分)")


def words(markdown: str) -> int:
    """The words a reader sees in a markdown cell: what ``<details>`` folds away is left out."""
    text = _TAG.sub(" ", _DETAILS.sub(" ", markdown))
    japanese = sum(len(run) for run in _JAPANESE.findall(text))
    english = len(_WORD.findall(_JAPANESE.sub(" ", text)))
    return english + math.ceil(japanese / JAPANESE_CHARACTERS_PER_WORD)


@dataclass(frozen=True)
class Reading:
    """What one notebook asks of its reader."""

    name: str
    words: int
    """Words a reader sees, in all its markdown cells."""
    longest: int
    """Words a reader sees in its longest markdown cell."""
    before_first_task: int | None
    """Words before the first cell that runs a task (None: it runs none)."""
    code_cells: int
    exercises: int
    announced: int | None
    """The minutes the notebook announces ("Allow about N minutes"), if it does."""

    @property
    def minutes(self) -> int:
        """The reading time: words, code cells and exercises, to the next 5 minutes."""
        exact = (
            self.words / WORDS_PER_MINUTE
            + self.code_cells * CODE_CELL_MINUTES
            + self.exercises * EXERCISE_MINUTES
        )
        return max(5, 5 * math.ceil(exact / 5))


def reading(path: Path) -> Reading:
    """The figures of one notebook (an .ipynb file)."""
    notebook = json.loads(path.read_text("utf-8"))
    total, longest, before, code, exercises, announced = 0, 0, None, 0, 0, None
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            count = words(source)
            total += count
            longest = max(longest, count)
            found = _ANNOUNCED.search(source)
            if found and announced is None:
                announced = int(found.group(1))
        elif cell["cell_type"] == "code":
            code += 1
            exercises += len(_EXERCISE.findall(source))
            if before is None and _RUN_TASK.search(source):
                before = total
    return Reading(path.stem, total, longest, before, code, exercises, announced)
