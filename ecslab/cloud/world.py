"""The simulated account: moto's stores, the gate in front of them, the clock and the trace.

A :class:`World` is opened and closed; while open it owns the process's moto mock, the lab clock
installed in moto, the isolated AWS environment and the active gate. Only one world is open at a
time: opening a new one closes the previous.

Costs (see benchmarks/lab.py): a botocore session loads its service models on first use, so all
sessions the world makes share one data loader; the first world in a process pays for importing
moto's service modules, later worlds only reset moto's stores.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any
from unittest import mock

import boto3
import botocore.session
from botocore.credentials import Credentials
from moto import mock_aws
from moto.moto_api._internal import mock_random

from ecslab.cloud.account import ACCOUNT_ID, REGION, Account
from ecslab.cloud.clock import LabClock
from ecslab.cloud.endpoint import CredentialsEndpoint
from ecslab.cloud.gate import Gate, activate, deactivate
from ecslab.cloud.identities import Identities, Principal
from ecslab.cloud.imds import InstanceMetadataService
from ecslab.cloud.safety import LAB_SETTINGS, IsolatedEnvironment
from ecslab.cloud.trace import Trace
from ecslab.i18n import _
from ecslab.iam.managed import UnknownManagedPolicy, managed_policy

SEED = 20240401
# The account root's keys, used only by the lab to build the account (phase "setup").
ROOT_KEY = ("AKIAECSLABR00TSETUP1", "ecslab-root-secret-never-shown")

# moto modules the lab uses: imported once per process, before the lab clock is installed.
MOTO_MODULES = (
    "moto.core.utils",
    "moto.core.responses",
    "moto.ecr.models",
    "moto.logs.models",
    "moto.secretsmanager.models",
    "moto.ssm.models",
    "moto.kms.models",
    "moto.s3.models",
    "moto.dynamodb.models",
    "moto.dynamodb.models.table",
    "moto.sqs.models",
    "moto.sns.models",
    "moto.iam.models",
    "moto.sts.models",
)

_OPEN: list[World] = []
_SHARED: dict[str, Any] = {}
# Sessions and clients, by access key: the learner's and the root's keys are the same in every
# lab (seeded ids), so later labs reuse what the first one built.
_SESSIONS: dict[tuple[str, str, str | None], boto3.Session] = {}
_CLIENTS: dict[tuple[str, str], Any] = {}
# Clients for short-lived role sessions (one per task), reused across tasks: building a botocore
# client costs milliseconds, and a task's roles would otherwise need a dozen new ones. The
# credentials a pooled client signs with are set for each use (see pooled_client).
_POOL: dict[tuple[str, str, str], Any] = {}


def _pool_client(purpose: str, service: str, region: str) -> Any:
    key = (purpose, service, region)
    client = _POOL.get(key)
    if client is None:
        core = botocore.session.Session()
        core.register_component("data_loader", shared_loader())
        client = _POOL[key] = boto3.Session(botocore_session=core, region_name=region).client(
            service
        )
    return client


def container_session(region: str) -> ContainerSession:
    """The one default session containers get. A new botocore session costs ~6 ms, so it is
    reused, forgetting the credentials it resolved: each container's code resolves its own,
    from the environment it runs in."""
    session = _SHARED.get("container")
    if session is None:
        core = _ContainerCore()
        core.register_component("data_loader", shared_loader())
        session = _SHARED["container"] = ContainerSession(botocore_session=core, region_name=region)
    session._session._credentials = None  # botocore resolves again on first use
    # botocore's chain reads the instance-metadata settings when it is built: a container on an
    # EC2 instance (ecslab.cloud.imds) gets a chain of its own, and the next one is built again.
    metadata = (os.environ.get("AWS_EC2_METADATA_DISABLED"), os.environ.get(_IMDS_ENDPOINT))
    if _SHARED.get("container_metadata", metadata) != metadata or metadata[1]:
        session._session._register_credential_provider()
    _SHARED["container_metadata"] = metadata
    return session


_IMDS_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT"


class _ContainerCore(botocore.session.Session):
    """The container session's botocore session. A credential chain built again (each task on
    an EC2 instance gets its own, see container_session) keeps the container provider's first
    fetcher: the fetcher holds only its HTTP session (so its open connection to the credentials
    endpoint, kept for the lab's life), nothing of the container's — the URL and token are read
    from the environment on each load."""

    def _create_credential_resolver(self) -> Any:
        resolver = super()._create_credential_resolver()
        provider = resolver.get_provider("container-role")
        if provider is not None:
            provider._fetcher = _SHARED.setdefault("container_fetcher", provider._fetcher)
        return resolver


def _close_container_connection() -> None:
    """A lab's containers share one connection to the credentials endpoint: it closes with the
    lab, and the next lab's first container connects anew."""
    fetcher = _SHARED.get("container_fetcher")
    if fetcher is not None:
        fetcher._session.close()


class ContainerSession(boto3.Session):
    """boto3's default session inside a container.

    Credentials are resolved by botocore's own chain — in a task with a task role, its
    ContainerProvider fetching them from the container credentials endpoint. ``client()`` hands
    out clients from a pool, each set to sign with the credentials this session resolved; any
    call with extra arguments gets a new client as usual.
    """

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if args or set(kwargs) - {"region_name"}:
            return super().client(service_name, *args, **kwargs)
        region = kwargs.get("region_name") or self.region_name
        client = _pool_client("container", service_name, str(region))
        client._request_signer._credentials = self._session.get_credentials()
        return client


_OS_ESSENTIAL = frozenset({"SYSTEMROOT", "WINDIR"} if os.name == "nt" else ())


def shared_botocore_session() -> botocore.session.Session:
    """One botocore session whose data loader every other session shares: each service model
    (and the big endpoints file) is read once per process."""
    if "session" not in _SHARED:
        # moto keeps one boto3 session per process for its region lists; sharing it means
        # botocore's endpoints file (~90 ms to read) is read once, not twice.
        from moto.core.base_backend import AccountSpecificBackend

        _SHARED["session"] = AccountSpecificBackend.get_session()._session
    return _SHARED["session"]


def shared_loader() -> Any:
    return shared_botocore_session().get_component("data_loader")


def prepare_moto() -> None:
    """Import moto's service modules once. moto's EC2 module (which ECS imports) builds its
    region list at import from three new boto3 sessions, each reading botocore's endpoints
    file afresh (~0.6 s); here they share one."""
    if _SHARED.get("moto_ready"):
        return
    import importlib

    cache: dict[tuple[Any, ...], Any] = {}

    def available_regions(
        self: Any, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> Any:
        key = (service_name, partition_name, allow_non_regional)
        if key not in cache:
            cache[key] = shared_botocore_session().get_available_regions(
                service_name, partition_name, allow_non_regional
            )
        return cache[key]

    with mock.patch.object(boto3.session.Session, "get_available_regions", available_regions):
        for name in MOTO_MODULES:
            importlib.import_module(name)
    _cache_moto_method_names()
    _cache_moto_s3_urls()
    _fast_moto_backend_lookup()
    _cache_moto_routes()
    # moto's modules leave ~1.5 million long-lived objects behind; moving them out of the
    # collector's way keeps later garbage collections (and the first lab) fast.
    gc.freeze()
    _SHARED["moto_ready"] = True


def _cache_moto_method_names() -> None:
    """moto answers every request by looking its action up among the function names of the
    service's response class, listed afresh each time with ``inspect.getmembers`` (~0.2 ms, a
    dozen times per task). The list is kept per class instead: a class's functions are fixed
    once moto has defined it (nothing adds or removes methods of moto's response classes), so
    nothing ever invalidates an entry. Callers only test membership in the list."""
    from moto.core import responses

    original = responses.method_names_from_class
    if getattr(original, "ecslab_cached", False):
        return
    names: dict[Any, list[str]] = {}

    def method_names_from_class(clazz: Any) -> list[str]:
        listed = names.get(clazz)
        if listed is None:
            listed = names[clazz] = original(clazz)
        return listed

    method_names_from_class.ecslab_cached = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names_from_class


def _cache_moto_s3_urls() -> None:
    """moto's S3 backend re-imports its URL module (``importlib.reload``, ~0.6 ms) each time it
    is asked for its URLs — twice per S3 request — because the module's ``url_bases`` depend on
    the ``MOTO_S3_CUSTOM_ENDPOINTS`` environment variable. Here the module is reloaded only when
    that variable's value differs from the one it was last loaded with: the module reads nothing
    else that can change, so the same value gives the same URLs."""
    from importlib import reload

    from moto.s3.models import S3Backend

    if getattr(S3Backend.__dict__["_url_module"].fget, "ecslab_cached", False):
        return
    loaded: dict[str, Any] = {}

    def _url_module(self: Any) -> Any:
        import moto.s3.urls as backend_urls_module

        value = os.environ.get("MOTO_S3_CUSTOM_ENDPOINTS")
        if loaded.get("value", ()) != value or loaded.get("module") is not backend_urls_module:
            reload(backend_urls_module)
            loaded.update(value=value, module=backend_urls_module)
        return backend_urls_module

    cached = property(_url_module)
    cached.fget.ecslab_cached = True  # type: ignore[union-attr]
    S3Backend._url_module = cached  # type: ignore[method-assign,assignment]


# moto's route for each URL seen since the world opened: clean URL -> (the services whose URL
# patterns matched it, in moto's order; the handler that answers it). Cleared by clear_routes().
_ROUTES: dict[str, tuple[tuple[str, ...], Any]] = {}
_ROUTES_LIMIT = 4096  # S3 object URLs are many: the cache starts again rather than grow


def _clear_moto_routes() -> None:
    """Forget every route: a new world's moto starts with no backends (see
    :func:`_cache_moto_routes`)."""
    _ROUTES.clear()


def _fast_moto_backend_lookup() -> None:
    """``backends[account_id]`` (moto's BackendDict) takes a lock, lists the dict's keys and
    compares itself with every backend dict in use (``BackendDict._instances``, one ``__eq__``
    each) on every lookup — ~120 lookups per task. The answer is only new the first time an
    account is looked up: afterwards the account's entry exists, and the dict is already among
    ``_instances`` (it was added in the same locked step that created the entry, and moto's reset
    empties both together; nothing else stores entries). So an existing entry is returned
    directly, and everything else goes the way moto goes."""
    from moto.core.base_backend import BackendDict

    original = BackendDict.__getitem__
    if getattr(original, "ecslab_fast", False):
        return
    get = dict.get

    def __getitem__(self: Any, account_id: str) -> Any:
        found = get(self, account_id)
        if found is not None:
            return found
        return original(self, account_id)

    __getitem__.ecslab_fast = True  # type: ignore[attr-defined]
    BackendDict.__getitem__ = __getitem__  # type: ignore[method-assign]


def _cache_moto_routes() -> None:
    """moto finds which handler answers a request by matching its URL against every service's
    URL pattern (~150 regular expressions), then building that service's URL table and compiling
    each entry until one matches — for every request, though the same few URLs come back on
    every task. Here the route found for a URL is kept until the next world opens
    (:func:`_clear_moto_routes`): the patterns and tables depend only on moto's modules and the S3
    custom-endpoint setting, which a world does not change. moto's checks still run on every
    request, in moto's order: the passthrough URLs, then for each service whose pattern matched
    the passthrough services and the service whitelist. The first lookup of a URL goes moto's
    way, including its side effect (it creates the default account's backend for the service),
    so nothing moto creates is skipped; a URL no handler answers is never cached."""
    # (moto's request path: every AWS call a task makes goes through it, a dozen per task)
    from moto.core import botocore_stubber
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.process_request
    if getattr(original, "ecslab_cached", False):
        return
    import moto.backend_index as backend_index
    from moto.core.base_backend import BackendDict
    from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
    from moto.core.exceptions import HTTPException, ServiceNotWhitelisted
    from moto.core.utils import get_equivalent_url_in_aws_domain

    def route(clean_url: str) -> tuple[tuple[str, ...], Any] | None:
        """moto's own search (moto.core.botocore_stubber.process_request), remembering it."""
        import moto.backends as backends
        from moto.core import DEFAULT_ACCOUNT_ID

        matched: list[str] = []
        for service, pattern in backend_index.backend_url_patterns:
            if not pattern.match(clean_url):
                continue
            matched.append(service)
            if passthrough_service(service) or not service_whitelisted(service):
                return None  # moto's own path answers (and raises) as it always does
            backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
            if isinstance(backend_dict, BackendDict):
                if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
                else:
                    backend = backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
            else:
                backend = backend_dict["global"]
            for url, handler in backend.urls.items():
                if re.compile(url).match(clean_url):
                    if len(_ROUTES) >= _ROUTES_LIMIT:
                        _ROUTES.clear()
                    found = _ROUTES[clean_url] = (tuple(matched), handler)
                    return found
        return None

    def process_request(self: Any, request: Any) -> Any:
        parsed_url, _ = get_equivalent_url_in_aws_domain(request.url)
        clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
        if passthrough_url(clean_url):
            return None
        found = _ROUTES.get(clean_url) or route(clean_url)
        if found is None:
            return original(self, request)
        services, handler = found
        for service in services:
            if passthrough_service(service):
                return None
            if not service_whitelisted(service):
                raise ServiceNotWhitelisted(service)
        from moto.moto_api import recorder

        normalized_request = botocore_stubber.normalize_request(request)
        try:
            recorder._record_request(normalized_request)
            status, headers, body = handler(
                normalized_request, normalized_request.raw_url, normalized_request.headers
            )
        except HTTPException as e:
            status = e.code
            headers = e.get_headers()
            body = e.get_body()
        return status, headers, body

    process_request.ecslab_cached = True  # type: ignore[attr-defined]
    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]


class World:
    """An isolated, deterministic AWS account in this process, behind the gate."""

    def __init__(self, account_id: str = ACCOUNT_ID, region: str = REGION) -> None:
        self.account = Account(account_id, region)
        self.clock = LabClock()
        self.trace = Trace()
        self.identities = Identities(self.account)
        self.gate = Gate(self)
        self._environment = IsolatedEnvironment()
        self._mock: Any = None
        self._undo: list[Any] = []
        self.endpoint = CredentialsEndpoint()
        self.imds = InstanceMetadataService()  # served to containers on EC2 instances only
        # Services (or single operations) the lab answers itself instead of moto, by service:
        # each has ``answer(operation, params, principal) -> dict | None``.
        self.answerers: dict[str, Any] = {}
        self.learner_keys: tuple[str, str] | None = None

    # -- opening and closing ----------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._mock is not None

    def require_open(self) -> None:
        """Refuse to work on a closed world (a newer lab closed it)."""
        if not self.is_open:
            raise RuntimeError(
                _(
                    "This lab is closed (a newer Lab() replaces the one before it). "
                    "Create a new one with lab = Lab()."
                )
            )

    def learner_client(self, service: str) -> Any:
        """A client signing as the learner (the account's administrator), through the gate."""
        self.require_open()
        if self.learner_keys is None:
            raise RuntimeError("this world has no learner: call add_learner() first")
        return self.client(*self.learner_keys, service)

    def open(self) -> World:
        for other in list(_OPEN):
            other.close()
        self._environment.enter(
            {"AWS_DEFAULT_REGION": self.account.region, "AWS_REGION": self.account.region}
        )
        try:
            prepare_moto()
            _clear_moto_routes()
            mock_random.seed(SEED)
            self._mock = mock_aws(
                config={
                    "core": {
                        "mock_credentials": False,
                        "reset_boto3_session": True,
                        "passthrough": {"urls": [], "services": []},
                    },
                    "iam": {"load_aws_managed_policies": False},
                }
            )
            self._mock.start(reset=True)
            self._undo.append(self.clock.install())
            self._undo.append(_quiet_moto_policy_validation())
            activate(self.gate)
            _OPEN.append(self)
            self.identities.register(
                ROOT_KEY[0],
                Principal(
                    f"arn:aws:iam::{self.account.account_id}:root",
                    "ecslab setup (account root)",
                    "root",
                    self.account.account_id,
                    phase="setup",
                ),
            )
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        deactivate(self.gate)
        self.endpoint.stop()
        _close_container_connection()
        self.imds.stop()
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        self._environment.exit()
        if self in _OPEN:
            _OPEN.remove(self)

    # -- sessions -------------------------------------------------------------------------------

    def session(self, access_key: str, secret_key: str, token: str | None = None) -> boto3.Session:
        """A boto3 session signing with these credentials (sharing the process's model loader)."""
        key = (access_key, secret_key, token)
        cached = _SESSIONS.get(key)
        if cached is None:
            core = botocore.session.Session()
            core.register_component("data_loader", shared_loader())
            core.set_credentials(access_key, secret_key, token)
            cached = _SESSIONS[key] = boto3.Session(
                botocore_session=core, region_name=self.account.region
            )
        return cached

    def client(
        self, access_key: str, secret_key: str, service: str, token: str | None = None
    ) -> Any:
        """A client signing with these keys; made once per process and reused by later labs."""
        key = (access_key, service)
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = self.session(access_key, secret_key, token).client(service)
        return client

    def pooled_client(self, purpose: str, service: str, credentials: tuple[str, ...]) -> Any:
        """A reusable client that now signs with ``credentials`` (access key, secret[, token])."""
        client = _pool_client(purpose, service, self.account.region)
        client._request_signer._credentials = Credentials(*credentials)
        return client

    def clients_for(self, access_key: str, secret_key: str) -> Clients:
        return Clients(self, access_key, secret_key)

    @contextmanager
    def setup(self) -> Iterator[Clients]:
        """Calls made with the yielded clients build the account (traced as phase "setup")."""
        with self.gate.phase("setup"):
            yield self.clients_for(*ROOT_KEY)

    def add_learner(self, user_name: str = "learner") -> tuple[str, str]:
        """An IAM user with AdministratorAccess whose keys become the notebook's credentials."""
        with self.setup() as root:
            iam = root.client("iam")
            self.attach_managed_policy_support("AdministratorAccess")
            iam.create_user(UserName=user_name)
            iam.attach_user_policy(
                UserName=user_name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
            )
            key = iam.create_access_key(UserName=user_name)["AccessKey"]
        self.learner_keys = (key["AccessKeyId"], key["SecretAccessKey"])
        self.identities.register(
            key["AccessKeyId"],
            Principal(
                f"arn:aws:iam::{self.account.account_id}:user/{user_name}",
                "you (administrator)",
                "user",
                self.account.account_id,
                name=user_name,
                phase="admin",
            ),
        )
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = self.learner_keys
        return self.learner_keys

    def service_keys(
        self,
        service: str,
        label: str,
        context: Mapping[str, Any] | None = None,
        phase: str | None = None,
        task: str | None = None,
    ) -> tuple[str, str]:
        """Keys that sign as an AWS service principal (``ecs-tasks.amazonaws.com``).

        ``context`` holds what the service supplies with its calls, e.g. ``aws:SourceAccount``
        and ``aws:SourceArn`` when ECS assumes a task's roles.
        """
        self._service_number = getattr(self, "_service_number", 0) + 1
        access_key = f"ASIAECSLABSERVICE{self._service_number:03d}"
        self.identities.register(
            access_key,
            Principal(
                service,
                label,
                "service",
                self.account.account_id,
                phase=phase,
                task=task,
                context=dict(context or {}),
            ),
        )
        return access_key, f"ecslab-service-secret-{self._service_number}"

    def assume_role(
        self,
        caller_keys: tuple[str, str],
        role_name: str,
        session_name: str,
        label: str,
        phase: str | None = None,
        task: str | None = None,
    ) -> tuple[str, str, str]:
        """``sts:AssumeRole`` through the gate; the new session carries ``label``.

        Returns the session's (access key, secret key, session token); raises ClientError as STS
        would when the trust policy refuses.
        """
        role_arn = f"arn:aws:iam::{self.account.account_id}:role/{role_name}"
        role = self.account.role(role_name)
        if role is not None:
            role_arn = role.arn
        sts = self.pooled_client("caller", "sts", caller_keys)
        with self.identities.labelled(label, phase, task):
            answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)
        credentials = answer["Credentials"]
        return (
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )

    @contextmanager
    def container_environment(
        self,
        credentials: tuple[str, str, str] | None,
        role_arn: str | None,
        variables: Mapping[str, str] | None = None,
    ) -> Iterator[None]:
        """Run code as inside a task's container. Its environment is the container's alone —
        ``variables`` (the image's, Fargate's and the task definition's), the region, the
        container-credentials endpoint's variables when the task has a role, and the lab's
        safety settings (``LAB_SETTINGS``: no shared files, no instance metadata) — none of the
        notebook's. A fresh boto3 default session makes plain ``boto3.client(...)`` resolve the
        task role through botocore's ContainerProvider. Everything is put back afterwards."""
        saved = dict(os.environ)
        saved_session = boto3.DEFAULT_SESSION
        issued: dict[str, str] = {}
        try:
            os.environ.clear()
            # Windows cannot open sockets or draw random numbers without these.
            os.environ.update({k: v for k, v in saved.items() if k.upper() in _OS_ESSENTIAL})
            os.environ.update(LAB_SETTINGS)
            os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = self.account.region
            if credentials is not None:
                issued = self.endpoint.issue(*credentials, role_arn or "")
                os.environ.update(issued)
            os.environ.update(variables or {})
            boto3.DEFAULT_SESSION = container_session(self.account.region)
            yield
        finally:
            self.endpoint.revoke(issued)
            for key in [k for k in os.environ if k not in saved]:
                del os.environ[key]
            for key, value in saved.items():
                if os.environ.get(key) != value:
                    os.environ[key] = value
            boto3.DEFAULT_SESSION = saved_session  # type: ignore[assignment]

    # -- what the gate needs from the world -----------------------------------------------------

    def request_context(self) -> Mapping[str, Any]:
        """Global condition keys every request carries."""
        return {
            "aws:CurrentTime": self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(self.clock.timestamp())),
            "aws:SecureTransport": "true",
            "aws:RequestedRegion": self.account.region,
        }

    def answer(
        self, service: str, operation: str, params: Mapping[str, Any], principal: Principal
    ) -> dict[str, Any] | None:
        """The lab's own answer to an authorized call, or None to let moto answer."""
        answerer = self.answerers.get(service)
        return answerer.answer(operation, params, principal) if answerer else None

    def before_moto(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        """Prepare moto for an authorized call: AWS managed policies exist in every account."""
        if service == "iam" and operation in (
            "AttachRolePolicy",
            "AttachUserPolicy",
            "PutRolePermissionsBoundary",
            "GetPolicy",
            "GetPolicyVersion",
        ):
            arn = str(params.get("PolicyArn") or params.get("PermissionsBoundary") or "")
            if arn.startswith("arn:aws:iam::aws:policy/"):
                with suppress(UnknownManagedPolicy):  # else IAM's own NoSuchEntity answers
                    self.attach_managed_policy_support(arn)

    def attach_managed_policy_support(self, name_or_arn: str) -> str:
        """Load one AWS managed policy into IAM (they are not loaded up front: ~0.7 s)."""
        policy = managed_policy(name_or_arn)
        self.account.add_aws_managed_policy(
            policy.arn,
            policy.name,
            policy.version_id,
            policy.path,
            policy.document,
            _iso(policy.updated),
        )
        return policy.arn


class Clients:
    """``clients.client("s3")``: cached clients for one set of keys."""

    def __init__(self, world: World, access_key: str, secret_key: str) -> None:
        self._world, self._keys = world, (access_key, secret_key)

    def client(self, service: str) -> Any:
        return self._world.client(*self._keys, service)


def _iso(value: str | None) -> str:
    return value or "2015-02-06T18:39:46+00:00"


def _quiet_moto_policy_validation():
    """The gate validates policy documents with ecslab.iam (IAM's rules, richer messages);
    moto's own validator is switched off while a world is open so the two never disagree."""
    from moto.iam import models

    patches = [
        mock.patch.object(models.IAMPolicyDocumentValidator, "validate", lambda self: None),
        mock.patch.object(models.IAMTrustPolicyDocumentValidator, "validate", lambda self: None),
    ]
    for patch in patches:
        patch.start()

    def undo() -> None:
        for patch in reversed(patches):
            patch.stop()

    return undo


def open_world() -> World | None:
    return _OPEN[-1] if _OPEN else None


def as_json(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)
