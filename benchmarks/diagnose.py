"""How often does diagnose() name the right role? Prints the figure issue 6 sets a target for.

Top-1 role accuracy on the corpus of real messages in ``tests/coach/corpus/messages.json``
(target ≥ 90 %), per expected role, the category agreement, the speed, and every miss.

    .venv/bin/python benchmarks/diagnose.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "coach" / "corpus" / "messages.json"


def main() -> int:
    from ecslab.coach.diagnose import diagnose

    entries = json.loads(CORPUS.read_text(encoding="utf-8"))
    right, category, per_role, totals, misses, times = 0, 0, Counter(), Counter(), [], []
    for entry in entries:
        started = time.perf_counter()
        found = diagnose(entry["message"])
        times.append(time.perf_counter() - started)
        totals[entry["role"]] += 1
        if found.role == entry["role"]:
            right += 1
            per_role[entry["role"]] += 1
        else:
            misses.append((entry["id"], entry["role"], found.role, found.category))
        category += found.category == entry["category"]
    accuracy = right / len(entries)
    print("ecslab diagnose benchmark (target from issue 6)")
    print(
        f"  top-1 role accuracy: {right}/{len(entries)} = {accuracy:.1%}  target >= 90 %: "
        f"{'meets' if accuracy >= 0.9 else 'MISSES'}"
    )
    for role in ("execution", "task", "neither"):
        print(f"    {role:9}: {per_role[role]}/{totals[role]}")
    print(f"  category agreement: {category}/{len(entries)} = {category / len(entries):.1%}")
    print(f"  time per message: p50 {statistics.median(times) * 1000:.2f} ms")
    for ident, want, got, cat in misses:
        print(f"  miss: {ident}: expected {want}, said {got} ({cat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
