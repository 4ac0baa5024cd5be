"""How much each notebook asks its reader to read (issue 12: "a first hour that is mostly
reading"). Prints, per notebook: the words a reader sees, the longest markdown cell, the words
before the first task runs, code cells, exercises, and the reading time computed by
``ecslab.coach.reading`` (and the time the notebook announces).

Targets: the first task runs within the first screen of 00 (at most 150 words before it); no
markdown cell over 150 words a reader sees; each announced time is the computed one.

    .venv/bin/python benchmarks/reading.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from ecslab.coach.reading import LONGEST_MARKDOWN_CELL, WORDS_PER_MINUTE, reading

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    editions = [("en", sorted((ROOT / "notebooks").glob("*.ipynb")))]
    japanese = sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))
    if japanese:
        editions.append(("ja", japanese))
    print(f"reading at {WORDS_PER_MINUTE} words a minute (ecslab.coach.reading)")
    for edition, paths in editions:
        print(
            f"\n{edition}: notebook                        words  longest  before-task  code  "
            "exercises  minutes  announced"
        )
        total = 0
        for path in paths:
            r = reading(path)
            total += r.minutes
            before = "-" if r.before_first_task is None else str(r.before_first_task)
            announced = "-" if r.announced is None else str(r.announced)
            print(
                f"    {r.name:32} {r.words:6} {r.longest:8} {before:>12} {r.code_cells:5} "
                f"{r.exercises:10} {r.minutes:8} {announced:>10}"
            )
        print(f"    whole course: about {total} minutes ({total / 60:.1f} h)")
        first = reading(paths[0])
        longest = max(reading(p).longest for p in paths)
        ok = (first.before_first_task or 0) <= LONGEST_MARKDOWN_CELL
        print(
            f"    target: first task within the first screen of 00 (<= {LONGEST_MARKDOWN_CELL} "
            f"words before it): {'meets' if ok else 'MISSES'} ({first.before_first_task})"
        )
        ok = longest <= LONGEST_MARKDOWN_CELL
        print(
            f"    target: no markdown cell over {LONGEST_MARKDOWN_CELL} words: "
            f"{'meets' if ok else 'MISSES'} (longest {longest})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
