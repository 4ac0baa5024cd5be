"""The workbench in a real browser: JupyterLab, Chromium, Run All, a policy unticked, Run task.

What a learner does in the workbench notebook, and what they must then see: the task's status
(``TaskFailedToStart``, the execution role having lost its managed policy) and the diagram of who
called what. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The workbench lesson; until it exists, the start notebook, which also ends with lab.workbench().
NOTEBOOK = next(
    name
    for name in ("04_workbench.ipynb", "00_start_here.ipynb")
    if (ROOT / "notebooks" / name).exists()
)
POLICY = "AmazonECSTaskExecutionRolePolicy"
RUN_ALL_SECONDS = 180  # a notebook runs in well under 15 s; a cold kernel on 2 cores needs more
CLICK_SECONDS = 60  # a click goes to the kernel and back: a task run, a diagram rendered


def test_untick_the_execution_policy_and_run_the_task(jupyter_lab, browser_page, screenshot):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(jupyter_lab.page_url(f"notebooks/{NOTEBOOK}"))
    try:
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(notebook.locator(".jp-Notebook")).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)
        # The kernel has started when the status bar names it and says Idle (the toolbar's
        # indicator already says "idle" while the notebook still has no kernel).
        kernel_idle = page.get_by_role("contentinfo").get_by_role(
            "button", name=re.compile(r"^(?!No Kernel).+ \| Idle$")
        )
        expect(kernel_idle).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)

        # Clear every output first, so that each number seen after Run All is a fresh one.
        menu(page, "Edit", "Clear Outputs of All Cells")
        numbered = notebook.locator(".jp-CodeCell .jp-InputPrompt").filter(
            has_text=re.compile(r"^\[\d+\]:$")
        )
        expect(numbered).to_have_count(0)
        menu(page, "Run", "Run All Cells")
        # Every code cell with code in it numbered again (none queued "[*]"), the kernel idle.
        expect(numbered).to_have_count(
            code_cells(jupyter_lab.root / "notebooks" / NOTEBOOK), timeout=RUN_ALL_SECONDS * 1000
        )
        expect(kernel_idle).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)

        workbench = (
            notebook.locator(".jp-OutputArea-output")
            .filter(has=page.get_by_role("heading", name="Role workbench"))
            .last
        )
        run_task = workbench.get_by_role("button", name="Run task")
        expect(run_task).to_be_visible()
        screenshot(page, "01-after-run-all.png")

        # Whatever the notebook did to the roles before, start from the course's roles.
        workbench.get_by_role("button", name="Reset").click()
        expect(workbench.get_by_text("Both roles are back")).to_be_visible(
            timeout=CLICK_SECONDS * 1000
        )

        panel = (
            workbench.locator(".widget-vbox")
            .filter(has=page.get_by_role("heading", name=re.compile(r"^Task execution role")))
            .filter(has_not=page.get_by_role("heading", name="Role workbench"))
        )
        box = panel.get_by_role("checkbox", name=POLICY, exact=True)
        expect(box).to_be_checked()
        box.uncheck()
        expect(panel.get_by_text(f"{POLICY} detached from")).to_be_visible(
            timeout=CLICK_SECONDS * 1000
        )

        run_task.click()
        status = workbench.locator(".widget-html").filter(has_text="stopCode")
        expect(status).to_contain_text("TaskFailedToStart", timeout=CLICK_SECONDS * 1000)
        expect(status).to_contain_text("ResourceInitializationError")
        logs = workbench.locator(".widget-html").filter(has_text="No log lines")
        expect(logs).to_contain_text("the app never ran")
        diagram = workbench.locator("figure").filter(has=page.locator("svg"))
        expect(diagram).to_have_count(1, timeout=CLICK_SECONDS * 1000)
        expect(diagram.locator("svg").first).to_be_visible()
        expect(diagram.locator("figcaption")).to_contain_text("ecr:GetAuthorizationToken")

        # The notebook scrolls inside the page: bring each part into view, then photograph it.
        status.scroll_into_view_if_needed()
        screenshot(page, "02-task-status.png")
        diagram.scroll_into_view_if_needed()
        screenshot(page, "03-diagram.png")  # the figure is taller than the window
    except Exception:
        screenshot(page, "failure.png")
        print(f"jupyter lab's log ends:\n{jupyter_lab.log_tail()}")
        raise


def menu(page, title: str, item: str) -> None:
    """Click ``item`` in the menu bar's ``title`` menu, as a learner would."""
    page.locator(".lm-MenuBar-item").filter(has_text=re.compile(f"^{title}$")).click()
    page.locator(".lm-Menu-item").filter(has_text=re.compile(f"^{re.escape(item)}")).click()


def code_cells(path: Path) -> int:
    """How many code cells of the notebook have code (an empty one gets no number)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip())


@pytest.fixture(autouse=True)
def _notebook_name_is_known():
    assert (ROOT / "notebooks" / NOTEBOOK).exists()
