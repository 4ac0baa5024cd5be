"""Keep ecslab's message catalogs (``ecslab/i18n/locale``) in step with the code.

    .venv/bin/python tools/catalogs.py          # extract, update every .po, compile every .mo
    .venv/bin/python tools/catalogs.py --check  # say what is missing or stale, change nothing

It extracts every message the code marks (``_("...")``, ``N_("...")``, ``ngettext(...)``) with
Babel, the library JupyterLab's own server uses for its translations, into
``ecslab/i18n/locale/ecslab.pot``; merges it into each language's ``ecslab.po`` (new messages
arrive untranslated, messages no longer in the code are dropped); and compiles each ``.po`` into
the ``.mo`` that Python's :mod:`gettext` reads. Translators edit the ``.po`` files only.
``tests/test_catalogs.py`` fails when a message has no translation or a ``.mo`` is stale.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "ecslab" / "i18n" / "locale"
LANGUAGES = ("ja",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python")]


def extracted() -> Catalog:
    """Every message the code marks, with where it is used."""
    catalog = Catalog(project="ecslab", domain="ecslab", charset="utf-8")
    for filename, line, message, comments, context in extract_from_dir(
        str(ROOT / "ecslab"), METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(
            message,
            None,
            [(f"ecslab/{filename}", line)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "ecslab.po"


def read(path: Path, language: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=language, project="ecslab", domain="ecslab", charset="utf-8")
    with path.open("rb") as file:
        return read_po(file, locale=language, domain="ecslab")


def _bytes(write, catalog: Catalog, **options) -> bytes:
    buffer = io.BytesIO()
    write(buffer, catalog, **options)
    return buffer.getvalue()


# The header says the same on every run, so that a catalog changes only when a message does.
FIXED_DATE = datetime(2026, 12, 7, tzinfo=timezone.utc)
HEADER = """\
# ecslab's messages in {language}: edit this file, then run tools/catalogs.py.
# Texts AWS writes (error messages, API names, ARNs) are not translated.
#"""


def _settled(catalog: Catalog, language: str | None) -> Catalog:
    catalog.project, catalog.version = "ecslab", "0.1"
    catalog.copyright_holder = "ecslab maintainers"
    catalog.msgid_bugs_address = "https://github.com/ecslab/ecslab/issues"
    catalog.last_translator = catalog.language_team = "ecslab maintainers"
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    catalog.fuzzy = False
    catalog.header_comment = HEADER.format(language=language or "every language (template)")
    return catalog


def po_bytes(catalog: Catalog, language: str | None = None) -> bytes:
    text = _bytes(
        write_po,
        _settled(catalog, language),
        width=100,
        sort_by_file=True,
        omit_header=False,
        include_lineno=False,  # a message keeps its place in the file when code moves
    )
    # Babel's own version is no part of the catalog
    return b"".join(line for line in text.splitlines(True) if not line.startswith(b'"Generated-By'))


def mo_bytes(catalog: Catalog) -> bytes:
    return _bytes(write_mo, catalog)


def updated(language: str) -> Catalog:
    """The language's catalog with exactly the code's messages (translations kept)."""
    catalog = read(po_path(language), language)
    catalog.update(extracted(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def missing(catalog: Catalog) -> list[str]:
    """Message ids without a translation (or whose translation is marked fuzzy)."""
    return [
        str(message.id)
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; change nothing")
    args = parser.parse_args(argv)
    problems = 0
    template = extracted()
    if not args.check:
        (LOCALE / "ecslab.pot").write_bytes(po_bytes(template))
    for language in LANGUAGES:
        catalog = updated(language)
        untranslated = missing(catalog)
        path = po_path(language)
        if args.check:
            if path.exists() and path.read_bytes() != po_bytes(catalog, language):
                print(f"{path.relative_to(ROOT)} is not up to date with the code")
                problems += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(po_bytes(catalog, language))
            path.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        print(f"{language}: {len(catalog)} messages, {len(untranslated)} without a translation")
        problems += len(untranslated) if args.check else 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
