"""How long does the course take to run, and how much memory does its kernel need? Issue 7's
targets:

- the whole course, every notebook run top to bottom: < 90 s
- the peak RSS of one kernel that ran every notebook, in order, as a workshop learner does:
  < 350 MiB

Each notebook is run by nbclient in the same kernel, one after the other (the time of a notebook
counts from its first cell to its last; the kernel's start is printed apart). The peak is the
kernel's own ``ru_maxrss``, asked after each notebook, so it is the high-water mark so far. This
is the figure the README's "Running a workshop" section quotes against Binder's memory limit.

    .venv/bin/python benchmarks/course.py            # every notebook
    .venv/bin/python benchmarks/course.py 02 03      # only these (the peak is then theirs)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TARGET_SECONDS = 90.0
TARGET_MIB = 350.0
PER_NOTEBOOK_SECONDS = 15.0  # the limit for one notebook
PEAK = (
    "import json, resource; "
    "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))"
)


def _peak_mib(client: NotebookClient) -> float:
    cell = nbformat.v4.new_code_cell(PEAK)
    client.nb = nbformat.v4.new_notebook(cells=[cell])  # nbclient writes the cell back into nb
    client.execute_cell(cell, 0)
    return float(json.loads(cell.outputs[0]["text"]))


def main(argv: list[str]) -> int:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if argv:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in argv)]
    if not paths:
        print(f"no notebook in {NOTEBOOKS} starts with {' or '.join(argv)}")
        return 2
    client = NotebookClient(
        nbformat.v4.new_notebook(),
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    print(f"{'notebook':<40} {'seconds':>8} {'peak MiB':>9}")
    total = 0.0
    started = time.perf_counter()
    with client.setup_kernel():
        seconds = time.perf_counter() - started
        print(f"{'(kernel start)':<40} {seconds:8.2f} {_peak_mib(client):9.0f}")
        for path in paths:
            notebook = nbformat.read(path, as_version=4)
            client.nb = notebook
            began = time.perf_counter()
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                client.execute_cell(cell, index)
                failed = [o for o in cell.outputs if o["output_type"] == "error"]
                if failed and "raises-exception" not in cell.metadata.get("tags", []):
                    print(f"{path.name}, cell {index} failed: {failed[0]['ename']}")
                    return 1
            seconds = time.perf_counter() - began
            total += seconds
            slow = seconds >= PER_NOTEBOOK_SECONDS
            mark = f"  (over {PER_NOTEBOOK_SECONDS:.0f} s)" if slow else ""
            print(f"{path.name:<40} {seconds:8.2f} {_peak_mib(client):9.0f}{mark}")
        peak = _peak_mib(client)
    print()
    ok_time = "met" if total < TARGET_SECONDS else "MISSED"
    ok_peak = "met" if peak < TARGET_MIB else "MISSED"
    print(f"whole course: {total:.1f} s (target < {TARGET_SECONDS:.0f} s: {ok_time})")
    print(f"peak kernel RSS: {peak:.0f} MiB (target < {TARGET_MIB:.0f} MiB: {ok_peak})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
