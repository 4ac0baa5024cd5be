"""How nbval compares the course's notebooks: strictly, except for what cannot be the same on
every machine. A diagram's SVG depends on the Graphviz version and the fonts installed, so it is
not compared — each diagram's DOT source and text equivalent are (the text is in the same output).
Widget views carry random model ids (nbval skips them already)."""

from __future__ import annotations

SVG = r"(?s)<svg\b.*?</svg>"


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare") and hasattr(collector, "sanitize_patterns"):
        collector.skip_compare = (*collector.skip_compare, "image/svg+xml")
        collector.sanitize_patterns[SVG] = "<svg>(drawn by Graphviz: not compared)</svg>"
