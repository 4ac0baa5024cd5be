"""The ``ecslab`` command line.

    ecslab explain "ResourceInitializationError: unable to pull secrets or registry auth: ..."
    pbcopy-or-whatever | ecslab explain            # the message from standard input
    ecslab explain --json "..."                     # the diagnosis as JSON
    ecslab explain --lang ja "..."                  # in Japanese (日本語)

It only reads the message you give it: no AWS account, no network, no credentials. Without
``--lang`` it speaks the language ecslab.i18n chooses (``ECSLAB_LANG``, then JupyterLab's display
language, then English).
"""

from __future__ import annotations

import argparse
import sys

from ecslab.i18n import LANGUAGES, _, set_language


def _language_asked(argv: list[str]) -> str | None:
    """The ``--lang`` value in ``argv`` (before a ``--``), read before the parser is built so that
    its help is in that language; the parser itself checks the value."""
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--lang="):
            return argument.split("=", 1)[1]
    return None


def _help(parser: argparse.ArgumentParser) -> None:
    """-h/--help, as argparse adds it, with its help in the learner's language (argparse's own
    headings, "usage:" and "options:", stay as Python writes them)."""
    parser.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecslab",
        description=_(
            "Which IAM role does Amazon ECS use, and when? Tools from the ecslab course."
        ),
        add_help=False,
    )
    _help(parser)
    commands = parser.add_subparsers(dest="command", metavar="command")
    explain = commands.add_parser(
        "explain",
        help=_("say which role (task execution role or task role) an error message points to"),
        description=_("Diagnose an ECS / IAM error message: which role to fix, why, and how."),
        add_help=False,
    )
    _help(explain)
    explain.add_argument(
        "message",
        nargs="*",
        help=_("the error message (quoted); read from standard input when left out"),
    )
    explain.add_argument("--json", action="store_true", help=_("print the diagnosis as JSON"))
    explain.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_(
            "the language of the explanation: en (English) or ja (Japanese); by default "
            "ECSLAB_LANG's, else JupyterLab's display language, else English"
        ),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; ``--lang`` chooses ecslab's language for the rest of the process (the
    command is a process of its own)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    asked = _language_asked(argv)
    if asked in LANGUAGES:
        set_language(asked)  # before the parser is built: its help is in that language too
    return _run(_parser(), argv)


def _run(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    arguments = parser.parse_args(argv)
    if arguments.command == "explain" and arguments.lang:
        set_language(arguments.lang)  # also when it was abbreviated (--la ja)
    if arguments.command != "explain":
        parser.print_help()
        return 2
    message = " ".join(arguments.message) if arguments.message else sys.stdin.read()
    if not message.strip():
        print(
            _("ecslab explain: give the error message as an argument or on standard input."),
            file=sys.stderr,
        )
        return 2
    from ecslab.coach.diagnose import diagnose

    diagnosis = diagnose(message)
    print(diagnosis.to_json() if arguments.json else diagnosis.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
