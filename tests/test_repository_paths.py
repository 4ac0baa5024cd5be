"""No test reads a path outside the repository.

The test sources (every ``tests/**/*.py`` and ``notebooks/conftest.py``) name no file of the
machine they happen to run on (a shared folder, a home directory, a fixed file in ``/tmp``) and
never climb above the repository root: what a test reads is committed, what it writes goes under
pytest's ``tmp_path``. System binaries and devices (``/usr/bin/chromium``, ``/dev/null``) are the
machine's, not input, and are allowed; so are AWS names that look like paths (``/ecs/orders``).
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    [p for p in (REPO / "tests").rglob("*.py") if "node_modules" not in p.parts]
    + [REPO / "notebooks" / "conftest.py"]
)

# Folders of a machine's own files: a path under one names something the repository does not hold.
MACHINE_ROOTS = (
    "work",
    "home",
    "Users",
    "root",
    "mnt",
    "media",
    "opt",
    "srv",
    "data",
    "shared",
    "workspace",
    "Volumes",
    "private",
    "etc",
    "var",
)
# Scratch folders: a fixed file there is some other run's, not the test's own (use tmp_path).
SCRATCH_ROOTS = ("tmp", "var/tmp", "dev/shm")

_ROOT = "|".join(re.escape(r) for r in (*SCRATCH_ROOTS, *MACHINE_ROOTS))
# A whole literal that is a path under one of the roots ("/tmp/x.json", "/work/shared/", but not
# the bare folder "/tmp", which tests use to check no path of the machine leaks into an output).
_UNDER_A_ROOT = re.compile(rf"/(?:{_ROOT})/")
# The same inside a longer text ("cat /work/shared/x", "--seed=/home/me/x"); not for the scratch
# folders, since a traceback a test expects may mention one.
_MACHINE = "|".join(re.escape(r) for r in MACHINE_ROOTS)
_IN_TEXT = re.compile(rf"(?:^|[\s=\"'(,;])(/(?:{_MACHINE})/\S*|~[\w.-]*/\S*)")
_HOME = re.compile(r"^~[\w.-]*(?:/|$)|\$\{?HOME\b|%USERPROFILE%")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

# Found today and on their way out: (path from the repository root, the literal). An entry that is
# no longer found fails test_the_allow_list_is_current, so that it is deleted with its offender.
KNOWN_OFFENDERS: set[tuple[str, str]] = set()


def _why_literal(text: str) -> str | None:
    """Why a string literal names a path outside the repository, or None."""
    if not re.search(r"\s", text):  # a whole literal that is a path
        if _UNDER_A_ROOT.match(text):
            return "an absolute path of this machine"
        if _HOME.search(text):
            return "a home directory"
        if _DRIVE.match(text):
            return "an absolute Windows path"
        relative = (not text.startswith("/") and "/" in text) or text == ".."
        if relative and os.path.normpath(text.replace("\\", "/")).split("/")[0] == "..":
            return "a path that climbs out of its folder"
    if _IN_TEXT.search(text):
        return "a path of this machine inside a text"
    return None


def _file_chain_levels(node: ast.AST) -> int | None:
    """How many folders ``Path(__file__)...parents[N]`` / ``.parent.parent`` climbs (``.parent``
    once is the file's own folder: level 0), or None when ``node`` is not such a chain."""
    levels = -1
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            levels += 1
            node = node.value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
        ):
            levels += node.slice.value + 1
            node = node.value.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value  # .resolve(), .absolute()
        elif isinstance(node, ast.Call) and node.args:
            node = node.args[0]  # Path(__file__)
        else:
            break
    if isinstance(node, ast.Name) and node.id == "__file__" and levels >= 0:
        return levels
    return None


def outside_paths(source: str, depth: int) -> list[tuple[int, str, str]]:
    """(line, literal, why) for each place in ``source``, a module ``depth`` folders below the
    repository root, that names a path outside the repository."""
    tree = ast.parse(source)
    # Read by no one: a docstring (a string that is a statement of its own), and the name a cell
    # is compiled under (compile(source, "/tmp/ipykernel_0/cell.py", ...)), never opened.
    unread = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            unread.add(id(node.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "compile"
            and len(node.args) > 1
        ):
            unread.add(id(node.args[1]))
    found = []
    inner = set()  # the links of a chain already read whole (ast.walk sees the outer one first)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in unread
        ):
            why = _why_literal(node.value)
            if why:
                found.append((node.lineno, node.value, why))
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and id(node) not in inner:
            levels = _file_chain_levels(node)
            if levels is None:
                continue
            inner.update(id(n) for n in ast.walk(node))
            if levels > depth:
                text = ast.unparse(node)
                found.append((node.lineno, text, "climbs above the repository root"))
    return sorted(set(found))


def _scan() -> dict[tuple[str, str], str]:
    offenders = {}
    for path in SOURCES:
        if path == Path(__file__).resolve():
            continue  # the samples below are offenders on purpose
        relative = path.relative_to(REPO)
        depth = len(relative.parts) - 1
        for line, literal, why in outside_paths(path.read_text("utf-8"), depth):
            shown = literal if len(literal) < 80 else literal[:77] + "..."
            offenders[(relative.as_posix(), literal)] = f"{relative}:{line}: {shown!r} ({why})"
    return offenders


def test_no_test_reads_a_path_outside_the_repository():
    offenders = _scan()
    new = [shown for key, shown in offenders.items() if key not in KNOWN_OFFENDERS]
    assert new == [], "paths outside the repository:\n" + "\n".join(new)


def test_the_allow_list_is_current():
    assert set(_scan()) >= KNOWN_OFFENDERS, "delete the entries whose offender is gone"


def test_the_scan_reads_the_test_sources():
    names = {p.relative_to(REPO).as_posix() for p in SOURCES}
    assert {"tests/conftest.py", "notebooks/conftest.py", "tests/coach/test_terraform.py"} <= names
    assert len(names) > 40


# -- the scanner on samples ------------------------------------------------------------------------

FOUND = {
    "the seed file": 'SEED = Path("/work/shared/seed/article-ja.txt")',
    "a fixed file in /tmp": 'data = open("/tmp/input.json").read()',
    "/var/tmp": 'Path("/var/tmp/cache.db").read_bytes()',
    "a home directory": 'Path("/home/alice/notes.txt").read_text()',
    "macOS home": 'CONFIG = "/Users/alice/.aws/config"',
    "root's home": 'open("/root/.aws/credentials")',
    "tilde": 'Path("~/.aws/credentials").expanduser()',
    "$HOME": 'os.path.expandvars("$HOME/.aws/config")',
    "Windows": r'Path("C:\\Users\\alice\\seed.txt")',
    "climbing": 'Path("../shared/seed.txt").read_text()',
    "climbing twice": 'HERE / "../../seed.txt"',
    "bare ..": 'Path(__file__).parent / ".." / "shared"',
    "parents[N] above the root": "ROOT = Path(__file__).resolve().parents[3]",
    ".parent chain above the root": "ROOT = Path(__file__).parent.parent.parent.parent",
    "in a command": 'subprocess.run("cat /work/shared/seed.txt", shell=True)',
    "in an option": 'args = ["--seed=/home/alice/seed.txt"]',
    "f-string": 'Path(f"/work/shared/{name}.txt")',
}
ALLOWED = {
    "chromium": 'CHROMIUM = Path("/usr/bin/chromium")',
    "/dev/null": 'open("/dev/null", "w")',
    "tmp_path": 'target = tmp_path / "out.json"',
    "a log group": 'logGroupName="/ecs/orders"',
    "a parameter": 'valueFrom="/orders/db-password"',
    "an IAM path": 'Path="/service-role/"',
    "a container path": 'files = ["/app/main.py", "/usr/local/lib/python3.12/os.py"]',
    "an ARN with home": 'HOME = "arn:aws:s3:::home/${aws:username}/*"',
    "a URL": 'URL = "https://example.com/home/alice/page"',
    "a bare folder": 'paths = {"/work", "/tmp", "/root"}',
    "a regex": r'assert not re.search(r"/(root|home|tmp|work|Users)/", text)',
    "a cell's compile name": 'code = compile(source, "/tmp/ipykernel_0/cell.py", "exec")',
    "a docstring": 'def f():\n    """Botocore looks in ~/.aws files; here it finds none."""\n',
    "a traceback text": 'assert "File /tmp/ipykernel_0/cell.py, line 5" in text',
    "parents[N] up to the root": "ROOT = Path(__file__).resolve().parents[2]",
    "the file's folder": 'HERE = Path(__file__).parent / "terraform"',
    "an ellipsis": 'print("...")',
    "a ratio": 'label = "1/2"',
}


@pytest.mark.parametrize("source", list(FOUND.values()), ids=list(FOUND))
def test_the_scanner_finds(source):
    assert outside_paths(source, depth=2) != []


@pytest.mark.parametrize("source", list(ALLOWED.values()), ids=list(ALLOWED))
def test_the_scanner_allows(source):
    assert outside_paths(source, depth=2) == []
