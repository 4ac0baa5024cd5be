"""Preflight: will a real task start? Predicted from its task definition and its roles' policies,
offline, before anything is deployed (issue 16).

    from ecslab import preflight
    result = preflight("taskdef.json", "iam.json", expect=["s3:GetObject=arn:aws:s3:::b/k"])
    print(result.describe())          # every call, in order, allowed or denied, and why
    result.exit_status                # 0: starts and runs; 1: it will not

    $ ecslab preflight taskdef.json iam.json --expect s3:GetObject=arn:aws:s3:::b/k
    $ ecslab preflight template.yaml --sarif > preflight.sarif

It reads what AWS and the tools emit (``inputs.py`` lists the formats: describe-task-definition
output, register-task-definition input, get-account-authorization-details, get-role and friends,
CloudFormation and ``cdk synth`` templates, Terraform), builds the calls a task of that definition
makes with the lab's own plan (:mod:`ecslab.ecs.plan`: ECS assuming both roles, the agent's
registry token, secrets, image pull and log stream, then the app's calls you name with
``expect``), decides each with the IAM judge as the lab's gate does, and words the first refusal as
ECS would (``stoppedReason``, or RunTask's own ClientException). It never calls AWS: no
credentials are read, and nothing leaves the machine.

Why our own: IAM policy simulators (AWS's, iam-simulate) answer one call for one principal and
know nothing of an ECS task's two phases; linters (cfn-lint, tflint, checkov) read one file's
syntax and know nothing of which role the agent uses. This is the lab's plan and judge, pointed
at a real deployment.

What it cannot know is said, not guessed: a role or a customer managed policy that is not among
the inputs ("Not judged"), a resource policy it was not given (a secret's, a repository's:
treated as absent), the network (``lab.network`` in a lab), an image that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ecslab.coach.preflight.engine import Expected, Result, run
from ecslab.coach.preflight.inputs import (
    Deployment,
    PreflightError,
    load_document,
    parse_text,
    problem,
    read_iam_output,
    read_other_outputs,
)
from ecslab.i18n import _

__all__ = ["Preflight", "PreflightError", "from_preflight", "preflight", "read_deployment"]

_EXPECT = re.compile(r"^(?P<action>[A-Za-z0-9-]+:[A-Za-z0-9*]+)=(?P<resource>\S+)$")


class Preflight:
    """A preflight's result: :meth:`describe`, :meth:`to_json`, :meth:`to_sarif`,
    :attr:`exit_status` (0: the task starts and runs; 1: it does not)."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.task_definition: str | None = None  # family:revision, once applied to a lab
        self.notes: list[str] = []  # what applying it to a lab changed or made

    @property
    def exit_status(self) -> int:
        return self.result.exit_status

    @property
    def starts(self) -> bool:
        return self.result.starts

    @property
    def runs(self) -> bool:
        return self.result.runs

    @property
    def stopped_reason(self) -> str | None:
        return self.result.stopped_reason

    @property
    def calls(self) -> list[Any]:
        return self.result.calls

    @property
    def fixes(self) -> list[Any]:
        return self.result.fixes

    @property
    def lints(self) -> list[Any]:
        return self.result.lints

    def describe(self, colour: bool = False) -> str:
        from ecslab.coach.preflight.report import describe

        return describe(self.result, colour)

    def to_dict(self) -> dict[str, Any]:
        from ecslab.coach.preflight.report import to_dict

        return to_dict(self.result)

    def to_json(self) -> str:
        from ecslab.coach.preflight.report import to_json

        return to_json(self.result)

    def to_sarif(self) -> str:
        from ecslab.coach.preflight.report import to_sarif

        return to_sarif(self.result)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.describe())


def expected(text: str) -> Expected:
    """``ACTION=RESOURCE`` (``s3:GetObject=arn:aws:s3:::bucket/key``) as an expected app call."""
    found = _EXPECT.match(text.strip())
    if not found:
        raise PreflightError(
            _(
                "--expect {text}: write ACTION=RESOURCE, e.g. "
                "s3:GetObject=arn:aws:s3:::my-bucket/config.json"
            ).format(text=repr(text))
        )
    return Expected(found.group("action"), found.group("resource"))


def read_deployment(
    sources: Iterable[str | Path | dict[str, Any]],
    account_id: str | None = None,
    region: str | None = None,
) -> Deployment:
    """Read every source into one :class:`Deployment` (see ``inputs.py`` for the formats).
    ``account_id`` and ``region``: where it will be deployed (a template's ``AWS::AccountId``
    and ``AWS::Region``); by default what the inputs' ARNs say, else 123456789012 and
    us-east-1."""
    if account_id is not None and not re.fullmatch(r"\d{12}", str(account_id)):
        raise PreflightError(
            _("{value}: an account id is 12 digits").format(value=repr(account_id))
        )
    if region is not None and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", str(region)):
        raise PreflightError(
            _("{value}: a region looks like ap-northeast-1").format(value=repr(region))
        )
    from ecslab.coach.preflight import cfn

    deployment = Deployment(account_id=account_id, region=region)
    terraform: list[Path | str] = []  # read together, as Terraform reads a module's files
    documents: list[tuple[Any, str]] = []  # JSON and YAML, read once every file is loaded
    for number, source in enumerate(sources):
        if isinstance(source, dict):
            deployment.sources.append(f"<input {number + 1}>")
            documents.append((source, f"<input {number + 1}>"))
            continue
        if not isinstance(source, (str, Path)):
            raise PreflightError(
                _(
                    "input {number}: give a file name, a path or a parsed JSON document (a "
                    "dict), not {kind}"
                ).format(number=number + 1, kind=type(source).__name__)
            )
        text = (
            source
            if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{"))
            else None
        )
        if text is not None:
            # the input itself, as text: Terraform (HCL), or JSON / YAML
            label = f"<input {number + 1}>"
            deployment.sources.append(label)
            if re.search(r"^\s*(resource|data|variable|locals)\b", text, re.M) and not (
                text.lstrip().startswith("{")
            ):
                terraform.append(text)
            else:
                documents.append((parse_text(text, label), label))
            continue
        path = Path(source)
        name = str(source)
        deployment.sources.append(name)
        if path.is_dir() or path.suffix == ".tf":
            terraform.append(path)
            continue
        if not path.exists():
            raise PreflightError(_("{file}: no such file").format(file=name))
        documents.append((load_document(path), name))
    # CloudFormation exports first, so that a stack's Fn::ImportValue finds another's export
    for document, name in documents:
        if cfn.is_template(document):
            cfn.read_exports(document, name, deployment)
    for document, name in documents:
        try:
            _read_document(document, name, deployment)
        except PreflightError:
            raise
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as error:
            # a value of another type than the format has ({"RoleDetailList": true}): said as
            # the input's problem, with the file, never as a traceback
            raise problem(
                name,
                "$",
                _("a value here is not of the type this format has ({error})").format(
                    error=f"{type(error).__name__}: {error}"
                ),
            ) from None
    if terraform:
        from ecslab.coach.preflight.terraform import read_terraform

        read_terraform(terraform, deployment)
    return deployment


def _read_document(document: Any, source: str, deployment: Deployment) -> None:
    from ecslab.coach.preflight import calls, cfn, tfjson

    if not isinstance(document, dict):
        raise problem(source, "$", _("expected a JSON object (or a YAML mapping) at the top"))
    if isinstance(document.get("taskDefinition"), dict):
        deployment.add_task_definition(document["taskDefinition"], source)
    elif "containerDefinitions" in document:
        deployment.add_task_definition(document, source)
    elif cfn.is_template(document):
        cfn.read_template(document, source, deployment)
    elif tfjson.is_plan(document):
        tfjson.read_plan(document, source, deployment)
    elif calls.is_cloudtrail(document):
        calls.read_cloudtrail(document, source, deployment)
    elif calls.is_iamlive(document):
        calls.read_iamlive(document, source, deployment)
    elif not (
        read_iam_output(document, source, deployment)
        or read_other_outputs(document, source, deployment)
    ):
        keys = ", ".join(sorted(map(str, document))[:6]) or _("nothing")
        raise problem(
            source,
            "$",
            _(
                "not a format preflight reads (its top-level keys: {keys}); see "
                "'ecslab preflight --help' for the formats"
            ).format(keys=keys),
        )


def preflight(
    *sources: str | Path | dict[str, Any],
    expect: Iterable[str] = (),
    cluster: str = "default",
    account_id: str | None = None,
    region: str | None = None,
) -> Preflight:
    """Predict what ECS will do with a deployment (see the module docstring)."""
    if not sources:
        raise PreflightError(
            _("preflight needs at least one input: a task definition and its roles")
        )
    expects = [expected(text) for text in expect]
    deployment = read_deployment(sources, account_id, region)
    return Preflight(run(deployment, expects + _recorded(deployment), cluster))


def _recorded(deployment: Deployment) -> list[Expected]:
    """The app's calls from an iamlive policy or a CloudTrail log: with a task role, only those
    made with it (a CloudTrail log holds every identity's calls)."""
    request = deployment.task_definition or {}
    task_role = str(request.get("taskRoleArn") or "").rsplit("/", 1)[-1]
    found = []
    for action, resource, who in deployment.expects:
        if ":assumed-role/" in who and task_role and f"/{task_role}/" not in who:
            continue
        found.append(Expected(action, resource))
    return list(dict.fromkeys(found))


def from_preflight(lab: Any, sources: Iterable[str | Path | dict[str, Any]]) -> Preflight:
    """The preflight of ``sources``, and the same deployment made in ``lab`` (see
    ``Lab.from_preflight``)."""
    from ecslab.coach.preflight.apply import apply_deployment

    sources = list(sources)
    if not sources:
        raise PreflightError(
            _("preflight needs at least one input: a task definition and its roles")
        )
    predicted = Preflight(run(read_deployment(sources), []))
    applied = apply_deployment(lab, read_deployment(sources))
    predicted.task_definition, predicted.notes = applied.task_definition, applied.notes
    return predicted
