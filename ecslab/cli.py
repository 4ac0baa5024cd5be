"""The ``ecslab`` command line.

    ecslab explain "ResourceInitializationError: unable to pull secrets or registry auth: ..."
    pbcopy-or-whatever | ecslab explain            # the message from standard input
    ecslab explain --json "..."                     # the diagnosis as JSON

It only reads the message you give it: no AWS account, no network, no credentials.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ecslab",
        description="Which IAM role does Amazon ECS use, and when? Tools from the ecslab course.",
    )
    commands = parser.add_subparsers(dest="command", metavar="command")
    explain = commands.add_parser(
        "explain",
        help="say which role (task execution role or task role) an error message points to",
        description="Diagnose an ECS / IAM error message: which role to fix, why, and how.",
    )
    explain.add_argument(
        "message",
        nargs="*",
        help="the error message (quoted); read from standard input when left out",
    )
    explain.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    arguments = parser.parse_args(argv)
    if arguments.command != "explain":
        parser.print_help()
        return 2
    message = " ".join(arguments.message) if arguments.message else sys.stdin.read()
    if not message.strip():
        print(
            "ecslab explain: give the error message as an argument or on standard input.",
            file=sys.stderr,
        )
        return 2
    from ecslab.coach.diagnose import diagnose

    diagnosis = diagnose(message)
    print(diagnosis.to_json() if arguments.json else diagnosis.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
