"""Which role to fix, from an error message as people paste it.

The article's rule of thumb, made precise: *the task does not start or goes STOPPED → suspect the
execution role; it starts but the app gets AccessDenied → suspect the task role; read the error and
when it happened.* :func:`diagnose` reads a message from a real account (or from the lab) and says
which role to work on, with its category, phase, a plain explanation, the fix, the evidence it
used, and the other plausible answers (:attr:`Diagnosis.candidates`, best first).

``Diagnosis.role`` is one of (issue 15):

================  =================================================================================
role              the role to work on
================  =================================================================================
execution         the task execution role (the ECS agent at launch: image, logs, secrets)
task              the task role (the app, FireLens, ECS Exec's agent, an EFS mount with IAM)
instance          the EC2 container instance role: it answered for an app with no task role
                  (``assumed-role/<name>/i-0...``), or the agent's own calls, or an instance
                  profile refused (the task role is offered as the next candidate for an app)
deployer          whoever registers, runs or deploys the task: ``iam:PassRole``, ``ecs:RunTask``,
                  ``RegisterTaskDefinition`` refused to a user, a CI role or a pipeline
service-linked    AWSServiceRoleForECS missing or not yet usable ("Unable to assume the service
                  linked role")
infrastructure    a role ECS itself assumes for a service: the legacy ECS service role for load
                  balancers (ecsServiceRole: "Unable to assume role and validate the listeners",
                  "... the specified targetGroupArn"), ecsInfrastructureRole
neither           no role: the network, the image, the configuration, the container itself
unknown           not recognised
================  =================================================================================

``Diagnosis.category`` is one of the closed set :data:`CATEGORIES` (README's Coach section has the
same table):

=======================  ========================================================================
category                 meaning
=======================  ========================================================================
ecr-auth                 the agent's ecr:GetAuthorizationToken at launch
image-pull               pulling the image's layers at launch (ECR BatchGetImage, a registry's 403)
logs                     the awslogs driver's log group or stream at launch
secrets-manager          a Secrets Manager secret injected at launch
ssm                      an SSM parameter injected at launch
kms                      the KMS key of an injected secret or parameter
trust-policy             ECS could not assume a task's role (trust policy, missing, propagation)
pass-role                the caller may not iam:PassRole the task's roles
service-linked-role      AWSServiceRoleForECS missing or not yet usable
service-role             a role ECS assumes for a service: ecsServiceRole, infrastructure role
instance-role            the EC2 container instance role: the agent's calls, or answering for an app
runtime-s3               the app's call to S3
runtime-dynamodb         the app's call to DynamoDB
runtime-sqs              the app's call to SQS
runtime-sns              the app's call to SNS
runtime-secrets-manager  the app's own call to Secrets Manager
runtime-kms              the app's own call to KMS
runtime-other            the app's call to another service, or its SDK finding no credentials
ecs-exec                 ECS Exec: its agent's ssmmessages channels, its setting, its caller
log-router               a FireLens log router (Fluent Bit): its calls or its configuration
efs                      an EFS volume's mount at launch
network                  no route to the endpoint: timeouts, DNS, connection resets
registry-rate-limit      a registry's pull rate limit (Docker Hub's 429)
image-not-found          the image's repository, tag, digest or platform is not in the registry
configuration            a request ECS or the SDK refuses as invalid (parameter, setting, state)
container-exit           the container stopped on its own (exit code, memory, health check)
placement                the scheduler found no capacity (instances, resources, constraints)
resource-policy          a resource's own policy refused (bucket, key, secret, VPC endpoint)
organization-policy      an organization's SCP or RCP refused, whatever the role allows
stopped-on-purpose       ECS stopped the task on purpose (scaling, deployment, user, Spot)
other                    anything else the message names
=======================  ========================================================================

It copes with messages as they are pasted: Fargate and EC2-agent wordings, console capitalisation
(``Resourceinitializationerror``), hard-wrapped lines, ``...`` truncation, SDK and CLI error lines,
app log lines and service events. The texts it recognises are the real ones collected in
``docs/research/ecs_lifecycle.md`` and ``docs/research/service_errors.md`` (sources there);
``tests/coach/corpus`` holds real messages with their sources, and ``benchmarks/diagnose.py``
measures how often the top answer is right.

The cast around a task (issue 14): a network timeout at launch is ``"neither"`` (category
``network``); an EC2 container instance role answering for an app that has no task role
(``assumed-role/<name>/i-0...``: the session name is an instance id) is ``"instance"``, category
``instance-role``, its explanation and fix pointing at the task role (give the task one, or block
IMDS), and ``"task"`` its next candidate; the ECS agent's own calls as the instance role
(registering, polling) are ``"instance"`` too, fixed on the instance role; ECS Exec's
``TargetNotConnectedException`` and ``ssmmessages`` refusals are ``"task"``, category
``ecs-exec``; RunTask's ``No Container Instances were found in your cluster.`` is ``"neither"``,
category ``placement``, explained as an instance that never registered. A FireLens log router's
refused call (Fluent Bit's own error line) is ``"task"``, category ``log-router``, phase run;
an EFS mount refused at launch (``access denied by server``) is ``"task"``, category ``efs``,
phase launch, and an EFS name that does not resolve is ``"neither"``, category ``efs``.

Rules are written over wording families, not messages (issue 15): an SDK's credential chain
giving up in any SDK's words, AWS's refusals that name the kind of policy that decided (an SCP, a
VPC endpoint policy or a resource's explicit deny is no role's to fix), the container runtime's own
failures inside ECS's wrappers, a deployment's calls (changes to ECS, IAM, CloudFormation, pushed
images) refused to whoever deploys. A failure that no rule knows gets a guess said to be one
(neither first, the two task roles next: a failure that names no refusal is rarely a role's); a
text with no failure word in it stays ``"unknown"``. ``tests/coach/test_diagnose_generalise.py``
runs every rule against the corpora it was not written with.

Why rules and not a model: the signals are few and exact (a wrapper text, an IAM action, a
session name), the answer must explain itself, and a learner must be able to read why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

from ecslab.i18n import N_, _

ROLES = (
    "execution",
    "task",
    "instance",
    "deployer",
    "service-linked",
    "infrastructure",
    "neither",
    "unknown",
)

# The closed set of Diagnosis.category: id → meaning (documentation, not shown to learners).
CATEGORIES = {
    "ecr-auth": "the agent's ecr:GetAuthorizationToken at launch",
    "image-pull": "pulling the image's layers at launch (ECR BatchGetImage, a registry's 403)",
    "logs": "the awslogs driver's log group or stream at launch",
    "secrets-manager": "a Secrets Manager secret injected at launch",
    "ssm": "an SSM parameter injected at launch",
    "kms": "the KMS key of an injected secret or parameter",
    "trust-policy": "ECS could not assume a task's role (trust policy, missing, propagation)",
    "pass-role": "the caller may not iam:PassRole the task's roles",
    "service-linked-role": "AWSServiceRoleForECS missing or not yet usable",
    "service-role": "a role ECS assumes for a service: ecsServiceRole, infrastructure role",
    "instance-role": "the EC2 container instance role: the agent's calls, or answering for an app",
    "runtime-s3": "the app's call to S3",
    "runtime-dynamodb": "the app's call to DynamoDB",
    "runtime-sqs": "the app's call to SQS",
    "runtime-sns": "the app's call to SNS",
    "runtime-secrets-manager": "the app's own call to Secrets Manager",
    "runtime-kms": "the app's own call to KMS",
    "runtime-other": "the app's call to another service, or its SDK finding no credentials",
    "ecs-exec": "ECS Exec: its agent's ssmmessages channels, its setting, its caller",
    "log-router": "a FireLens log router (Fluent Bit): its calls or its configuration",
    "efs": "an EFS volume's mount at launch",
    "network": "no route to the endpoint: timeouts, DNS, connection resets",
    "registry-rate-limit": "a registry's pull rate limit (Docker Hub's 429)",
    "image-not-found": "the image's repository, tag, digest or platform is not in the registry",
    "configuration": "a request ECS or the SDK refuses as invalid (parameter, setting, state)",
    "container-exit": "the container stopped on its own (exit code, memory, health check)",
    "placement": "the scheduler found no capacity (instances, resources, constraints)",
    "resource-policy": "a resource's own policy refused (bucket, key, secret, VPC endpoint)",
    "organization-policy": "an organization's SCP or RCP refused, whatever the role allows",
    "stopped-on-purpose": "ECS stopped the task on purpose (scaling, deployment, user, Spot)",
    "other": "anything else the message names",
}

# What the ECS agent calls with the execution role while it launches a task.
AGENT_ACTIONS = {
    "ecr:getauthorizationtoken": "ecr-auth",
    "ecr:batchgetimage": "image-pull",
    "ecr:getdownloadurlforlayer": "image-pull",
    "ecr:batchchecklayeravailability": "image-pull",
    "logs:createlogstream": "logs",
    "logs:createloggroup": "logs",
    "logs:putlogevents": "logs",
}
SECRET_ACTIONS = {
    "secretsmanager:getsecretvalue": "secrets-manager",
    "ssm:getparameters": "ssm",
    "ssm:getparameter": "ssm",
    "kms:decrypt": "kms",
}
RUNTIME_CATEGORIES = {
    "s3": "runtime-s3",
    "dynamodb": "runtime-dynamodb",
    "sqs": "runtime-sqs",
    "sns": "runtime-sns",
    "secretsmanager": "runtime-secrets-manager",
    "kms": "runtime-kms",
}

_PRINCIPAL = re.compile(
    r"arn:aws[\w-]*:sts::[\d*x<>a-z_ -]*:assumed-role/"
    r"(?P<role>[\w+=,.@-]+)/(?P<session>[\w+=,.@-]+)",
    re.I,
)
_USER = re.compile(
    r"arn:aws[\w-]*:iam::[\d*x<>a-z_ -]*:(?P<kind>user|root)(?:/(?P<name>[\w+=,.@/-]+))?", re.I
)
_ACTION = re.compile(r"(?:to perform|perform):\s*(?P<action>[a-z0-9-]+:[a-z0-9*]+)", re.I)
_RESOURCE = re.compile(r"on resource:\s*(?P<resource>\S+)", re.I)
_OPERATION = re.compile(r"when calling the (?P<operation>\w+) operation", re.I)
# ECS's RunTask refusal names the role, quoted ("ECS was unable to assume the role 'arn:...' that
# was provided for this task": https://github.com/aws-samples/aws-modern-application-workshop/
# issues/88); people also paste it unquoted, or with "role" and no "the".
_ASSUME = re.compile(
    r"unable to assume (?:the )?role\s*(?:'(?P<quoted>[^']+)'|(?P<bare>arn:\S*[^\s.,;)'\"]))",
    re.I,
)
# The same refusal as STS words it to ECS, the service principal (the lab's trace shows it, as
# CloudTrail's AssumeRole event does): "User: ecs-tasks.amazonaws.com is not authorized to
# perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ecs-task-role".
_ECS_REFUSED = re.compile(
    r"User:\s*ecs-tasks\.amazonaws\.com is not authorized to perform:\s*sts:AssumeRole on "
    r"resource:\s*(?P<arn>arn:\S*[^\s.,;)'\"])",
    re.I,
)
_INSTANCE = re.compile(r"^i-[0-9a-f]{8,17}$")

NETWORK = (
    "context deadline exceeded",
    "i/o timeout",
    "dial tcp",
    "network configuration",
    "connection reset",
    "no such host",
    "request canceled",
    "requestcanceled",
    "tls handshake timeout",
    "signal: killed",
    "connection issue",
    "could not connect",
    "unable to connect",
    "send request failed",
    # aws-sdk-go's error code for a request that never got an answer ("RequestError: send
    # request failed"), often all that is left of a truncated launch message
    "requesterror",
    # botocore's ConnectTimeoutError (botocore/exceptions.py): an app's call with no path out
    "connect timeout on endpoint url",
    "connecttimeouterror",
    # the same family as other runtimes and tools word it: a socket that never connected, a name
    # that did not resolve, Fargate's ENI never attached
    "connection timed out",
    "connect timed out",
    "read timed out",
    "operation timed out",
    "network is unreachable",
    "no route to host",
    "connection refused",
    "temporary failure in name resolution",
    "name or service not known",
    "could not resolve host",
    "network interface provisioning",
)
DENIED = (
    "not authorized to perform",
    "accessdenied",
    "access denied",
    "403 forbidden",
    "access to kms is not allowed",
    "not allowed to access",
    "authorizationerror",
    "is not authorized",
    ") when calling the headobject operation: forbidden",
    "(403)",
)
LAUNCH_WRAPPERS = (
    "resourceinitializationerror",
    "cannotpullcontainererror",
    "cannotpullcontainer",
    "cannotstartcontainererror",
    "unable to pull secrets or registry auth",
    "failed to validate logger args",
    "execution resource retrieval failed",
    "fetching secret data from",
    "asm fetching secret",
    "taskfailedtostart",
    "the task can’t pull the image",
    "the task can't pull the image",
    "failed to initialize logging driver",
    "the task can't retrieve the secret",
    "the task can’t retrieve the secret",
)


@dataclass
class Candidate:
    """One possible answer, with how strongly the evidence points to it."""

    role: str
    category: str
    phase: str
    score: float
    why: str
    # What this case adds to its role's own explanation ("Note: ..."), in the learner's
    # language; a plain attribute, not a field: the answer's JSON stays as it is.
    note = ""
    # Whole sentences that replace the role's own explanation (lead) or follow it (more), and a
    # fix that replaces the category's: for cases the category's general words do not fit.
    lead = ""
    more = ""
    fix = ""
    # False for an alternative kept for completeness (benchmarks, JSON) that describe() leaves
    # out of "Also possible", so that the answers a learner already knew read as before
    shown = True


@dataclass
class Facts:
    """What the message says, pulled out of it."""

    text: str  # the message, joined and normalised
    lower: str
    principal_role: str | None = None
    session: str | None = None
    user: str | None = None
    action: str | None = None
    resource: str | None = None
    operation: str | None = None
    assumed_role_arn: str | None = None
    ecs_refused_assume: bool = False  # STS's own refusal to ecs-tasks.amazonaws.com
    evidence: list[str] = field(default_factory=list)

    def has(self, *needles: str) -> str | None:
        for needle in needles:
            if needle in self.lower:
                return needle
        return None

    def quote(self, needle: str) -> str:
        """A needle found by :meth:`has`, as the message wrote it (its own capitals), for the
        evidence a learner reads."""
        at = self.lower.find(needle)
        if at < 0 or len(self.lower) != len(self.text):
            return needle
        return self.text[at : at + len(needle)]


@dataclass
class Diagnosis:
    """The answer: which role, why, and what to do."""

    message: str
    role: str
    category: str
    phase: str
    explanation: str
    fix: str
    candidates: list[Candidate]
    evidence: list[str]
    facts: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def describe(self) -> str:
        names = {role: _(name) for role, name in SUSPECTS.items()}
        suspect = names[self.role]
        refused = role_name(self.facts.get("role_ecs_could_not_assume", ""))
        if self.category == "trust-policy" and refused:
            # the message names the role, not which of the task's roles it was given as
            if self.role in ("execution", "task"):
                suspect = _("the role {name}, by its name {suspect}").format(
                    name=refused, suspect=names[self.role]
                )
            else:
                suspect = _("the role {name}").format(name=refused)
        phase = _(PHASES[self.phase]) if self.phase in PHASES else self.phase
        lines = [
            # TRANSLATORS: {category} is an id (runtime-sqs, trust-policy, ...), kept as it is.
            _("Suspect: {suspect} ({category}, {phase}).").format(
                suspect=suspect, category=self.category, phase=phase
            ),
            self.explanation,
            _("Fix: {fix}").format(fix=self.fix),
        ]
        # TRANSLATORS: between two pieces of evidence, or two other possible causes, on one line.
        between = _("; ")
        if self.evidence:
            lines.append(_("Evidence: {evidence}").format(evidence=between.join(self.evidence)))
        others = [c for c in self.candidates[1:] if c.role != self.role and c.shown]
        if others:
            possible = between.join(
                _("{suspect} ({category}): {why}").format(
                    suspect=names[c.role], category=c.category, why=c.why
                )
                for c in others[:2]
            )
            lines.append(_("Also possible: {candidates}").format(candidates=possible))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        lines = self.describe().split("\n")
        head, rest = lines[0], lines[1:]
        items = "".join(f"<li>{escape(line)}</li>" for line in rest)
        return f'<div role="status"><p><strong>{escape(head)}</strong></p><ul>{items}</ul></div>'


# -- reading the message -------------------------------------------------------------------------


def normalise(message: str) -> str:
    """Join hard-wrapped lines, drop the terminal's decorations, squeeze spaces."""
    text = message.replace("\r", "\n")
    # a word broken across lines by a hard wrap ("...not authorized to per\nform") is rare;
    # lines are joined with a space, and ARNs split after ':' or '/' are joined back.
    text = re.sub(r"([:/])\s*\n\s*", r"\1", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    text = text.replace("\u2026", "...")
    return re.sub(r"[ \t]+", " ", text).strip()


def read(message: str) -> Facts:
    text = normalise(message)
    facts = Facts(text=text, lower=text.lower())
    if found := _PRINCIPAL.search(text):
        facts.principal_role, facts.session = found.group("role"), found.group("session")
        facts.evidence.append(
            _("the caller is role {role} (session {session})").format(
                role=facts.principal_role, session=facts.session
            )
        )
    elif found := re.search(r"assumed-role/(?P<role>[\w+=,.@-]+)", text):
        # truncated before the session name, as consoles and reports cut long lines
        facts.principal_role = found.group("role")
        facts.evidence.append(_("the caller is role {role}").format(role=facts.principal_role))
    elif found := _USER.search(text):
        facts.user = found.group("name") or "root"
        kind = found.group("kind")
        said = _(IAM_CALLERS[kind]) if kind in IAM_CALLERS else _("the caller is IAM {kind} {name}")
        facts.evidence.append(said.format(kind=kind, name=facts.user))
    if found := _ACTION.search(text):
        facts.action = found.group("action")
        facts.evidence.append(_("the action is {action}").format(action=facts.action))
    if found := _RESOURCE.search(text):
        facts.resource = found.group("resource").strip("\"'").rstrip(".,;")
    if found := _OPERATION.search(text):
        facts.operation = found.group("operation")
    if found := _ASSUME.search(text):
        facts.assumed_role_arn = found.group("quoted") or found.group("bare")
    elif found := _ECS_REFUSED.search(text):
        facts.assumed_role_arn = found.group("arn")
        facts.ecs_refused_assume = True
    return facts


# -- the rules ------------------------------------------------------------------------------------

Rule = Callable[[Facts], "list[Candidate]"]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    RULES.append(function)
    return function


def _quiet(candidate: Candidate) -> Candidate:
    candidate.shown = False
    return candidate


def role_name(arn: str) -> str | None:
    """The role's name in a role ARN (without its path); None when the ARN names no role."""
    if ":role/" not in arn:
        return None
    return arn.rsplit("/", 1)[-1] or None


def _role_from_name(name: str) -> str | None:
    lowered = name.lower()
    if "exec" in lowered:
        return "execution"
    if "task" in lowered or "app" in lowered or "container" in lowered:
        return "task"
    return None


@rule
def _trust(f: Facts) -> list[Candidate]:
    if not (f.ecs_refused_assume or f.has("unable to assume the role", "unable to assume role")):
        return []
    if f.has("service linked role", "service-linked role"):
        return []  # _registration names the service-linked role
    arn = f.assumed_role_arn or ""
    role = _role_from_name(role_name(arn) or "") or "unknown"
    f.evidence.append(
        _("ECS could not assume {arn}").format(arn=arn)
        if arn
        else _("ECS could not assume the role")
    )
    out = [
        Candidate(
            role,
            "trust-policy",
            "deploy",
            9,
            _(
                "ECS assumes both roles when the task is run: the role's trust policy must "
                "allow ecs-tasks.amazonaws.com"
            ),
        )
    ]
    # the message names the role, not the slot it was given in: the other slot is possible
    for other in ("execution", "task"):
        if other != role:
            out.append(
                _quiet(
                    Candidate(
                        other,
                        "trust-policy",
                        "deploy",
                        5,
                        _("the message does not say which of the task's roles it was given as"),
                    )
                )
            )
    # a role created a moment before the task runs may not be visible to ECS yet (IAM's
    # eventual consistency): the service retries and starts the task later
    out.append(
        _quiet(
            Candidate(
                "neither",
                "trust-policy",
                "deploy",
                3,
                _("or IAM had not caught up with a role created just before: retry"),
            )
        )
    )
    if f.has("pass"):
        out.append(
            Candidate(
                "deployer",
                "pass-role",
                "deploy",
                4,
                _("or the caller may not iam:PassRole the role"),
            )
        )
    return out


@rule
def _pass_role(f: Facts) -> list[Candidate]:
    if (f.action or "").lower() == "iam:passrole" or f.has("iam:passrole"):
        return [
            Candidate(
                "deployer",
                "pass-role",
                "deploy",
                10,
                _(
                    "the caller (who runs or deploys the task) needs iam:PassRole for the "
                    "roles in the task definition; the roles themselves are fine"
                ),
            )
        ]
    return []


# Node's and libc's socket error codes, whole words only ("enotfound" is also inside
# "ResourceNotFoundException")
_SOCKET_ERROR = re.compile(r"\b(?:econnrefused|etimedout|enotfound|econnreset|ehostunreach)\b")


@rule
def _network(f: Facts) -> list[Candidate]:
    found = f.has(*NETWORK)
    if not found and f.has("failed to resolve") and not f.has("failed to resolve ref"):
        found = "failed to resolve"  # a host name, not an image reference
    if not found and (code := _SOCKET_ERROR.search(f.lower)):
        found = code.group(0)
    if not found or _credentials_missing(f):
        return []  # an SDK that could not reach its credentials: _no_credentials
    if f.has(*DENIED) and not f.has("context deadline exceeded", "i/o timeout"):
        return []
    f.evidence.append(_("network trouble: '{text}'").format(text=f.quote(found)))
    phase = "launch" if f.has(*LAUNCH_WRAPPERS) else "run"
    found = Candidate(
        "neither",
        "network",
        phase,
        8,
        _(
            "the task could not reach the AWS endpoint (no route to the internet or to "
            "VPC endpoints) — it never got an answer, allowed or denied"
        ),
    )
    if phase == "launch":
        found.more = _(
            "The message starts as the task execution role's refusals do (the same wrapper "
            "words), but its end differs: a refusal names the action it denied ('is not "
            "authorized to perform', AccessDenied) and comes back at once; a network failure "
            "names none, retries ('retried 5 time(s)', 'i/o timeout', 'context deadline "
            "exceeded', 'signal: killed') and stops the task minutes later."
        )
    else:
        found.more = _(
            "The app's SDK call never reached AWS, so no role was asked: botocore waited for a "
            "connection, retried, and gave up minutes later. Give the task's subnet a route "
            "out (a NAT gateway, or an internet gateway and a public IP) or a VPC endpoint for "
            "the service; no policy change helps."
        )
        host = re.search(r"https?://(?P<service>[a-z0-9-]+)\.[a-z0-9.-]*amazonaws\.com", f.lower)
        if host:
            # botocore's ConnectTimeoutError names the endpoint URL, so the service is known
            found.fix = _(
                "Give the task's subnet a path to {service}: a VPC endpoint for it (a gateway "
                "endpoint for S3 and DynamoDB, an interface endpoint for the others), or a route "
                "out (a NAT gateway in a private subnet; an internet gateway and a public IP in a "
                "public one); no IAM change helps."
            ).format(service=host.group("service"))
    return [found]


@rule
def _image_missing(f: Facts) -> list[Candidate]:
    pull = f.has(
        "cannotpullcontainererror",
        "can’t pull the image",
        "can't pull the image",
        "pull image manifest",
        "failed to resolve ref",
    )
    missing = f.has(
        "not found",
        "manifest unknown",
        "does not exist",
        "check whether the image exists",
        "repository does not exist",
        "descriptor matching platform",
        "insufficient_scope",
        "requested access to the resource is denied",
    )
    if pull and missing and not f.has("not authorized to perform", "403 forbidden"):
        f.evidence.append(_("the image could not be found: '{text}'").format(text=f.quote(missing)))
        return [
            Candidate(
                "neither",
                "image-not-found",
                "launch",
                8,
                _(
                    "the image reference (repository, tag, digest or platform) does not "
                    "match what the registry has"
                ),
            )
        ]
    return []


def _registry_words_only(f: Facts) -> bool:
    """Docker's daemon answers a pull it could not make with "pull access denied for <image>,
    repository does not exist or may require 'docker login'" whatever the reason (a wrong name, a
    private image): the registry's words, with no IAM action, user or 403 of AWS's in them."""
    if f.action or f.has("is not authorized", "accessdenied", "403 forbidden", "(403)"):
        return False
    return bool(f.has("pull access denied", "requested access to the resource is denied"))


@rule
def _registry_limit(f: Facts) -> list[Candidate]:
    # Docker Hub's 429 (https://docs.docker.com/docker-hub/download-rate-limit/), as Fargate
    # words the refused pull (ecslab.ecs.reasons.docker_hub_rate_limit)
    found = f.has("toomanyrequests", "pull rate limit", "429 too many requests")
    if not found:
        return []
    f.evidence.append(_("the registry refused the pull: '{text}'").format(text=f.quote(found)))
    return [
        Candidate(
            "neither",
            "registry-rate-limit",
            "launch",
            10,
            _(
                "the registry (Docker Hub) refused the pull: its pull rate limit for anonymous "
                "pulls was reached; no AWS permission was asked"
            ),
        )
    ]


# The error codes of AWS APIs that refuse a request as invalid, not as unauthorised, as the agent
# quotes them inside its launch wrappers (the services' common errors: InvalidParameterException,
# ValidationException, ResourceNotFoundException, LimitExceededException): the task definition
# names something wrong, and no permission changes it.
REFUSED_AS_INVALID = (
    "invalidparameter",
    "validationexception",
    "validation error",
    "resourcenotfoundexception",
    "limitexceededexception",
    "are reserved for aws",
)


@rule
def _launch(f: Facts) -> list[Candidate]:
    wrapper = f.has(*LAUNCH_WRAPPERS)
    action = (f.action or "").lower()
    agent_category = AGENT_ACTIONS.get(action)
    if not wrapper and not agent_category:
        return []
    if wrapper:
        f.evidence.append(_("a launch failure: '{text}'").format(text=f.quote(wrapper)))
    denied = f.has(*DENIED)
    if denied and _registry_words_only(f):
        denied = None  # Docker's own words for an image it could not get, not an IAM refusal
    category = agent_category or SECRET_ACTIONS.get(action)
    if category is None:
        # Fargate's wrapper "unable to pull secrets or registry auth" names both: what failed is
        # in the rest of the text, so the registry is only the answer when nothing else is named.
        if f.has("getauthorizationtoken", "ecr registry auth"):
            category = "ecr-auth"
        elif f.has("kms", "ciphertext"):
            category = "kms"
        elif f.has("from asm", "secrets manager", "secretsmanager"):
            category = "secrets-manager"
        elif f.has("from ssm", "parameter store", "ssm"):
            category = "ssm"
        elif f.has("registry auth"):
            category = "ecr-auth"
        elif f.has("logger", "log stream", "log group", "logging driver"):
            category = "logs"
        elif f.has("cannotpullcontainererror", "pull the image", "pull image"):
            category = "image-pull"
        else:
            category = "other"
    if f.user and not f.principal_role and not wrapper:
        # the ECS agent never signs as an IAM user: a person or a build pushing or pulling
        return [
            Candidate(
                "deployer",
                "other",
                "deploy",
                8,
                _(
                    "the caller is an IAM user ({user}): a person or a build asking ECR or Logs "
                    "directly, never the ECS agent"
                ).format(user=f.user),
            )
        ]
    if f.session and _INSTANCE.match(f.session):
        return [
            Candidate(
                "instance",
                "instance-role",
                "launch",
                7,
                _(
                    "the EC2 container instance's role made this call (EC2 launch type): "
                    "its instance profile needs the permission"
                ),
            )
        ]
    if denied or agent_category:
        out = [
            Candidate(
                "execution",
                category,
                "launch",
                9 if wrapper else 7,
                _(
                    "the ECS agent makes this call with the task execution role while it "
                    "launches the task"
                ),
            )
        ]
        if (
            not wrapper
            and not (f.principal_role or f.user)
            and category
            in (
                "ecr-auth",
                "image-pull",
            )
        ):
            # a bare ECR refusal names no caller and no launch: a build that pulls or pushes
            # the image (CodeBuild, a CI runner) asks the same actions with its own role
            out.append(
                Candidate(
                    "deployer",
                    "other",
                    "deploy",
                    4,
                    _("or a build (CodeBuild, a CI runner) that pulls the image with its own role"),
                )
            )
        if category == "image-pull" and not f.has("not authorized to perform"):
            # a registry answers 403 for an image it does not have as well as for a refusal
            out.append(
                _quiet(
                    Candidate(
                        "neither",
                        "image-not-found",
                        "launch",
                        4,
                        _("a registry's bare 403 may also mean the image is not there"),
                    )
                )
            )
        return out
    if f.has(
        "does not exist",
        "can't find",
        "can’t find",
        "invalid ssm parameters",
        "invalid parameters",
        "did not contain json key",
        "looking for beginning of value",
        "invalid arn",
        "not found",
    ) or f.has(*REFUSED_AS_INVALID):
        return [
            Candidate(
                "neither",
                category,
                "launch",
                7,
                _(
                    "the task definition names something that is not there or not allowed (a "
                    "log group, secret, parameter, JSON key, a reserved name): a reference to "
                    "fix, not a permission"
                ),
            ),
            Candidate(
                "execution",
                category,
                "launch",
                3,
                _("unless the role lacks a permission the message hides"),
            )
            if not _registry_words_only(f)
            else Candidate(
                "execution",
                category,
                "launch",
                5,
                _(
                    "or the image is private and the task execution role may not pull it (ECR) "
                    "or read its repositoryCredentials (another registry)"
                ),
            ),
        ]
    return [
        Candidate(
            "execution",
            category,
            "launch",
            5,
            _("a launch failure: the execution role is the usual suspect"),
        ),
        # a message cut right after its wrapper, or a pull refused with a bare 403, does not
        # rule out a network or an image cause
        _quiet(
            Candidate(
                "neither",
                "image-not-found" if category == "image-pull" else "network",
                "launch",
                3,
                _("unless the rest of the message is a timeout or a missing image"),
            )
        ),
    ]


@rule
def _exec_and_routers(f: Facts) -> list[Candidate]:
    out = []
    if f.has("ssmmessages", "execute command", "executecommand", "execute-command", "ecs exec"):
        if f.user or f.has("ecs:executecommand"):
            out.append(
                Candidate(
                    "deployer",
                    "ecs-exec",
                    "run",
                    7,
                    _("the person running ECS Exec needs ecs:ExecuteCommand"),
                )
            )
        else:
            found = Candidate(
                "task",
                "ecs-exec",
                "run",
                7,
                _(
                    "ECS Exec's agent in the container uses the task role: it needs "
                    "ssmmessages:* channels"
                ),
            )
            found.lead = _(
                "ECS Exec failed inside the task: the SSM agent that ECS runs in the container "
                "opens its ssmmessages channels with the task role (taskRoleArn), never the task "
                "execution role. When the task role may not, the agent never connects, and "
                "ExecuteCommand answers TargetNotConnectedException ('The execute command "
                "failed due to an internal error')."
            )
            found.fix = _(
                "Allow ssmmessages:CreateControlChannel, CreateDataChannel, "
                "OpenControlChannel and OpenDataChannel on the task role, and run the task with "
                "execute-command enabled. Adding them to the task execution role changes "
                "nothing: the SSM agent never uses it."
            )
            out.append(found)
    if f.has(
        "firelens",
        "fluent-bit",
        "fluentbit",
        "fluent bit",
        "log_router",
        "log router",
        "cloudwatch_logs",
        "aws-for-fluent-bit",
        "[output:cloudwatch",
    ):
        found = Candidate(
            "task",
            "log-router",
            "run",
            7,
            _("a FireLens log router ships logs itself, with the task role"),
        )
        # A refusal the router printed (Fluent Bit's cloudwatch_logs: "<API> API responded with
        # error='AccessDeniedException'", https://github.com/aws/aws-for-fluent-bit/issues/177;
        # its Go cloudwatch plugin: "level=error msg=\"AccessDeniedException: User: ...\"",
        # https://github.com/aws/aws-for-fluent-bit/issues/835) is the router's own call, made
        # with the task role while the task runs, not the agent's at launch.
        if f.has(*DENIED) and not f.has(*LAUNCH_WRAPPERS):
            found.score = 10
            found.lead = _(
                "The FireLens log router (Fluent Bit) was refused while the task ran: the "
                "router is a container of the task and sends the app's logs itself, with the "
                "task role (taskRoleArn). The app keeps running, but its lines never reach the "
                "destination; the router's own log shows the refusal."
            )
            found.fix = _(
                "Allow logs:CreateLogStream and logs:PutLogEvents (and logs:CreateLogGroup when "
                "auto_create_group is true) on the destination log group for the task role. "
                "Adding them to the task execution role changes nothing: it only pulls the "
                "router's image and writes the router's own awslogs stream."
            )
        out.append(found)
    return out


@rule
def _efs_mount(f: Facts) -> list[Candidate]:
    """An EFS volume's mount at launch (efs-utils): with IAM authorization it signs with the
    task role (https://github.com/aws/copilot-cli/issues/3350 for the refusal's text)."""
    if not f.has("failed to invoke efs utils commands"):
        return []
    if f.has("access denied by server"):
        found = Candidate(
            "task",
            "efs",
            "launch",
            11,
            _("an EFS mount with IAM authorization signs with the task role"),
        )
        found.lead = _(
            "EFS refused to mount the task's volume while the task started. With IAM "
            "authorization (authorizationConfig iam ENABLED), the mount helper identifies the "
            "client with the task role (taskRoleArn), although the mount happens at launch; EFS "
            "decides from the task role's policies and the file system policy (an allow in "
            "either is enough, an explicit deny in either wins)."
        )
        found.fix = _(
            "Allow elasticfilesystem:ClientMount (and elasticfilesystem:ClientWrite unless the "
            "volume is read-only) on the file system's ARN for the task role, or grant them to "
            "the task role in the file system policy; check the file system policy for a "
            "deny. Adding them to the task execution role changes nothing: the mount never "
            "uses it."
        )
        return [found]
    if f.has("failed to resolve", "no such file or directory", "reason given by server"):
        found = Candidate(
            "neither",
            "efs",
            "launch",
            11,
            _("the file system id, or its mount target in the task's VPC, is not there"),
        )
        found.fix = _(
            "Check the file system id in the task definition, and give the file system a "
            "mount target in the VPC (and Availability Zone) of the task's subnets; no IAM "
            "change helps."
        )
        return [found]
    return []


@rule
def _runtime(f: Facts) -> list[Candidate]:
    if not f.has(*DENIED) or f.has(*LAUNCH_WRAPPERS):
        return []  # a launch failure is not the application's call
    if f.ecs_refused_assume:
        return []  # ECS itself was refused a role: a trust policy, not the app's call
    action = (f.action or "").lower()
    service = action.split(":", 1)[0] if action else None
    if service is None and f.operation:
        service = _service_of_operation(f)
    if action in AGENT_ACTIONS:
        return []
    if f.session and _INSTANCE.match(f.session):
        f.evidence.append(_("session {session} is an EC2 instance id").format(session=f.session))
        return [
            _instance_answered(
                Candidate(
                    "task",
                    "instance-role",
                    "run",
                    8,
                    _(
                        "the EC2 instance's role answered, not a task role: the container "
                        "found no task role credentials and the SDK fell back to the instance "
                        "profile — give the task definition a task role"
                    ),
                )
            ),
            _instance_alternative(8),
        ]
    if f.user and not f.principal_role:
        return [
            Candidate(
                "deployer",
                "other",
                "deploy",
                5,
                _("the caller is an IAM user ({user}), not a task").format(user=f.user),
            )
        ]
    category = RUNTIME_CATEGORIES.get(service or "", "runtime-other")
    score = 7 if (f.operation or f.principal_role) else 4
    if action in SECRET_ACTIONS and not (f.operation or f.principal_role or f.user):
        # a bare refusal of a secret's read names no caller and no SDK call: the agent injecting
        # the task's secrets at launch (the execution role) asks exactly these, as an app does
        injected = Candidate(
            "execution",
            SECRET_ACTIONS[action],
            "launch",
            5,
            _(
                "secrets injected into the container (the task definition's secrets) are read "
                "at launch by the ECS agent with the task execution role"
            ),
        )
        app = Candidate(
            "task",
            category,
            "run",
            4,
            _("or the app reads the secret itself, with the task role"),
        )
        return [injected, app]
    found = Candidate(
        "task",
        category,
        "run",
        score,
        _("the application calls AWS through the SDK with the task role's credentials"),
    )
    if f.principal_role and _role_from_name(f.principal_role) == "execution":
        found.note = _(
            "the caller is {role}, an execution role — the task probably uses it as its task "
            "role, or has none of its own"
        ).format(role=f.principal_role)
        # TRANSLATORS: two reasons for one answer, the second adding to the first.
        found.why = _("{why}; {note}").format(why=found.why, note=found.note)
    if service in RESOURCE_POLICY_SERVICES and not f.has("identity-based policy"):
        # the resource's own policy (a bucket policy, a key policy...) refuses with the same
        # words unless the refusal names the identity-based policy (_policy_type)
        return [
            found,
            _quiet(
                Candidate(
                    "neither",
                    "resource-policy",
                    "run",
                    3,
                    _("or the resource's own policy (bucket, key, secret) must allow it"),
                )
            ),
        ]
    return [found]


@rule
def _container(f: Facts) -> list[Candidate]:
    if f.has(
        "outofmemory",
        "out of memory",
        "oomkilled",
        "exit code: 137",
        "exitcode: 137",
        "essential container in task exited",
        "exit code 1",
        "exited with code",
        "healthcheck",
        "health check",
    ) or f.has(*CONTAINER_RUNTIME):
        if f.has(*DENIED):
            return []
        return [
            Candidate(
                "neither",
                "container-exit",
                "run",
                # the container runtime's own words outweigh the launch wrapper around them
                8 if f.has(*CONTAINER_RUNTIME) else 5,
                _(
                    "the container itself stopped (its own error, memory, health check): "
                    "read its logs"
                ),
            )
        ]
    if f.has(
        "unable to place a task",
        "no container instance met",
        "resources could not be found",
        "insufficient memory",
        "insufficient cpu",
        "no container instances were found",
        # Fargate's capacity and the EC2 scheduler's other refusals (a host port already taken)
        "capacity is unavailable",
        "insufficient capacity",
        "already using a port",
    ):
        if f.has(*LAUNCH_WRAPPERS):
            return []
        found = Candidate(
            "neither",
            "placement",
            "deploy",
            6,
            _("the scheduler could not place the task (capacity, constraints)"),
        )
        if f.has("no container instances were found"):
            # RunTask's refusal ("InvalidParameterException: No Container Instances were found
            # in your cluster.", https://github.com/jenkinsci/amazon-ecs-plugin/issues/217) and
            # the service event that ends with it: no EC2 instance is registered.
            found.why = _(
                "no EC2 container instance is registered in the cluster: none was launched, or "
                "its ECS agent could not register it"
            )
            found.more = _(
                "The task's roles are not involved. Either no EC2 instance was launched (the "
                "Auto Scaling group's capacity, an instance quota, an instance type the region "
                "lacks), or the "
                "instance's ECS agent could not register it: its instance role lacks "
                "AmazonEC2ContainerServiceforEC2Role (ecs:RegisterContainerInstance), ECS_CLUSTER "
                "in /etc/ecs/ecs.config names another cluster, or the instance cannot reach the "
                "ECS endpoint."
            )
            found.fix = _(
                "Look at the cluster's container instances: if there are none, check the Auto "
                "Scaling group's activity, then the instance: its instance profile with "
                "AmazonEC2ContainerServiceforEC2Role, ECS_CLUSTER in /etc/ecs/ecs.config, and "
                "its route to the ECS endpoint. Or run the task on Fargate."
            )
            if not f.has("unable to place a task"):
                f.evidence.append(_("RunTask found no container instance in the cluster"))
        return [found]
    return []


# The container runtime's own failures (Docker's daemon, containerd, runc): a file, a binary, a
# disk or a process, wrapped by ECS as CannotStartContainerError or CannotPullContainerError but
# never an AWS permission ("permission denied" here is the file system's).
CONTAINER_RUNTIME = (
    "oci runtime",
    "runc create failed",
    "failed to create shim",
    "error during container init",
    "unable to start container process",
    "executable file not found",
    "no space left on device",
    "segmentation fault",
    "error processing tar file",
    "failed to register layer",
)


# Services whose resources carry their own policy, which can refuse a caller whatever its role
# allows (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-
# iam.html, "Resource-based policies").
RESOURCE_POLICY_SERVICES = ("s3", "kms", "secretsmanager", "sqs", "sns", "ecr", "lambda", "events")


def _service_of_operation(f: Facts) -> str | None:
    operation = f.operation or ""
    guesses = {
        "GetObject": "s3",
        "PutObject": "s3",
        "ListObjects": "s3",
        "ListObjectsV2": "s3",
        "HeadObject": "s3",
        "ListBuckets": "s3",
        "GetItem": "dynamodb",
        "PutItem": "dynamodb",
        "Query": "dynamodb",
        "Scan": "dynamodb",
        "UpdateItem": "dynamodb",
        "BatchWriteItem": "dynamodb",
        "SendMessage": "sqs",
        "ReceiveMessage": "sqs",
        "Publish": "sns",
        "GetSecretValue": "secretsmanager",
        "Decrypt": "kms",
        "GenerateDataKey": "kms",
        "GetParameter": "ssm",
        "GetParameters": "ssm",
    }
    return guesses.get(operation)


CI_HINTS = (
    "codebuild",
    "cloudformation",
    "github",
    "pipeline",
    "deploy",
    "cdk-",
    "envmanager",
    "terraform",
    "jenkins",
    "gitlab",
)
NO_CREDENTIALS = (
    "unable to locate credentials",
    "nocredentialproviders",
    "no valid providers in chain",
    "couldn't find aws credentials",
    "could not load credentials",
    "unable to get iam security credentials",
    "could not find credentials",
    "nocredentialserror",
    # the .NET SDK's and other SDKs' chains giving up, and an SDK falling back to the shared
    # credentials file that a container does not have
    "unable to retrieve credentials",
    "/.aws/credentials",
)


@rule
def _registration(f: Facts) -> list[Candidate]:
    """RegisterTaskDefinition's refusals: a task that needs an execution role has none."""
    out = []
    if f.has(
        "requires task definition to have execution role",
        "must also specify a value for 'executionrolearn'",
        "value for 'executionrolearn'",
    ):
        category = (
            "logs"
            if f.has("log driver", "awslogs")
            else ("secrets-manager" if f.has("secret") else "ecr-auth")
        )
        out.append(
            Candidate(
                "execution",
                category,
                "deploy",
                9,
                _(
                    "the task definition needs an execution role for what it asks ECS to "
                    "do at launch (pull from ECR, awslogs, secrets) and names none"
                ),
            )
        )
    if f.has("role is not valid", "invalid arn syntax", "invalid arn") and not f.has(
        *LAUNCH_WRAPPERS
    ):
        # the ARN may name a role that exists in another account only, or a bare role name:
        # which of the task's roles it was is in the request, not in the message
        first = "task" if f.has("runtask") else "execution"
        for score, which in ((5, first), (4, "task" if first == "execution" else "execution")):
            out.append(
                _quiet(
                    Candidate(
                        which,
                        "other",
                        "deploy",
                        score,
                        _("the role ARN given for the task may not exist in this account"),
                    )
                )
            )
        out.append(
            Candidate(
                "neither",
                "other",
                "deploy",
                6,
                _(
                    "the task definition names an ARN that is malformed or does not "
                    "exist — a typo to fix, not a permission"
                ),
            )
        )
    if f.has("cannot specify an iam role"):
        # CreateService refuses a service role (the legacy load balancer role, `role` /
        # `iam_role`) for a service that must use the service-linked role: the fix is to stop
        # passing that role (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/
        # API_CreateService.html, "role": "If your account has already created the Amazon ECS
        # service-linked role, that role is used for your service unless you specify a role here")
        found = Candidate(
            "infrastructure",
            "service-role",
            "deploy",
            12,
            _(
                "the service was given a service role (the legacy load balancer role) that ECS "
                "does not accept here: it uses its service-linked role instead"
            ),
        )
        found.fix = _(
            "Remove the service's role (CreateService's role, Terraform's iam_role, "
            "CloudFormation's Role) and let ECS use its service-linked role AWSServiceRoleForECS; "
            "the task's roles are not involved."
        )
        out.append(found)
    if f.has("service linked role", "service-linked role", "awsserviceroleforecs"):
        out.append(
            Candidate(
                "service-linked",
                "service-linked-role",
                "deploy",
                10,
                _("the ECS service-linked role is missing, not a task's role"),
            )
        )
    return out


# The family of an SDK's credential chain giving up, as each SDK words it: a verb of getting, then
# (within a few words) "credentials" — botocore's "Unable to locate credentials", the Java SDK's
# "Unable to load AWS credentials from any provider in the chain", the JavaScript SDK's "Could not
# load credentials from any providers" and "Missing credentials in config", PHP's "Error retrieving
# credentials from the instance profile metadata service", .NET's "Unable to get IAM security
# credentials from EC2 Instance Metadata Service".
_CREDENTIALS_MISSING = re.compile(
    r"\b(?:unable to|could ?not|couldn't|cannot|can't|failed to|error)\s+(?:load|locate|find|get|"
    r"retriev|fetch|obtain|resolv|refresh|sourc)\w*\s+(?:\w+\s+){0,3}?credentials"
    r"|\bmissing credentials|\bno credentials\b|credentials ?provider ?error"
    r"|any providers? in the chain"
    # an SDK whose chain went on to the EC2 instance metadata service (IMDS) and failed there:
    # on Fargate there is none, on EC2 a hop limit of 1 keeps containers from it
    r"|(?:ec2|instance) metadata\b[^.]{0,60}?(?:error|fail|timed? ?out|unable)"
    # a named profile the container has no file for (botocore's ProfileNotFound: "The config
    # profile (x) could not be found"; the other SDKs' "profile ... not found")
    r"|\bprofile\b[^.]{0,40}?(?:could not be found|not found|does not exist)",
    re.I,
)


def _credentials_missing(f: Facts) -> str | None:
    found = f.has(*NO_CREDENTIALS)
    if found is None and (match := _CREDENTIALS_MISSING.search(f.lower)):
        found = match.group(0)
    return found


@rule
def _no_credentials(f: Facts) -> list[Candidate]:
    found = _credentials_missing(f)
    if not found or f.has(*LAUNCH_WRAPPERS):
        return []
    f.evidence.append(_("the SDK found no credentials: '{text}'").format(text=f.quote(found)))
    out = [
        Candidate(
            "task",
            "runtime-other",
            "run",
            8,
            _(
                "the app's SDK found no credentials at all: the task has no task role "
                "(taskRoleArn), so the container credentials endpoint serves nothing"
            ),
        )
    ]
    if f.has(*NETWORK):
        # the credential source did not answer in time: an SDK that asks IMDS (an old SDK, a
        # chain without the container provider) times out behind a hop limit of 1
        out.append(
            _quiet(
                Candidate(
                    "neither",
                    "network",
                    "run",
                    5,
                    _("or the credential source could not be reached in time"),
                )
            )
        )
    return out


@rule
def _ci_caller(f: Facts) -> list[Candidate]:
    name = f"{f.principal_role or ''} {f.session or ''} {f.user or ''}".lower()
    hint = next((h for h in CI_HINTS if h in name), None)
    if hint is None or not f.has(*DENIED):
        return []
    f.evidence.append(
        _("the caller looks like a build or deployment identity ('{hint}')").format(hint=hint)
    )
    return [
        Candidate(
            "deployer",
            "other",
            "deploy",
            9,
            _(
                "the caller is a build or deployment pipeline, not a running task: give "
                "the pipeline's own role the permission"
            ),
        )
    ]


@rule
def _instance_role_by_name(f: Facts) -> list[Candidate]:
    name = (f.principal_role or "").lower().replace("-", "")
    if not any(h in name for h in ("instancerole", "ec2role", "instanceprofile", "nodegroup")):
        return []
    found = Candidate(
        "instance",
        "instance-role",
        "launch" if f.has(*LAUNCH_WRAPPERS) else "run",
        10,
        _(
            "the EC2 container instance's role made this call: its instance "
            "profile needs the permission (or the task needs a role of its own)"
        ),
    )
    if found.phase == "run" and f.has(*DENIED):
        found.role = "task"
        return [_instance_answered(found), _instance_alternative(found.score)]
    return [found]


def _instance_alternative(score: float) -> Candidate:
    """The instance role as the other answer when it answered for an app: it made the call, but
    widening it gives every container on the instance the permission (issue 15: the role to
    work on is the task role)."""
    return _quiet(
        Candidate(
            "instance",
            "instance-role",
            "run",
            score - 2,
            _(
                "the instance role made the call; widening it would work, but for every "
                "container on the instance"
            ),
        )
    )


def _instance_answered(found: Candidate) -> Candidate:
    """An app's call answered by the container instance role: the task role is what to work on
    (``found.role`` is ``task``; the instance role follows among the candidates).

    On EC2 the SDK's chain asks the container credentials endpoint first and IMDS after it: an app
    whose task has no task role gets the instance role's credentials from IMDS, unless the agent
    blocks it (ECS_AWSVPC_BLOCK_IMDS in awsvpc mode; in bridge mode IMDSv2 required with a hop
    limit of 1, since IMDSv1 answers whatever the hop limit;
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html, "Amazon EC2
    container instance role" and "Considerations")."""
    found.why = _(
        "the EC2 instance's role answered, not a task role: the container "
        "found no task role credentials and the SDK fell back to the instance "
        "profile — give the task definition a task role"
    )
    found.lead = _(
        "The task was running: your application made this call through the AWS SDK, but with "
        "the EC2 instance's role, not a task role: the container credentials endpoint had no "
        "task role to give, so the SDK's credential chain went on to the instance."
    )
    found.more = _(
        "The session name is an EC2 instance id: the credentials came from the instance "
        "metadata service (IMDS). The role to work on is the task role, not the instance "
        "role: whatever the instance role is given, every container on the instance gets."
    )
    found.fix = _(
        "Give the task a task role (taskRoleArn) with the permission, so the container "
        "credentials endpoint answers before IMDS; and block IMDS from tasks so that none "
        "borrows the instance role: ECS_AWSVPC_BLOCK_IMDS=true in /etc/ecs/ecs.config (awsvpc "
        "network mode), or IMDSv2 required with a hop limit of 1 (bridge network mode)."
    )
    return found


# The ECS agent's own calls on an EC2 container instance, made with the instance role
# (AmazonEC2ContainerServiceforEC2Role allows them: https://docs.aws.amazon.com/aws-managed-policy/
# latest/reference/AmazonEC2ContainerServiceforEC2Role.html).
INSTANCE_AGENT_ACTIONS = (
    "ecs:registercontainerinstance",
    "ecs:deregistercontainerinstance",
    "ecs:discoverpollendpoint",
    "ecs:poll",
    "ecs:starttelemetrysession",
    "ecs:submitcontainerstatechange",
    "ecs:submittaskstatechange",
    "ecs:submitattachmentstatechanges",
    "ecs:updatecontainerinstancesstate",
    "ecs:listtagsforresource",
)


@rule
def _instance_agent(f: Facts) -> list[Candidate]:
    """The ECS agent refused as the instance role: the instance role itself is at fault."""
    if (f.action or "").lower() not in INSTANCE_AGENT_ACTIONS or not f.has(*DENIED):
        return []
    found = Candidate(
        "instance",
        "instance-role",
        "deploy" if "registercontainerinstance" in f.action.lower() else "run",
        11,
        _(
            "the ECS agent on the EC2 instance makes this call itself, with the container "
            "instance role; neither task role is involved"
        ),
    )
    found.fix = _(
        "Attach AmazonEC2ContainerServiceforEC2Role to the container instance role "
        "(ecsInstanceRole, through its instance profile): the agent registers the instance, "
        "polls for tasks and reports their state with it; an instance that never registered "
        "leaves RunTask no container instance."
    )
    return [found]


@rule
def _exec_settings(f: Facts) -> list[Candidate]:
    if f.has("execute command was not enabled", "execute command agent isn"):
        return [
            Candidate(
                "neither",
                "ecs-exec",
                "run",
                9,
                _(
                    "ECS Exec was not enabled on the task (enableExecuteCommand) — a "
                    "setting, not a permission"
                ),
            )
        ]
    if f.has("valid taskrolearn is not being used", "specify a valid task role"):
        return [
            Candidate(
                "task",
                "ecs-exec",
                "deploy",
                9,
                _("ECS Exec needs a task role: its agent in the container uses it"),
            )
        ]
    return []


@rule
def _fluent_bit_config(f: Facts) -> list[Candidate]:
    if f.has(
        "[error] [config]", "configuration file contains errors", "[engine] failed"
    ) and not f.has(*DENIED):
        return [
            Candidate(
                "neither",
                "log-router",
                "run",
                7,
                _("the log router's own configuration is wrong, not a permission"),
            )
        ]
    return []


@rule
def _app_decrypt(f: Facts) -> list[Candidate]:
    if f.has("failed to decrypt") and not f.has(*LAUNCH_WRAPPERS):
        return [
            Candidate(
                "task",
                "runtime-other",
                "run",
                5,
                _("the app decrypts its own configuration with the task role"),
            )
        ]
    return []


# The roles ECS itself assumes for a service, not for a task: the legacy ECS service role that
# registers tasks with a load balancer ("Unable to assume role and validate the listeners
# configured on your load balancer", "... validate the specified targetGroupArn. Please verify
# that the ECS service role being passed has the proper permissions": CreateService's
# InvalidParameterException, as https://github.com/hashicorp/terraform/issues/4609 and
# https://github.com/TeliaSoneraNorge/divx-terraform-modules/issues/28 quote it; the scheduler's
# own session "ecs-service-scheduler/..."), and the infrastructure roles (ecsInfrastructureRole,
# for EBS volumes, Service Connect TLS, VPC Lattice and managed instances; the one for load
# balancers in blue/green deployments, session ECSNetworkingWithELB:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
# AmazonECSInfrastructureRolePolicyForLoadBalancers.html).
SERVICE_ROLE_WORDS = (
    "validate the listeners",
    "specified targetgrouparn",
    "ecs service role",
    "ecs-service-scheduler",
    "ecsservicerole",
    "infrastructure role",
    "ecsinfrastructurerole",
    "infrastructurerolearn",
    # the infrastructure role's session names in CloudTrail and in refusals
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html)
    "ecstaskvolumesforebs",
    "ecsserviceconnectfortls",
    "ecsnetworkingwithvpclattice",
    "ecsmanagedinstancesforcompute",
    "ecsnetworkingwithelb",
    "amazonecsinfrastructurerolepolicy",
    # AWS Batch's roles for the infrastructure it runs ECS tasks on (its Spot Fleet role)
    "iamfleetrole",
    "spot fleet role",
)


@rule
def _service_role(f: Facts) -> list[Candidate]:
    found = f.has(*SERVICE_ROLE_WORDS)
    if not found:
        return []
    f.evidence.append(_("a role ECS assumes for a service: '{text}'").format(text=f.quote(found)))
    return [
        Candidate(
            "infrastructure",
            "service-role",
            "deploy",
            11,
            _(
                "ECS assumes this role itself for the service (load balancer registration, "
                "infrastructure), not for a task: its trust policy must allow the ECS service "
                "and its policy the calls"
            ),
        ),
        Candidate(
            "neither",
            "service-role",
            "deploy",
            3,
            _("or IAM had not caught up with a role created just before: retry"),
        ),
    ]


# An EC2 instance profile refused where instances are launched for ECS (AWS Batch's compute
# environments: "Invalid IamInstanceProfile", a compute environment gone INVALID with
# CLIENT_ERROR): the instances never join the cluster.
@rule
def _instance_profile(f: Facts) -> list[Candidate]:
    found = f.has("iaminstanceprofile", "instance profile", "instanceprofile")
    batch = f.has("client_error") and f.has("invalid")
    if not (found and f.has("invalid", "not found", "does not exist", "not authorized")) and not (
        batch
    ):
        return []
    return [
        Candidate(
            "instance",
            "instance-role",
            "deploy",
            8,
            _(
                "the instances ECS would run tasks on have no usable instance profile "
                "(ecsInstanceRole): they never join the cluster"
            ),
        ),
        Candidate(
            "neither",
            "configuration",
            "deploy",
            3,
            _("or the compute environment's other settings are invalid"),
        ),
    ]


# A request ECS (or the SDK in front of it) refuses as invalid, with no permission involved:
# a parameter, an account setting, a resource's state.
CONFIGURATION_WORDS = (
    "invalidparameterexception",
    "clientexception",
    "unexpected key",
    "must be specified",
    "must be enabled",
    "is not valid",
    "containsservicesexception",
    "cannot be deleted",
    "validationexception",
)


@rule
def _configuration(f: Facts) -> list[Candidate]:
    found = f.has(*CONFIGURATION_WORDS)
    if not found or f.has(*DENIED):
        return []
    return [
        Candidate(
            "neither",
            "configuration",
            "deploy",
            4,
            _("the request itself is invalid (a parameter, a setting, a state): not a permission"),
        )
    ]


@rule
def _image_platform(f: Facts) -> list[Candidate]:
    """An image built for another CPU architecture: the kernel refuses to run its binary."""
    if not f.has("exec format error"):
        return []
    return [
        Candidate(
            "neither",
            "image-not-found",
            "run",
            8,
            _("the image was built for another CPU architecture (arm64 and amd64)"),
        )
    ]


# A pull from a registry outside AWS (Docker Hub, GHCR, Quay, GCR), or from Amazon ECR Public
# (public.ecr.aws, which serves anonymous pulls: https://docs.aws.amazon.com/AmazonECR/latest/
# public/public-registries.html), that names no AWS refusal: its status codes (404, 429, 401) are
# the registry's answer about the image or the caller's quota, not an IAM decision.
FOREIGN_REGISTRIES = ("docker.io", "ghcr.io", "quay.io", "gcr.io", "public.ecr.aws")


@rule
def _foreign_registry(f: Facts) -> list[Candidate]:
    if not (f.has(*FOREIGN_REGISTRIES) and f.has("pull", "image")):
        return []
    if f.has("not authorized to perform", "asm", "secret"):
        return []
    return [
        Candidate(
            "neither",
            "image-not-found",
            "launch",
            8,
            _(
                "a registry outside AWS answered the pull (a missing image, or its rate "
                "limit); no AWS permission was asked"
            ),
        ),
        Candidate(
            "execution",
            "image-pull",
            "launch",
            4,
            _("unless the image is private and its repositoryCredentials cannot be read"),
        ),
    ]


# AWS's refusals name the kind of policy that decided ("... because no identity-based policy
# allows the <action> action", "... with an explicit deny in a service control policy": the
# access denied message examples of https://docs.aws.amazon.com/AmazonS3/latest/userguide/
# troubleshoot-403-errors.html, and of IAM's troubleshoot_access-denied page). An organization's
# policy, a VPC endpoint's policy or a resource's own explicit deny refuses whatever the caller's
# role allows; a resource policy that "allows" nothing may still be the caller's role's fault
# (a cross-account call says so when the identity policy lacks the allow too).
_POLICY_TYPE = re.compile(
    r"(?P<how>with an explicit deny in an?|because no)\s+(?P<type>service control|resource "
    r"control|vpc endpoint|permissions boundary|session|identity-based|resource-based)\s+polic",
    re.I,
)
GUARDRAILS = {
    "service control": "organization-policy",
    "resource control": "organization-policy",
    "vpc endpoint": "resource-policy",
}
POLICY_KINDS = {
    "service control": N_("a service control policy (SCP)"),
    "resource control": N_("a resource control policy (RCP)"),
    "vpc endpoint": N_("a VPC endpoint policy"),
    "resource-based": N_("a resource-based policy"),
}


@rule
def _policy_type(f: Facts) -> list[Candidate]:
    found = _POLICY_TYPE.search(f.text)
    if not found:
        return []
    kind = found.group("type").lower()
    explicit = found.group("how").lower().startswith("with")
    if kind not in POLICY_KINDS:
        return []  # identity-based, session, boundary: the caller's role, as the other rules say
    policy = _(POLICY_KINDS[kind])
    f.evidence.append(_("the refusal names {policy}").format(policy=policy))
    if kind == "resource-based" and not explicit:
        # "no resource-based policy allows": the caller's own policy may lack it as well
        return [
            _quiet(
                Candidate(
                    "neither",
                    "resource-policy",
                    "run",
                    5,
                    _("or the resource's own policy (bucket, key, secret) must allow it"),
                )
            )
        ]
    refused = Candidate(
        "neither",
        GUARDRAILS.get(kind, "resource-policy"),
        "run",
        10,
        _(
            "{policy} refused the call, not the caller's role: no permission added to either "
            "ECS role gets past it"
        ).format(policy=policy),
    )
    refused.fix = _(
        "Find the policy that refuses the call ({policy}) and ask whoever owns it (the "
        "organization's administrators for an SCP or RCP, the VPC's or the resource's owner "
        "otherwise) to allow the task's role there; the role's own policy is not the problem."
    ).format(policy=policy)
    return [refused]


# ECS stopped the task itself, as it should: the stopped reason of a task that did not fail
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html: "Scaling
# activity initiated by (deployment ...)", "Task stopped by user", Spot's "Your Spot Task was
# interrupted", an instance drained or terminated).
STOPPED_ON_PURPOSE = (
    "scaling activity initiated by",
    "task stopped by user",
    "stopped by user",
    "spot task was interrupted",
    "spotinterruption",
    "instance draining",
    "container instance is draining",
    "service deployment",
    "deployment completed",
)


@rule
def _stopped_on_purpose(f: Facts) -> list[Candidate]:
    found = f.has(*STOPPED_ON_PURPOSE)
    if not found or f.has(*DENIED) or f.has(*LAUNCH_WRAPPERS):
        return []
    f.evidence.append(_("ECS stopped the task: '{text}'").format(text=f.quote(found)))
    found = Candidate(
        "neither",
        "stopped-on-purpose",
        "run",
        6,
        _(
            "ECS stopped the task on purpose (a deployment replaced it, scaling, a user, a Spot "
            "interruption): not a failure of either role"
        ),
    )
    found.fix = _(
        "Nothing to fix in IAM: look at the service's events and deployments for why it was "
        "replaced, and at the task's containers if it keeps being replaced."
    )
    return [found]


# The caller's own credentials are expired or wrong, not short of a permission: STS's and the
# services' "The security token included in the request is expired" (ExpiredToken[Exception]),
# "... is invalid" (InvalidClientTokenId, UnrecognizedClientException), SignatureDoesNotMatch. A
# task's SDK refreshes the task role's credentials itself; these are a person's or a build's
# (or an app's own static keys).
CREDENTIALS_REFUSED = (
    "security token included in the request is expired",
    "security token included in the request is invalid",
    "expiredtoken",
    "invalidclienttokenid",
    "unrecognizedclientexception",
    "signaturedoesnotmatch",
)


@rule
def _credentials_refused(f: Facts) -> list[Candidate]:
    found = f.has(*CREDENTIALS_REFUSED)
    if not found or f.has(*LAUNCH_WRAPPERS):
        return []
    f.evidence.append(
        _("the caller's credentials were refused: '{text}'").format(text=f.quote(found))
    )
    return [
        Candidate(
            "deployer",
            "other",
            "deploy",
            7,
            _(
                "the caller's own credentials are expired or invalid (a person's or a build's "
                "session): sign in again; no permission is missing"
            ),
        ),
        Candidate(
            "task",
            "runtime-other",
            "run",
            4,
            _(
                "or an app in a task uses keys of its own instead of the task role's credentials, "
                "which its SDK would refresh"
            ),
        ),
    ]


# The AWS console's own words when the signed-in user lacks a permission ("User is missing the
# following permissions: ...", "You don't have permission to ..."): whoever clicks is deploying,
# not a task. (EC2's API says "You are not authorized to perform this operation" to any caller,
# an app's SDK included: not one of these.)
CONSOLE_REFUSALS = (
    "missing the following permissions",
    "you don't have permission",
    "you don’t have permission",
    "you do not have permission",
)


@rule
def _console_user(f: Facts) -> list[Candidate]:
    found = f.has(*CONSOLE_REFUSALS)
    if not found or f.principal_role or f.has(*LAUNCH_WRAPPERS):
        return []
    f.evidence.append(_("the console's refusal: '{text}'").format(text=f.quote(found)))
    return [
        Candidate(
            "deployer",
            "other",
            "deploy",
            8,
            _(
                "the person signed in to the console (or the CLI) lacks the permission: their "
                "own, not the task's roles"
            ),
        ),
        _quiet(
            Candidate(
                "task",
                "runtime-other",
                "run",
                3,
                _("unless an app in a task printed it"),
            )
        ),
    ]


# The calls a deployment makes, not an app: changes to ECS's control plane, IAM, CloudFormation,
# pushing an image, load balancers and auto scaling (reads — List*, Describe*, Get* — are an app's
# as often, a monitor's or an exporter's) (the permissions AWS lists for deploying to ECS:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_id-based-policy-
# examples.html). A task may make them too (a scheduler that runs other tasks), so the task role
# stays a candidate.
DEPLOY_SERVICES = (
    "ecs",
    "iam",
    "cloudformation",
    "elasticloadbalancing",
    "application-autoscaling",
    "servicediscovery",
    "codedeploy",
)
IMAGE_PUSH_ACTIONS = (
    "ecr:putimage",
    "ecr:initiatelayerupload",
    "ecr:uploadlayerpart",
    "ecr:completelayerupload",
    "ecr:createrepository",
)
_TASK_SESSION = re.compile(r"^[0-9a-f]{32}$")


@rule
def _deploy_action(f: Facts) -> list[Candidate]:
    action = (f.action or "").lower()
    service = action.split(":", 1)[0]
    if not action or not f.has(*DENIED):
        return []
    if service not in DEPLOY_SERVICES and action not in IMAGE_PUSH_ACTIONS:
        return []
    if action.split(":", 1)[-1].startswith(("list", "describe", "get")):
        return []  # reading: apps and monitors observe ECS too (an exporter, a dashboard)
    if action in INSTANCE_AGENT_ACTIONS or action in ("iam:passrole", "ecs:executecommand"):
        return []  # the agent's own calls, and the two the other rules know better
    if f.session and _INSTANCE.match(f.session):
        return []
    deployer = Candidate(
        "deployer",
        "other",
        "deploy",
        8,
        _(
            "{action} is a deployment's call (registering, running or updating tasks and "
            "services, roles, stacks, images): the caller's own permissions, not the task's roles"
        ).format(action=f.action),
    )
    task = Candidate(
        "task",
        "runtime-other",
        "run",
        5,
        _("unless an app in a task makes this call (a scheduler that runs other tasks)"),
    )
    if f.session and _TASK_SESSION.match(f.session):
        # the session name of a task's role is the task's id: an app in a task made the call
        task.score, deployer.score = 9, 5
    return [deployer, task]


# What an error says about itself when no rule knows it: a failure word, an exception's name, an
# HTTP error status.
_FAILURE = re.compile(
    r"error|exception|fail|unable|cannot|can't|couldn't|could not|invalid|refused|timeout|"
    r"timed out|stopped|does not exist|not found|missing|unavailable|"
    r"\b[45]\d\d\b",
    re.I,
)


def _unrecognised(f: Facts) -> list[Candidate]:
    """The answer when no rule knows the message: a guess from its kind, said to be one.

    A refusal always meets a rule (an app's call, a launch, ECS's own); any other failure that no
    rule knows is most often not a role's (a setting, a resource, the container), so neither
    first and the two task roles next; a text with no failure word at all stays unknown."""
    if not _FAILURE.search(f.text):
        return []
    lead = _(
        "ecslab does not recognise this message. It names no refusal (no AccessDenied, no "
        "'not authorized'), and a failure without one is most often not a role's: a setting, a "
        "resource that is not there, or the container itself."
    )
    out = []
    for role, category, phase, score in (
        ("neither", "other", "unknown", 2),
        ("execution", "other", "launch", 1),
        ("task", "runtime-other", "run", 1),
    ):
        found = Candidate(
            role, category, phase, score, _("a guess from the kind of message, not a rule")
        )
        found.lead = lead
        out.append(found)
    return out


# -- the answer -----------------------------------------------------------------------------------

# The texts below are marked with N_ and shown, translated, with _ (see ecslab.i18n); the keys
# (roles, categories, phases) are ids that code and tests compare, never translated.
SUSPECTS = {
    "execution": N_("the task execution role"),
    "task": N_("the task role"),
    "instance": N_("the EC2 container instance role"),
    "deployer": N_("the deployer's own permissions"),
    "service-linked": N_("the ECS service-linked role"),
    "infrastructure": N_("the role ECS assumes for the service"),
    "neither": N_("neither role"),
    "unknown": N_("not sure"),
}
PHASES = {
    "launch": N_("launch phase"),
    "run": N_("run phase"),
    "deploy": N_("deploy phase"),
    "unknown": N_("unknown phase"),
}
IAM_CALLERS = {
    "user": N_("the caller is IAM user {name}"),
    # TRANSLATORS: {name} is "root" unless the ARN names more.
    "root": N_("the caller is IAM root {name}"),
}
EXPLANATIONS = {
    "execution": N_(
        "The task failed while ECS was launching it, before your application ran. The "
        "ECS agent makes these calls with the task execution role (executionRoleArn)."
    ),
    "task": N_(
        "The task was running: your application made this call through the AWS SDK, which "
        "uses the task role (taskRoleArn) from the container credentials endpoint."
    ),
    "instance": N_(
        "The EC2 container instance role (the instance profile of the instance the task runs on) "
        "made or was refused this call, not one of the task's two roles."
    ),
    "deployer": N_(
        "The caller that registers, runs or deploys the task was refused: its own permissions, "
        "not the task's roles."
    ),
    "service-linked": N_(
        "ECS's own service-linked role (AWSServiceRoleForECS) is missing or not usable yet; "
        "the task's roles are not involved."
    ),
    "infrastructure": N_(
        "A role that ECS itself assumes for a service (the legacy ECS service role for load "
        "balancers, ecsServiceRole, or an infrastructure role) could not be used; the task's "
        "roles are not involved."
    ),
    "neither": N_("This is not a missing permission on either ECS role."),
    "unknown": N_("ecslab does not recognise this message."),
}
FIXES = {
    "ecr-auth": N_(
        'Allow ecr:GetAuthorizationToken (Resource "*") on the task execution role — '
        "AmazonECSTaskExecutionRolePolicy has it."
    ),
    "image-pull": N_(
        "Allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository for "
        "the task execution role, and check the repository policy does not deny it."
    ),
    "logs": N_(
        "Allow logs:CreateLogStream and logs:PutLogEvents on the log group's ARN followed by "
        "':*' (and logs:CreateLogGroup if awslogs-create-group is true) on the task execution "
        "role."
    ),
    "secrets-manager": N_(
        "Allow secretsmanager:GetSecretValue on the secret's ARN for the task "
        "execution role (and kms:Decrypt if a customer-managed key encrypts it)."
    ),
    "ssm": N_(
        "Allow ssm:GetParameters on the parameter's ARN for the task execution role (and "
        "kms:Decrypt for a SecureString under a customer-managed key)."
    ),
    "kms": N_(
        "Allow kms:Decrypt on the key for the role that reads the secret, and check that the "
        "key policy lets the account's IAM policies grant it."
    ),
    "trust-policy": N_(
        "Make the role's trust policy allow the service principal "
        "ecs-tasks.amazonaws.com to sts:AssumeRole (mind aws:SourceAccount/aws:SourceArn "
        "conditions)."
    ),
    "pass-role": N_(
        "Give the user or pipeline that runs the task iam:PassRole on the task role and "
        "the task execution role (with iam:PassedToService ecs-tasks.amazonaws.com)."
    ),
    "network": N_(
        "Give the task a route to the service: a NAT gateway (private subnet) or a public IP "
        "(public subnet), or VPC endpoints (ECR api/dkr, S3, Logs, Secrets Manager, SSM); no IAM "
        "change helps."
    ),
    "registry-rate-limit": N_(
        "Authenticate the pull: store the Docker Hub user name and password (or token) in "
        "Secrets Manager, name the secret in the container's repositoryCredentials, and let the "
        "task execution role read it (secretsmanager:GetSecretValue, and kms:Decrypt for a "
        "customer managed key); or copy the image to Amazon ECR."
    ),
    "image-not-found": N_(
        "Check the image name, tag or digest and platform in the task definition "
        "against what the registry has."
    ),
    "instance-role": N_(
        "Give the task definition a task role (taskRoleArn) with the permission; on "
        "EC2, the instance role answers only when the container has no task role credentials."
    ),
    "ecs-exec": N_(
        "Allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and "
        "OpenDataChannel on the task role, and enable execute-command on the service or task."
    ),
    "log-router": N_(
        "Allow the log router's destination (e.g. logs:PutLogEvents) on the task role: "
        "FireLens ships logs with the task role's credentials."
    ),
    "container-exit": N_(
        "Read the container's logs and exit code: the application stopped on its own."
    ),
    "placement": N_("Check the cluster's capacity and the service's placement constraints."),
    "other": N_("Read the full message for the call and the resource it names."),
}


def _fix(role: str, category: str, refused: str | None = None) -> str:
    if category == "trust-policy" and refused:
        return _(
            "Make {role}'s trust policy allow the service principal ecs-tasks.amazonaws.com to "
            "sts:AssumeRole (mind aws:SourceAccount/aws:SourceArn conditions)."
        ).format(role=refused)
    if category.startswith("runtime-") or (role == "task" and category not in FIXES):
        return _(
            "Add the action to the task role's policy, scoped to the resource the message names. "
            "Adding it to the task execution role changes nothing: the application never uses it."
        )
    text = _(FIXES.get(category, FIXES["other"]))
    if role == "execution" and category not in ("trust-policy", "pass-role"):
        # TRANSLATORS: {fix} is one of the fixes above, a whole sentence.
        text = _(
            "{fix} Adding it to the task role changes nothing: the agent never uses it."
        ).format(fix=text)
    return text


ROLE_SLOTS = {
    "execution": N_("the task execution role (executionRoleArn)"),
    "task": N_("the task role (taskRoleArn)"),
}


def _trust_explanation(role: str, arn: str | None) -> str:
    name = role_name(arn or "")
    if name:
        named = _("the role {name} ({arn})").format(name=name, arn=arn)
    else:
        named = arn or _("the role")
    text = _(
        "No task was started: ECS assumes a task's roles as ecs-tasks.amazonaws.com when it runs "
        "the task, and it could not assume {role}. Its trust policy does not allow it (or the "
        "role does not exist yet, or IAM has not caught up)."
    ).format(role=named)
    if name and role in ROLE_SLOTS:
        text = _(
            "{explanation} The message does not say which of the task's roles it was given as; "
            "its name says {slot}."
        ).format(explanation=text, slot=_(ROLE_SLOTS[role]))
    elif name:
        text = _(
            "{explanation} Its name does not tell whether {name} is the task role or the task "
            "execution role: look for it in the task definition (taskRoleArn or "
            "executionRoleArn)."
        ).format(explanation=text, name=name)
    return text


def diagnose(message: str) -> Diagnosis:
    """Which role to fix, from an error message as pasted (see the module docstring).

    The answer's texts (explanation, fix, evidence, reasons) are in the learner's language at the
    time of the call (``ecslab.set_language``); its ids (role, category, phase) are always the
    same."""
    if not isinstance(message, str):
        raise TypeError(
            _("diagnose() takes the error message as text, not {kind}").format(
                kind=type(message).__name__
            )
        )
    facts = read(message)
    candidates: list[Candidate] = []
    for check in RULES:
        candidates += check(facts)
    if not candidates:
        candidates = _unrecognised(facts)
    candidates.sort(key=lambda c: -c.score)
    # one candidate per (role, category): two rules that agree make one answer, the stronger
    seen: set[tuple[str, str]] = set()
    unique = []
    for candidate in candidates:
        if (candidate.role, candidate.category) not in seen:
            seen.add((candidate.role, candidate.category))
            unique.append(candidate)
    candidates = unique
    if candidates:
        best = candidates[0]
        role, category, phase = best.role, best.category, best.phase
        if category == "trust-policy":
            explanation = _trust_explanation(role, facts.assumed_role_arn)
        elif role in ("execution", "task"):
            # the role's own sentence says who calls; add only what this case adds
            explanation = best.lead or _(EXPLANATIONS[role])
            if best.note:
                # TRANSLATORS: {explanation} is whole sentences; {note} a reason in lower case.
                explanation = _("{explanation} Note: {note}.").format(
                    explanation=explanation, note=best.note
                )
        elif best.lead:
            explanation = best.lead
        else:
            # TRANSLATORS: {explanation} is a sentence; {why} a reason, its first letter made
            # upper case.
            explanation = _("{explanation} {why}.").format(
                explanation=_(EXPLANATIONS[role]), why=best.why[:1].upper() + best.why[1:]
            )
        if best.more:
            # TRANSLATORS: {explanation} and {more} are whole sentences, the second adding to
            # the first.
            explanation = _("{explanation} {more}").format(explanation=explanation, more=best.more)
    else:
        role, category, phase = "unknown", "other", "unknown"
        explanation = _(
            "{explanation} If the task never started, suspect the task execution role; if it ran "
            "and the app got AccessDenied, the task role."
        ).format(explanation=_(EXPLANATIONS["unknown"]))
    facts_out = {
        "principal_role": facts.principal_role,
        "session": facts.session,
        "user": facts.user,
        "action": facts.action,
        "resource": facts.resource,
        "operation": facts.operation,
        "role_ecs_could_not_assume": facts.assumed_role_arn,
    }
    return Diagnosis(
        message=message,
        role=role,
        category=category,
        phase=phase,
        explanation=explanation,
        fix=(best.fix or _fix(role, category, role_name(facts.assumed_role_arn or "")))
        if candidates
        else _("Read the message for the call and resource."),
        candidates=candidates,
        evidence=list(dict.fromkeys(facts.evidence)),
        facts={k: v for k, v in facts_out.items() if v},
    )
