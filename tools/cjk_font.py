"""Make the Japanese font ecslab ships for its diagrams (``ecslab/show/fonts/``).

    .venv/bin/python tools/cjk_font.py /path/to/NotoSansCJK-Regular.ttc

Graphviz sizes every box and edge label from the font's real metrics; without a Japanese font it
measures Japanese labels with a Latin font's fallback widths and the text runs over the box's
border. ecslab ships one, so that a fresh machine (pygraphviz's bundled Graphviz) and Binder
(conda-forge's ``dot``) measure Japanese alike, with no system package.

The font is Noto Sans CJK JP Regular (SIL Open Font License 1.1, no Reserved Font Name for
"Noto"; the license is shipped beside it), as Debian's ``fonts-noto-cjk`` package carries it
(``apt-get download fonts-noto-cjk``; ``usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``),
cut down with fontTools' subsetter — the tool the font's own makers use — to what a Japanese
diagram can hold: ASCII and Latin-1, the symbols ecslab draws with (✓ ✗ ○ → — …), and every
character of JIS X 0208 (kana, 6,355 kanji in levels 1 and 2, full-width forms), about 7,000 of
the collection's 65,000 glyphs. The family name stays "Noto Sans CJK JP". The subset is
deterministic: the same input gives the same bytes (``tests/show/test_fonts.py`` checks that every
character of the Japanese catalog is in it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ecslab" / "show" / "fonts" / "NotoSansCJKjp-ecslab.otf"
FAMILY = "Noto Sans CJK JP"
# Drawn by ecslab's diagrams and tables beside the text (see ecslab/show/diagram.py's STYLE).
SYMBOLS = "✓✗○→←↑↓—–…•·×「」『』【】〈〉《》〔〕（）［］｛｝、。・：；？！〜ー"


def jis_x_0208() -> set[str]:
    """Every character JIS X 0208 encodes (two-byte EUC-JP codes 0xA1A1-0xFEFE)."""
    characters = set()
    for first in range(0xA1, 0xFF):
        for second in range(0xA1, 0xFF):
            try:
                characters.add(bytes((first, second)).decode("euc_jp"))
            except UnicodeDecodeError:
                continue
    return characters


def wanted() -> list[int]:
    text = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    text |= set(SYMBOLS) | jis_x_0208()
    return sorted(ord(c) for c in text)


def japanese_face(collection: Path):
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise SystemExit(f"{collection} has no {FAMILY!r} face")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collection", type=Path, help="NotoSansCJK-Regular.ttc")
    args = parser.parse_args(argv)
    font = japanese_face(args.collection)
    options = subset.Options()
    options.layout_features = ["kern", "palt", "vert", "liga"]
    options.name_IDs = ["*"]  # keep the name table (family, license, copyright) as it is
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # Graphviz and browsers lay text out unhinted
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # the same input, the same bytes
    font.save(str(OUT))
    print(
        f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1e6:.1f} MB, "
        f"{len(font.getGlyphOrder())} glyphs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
