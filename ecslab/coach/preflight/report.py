"""A preflight's result for people (text, coloured on a terminal), for programs (JSON) and for
code scanning in CI (SARIF 2.1.0, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html,
the format GitHub code scanning reads)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ecslab.coach.preflight.engine import Result
from ecslab.i18n import N_, _

DECISIONS = {
    "Allowed": (N_("allowed"), "32"),
    "ImplicitlyDenied": (N_("DENIED"), "31"),
    "ExplicitlyDenied": (N_("DENIED (explicit deny)"), "31"),
    "Unknown": (N_("unknown"), "33"),
    "NotReached": (N_("not reached"), "2"),
}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def describe(result: Result, colour: bool = False) -> str:
    """The report a person reads: each phase's calls in order, the verdict, the fix, lints."""
    lines = [
        _("ecslab preflight: task definition {name} (account {account}, {region})").format(
            name=result.task_definition or "?", account=result.account_id, region=result.region
        ),
        _("read: {sources}").format(sources=", ".join(result.sources)),
        "",
    ]
    if result.registration_error:
        lines += [
            _("RegisterTaskDefinition would be refused:"),
            "  " + result.registration_error,
            "",
        ]
    for phase, title in (
        (
            "launch",
            _("Launch phase: ECS assumes the roles; the ECS agent uses the task execution role"),
        ),
        ("run", _("Run phase: the app uses the task role")),
    ):
        calls = [c for c in result.calls if c.phase == phase]
        lines.append(title)
        if not calls:
            lines.append(
                "  "
                + (
                    _(
                        "(no app calls given: add --expect ACTION=RESOURCE for each call the app "
                        "makes)"
                    )
                    if phase == "run"
                    else _("(no calls)")
                )
            )
        for number, call in enumerate(calls, 1):
            label, code = DECISIONS.get(call.decision, (call.decision, "0"))
            label = _(label)
            role = f" [{call.role}]" if call.role else ""
            lines.append(
                f"  {number:>2}. {call.principal}{role}  {call.action}  {call.resource}  "
                + _paint(label, code, colour)
            )
            if call.refused or call.decision == "Unknown":
                for why in call.reason.splitlines():
                    lines.append(f"        {why}")
        lines.append("")
    if result.run_task_error:
        lines += [
            _("RunTask would fail, and no task would start:"),
            "  " + result.run_task_error,
            "",
        ]
    if result.stopped_reason:
        lines += [
            _(
                "The task would stop before the app runs (stopCode TaskFailedToStart), "
                "stoppedReason:"
            ),
            "  " + result.stopped_reason,
            "",
        ]
    for refused in result.app_refusals:
        lines.append(
            _(
                "The app would be refused {action} on {resource} (its SDK raises AccessDenied)."
            ).format(action=refused.action, resource=refused.resource)
        )
    for fix in result.fixes:
        lines += ["", _("Fix: {text}").format(text=fix.text)]
        lines += ["  " + line for line in json.dumps(fix.statement, indent=2).splitlines()]
        if fix.terraform:
            lines += ["  Terraform:"] + ["    " + line for line in fix.terraform.splitlines()]
        if fix.cloudformation:
            lines += ["  CloudFormation:"] + [
                "    " + line for line in fix.cloudformation.splitlines()
            ]
    if result.lints:
        lines += ["", _("Lints:")]
        for item in result.lints:
            lines.append(f"  {item.level}  {item.rule}: {item.message}")
    if result.unknown:
        lines += ["", _("Not judged (inputs missing):")]
        lines += [f"  {text}" for text in dict.fromkeys(result.unknown)]
    lines.append("")
    if result.runs:
        verdict = _paint(_("the task will start and run (exit 0)"), "32", colour)
    elif result.starts:
        verdict = _paint(
            _("the task will start, but the app will be refused (exit 1)"), "31", colour
        )
    else:
        verdict = _paint(_("the task will NOT start (exit 1)"), "31", colour)
    lines.append(_("Verdict: {verdict}").format(verdict=verdict))
    return "\n".join(lines)


def to_dict(result: Result) -> dict[str, Any]:
    return {
        "taskDefinition": result.task_definition,
        "account": result.account_id,
        "region": result.region,
        "sources": result.sources,
        "starts": result.starts,
        "runs": result.runs,
        "exitStatus": result.exit_status,
        "registrationError": result.registration_error,
        "runTaskError": result.run_task_error,
        "stoppedReason": result.stopped_reason,
        "calls": [asdict(c) for c in result.calls],
        "fixes": [asdict(f) for f in result.fixes],
        "lints": [asdict(item) for item in result.lints],
        "notJudged": list(dict.fromkeys(result.unknown)),
    }


def to_json(result: Result) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False)


RULES = {
    "task-will-not-start": "The task will not start: ECS or its agent will be refused a call",
    "app-refused": "The app will be refused a call it makes with the task role",
    "same-role": "The task execution role and the task role are the same role",
    "app-permissions-on-execution-role": "App permissions granted to the task execution role",
    "execution-permissions-on-task-role": "The agent's permissions granted to the task role",
    "trust-without-ecs-tasks": "A trust policy that does not let ecs-tasks.amazonaws.com assume it",
    "trust-source-account": "A trust policy whose aws:SourceAccount is another account",
    "log-group-without-stream-wildcard": "A log group ARN without ':*' for its streams",
    "secret-without-suffix-wildcard": "A secret ARN without its random suffix or a wildcard",
}


def to_sarif(result: Result) -> str:
    """SARIF 2.1.0: one result per refusal and per lint, located in the file that declared it."""
    results = []

    def location(where: str) -> list[dict[str, Any]]:
        if not where:
            return []
        path = where.split(": ", 1)[0]
        file, _sep, line = path.partition(":")
        region = {"startLine": int(line)} if line.isdigit() else {}
        physical: dict[str, Any] = {"artifactLocation": {"uri": file}}
        if region:
            physical["region"] = region
        return [{"physicalLocation": physical}]

    refusal = result.run_task_error or result.stopped_reason or result.registration_error
    if refusal:
        results.append(
            {
                "ruleId": "task-will-not-start",
                "level": "error",
                "message": {"text": refusal},
                "locations": location(result.sources[0] if result.sources else ""),
            }
        )
    for refused in result.app_refusals:
        results.append(
            {
                "ruleId": "app-refused",
                "level": "error",
                "message": {
                    "text": f"{refused.role} is refused {refused.action} on {refused.resource}"
                },
                "locations": location(result.sources[0] if result.sources else ""),
            }
        )
    for item in result.lints:
        results.append(
            {
                "ruleId": item.rule,
                "level": item.level if item.level in ("error", "warning", "note") else "warning",
                "message": {"text": item.message},
                "locations": location(item.where),
            }
        )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ecslab preflight",
                        "rules": [
                            {"id": rule, "shortDescription": {"text": text}}
                            for rule, text in RULES.items()
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
