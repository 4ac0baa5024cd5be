"""Terraform in and out: apply a learner's Terraform to a lab, and write a lab's roles as Terraform.

``load_terraform(lab, source)`` reads a .tf file, a directory of .tf files (not its
subdirectories, as Terraform reads a module) or HCL text, and applies the ECS/IAM part of it to
the lab **as the learner**, through the same gate and IAM checks as every other call::

    result = load_terraform(lab, "infra/")   # the article's two roles and four attachments
    print(result.describe())
    lab.run_task()                            # ... and see what AWS would do with them

``to_terraform(lab)`` writes the course's two roles (or the roles named) — trust policy as
``jsonencode({...})``, ``aws_iam_role_policy_attachment`` for each managed policy (a customer
managed one with its ``aws_iam_policy``), ``aws_iam_role_policy`` for each inline policy — and
the latest revision of the course's task definition, its roles as ``aws_iam_role.x.arn``.
``policies={role: document}`` writes that document as an ``aws_iam_policy`` named
``<role>-policy`` (and its attachment) instead of the role's current permissions. The text is
the same for the same lab, and ``load_terraform(Lab(), to_terraform(lab))`` rebuilds the roles
and task definition.

What is read
    ``resource`` blocks ``aws_iam_role`` (name, assume_role_policy, path, description,
    max_session_duration, permissions_boundary, managed_policy_arns, inline_policy blocks),
    ``aws_iam_role_policy_attachment`` (role, policy_arn), ``aws_iam_role_policy`` (name, role,
    policy), ``aws_iam_policy`` (name, path, description, policy) and ``aws_ecs_task_definition``
    (family, container_definitions, execution_role_arn, task_role_arn, network_mode,
    requires_compatibilities, cpu, memory, pid_mode, ipc_mode, runtime_platform and
    ephemeral_storage blocks); ``data`` blocks ``aws_iam_policy_document`` (statement blocks with
    principals, not_principals and condition, rendered as the AWS provider renders them),
    ``aws_caller_identity``, ``aws_region``, ``aws_partition``, ``aws_iam_policy`` and
    ``aws_iam_role`` (answered from the lab); ``variable`` defaults and ``locals``.
    Expressions: literals, strings with ``${...}`` interpolation and ``$${`` escapes, heredocs
    (``<<EOT``, ``<<-EOT``, with interpolation), tuples, objects, references
    (``aws_iam_role.x.name``/``.arn``/``.id``, ``aws_iam_policy.p.arn``, ``var.x``,
    ``local.y``, ``data.aws_iam_policy_document.d.json``, indexes) and the functions
    ``jsonencode``, ``jsondecode``, ``format``, ``join``, ``concat``, ``merge``, ``flatten``,
    ``distinct``, ``length``, ``lower``, ``upper``, ``tostring``, ``tonumber``, ``tolist``,
    ``toset``. ``container_definitions`` (``jsonencode([...])`` or a JSON heredoc) is read as the
    AWS provider reads it: field names matched without regard to case, nulls dropped; a field
    ECS does not have is an error here (the provider would drop it without a word).

What is not
    ``file()``, ``templatefile()`` and other functions that read files (ecslab reads the .tf text
    only), ``name_prefix`` (a random name at apply time; the course needs fixed names),
    ``count``/``for_each``/``dynamic`` blocks, conditionals, operators, ``for`` and splat
    expressions, template directives (``%{ if }``), modules, ``source_policy_documents`` and
    ``override_policy_documents``, task definition ``volume`` and placement blocks, and values
    known only after apply (``aws_ecs_task_definition.x.arn``). Each is a :class:`TerraformError`
    that says so. Every other block (provider, terraform, aws_ecs_cluster, aws_vpc, outputs, ...)
    is left alone and listed in :attr:`TerraformResult.ignored`.

How it applies
    Everything is read, resolved and checked first (IAM's own policy grammar, name and ARN rules,
    ECS's RegisterTaskDefinition rules); only then is anything changed, so a problem leaves the
    lab as it was. A role whose name already exists in the lab (the course's
    ``ecs-execution-role`` and ``ecs-task-role``: the article uses exactly these names) is
    *replaced*: its trust policy is set, every managed policy detached and every inline policy
    deleted, then the Terraform's attachments and inline policies applied. Should AWS still refuse
    a call while applying, what was already changed is put back and the refusal is reported with
    the block that asked for it.

Errors
    Any problem in the Terraform is a :class:`TerraformError` (a ``ValueError``) naming the file,
    the block (``aws_iam_role.ecs_task``) and the line where the block starts, and saying what is
    wrong in the words IAM or ECS would use (``MalformedPolicyDocument: ...``, ``NoSuchEntity``
    with the closest managed policy names) or Terraform would (an undeclared resource, an
    unexpected argument, with a "did you mean"). A syntax error also gives the line and column.

Why python-hcl2
    It is the maintained pure-Python HCL2 parser (a Lark grammar of the HCL spec), with no
    Terraform binary or Go toolchain. Its ``loads()`` keeps expressions as strings
    (``"${jsonencode({...})}"``), so ecslab reads its Lark parse tree instead: every node keeps
    its line, and expressions are evaluated from structure rather than by re-parsing text.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hcl2
from botocore.exceptions import ClientError
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ecslab.cloud.errors import Refusal
from ecslab.ecs import definitions
from ecslab.iam import MalformedPolicyDocument, parse_policy
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy
from ecslab.iam.mistakes import LearnerMistake
from ecslab.lab.course import EXECUTION_ROLE, TASK_ROLE

if TYPE_CHECKING:
    from ecslab.ecs.definitions import Program
    from ecslab.lab import Lab

__all__ = ["TerraformError", "TerraformResult", "load_terraform", "to_terraform"]

TEXT = "<terraform text>"  # the "file" named in errors when HCL text is given

_TOP_LEVEL = {
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
_META = {"depends_on", "provider", "lifecycle", "provisioner", "connection"}
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_PATH = re.compile(r"^(/|/[\x21-\x7e]{0,510}/)$")
_POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}|aws):policy(/.*)?/([^/]+)$")
_FILE_FUNCTIONS = {
    "file",
    "templatefile",
    "filebase64",
    "fileexists",
    "fileset",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
}


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
        where = ", ".join(
            part for part in (self.file, f"line {self.line}" if self.line else None) if part
        )
        head = f"{self.block} ({where})" if self.block and where else (self.block or where)
        return f"{head}: {self.problem}" if head else self.problem

    def __str__(self) -> str:
        return str(self.args[0])


class _Problem(Exception):
    """A problem found while evaluating inside one block (turned into a TerraformError there)."""


# -- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TerraformResult:
    """What :func:`load_terraform` did to the lab."""

    files: tuple[str, ...]
    roles_created: tuple[str, ...] = ()
    roles_replaced: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    """ARNs of the customer managed policies created (or given a new default version)."""
    attachments: tuple[tuple[str, str], ...] = ()
    """(role name, policy ARN) for each managed policy attached."""
    inline_policies: tuple[tuple[str, str], ...] = ()
    """(role name, policy name) for each inline policy put."""
    task_definitions: tuple[str, ...] = ()
    """``family:revision`` of each task definition registered."""
    ignored: tuple[str, ...] = ()
    """Blocks left alone (``aws_ecs_cluster.main``, ``provider.aws``, ``output.x``, ...)."""

    @property
    def roles(self) -> tuple[str, ...]:
        return self.roles_created + self.roles_replaced

    @property
    def task_definition(self) -> str | None:
        """The task definition registered (the last one if there were several), or None."""
        return self.task_definitions[-1] if self.task_definitions else None

    def describe(self) -> str:
        """What was applied, in plain text."""
        lines = [f"Applied Terraform from {', '.join(self.files)}:"]
        for name in self.roles:
            verb = "created" if name in self.roles_created else "replaced"
            managed = [arn.rsplit("/", 1)[-1] for role, arn in self.attachments if role == name]
            inline = [policy for role, policy in self.inline_policies if role == name]
            lines.append(
                f"  {verb} role {name}: managed policies {', '.join(managed) or 'none'}; "
                f"inline policies {', '.join(inline) or 'none'}"
            )
        roles = set(self.roles)
        for role, arn in self.attachments:
            if role not in roles:
                lines.append(f"  attached {arn.rsplit('/', 1)[-1]} to role {role}")
        for role, policy in self.inline_policies:
            if role not in roles:
                lines.append(f"  put inline policy {policy} on role {role}")
        for arn in self.policies:
            lines.append(f"  customer managed policy {arn}")
        for reference in self.task_definitions:
            lines.append(f"  registered task definition {reference}")
        if len(lines) == 1:
            lines.append("  nothing that ecslab applies (roles, policies, task definitions)")
        if self.ignored:
            lines.append(f"Ignored (ecslab does not model them): {', '.join(self.ignored)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()


# -- reading HCL -----------------------------------------------------------------------------------


@dataclass
class _Block:
    kind: str
    labels: tuple[str, ...]
    file: str
    line: int
    attributes: dict[str, Any] = field(default_factory=dict)  # name → expression tree
    attribute_lines: dict[str, int] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    parent: _Block | None = None

    @property
    def address(self) -> str:
        if self.parent is not None:
            return self.parent.address
        if self.kind == "resource" and len(self.labels) == 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.kind == "data" and len(self.labels) == 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        if self.kind not in _TOP_LEVEL:
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


def _children(node: Tree) -> list[Any]:
    """A node's children without comments and newlines."""
    return [
        c
        for c in node.children
        if not (isinstance(c, Tree) and c.data == "new_line_or_comment")
        and not (isinstance(c, Token) and c.type == "NL_OR_COMMENT")
    ]


def _line(node: Any, default: int = 0) -> int:
    if isinstance(node, Token):
        return node.line or default
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line
    for child in getattr(node, "children", ()):
        found = _line(child)
        if found:
            return found
    return default


def _name(node: Any) -> str:
    """The text of an identifier, keyword, literal_value or label string."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(p.children[0]) for p in node.children if isinstance(p, Tree))
    return "".join(str(c) for c in node.children if isinstance(c, Token))


def _parse(text: str, file: str) -> list[_Block]:
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, file, error) from None
    except LarkError as error:  # pragma: no cover - lark raises UnexpectedInput for bad input
        raise TerraformError(f"syntax error: {error}", file=file) from None
    body = tree.children[0]
    blocks = []
    for node in _children(body):
        if node.data == "attribute":
            name = _name(node.children[0])
            raise TerraformError(
                f'an argument "{name}" at the top level: a Terraform file holds blocks '
                "(resource, data, variable, locals, output, provider, terraform), not arguments",
                file=file,
                line=_line(node),
            )
        blocks.append(_block(node, file, None))
    return blocks


def _block(node: Tree, file: str, parent: _Block | None) -> _Block:
    parts = _children(node)
    kind = _name(parts[0])
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
                f'the label of a "{kind}" block cannot hold an interpolation',
                file=file,
                line=_line(node),
            )
        labels.append(_name(part))
    block = _Block(kind, tuple(labels), file, _line(node), parent=parent)
    for item in _children(body) if body is not None else ():
        if item.data == "attribute":
            name = _name(item.children[0])
            if name in block.attributes:
                raise block.error(
                    f'argument "{name}" is set twice (line {block.attribute_lines[name]} and '
                    f"line {_line(item)})"
                )
            block.attributes[name] = item.children[2]
            block.attribute_lines[name] = _line(item)
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
    "NAME": "a name",
}


def _syntax_error(text: str, file: str, error: UnexpectedInput) -> TerraformError:
    lines = text.splitlines()
    line, column = getattr(error, "line", 0) or 0, getattr(error, "column", 0) or 0
    spans, unterminated = _scan(text)
    at_end = isinstance(error, UnexpectedToken) and error.token.type == "$END"
    if unterminated and (at_end or unterminated[0][0] <= max(line, 1)):
        line, column = unterminated[0]
        what = (
            "this string is not closed on its line (a quoted string cannot span lines; "
            "for text over several lines, use a heredoc: <<EOT ... EOT)"
        )
    elif isinstance(error, UnexpectedToken) and error.token.type == "$END":
        line, column = len(lines), len(lines[-1]) + 1 if lines else 1
        what = "the text ends while a block, bracket or parenthesis is still open (a } missing?)"
    elif isinstance(error, UnexpectedCharacters):
        what = f"unexpected character {text[error.pos_in_stream]!r}"
    elif isinstance(error, UnexpectedToken):
        shown = str(error.token.value).strip().splitlines()
        what = f"unexpected {shown[0][:40]!r}" if shown else "unexpected end of line"
        expected = sorted({_READABLE[t] for t in error.expected if t in _READABLE})
        if expected and len(expected) <= 3 and len(error.expected) <= 4:
            what += f" (expected {' or '.join(repr(e) for e in expected)})"
        before = lines[line - 1][: max(column - 1, 0)] if 0 < line <= len(lines) else ""
        previous = next((n for n in range(line - 1, 0, -1) if lines[n - 1].strip()), None)
        if not before.strip() and previous is not None:
            # The token starts its line: what is missing is usually at the end of the line before.
            what += f", right after line {previous} ({lines[previous - 1].strip()!r})"
    else:
        what = "unexpected end of text"
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    problem = f"syntax error at line {line}, column {column}: {what}"
    if source and "right after line" not in what and "still open" not in what:
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


def _sources(source: Any) -> list[tuple[str, str]]:
    """(file name, text) pairs for a path, a directory or HCL text."""
    if isinstance(source, str) and not source.strip():
        raise TerraformError("no Terraform text: give a path, a directory or HCL text")
    if isinstance(source, Path) or (
        isinstance(source, str) and (not re.search(r'[\n{}="#]', source) or _exists(source))
    ):
        path = Path(source)
        if path.is_dir():
            files = sorted(path.glob("*.tf"))
            if not files:
                raise TerraformError(f"no .tf files in the directory {str(source)!r}")
            return [(str(f), _read(f)) for f in files]
        if path.is_file():
            return [(str(path), _read(path))]
        raise TerraformError(
            f"{str(source)!r} is not a .tf file or a directory (give a path, or the HCL text "
            "itself)"
        )
    if isinstance(source, str):
        return [(TEXT, source)]
    raise TypeError(
        "load_terraform() reads a path to a .tf file, a directory of .tf files, or HCL text, "
        f"not {type(source).__name__}"
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
        raise TerraformError(f"{path} is not UTF-8 text ({error.reason})", file=str(path)) from None


# -- evaluating ------------------------------------------------------------------------------------


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


class _Config:
    """The blocks of all files, and the values of their expressions (evaluated on demand)."""

    def __init__(self, blocks: list[_Block], lab: Lab) -> None:
        self.lab = lab
        self.account_id = lab.account_id
        self.region = lab.region
        self.blocks = blocks
        self.resources: dict[tuple[str, str], _Block] = {}
        self.data: dict[tuple[str, str], _Block] = {}
        self.variables: dict[str, _Block] = {}
        self.locals: dict[str, _Block] = {}
        self._values: dict[tuple[int, str], Any] = {}
        self._busy: set[tuple[int, str]] = set()
        seen: dict[str, _Block] = {}
        for block in blocks:
            expected = _TOP_LEVEL.get(block.kind)
            if expected is None:
                raise block.error(
                    f'blocks of type "{block.kind}" are not expected at the top level of a '
                    f"Terraform file.{_suggest(block.kind, _TOP_LEVEL)}"
                )
            if len(block.labels) != expected:
                raise block.error(
                    f'a "{block.kind}" block takes {expected} label(s), not {len(block.labels)}'
                )
            if block.kind == "locals":
                for name in block.attributes:
                    if name in self.locals:
                        raise block.error(
                            f'local value "{name}" is defined twice (also at line '
                            f"{self.locals[name].attribute_lines[name]})"
                        )
                    self.locals[name] = block
                continue
            if block.kind in ("terraform", "moved", "import", "removed", "provider"):
                continue  # may appear more than once (providers with aliases)
            address = block.address
            if address in seen:
                first = seen[address]
                raise block.error(
                    f"{address} is declared twice (also in {first.file}, line {first.line})"
                )
            seen[address] = block
            if block.kind == "resource":
                self.resources[(block.labels[0], block.labels[1])] = block
            elif block.kind == "data":
                self.data[(block.labels[0], block.labels[1])] = block
            elif block.kind == "variable":
                self.variables[block.labels[0]] = block

    # -- attribute values ----------------------------------------------------------------------

    def value(self, block: _Block, name: str, default: Any = None) -> Any:
        """The value of argument ``name`` of ``block`` (``default`` if it is not set)."""
        if name not in block.attributes:
            return default
        key = (id(block), name)
        if key in self._values:
            return self._values[key]
        if key in self._busy:
            raise block.error(f'argument "{name}" refers to itself (a cycle of references)')
        self._busy.add(key)
        try:
            value = self.eval(block.attributes[name], block)
        except _Problem as problem:
            raise block.error(f"{_where(block, name)}: {problem}") from None
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value

    def string(self, block: _Block, name: str, required: bool = False) -> str | None:
        value = self.value(block, name)
        if value is None:
            if required:
                raise block.error(f'the argument "{name}" is required')
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _number_text(value)
        if not isinstance(value, str):
            hint = ""
            if isinstance(value, (dict, list)) and name in ("policy", "assume_role_policy"):
                hint = f": write {name} = jsonencode({{...}}) to turn the object into JSON text"
            elif isinstance(value, (dict, list)) and name == "container_definitions":
                hint = ": write container_definitions = jsonencode([...])"
            raise block.error(
                f"{_where(block, name)}: a string is required, not {_kind(value)}{hint}"
            )
        return value

    def strings(self, block: _Block, name: str) -> list[str]:
        value = self.value(block, name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise block.error(
                f"{_where(block, name)}: a list of strings is required, not {_kind(value)}"
            )
        out = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                raise block.error(
                    f"{_where(block, name)}: a list of strings is required; found {_kind(item)}"
                )
            out.append(_to_text(item))
        return out

    # -- expressions ---------------------------------------------------------------------------

    def eval(self, node: Any, block: _Block) -> Any:
        if isinstance(node, Token):
            raise _Problem(f"unexpected {str(node)!r}")
        kind = node.data
        method = getattr(self, f"_eval_{kind}", None)
        if method is not None:
            return method(node, block)
        unsupported = {
            "conditional": "conditional expressions (a ? b : c)",
            "binary_op": "operators (+, -, ==, &&, ...)",
            "for_tuple_expr": "for expressions",
            "for_object_expr": "for expressions",
            "attr_splat_expr_term": "splat expressions (.*)",
            "full_splat_expr_term": "splat expressions ([*])",
            "template_string": "template directives (%{ ... })",
        }
        what = unsupported.get(kind, f"this kind of expression ({kind})")
        raise _Problem(f"{what} are not supported by ecslab's Terraform reader; write the value")

    def _eval_expr_term(self, node: Tree, block: _Block) -> Any:
        inner = [c for c in _children(node) if isinstance(c, Tree)]
        if len(inner) != 1:
            raise _Problem("an expression ecslab cannot read")
        if inner[0].data in ("get_attr_expr_term", "index_expr_term"):
            return self._traverse(inner[0], block)
        return self.eval(inner[0], block)

    def _eval_get_attr_expr_term(self, node: Tree, block: _Block) -> Any:
        return self._traverse(node, block)

    def _eval_index_expr_term(self, node: Tree, block: _Block) -> Any:
        return self._traverse(node, block)

    def _eval_int_lit(self, node: Tree, block: _Block) -> int:
        return int(str(node.children[0]))

    def _eval_float_lit(self, node: Tree, block: _Block) -> float | int:
        number = float(str(node.children[0]))
        return int(number) if number.is_integer() else number

    def _eval_literal_value(self, node: Tree, block: _Block) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _eval_unary_op(self, node: Tree, block: _Block) -> Any:
        operator, operand = str(node.children[0]), self.eval(node.children[1], block)
        if operator == "-" and isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand
        if operator == "!" and isinstance(operand, bool):
            return not operand
        raise _Problem(f"cannot apply {operator!r} to {_kind(operand)}")

    def _eval_identifier(self, node: Tree, block: _Block) -> Any:
        name = _name(node)
        raise _Problem(
            f'"{name}" alone is not a value: a reference names an attribute '
            f'(aws_iam_role.NAME.arn, var.NAME, local.NAME), and a text needs quotes ("{name}")'
        )

    def _eval_tuple(self, node: Tree, block: _Block) -> list[Any]:
        return [self.eval(c, block) for c in _children(node) if isinstance(c, Tree)]

    def _eval_object(self, node: Tree, block: _Block) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for element in _children(node):
            if not isinstance(element, Tree) or element.data != "object_elem":
                continue
            key_node, value_node = element.children[0], element.children[-1]
            out[self._key(key_node, block)] = self.eval(value_node, block)
        return out

    def _key(self, node: Tree, block: _Block) -> str:
        inner = _children(node)[0]
        if inner.data == "keyword":
            return _name(inner)
        parts = [c for c in _children(inner) if isinstance(c, Tree)]
        bare = inner.data == "expr_term" and len(parts) == 1 and len(_children(inner)) == 1
        if bare and parts[0].data in ("identifier", "literal_value"):
            return _name(parts[0])  # a bare name is the key itself, as in Terraform
        key = self.eval(inner, block)
        if isinstance(key, (dict, list)) or key is None:
            raise _Problem(f"an object key must be a string, not {_kind(key)}")
        return _to_text(key)

    def _eval_string(self, node: Tree, block: _Block) -> Any:
        parts = [p.children[0] for p in node.children if isinstance(p, Tree)]
        if len(parts) == 1 and isinstance(parts[0], Tree) and parts[0].data == "interpolation":
            return self._interpolation(parts[0], block)  # "${x}" is x itself
        text = []
        for part in parts:
            if isinstance(part, Token):
                text.append(_unescape(part))
            elif part.data == "interpolation":
                text.append(_in_template(self._interpolation(part, block)))
            else:
                raise _Problem(
                    "template directives (%{ if }, %{ for }) are not supported by ecslab's "
                    "Terraform reader; write the text"
                )
        return "".join(text)

    def _interpolation(self, node: Tree, block: _Block) -> Any:
        inner = [c for c in node.children if isinstance(c, Tree)]
        return self.eval(inner[0], block)

    def _eval_heredoc_template(self, node: Tree, block: _Block) -> str:
        return self._heredoc(str(node.children[0]), False, block)

    def _eval_heredoc_template_trim(self, node: Tree, block: _Block) -> str:
        return self._heredoc(str(node.children[0]), True, block)

    def _heredoc(self, text: str, trim: bool, block: _Block) -> str:
        lines = text.replace("\r\n", "\n").split("\n")
        body = lines[1:-2]  # without "<<EOT", the closing "EOT" and the text after it
        if trim:
            indents = [len(x) - len(x.lstrip(" \t")) for x in body if x.strip()]
            cut = min(indents, default=0)
            body = [x[cut:] for x in body]
        content = "".join(x + "\n" for x in body)
        return self._template(content, block)

    def _template(self, content: str, block: _Block) -> str:
        """A heredoc's text with its ``${...}`` interpolations evaluated."""
        out, i = [], 0
        while True:
            j = min(
                (k for k in (content.find("${", i), content.find("%{", i)) if k >= 0),
                default=-1,
            )
            if j < 0:
                out.append(content[i:])
                return "".join(out)
            escaped = j > 0 and content[j - 1] == content[j]
            if escaped:  # $${ and %%{ are the literal ${ and %{
                out.append(content[i : j - 1] + content[j : j + 2])
                i = j + 2
                continue
            out.append(content[i:j])
            if content[j] == "%":
                raise _Problem(
                    "template directives (%{ if }, %{ for }) are not supported by ecslab's "
                    "Terraform reader; write the text"
                )
            end = _closing_brace(content, j + 2)
            if end < 0:
                raise _Problem("an interpolation ${ in the heredoc is not closed with }")
            try:
                tree = hcl2.parses_to_tree(f"x = {content[j + 2 : end]}\n")
            except LarkError:
                raise _Problem(
                    f"cannot read the interpolation ${{{content[j + 2 : end]}}} in the heredoc"
                ) from None
            expression = _children(tree.children[0])[0].children[2]
            out.append(_in_template(self.eval(expression, block)))
            i = end + 1

    def _eval_function_call(self, node: Tree, block: _Block) -> Any:
        parts = _children(node)
        names = [_name(p) for p in parts if isinstance(p, Tree) and p.data == "identifier"]
        if len(names) > 1:
            raise _Problem(
                f"provider functions ({'::'.join(names)}) are not supported by ecslab's "
                "Terraform reader"
            )
        name = names[0]
        arguments = next((p for p in parts if isinstance(p, Tree) and p.data == "arguments"), None)
        nodes = [] if arguments is None else _children(arguments)
        if any(isinstance(a, Token) and a.type == "ELLIPSIS" for a in nodes):
            raise _Problem("expanding arguments with ... is not supported by ecslab")
        if name in _FILE_FUNCTIONS:
            raise _Problem(
                f"{name}() reads another file, and ecslab reads the Terraform text only: put "
                "the document inline, with jsonencode({...}) or a heredoc (<<EOT ... EOT)"
            )
        function = _FUNCTIONS.get(name)
        if function is None:
            raise _Problem(
                f'the function "{name}" is not supported by ecslab\'s Terraform reader '
                f"(it reads {', '.join(sorted(_FUNCTIONS))}).{_suggest(name, _FUNCTIONS)}"
            )
        values = [self.eval(a, block) for a in nodes if isinstance(a, Tree)]
        try:
            return function(*values)
        except _Problem as problem:
            raise _Problem(f"{name}(): {problem}") from None
        except (TypeError, ValueError) as error:
            raise _Problem(f"{name}(): {error}") from None

    # -- references ----------------------------------------------------------------------------

    def _traverse(self, node: Tree, block: _Block) -> Any:
        steps: list[Any] = []
        while isinstance(node, Tree) and node.data in ("get_attr_expr_term", "index_expr_term"):
            base, step = node.children[0], node.children[1]
            steps.append(step)
            node = base
            inner = [c for c in _children(node) if isinstance(c, Tree)]
            if node.data == "expr_term" and len(inner) == 1 and len(_children(node)) == 1:
                node = inner[0]
        steps.reverse()
        keys = [self._step(s, block) for s in steps]
        if isinstance(node, Tree) and node.data == "identifier":
            return self._reference(_name(node), keys)
        return _walk(self.eval(node, block), keys, "the value")

    def _step(self, step: Tree, block: _Block) -> str | int:
        if step.data == "get_attr":
            return _name(step.children[-1])
        if step.data == "short_index":
            return int(str(step.children[-1]))
        index = self.eval(next(c for c in _children(step) if isinstance(c, Tree)), block)
        if isinstance(index, (dict, list)) or index is None:
            raise _Problem(f"an index must be a number or a string, not {_kind(index)}")
        return index

    def _reference(self, root: str, keys: list[str | int]) -> Any:
        def name_at(i: int, what: str) -> str:
            if len(keys) <= i or not isinstance(keys[i], str):
                raise _Problem(f"{'.'.join([root, *map(str, keys[:i])])} needs {what}")
            return str(keys[i])

        if root == "var":
            name = name_at(0, "a variable name (var.NAME)")
            return _walk(self._variable(name), keys[1:], f"var.{name}")
        if root == "local":
            name = name_at(0, "a local value's name (local.NAME)")
            return _walk(self._local(name), keys[1:], f"local.{name}")
        if root == "data":
            type_ = name_at(0, "a data source type (data.TYPE.NAME.ATTRIBUTE)")
            name = name_at(1, "a data source name (data.TYPE.NAME.ATTRIBUTE)")
            address = f"data.{type_}.{name}"
            attribute = name_at(2, f"an attribute ({address}.ATTRIBUTE)")
            return _walk(self._data_attribute(type_, name, attribute), keys[3:], address)
        if root in ("count", "each", "self"):
            raise _Problem(f"{root}.* is not supported by ecslab (count and for_each are not)")
        if root in ("path", "terraform", "module"):
            raise _Problem(f"{root}.* references are not supported by ecslab's Terraform reader")
        name = name_at(0, "a resource name (TYPE.NAME.ATTRIBUTE)")
        address = f"{root}.{name}"
        attribute = name_at(1, f"an attribute, such as {address}.arn")
        return _walk(self._resource_attribute(root, name, attribute), keys[2:], address)

    def _variable(self, name: str) -> Any:
        block = self.variables.get(name)
        if block is None:
            raise _Problem(
                f'var.{name}: no variable "{name}" is declared.' + _suggest(name, self.variables)
            )
        if "default" not in block.attributes:
            raise block.error(
                f'variable "{name}" has no default, and ecslab does not read -var or .tfvars: '
                "give it a default"
            )
        return self.value(block, "default")

    def _local(self, name: str) -> Any:
        block = self.locals.get(name)
        if block is None:
            raise _Problem(
                f'local.{name}: no local value "{name}" is defined.' + _suggest(name, self.locals)
            )
        return self.value(block, name)

    def _resource_attribute(self, type_: str, name: str, attribute: str) -> Any:
        address = f"{type_}.{name}"
        block = self.resources.get((type_, name))
        if block is None:
            declared = [f"{t}.{n}" for t, n in self.resources]
            raise _Problem(
                f'{address}.{attribute}: a resource "{type_}" "{name}" is not declared in these '
                f"files.{_suggest(address, declared)}"
            )
        computed = _COMPUTED.get(type_)
        if computed is None:
            raise _Problem(
                f"{address}.{attribute}: ecslab does not apply {type_} blocks, so it has no "
                f"value for this; write the value itself"
            )
        if attribute in computed:
            value = computed[attribute](self, block)
            if value is _AFTER_APPLY:
                raise _Problem(
                    f"{address}.{attribute} is known only after apply; ecslab resolves "
                    f"{', '.join(a for a, f in computed.items() if f is not _after_apply)}"
                )
            return value
        if attribute in block.attributes:
            return self.value(block, attribute)
        raise _Problem(
            f'{address} has no attribute "{attribute}" ecslab can resolve (it knows: '
            f"{', '.join(sorted({*computed} | {*block.attributes}))})."
            + _suggest(attribute, [*computed, *block.attributes])
        )

    def _data_attribute(self, type_: str, name: str, attribute: str) -> Any:
        address = f"data.{type_}.{name}"
        block = self.data.get((type_, name))
        if block is None:
            declared = [f"data.{t}.{n}" for t, n in self.data]
            raise _Problem(
                f'{address}.{attribute}: a data source "{type_}" "{name}" is not declared in '
                f"these files.{_suggest(address, declared)}"
            )
        reader = _DATA.get(type_)
        if reader is None:
            raise _Problem(
                f"{address}.{attribute}: ecslab does not read data sources of type {type_}; "
                "write the value itself"
            )
        values = self.data_values(block)
        if attribute not in values:
            raise _Problem(
                f'{address} has no attribute "{attribute}" ecslab can resolve (it knows: '
                f"{', '.join(sorted(values))}).{_suggest(attribute, values)}"
            )
        return values[attribute]

    def data_values(self, block: _Block) -> dict[str, Any]:
        key = (id(block), "")
        if key not in self._values:
            if key in self._busy:
                raise block.error("this data source refers to itself (a cycle of references)")
            self._busy.add(key)
            try:
                self._values[key] = _DATA[block.labels[0]](self, block)
            finally:
                self._busy.discard(key)
        return self._values[key]


def _where(block: _Block, argument: str) -> str:
    """``argument (line N)``: where in the block the problem is."""
    line = block.attribute_lines.get(argument)
    return f"{argument} (line {line})" if line else argument


def _walk(value: Any, keys: list[Any], where: str) -> Any:
    for key in keys:
        if isinstance(value, dict) and str(key) in value:
            value = value[str(key)]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            raise _Problem(f"{where} has no element {key!r}")
        where = f"{where}[{key!r}]"
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return str(value)


def _in_template(value: Any) -> str:
    if value is None:
        raise _Problem("a null value cannot be part of a text")
    if isinstance(value, (dict, list)):
        raise _Problem(f"{_kind(value)} cannot be part of a text (jsonencode() it)")
    return _to_text(value)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(token: Token) -> str:
    text = str(token)
    if token.type == "ESCAPED_INTERPOLATION":
        return text[1:]  # $${x} → ${x}
    if token.type == "ESCAPED_DIRECTIVE":
        return text[1:]  # %%{x} → %{x}
    if "\n" in text:
        raise _Problem(
            "a quoted string cannot span lines (Terraform: Invalid multi-line string): close "
            "the quote on the same line, write \\n, or use a heredoc (<<EOT ... EOT)"
        )

    def replace(found: re.Match[str]) -> str:
        code = found.group(1)
        if code[0] in _ESCAPES:
            return _ESCAPES[code[0]]
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        raise _Problem(f"invalid escape sequence \\{code[0]} in a string")

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", replace, text)


def _closing_brace(text: str, start: int) -> int:
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


# -- functions -------------------------------------------------------------------------------------


def _jsonencode(value: Any) -> str:
    # Terraform writes object keys sorted and no spaces.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        raise _Problem(f"a string is required, not {_kind(text)}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _Problem(f"not valid JSON: {error}") from None


def _format(spec: Any, *values: Any) -> str:
    if not isinstance(spec, str):
        raise _Problem("the format must be a string")
    if re.search(r"%[^sdv]", spec.replace("%%", "")):
        raise _Problem("ecslab's format() knows %s, %d, %v and %%")
    items = iter(values)

    def replace(found: re.Match[str]) -> str:
        if found.group(0) == "%%":
            return "%"
        try:
            value = next(items)
        except StopIteration:
            raise _Problem(f"not enough arguments for {spec!r}") from None
        return str(int(_tonumber(value))) if found.group(1) == "d" else _in_template(value)

    return re.sub(r"%%|%([sdv])", replace, spec)


def _lists(*values: Any) -> list[Any]:
    for value in values:
        if not isinstance(value, list):
            raise _Problem(f"lists are required, not {_kind(value)}")
    return [item for value in values for item in value]


def _merge(*values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in values:
        if value is None:
            continue
        if not isinstance(value, dict):
            raise _Problem(f"objects are required, not {_kind(value)}")
        out.update(value)
    return out


def _flatten(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Problem(f"a list is required, not {_kind(value)}")
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _distinct(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in _lists(value):
        if item not in out:
            out.append(item)
    return out


def _toset(value: Any) -> list[Any]:
    items = _distinct(value)
    if all(isinstance(i, str) for i in items):
        return sorted(items)  # Terraform's sets of strings are in lexical order
    return items


def _tonumber(value: Any) -> int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        number = float(str(value))
    except ValueError:
        raise _Problem(f"cannot convert {value!r} to a number") from None
    return int(number) if number.is_integer() else number


def _string_function(function: Callable[[str], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if not isinstance(value, str):
            raise _Problem(f"a string is required, not {_kind(value)}")
        return function(value)

    return apply


def _join(separator: Any, *values: Any) -> str:
    return str(separator).join(_in_template(v) for v in _lists(*values))


def _length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise _Problem(f"length() takes a string, list or object, not {_kind(value)}")


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "format": _format,
    "join": _join,
    "concat": _lists,
    "merge": _merge,
    "flatten": _flatten,
    "distinct": _distinct,
    "length": _length,
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "tostring": lambda v: v if v is None else _in_template(v),
    "tonumber": _tonumber,
    "tolist": lambda v: _lists(v),
    "toset": _toset,
}


# -- what references resolve to -----------------------------------------------------------------

_AFTER_APPLY = object()


def _after_apply(config: _Config, block: _Block) -> Any:
    return _AFTER_APPLY


def _role_name(config: _Config, block: _Block) -> str:
    if "name_prefix" in block.attributes:
        raise block.error(
            "name_prefix gives the role a random name when Terraform applies it, which ecslab "
            'cannot reproduce: give it a fixed name = "..." (the course uses '
            f'"{EXECUTION_ROLE}" and "{TASK_ROLE}")'
        )
    name = config.string(block, "name")
    if name is None:
        raise block.error(
            'the role has no name (Terraform would make up a random one): give it name = "..."'
        )
    if not _ROLE_NAME.match(name):
        raise block.error(
            f"IAM would refuse the role name {name!r}: 1 validation error detected: Value "
            f"'{name}' at 'roleName' failed to satisfy constraint: Member must satisfy regular "
            r"expression pattern: [\w+=,.@-]+ (1 to 64 characters)"
        )
    return name


def _path(config: _Config, block: _Block) -> str:
    path = config.string(block, "path") or "/"
    if not _PATH.match(path):
        raise block.error(
            f"IAM would refuse the path {path!r}: a path starts and ends with / "
            '(such as "/" or "/ecs/")'
        )
    return path


def _role_arn(config: _Config, block: _Block) -> str:
    return f"arn:aws:iam::{config.account_id}:role{_path(config, block)}{_role_name(config, block)}"


def _policy_name(config: _Config, block: _Block, what: str = "policy") -> str:
    if "name_prefix" in block.attributes:
        raise block.error(
            f"name_prefix gives the {what} a random name when Terraform applies it, which "
            'ecslab cannot reproduce: give it a fixed name = "..."'
        )
    name = config.string(block, "name")
    if name is None:
        raise block.error(f'the {what} has no name: give it name = "..."')
    if not _POLICY_NAME.match(name):
        raise block.error(
            f"IAM would refuse the {what} name {name!r}: 1 validation error detected: Value "
            f"'{name}' at 'policyName' failed to satisfy constraint: Member must satisfy "
            r"regular expression pattern: [\w+=,.@-]+ (1 to 128 characters)"
        )
    return name


def _policy_arn(config: _Config, block: _Block) -> str:
    name = _policy_name(config, block)
    return f"arn:aws:iam::{config.account_id}:policy{_path(config, block)}{name}"


def _family(config: _Config, block: _Block) -> str:
    return config.string(block, "family", required=True) or ""


_COMPUTED: dict[str, dict[str, Callable[[_Config, _Block], Any]]] = {
    "aws_iam_role": {
        "name": _role_name,
        "id": _role_name,
        "arn": _role_arn,
        "path": _path,
        "unique_id": _after_apply,
        "create_date": _after_apply,
    },
    "aws_iam_policy": {
        "name": _policy_name,
        "arn": _policy_arn,
        "id": _policy_arn,
        "path": _path,
        "policy_id": _after_apply,
        "attachment_count": _after_apply,
    },
    "aws_iam_role_policy": {
        "name": lambda c, b: _policy_name(c, b, "inline policy"),
        "id": lambda c, b: f"{c.string(b, 'role', True)}:{_policy_name(c, b, 'inline policy')}",
    },
    "aws_iam_role_policy_attachment": {"id": _after_apply},
    "aws_ecs_task_definition": {
        "family": _family,
        "arn_without_revision": lambda c, b: (
            f"arn:aws:ecs:{c.region}:{c.account_id}:task-definition/{_family(c, b)}"
        ),
        "arn": _after_apply,
        "revision": _after_apply,
        "id": _after_apply,
    },
}


def _policy_document(config: _Config, block: _Block) -> dict[str, Any]:
    """data "aws_iam_policy_document": the JSON the AWS provider renders."""
    for name in (
        "source_policy_documents",
        "override_policy_documents",
        "source_json",
        "override_json",
    ):
        if name in block.attributes:
            raise block.error(
                f"{name} is not supported by ecslab's Terraform reader: write the statements "
                "in this document"
            )
    _check_arguments(block, {"version", "policy_id"}, {"statement"})
    document: dict[str, Any] = {"Version": config.string(block, "version") or "2012-10-17"}
    policy_id = config.string(block, "policy_id")
    if policy_id:
        document["Id"] = policy_id
    statements = []
    for statement in (b for b in block.blocks if b.kind == "statement"):
        _check_arguments(
            statement,
            {"sid", "effect", "actions", "not_actions", "resources", "not_resources"},
            {"principals", "not_principals", "condition"},
        )
        rendered: dict[str, Any] = {}
        sid = config.string(statement, "sid")
        if sid:
            rendered["Sid"] = sid
        effect = config.string(statement, "effect") or "Allow"
        if effect not in ("Allow", "Deny"):
            raise statement.error(f'statement effect must be "Allow" or "Deny", not {effect!r}')
        rendered["Effect"] = effect
        for argument, key in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            if argument in statement.attributes:
                rendered[key] = _one_or_many(_distinct(config.strings(statement, argument)))
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals: dict[str, list[str]] = {}
            for principal in (b for b in statement.blocks if b.kind == kind):
                _check_arguments(principal, {"type", "identifiers"}, set())
                type_ = config.string(principal, "type", required=True) or ""
                principals.setdefault(type_, []).extend(config.strings(principal, "identifiers"))
            if principals == {"*": ["*"]}:
                rendered[key] = "*"
            elif principals:
                rendered[key] = {t: _one_or_many(_distinct(i)) for t, i in principals.items()}
        conditions: dict[str, dict[str, Any]] = {}
        for condition in (b for b in statement.blocks if b.kind == "condition"):
            _check_arguments(condition, {"test", "variable", "values"}, set())
            test = config.string(condition, "test", required=True) or ""
            variable = config.string(condition, "variable", required=True) or ""
            conditions.setdefault(test, {})[variable] = _one_or_many(
                config.strings(condition, "values")
            )
        if conditions:
            rendered["Condition"] = conditions
        statements.append(rendered)
    document["Statement"] = statements
    return document


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _data_policy_document(config: _Config, block: _Block) -> dict[str, Any]:
    document = _policy_document(config, block)
    return {
        "json": json.dumps(document, indent=2),
        "minified_json": json.dumps(document, separators=(",", ":")),
    }


def _data_caller_identity(config: _Config, block: _Block) -> dict[str, Any]:
    _check_arguments(block, set(), set())
    world = config.lab.world
    keys = world.learner_keys
    principal = world.identities.resolve(keys[0]) if keys else None
    arn = principal.arn if principal is not None else f"arn:aws:iam::{config.account_id}:root"
    return {"account_id": config.account_id, "id": config.account_id, "arn": arn}


def _data_region(config: _Config, block: _Block) -> dict[str, Any]:
    _check_arguments(block, {"name", "region"}, set())
    for name in ("name", "region"):
        asked = config.string(block, name)
        if asked and asked != config.region:
            raise block.error(f"the lab's account is in {config.region}, not {asked}")
    return {"name": config.region, "region": config.region, "id": config.region}


def _data_partition(config: _Config, block: _Block) -> dict[str, Any]:
    _check_arguments(block, set(), set())
    return {
        "partition": "aws",
        "id": "aws",
        "dns_suffix": "amazonaws.com",
        "reverse_dns_prefix": "com.amazonaws",
    }


def _data_iam_policy(config: _Config, block: _Block) -> dict[str, Any]:
    _check_arguments(block, {"name", "arn", "path_prefix"}, set())
    asked = config.string(block, "arn") or config.string(block, "name")
    if not asked:
        raise block.error('give the policy\'s name = "..." or arn = "..."')
    store = config.lab.world.account.managed_policies()
    customer = [p for arn, p in store.items() if ":aws:policy" not in arn]
    found = next((p for p in customer if asked in (p.arn, p.name)), None)
    if found is not None:
        document = found.document
        arn, name, path = found.arn, found.name, found.path
    else:
        try:
            policy = managed_policy(asked)
        except UnknownManagedPolicy as unknown:
            raise block.error(f"no policy {asked!r} in the lab's account: {unknown}") from None
        arn, name, path, document = policy.arn, policy.name, policy.path, policy.to_json()
    return {"arn": arn, "id": arn, "name": name, "path": path, "policy": document}


def _data_iam_role(config: _Config, block: _Block) -> dict[str, Any]:
    _check_arguments(block, {"name"}, set())
    name = config.string(block, "name", required=True) or ""
    role = config.lab.world.account.role(name)
    if role is None:
        raise block.error(f"no role named {name!r} in the lab's account")
    return {
        "name": role.name,
        "id": role.name,
        "arn": role.arn,
        "path": role.path,
        "assume_role_policy": role.trust,
    }


_DATA: dict[str, Callable[[_Config, _Block], dict[str, Any]]] = {
    "aws_iam_policy_document": _data_policy_document,
    "aws_caller_identity": _data_caller_identity,
    "aws_region": _data_region,
    "aws_partition": _data_partition,
    "aws_iam_policy": _data_iam_policy,
    "aws_iam_role": _data_iam_role,
}


def _check_arguments(block: _Block, arguments: set[str], blocks: set[str]) -> None:
    """Terraform's "Unsupported argument" / "Unsupported block type", and ecslab's own limits."""
    for meta in ("count", "for_each"):
        if block.parent is None and meta in block.attributes:
            raise block.error(
                f"{meta} is not supported by ecslab's Terraform reader: write one block for each"
            )
    for name in block.attributes:
        if name not in arguments and name not in _META:
            raise block.error(
                f'an argument named "{name}" is not expected in {_describe(block)}'
                f".{_suggest(name, arguments)}"
            )
    for child in block.blocks:
        if child.kind == "dynamic":
            raise block.error("dynamic blocks are not supported by ecslab's Terraform reader")
        if child.kind not in blocks and child.kind not in _META:
            raise block.error(
                f'blocks of type "{child.kind}" are not expected in {_describe(block)} '
                f"(line {child.line}).{_suggest(child.kind, blocks)}"
            )


def _describe(block: _Block) -> str:
    if block.parent is not None:
        return f'a "{block.kind}" block'
    if block.kind == "data":
        return f'data "{block.labels[0]}"'
    return f'resource "{block.labels[0]}"' if block.kind == "resource" else f"{block.kind}"


# -- the plan --------------------------------------------------------------------------------------

_ROLE_ARGUMENTS = {
    "name",
    "name_prefix",
    "assume_role_policy",
    "path",
    "description",
    "max_session_duration",
    "permissions_boundary",
    "managed_policy_arns",
    "force_detach_policies",
    "tags",
}


@dataclass
class _RolePlan:
    block: _Block | None  # None: a role already in the lab that the Terraform only adds to
    name: str
    arn: str
    exists: bool
    trust: str = ""
    path: str = "/"
    description: str | None = None
    max_session: int | None = None
    boundary: str | None = None
    managed: list[tuple[str, _Block]] = field(default_factory=list)
    inline: list[tuple[str, str, _Block]] = field(default_factory=list)


@dataclass
class _PolicyPlan:
    block: _Block
    name: str
    path: str
    arn: str
    document: str
    description: str | None
    exists: bool


@dataclass
class _TaskPlan:
    block: _Block
    request: dict[str, Any]
    programs: dict[str, Program]


@dataclass
class _Plan:
    policies: list[_PolicyPlan] = field(default_factory=list)
    roles: dict[str, _RolePlan] = field(default_factory=dict)
    tasks: list[_TaskPlan] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _checked_policy(document: str, kind: str, block: _Block, argument: str, operation: str) -> str:
    """``document`` as IAM checks it (the gate's own check), or the block's error."""
    try:
        parse_policy(document, kind)
    except MalformedPolicyDocument as problem:
        raise block.error(
            f"{_where(block, argument)}: IAM would refuse {operation}: {problem}"
        ) from None
    return document


def _plan(config: _Config, app: Program | None) -> _Plan:
    plan = _Plan()
    lab = config.lab
    account = lab.world.account
    store = account.managed_policies()
    for block in config.blocks:
        if block.kind == "resource" and block.type not in _COMPUTED:
            plan.ignored.append(block.address)
        elif block.kind == "data":
            if block.type in _DATA:
                config.data_values(block)  # every data source is read, as Terraform does
            else:
                plan.ignored.append(block.address)
        elif block.kind in (
            "output",
            "provider",
            "module",
            "terraform",
            "moved",
            "import",
            "removed",
            "check",
        ):
            plan.ignored.append(block.address)

    def resources(type_: str) -> list[_Block]:
        return [b for b in config.blocks if b.kind == "resource" and b.type == type_]

    # Customer managed policies.
    for block in resources("aws_iam_policy"):
        _check_arguments(
            block,
            {
                "name",
                "name_prefix",
                "path",
                "description",
                "policy",
                "tags",
                "delay_after_policy_creation_in_ms",
            },
            set(),
        )
        arn = _policy_arn(config, block)
        document = _checked_policy(
            config.string(block, "policy", required=True) or "",
            "identity",
            block,
            "policy",
            "CreatePolicy",
        )
        name, path = _policy_name(config, block), _path(config, block)
        same_name = [p for a, p in store.items() if ":aws:policy" not in a and p.name == name]
        if same_name and same_name[0].arn != arn:
            raise block.error(
                f"IAM would refuse CreatePolicy: EntityAlreadyExists: A policy called {name} "
                f"already exists (as {same_name[0].arn}); policy names are unique in an account"
            )
        if any(p.arn == arn for p in plan.policies):
            raise block.error(f"another aws_iam_policy block also creates {arn}")
        plan.policies.append(
            _PolicyPlan(
                block, name, path, arn, document, config.string(block, "description"), arn in store
            )
        )
    planned_policies = {p.arn for p in plan.policies}

    def policy_arn(value: str | None, block: _Block, argument: str) -> str:
        arn = value or ""
        if not arn.startswith("arn:"):
            hint = ""
            try:
                hint = f": did you mean {managed_policy(arn).arn!r}?"
            except UnknownManagedPolicy:
                hint = ": give the policy's ARN, such as arn:aws:iam::aws:policy/NAME"
            raise block.error(
                f"{argument}: IAM would refuse AttachRolePolicy: ValidationError: ARN {arn} is "
                f"not valid{hint}"
            )
        found = _POLICY_ARN.match(arn)
        if found and found.group(1) == "aws":
            try:
                return managed_policy(arn).arn
            except UnknownManagedPolicy as unknown:
                said = str(unknown)
                if not said.startswith("Policy "):
                    said = f"Policy {arn} does not exist or is not attachable. ({said})"
                raise block.error(
                    f"{argument}: IAM would refuse AttachRolePolicy: NoSuchEntity: {said}"
                ) from None
        if found and (arn in planned_policies or arn in store):
            return arn
        known = sorted(planned_policies | {a for a in store if ":aws:policy" not in a})
        raise block.error(
            f"{argument}: IAM would refuse AttachRolePolicy: NoSuchEntity: Policy {arn} does not "
            "exist or is not attachable. Customer managed policies in the lab and in these "
            f"files: {', '.join(known) or 'none'}"
        )

    # Roles.
    for block in resources("aws_iam_role"):
        _check_arguments(block, _ROLE_ARGUMENTS, {"inline_policy"})
        name = _role_name(config, block)
        if name in plan.roles:
            other = plan.roles[name].block
            assert other is not None
            raise block.error(
                f"{other.address} ({other.file}, line {other.line}) also creates the role {name!r}"
            )
        existing = account.role(name)
        path = _path(config, block)
        if existing is not None and existing.path != path:
            raise block.error(
                f"the role {name} exists in the lab with the path {existing.path!r}; changing "
                "the path would replace the role and change its ARN, which ecslab does not do"
            )
        trust = _checked_policy(
            config.string(block, "assume_role_policy", required=True) or "",
            "trust",
            block,
            "assume_role_policy",
            "CreateRole" if existing is None else "UpdateAssumeRolePolicy",
        )
        duration = config.value(block, "max_session_duration")
        if duration is not None:
            try:
                duration = int(_tonumber(duration))
            except _Problem as problem:
                raise block.error(f"max_session_duration: {problem}") from None
            if not 3600 <= duration <= 43200:
                raise block.error(
                    "IAM would refuse max_session_duration: it is from 3600 to 43200 seconds, "
                    f"not {duration}"
                )
        boundary = config.string(block, "permissions_boundary")
        role = _RolePlan(
            block,
            name,
            _role_arn(config, block),
            existing is not None,
            trust,
            path,
            config.string(block, "description"),
            duration,
            policy_arn(boundary, block, "permissions_boundary") if boundary else None,
        )
        plan.roles[name] = role
        for arn in config.strings(block, "managed_policy_arns"):
            role.managed.append((policy_arn(arn, block, "managed_policy_arns"), block))
        for inline in block.blocks:
            if inline.kind != "inline_policy":
                continue
            _check_arguments(inline, {"name", "policy"}, set())
            if not inline.attributes:
                continue  # an empty inline_policy block: no inline policies
            policy_name = _policy_name(config, inline, "inline policy")
            document = config.string(inline, "policy", required=True) or ""
            _checked_policy(
                document, "identity", inline, "policy", f"PutRolePolicy ({policy_name})"
            )
            role.inline.append((policy_name, document, inline))

    def target(block: _Block) -> _RolePlan:
        name = config.string(block, "role", required=True) or ""
        if name.startswith("arn:"):
            raise block.error(
                f"role: IAM wants the role's name here, not its ARN ({name}): write "
                "aws_iam_role.NAME.name (or .id)"
            )
        if name in plan.roles:
            return plan.roles[name]
        existing = account.role(name)
        if existing is None:
            declared = [r for r in plan.roles]
            in_lab = account.role_names()
            raise block.error(
                f"role: IAM would refuse: NoSuchEntity: The role with name {name} cannot be "
                f"found (roles in these files: {', '.join(declared) or 'none'}; in the lab: "
                f"{', '.join(in_lab)}).{_suggest(name, [*declared, *in_lab])}"
            )
        plan.roles[name] = _RolePlan(None, name, existing.arn, True)
        return plan.roles[name]

    for block in resources("aws_iam_role_policy_attachment"):
        _check_arguments(block, {"role", "policy_arn"}, set())
        role = target(block)
        arn = policy_arn(config.string(block, "policy_arn", required=True), block, "policy_arn")
        role.managed.append((arn, block))

    for block in resources("aws_iam_role_policy"):
        _check_arguments(block, {"name", "name_prefix", "role", "policy"}, set())
        role = target(block)
        name = _policy_name(config, block, "inline policy")
        document = config.string(block, "policy", required=True) or ""
        _checked_policy(document, "identity", block, "policy", "PutRolePolicy")
        role.inline.append((name, document, block))

    # Task definitions.
    role_arns = {r.arn for r in plan.roles.values()}

    def role_exists(arn: str) -> bool:
        return arn in role_arns or account.role(arn.rsplit("/", 1)[-1]) is not None

    for block in resources("aws_ecs_task_definition"):
        request = _task_request(config, block)
        programs: dict[str, Program] = {}
        if app is not None:
            essential = next(
                (c["name"] for c in request["containerDefinitions"] if c.get("essential", True)),
                None,
            )
            if essential is not None:
                programs = {str(essential): app}
        try:
            definitions.build(
                request, 1, "arn:aws:ecs:::task-definition/check:1", 0.0, role_exists, programs
            )
        except Refusal as refusal:
            raise block.error(
                f"ECS would refuse RegisterTaskDefinition: {refusal.error.code}: "
                f"{refusal.error.message}"
            ) from None
        plan.tasks.append(_TaskPlan(block, request, programs))
    if app is not None and not plan.tasks:
        raise TerraformError(
            "app= is the program of a task definition's essential container, but these files "
            "declare no aws_ecs_task_definition"
        )
    return plan


_TASK_ARGUMENTS = {
    "family": "family",
    "execution_role_arn": "executionRoleArn",
    "task_role_arn": "taskRoleArn",
    "network_mode": "networkMode",
    "cpu": "cpu",
    "memory": "memory",
    "pid_mode": "pidMode",
    "ipc_mode": "ipcMode",
}


def _task_request(config: _Config, block: _Block) -> dict[str, Any]:
    """RegisterTaskDefinition's request for an aws_ecs_task_definition block."""
    unsupported = {
        "volume",
        "placement_constraints",
        "proxy_configuration",
        "inference_accelerator",
    }
    for child in block.blocks:
        if child.kind in unsupported:
            raise block.error(
                f"{child.kind} blocks (line {child.line}) are not supported by ecslab's "
                "Terraform reader"
            )
    for name in ("enable_fault_injection",):
        if name in block.attributes:
            raise block.error(f"{name} is not supported by ecslab's Terraform reader")
    _check_arguments(
        block,
        {
            *_TASK_ARGUMENTS,
            "container_definitions",
            "requires_compatibilities",
            "tags",
            "skip_destroy",
            "track_latest",
        },
        {"runtime_platform", "ephemeral_storage"},
    )
    request: dict[str, Any] = {}
    for argument, key in _TASK_ARGUMENTS.items():
        value = config.string(block, argument, required=argument == "family")
        if value is not None:
            request[key] = value
    if "requires_compatibilities" in block.attributes:
        request["requiresCompatibilities"] = _distinct(
            config.strings(block, "requires_compatibilities")
        )
    for child in block.blocks:
        if child.kind == "runtime_platform":
            _check_arguments(child, {"operating_system_family", "cpu_architecture"}, set())
            platform = {
                key: config.string(child, argument)
                for argument, key in (
                    ("operating_system_family", "operatingSystemFamily"),
                    ("cpu_architecture", "cpuArchitecture"),
                )
            }
            request["runtimePlatform"] = {k: v for k, v in platform.items() if v is not None}
        elif child.kind == "ephemeral_storage":
            _check_arguments(child, {"size_in_gib"}, set())
            size = config.value(child, "size_in_gib")
            try:
                request["ephemeralStorage"] = {"sizeInGiB": int(_tonumber(size))}
            except _Problem as problem:
                raise block.error(f"ephemeral_storage.size_in_gib: {problem}") from None
    text = config.string(block, "container_definitions", required=True) or ""
    try:
        containers = json.loads(text)
    except json.JSONDecodeError as error:
        raise block.error(
            f"container_definitions is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno} of the JSON)"
        ) from None
    if not isinstance(containers, list):
        raise block.error(
            "container_definitions must be a JSON list of containers: jsonencode([{...}])"
        )
    model = _ecs_input_shape()
    for i, container in enumerate(containers):
        if not isinstance(container, dict):
            raise block.error(
                f"container_definitions: container {i} must be an object "
                "({ name = ..., image = ... }), not " + _kind(container)
            )
    try:
        request["containerDefinitions"] = [
            _ecs_fields(c, model.members["containerDefinitions"].member, f"container {i}")
            for i, c in enumerate(containers)
        ]
    except _Problem as problem:
        raise block.error(f"container_definitions: {problem}") from None
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(request, model)
    if report.has_errors():
        problems = report.generate_report().replace("\n", "; ")
        raise block.error(f"ECS would refuse RegisterTaskDefinition: {problems}")
    return request


@cache
def _ecs_input_shape() -> Any:
    import botocore.session

    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def _ecs_fields(value: Any, shape: Any, where: str) -> Any:
    """ECS's own field names for a container definition, matched as the AWS provider's JSON
    decoder matches them (case-insensitively), nulls dropped."""
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        lowered = {k.lower(): k for k in members}
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            name = key if key in members else lowered.get(str(key).lower())
            if name is None:
                plain = {k.lower().replace("_", ""): k for k in members}
                guess = plain.get(str(key).lower().replace("_", ""))
                hint = f' Did you mean "{guess}"?' if guess else _suggest(str(key), members)
                raise _Problem(
                    f'{where} has a field "{key}" that ECS does not have (the AWS provider '
                    f"would drop it without a word).{hint} container_definitions uses ECS's "
                    "JSON field names (camelCase)"
                )
            out[name] = _ecs_fields(item, members[name], f"{where}.{name}")
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_ecs_fields(v, shape.member, f"{where}[{i}]") for i, v in enumerate(value)]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _ecs_fields(v, shape.value, f"{where}.{k}") for k, v in value.items()}
    return value  # a wrong type: botocore's validation says so


# -- applying --------------------------------------------------------------------------------------


class _Undo:
    """What applying changed, to put back if AWS refuses a later call."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.iam = lab.client("iam")
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.created_roles: list[str] = []
        self.created_policies: list[str] = []
        self.new_versions: list[tuple[str, str, str]] = []  # arn, old default, new version
        self.task_definitions: list[str] = []

    def snapshot(self, name: str) -> None:
        role = self.lab.role(name)
        stored = role
        self.snapshots[name] = {
            "trust": json.dumps(role.trust_policy),
            "managed": list(role.managed_policy_arns),
            "inline": {n: json.dumps(role.inline_policy(n)) for n in role.inline_policy_names},
            "boundary": stored.permissions_boundary_arn,
            "description": stored.description,
            "max_session": stored.max_session_duration,
        }

    def run(self) -> list[str]:
        """Put everything back; returns what could not be put back."""
        failed: list[str] = []
        steps: list[tuple[str, Callable[[], Any]]] = []
        steps += [(f"deregister {t}", self._deregister(t)) for t in self.task_definitions]
        steps += [(f"delete role {r}", self._delete_role(r)) for r in self.created_roles]
        steps += [(f"restore role {r}", self._restore(r, s)) for r, s in self.snapshots.items()]
        steps += [(f"restore policy {a}", self._version(a, o, n)) for a, o, n in self.new_versions]
        steps += [(f"delete policy {a}", self._delete_policy(a)) for a in self.created_policies]
        for what, step in steps:
            try:
                step()
            except Exception:  # keep putting back the rest
                failed.append(what)
        return failed

    def _deregister(self, reference: str) -> Callable[[], Any]:
        return lambda: self.lab.client("ecs").deregister_task_definition(taskDefinition=reference)

    def _delete_role(self, name: str) -> Callable[[], None]:
        def delete() -> None:
            role = self.lab.role(name)
            for arn in role.managed_policy_arns:
                self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            for policy in role.inline_policy_names:
                self.iam.delete_role_policy(RoleName=name, PolicyName=policy)
            if role.permissions_boundary_arn:
                self.iam.delete_role_permissions_boundary(RoleName=name)
            self.iam.delete_role(RoleName=name)

        return delete

    def _restore(self, name: str, snapshot: dict[str, Any]) -> Callable[[], None]:
        def restore() -> None:
            role = self.lab.role(name)
            self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=snapshot["trust"])
            for arn in role.managed_policy_arns:
                if arn not in snapshot["managed"]:
                    self.iam.detach_role_policy(RoleName=name, PolicyArn=arn)
            for arn in snapshot["managed"]:
                if arn not in role.managed_policy_arns:
                    self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            for policy in role.inline_policy_names:
                if policy not in snapshot["inline"]:
                    self.iam.delete_role_policy(RoleName=name, PolicyName=policy)
            for policy, document in snapshot["inline"].items():
                self.iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=document)
            stored = role
            if stored.permissions_boundary_arn != snapshot["boundary"]:
                if snapshot["boundary"]:
                    self.iam.put_role_permissions_boundary(
                        RoleName=name, PermissionsBoundary=snapshot["boundary"]
                    )
                else:
                    self.iam.delete_role_permissions_boundary(RoleName=name)
            if (stored.description, stored.max_session_duration) != (
                snapshot["description"],
                snapshot["max_session"],
            ):
                self.iam.update_role(
                    RoleName=name,
                    Description=snapshot["description"] or "",
                    MaxSessionDuration=snapshot["max_session"] or 3600,
                )

        return restore

    def _version(self, arn: str, old: str, new: str) -> Callable[[], None]:
        def restore() -> None:
            self.iam.set_default_policy_version(PolicyArn=arn, VersionId=old)
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=new)

        return restore

    def _delete_policy(self, arn: str) -> Callable[[], None]:
        def delete() -> None:
            entities = self.iam.list_entities_for_policy(PolicyArn=arn)
            for role in entities.get("PolicyRoles", []):
                self.iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
            self.iam.delete_policy(PolicyArn=arn)

        return delete


def _apply(lab: Lab, plan: _Plan, files: tuple[str, ...]) -> TerraformResult:
    iam = lab.client("iam")
    undo = _Undo(lab)
    done: dict[str, list[Any]] = {
        "created": [],
        "replaced": [],
        "policies": [],
        "attachments": [],
        "inline": [],
        "tasks": [],
    }
    current: _Block | None = None
    try:
        for policy in plan.policies:
            current = policy.block
            if policy.exists:
                _new_version(lab, iam, policy, undo, done)
            else:
                arguments = {
                    "PolicyName": policy.name,
                    "Path": policy.path,
                    "PolicyDocument": policy.document,
                }
                if policy.description:
                    arguments["Description"] = policy.description
                iam.create_policy(**arguments)
                undo.created_policies.append(policy.arn)
                done["policies"].append(policy.arn)
        for role in plan.roles.values():
            current = role.block
            if role.exists:
                undo.snapshot(role.name)
            if role.block is None:
                continue  # only added to (attachments, inline policies) below
            if role.exists:
                _replace(lab, iam, role)
                done["replaced"].append(role.name)
            else:
                arguments = {
                    "RoleName": role.name,
                    "Path": role.path,
                    "AssumeRolePolicyDocument": role.trust,
                }
                if role.description:
                    arguments["Description"] = role.description
                if role.max_session:
                    arguments["MaxSessionDuration"] = role.max_session
                iam.create_role(**arguments)
                undo.created_roles.append(role.name)
                done["created"].append(role.name)
            if role.boundary:
                iam.put_role_permissions_boundary(
                    RoleName=role.name, PermissionsBoundary=role.boundary
                )
        for role in plan.roles.values():
            for arn, block in role.managed:
                current = block
                iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
                done["attachments"].append((role.name, arn))
            for name, document, block in role.inline:
                current = block
                iam.put_role_policy(RoleName=role.name, PolicyName=name, PolicyDocument=document)
                done["inline"].append((role.name, name))
        for task in plan.tasks:
            current = task.block
            reference = lab.register_task_definition(task.request, programs=task.programs)
            undo.task_definitions.append(reference)
            done["tasks"].append(reference)
    except ClientError as error:
        failed = undo.run()
        info = error.response.get("Error", {})
        problem = f"AWS refused {error.operation_name}: {info.get('Code')}: {info.get('Message')}"
        raise _applying_error(current, problem, failed) from None
    except Exception as error:
        failed = undo.run()
        raise _applying_error(current, f"applying failed: {error}", failed) from error
    return TerraformResult(
        files=files,
        roles_created=tuple(done["created"]),
        roles_replaced=tuple(done["replaced"]),
        policies=tuple(done["policies"]),
        attachments=tuple(done["attachments"]),
        inline_policies=tuple(done["inline"]),
        task_definitions=tuple(done["tasks"]),
        ignored=tuple(plan.ignored),
    )


def _applying_error(block: _Block | None, problem: str, failed: list[str]) -> TerraformError:
    if failed:
        problem += (
            f" (and ecslab could not put back: {', '.join(failed)}; lab.reset_roles() puts the "
            "course's roles back)"
        )
    else:
        problem += " (nothing was changed: ecslab put back what it had applied)"
    return block.error(problem) if block is not None else TerraformError(problem)


def _replace(lab: Lab, iam: Any, role: _RolePlan) -> None:
    """An existing role, made what the Terraform says: trust set, every policy removed."""
    view = lab.role(role.name)
    view.set_trust_policy(role.trust)
    for arn in view.managed_policy_arns:
        view.detach(arn)
    for name in view.inline_policy_names:
        view.remove_inline(name)
    stored = view
    if stored.permissions_boundary_arn and not role.boundary:
        iam.delete_role_permissions_boundary(RoleName=role.name)
    update: dict[str, Any] = {}
    if role.description is not None and role.description != stored.description:
        update["Description"] = role.description
    if role.max_session is not None and role.max_session != stored.max_session_duration:
        update["MaxSessionDuration"] = role.max_session
    if update:
        iam.update_role(RoleName=role.name, **update)


def _new_version(
    lab: Lab, iam: Any, policy: _PolicyPlan, undo: _Undo, done: dict[str, list[Any]]
) -> None:
    """An existing customer managed policy: a new default version, as Terraform updates it."""
    current = lab.world.account.managed_policy_document(policy.arn)
    if current is not None and json.loads(current) == json.loads(policy.document):
        return
    versions = iam.list_policy_versions(PolicyArn=policy.arn)["Versions"]
    old = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
    if len(versions) >= 5:  # IAM keeps five versions: Terraform deletes the oldest
        oldest = min(
            (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
        )
        iam.delete_policy_version(PolicyArn=policy.arn, VersionId=oldest["VersionId"])
    new = iam.create_policy_version(
        PolicyArn=policy.arn, PolicyDocument=policy.document, SetAsDefault=True
    )["PolicyVersion"]["VersionId"]
    undo.new_versions.append((policy.arn, old, new))
    done["policies"].append(policy.arn)


# -- load_terraform --------------------------------------------------------------------------------


def load_terraform(lab: Lab, source: str | Path, app: Program | None = None) -> TerraformResult:
    """Apply the ECS and IAM parts of a learner's Terraform to ``lab``, as the learner.

    ``source``: a .tf file, a directory of .tf files, or HCL text. ``app``: a program (Python
    callable) for the essential container of the task definition(s) it registers. Roles that
    already exist in the lab are replaced (trust policy set, every policy removed, then the
    Terraform's attached). Raises :class:`TerraformError` for any problem in the Terraform,
    before anything is changed.
    """
    if app is not None and not callable(app):
        raise TypeError(
            "app must be a Python function (the essential container's program), not "
            f"{type(app).__name__}"
        )
    lab._require_open()
    files = _sources(source)
    try:
        blocks = [block for file, text in files for block in _parse(text, file)]
        plan = _plan(_Config(blocks, lab), app)
    except TerraformError:
        raise
    except Exception as error:  # an ecslab bug: still a TerraformError, and nothing changed
        raise TerraformError(
            f"ecslab could not read this Terraform ({type(error).__name__}: {error}); nothing "
            "was changed. This is a bug in ecslab: please report it with the Terraform text"
        ) from error
    return _apply(lab, plan, tuple(file for file, _ in files))


# -- to_terraform ----------------------------------------------------------------------------------

_WIDTH = 100
_HCL_KEYWORDS = {"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"}


class _Raw(str):
    """An HCL expression written as is (a reference), not as a quoted string."""


def _hcl_string(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    escaped = "".join(out).replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def _hcl_key(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and key not in _HCL_KEYWORDS:
        return key
    return _hcl_string(key)


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _hcl(value: Any, indent: int) -> str:
    """``value`` as an HCL expression; lines after the first are indented by ``indent``."""
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, str):
        return _hcl_string(value)
    pad = " " * indent
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(_scalar(v) for v in value):
            line = "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
            if indent + len(line) <= _WIDTH - 20:
                return line
        items = [f"{pad}  {_hcl(v, indent + 2)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(value) <= 2 and all(_scalar(v) for v in value.values()):
            line = "{ " + ", ".join(f"{_hcl_key(k)} = {_hcl(v, 0)}" for k, v in value.items())
            line += " }"
            if indent + len(line) <= _WIDTH - 20:
                return line
        body = _aligned([(_hcl_key(k), _hcl(v, indent + 2)) for k, v in value.items()], indent + 2)
        return "{\n" + "\n".join(body) + f"\n{pad}}}"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def _aligned(items: list[tuple[str, str]], indent: int) -> list[str]:
    """``key = value`` lines, the ``=`` aligned as ``terraform fmt`` aligns them: in each run of
    one-line arguments (an argument whose value spans lines ends a run and is not aligned)."""
    pad = " " * indent
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in group), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in group)
        group.clear()

    for key, value in items:
        if "\n" in value:
            flush()
            lines.append(f"{pad}{key} = {value}")
        else:
            group.append((key, value))
    flush()
    return lines


def _resource(type_: str, name: str, items: list[tuple[str, Any]], nested: str = "") -> str:
    lines = _aligned([(k, _hcl(v, 2)) for k, v in items if v is not None], 2)
    return f'resource "{type_}" "{name}" {{\n' + "\n".join(lines) + nested + "\n}\n"


def _identifier(text: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    snake = re.sub(r"[^A-Za-z0-9_]+", "_", snake).strip("_").lower()
    if not snake:
        return "resource"
    return snake if re.match(r"[a-z_]", snake) else f"r_{snake}"


class _Names:
    """Terraform resource names, unique per resource type."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def __call__(self, type_: str, wanted: str) -> str:
        used = self.used.setdefault(type_, set())
        name, number = wanted, 2
        while name in used:
            name, number = f"{wanted}_{number}", number + 1
        used.add(name)
        return name


def _policy_identifier(name: str) -> str:
    ident = _identifier(name)
    return ident.removeprefix("amazon_").removeprefix("aws_") or ident


def _role_identifier(name: str) -> str:
    trimmed = re.sub(r"[-_]role$", "", name, flags=re.IGNORECASE)
    return _identifier(trimmed or name)


_POLICY_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document with its keys in the order people write them (Version, Statement;
    Sid, Effect, Principal, Action, Resource, Condition): ``jsonencode`` sorts them anyway."""

    def order(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        first = {k: mapping[k] for k in keys if k in mapping}
        return {**first, **{k: v for k, v in mapping.items() if k not in first}}

    out = order(document, _POLICY_KEYS)
    statements = out.get("Statement")
    if isinstance(statements, list):
        out["Statement"] = [
            order(s, _STATEMENT_KEYS) if isinstance(s, dict) else s for s in statements
        ]
    elif isinstance(statements, dict):
        out["Statement"] = order(statements, _STATEMENT_KEYS)
    return out


def _jsonencode_hcl(document: dict[str, Any]) -> _Raw:
    return _Raw(f"jsonencode({_hcl(_ordered(document), 2)})")


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return json.loads(value)
    if isinstance(value, dict):
        return copy.deepcopy(value)
    for attribute in ("document", "_source"):  # a LeastPrivilege suggestion, an ecslab Policy
        inner = getattr(value, attribute, None)
        if isinstance(inner, (dict, str)):
            return _document(inner)
    raise TypeError(f"a policy document must be a dict or JSON text, not {type(value).__name__}")


def to_terraform(
    lab: Lab, roles: list[str] | None = None, policies: dict[str, Any] | None = None
) -> str:
    """The lab's roles and the course's task definition as Terraform (HCL) text.

    ``roles``: role names (default: the course's ``ecs-execution-role`` and ``ecs-task-role``).
    ``policies``: ``{role name: policy document}``; a role given here gets that document as an
    ``aws_iam_policy`` and its attachment *instead of* its current permissions. The text is the
    same for the same lab, and :func:`load_terraform` reads it back.
    """
    lab._require_open()
    names = list(roles) if roles is not None else [EXECUTION_ROLE, TASK_ROLE]
    policies = dict(policies or {})
    account = lab.world.account
    for name in names:
        if account.role(name) is None:
            known = account.role_names()
            raise ValueError(f"no role named {name!r} in this lab (roles: {', '.join(known)})")
    strangers = [name for name in policies if name not in names]
    if strangers:
        raise ValueError(
            f"policies names roles that are not written: {', '.join(strangers)} (roles: "
            f"{', '.join(names)})"
        )
    unique = _Names()
    role_ids = {name: unique("aws_iam_role", _role_identifier(name)) for name in names}
    policy_ids: dict[str, str] = {}  # customer managed policy ARN → resource name
    chunks = [
        f"# The lab's roles (account {lab.account_id}, {lab.region}), written by ecslab.\n"
        "# Read it back with ecslab.coach.terraform.load_terraform(lab, text).\n"
    ]
    for name in names:
        role = lab.role(name)
        stored = role
        ident = role_ids[name]
        boundary: Any = stored.permissions_boundary_arn
        chunks.append(
            _resource(
                "aws_iam_role",
                ident,
                [
                    ("name", name),
                    ("path", stored.path if stored.path != "/" else None),
                    ("description", stored.description or None),
                    (
                        "max_session_duration",
                        stored.max_session_duration
                        if stored.max_session_duration not in (None, 3600)
                        else None,
                    ),
                    ("permissions_boundary", boundary),
                    ("assume_role_policy", _jsonencode_hcl(role.trust_policy)),
                ],
            )
        )
        if name in policies:
            policy_id = unique("aws_iam_policy", ident)
            document = _document(policies[name])
            chunks.append(
                _resource(
                    "aws_iam_policy",
                    policy_id,
                    [
                        ("name", f"{name}-policy"),
                        ("policy", _jsonencode_hcl(document)),
                    ],
                )
            )
            chunks.append(
                _resource(
                    "aws_iam_role_policy_attachment",
                    unique("aws_iam_role_policy_attachment", ident),
                    [
                        ("role", _Raw(f"aws_iam_role.{ident}.name")),
                        ("policy_arn", _Raw(f"aws_iam_policy.{policy_id}.arn")),
                    ],
                )
            )
            continue
        for arn in role.managed_policy_arns:
            policy_name = arn.rsplit("/", 1)[-1]
            reference: Any = arn
            if ":aws:policy/" not in arn:
                if arn not in policy_ids:
                    policy_ids[arn] = unique("aws_iam_policy", _identifier(policy_name))
                    chunks.append(_customer_policy(lab, arn, policy_ids[arn]))
                reference = _Raw(f"aws_iam_policy.{policy_ids[arn]}.arn")
            chunks.append(
                _resource(
                    "aws_iam_role_policy_attachment",
                    unique(
                        "aws_iam_role_policy_attachment",
                        f"{ident}_{_policy_identifier(policy_name)}",
                    ),
                    [("role", _Raw(f"aws_iam_role.{ident}.name")), ("policy_arn", reference)],
                )
            )
        for policy_name in role.inline_policy_names:
            chunks.append(
                _resource(
                    "aws_iam_role_policy",
                    unique("aws_iam_role_policy", f"{ident}_{_policy_identifier(policy_name)}"),
                    [
                        ("name", policy_name),
                        ("role", _Raw(f"aws_iam_role.{ident}.id")),
                        (
                            "policy",
                            _jsonencode_hcl(role.inline_policy(policy_name)),
                        ),
                    ],
                )
            )
    definition = lab.ecs.definition(lab.resources.family)
    if definition is not None:
        chunks.append(_task_definition(definition.describe(), names, role_ids, lab))
    return "\n".join(chunks)


def _customer_policy(lab: Lab, arn: str, ident: str) -> str:
    stored = lab.world.account.managed_policies()[arn]
    document = json.loads(stored.document)
    return _resource(
        "aws_iam_policy",
        ident,
        [
            ("name", stored.name),
            ("path", stored.path if stored.path != "/" else None),
            ("description", stored.description),
            ("policy", _jsonencode_hcl(document)),
        ],
    )


def _task_definition(
    described: dict[str, Any], names: list[str], role_ids: dict[str, str], lab: Lab
) -> str:
    def role_reference(arn: Any) -> Any:
        if not arn:
            return None
        name = str(arn).rsplit("/", 1)[-1]
        if name in role_ids and lab.world.account.role(name).arn == arn:
            return _Raw(f"aws_iam_role.{role_ids[name]}.arn")
        return arn

    items: list[tuple[str, Any]] = [
        ("family", described["family"]),
        ("requires_compatibilities", described.get("requiresCompatibilities") or None),
        ("network_mode", described.get("networkMode")),
        ("cpu", described.get("cpu")),
        ("memory", described.get("memory")),
        ("pid_mode", described.get("pidMode")),
        ("ipc_mode", described.get("ipcMode")),
        ("execution_role_arn", role_reference(described.get("executionRoleArn"))),
        ("task_role_arn", role_reference(described.get("taskRoleArn"))),
    ]
    containers = []
    for container in described.get("containerDefinitions") or []:
        ordered = {k: container[k] for k in ("name", "image", "essential") if k in container}
        for key, value in container.items():
            if key in ordered or value is None:
                continue
            if key in ("environment", "secrets") and value == []:
                continue  # ECS describes these as [] when a container has none
            ordered[key] = value
        containers.append(ordered)
    items.append(("container_definitions", _Raw(f"jsonencode({_hcl(containers, 2)})")))
    nested = ""
    platform = described.get("runtimePlatform")
    if platform:
        fields = [
            ("operating_system_family", platform.get("operatingSystemFamily")),
            ("cpu_architecture", platform.get("cpuArchitecture")),
        ]
        lines = _aligned([(k, _hcl(v, 4)) for k, v in fields if v is not None], 4)
        nested += "\n\n  runtime_platform {\n" + "\n".join(lines) + "\n  }"
    storage = described.get("ephemeralStorage")
    if storage and storage.get("sizeInGiB") is not None:
        nested += f"\n\n  ephemeral_storage {{\n    size_in_gib = {storage['sizeInGiB']}\n  }}"
    known = {
        "family",
        "requiresCompatibilities",
        "networkMode",
        "cpu",
        "memory",
        "pidMode",
        "ipcMode",
        "executionRoleArn",
        "taskRoleArn",
        "containerDefinitions",
        "runtimePlatform",
        "ephemeralStorage",
        "taskDefinitionArn",
        "revision",
        "status",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
    }
    left_out = sorted(k for k in described if k not in known)
    text = _resource("aws_ecs_task_definition", _identifier(described["family"]), items, nested)
    if left_out:
        text = f"# Not written by ecslab: {', '.join(left_out)}\n" + text
    return text
