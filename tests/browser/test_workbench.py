"""The workbench in a real browser: JupyterLab, Chromium, Run All, a policy unticked, Run task.

What a learner does in the workbench notebook, and what they must then see: the task's status
(``TaskFailedToStart``, the execution role having lost its managed policy) without looking for
it, and the diagram of who called what in its tab. The window is a 1080p screen's (``VIEWPORT``
in conftest.py), and the whole workbench fits in its notebook area whichever tab is open.
Once in each edition: English, and Japanese (``notebooks/ja/``, JupyterLab's menus in Japanese,
the workbench's labels from ecslab's Japanese catalog, the diagram's Japanese text drawn with a
Japanese font). Screenshots go to ``test-artifacts/browser/`` (``ja-...`` for the Japanese).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "04_workbench.ipynb"  # the workbench lesson
POLICY = "AmazonECSTaskExecutionRolePolicy"
RUN_ALL_SECONDS = 180  # a notebook runs in well under 15 s; a cold kernel on 2 cores needs more
CLICK_SECONDS = 60  # a click goes to the kernel and back: a task run, a diagram rendered
# The notebook area of a 1920x1080 window is about 950 px tall (JupyterLab's menu, tab and tool
# bars and its status bar take the rest): the workbench fits in it, with room to spare.
MAX_HEIGHT = 900


# JupyterLab's own words, as its Japanese language pack (jupyterlab-language-pack-ja-JP) has them.
JUPYTERLAB = {
    "en": {
        "Edit": "Edit",
        "Clear Outputs of All Cells": "Clear Outputs of All Cells",
        "Run": "Run",
        "Run All Cells": "Run All Cells",
        "Idle": "Idle",
        "No Kernel": "No Kernel",
    },
    "ja": {
        "Edit": "編集",
        "Clear Outputs of All Cells": "すべてのセルの出力を消去",
        "Run": "実行",
        "Run All Cells": "すべてのセルを実行",
        "Idle": "アイドル",
        "No Kernel": "カーネルがありません",
    },
}


def words(edition: str) -> dict[str, str]:
    """What the learner reads on the page in ``edition``: JupyterLab's words and ecslab's (from
    its catalog, as the kernel shows them)."""
    from ecslab.i18n import _, set_language

    set_language(edition)
    try:
        ours = {
            key: _(key)
            for key in (
                "Role workbench",
                "Run task",
                "Reset",
                "Task execution role",
                "AWS managed policies",
                "Diagram",
                "Status & logs",
                "Trace",
                "Scenario",
                "Broken setups (scenarios)",
                "Load scenario",
            )
        }
        ours["roles are back"] = _("Both roles are back as the course starts them.")
        ours["detached"] = _("{policy} detached from {role}.").format(
            policy=POLICY, role="ecs-execution-role"
        )
        ours["Last run"] = re.sub(r"<[^>]+>|:.*", "", _("<strong>Last run</strong>: {parts}"))
        ours["never ran"] = _("No log lines: the app never ran, so the log stream holds nothing.")
    finally:
        set_language(None)
    return {**JUPYTERLAB[edition], **ours}


def test_untick_the_execution_policy_and_run_the_task(jupyter_lab, browser_page, screenshot):
    from playwright.sync_api import expect

    page = browser_page
    edition = jupyter_lab.edition
    w = words(edition)
    folder = "notebooks" if edition == "en" else f"notebooks/{edition}"
    prefix = "" if edition == "en" else f"{edition}-"
    page.goto(jupyter_lab.page_url(f"{folder}/{NOTEBOOK}"))
    try:
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(notebook.locator(".jp-Notebook")).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)
        # The kernel has started when the status bar names it and says Idle (the toolbar's
        # indicator already says "idle" while the notebook still has no kernel).
        kernel_idle = page.get_by_role("contentinfo").get_by_role(
            "button", name=re.compile(rf"^(?!{w['No Kernel']}).+ \| {w['Idle']}$")
        )
        expect(kernel_idle).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)

        # Clear every output first, so that each number seen after Run All is a fresh one.
        menu(page, w["Edit"], w["Clear Outputs of All Cells"])
        numbered = notebook.locator(".jp-CodeCell .jp-InputPrompt").filter(
            has_text=re.compile(r"^\[\d+\]:$")
        )
        expect(numbered).to_have_count(0)
        menu(page, w["Run"], w["Run All Cells"])
        # Every code cell with code in it numbered again (none queued "[*]"), the kernel idle.
        expect(numbered).to_have_count(
            code_cells(jupyter_lab.root / folder / NOTEBOOK), timeout=RUN_ALL_SECONDS * 1000
        )
        expect(kernel_idle).to_be_visible(timeout=RUN_ALL_SECONDS * 1000)

        workbenches = notebook.locator(".jp-OutputArea-output").filter(
            has=page.get_by_role("heading", name=w["Role workbench"])
        )
        expect(workbenches).to_have_count(3)  # the lesson's, and one in each exercise
        for each in workbenches.all():
            fits_the_screen(each.locator(".ecslab-workbench"))
        # the lesson's workbench, the one with the broken setups
        workbench = workbenches.first
        bench = workbench.locator(".ecslab-workbench")
        run_task = workbench.get_by_role("button", name=w["Run task"])
        expect(run_task).to_be_visible()
        heights = {"first display": fits_the_screen(bench)}
        screenshot(page, f"{prefix}01-after-run-all.png")

        # Whatever the notebook did to the roles before, start from the course's roles.
        workbench.get_by_role("button", name=w["Reset"]).click()
        expect(workbench.get_by_text(w["roles are back"])).to_be_visible(
            timeout=CLICK_SECONDS * 1000
        )

        # The execution role's tab and its managed policies are open first; only the open tab's
        # controls are on the page, so the checkbox found is the execution role's.
        expect(tab(workbench, w["Task execution role"])).to_have_attribute("aria-selected", "true")
        expect(tab(workbench, w["AWS managed policies"])).to_have_attribute("aria-selected", "true")
        expect(
            workbench.get_by_role("heading", name=f"{w['Task execution role']}: ecs-execution-role")
        ).to_be_visible()
        box = workbench.get_by_role("checkbox", name=POLICY, exact=True)
        expect(box).to_be_checked()
        box.uncheck()
        expect(workbench.get_by_text(w["detached"])).to_be_visible(timeout=CLICK_SECONDS * 1000)

        # A learner looking at another result tab still sees the new status after Run task:
        # one line beside the button, and the Status & logs tab opened.
        tab(workbench, w["Diagram"]).click()  # the diagram of the notebook's last run
        expect(workbench.locator(".ecslab-workbench-diagram")).to_be_visible()
        run_task.click()
        outcome = workbench.get_by_role("status").filter(has_text=w["Last run"])
        expect(outcome).to_contain_text("stopCode TaskFailedToStart", timeout=CLICK_SECONDS * 1000)
        expect(outcome).to_contain_text("✗")  # a mark and words, not colour alone
        expect(tab(workbench, w["Status & logs"])).to_have_attribute("aria-selected", "true")
        status = workbench.locator(".widget-html").filter(has_text="stoppedReason")
        expect(status).to_be_visible()
        expect(status).to_contain_text("TaskFailedToStart")
        expect(status).to_contain_text("ResourceInitializationError")
        logs = workbench.locator(".widget-html").filter(has_text=w["never ran"])
        expect(logs).to_be_visible()
        heights["after Run task"] = fits_the_screen(bench)
        screenshot(page, f"{prefix}02-task-status.png")

        tab(workbench, w["Diagram"]).click()
        diagram = workbench.locator("figure").filter(has=page.locator("svg"))
        expect(diagram).to_have_count(1, timeout=CLICK_SECONDS * 1000)
        svg = diagram.locator("svg").first
        expect(svg).to_be_visible()
        expect(diagram.locator("figcaption")).to_contain_text("ecr:GetAuthorizationToken")
        # the picture is scaled to the tab's width: nothing of it is cut off at the side
        pane = workbench.locator(".ecslab-workbench-diagram")
        assert svg.bounding_box()["width"] <= pane.bounding_box()["width"] + 1
        if edition == "ja":
            drawn_with_a_japanese_font(page, svg)
        heights["Diagram tab"] = fits_the_screen(bench)
        screenshot(page, f"{prefix}03-diagram.png")

        tab(workbench, w["Trace"]).click()
        expect(workbench.locator("table.ecslab-trace")).to_contain_text("ecr:GetAuthorizationToken")
        heights["Trace tab"] = fits_the_screen(bench)
        screenshot(page, f"{prefix}04-trace.png")

        # the broken setups, folded away until asked for
        scenario = workbench.get_by_role("combobox", name=w["Scenario"])
        expect(scenario).to_be_hidden()
        workbench.get_by_text(w["Broken setups (scenarios)"]).click()
        expect(scenario).to_be_visible()
        expect(workbench.get_by_role("button", name=w["Load scenario"])).to_be_visible()
        heights["broken setups open"] = fits_the_screen(bench)
        print(
            f"workbench height at 1920x1080 ({edition}):",
            {k: f"{v:.0f} px" for k, v in heights.items()},
        )
    except Exception:
        screenshot(page, f"{prefix}failure.png")
        print(f"jupyter lab's log ends:\n{jupyter_lab.log_tail()}")
        raise


JAPANESE_TEXT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def drawn_with_a_japanese_font(page, svg) -> None:
    """The diagram's Japanese text is drawn with a Japanese font, as Chromium reports the fonts
    it used for the glyphs of a text node (DevTools' CSS.getPlatformFontsForNode): no empty
    boxes for want of one."""
    texts = [t for t in svg.locator("text").all() if JAPANESE_TEXT.search(t.text_content() or "")]
    assert texts, "the Japanese diagram has no Japanese text"
    texts[0].evaluate("element => element.setAttribute('data-ecslab-probe', '1')")
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    document = session.send("DOM.getDocument", {"depth": -1, "pierce": True})
    found = session.send(
        "DOM.querySelector",
        {"nodeId": document["root"]["nodeId"], "selector": "[data-ecslab-probe]"},
    )
    used = session.send("CSS.getPlatformFontsForNode", {"nodeId": found["nodeId"]})["fonts"]
    families = {f["familyName"] for f in used if f["glyphCount"]}
    japanese = ("CJK", "JP", "Gothic", "Hiragino", "Meiryo", "IPA")
    assert any(any(mark in family for mark in japanese) for family in families), families
    print("the diagram's Japanese text is drawn with:", sorted(families))


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
    assert (ROOT / "notebooks" / "ja" / NOTEBOOK).exists()
