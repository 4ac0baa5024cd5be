"""The workbench in a real browser: JupyterLab, Chromium, Run All, a policy unticked, Run task.

What a learner does in the workbench notebook, and what they must then see: the task's status
(``TaskFailedToStart``, the execution role having lost its managed policy) without looking for
it, and the diagram of who called what in its tab. The window is a 1080p screen's (``VIEWPORT``
in conftest.py), and the whole workbench fits in its notebook area whichever tab is open.
Screenshots go to ``test-artifacts/browser/``.
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
# The notebook area of a 1920x1080 window is about 950 px tall (JupyterLab's menu, tab and tool
# bars and its status bar take the rest): the workbench fits in it, with room to spare.
MAX_HEIGHT = 900


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

        workbenches = notebook.locator(".jp-OutputArea-output").filter(
            has=page.get_by_role("heading", name="Role workbench")
        )
        expect(workbenches).to_have_count(3)  # the lesson's, and one in each exercise
        for each in workbenches.all():
            fits_the_screen(each.locator(".ecslab-workbench"))
        # the lesson's workbench, the one with the broken setups
        workbench = workbenches.first
        bench = workbench.locator(".ecslab-workbench")
        run_task = workbench.get_by_role("button", name="Run task")
        expect(run_task).to_be_visible()
        heights = {"first display": fits_the_screen(bench)}
        screenshot(page, "01-after-run-all.png")

        # Whatever the notebook did to the roles before, start from the course's roles.
        workbench.get_by_role("button", name="Reset").click()
        expect(workbench.get_by_text("Both roles are back")).to_be_visible(
            timeout=CLICK_SECONDS * 1000
        )

        # The execution role's tab and its managed policies are open first; only the open tab's
        # controls are on the page, so the checkbox found is the execution role's.
        expect(tab(workbench, "Task execution role")).to_have_attribute("aria-selected", "true")
        expect(tab(workbench, "AWS managed policies")).to_have_attribute("aria-selected", "true")
        expect(
            workbench.get_by_role("heading", name="Task execution role: ecs-execution-role")
        ).to_be_visible()
        box = workbench.get_by_role("checkbox", name=POLICY, exact=True)
        expect(box).to_be_checked()
        box.uncheck()
        expect(workbench.get_by_text(f"{POLICY} detached from")).to_be_visible(
            timeout=CLICK_SECONDS * 1000
        )

        # A learner looking at another result tab still sees the new status after Run task:
        # one line beside the button, and the Status & logs tab opened.
        tab(workbench, "Diagram").click()  # the diagram of the notebook's last run
        expect(workbench.locator(".ecslab-workbench-diagram")).to_be_visible()
        run_task.click()
        outcome = workbench.get_by_role("status").filter(has_text="Last run")
        expect(outcome).to_contain_text("stopCode TaskFailedToStart", timeout=CLICK_SECONDS * 1000)
        expect(outcome).to_contain_text("✗")  # a mark and words, not colour alone
        expect(tab(workbench, "Status & logs")).to_have_attribute("aria-selected", "true")
        status = workbench.locator(".widget-html").filter(has_text="stoppedReason")
        expect(status).to_be_visible()
        expect(status).to_contain_text("TaskFailedToStart")
        expect(status).to_contain_text("ResourceInitializationError")
        logs = workbench.locator(".widget-html").filter(has_text="No log lines")
        expect(logs).to_contain_text("the app never ran")
        heights["after Run task"] = fits_the_screen(bench)
        screenshot(page, "02-task-status.png")

        tab(workbench, "Diagram").click()
        diagram = workbench.locator("figure").filter(has=page.locator("svg"))
        expect(diagram).to_have_count(1, timeout=CLICK_SECONDS * 1000)
        svg = diagram.locator("svg").first
        expect(svg).to_be_visible()
        expect(diagram.locator("figcaption")).to_contain_text("ecr:GetAuthorizationToken")
        # the picture is scaled to the tab's width: nothing of it is cut off at the side
        pane = workbench.locator(".ecslab-workbench-diagram")
        assert svg.bounding_box()["width"] <= pane.bounding_box()["width"] + 1
        heights["Diagram tab"] = fits_the_screen(bench)
        screenshot(page, "03-diagram.png")

        tab(workbench, "Trace").click()
        expect(workbench.locator("table.ecslab-trace")).to_contain_text("ecr:GetAuthorizationToken")
        heights["Trace tab"] = fits_the_screen(bench)
        screenshot(page, "04-trace.png")

        # the broken setups, folded away until asked for
        scenario = workbench.get_by_role("combobox", name="Scenario")
        expect(scenario).to_be_hidden()
        workbench.get_by_text("Broken setups (scenarios)").click()
        expect(scenario).to_be_visible()
        expect(workbench.get_by_role("button", name="Load scenario")).to_be_visible()
        heights["broken setups open"] = fits_the_screen(bench)
        print("workbench height at 1920x1080:", {k: f"{v:.0f} px" for k, v in heights.items()})
    except Exception:
        screenshot(page, "failure.png")
        print(f"jupyter lab's log ends:\n{jupyter_lab.log_tail()}")
        raise


def tab(workbench, title: str):
    """The tab called ``title`` among those on show (a hidden role's tabs are not)."""
    return workbench.get_by_role("tab", name=title, exact=True)


def fits_the_screen(bench) -> float:
    """The workbench's rendered height, checked against the notebook area of a 1080p window:
    scrolled to the top of the notebook, all of it is in the window at once."""
    bench.evaluate("element => element.scrollIntoView({block: 'start'})")
    box = bench.bounding_box()
    assert box["height"] <= MAX_HEIGHT, f"the workbench is {box['height']:.0f} px tall"
    window = bench.page.viewport_size["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= window, box
    return box["height"]


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
