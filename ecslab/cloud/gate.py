"""The gate: every boto3 call in an open lab is authorized here before moto sees it.

Three botocore events, registered once for every session (``botocore.handlers.BUILTIN_HANDLERS``,
as moto registers its own):

- ``before-parameter-build`` keeps a copy of the call's parameters (``before-call`` only sees the
  serialized request);
- ``before-call`` identifies the caller from the signing credentials, asks
  :mod:`ecslab.cloud.operations` what the call needs, asks the IAM judge, records the trace and —
  when refused — answers with the service's own error so botocore raises its ordinary
  ``ClientError`` and moto never runs the call (``before-send`` would be too late: moto's handler
  would already have changed the state);
- ``after-call`` learns the sessions ``sts:AssumeRole`` creates.

With no lab open the handlers do nothing.
"""

from __future__ import annotations

import contextvars
import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSResponse
from botocore.exceptions import NoCredentialsError
from botocore.handlers import BUILTIN_HANDLERS
from botocore.parsers import create_parser

from ecslab.cloud import errors
from ecslab.cloud.account import random_uuid, repository_policy_with_resources
from ecslab.cloud.identities import ISSUED_KEYS, Principal
from ecslab.cloud.operations import ALWAYS_ALLOWED, OPERATIONS, Authorization
from ecslab.i18n import _
from ecslab.iam import MalformedPolicyDocument, evaluate, parse_policy

if TYPE_CHECKING:
    from ecslab.cloud.world import World

_PHASE: contextvars.ContextVar[str | None] = contextvars.ContextVar("ecslab_phase", default=None)
# While a container runs: its network's check (ecslab.ecs.reach), which raises when no path.
_ROUTE: contextvars.ContextVar[Any] = contextvars.ContextVar("ecslab_route", default=None)
_ACTIVE: list[Gate] = []  # at most one: the open lab's gate
CALL_LATENCY = 0.01  # simulated seconds each call takes

# IAM writes whose policy documents the gate validates (IAM validates after authorizing).
_POLICY_PARAMETERS = {
    ("iam", "PutRolePolicy"): ("PolicyDocument", "identity"),
    ("iam", "PutUserPolicy"): ("PolicyDocument", "identity"),
    ("iam", "CreatePolicy"): ("PolicyDocument", "identity"),
    ("iam", "CreatePolicyVersion"): ("PolicyDocument", "identity"),
    ("iam", "CreateRole"): ("AssumeRolePolicyDocument", "trust"),
    ("iam", "UpdateAssumeRolePolicy"): ("PolicyDocument", "trust"),
    ("s3", "PutBucketPolicy"): ("Policy", "resource"),
    ("secretsmanager", "PutResourcePolicy"): ("ResourcePolicy", "resource"),
    ("ecr", "SetRepositoryPolicy"): ("policyText", "resource"),
    ("kms", "PutKeyPolicy"): ("Policy", "resource"),
}


def current_phase() -> str | None:
    """The phase calls made now are recorded in (None outside any :meth:`Gate.phase` block)."""
    return _PHASE.get()


class _Body:
    """The raw body of an answer the gate gives instead of moto (read by a few botocore
    handlers, e.g. S3 GetBucketLocation's)."""

    def __init__(self, content: bytes = b"") -> None:
        self._content = content

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        return iter((self._content,) if self._content else ())


def _error_body(service: str, error: errors.ServiceError, request_id: str) -> bytes:
    if service == "s3" and error.code != str(error.status):
        return (
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}"
            f"</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
    return b""


class Gate:
    """Authorizes, records and answers calls for one lab's :class:`~ecslab.cloud.world.World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._request_number = 0

    # -- phases -----------------------------------------------------------------------------------

    @staticmethod
    @contextmanager
    def phase(name: str) -> Iterator[None]:
        """Calls made inside this block are recorded in phase ``name``."""
        token = _PHASE.set(name)
        try:
            yield
        finally:
            _PHASE.reset(token)

    @staticmethod
    @contextmanager
    def route(check: Any) -> Iterator[None]:
        """Calls made inside this block first ask ``check`` for a network path; it raises
        (botocore's ConnectTimeoutError) when there is none: nothing is authorized or sent."""
        token = _ROUTE.set(check)
        try:
            yield
        finally:
            _ROUTE.reset(token)

    # -- the events -------------------------------------------------------------------------------

    def keep_params(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **kwargs: Any
    ) -> None:
        context["ecslab_params"] = dict(params)
        if model.name == "ReceiveMessage" and params.get("WaitTimeSeconds"):
            # Long polling waits in simulated time: moto would otherwise spin on a clock that
            # stands still.
            context["ecslab_wait"] = float(params["WaitTimeSeconds"])
            params["WaitTimeSeconds"] = 0

    def before_call(
        self, model: Any, params: Any, request_signer: Any, context: dict[str, Any], **kwargs: Any
    ) -> tuple[AWSResponse, dict] | None:
        world = self.world
        service = model.service_model.service_name
        operation = model.name
        api_params: Mapping[str, Any] = context.get("ecslab_params", {})
        world.clock.advance(CALL_LATENCY)
        access_key = _access_key(request_signer)
        if access_key is None:
            # No credentials at all: botocore refuses to sign and sends nothing, as on a task
            # without a task role.
            raise NoCredentialsError()
        route = _ROUTE.get()
        if route is not None:
            route(service, operation, api_params, params, context, access_key)
        principal = world.identities.resolve(access_key)
        resolver = OPERATIONS.get((service, operation))
        if principal is None:
            error = errors.unknown_credentials(service, operation)
            checks = resolver(api_params, world.account) if resolver else []
            self._record(
                None,
                service,
                operation,
                checks[0] if checks else Authorization(f"{service}:{operation}", "*"),
                "Unauthenticated",
                error=error,
            )
            return self._answer(error, service)
        if (service, operation) in ALWAYS_ALLOWED:
            self._record(
                principal,
                service,
                operation,
                Authorization(f"{service}:{operation}", "*"),
                "Allowed",
            )
            return None
        if resolver is None:
            modelled = [op for (svc, op) in OPERATIONS if svc == service]
            error = errors.not_modelled(service, operation, modelled)
            self._record(
                principal,
                service,
                operation,
                Authorization(f"{service}:{operation}", "*"),
                "NotModelled",
                error=error,
            )
            return self._answer(error, service)
        if (service, operation) == ("sts", "AssumeRole") and principal.kind == "root":
            error = errors.root_cannot_assume_roles()
            self._record(
                principal,
                service,
                operation,
                Authorization("sts:AssumeRole", str(api_params.get("RoleArn", ""))),
                "ImplicitlyDenied",
                error=error,
            )
            return self._answer(error, service)
        for check in resolver(api_params, world.account):
            try:
                decision = self._decide(principal, check)
            except MalformedPolicyDocument as problem:
                # A policy stored by some route IAM does not validate: refuse, and say why.
                error = errors.ServiceError(
                    500,
                    "InternalFailure",
                    f"ecslab could not read a policy stored in the account: {problem}",
                )
                self._record(principal, service, operation, check, "ImplicitlyDenied", error=error)
                return self._answer(error, service)
            if decision.allowed:
                self._record(
                    principal, service, operation, check, decision.decision, decision=decision
                )
                continue
            error = self._refusal(service, operation, principal, check, decision)
            self._record(
                principal,
                service,
                operation,
                check,
                decision.decision,
                decision=decision,
                error=error,
            )
            return self._answer(error, service)
        malformed = self._validate_policy_parameter(service, operation, api_params)
        if malformed is not None:
            return self._answer(malformed, service)
        try:
            own = world.answer(service, operation, api_params, principal)
        except errors.Refusal as refusal:
            return self._answer(refusal.error, service)
        if own is not None:
            return self._success(model, own)
        world.before_moto(service, operation, api_params)
        return None

    def after_call(
        self,
        http_response: Any,
        parsed: Mapping[str, Any],
        model: Any,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        service, operation = model.service_model.service_name, model.name
        if http_response is None or http_response.status_code >= 300:
            _real_error_text(service, parsed)
            return
        if service == "sts" and operation == "AssumeRole":
            credentials = parsed.get("Credentials") or {}
            user = parsed.get("AssumedRoleUser") or {}
            params = context.get("ecslab_params", {})
            role_arn = str(params.get("RoleArn", ""))
            if credentials.get("AccessKeyId") and user.get("Arn"):
                self.world.identities.register_session(
                    credentials["AccessKeyId"],
                    user["Arn"],
                    role_arn.rsplit("/", 1)[-1],
                    str(params.get("RoleSessionName", "")),
                    params.get("Policy"),
                )
        elif service == "sqs" and operation == "ReceiveMessage":
            wait = context.get("ecslab_wait")
            if wait and not parsed.get("Messages"):
                self.world.clock.advance(wait)

    def authorize(
        self,
        access_key: str,
        service: str,
        operation: str,
        checks: list[Authorization],
        label: str | None = None,
    ) -> errors.ServiceError | None:
        """Authorize and trace a call no SDK model describes (the SSM agent's ``ssmmessages``
        channels, an NFS mount's ``elasticfilesystem:ClientMount``): as :meth:`before_call`
        does, signed with ``access_key``, recorded under ``label`` if given. Returns the refusal,
        or ``None`` when every check is allowed."""
        self.world.clock.advance(CALL_LATENCY)
        principal = self.world.identities.resolve(access_key)
        if principal is None:
            error = errors.unknown_credentials(service, operation)
            self._record(None, service, operation, checks[0], "Unauthenticated", error=error)
            return error
        if label is not None:
            principal = dataclasses.replace(principal, label=label)
        return self.authorize_principal(principal, service, operation, checks)

    def authorize_principal(
        self,
        principal: Principal,
        service: str,
        operation: str,
        checks: list[Authorization],
    ) -> errors.ServiceError | None:
        """As :meth:`authorize`, for a caller already known: the caller of the call a lab's own
        service is answering (ECS creating its service-linked role for whoever calls it), or a
        service's role session (ECS managing a task's network interface)."""
        for check in checks:
            decision = self._decide(principal, check)
            if decision.allowed:
                self._record(
                    principal, service, operation, check, decision.decision, decision=decision
                )
                continue
            error = self._refusal(service, operation, principal, check, decision)
            self._record(principal, service, operation, check, decision.decision, decision, error)
            return error
        return None

    # -- deciding ---------------------------------------------------------------------------------

    def _decide(self, principal: Principal, check: Authorization):
        world = self.world
        identity: list[Any] = []
        boundary = None
        if principal.kind == "assumed-role" and principal.name:
            role = world.account.role_policies(principal.name)
            if role is not None:
                identity = [(name, text) for name, text in role.identity]
                boundary = role.boundary[1] if role.boundary else None
        elif principal.kind == "user" and principal.name:
            identity = list(world.account.user_policies(principal.name))
        context = dict(world.request_context())
        context.update(principal.context)
        context.update(check.context)
        return evaluate(
            principal.arn,
            check.action,
            check.resource,
            identity_policies=identity,
            resource_policy=(
                (_resource_policy_name(check.action, check.resource), check.resource_policy)
                if check.resource_policy is not None
                else None
            ),
            permissions_boundary=boundary,
            session_policy=principal.session_policy,
            context=context,
            resource_account=check.resource_account,
        )

    def _refusal(
        self,
        service: str,
        operation: str,
        principal: Principal,
        check: Authorization,
        decision: Any,
    ) -> errors.ServiceError:
        kind = decision.denied_by or "identity"
        explicit = decision.decision == "ExplicitlyDenied"
        via_service = check.via.split(":")[0] if check.via else None
        if via_service in ("ssm", "secretsmanager") and check.action == "kms:Decrypt":
            kms = errors.access_denied(
                "kms", "Decrypt", principal.arn, check.action, check.resource, kind, explicit
            )
            return errors.kms_denied_through(via_service, kms.message, self._next_request_id())
        return errors.access_denied(
            service,
            operation,
            principal.arn,
            check.action,
            check.shown or check.resource,
            kind,
            explicit,
        )

    def _next_request_id(self) -> str:
        """Request ids are counted, so they are the same on every run."""
        self._request_number += 1
        number = f"{self._request_number:012x}"
        return f"ec51ab00-0000-4000-8000-{number}"

    def _validate_policy_parameter(
        self, service: str, operation: str, params: Mapping[str, Any]
    ) -> errors.ServiceError | None:
        spec = _POLICY_PARAMETERS.get((service, operation))
        if spec is None or params.get(spec[0]) is None:
            return None
        name, kind = spec
        document = params[name]
        if service == "ecr":
            document = repository_policy_with_resources(str(document), "*")
        try:
            parse_policy(document, kind)
        except MalformedPolicyDocument as problem:
            # IAM: MalformedPolicyDocument, HTTP 400, IAM's own text; ecslab adds where it is.
            code = (
                "MalformedPolicyDocument"
                if service == "iam"
                else ("MalformedPolicy" if service == "s3" else "MalformedPolicyDocumentException")
            )
            return errors.ServiceError(400, code, str(problem).split(": ", 1)[1])
        return None

    # -- recording and answering ------------------------------------------------------------------

    def _record(
        self,
        principal: Principal | None,
        service: str,
        operation: str,
        check: Authorization,
        outcome: str,
        decision: Any = None,
        error: errors.ServiceError | None = None,
    ) -> None:
        ref = (
            decision.deciding_statements[0]
            if decision is not None and decision.deciding_statements
            else None
        )
        world = self.world
        world.trace.record(
            time=world.clock.iso(),
            phase=_PHASE.get() or (principal.phase if principal else None) or "admin",
            principal=principal.label if principal else "unknown credentials",
            principal_arn=principal.arn if principal else "",
            role=principal.role if principal else None,
            service=service,
            operation=operation,
            action=check.action,
            resource=check.resource,
            decision=outcome,
            policy=ref.policy_name if ref else None,
            sid=ref.sid if ref else None,
            error_code=error.code if error else None,
            error=error.message if error else None,
            task=principal.task if principal else None,
            via=check.via,
        )

    def _success(self, model: Any, body: Mapping[str, Any]) -> tuple[AWSResponse, dict]:
        """An answer the lab gives itself, parsed by botocore's own parser for the operation's
        output shape, so the caller gets exactly what the real service's JSON would give."""
        request_id = self._next_request_id()
        raw = json.dumps(body).encode()
        headers = {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.1"}
        parser = create_parser(model.service_model.protocol)
        parsed = parser.parse(
            {"body": raw, "headers": headers, "status_code": 200}, model.output_shape
        )
        return AWSResponse("https://ecslab.invalid/", 200, headers, _Body(raw)), parsed

    def _answer(self, error: errors.ServiceError, service: str = "") -> tuple[AWSResponse, dict]:
        request_id = self._next_request_id()
        http = AWSResponse(
            "https://ecslab.invalid/",
            error.status,
            {"x-amzn-requestid": request_id},
            _Body(_error_body(service, error, request_id)),
        )
        return http, error.parsed(request_id)


def _real_error_text(service: str, parsed: Mapping[str, Any]) -> None:
    """Where moto words an error differently from AWS, put AWS's words in (botocore raises
    from this same dict after the after-call event)."""
    error = parsed.get("Error") if isinstance(parsed, Mapping) else None
    if not isinstance(error, dict):
        return
    message = str(error.get("Message", ""))
    if service == "iam" and error.get("Code") == "NoSuchEntity":
        # moto: "Role X not found"; IAM: "The role with name X cannot be found."
        # (https://github.com/aws/amazon-sagemaker-examples/issues/2300)
        found = re.fullmatch(r"Role (\S+) not found", message)
        if found:
            error["Message"] = f"The role with name {found.group(1)} cannot be found."
            error.pop("message", None)


def _access_key(request_signer: Any) -> str | None:
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is None:
        return None
    return credentials.get_frozen_credentials().access_key


# -- one registration for every botocore session -------------------------------------------------


def _idempotency_tokens(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
    """botocore fills a missing idempotency token (ClientRequestToken...) with a random uuid4,
    which becomes e.g. a secret's VersionId. In a lab it is drawn from moto's seeded random
    instead, so the same calls give the same ids on every run. Runs before botocore's handler."""
    if not _ACTIVE:
        return
    for name in model.idempotent_members:
        if name not in params:
            params[name] = random_uuid()


def _keep_params(**kwargs: Any) -> None:
    if _ACTIVE:
        _ACTIVE[-1].keep_params(**kwargs)


def _before_call(**kwargs: Any):
    if _ACTIVE:
        return _ACTIVE[-1].before_call(**kwargs)
    if _access_key(kwargs.get("request_signer")) in ISSUED_KEYS:
        # A client from a closed lab: refuse here rather than let it reach the network.
        error = errors.ServiceError(
            400,
            "LabClosed",
            _(
                "This client belongs to an ecslab lab that has been closed, so the call was not "
                "sent anywhere. Create a new lab (lab = Lab()) and a new client."
            ),
        )
        http = AWSResponse("https://ecslab.invalid/", error.status, {}, _Body())
        return http, error.parsed("ecslab-closed")
    return None


def _after_call(**kwargs: Any) -> None:
    if _ACTIVE:
        _ACTIVE[-1].after_call(**kwargs)


def activate(gate: Gate) -> None:
    _ACTIVE.clear()
    _ACTIVE.append(gate)


def deactivate(gate: Gate) -> None:
    if gate in _ACTIVE:
        _ACTIVE.remove(gate)


def active() -> Gate | None:
    return _ACTIVE[-1] if _ACTIVE else None


if ("before-parameter-build", _idempotency_tokens) not in BUILTIN_HANDLERS:
    BUILTIN_HANDLERS.insert(0, ("before-parameter-build", _idempotency_tokens))
for _event, _handler in (
    ("before-parameter-build", _keep_params),
    ("before-call", _before_call),
    ("after-call", _after_call),
):
    if (_event, _handler) not in BUILTIN_HANDLERS:
        BUILTIN_HANDLERS.append((_event, _handler))


_RESOURCE_POLICY_KINDS = {
    "kms": "key policy",
    "s3": "bucket policy",
    "sqs": "queue policy",
    "sns": "topic policy",
    "secretsmanager": "secret policy",
    "ecr": "repository policy",
    "logs": "resource policy",
}


def _resource_policy_name(action: str, resource: str) -> str:
    """How the trace names the resource-based policy that decided: "trust policy of
    ecs-task-role", "key policy of key/…", "bucket policy of orders-config-…"."""
    service = action.split(":", 1)[0].lower()
    name = resource.rsplit(":", 1)[-1]
    if service == "sts":
        return f"trust policy of {resource.rsplit('/', 1)[-1]}"
    if service == "s3":
        name = name.split("/")[0]
    return f"{_RESOURCE_POLICY_KINDS.get(service, 'resource policy')} of {name}"
