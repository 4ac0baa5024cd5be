"""The Japanese edition (tools/notebooks/ja/) teaches the same lessons with the same code as the
English one: each Japanese source has an English source of the same name, with the same code
cells in the same order, tagged alike. Code is compared without its comments, without the line
that chooses the language (``set_language("ja")``) and without the words of its texts (a
printed label may be translated); names, numbers, ARNs, keys and every other token must match."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from tools import build_notebooks as builder

JAPANESE = builder.sources(["ja"])
FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", -1)
LANGUAGE_LINE = re.compile(r"^\s*set_language\([^)]*\)\s*(#.*)?$", re.M)


def _words(text: str) -> bool:
    """A string literal that is prose (spaces or non-ASCII), not a name, key or ARN."""
    body = re.sub(r'^[rbfuRBFU]*("""|\'\'\'|"|\')|("""|\'\'\'|"|\')$', "", text)
    return " " in body or any(ord(c) > 127 for c in body)


def shape(code: str) -> list[str]:
    """The code's tokens, as compared between the editions."""
    code = LANGUAGE_LINE.sub("", code)
    code = re.sub(r"\bset_language,\s*|,\s*set_language\b", "", code)
    if code.lstrip().startswith(("%", "!")):  # an IPython line magic: compared as text
        return [code.strip()]
    out = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT):
            continue
        if token.type in (tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if token.type == tokenize.STRING and _words(token.string):
            out.append("<text>")
        elif token.type == FSTRING_MIDDLE:  # Python 3.12+: the text parts of an f-string
            out.append("<text>" if _words(f'"{token.string}"') else token.string)
        else:
            out.append(token.string)
    return out


def _code(source: Path) -> list[tuple[list[str], tuple[str, ...]]]:
    return [(shape(c.text), c.tags) for c in builder.cells_of(source) if c.kind == "code"]


@pytest.mark.parametrize("source", JAPANESE, ids=lambda p: p.stem)
def test_the_japanese_edition_has_the_english_code(source):
    english = builder.SOURCES / source.name
    assert english.exists(), f"{source.name} has no English edition"
    ours, theirs = _code(source), _code(english)
    assert len(ours) == len(theirs), f"{len(ours)} code cells in Japanese, {len(theirs)} in English"
    for number, (mine, yours) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == yours, f"code cell {number} differs"


def test_the_comparison_sees_code_and_not_its_words():
    english = 'lab = Lab()  # a fresh lab\nprint("log lines:", len(task.logs))\nx = "ecs-task-role"'
    japanese = (
        'set_language("ja")  # 日本語で表示\n'
        'lab = Lab()  # 新しいラボ\nprint("ログの行数:", len(task.logs))\nx = "ecs-task-role"'
    )
    assert shape(english) == shape(japanese)
    assert shape(english) != shape(english.replace("ecs-task-role", "ecs-execution-role"))
    assert shape(english) != shape(english.replace("len(task.logs)", "task.logs"))
    assert shape("from ecslab import Lab, set_language") == shape("from ecslab import Lab")
