"""The ``ecslab`` command line.

    ecslab explain "ResourceInitializationError: unable to pull secrets or registry auth: ..."
    pbcopy-or-whatever | ecslab explain            # the message from standard input
    ecslab explain --json "..."                     # the diagnosis as JSON
    ecslab explain --lang ja "..."                  # in Japanese (日本語)
    ecslab preflight taskdef.json iam.json          # will this task start? (offline)
    ecslab preflight template.yaml --expect s3:GetObject=arn:aws:s3:::b/k --sarif
    ecslab progress /home --chart progress.svg      # a class's exercises (instructors)

It only reads the message you give it: no AWS account, no network, no credentials. Without
``--lang`` it speaks the language ecslab.i18n chooses (``ECSLAB_LANG``, then JupyterLab's display
language, then English).
"""

from __future__ import annotations

import argparse
import os
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
    preflight = commands.add_parser(
        "preflight",
        help=_("predict whether a real task will start, from its task definition and roles"),
        description=_(
            "Read a task definition and its roles' policies (describe-task-definition output, "
            "register-task-definition input, get-account-authorization-details, get-role / "
            "list-attached-role-policies / get-role-policy outputs, a CloudFormation or cdk "
            "synth template, Terraform files or terraform show -json output) and say, offline, "
            "what ECS will do: every call in order, allowed or denied, the stoppedReason of "
            "the first refusal, and the smallest fix. Exit status: 0 the task starts and runs, "
            "1 it does not, 2 the input cannot be read."
        ),
        add_help=False,
    )
    _help(preflight)
    preflight.add_argument(
        "inputs", nargs="+", help=_("files (JSON, YAML, .tf) or directories of .tf files")
    )
    preflight.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="ACTION=RESOURCE",
        help=_(
            "a call the app makes with the task role, e.g. "
            "s3:GetObject=arn:aws:s3:::my-bucket/config.json (repeat for each)"
        ),
    )
    preflight.add_argument("--cluster", default="default", help=_("the cluster's name"))
    preflight.add_argument(
        "--account",
        help=_("the account it will be deployed in (default: what the inputs' ARNs say)"),
    )
    preflight.add_argument(
        "--region",
        help=_("the region it will be deployed in (default: what the inputs say, else us-east-1)"),
    )
    formats = preflight.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    formats.add_argument(
        "--sarif", action="store_true", help=_("print the result as SARIF 2.1.0 (code scanning)")
    )
    preflight.add_argument(
        "--lang", choices=LANGUAGES, help=_("the language of the report: en or ja")
    )
    progress = commands.add_parser(
        "progress",
        help=_("a class's progress: who passed which exercise (for instructors)"),
        description=_(
            "Read each learner's ~/.ecslab/progress.jsonl under a folder of home folders (as "
            "JupyterHub makes them: /home/<learner>) and print who passed which exercise (✓ "
            "passed, · tried), with each learner's last check."
        ),
        add_help=False,
    )
    _help(progress)
    progress.add_argument("homes", help=_("the folder of the learners' home folders"))
    progress.add_argument("--csv", action="store_true", help=_("print the table as CSV"))
    progress.add_argument(
        "--chart", metavar="FILE.svg", help=_("also write a bar chart of passes per exercise")
    )
    progress.add_argument("--lang", choices=LANGUAGES, help=_("the language: en or ja"))
    return parser


def _progress(arguments: argparse.Namespace) -> int:
    from ecslab.coach.progress import class_progress

    try:
        found = class_progress(arguments.homes)
    except ValueError as error:
        print(_("ecslab progress: {error}").format(error=error), file=sys.stderr)
        return 2
    print(found.table.to_csv() if arguments.csv else found.table.to_string())
    if arguments.chart:
        try:
            with open(arguments.chart, "w", encoding="utf-8") as out:
                out.write(found.chart())
        except OSError as error:
            print(_("ecslab progress: {error}").format(error=error), file=sys.stderr)
            return 2
    return 0


def _preflight(arguments: argparse.Namespace) -> int:
    from ecslab.coach.preflight import PreflightError, preflight

    try:
        result = preflight(
            *arguments.inputs,
            expect=arguments.expect,
            cluster=arguments.cluster,
            account_id=arguments.account,
            region=arguments.region,
        )
    except PreflightError as error:
        print(_("ecslab preflight: {error}").format(error=error), file=sys.stderr)
        return 2
    except Exception as error:  # an ecslab bug: still no traceback, and a clear exit status
        print(
            _(
                "ecslab preflight: could not read the inputs ({error}). This is a bug in "
                "ecslab: please report it with the inputs"
            ).format(error=f"{type(error).__name__}: {error}"),
            file=sys.stderr,
        )
        return 2
    if arguments.json:
        print(result.to_json())
    elif arguments.sarif:
        print(result.to_sarif())
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(result.describe(colour=colour))
    return result.exit_status


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
    if arguments.command in ("explain", "preflight", "progress") and arguments.lang:
        set_language(arguments.lang)  # also when it was abbreviated (--la ja)
    if arguments.command == "preflight":
        return _preflight(arguments)
    if arguments.command == "progress":
        return _progress(arguments)
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
