"""What every test of the gate shares: the account a case runs in, the record of a case, and
what real AWS answers when it refuses.

Each service's module (``test_s3.py``, ``test_iam.py``, ...) declares, for every (service,
operation) of ``ecslab.cloud.operations.OPERATIONS`` it covers, one ``Case``, and its
``test_gate`` calls it twice through boto3 by a role session of the course's account:

- as a session whose only inline policy allows exactly the expected action(s) on exactly the
  expected resource ARN(s): the call reaches moto and succeeds (or fails with the service error
  the case names, never an access error), and the trace shows each expected (action, resource)
  with decision "Allowed";
- as a session whose policy allows nothing but ``sts:GetCallerIdentity``: botocore raises
  ``ClientError`` with the service's own access-denied code, HTTP status and exact message, the
  request is never sent to moto, and (for writes) the account is unchanged.

The expected action, resource and message text come from the research notes on real AWS
(docs/research/service_errors.md §0-§14 and docs/research/facts.md §1), not from
``ecslab.cloud.errors``. Where the gate disagrees with real AWS the case is a strict xfail naming
the difference. ``test_across_services.py`` checks that every modelled operation has a case.

The cases of a module share one lab (a new ``Lab()`` costs ~0.1 s; ``conftest.py`` closes it when
the module is done): each session is a role of its own, and a write acts on resources of its own
("gate-..."), so the order the cases run in does not matter. Whether a call reached moto is seen
directly: moto answers at botocore's ``before-send``, which a call the gate refuses never reaches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from ecslab import Lab

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
VERSION = "2012-10-17"
ECS_TRUST = {
    "Version": VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
ACCOUNT_TRUST = {
    "Version": VERSION,
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}],
}
# moto does not implement the call: the gate's decision is still checked, moto's answer is not.
MOTO_CANNOT_ANSWER = "moto cannot answer"


def arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": VERSION, "Statement": list(statements)})


# -- the account a case runs in --------------------------------------------------------------------


class Env:
    """A lab plus what the cases need: service keys for ECS, role sessions, memoized fixtures."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.r = lab.resources
        self.world = lab.world
        self.memo: dict[str, Any] = {}
        self.roles = 0
        self.ecs_keys = self.world.service_keys(
            "ecs-tasks.amazonaws.com",
            "Amazon ECS",
            {"aws:SourceAccount": ACCOUNT},
            phase="run",
            task="gate-tests",
        )

    def admin(self, service: str) -> Any:
        return self.lab.client(service)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def session(self, statements: list[dict]) -> tuple[Any, str]:
        """A session of a new role (trusting ECS tasks) whose one inline policy is ``statements``;
        returns the boto3 session and the session ARN AWS names as the caller."""
        self.roles += 1
        role = f"gate-case-{self.roles}"
        iam = self.admin("iam")
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(ECS_TRUST))
        iam.put_role_policy(RoleName=role, PolicyName="exactly", PolicyDocument=policy(*statements))
        creds = self.world.assume_role(self.ecs_keys, role, "case", "gate test", "run", "gate")
        return self.world.session(*creds), f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/case"

    def allowing(self, pairs: list[tuple[str, str]]) -> tuple[Any, str]:
        return self.session(
            [
                {"Sid": f"Exactly{i}", "Effect": "Allow", "Action": action, "Resource": resource}
                for i, (action, resource) in enumerate(pairs)
            ]
        )

    def nothing(self) -> tuple[Any, str]:
        """A session that may only ask who it is (a valid, non-empty policy)."""
        return self.once(
            "nothing",
            lambda: self.session(
                [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]
            ),
        )


_LABS: list[Lab] = []
_SHARED: dict[str, Env] = {}


def fresh_env() -> Env:
    lab = Lab()
    _LABS.append(lab)
    return Env(lab)


def shared_env() -> Env:
    """The one lab every case of the module runs in (made again if another lab closed it). Writes
    act on resources of their own, so no case sees another's changes."""
    env = _SHARED.get("env")
    if env is None or not env.lab.is_open:
        env = _SHARED["env"] = fresh_env()
    return env


def close_labs() -> None:
    """Close every lab the module's cases opened (conftest.py's fixture, at the module's end)."""
    for lab in _LABS:
        lab.close()
    _LABS.clear()
    _SHARED.clear()


def count_sends(client: Any) -> list[str]:
    """The requests this client actually sends (moto answers at botocore's before-send; a call
    the gate refuses at before-call is never sent)."""
    sent: list[str] = []

    def record(request: Any, **kwargs: Any) -> None:
        sent.append(request.url)

    client.meta.events.register_first("before-send", record)
    return sent


def events_of(env: Env, mark: int, caller: str, operation: str) -> list[Any]:
    return [
        e
        for e in env.lab.trace.events[mark:]
        if e.principal_arn == caller and e.operation == operation
    ]


# -- what real AWS answers (research notes), computed here -----------------------------------------

JSON_SERVICES = {"dynamodb", "secretsmanager", "ssm", "kms", "ecr", "logs", "ecs", "efs"}


def said_action(service: str, action: str) -> str:
    """SQS lower-cases the action (§3), SNS writes its prefix as ``SNS:`` (§4)."""
    prefix, _, name = action.partition(":")
    if service == "sqs" and prefix == "sqs":
        return action.lower()
    if service == "sns" and prefix == "sns":
        return f"SNS:{name}"
    return action


def denial(
    service: str,
    operation: str,
    caller: str,
    action: str,
    shown: str | None,
    kind: str = "identity-based",
    explicit: bool = False,
) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a refusal, per service_errors.md §0-§12."""
    if service == "s3" and operation in ("HeadObject", "HeadBucket"):
        return 403, "403", "Forbidden"  # §1: a HEAD response has no body
    said = said_action(service, action)
    head = f"User: {caller} is not authorized to perform: {said}"
    if shown is not None:  # facts.md §1.0: some services name no resource at all
        where = f'"{shown}"' if service == "s3" else shown  # §1: S3 quotes the resource
        head = f"{head} on resource: {where}"
    if explicit:
        article = "an" if kind[0] in "aeiou" else "a"
        message = f"{head} with an explicit deny in {article} {kind} policy"
    elif action == "sts:AssumeRole":
        message = head  # §10: no "because" tail
    else:
        message = f"{head} because no {kind} policy allows the {said} action"
    if service in ("s3", "iam", "sts", "sqs"):
        return 403, "AccessDenied", message
    if service == "sns":
        return 403, "AuthorizationError", message
    assert service in JSON_SERVICES
    return 400, "AccessDeniedException", message


def assert_refusal(info: Any, expected: tuple[int, str, str], service: str = "") -> None:
    status, code, message = expected
    response = info.value.response
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    if service == "sqs":
        # §3: SQS's JSON protocol names the query code in x-amzn-query-error; botocore keeps
        # the body's __type as QueryErrorCode and the fault as Type.
        assert response["Error"]["QueryErrorCode"] == "AccessDeniedException"
        assert response["Error"]["Type"] == "Sender"


# -- resources inside the account (made by the administrator, once per lab) ------------------------
#
# A case that writes gets resources of its own, named after it ("gate-..."), so that every case
# can share one lab whatever the order: a refusal leaves them as they were, an allowed write
# changes only them. The builders of one service live in its module; these serve several.


READ_ONLY_POLICY = policy(
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::orders-config-*/*"}
)
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def or_missing(call: Callable[[], Any], code: str) -> Any:
    try:
        return call()
    except ClientError as error:
        assert error.response["Error"]["Code"] == code
        return None


def key_of(order_id: str) -> dict:
    return {"order_id": {"S": order_id}}


def own_role(
    env: Env,
    name: str,
    trust: dict = ECS_TRUST,
    inline: bool = False,
    boundary: bool = False,
    tagged: bool = False,
    attached: bool = False,
) -> str:
    """The role's ARN."""

    def make() -> str:
        iam = env.admin("iam")
        role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="extra", PolicyDocument=READ_ONLY_POLICY)
        if boundary:
            iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=S3_READ_ONLY)
        if tagged:
            iam.tag_role(RoleName=name, Tags=[{"Key": "team", "Value": "orders"}])
        if attached:
            iam.attach_role_policy(RoleName=name, PolicyArn=S3_READ_ONLY)
        return role_arn

    return env.once(f"role {name} {inline} {boundary} {tagged} {attached}", make)


# -- the cases -------------------------------------------------------------------------------------

Pairs = Callable[[Env], list[tuple[str, str]]]


@dataclass(frozen=True)
class Case:
    """One operation: its parameters, what it is authorized against, how a refusal prints it."""

    service: str
    operation: str
    params: Callable[[Env], dict]
    checks: Pairs  # (action, resource) pairs the call is authorized against, in order
    shown: Callable[[Env], str | None] | None = None  # the first resource as printed (None: none)
    answer: str | None = None  # error code moto answers when authorized (not an access error)
    state: Callable[[Env], Any] | None = None  # what a refused write must leave unchanged
    variant: str = ""
    xfail: str | None = None  # why the gate disagrees with real AWS (both halves)
    xfail_allowed: str | None = None  # ... only when authorized
    xfail_denied: str | None = None  # ... only in the refusal
    own_lab: bool = False  # the halves would see each other's writes: each gets a fresh lab

    @property
    def id(self) -> str:
        base = f"{self.service}:{self.operation}"
        return f"{base}[{self.variant}]" if self.variant else base


class Cases(list[Case]):
    """One service's cases, in the order they are declared; ``add`` is the module's ``case``."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def add(
        self, service: str, operation: str, params: Callable[[Env], dict], checks: Pairs, **kw: Any
    ) -> None:
        assert service == self.service, f"a {service} case among the {self.service} cases"
        self.append(Case(service, operation, params, checks, **kw))

    def params(self) -> list:
        """test_gate's parameters: each case refused and allowed."""
        out = []
        for c in sorted(self, key=lambda c: c.own_lab):  # the shared lab's cases first
            for half in ("refused", "allowed"):
                if half == "refused" and c.operation == "GetCallerIdentity":
                    continue  # needs no permission: see test_get_caller_identity_cannot_be_denied
                reason = c.xfail or (c.xfail_denied if half == "refused" else c.xfail_allowed)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                out.append(pytest.param(c, half, id=f"{c.id}-{half}", marks=marks))
        return out


def one(action: str, resource: Callable[[Env], str]) -> Pairs:
    return lambda env: [(action, resource(env))]


def star(action: str) -> Pairs:
    return lambda env: [(action, "*")]


def nothing_params(env: Env) -> dict:
    return {}


# -- the course's resources as the services name them (used by a service's cases and by the
# cross-service tables of test_across_services.py)


def api_key_arn(env: Env) -> str:
    return env.r.api_key_secret_arn


def object_arn(env: Env, key: str | None = None) -> str:
    return f"arn:aws:s3:::{env.r.bucket}/{key or env.r.config_key}"


def config_object(env: Env) -> dict:
    return {"Bucket": env.r.bucket, "Key": env.r.config_key}


def course_bucket(env: Env) -> dict:
    return {"Bucket": env.r.bucket}


def table_arn(name: str) -> str:
    return arn("dynamodb", f"table/{name}")


def course_table_arn(env: Env) -> str:
    return table_arn(env.r.table)


def orders(**extra: Any) -> Callable[[Env], dict]:
    return lambda env: {"TableName": env.r.table, **extra}


def course_queue_arn(env: Env) -> str:
    return env.r.queue_arn


def events_queue(**extra: Any) -> Callable[[Env], dict]:
    return lambda env: {"QueueUrl": env.r.queue_url, **extra}


def course_topic_arn(env: Env) -> str:
    return env.r.topic_arn


# -- one case, allowed and refused -----------------------------------------------------------------


def lab_answered(c: Case) -> bool:
    """ECS is simulated by ecslab itself (ecslab.ecs.service), and so are EFS's API
    (ecslab.ecs.efs) and ECR's layer download."""
    return c.service in ("ecs", "efs") or (c.service, c.operation) == (
        "ecr",
        "GetDownloadUrlForLayer",
    )


def call(session: Any, c: Case) -> tuple[Any, list[str]]:
    client = session.client(c.service)
    sent = count_sends(client)
    return getattr(client, xform_name(c.operation)), sent


def allowed(c: Case, env: Env) -> None:
    expected = c.checks(env)
    session, caller = env.allowing(expected)
    method, sent = call(session, c)
    params = c.params(env)
    mark = len(env.lab.trace)
    if c.answer is None:
        method(**params)
    elif c.answer == MOTO_CANNOT_ANSWER:
        with pytest.raises(Exception) as info:  # whatever moto raises
            method(**params)
        assert not isinstance(info.value, ClientError)
    else:
        with pytest.raises(ClientError) as info:
            method(**params)
        assert info.value.response["Error"]["Code"] == c.answer
    seen = [(e.action, e.resource, e.decision) for e in events_of(env, mark, caller, c.operation)]
    assert sorted(seen) == sorted((action, resource, "Allowed") for action, resource in expected)
    # moto answered, except the calls the lab answers itself (ECS; ECR layer downloads)
    assert len(sent) == (0 if lab_answered(c) else 1)


def refused(c: Case, env: Env) -> None:
    action, resource = c.checks(env)[0]
    params = c.params(env)
    session, caller = env.nothing()
    before = c.state(env) if c.state else None
    method, sent = call(session, c)
    mark = len(env.lab.trace)
    with pytest.raises(ClientError) as info:
        method(**params)
    shown = c.shown(env) if c.shown else resource
    expected = denial(c.service, c.operation, caller, action, shown)
    assert_refusal(info, expected, c.service)
    assert sent == []  # never reached moto
    seen = [
        (e.action, e.resource, e.decision, e.error_code)
        for e in events_of(env, mark, caller, c.operation)
    ]
    assert seen == [(action, resource, "ImplicitlyDenied", expected[1])]
    if c.state:
        assert c.state(env) == before


def run_gate(c: Case, half: str) -> None:
    """The body of every module's test_gate."""
    env = fresh_env() if c.own_lab else shared_env()
    if half == "allowed":
        allowed(c, env)
    else:
        refused(c, env)


# -- refusals that depend on more than the caller's missing permission -----------------------------


def refusal(method: Callable[..., Any], **params: Any) -> Any:
    with pytest.raises(ClientError) as info:
        method(**params)
    return info


def last_events(env: Env, mark: int, caller: str, operation: str) -> list[tuple]:
    return [(e.action, e.resource, e.decision) for e in events_of(env, mark, caller, operation)]
