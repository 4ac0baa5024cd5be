"""The workbench's layout in a notebook: what keeps it inside the output area.

A reviewer in JupyterLab (1400 px wide window) found the diagram's SVG wider than the output and
cut off, the trace's last columns out of reach, "Save inline policy" and "Remove inline policy"
truncated, the Name box past its panel's edge and the JSON editors wrapping long lines back to
column 0. The browser shows the fix; these tests hold the parts a browser is not needed for: the
scoped CSS the workbench sends, the classes it puts on its widgets and the layouts of its controls.
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
