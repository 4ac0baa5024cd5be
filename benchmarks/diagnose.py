"""How often does diagnose() name the right role? Prints the figures issues 6 and 15 aim at.

For each part of the corpora — corpus 1 (``tests/coach/corpus/messages.json``, written with the
rules), the development parts of corpora 2 and 3 (``second/development.json``,
``third/development.json``, read while tuning) and their held-out parts (``*/held_out.json.gz``,
never read by people) — it prints top-1 role accuracy and how often the true role is among the
candidates, per role and per category (the category ``diagnose`` gave: corpora 2 and 3 have no
category labels), a confusion matrix as text, and draws each matrix as a small SVG in
``benchmarks/out/`` (numbers in every cell). Targets (issue 15, both held-out parts together):
top-1 ≥ 90 %, true role among candidates ≥ 97 %.

The held-out parts are reported as counts and percentages only: never a message, an id or a miss,
so that its figures stay blind. ``--misses`` lists the misses of corpus 1 and of the development
part. ``--development`` leaves the held-out parts out altogether (not even their counts), for
use while writing rules.

    .venv/bin/python benchmarks/diagnose.py [--misses] [--development]
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "coach" / "corpus"
OUT = Path(__file__).resolve().parent / "out"
PARTS = (
    ("corpus 1", "corpus1", CORPUS / "messages.json", False),
    ("corpus 2 development", "corpus2-development", CORPUS / "second" / "development.json", False),
    ("corpus 2 held-out", "corpus2-held-out", CORPUS / "second" / "held_out.json.gz", True),
    ("corpus 3 development", "corpus3-development", CORPUS / "third" / "development.json", False),
    ("corpus 3 held-out", "corpus3-held-out", CORPUS / "third" / "held_out.json.gz", True),
    ("corpus 4 development", "corpus4-development", CORPUS / "fourth" / "development.json", False),
    ("corpus 4 held-out", "corpus4-held-out", CORPUS / "fourth" / "held_out.json.gz", True),
    ("corpus 5 development", "corpus5-development", CORPUS / "fifth" / "development.json", False),
    ("corpus 5 held-out", "corpus5-held-out", CORPUS / "fifth" / "held_out.json.gz", True),
)
TOP1, AMONG = 0.90, 0.97


def load(path: Path) -> list[dict]:
    if path.suffix == ".gz":
        return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    return json.loads(path.read_text(encoding="utf-8"))


def measure(entries: list[dict]) -> dict:
    """Counts only: what the answers were, per entry, kept in memory."""
    from ecslab.coach.diagnose import diagnose

    rows, times = [], []
    for entry in entries:
        started = time.perf_counter()
        found = diagnose(entry["message"])
        times.append(time.perf_counter() - started)
        among = [found.role] + [c.role for c in found.candidates]
        rows.append(
            {
                "want": entry["role"],
                "got": found.role,
                "category": found.category,
                "among": entry["role"] in among,
                "id": entry["id"],
            }
        )
    return {"rows": rows, "p50": statistics.median(times) if times else 0.0}


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "0/0"


def report(title: str, result: dict, blind: bool, show_misses: bool) -> tuple[float, float]:
    from ecslab.coach.diagnose import ROLES

    rows = result["rows"]
    total = len(rows)
    top1 = sum(r["want"] == r["got"] for r in rows)
    among = sum(r["among"] for r in rows)
    print(f"\n== {title}: {total} messages")
    print(f"  top-1 role:            {_pct(top1, total)}")
    print(f"  true role a candidate: {_pct(among, total)}")
    print("  per role (expected):   top-1 | among candidates")
    for role in ROLES:
        mine = [r for r in rows if r["want"] == role]
        if mine:
            right = sum(r["want"] == r["got"] for r in mine)
            print(
                f"    {role:15} {_pct(right, len(mine)):>16} | "
                f"{_pct(sum(r['among'] for r in mine), len(mine))}"
            )
    print("  per category (diagnose's): top-1 | among candidates")
    by_category = defaultdict(list)
    for r in rows:
        by_category[r["category"]].append(r)
    for category in sorted(by_category):
        mine = by_category[category]
        right = sum(r["want"] == r["got"] for r in mine)
        print(
            f"    {category:24} {_pct(right, len(mine)):>16} | "
            f"{_pct(sum(r['among'] for r in mine), len(mine))}"
        )
    matrix = Counter((r["want"], r["got"]) for r in rows)
    print(confusion_text(matrix))
    if show_misses and not blind:
        for r in rows:
            if r["want"] != r["got"]:
                among_text = "among candidates" if r["among"] else "NOT a candidate"
                print(f"  miss: {r['id']}: expected {r['want']}, said {r['got']} ({among_text})")
    print(f"  time per message: p50 {result['p50'] * 1000:.2f} ms")
    return (top1 / total if total else 0.0, among / total if total else 0.0, total)


def _used(matrix: Counter) -> list[str]:
    from ecslab.coach.diagnose import ROLES

    seen = {role for pair in matrix for role in pair}
    return [role for role in ROLES if role in seen]


def confusion_text(matrix: Counter) -> str:
    roles = _used(matrix)
    short = {role: role[:6] for role in roles}
    head = "  expected \\ said  " + " ".join(f"{short[r]:>6}" for r in roles)
    lines = ["  confusion matrix (rows: expected role; columns: diagnose's top-1)", head]
    for want in roles:
        cells = " ".join(f"{matrix[(want, got)] or '.':>6}" for got in roles)
        lines.append(f"  {want:16} {cells}")
    return "\n".join(lines)


def confusion_svg(title: str, matrix: Counter, path: Path) -> bool:
    """The matrix drawn with Graphviz (an HTML-like table): every cell carries its number, the
    diagonal is also bold, so colour is never the only signal. False when no renderer is there."""
    from html import escape

    try:
        import pygraphviz
    except ImportError:
        return False
    roles = _used(matrix)
    top = max(matrix.values(), default=1)
    cells = ['<TR><TD BORDER="0"><B>expected \\ said</B></TD>']
    cells += [f'<TD BORDER="0"><B>{escape(r)}</B></TD>' for r in roles]
    cells.append("</TR>")
    for want in roles:
        cells.append(f'<TR><TD BORDER="0" ALIGN="RIGHT"><B>{escape(want)}</B></TD>')
        for got in roles:
            n = matrix[(want, got)]
            shade = 255 - int(150 * n / top) if n else 255
            colour = f"#{shade:02x}{shade:02x}ff" if want == got else f"#ff{shade:02x}{shade:02x}"
            text = f"<B>{n}</B>" if want == got else str(n)
            cells.append(f'<TD BGCOLOR="{colour}" WIDTH="48">{text}</TD>')
        cells.append("</TR>")
    label = (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        f'<TR><TD COLSPAN="{len(roles) + 1}" BORDER="0"><B>{escape(title)}</B></TD></TR>'
        f"{''.join(cells)}</TABLE>>"
    )
    graph = pygraphviz.AGraph(directed=False)
    graph.node_attr.update(shape="plaintext", fontname="Helvetica", fontsize="11")
    graph.add_node("matrix", label=label)
    path.parent.mkdir(parents=True, exist_ok=True)
    graph.draw(str(path), format="svg", prog="dot")
    return True


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    # while writing rules: the parts that may be read, and not even the held-out counts
    development_only = "--development" in argv
    print("ecslab diagnose benchmark (targets: issue 6 on corpus 1, issue 15 on the held-out part)")
    figures = {}
    for title, slug, path, blind in PARTS:
        if blind and development_only:
            print(f"\n== {title}: left out (--development)")
            continue
        if not path.exists():
            print(f"\n== {title}: not found ({path.name})")
            continue
        result = measure(load(path))
        figures[slug] = report(title, result, blind, show_misses)
        matrix = Counter((r["want"], r["got"]) for r in result["rows"])
        svg = OUT / f"diagnose-confusion-{slug}.svg"
        if confusion_svg(f"diagnose: {title}", matrix, svg):
            print(
                f"  drawn: {svg.relative_to(Path.cwd()) if svg.is_relative_to(Path.cwd()) else svg}"
            )
    held = [figures[slug] for slug in figures if slug.endswith("held-out")]
    if held:
        # both held-out parts together, weighted by their sizes
        total = sum(n for _, _, n in held)
        top1 = sum(t * n for t, _, n in held) / total
        among = sum(a * n for _, a, n in held) / total
        print(
            f"\nheld-out targets ({total} messages): top-1 {top1:.1%} (>= {TOP1:.0%}: "
            f"{'meets' if top1 >= TOP1 else 'MISSES'}), among candidates {among:.1%} "
            f"(>= {AMONG:.0%}: {'meets' if among >= AMONG else 'MISSES'})"
        )
    if "corpus1" in figures:
        top1 = figures["corpus1"][0]
        print(
            f"corpus 1 target (issue 6): top-1 {top1:.1%} (>= 90 %: "
            f"{'meets' if top1 >= 0.9 else 'MISSES'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
