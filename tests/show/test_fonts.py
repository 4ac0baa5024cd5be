"""The Japanese font ecslab ships for Graphviz: it holds every character the Japanese catalog
writes, fontconfig finds it through ecslab's configuration (which keeps the machine's own), and
Graphviz then sizes a box to the Japanese label's real width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecslab.show import fonts

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "ecslab" / "i18n" / "locale" / "ja" / "LC_MESSAGES" / "ecslab.po"


@pytest.fixture(scope="module")
def font():
    ttlib = pytest.importorskip("fontTools.ttLib")
    return ttlib.TTFont(str(fonts.FONT_FILE))


def test_the_font_is_noto_sans_cjk_jp_with_its_license(font):
    assert font["name"].getDebugName(1) == fonts.FAMILY
    assert "SIL Open Font License" in (fonts.FONT_FILE.parent / "LICENSE-OFL.txt").read_text()


def test_every_character_of_the_japanese_catalog_is_in_the_font(font):
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    written = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            written.update(text or "")
    cmap = font.getBestCmap()
    missing = {c for c in written if c.isprintable() and ord(c) not in cmap and c != " "}
    # the outcome marks are drawn by the machine's fonts in both languages (the English diagrams
    # have them too); Noto Sans CJK JP has no ✗
    assert missing <= set("✓✗○→")


def test_the_configuration_keeps_the_machines_fonts_and_adds_ours(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    own = str(tmp_path / "my-fonts.conf")
    text = fonts.config_text(own)
    assert text.index(own) < text.index(fonts._USUAL_CONFIGS[0])  # the machine's own config
    assert f"<dir>{fonts.FONT_FILE.parent}</dir>" in text
    path = fonts.config_file()
    assert path.read_text() == fonts.config_text() and path.is_relative_to(tmp_path)
    assert fonts.config_file() == path  # written once for its content


def test_using_the_font_keeps_a_learners_own_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    own = tmp_path / "own.conf"
    own.write_text("<fontconfig/>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(own))
    assert fonts.use_shipped_font()
    ours = Path(fonts.os.environ["FONTCONFIG_FILE"])
    assert ours != own and f'<include ignore_missing="yes">{own}</include>' in ours.read_text()
    assert fonts.use_shipped_font() and Path(fonts.os.environ["FONTCONFIG_FILE"]) == ours


LABEL = "タスク実行ロールがイメージを取得する"


def text_width(font, text: str, size: float) -> float:
    """The label's width in points, from the font's own advance widths."""
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap[ord(c)]][0] for c in text)
    return units * size / font["head"].unitsPerEm


def test_graphviz_sizes_a_box_to_the_japanese_labels_real_width(font, monkeypatch, tmp_path):
    """In a child process, so that fontconfig starts with ecslab's configuration (a process
    reads it once)."""
    import subprocess
    import sys

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    probe = f"""
from ecslab.show.fonts import use_shipped_font, JAPANESE_FONTNAME
from ecslab.show.diagram import render_svg
assert use_shipped_font()
print(render_svg('digraph {{ node [shape=box fontsize=20 margin=0 fontname="'
                 + JAPANESE_FONTNAME + '"]; a [label="{LABEL}"] }}'))
"""
    svg = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    points = re.search(r'<polygon fill="none" stroke="black" points="([^"]+)"', svg).group(1)
    xs = [float(p.split(",")[0]) for p in points.split()]
    box = max(xs) - min(xs)
    wanted = text_width(font, LABEL, 20)
    # Graphviz's box holds the text (never narrower), and is not a fallback font's guess
    assert wanted <= box <= wanted * 1.15, (box, wanted)
