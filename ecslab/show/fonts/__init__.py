"""The Japanese font Graphviz measures and draws Japanese diagrams with.

Graphviz sizes a box or an edge label from the font's metrics, which it asks fontconfig for. A
machine without a Japanese font answers with a Latin font and fallback widths: Japanese labels
then run over their boxes, or show as empty squares. ecslab ships a font (a subset of Noto Sans
CJK JP, SIL Open Font License 1.1, made by ``tools/cjk_font.py``) and shows it to fontconfig
through a configuration file of its own that first includes the machine's usual one — so the
system's fonts stay as they were and ours is one more:

- pygraphviz's bundled Graphviz renders in this process: its fontconfig reads
  ``FONTCONFIG_FILE`` once, at its first use, so :func:`use_shipped_font` sets it before the
  first diagram of either language is drawn;
- the system ``dot`` (Binder's conda-forge Graphviz) is a child process and inherits it.

A ``FONTCONFIG_FILE`` the learner set themselves is included too, never replaced. The browser
draws the SVG's text with the fonts it has (``font-family`` names our font first, then the
Japanese system fonts of Windows, macOS and Linux): every Japanese font gives a kana or kanji the
same width, one em, so the boxes Graphviz measured still fit.

Why not a font package from PyPI: the ones there (``matplotlib-fontja``, ``japanize-matplotlib``)
carry IPAexGothic for matplotlib and pull matplotlib in; the subset is 1.6 MB and needs nothing.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from html import escape
from pathlib import Path

__all__ = ["FAMILY", "FONT_FILE", "JAPANESE_FONTNAME", "config_file", "use_shipped_font"]

FONT_FILE = Path(__file__).with_name("NotoSansCJKjp-ecslab.otf")
FAMILY = "Noto Sans CJK JP"
# What a Japanese diagram names as its font: Graphviz (through pango and fontconfig) takes the
# first it finds, ours; a browser takes the first it has.
JAPANESE_FONTNAME = (
    f"{FAMILY},Noto Sans JP,Hiragino Sans,Hiragino Kaku Gothic ProN,Yu Gothic,Meiryo,"
    "IPAexGothic,sans-serif"
)
# Where fontconfig's own configuration usually is: the machine's, and a conda environment's
# (Binder's dot reads the latter). Missing ones are ignored.
_USUAL_CONFIGS = ("/etc/fonts/fonts.conf", str(Path(sys.prefix) / "etc" / "fonts" / "fonts.conf"))


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ecslab" / "fontconfig"


def config_text(previous: str | None = None) -> str:
    """A fontconfig configuration: the usual ones (and ``previous``, the learner's own), then
    the directory of ecslab's font."""
    includes = [c for c in (previous, *_USUAL_CONFIGS) if c]
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', "<fontconfig>"]
    seen: set[str] = set()
    for path in includes:
        if path not in seen:
            seen.add(path)
            lines.append(f'  <include ignore_missing="yes">{escape(path)}</include>')
    lines.append(f"  <dir>{escape(str(FONT_FILE.parent))}</dir>")
    lines.append(f"  <cachedir>{escape(str(_cache_dir()))}</cachedir>")
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def config_file(previous: str | None = None) -> Path:
    """The configuration written once for its content (named by its hash), where a user can
    write: the user's cache directory, else the temporary directory."""
    text = config_text(previous)
    name = f"fonts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.conf"
    for directory in (_cache_dir(), Path(tempfile.gettempdir()) / "ecslab-fontconfig"):
        path = directory / name
        try:
            if not path.is_file() or path.read_text("utf-8") != text:
                directory.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                partial.write_text(text, "utf-8")
                partial.replace(path)
            return path
        except OSError:
            continue
    raise OSError("no writable directory for ecslab's fontconfig configuration")


def use_shipped_font() -> bool:
    """Make Graphviz find ecslab's Japanese font, in this process and the ``dot`` it starts.
    Idempotent. False (and nothing changed) if no configuration file can be written: diagrams
    are then drawn with the machine's fonts."""
    current = os.environ.get("FONTCONFIG_FILE")
    if current and Path(current).name.startswith("fonts-") and _is_ours(Path(current)):
        return True
    try:
        path = config_file(current)
    except OSError:
        return False
    os.environ["FONTCONFIG_FILE"] = str(path)
    return True


def _is_ours(path: Path) -> bool:
    try:
        return f"<dir>{escape(str(FONT_FILE.parent))}</dir>" in path.read_text("utf-8")
    except OSError:
        return False
