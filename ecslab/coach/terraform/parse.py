"""Reading HCL: the learner's files as blocks, each with its file and line, and syntax errors
placed where the learner can find them.

Why python-hcl2
    It is the maintained pure-Python HCL2 parser (a Lark grammar of the HCL spec), with no
    Terraform binary or Go toolchain. Its ``loads()`` keeps expressions as strings
    (``"${jsonencode({...})}"``), so ecslab reads its Lark parse tree instead: every node keeps
    its line, and expressions are evaluated from structure (``evaluate.py``) rather than by
    re-parsing text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ecslab.i18n import N_, _
from ecslab.iam.mistakes import LearnerMistake

TEXT = "<terraform text>"  # the "file" named in errors when HCL text is given

TOP_LEVEL = {
    # block type → number of labels
    "resource": 2,
    "data": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}
META = {"depends_on", "provider", "lifecycle", "provisioner", "connection"}

# -- errors ----------------------------------------------------------------------------------------


class TerraformError(LearnerMistake, ValueError):
    """A problem in the learner's Terraform: ``file``, ``block`` (``aws_iam_role.ecs_task``),
    ``line`` (where the block starts) and ``problem`` (what is wrong, and what would be right).
    A syntax error's own place is in ``position`` (line, column)."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        block: str | None = None,
        line: int | None = None,
        position: tuple[int, int] | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.block = block
        self.line = line
        self.position = position
        super().__init__(self._text())

    def _text(self) -> str:
        line = _("line {line}").format(line=self.line) if self.line else None
        where = ", ".join(part for part in (self.file, line) if part)
        head = f"{self.block} ({where})" if self.block and where else (self.block or where)
        return f"{head}: {self.problem}" if head else self.problem

    def __str__(self) -> str:
        return str(self.args[0])


class Problem(Exception):
    """A problem found while evaluating inside one block (turned into a TerraformError there)."""


# -- reading HCL -----------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    file: str
    line: int
    attributes: dict[str, Any] = field(default_factory=dict)  # name → expression tree
    attribute_lines: dict[str, int] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    parent: Block | None = None

    @property
    def address(self) -> str:
        if self.parent is not None:
            return self.parent.address
        if self.kind == "resource" and len(self.labels) == 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.kind == "data" and len(self.labels) == 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.kind not in TOP_LEVEL:
            return " ".join((self.kind, *(f'"{label}"' for label in self.labels)))
        return ".".join((self.kind, *self.labels))

    @property
    def type(self) -> str:
        return self.labels[0] if self.labels else self.kind

    def error(self, problem: str) -> TerraformError:
        top = self
        while top.parent is not None:
            top = top.parent
        return TerraformError(problem, file=top.file, block=top.address, line=top.line)


def children_of(node: Tree) -> list[Any]:
    """A node's children without comments and newlines."""
    return [
        c
        for c in node.children
        if not (isinstance(c, Tree) and c.data == "new_line_or_comment")
        and not (isinstance(c, Token) and c.type == "NL_OR_COMMENT")
    ]


def line_of(node: Any, default: int = 0) -> int:
    if isinstance(node, Token):
        return node.line or default
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line
    for child in getattr(node, "children", ()):
        found = line_of(child)
        if found:
            return found
    return default


def text_of(node: Any) -> str:
    """The text of an identifier, keyword, literal_value or label string."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(p.children[0]) for p in node.children if isinstance(p, Tree))
    return "".join(str(c) for c in node.children if isinstance(c, Token))


def parse(text: str, file: str) -> list[Block]:
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, file, error) from None
    except LarkError as error:  # pragma: no cover - lark raises UnexpectedInput for bad input
        raise TerraformError(_("syntax error: {error}").format(error=error), file=file) from None
    body = tree.children[0]
    blocks = []
    for node in children_of(body):
        if node.data == "attribute":
            name = text_of(node.children[0])
            raise TerraformError(
                _(
                    'an argument "{name}" at the top level: a Terraform file holds blocks '
                    "(resource, data, variable, locals, output, provider, terraform), not arguments"
                ).format(name=name),
                file=file,
                line=line_of(node),
            )
        blocks.append(_block(node, file, None))
    return blocks


def _block(node: Tree, file: str, parent: Block | None) -> Block:
    parts = children_of(node)
    kind = text_of(parts[0])
    labels = []
    body = None
    for part in parts[1:]:
        if isinstance(part, Token):
            continue
        if part.data == "body":
            body = part
            break
        if part.data == "string" and any(
            isinstance(p, Tree) and not isinstance(p.children[0], Token) for p in part.children
        ):
            raise TerraformError(
                _('the label of a "{kind}" block cannot hold an interpolation').format(kind=kind),
                file=file,
                line=line_of(node),
            )
        labels.append(text_of(part))
    block = Block(kind, tuple(labels), file, line_of(node), parent=parent)
    for item in children_of(body) if body is not None else ():
        if item.data == "attribute":
            name = text_of(item.children[0])
            if name in block.attributes:
                raise block.error(
                    _('argument "{name}" is set twice (line {first} and line {second})').format(
                        name=name, first=block.attribute_lines[name], second=line_of(item)
                    )
                )
            block.attributes[name] = item.children[2]
            block.attribute_lines[name] = line_of(item)
        else:
            block.blocks.append(_block(item, file, block))
    return block


_READABLE = {
    "RBRACE": "}",
    "LBRACE": "{",
    "RSQB": "]",
    "LSQB": "[",
    "RPAR": ")",
    "LPAR": "(",
    "EQ": "=",
    "COMMA": ",",
    "DBLQUOTE": '"',
    "COLON": ":",
    "NAME": N_("a name"),
}


def _syntax_error(text: str, file: str, error: UnexpectedInput) -> TerraformError:
    lines = text.splitlines()
    line, column = getattr(error, "line", 0) or 0, getattr(error, "column", 0) or 0
    spans, unterminated = _scan(text)
    at_end = isinstance(error, UnexpectedToken) and error.token.type == "$END"
    quote_source = True  # end with the line's text, unless what is said already places it
    if unterminated and (at_end or unterminated[0][0] <= max(line, 1)):
        line, column = unterminated[0]
        what = _(
            "this string is not closed on its line (a quoted string cannot span lines; "
            "for text over several lines, use a heredoc: <<EOT ... EOT)"
        )
    elif isinstance(error, UnexpectedToken) and error.token.type == "$END":
        line, column = len(lines), len(lines[-1]) + 1 if lines else 1
        what = _("the text ends while a block, bracket or parenthesis is still open (a } missing?)")
        quote_source = False
    elif isinstance(error, UnexpectedCharacters):
        what = _("unexpected character {character}").format(
            character=repr(text[error.pos_in_stream])
        )
    elif isinstance(error, UnexpectedToken):
        shown = str(error.token.value).strip().splitlines()
        what = (
            _("unexpected {token}").format(token=repr(shown[0][:40]))
            if shown
            else _("unexpected end of line")
        )
        expected = sorted({_READABLE[t] for t in error.expected if t in _READABLE})
        if expected and len(expected) <= 3 and len(error.expected) <= 4:
            what += _(" (expected {tokens})").format(
                tokens=_(" or ").join(repr(_(e)) for e in expected)
            )
        before = lines[line - 1][: max(column - 1, 0)] if 0 < line <= len(lines) else ""
        previous = next((n for n in range(line - 1, 0, -1) if lines[n - 1].strip()), None)
        if not before.strip() and previous is not None:
            # The token starts its line: what is missing is usually at the end of the line before.
            what += _(", right after line {line} ({text})").format(
                line=previous, text=repr(lines[previous - 1].strip())
            )
            quote_source = False
    else:
        what = _("unexpected end of text")
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    problem = _("syntax error at line {line}, column {column}: {what}").format(
        line=line, column=column, what=what
    )
    if source and quote_source:
        problem += f": {source!r}"
    span = _enclosing_block(spans, line)
    if span is None:
        return TerraformError(problem, file=file, position=(line, column))
    return TerraformError(problem, file=file, block=span[1], line=span[0], position=(line, column))


def _enclosing_block(spans: list[list[Any]], line: int) -> tuple[int, str] | None:
    """(start line, address) of the top-level block holding ``line``."""
    for start, end, address in spans:
        if start <= line and (end is None or line <= end):
            return start, address
    before = [s for s in spans if s[0] <= line]
    return (before[-1][0], before[-1][2]) if before else None


def _scan(text: str) -> tuple[list[list[Any]], list[tuple[int, int]]]:
    """The top-level blocks ([start line, end line or None, address]) and the strings not closed
    on their line ((line, column)), found by scanning braces and quotes (comments and heredocs
    skipped): used to place syntax errors, which Lark reports where it noticed them."""
    spans: list[list[Any]] = []
    unterminated: list[tuple[int, int]] = []
    depth, i, n, current_line, line_start = 0, 0, len(text), 1, 0
    statement: tuple[int, int] | None = None  # (index, line) where the top-level header starts
    heredoc_start = re.compile(r"<<-?([A-Za-z][\w.-]*)\r?\n")
    while i < n:
        c = text[i]
        if c == "\n":
            current_line, line_start = current_line + 1, i + 1
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i) or heredoc_start.match(text, i):
            heredoc = heredoc_start.match(text, i)
            if heredoc:
                close = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}\r?$", re.M)
                found = close.search(text, heredoc.end())
                end = n if found is None else found.end()
            else:
                end = text.find("*/", i + 2)
                end = n if end < 0 else end + 2
            lines = text.count("\n", i, end)
            if lines:
                current_line, line_start = current_line + lines, text.rfind("\n", i, end) + 1
            i = end
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" and text[j + 1 : j + 2] != "\n" else 1
            if j >= n or text[j] != '"':
                unterminated.append((current_line, i - line_start + 1))
            i = j + 1 if j < n and text[j] == '"' else j
            continue
        if depth == 0 and statement is None and not c.isspace():
            statement = (i, current_line)
        if c == "{":
            if depth == 0 and statement is not None:
                header = text[statement[0] : i]
                start, address = _header(header, statement[1])
                spans.append([start, None, address])
            depth += 1
        elif c == "}" and depth > 0:
            depth -= 1
            if depth == 0 and spans and spans[-1][1] is None:
                spans[-1][1] = current_line
                statement = None
        i += 1
    return spans, unterminated


def _header(header: str, line: int) -> tuple[int, str]:
    patterns = (
        (r'\b(resource|data)\s+"?([\w-]+)"?\s+"?([\w-]+)"?\s*$', "two"),
        (r'\b(variable|output|module|provider|check)\s+"?([\w-]+)"?\s*$', "one"),
        (r"\b([A-Za-z_][\w-]*)\s*$", "none"),
    )
    for pattern, labels in patterns:
        found = re.search(pattern, header)
        if found:
            start = line + header[: found.start()].count("\n")
            if labels == "two":
                kind, type_, name = found.groups()
                return start, f"{'data.' if kind == 'data' else ''}{type_}.{name}"
            if labels == "one":
                return start, f"{found.group(1)}.{found.group(2)}"
            return start, found.group(1)
    return line, header.strip().splitlines()[0] if header.strip() else "?"


# -- sources ---------------------------------------------------------------------------------------


def sources(source: Any) -> list[tuple[str, str]]:
    """(file name, text) pairs for a path, a directory or HCL text."""
    if isinstance(source, str) and not source.strip():
        raise TerraformError(_("no Terraform text: give a path, a directory or HCL text"))
    if isinstance(source, Path) or (
        isinstance(source, str) and (not re.search(r'[\n{}="#]', source) or _exists(source))
    ):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.tf"))
            if not files:
                raise TerraformError(
                    _("no .tf files in the directory {directory}").format(
                        directory=repr(str(source))
                    )
                )
            return [(str(f), _read(f)) for f in files]
        if path.is_file():
            return [(str(path), _read(path))]
        raise TerraformError(
            _(
                "{source} is not a .tf file or a directory (give a path, or the HCL text itself)"
            ).format(source=repr(str(source)))
        )
    if isinstance(source, str):
        return [(TEXT, source)]
    raise TypeError(
        _(
            "load_terraform() reads a path to a .tf file, a directory of .tf files, or HCL text, "
            "not {type}"
        ).format(type=type(source).__name__)
    )


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # HCL text too long (or odd) for a file name
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8-sig")  # a byte order mark (some Windows editors) dropped
    except UnicodeDecodeError as error:
        raise TerraformError(
            _("{path} is not UTF-8 text ({reason})").format(path=path, reason=error.reason),
            file=str(path),
        ) from None
