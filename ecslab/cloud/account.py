"""Read the simulated account's state straight from moto's stores.

The gate needs facts to authorize a call — a role's policies, a bucket's policy, the full ARN of
a secret named by its short name, the KMS key behind a SecureString parameter. Reading them from
moto's backends (rather than through the API) keeps those lookups out of the trace and out of
the authorization they serve. moto is pinned exactly in pyproject.toml because this module knows
its internals; tests/cloud cover every lookup.

This is the only module that touches moto's objects: every lookup answers with one of the frozen
records below (or plain text), so nothing else in ecslab depends on how moto stores a thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

ACCOUNT_ID = "123456789012"
REGION = "ap-northeast-1"
PARTITION = "aws"


# moto's backend dict per service: module-level objects in moto, the same for the process's life
# (moto's reset empties them, never replaces them), so each is imported once.
_BACKEND_DICTS: dict[str, Any] = {}


def _backend(name: str, region: str = REGION, account: str = ACCOUNT_ID) -> Any:
    backends = _BACKEND_DICTS.get(name)
    if backends is None:
        from moto.backends import get_backend

        backends = _BACKEND_DICTS[name] = get_backend(name)
    return backends[account][region]


def random_hex(length: int) -> str:
    """Hex digits from moto's seeded random (the same on every run of a lab): task ids and the
    like."""
    from moto.moto_api._internal import mock_random

    return mock_random.get_random_hex(length)


def random_int(low: int, high: int) -> int:
    """An integer in [low, high] from moto's seeded random (the same on every run of a lab)."""
    from moto.moto_api._internal import mock_random

    return mock_random.randint(low, high)


def random_uuid() -> str:
    """A UUID from moto's seeded random (the same on every run of a lab)."""
    from moto.moto_api._internal import mock_random

    return str(mock_random.uuid4())


def _managed_document(policy: Any) -> str:
    """The default version's document of a moto managed policy."""
    for version in policy.versions:
        if version.version_id == policy.default_version_id:
            return _text(version.document) or "{}"
    return "{}"


def _text(document: Any) -> str | None:
    """Policies come back from moto as str, bytes, URL-encoded str or dict."""
    if document is None:
        return None
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    if isinstance(document, dict):
        return json.dumps(document)
    text = str(document)
    if text.lstrip().startswith("%7B") or text.lstrip().startswith("%7b"):
        text = unquote(text)
    return text


def repository_policy_with_resources(text: str, repository_arn: str) -> str:
    """An ECR repository policy names no Resource: it is about its repository. Make that explicit
    so the judge reads it as the resource-based policy it is
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html)."""
    try:
        document = json.loads(text)
    except ValueError:
        return text
    statements = document.get("Statement") if isinstance(document, dict) else None
    for statement in statements if isinstance(statements, list) else [statements]:
        if (
            isinstance(statement, dict)
            and "Resource" not in statement
            and ("NotResource" not in statement)
        ):
            statement["Resource"] = repository_arn
    return json.dumps(document)


@dataclass(frozen=True)
class StoredRole:
    """A role as IAM stores it (what GetRole, ListAttachedRolePolicies and GetRolePolicy say)."""

    name: str
    arn: str
    role_id: str
    path: str
    description: str | None
    max_session_duration: int
    permissions_boundary_arn: str | None
    managed_policy_arns: tuple[str, ...]  # in the order they were attached
    inline_policies: tuple[tuple[str, str], ...]  # (name, JSON text), in the order they were put
    trust: str  # the trust policy, JSON text
    created: Any  # datetime


@dataclass(frozen=True)
class StoredManagedPolicy:
    """A managed policy's default version, as IAM stores it."""

    name: str
    arn: str
    path: str
    description: str | None
    document: str  # JSON text

    @property
    def aws_managed(self) -> bool:
        return ":aws:policy" in self.arn


@dataclass(frozen=True)
class StoredUser:
    name: str
    arn: str


@dataclass(frozen=True)
class StoredSession:
    """An STS session of an assumed role, found by its access key."""

    arn: str
    role_arn: str
    session_name: str
    policy: str | None


@dataclass(frozen=True)
class StoredSecret:
    arn: str
    kms_key_id: str | None


@dataclass(frozen=True)
class StoredKey:
    id: str
    arn: str


@dataclass(frozen=True)
class StoredParameter:
    name: str
    type: str  # String, StringList or SecureString
    key_id: str | None


def _role_record(role: Any) -> StoredRole:
    return StoredRole(
        name=role.name,
        arn=role.arn,
        role_id=role.id,
        path=role.path,
        description=role.description or None,
        max_session_duration=int(role.max_session_duration),
        permissions_boundary_arn=role.permissions_boundary_arn or None,
        managed_policy_arns=tuple(role.managed_policies),
        inline_policies=tuple((n, _text(d) or "{}") for n, d in role.policies.items()),
        trust=_text(role.assume_role_policy_document) or "{}",
        created=role.create_date,
    )


@dataclass(frozen=True)
class RolePolicies:
    """Everything the judge needs about a role's own permissions."""

    name: str
    arn: str
    identity: tuple[tuple[str, str], ...]  # (policy name, JSON text), managed then inline
    boundary: tuple[str, str] | None
    trust: str | None


class Account:
    """One simulated account in one region, as moto stores it."""

    def __init__(self, account_id: str = ACCOUNT_ID, region: str = REGION) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = PARTITION
        # What ECS knows of task definitions (ECS is the lab's own, see ecslab.ecs.service):
        # set by the lab; read by the gate to authorize RunTask and iam:PassRole.
        self.ecs_catalog: Any = None

    # -- IAM ---------------------------------------------------------------------------------------

    @property
    def iam(self) -> Any:
        return _backend("iam", PARTITION, self.account_id)  # IAM is global: keyed by partition

    def _role(self, name: str) -> Any | None:
        return next((r for r in self.iam.roles.values() if r.name == name), None)

    def role(self, name: str) -> StoredRole | None:
        role = self._role(name)
        return _role_record(role) if role is not None else None

    def role_names(self) -> list[str]:
        """Every role in the account, by name, sorted."""
        return sorted(r.name for r in self.iam.roles.values())

    def role_policies(self, name: str) -> RolePolicies | None:
        role = self._role(name)
        if role is None:
            return None
        identity: list[tuple[str, str]] = []
        for policy in role.managed_policies.values():
            identity.append((policy.name, _managed_document(policy)))
        for policy_name, document in role.policies.items():
            identity.append((policy_name, _text(document) or "{}"))
        boundary = None
        if role.permissions_boundary_arn:
            managed = self.iam.managed_policies.get(role.permissions_boundary_arn)
            if managed is not None:
                boundary = (managed.name, _managed_document(managed))
        return RolePolicies(
            role.name,
            role.arn,
            tuple(identity),
            boundary,
            _text(role.assume_role_policy_document),
        )

    def managed_policy_document(self, arn: str) -> str | None:
        """A managed policy's default version document, as stored (None if there is none)."""
        policy = self.iam.managed_policies.get(arn)
        return _managed_document(policy) if policy is not None else None

    def managed_policy(self, arn: str) -> StoredManagedPolicy | None:
        policy = self.iam.managed_policies.get(arn)
        if policy is None:
            return None
        return StoredManagedPolicy(
            policy.name,
            policy.arn,
            policy.path,
            getattr(policy, "description", None) or None,
            _managed_document(policy),
        )

    def managed_policies(self) -> dict[str, StoredManagedPolicy]:
        """Every managed policy IAM holds now, by ARN, in IAM's order (AWS managed policies only
        once the lab has loaded them)."""
        found = (self.managed_policy(arn) for arn in list(self.iam.managed_policies))
        return {p.arn: p for p in found if p is not None}

    def add_aws_managed_policy(
        self, arn: str, name: str, version_id: str | None, path: str, document: Any, updated: str
    ) -> None:
        """Load one AWS managed policy into IAM's store (moto does not load them up front)."""
        from moto.iam.models import AWSManagedPolicy

        if arn in self.iam.managed_policies:
            return
        self.iam.managed_policies[arn] = AWSManagedPolicy.from_data(
            name,
            self.account_id,
            "us-east-1",
            {
                "DefaultVersionId": version_id,
                "Path": path,
                "Document": document,
                "CreateDate": updated,
                "UpdateDate": updated,
            },
        )

    def user(self, name: str) -> StoredUser | None:
        user = self.iam.users.get(name)
        return StoredUser(user.name, user.arn) if user is not None else None

    def user_policies(self, name: str) -> tuple[tuple[str, str], ...]:
        user = self.iam.users.get(name)
        if user is None:
            return ()
        out = [(p.name, _managed_document(p)) for p in user.managed_policies.values()]
        out += [(n, _text(d) or "{}") for n, d in user.policies.items()]
        for group in self.iam.groups.values():
            if user in group.users:
                out += [(p.name, _managed_document(p)) for p in group.managed_policies.values()]
                out += [(n, _text(d) or "{}") for n, d in group.policies.items()]
        return tuple(out)

    def user_for_access_key(self, access_key_id: str) -> StoredUser | None:
        for user in self.iam.users.values():
            for key in user.access_keys:
                if key.access_key_id == access_key_id and key.status == "Active":
                    return StoredUser(user.name, user.arn)
        return None

    def assumed_role_for_access_key(self, access_key_id: str) -> StoredSession | None:
        sts = _backend("sts", PARTITION, self.account_id)
        found = sts.get_assumed_role_from_access_key(access_key_id)
        if found is None:
            return None
        return StoredSession(found.arn, found.role_arn, found.session_name, found.policy)

    def alias_session(self, access_key_id: str, alias_key_id: str) -> None:
        """Let STS know ``alias_key_id`` as the same session as ``access_key_id`` (so that
        ``sts:GetCallerIdentity`` with the alias names the session, as it would on AWS, where
        every caller on an instance holds the instance role's one session)."""
        import copy

        sts = _backend("sts", PARTITION, self.account_id)
        if sts.get_assumed_role_from_access_key(alias_key_id) is not None:
            return
        found = sts.get_assumed_role_from_access_key(access_key_id)
        if found is None:
            return
        alias = copy.copy(found)
        alias.access_key_id = alias_key_id
        sts.assumed_roles.append(alias)

    # -- resource policies -------------------------------------------------------------------------

    def _bucket(self, name: str) -> Any | None:
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id][PARTITION].buckets.get(name)

    def bucket_exists(self, name: str) -> bool:
        return self._bucket(name) is not None

    def bucket_policy(self, name: str) -> str | None:
        bucket = self._bucket(name)
        return _text(bucket.policy) if bucket is not None else None

    def _queue(self, url_or_name: str) -> Any | None:
        name = url_or_name.rstrip("/").rsplit("/", 1)[-1] if "/" in url_or_name else url_or_name
        return _backend("sqs", self.region, self.account_id).queues.get(name)

    def queue_arn(self, url_or_name: str) -> str:
        queue = self._queue(url_or_name)
        if queue is not None:
            return queue.queue_arn
        name = url_or_name.rstrip("/").rsplit("/", 1)[-1]
        account = self.account_id
        if url_or_name.startswith("http"):
            parts = urlparse(url_or_name).path.strip("/").split("/")
            if len(parts) == 2:
                account, name = parts
        return f"arn:aws:sqs:{self.region}:{account}:{name}"

    def queue_policy(self, url_or_name: str) -> str | None:
        queue = self._queue(url_or_name)
        return _text(queue.policy) if queue is not None else None

    def topic_policy(self, arn: str) -> str | None:
        topic = _backend("sns", self.region, self.account_id).topics.get(arn)
        return topic.policy if topic is not None else None

    def _secret(self, secret_id: str) -> Any | None:
        secrets = _backend("secretsmanager", self.region, self.account_id).secrets
        return secrets.get(secret_id) if secret_id in secrets else None

    def secret(self, secret_id: str) -> StoredSecret | None:
        secret = self._secret(secret_id)
        return StoredSecret(secret.arn, secret.kms_key_id) if secret is not None else None

    def secret_policy(self, secret_id: str) -> str | None:
        secret = self._secret(secret_id)
        return _text(secret.policy) if secret is not None else None

    def _repository(self, name: str) -> Any | None:
        return _backend("ecr", self.region, self.account_id).repositories.get(name)

    def repository_exists(self, name: str) -> bool:
        return self._repository(name) is not None

    def repository_policy(self, name: str) -> str | None:
        repository = self._repository(name)
        if repository is None or not repository.policy:
            return None
        return repository_policy_with_resources(_text(repository.policy) or "{}", repository.arn)

    # -- KMS -------------------------------------------------------------------------------------

    def key(self, key_id: str) -> StoredKey | None:
        """A KMS key by id, ARN, alias name or alias ARN; None if unknown."""
        key = self._key(key_id)
        return StoredKey(key.id, key.arn) if key is not None else None

    def _key(self, key_id: str) -> Any | None:
        kms = _backend("kms", self.region, self.account_id)
        if key_id.startswith("arn:") and ":alias/" in key_id:
            key_id = "alias/" + key_id.split(":alias/", 1)[1]
        if key_id.startswith("alias/"):
            if not kms.alias_exists(key_id):
                return None
            key_id = kms.get_key_id_from_alias(key_id)
        if key_id.startswith("arn:"):
            key_id = key_id.rsplit("/", 1)[-1]
        return kms.keys.get(key_id)

    def key_policy(self, key_id: str) -> str | None:
        key = self._key(key_id)
        return _text(key.policy) if key is not None else None

    def key_arn(self, key_id: str) -> str | None:
        key = self.key(key_id)
        return key.arn if key is not None else None

    def key_aliases(self, key_id: str) -> list[str]:
        """The alias names (``alias/orders-config``) pointing at a KMS key, sorted."""
        key = self.key(key_id)
        if key is None:
            return []
        kms = _backend("kms", self.region, self.account_id)
        return sorted(alias.alias_name for alias in kms.list_aliases(key_id=key.id))

    def task_definition_roles(self, reference: str) -> list[str]:
        """The task and execution role ARNs a registered task definition names."""
        return self.ecs_catalog.definition_roles(reference) if self.ecs_catalog else []

    def parameters_under(self, path: str, recursive: bool) -> list[StoredParameter]:
        ssm = _backend("ssm", self.region, self.account_id)
        prefix = "/" + path.strip("/") + "/"
        found = []
        for name, versions in ssm._parameters.items():
            if not versions or not name.startswith(prefix):
                continue
            if not recursive and "/" in name[len(prefix) :]:
                continue
            found.append(_parameter_record(versions[-1]))
        return found

    # -- CloudWatch Logs ---------------------------------------------------------------------------

    def log_group_exists(self, group: str) -> bool:
        return group in _backend("logs", self.region, self.account_id).groups

    def object_body(self, bucket: str, key: str) -> bytes | None:
        """An S3 object's bytes as stored (no authorization: for the lab's own planning)."""
        found = self._bucket(bucket)
        stored = found.keys.get(key) if found is not None else None
        return bytes(stored.value) if stored is not None else None

    def deliver_log_events(
        self, group: str, stream: str | None = None, events: list[dict[str, Any]] | None = None
    ) -> None:
        """Write to CloudWatch Logs for a caller the gate already authorized (a log router's
        calls, which no SDK client makes in the lab): the group, the stream, the events."""
        logs = _backend("logs", self.region, self.account_id)
        if group not in logs.groups:
            logs.create_log_group(group, {})
        if stream is None:
            return
        if stream not in logs.groups[group].streams:
            logs.create_log_stream(group, stream)
        if events:
            logs.put_log_events(group, stream, events)

    def log_messages(self, group: str, stream: str) -> list[str]:
        """The messages of a log stream, oldest first ([] when there is no such stream)."""
        logs = _backend("logs", self.region, self.account_id)
        found = logs.groups.get(group)
        stream_ = found.streams.get(stream) if found is not None else None
        if stream_ is None:
            return []
        return [e.message for e in sorted(stream_.events, key=lambda e: e.timestamp)]

    # -- ECS ---------------------------------------------------------------------------------------

    def latest_task_definition_revision(self, family: str) -> int | None:
        return self.ecs_catalog.latest_revision(family) if self.ecs_catalog else None

    # -- SSM ---------------------------------------------------------------------------------------

    def parameter(self, name: str) -> StoredParameter | None:
        """The latest version of an SSM parameter by name or ARN; None if unknown."""
        ssm = _backend("ssm", self.region, self.account_id)
        if name.startswith("arn:"):
            name = "/" + name.split(":parameter/", 1)[-1]
        versions = ssm._parameters.get(name) or ssm._parameters.get("/" + name.lstrip("/"))
        return _parameter_record(versions[-1]) if versions else None

    def parameter_arn(self, name: str) -> str:
        if name.startswith("arn:"):
            return name
        return f"arn:aws:ssm:{self.region}:{self.account_id}:parameter/{name.lstrip('/')}"


def _parameter_record(parameter: Any) -> StoredParameter:
    return StoredParameter(parameter.name, parameter.parameter_type, parameter.keyid or None)
