"""Judging a deployment: every call ECS and the app will make, in order, with the IAM judge.

The calls come from the lab's own plan (:func:`ecslab.ecs.plan.plan`) over an
:class:`~ecslab.coach.preflight.account.OfflineAccount`, so a preflight and a lab run cannot
disagree about what is asked; each is decided by :func:`ecslab.iam.evaluate` with the caller's
policies, as the lab's gate decides (:meth:`ecslab.cloud.gate.Gate._decide`), and the first
refusal of the launch phase is worded as ECS words it (:mod:`ecslab.ecs.reasons`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ecslab.cloud import errors
from ecslab.cloud.operations import Authorization
from ecslab.coach.preflight.account import OfflineAccount
from ecslab.coach.preflight.inputs import Deployment, PreflightError, problem
from ecslab.i18n import _
from ecslab.iam import MalformedPolicyDocument, evaluate
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy

TASK_ID = "0123456789abcdef0123456789abcdef"  # a task's id is not known before it runs
REQUEST_ID = "00000000-0000-0000-0000-000000000000"
SERVICE = "ecs-tasks.amazonaws.com"


@dataclass(frozen=True)
class Expected:
    """An app call the user says the app makes: ``s3:GetObject=arn:aws:s3:::bucket/key``."""

    action: str
    resource: str


@dataclass
class Judged:
    """One planned call and the judge's answer."""

    phase: str  # launch, run
    principal: str  # Amazon ECS, ECS agent, <container> app, ...
    role: str | None
    action: str
    resource: str
    why: str
    decision: str  # Allowed, ImplicitlyDenied, ExplicitlyDenied, Unknown, NotReached
    reason: str  # the judge's explanation (or why it could not judge)
    service: str = ""
    operation: str = ""
    via: str | None = None
    denied_by: str | None = None

    @property
    def refused(self) -> bool:
        return self.decision in ("ImplicitlyDenied", "ExplicitlyDenied")


@dataclass
class Lint:
    level: str  # error, warning, note
    rule: str  # an id, e.g. same-role
    message: str
    where: str = ""


@dataclass
class Fix:
    role: str
    statement: dict[str, Any]
    kind: str  # identity (add to the role's policy), trust (the role's trust policy), deny
    terraform: str = ""
    cloudformation: str = ""
    text: str = ""


@dataclass
class Result:
    """What a preflight found."""

    task_definition: str
    sources: list[str]
    calls: list[Judged] = field(default_factory=list)
    registration_error: str | None = None
    run_task_error: str | None = None  # RunTask's own refusal (a role ECS could not assume)
    stopped_reason: str | None = None
    app_refusals: list[Judged] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    lints: list[Lint] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # what could not be judged, and why
    account_id: str = ""
    region: str = ""

    @property
    def starts(self) -> bool:
        return not (self.registration_error or self.run_task_error or self.stopped_reason)

    @property
    def runs(self) -> bool:
        return self.starts and not self.app_refusals

    @property
    def exit_status(self) -> int:
        return 0 if self.runs else 1


# -- the roles' policies ------------------------------------------------------------------------


def _document(arn: str, deployment: Deployment, result: Result, role: str) -> str | None:
    if arn in deployment.managed:
        return deployment.managed[arn][1]
    if ":aws:policy/" in arn:
        try:
            return managed_policy(arn).to_json(indent=None)
        except UnknownManagedPolicy as unknown:
            raise PreflightError(
                _("role {role}: {problem}").format(role=role, problem=unknown)
            ) from None
    result.unknown.append(
        _(
            "role {role}: the customer managed policy {arn} is attached but its document was "
            "not among the inputs; its permissions are not counted"
        ).format(role=role, arn=arn)
    )
    return None


def resolve_policies(deployment: Deployment, result: Result) -> None:
    """Attached managed policies and boundaries as documents, every document checked as IAM
    checks it (a malformed one is bad input, named with its role and policy)."""
    from ecslab.iam import parse_policy

    for role in deployment.roles.values():
        for arn in role.attached:
            text = _document(arn, deployment, result, role.name)
            if text is not None:
                role.identity.append((arn.rsplit("/", 1)[-1], text))
        role.attached = []
        if role.boundary and not role.boundary[1]:
            text = _document(role.boundary[0], deployment, result, role.name)
            role.boundary = (role.boundary[0].rsplit("/", 1)[-1], text) if text else None
        role.identity = [(n, _versioned(t, n, role, result)) for n, t in role.identity]
        if role.boundary:
            role.boundary = (
                role.boundary[0],
                _versioned(role.boundary[1], role.boundary[0], role, result),
            )
        for name, text in [*role.identity, *([role.boundary] if role.boundary else [])]:
            try:
                parse_policy(text, "identity", name)
            except MalformedPolicyDocument as malformed:
                raise problem(role.source, "", f"{name}: {malformed}") from None
        if role.trust:
            try:
                parse_policy(role.trust, "trust", "trust")
            except MalformedPolicyDocument as malformed:
                raise problem(
                    role.source, "", _("trust policy: {problem}").format(problem=malformed)
                ) from None


def _versioned(text: str, name: str, role: Any, result: Result) -> str:
    """A role's policy without ``Version``, as IAM and CloudFormation accept it inline (IAM reads
    it as version 2008-10-17, where ``${...}`` policy variables are plain text): judged as
    2012-10-17, with a note."""
    try:
        document = json.loads(text)
    except ValueError:
        return text
    if not isinstance(document, dict) or "Version" in document:
        return text
    result.lints.append(
        Lint(
            "note",
            "policy-without-version",
            _(
                "{policy} of {role} has no Version: IAM reads it as 2008-10-17, where policy "
                'variables are plain text; add "Version": "2012-10-17"'
            ).format(policy=name, role=role.name),
            role.source,
        )
    )
    return json.dumps({"Version": "2012-10-17", **document})


# -- judging ---------------------------------------------------------------------------------------


def _context(account: OfflineAccount) -> dict[str, Any]:
    return {"aws:SecureTransport": "true", "aws:RequestedRegion": account.region}


def judge(
    deployment: Deployment,
    account: OfflineAccount,
    principal_role: str | None,
    action: str,
    resource: str,
    resource_policy: str | None,
    context: dict[str, Any],
    resource_account: str | None = None,
) -> tuple[str, str, str | None]:
    """(decision, explanation, denied_by) for a role's call; Unknown when the role is not known."""
    role = deployment.roles.get(principal_role or "")
    if principal_role is not None and role is None:
        return (
            "Unknown",
            _("role {role} was not among the inputs: its policies are not known").format(
                role=principal_role
            ),
            None,
        )
    arn = (
        f"arn:aws:sts::{account.account_id}:assumed-role/{role.name}/{TASK_ID}"
        if role is not None
        else SERVICE
    )
    decision = evaluate(
        arn,
        action,
        resource,
        identity_policies=list(role.identity) if role is not None else None,
        resource_policy=(("resource", resource_policy) if resource_policy is not None else None),
        permissions_boundary=role.boundary if role is not None else None,
        context={**_context(account), **context},
        resource_account=resource_account,
    )
    return decision.decision, str(decision), decision.denied_by


def run(deployment: Deployment, expects: list[Expected], cluster: str = "default") -> Result:
    from ecslab.ecs import definitions
    from ecslab.ecs.plan import Cast, plan

    account = OfflineAccount(deployment)
    result = Result(
        "", list(deployment.sources), account_id=account.account_id, region=account.region
    )
    if deployment.task_definition is None:
        raise PreflightError(
            _(
                "no task definition among the inputs: give describe-task-definition output, "
                "register-task-definition input, a CloudFormation template or Terraform that "
                "declares one"
            )
        )
    resolve_policies(deployment, result)
    request = dict(deployment.task_definition)
    for slot in ("taskRoleArn", "executionRoleArn"):
        short = request.get(slot)
        if not (isinstance(short, str) and short and not short.startswith("arn:")):
            continue
        # RegisterTaskDefinition takes "the short name or full Amazon Resource Name (ARN)" of the
        # task role (API reference, taskRoleArn; CloudFormation's `TaskRoleArn: !Ref Role` gives
        # the name). For the execution role the reference says an ARN, yet public templates pass
        # a name (newrelic/nri-ecs's CloudFormation install): read as the role's ARN, with a note.
        known = deployment.roles.get(short)
        request[slot] = known.arn if known else f"arn:aws:iam::{account.account_id}:role/{short}"
        if slot == "executionRoleArn":
            result.lints.append(
                Lint(
                    "note",
                    "execution-role-by-name",
                    _(
                        "executionRoleArn is the role's name, {name}: ECS's API reference asks "
                        "for its ARN; preflight read it as {arn}"
                    ).format(name=short, arn=request[slot]),
                    deployment.task_definition_source,
                )
            )
    family = str(request.get("family") or "")
    revision = 1
    arn = f"arn:aws:ecs:{account.region}:{account.account_id}:task-definition/{family}:{revision}"

    def role_exists(role_arn: str) -> bool:
        return True  # a role not among the inputs is not known to be missing: "Not judged"

    try:
        definition = definitions.build(request, revision, arn, 0.0, role_exists)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as error:
        raise problem(
            deployment.task_definition_source,
            "",
            _("the task definition has a value of another type than ECS takes ({error})").format(
                error=f"{type(error).__name__}: {error}"
            ),
        ) from None
    except errors.Refusal as refusal:
        result.task_definition = family
        result.registration_error = str(refusal)
        return result
    result.task_definition = definition.family_revision
    lint(deployment, definition, result)
    planned = plan(definition, account, {}, task_id=TASK_ID, cast=Cast(cluster=cluster))
    task_arn = f"arn:aws:ecs:{account.region}:{account.account_id}:task/{cluster}/{TASK_ID}"
    stopped = False
    for call in planned:
        if stopped and call.phase == "launch":
            result.calls.append(_judged(call, "NotReached", _("the task had already stopped")))
            continue
        checks = _checks(call, account)
        for check in checks:
            if call.action == "sts:AssumeRole":
                decision, why, by = judge(
                    deployment,
                    account,
                    None,
                    check.action,
                    check.resource,
                    check.resource_policy,
                    {"aws:SourceAccount": account.account_id, "aws:SourceArn": task_arn},
                )
                if check.resource_policy is None and deployment.role_by_arn(check.resource) is None:
                    decision, why = (
                        "Unknown",
                        _(
                            "the role {arn} was not among the inputs: its trust policy is not known"
                        ).format(arn=check.resource),
                    )
            else:
                decision, why, by = judge(
                    deployment,
                    account,
                    call.role,
                    check.action,
                    check.resource,
                    check.resource_policy,
                    dict(check.context),
                    check.resource_account,
                )
            judged = _judged(call, decision, why, by, check)
            result.calls.append(judged)
            if decision == "Unknown":
                result.unknown.append(why)
            if not judged.refused:
                continue
            if call.phase == "launch" and not stopped:
                stopped = True
                _launch_failure(result, judged, account)
                result.fixes.append(fix_for(judged, deployment, account))
            elif call.phase == "run":
                result.app_refusals.append(judged)
                result.fixes.append(fix_for(judged, deployment, account))
            break
    for group in dict.fromkeys(account.missing_groups):
        result.unknown.append(
            _(
                "the log group {group} is not among the inputs: with awslogs-create-group the "
                "agent creates it, so preflight judged logs:CreateLogGroup (if the group already "
                "exists, that call is not made)"
            ).format(group=group)
        )
    for key in dict.fromkeys(account.assumed):
        result.unknown.append(
            _(
                "the key policy of {key} was not among the inputs: AWS's default key policy was "
                "assumed (the account's IAM policies decide)"
            ).format(key=key)
        )
    task_role = deployment.role_by_arn(definition.task_role_arn)
    _lint_agent_calls_on_task_role(deployment, account, definition, planned, result)
    for expected in expects:
        if not definition.task_role_arn:
            judged = Judged(
                "run",
                f"{definition.containers[0].name} app",
                None,
                expected.action,
                expected.resource,
                _("the app's call you expect"),
                "ImplicitlyDenied",
                _("the task has no task role: the SDK finds no credentials"),
            )
        else:
            name = task_role.name if task_role else str(definition.task_role_arn).rsplit("/", 1)[-1]
            decision, why, by = judge(
                deployment,
                account,
                name,
                expected.action,
                expected.resource,
                _key_policy(expected, account),
                {},
            )
            essential = next((c.name for c in definition.containers if c.essential), "app")
            judged = Judged(
                "run",
                f"{essential} app",
                name,
                expected.action,
                expected.resource,
                _("the app's call you expect"),
                decision,
                why,
                denied_by=by,
            )
            if decision == "Unknown":
                result.unknown.append(why)
        result.calls.append(judged)
        if judged.refused and result.starts:
            result.app_refusals.append(judged)
            result.fixes.append(fix_for(judged, deployment, account))
    return result


def _key_policy(expected: Expected, account: OfflineAccount) -> str | None:
    if expected.action.startswith("kms:"):
        return account.key_policy(expected.resource)
    return None


def _checks(call: Any, account: OfflineAccount) -> list[Authorization]:
    """The planned call's own checks (the plan lists each check once already)."""
    return [
        Authorization(
            call.action,
            call.resource,
            _resource_policy(call, account),
            _call_context(call, account),
            via=call.via,
        )
    ]


def _resource_policy(call: Any, account: OfflineAccount) -> str | None:
    if call.action == "sts:AssumeRole":
        role = account.role_policies(call.resource.rsplit("/", 1)[-1])
        return role.trust if role is not None and role.arn == call.resource else None
    if call.action.startswith("kms:"):
        return account.key_policy(call.resource)
    return None


def _call_context(call: Any, account: OfflineAccount) -> dict[str, Any]:
    if call.action.startswith("kms:") and call.via:
        service = call.via.split(":")[0]
        return {
            "kms:ViaService": f"{service}.{account.region}.amazonaws.com",
            "kms:CallerAccount": account.account_id,
        }
    return {}


def _judged(
    call: Any, decision: str, why: str, by: str | None = None, check: Authorization | None = None
) -> Judged:
    return Judged(
        call.phase,
        call.principal,
        call.role,
        check.action if check else call.action,
        check.resource if check else call.resource,
        call.why,
        decision,
        why,
        call.service,
        call.operation,
        call.via,
        by,
    )


# -- ECS's words -------------------------------------------------------------------------------


def _client_error(judged: Judged, account: OfflineAccount) -> Any:
    from botocore.exceptions import ClientError

    principal = f"arn:aws:sts::{account.account_id}:assumed-role/{judged.role}/{TASK_ID}"
    explicit = judged.decision == "ExplicitlyDenied"
    kind = judged.denied_by or "identity"
    service = judged.service
    if judged.action == "kms:Decrypt" and judged.via:
        via = judged.via.split(":")[0]
        inner = errors.access_denied(
            "kms", "Decrypt", principal, judged.action, judged.resource, kind, explicit
        )
        error = errors.kms_denied_through(via, inner.message, REQUEST_ID)
    else:
        error = errors.access_denied(
            service, judged.operation, principal, judged.action, judged.resource, kind, explicit
        )
    return ClientError(error.parsed(REQUEST_ID), judged.operation or "Call")


def _launch_failure(result: Result, judged: Judged, account: OfflineAccount) -> None:
    from ecslab.ecs import reasons

    if judged.action == "sts:AssumeRole":
        result.run_task_error = "ClientException: " + reasons.unable_to_assume(judged.resource)
        return
    error = _client_error(judged, account)
    action = judged.action
    if action == "ecr:GetAuthorizationToken":
        text = reasons.registry_auth(error)
    elif action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
        text = reasons.image_pull_forbidden(
            judged.resource.split(":repository/")[0].split(":")[4]
            + ".dkr.ecr."
            + judged.resource.split(":")[3]
            + ".amazonaws.com",
            judged.resource.split(":repository/")[-1],
            "latest",
        )
    elif action == "ssm:GetParameters" or (judged.via or "").startswith("ssm"):
        text = reasons.ssm_secrets(reasons.sdk_v1(error))
    elif action == "secretsmanager:GetSecretValue" or (judged.via or "").startswith("secrets"):
        text = reasons.asm_secret(judged.resource, error)
    elif action == "logs:CreateLogGroup":
        text = reasons.log_group(reasons.sdk_v1(error))
    elif action.startswith("logs:"):
        text = reasons.log_stream(reasons.sdk_v1(error))
    else:
        text = f"ResourceInitializationError: {reasons.sdk_v1(error)}"
    result.stopped_reason = text


# -- the smallest fix ------------------------------------------------------------------------


def _fix_resource(judged: Judged) -> str:
    resource = judged.resource
    if judged.action.startswith("logs:") and ":log-stream:" in resource:
        return resource.split(":log-stream:")[0] + ":*"  # the group's streams, any task's
    return resource


def fix_for(judged: Judged, deployment: Deployment, account: OfflineAccount) -> Fix:
    if judged.action == "sts:AssumeRole":
        role = judged.resource.rsplit("/", 1)[-1]
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}},
        }
        return Fix(
            role,
            statement,
            "trust",
            text=_("Let ECS assume {role}: add this statement to its trust policy.").format(
                role=role
            ),
        )
    role = judged.role or ""
    statement = {"Effect": "Allow", "Action": judged.action, "Resource": _fix_resource(judged)}
    if judged.decision == "ExplicitlyDenied":
        return Fix(
            role,
            statement,
            "deny",
            text=_(
                "An explicit deny refuses {action} ({by} policy): no allow gets past it; remove "
                "or narrow the deny."
            ).format(action=judged.action, by=judged.denied_by or "identity"),
        )
    name = f"{role}-{judged.action.replace(':', '-')}"
    document = {"Version": "2012-10-17", "Statement": [statement]}
    body = json.dumps(document, indent=2).replace("\n", "\n  ")
    terraform = (
        f'resource "aws_iam_role_policy" "{name.replace("-", "_").lower()}" {{\n'
        f'  name   = "{name}"\n'
        f'  role   = "{role}"\n'
        f"  policy = jsonencode({body})\n}}\n"
    )
    cloudformation = (
        f"{name.replace('-', '').replace('_', '')}:\n"
        "  Type: AWS::IAM::Policy\n"
        "  Properties:\n"
        f"    PolicyName: {name}\n"
        f"    Roles: [{role}]\n"
        "    PolicyDocument:\n"
        "      Version: '2012-10-17'\n"
        "      Statement:\n"
        "        - Effect: Allow\n"
        f"          Action: {judged.action}\n"
        f"          Resource: '{statement['Resource']}'\n"
    )
    return Fix(
        role,
        statement,
        "identity",
        terraform,
        cloudformation,
        _("Allow {action} on {resource} in a policy of {role}.").format(
            action=judged.action, resource=statement["Resource"], role=role
        ),
    )


# -- lints -----------------------------------------------------------------------------------

APP_SERVICES = ("s3:", "dynamodb:", "sqs:", "sns:", "ses:", "kinesis:", "bedrock:", "lambda:")


def _statements(documents: list[tuple[str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(policy name, statement) for each statement of each JSON policy document."""
    for name, text in documents:
        try:
            document = json.loads(text)
        except ValueError:
            continue
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        for statement in statements if isinstance(statements, list) else [statements]:
            if isinstance(statement, dict):
                yield name, statement


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value or [])


def _actions(role_text: list[tuple[str, str]]) -> set[str]:
    found: set[str] = set()
    for _name, statement in _statements(role_text):
        if statement.get("Effect") == "Allow":
            found |= set(_listed(statement.get("Action")))
    return found


def lint(deployment: Deployment, definition: Any, result: Result) -> None:
    execution_arn, task_arn = definition.execution_role_arn, definition.task_role_arn
    where = deployment.task_definition_source
    if execution_arn and execution_arn == task_arn:
        result.lints.append(
            Lint(
                "warning",
                "same-role",
                _(
                    "the task execution role and the task role are the same role: the app gets "
                    "every permission the agent needs (and the other way round); give each its own"
                ),
                where,
            )
        )
    execution = deployment.role_by_arn(execution_arn)
    task = deployment.role_by_arn(task_arn)
    if execution is not None and execution is not task:
        app = sorted(a for a in _actions(execution.identity) if a.startswith(APP_SERVICES))
        if app:
            result.lints.append(
                Lint(
                    "warning",
                    "app-permissions-on-execution-role",
                    _(
                        "the task execution role {role} allows {actions}: the app never uses "
                        "the execution role, so these belong on the task role"
                    ).format(role=execution.name, actions=", ".join(app)),
                    execution.source,
                )
            )
    for role in {r.name: r for r in (execution, task) if r is not None}.values():
        _lint_trust(role, result, deployment)
        _lint_resources(role, result)


def _lint_agent_calls_on_task_role(
    deployment: Deployment, account: OfflineAccount, definition: Any, planned: Any, result: Result
) -> None:
    """The task role allows what the agent asks at launch: the classic wrong fix (the agent
    never uses the task role). FireLens's router legitimately writes logs with the task role."""
    task = deployment.role_by_arn(definition.task_role_arn)
    execution = deployment.role_by_arn(definition.execution_role_arn)
    if task is None or task is execution:
        return
    granted = []
    for call in planned:
        if call.phase != "launch" or call.principal != "ECS agent" or call.action in granted:
            continue
        decision, _why, _by = judge(
            deployment, account, task.name, call.action, call.resource, None, {}
        )
        if decision == "Allowed":
            granted.append(call.action)
    if granted:
        result.lints.append(
            Lint(
                "warning",
                "execution-permissions-on-task-role",
                _(
                    "the task role {role} allows {actions}: the ECS agent asks for them at "
                    "launch with the task execution role, never the task role"
                ).format(role=task.name, actions=", ".join(granted)),
                task.source,
            )
        )


def _lint_trust(role: Any, result: Result, deployment: Deployment) -> None:
    services = []
    for _name, statement in _statements([("trust", role.trust or "{}")]):
        principal = statement.get("Principal") or {}
        if isinstance(principal, dict):
            services += _listed(principal.get("Service"))
        condition = statement.get("Condition") or {}
        for operator in condition.values() if isinstance(condition, dict) else ():
            if not isinstance(operator, dict):
                continue
            for value in _listed(operator.get("aws:SourceAccount")):
                if deployment.account_id and str(value) != deployment.account_id:
                    result.lints.append(
                        Lint(
                            "error",
                            "trust-source-account",
                            _(
                                "{role}'s trust policy requires aws:SourceAccount {value}, but "
                                "the task runs in account {account}: ECS cannot assume it"
                            ).format(role=role.name, value=value, account=deployment.account_id),
                            role.source,
                        )
                    )
    if SERVICE not in services:
        result.lints.append(
            Lint(
                "error",
                "trust-without-ecs-tasks",
                _(
                    "{role}'s trust policy does not name the service {service}: ECS cannot "
                    "assume it for a task"
                ).format(role=role.name, service=SERVICE),
                role.source,
            )
        )


def _lint_resources(role: Any, result: Result) -> None:
    for name, statement in _statements(role.identity):
        actions = _listed(statement.get("Action"))
        for resource in _listed(statement.get("Resource")):
            streams = any(a in ("logs:CreateLogStream", "logs:PutLogEvents") for a in actions)
            if (
                streams
                and ":log-group:" in resource
                and not resource.endswith("*")
                and ":log-stream:" not in resource
            ):
                result.lints.append(
                    Lint(
                        "warning",
                        "log-group-without-stream-wildcard",
                        _(
                            "{policy} of {role} names the log group {resource} without ':*': "
                            "CreateLogStream and PutLogEvents act on the group's streams, "
                            "arn:...:log-group:NAME:log-stream:..., which it does not match"
                        ).format(policy=name, role=role.name, resource=resource),
                        role.source,
                    )
                )
            if (
                "secretsmanager:GetSecretValue" in actions
                and ":secret:" in resource
                and not resource.endswith("*")
                and not _has_suffix(resource)
            ):
                result.lints.append(
                    Lint(
                        "warning",
                        "secret-without-suffix-wildcard",
                        _(
                            "{policy} of {role} names the secret {resource} without its "
                            "six-character suffix: a secret's ARN ends in -XXXXXX, so allow "
                            "{resource}-* (or the full ARN)"
                        ).format(policy=name, role=role.name, resource=resource),
                        role.source,
                    )
                )


def _has_suffix(resource: str) -> bool:
    name = resource.split(":secret:", 1)[-1]
    head, _, tail = name.rpartition("-")
    return bool(head) and len(tail) == 6 and tail.isalnum()
