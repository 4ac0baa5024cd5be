"""The workbench's layout in a notebook: what keeps it inside the output area and one screen.

A reviewer in JupyterLab (1400 px wide window) found the diagram's SVG wider than the output and
cut off, the trace's last columns out of reach, "Save inline policy" and "Remove inline policy"
truncated, the Name box past its panel's edge and the JSON editors wrapping long lines back to
column 0. A learner then found it 4,000 px tall, the status of a run far below Run task: now
the roles and the results are in tabs, so that it fits a 1080p screen. The browser measures it
(tests/browser); these tests hold the parts a browser is not needed for: the tabs and what is in
each, the scoped CSS the workbench sends, the classes it puts on its widgets and the layouts of
its controls.
"""

from __future__ import annotations

import re

import pytest

from ecslab.coach import workbench as wb

pytest.importorskip("ipywidgets")


@pytest.fixture
def bench(lab):
    return lab.workbench()


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def rules(css: str) -> dict[str, str]:
    """``selector -> declarations`` of a flat stylesheet."""
    found = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    return {selector.strip(): body.strip() for selector, body in found}


def style_block(bench) -> str:
    import ipywidgets as w

    blocks = [
        m
        for x in walk(bench.widget)
        if isinstance(x, w.HTML)
        for m in re.findall(r"<style>(.*?)</style>", x.value, flags=re.S)
    ]
    assert len(blocks) == 1, "the workbench sends its CSS once"
    return blocks[0]


def holds(container, widget) -> bool:
    return any(x is widget for x in walk(container))


def test_one_tab_per_role_and_one_per_part_of_a_role(bench):
    assert bench.roles.titles == ("Task execution role", "Task role")
    assert list(bench.roles.children) == [bench.execution.widget, bench.task.widget]
    assert bench.roles.selected_index == 0  # the execution role first, as the task launches
    for panel in (bench.execution, bench.task):
        sections = panel.sections
        assert sections.titles == ("AWS managed policies", "Inline policies", "Trust policy")
        assert sections.selected_index == 0  # the toggles, a learner's first move
        managed, inline, trust = sections.children
        assert all(holds(managed, box) for box in panel.toggles.values())
        assert holds(managed, panel.toggle_messages)
        for widget in (panel.inline_select, panel.inline_name, panel.inline_editor):
            assert holds(inline, widget)
        for widget in (panel.inline_messages, panel.apply_button, panel.remove_button):
            assert holds(inline, widget)
        for widget in (panel.trust_editor, panel.trust_messages, panel.trust_button):
            assert holds(trust, widget)
        # the role's name stays in sight above its tabs
        assert list(panel.widget.children) == [panel.heading, sections]
        assert panel.role.name in panel.heading.value


def test_what_the_task_did_is_in_three_tabs_that_scroll(bench):
    assert bench.results.titles == ("Status & logs", "Diagram", "Trace")
    assert bench.results.selected_index == 0
    status_and_logs, diagram, trace = bench.results.children
    assert holds(status_and_logs, bench.status) and holds(status_and_logs, bench.logs)
    assert holds(diagram, bench.diagram) and holds(trace, bench.trace)
    for pane in bench.results.children:  # a long trace or a tall diagram scrolls in its tab
        assert pane.layout.max_height == wb.PANE_HEIGHT
        assert pane.layout.overflow == "auto"
    # before a run, each tab says what will be there
    assert "Run the task" in bench.diagram.value and "Run the task" in bench.trace.value


def test_the_roles_beside_the_results_stacked_when_narrow(bench):
    row = next(x for x in walk(bench.widget) if bench.roles in getattr(x, "children", ()))
    assert list(row.children) == [bench.roles, bench.results]
    assert row.layout.flex_flow == "row wrap"
    # the results get the larger share: the diagram is scaled to their width
    assert bench.roles.layout.flex == "2 1 28em"
    assert bench.results.layout.flex == "3 1 32em"


def test_run_task_reset_and_the_outcome_share_the_top_row(bench):
    top = list(bench.widget.children)
    row = next(x for x in top if bench.run_button in getattr(x, "children", ()))
    assert list(row.children) == [bench.run_button, bench.reset_button, bench.outcome]
    assert top.index(row) < top.index(bench.messages) < top.index(bench.scenario_picker)


def test_the_broken_setups_are_folded_away(bench, lab):
    picker = bench.scenario_picker
    assert picker.titles == ("Broken setups (scenarios)",)
    assert picker.selected_index is None  # folded
    assert holds(picker, bench.scenario_select) and holds(picker, bench.load_button)
    plain = lab.workbench(scenarios=False)  # the exercises' workbenches
    assert plain.scenario_picker is None
    assert not holds(plain.widget, plain.scenario_select)


def test_no_box_has_a_tooltip(bench):
    """ipywidgets 8.1 fails to draw a box (a tab, an accordion...) that has a tooltip: "Cannot
    read properties of undefined (reading 'length')" (jupyter-widgets/ipywidgets#3860)."""
    import ipywidgets as w

    boxes = [x for x in walk(bench.widget) if isinstance(x, w.Box)]
    assert any(isinstance(x, w.Tab) for x in boxes) and any(
        isinstance(x, w.Accordion) for x in boxes
    )
    for box in boxes:
        assert not box.tooltip, box


def test_a_tab_is_as_wide_as_its_title():
    found = rules(wb.WORKBENCH_CSS)
    tab = found[
        f".{wb.WORKBENCH_CLASS} .jupyter-widgets.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab"
    ]
    assert tab == "flex:0 1 auto"


def test_the_css_goes_with_the_workbench_and_stays_inside_it(bench):
    assert wb.WORKBENCH_CLASS in bench.widget._dom_classes
    css = style_block(bench)
    assert css == wb.WORKBENCH_CSS
    found = rules(css)
    assert found, css
    # every rule is scoped to the workbench: nothing else in the notebook changes
    for selector in found:
        for part in selector.split(","):
            assert part.strip().startswith(f".{wb.WORKBENCH_CLASS}"), part


def test_the_diagram_scales_to_the_width_there_is(bench):
    found = rules(wb.WORKBENCH_CSS)
    svg = found[f".{wb.WORKBENCH_CLASS} .ecslab-workbench-diagram svg"]
    assert "max-width:100%" in svg and "height:auto" in svg
    caption = found[f".{wb.WORKBENCH_CLASS} .ecslab-workbench-diagram figcaption"]
    assert "white-space:normal" in caption and "overflow-wrap:anywhere" in caption
    # the HTML outputs may be narrower than their content (a flex item is not, by default)
    wide = found[
        f".{wb.WORKBENCH_CLASS} .{wb.WIDE_CLASS},"
        f".{wb.WORKBENCH_CLASS} .{wb.WIDE_CLASS} > .widget-html-content"
    ]
    assert "min-width:0" in wide
    for output in (bench.status, bench.logs, bench.diagram, bench.trace, bench.messages):
        assert wb.WIDE_CLASS in output._dom_classes

    bench.run()
    html = bench.diagram.value
    assert html.startswith('<div class="ecslab-workbench-diagram"')
    assert "<figure" in html and "figcaption" in html
    svg_tag = re.search(r"<svg[^>]*>", html)
    if svg_tag:  # Graphviz may be missing; the caption says the same then
        assert "viewBox=" in svg_tag.group(0), "scaling keeps the picture's proportions"


def test_the_trace_scrolls_sideways_in_its_own_box(bench):
    found = rules(wb.WORKBENCH_CSS)
    table = found[f".{wb.WORKBENCH_CLASS} .ecslab-trace-box table.ecslab-trace"]
    assert "width:max-content" in table and "max-width:120em" in table
    bench.run()
    html = bench.trace.value
    # the trace table's own box (ecslab.show.tables.styled_html) scrolls sideways
    assert html.startswith('<div class="ecslab-trace-box" style="overflow-x:auto;max-width:100%">')
    assert '<table class="ecslab-trace"' in html and html.endswith("</div>")
    assert "logs:PutLogEvents" in html


def test_the_buttons_are_as_wide_as_their_names(bench):
    for panel in (bench.execution, bench.task):
        for button in (panel.apply_button, panel.remove_button, panel.trust_button):
            assert button.layout.width == "auto", button.description
            assert button.layout.flex == "0 0 auto", button.description
    assert bench.load_button.layout.width == "auto"
    assert bench.execution.apply_button.description == "Save inline policy"
    assert bench.execution.remove_button.description == "Remove inline policy"
    # the two buttons share a row, which wraps rather than cutting one off
    row = next(
        x
        for x in walk(bench.execution.widget)
        if bench.execution.apply_button in getattr(x, "children", ())
    )
    assert bench.execution.remove_button in row.children
    assert row.layout.flex_flow == "row wrap"


def test_the_name_box_fits_its_panel(bench):
    panel = bench.execution
    row = next(x for x in walk(panel.widget) if panel.inline_name in getattr(x, "children", ()))
    assert list(row.children) == [panel.inline_select, panel.inline_name]
    assert row.layout.width == "100%" and row.layout.flex_flow == "row wrap"
    # no fixed 300 px: the name takes what the dropdown leaves, and may shrink
    assert panel.inline_name.layout.width == "auto"
    assert panel.inline_name.layout.flex == "1 1 12em"
    assert panel.inline_select.layout.width == "auto"
    assert panel.inline_select.layout.max_width == "100%"


def test_the_json_editors_keep_long_lines_on_one_line(bench):
    textarea = rules(wb.WORKBENCH_CSS)[f".{wb.WORKBENCH_CLASS} .{wb.JSON_CLASS} textarea"]
    assert "white-space:pre" in textarea and "overflow-x:auto" in textarea
    assert "overflow-wrap:normal" in textarea
    for panel in (bench.execution, bench.task):
        for editor in (panel.inline_editor, panel.trust_editor):
            assert wb.JSON_CLASS in editor._dom_classes
            assert editor.layout.width == "100%"


def test_the_wrappers_alone():
    assert wb.diagram_html("<figure>x</figure>") == (
        '<div class="ecslab-workbench-diagram" style="max-width:100%;min-width:0">'
        "<figure>x</figure></div>"
    )
