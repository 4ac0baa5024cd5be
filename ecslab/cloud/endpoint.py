"""The container credentials endpoint: how an app in a task gets its task role, the real way.

On ECS, the agent serves each task's role credentials over HTTP and tells the container where, in
``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (or ``..._FULL_URI`` plus
``AWS_CONTAINER_AUTHORIZATION_TOKEN``); the SDK's credential chain finds them there by itself
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html). ecslab
does the same on 127.0.0.1, on a port the operating system picks, behind a bearer token per
container run: plain ``boto3.client(...)`` inside the app resolves the task role through
botocore's own ``ContainerProvider``. The standard library's HTTP server is enough for one
loopback client.

Tokens and secrets are never logged or printed; the server answers only paths a live lab issued,
and a container's path only while its program runs.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CREDENTIAL_LIFETIME = timedelta(hours=6)


class LoopbackServer:
    """One loopback HTTP server per process and subclass, started on first use and left running
    (a daemon thread): starting and shutting down a server per lab would cost each new lab half a
    second, waiting for ``serve_forever``'s poll. A subclass answers the ``METHODS`` it serves in
    :meth:`answer`, and only paths a live lab has issued. Used by this module (the container
    credentials endpoint) and :mod:`ecslab.cloud.imds` (the instance metadata service)."""

    METHODS: tuple[str, ...] = ("GET",)
    THREAD = "ecslab-loopback"
    _lock = threading.Lock()
    _instance: Any = None  # each subclass's own, set by get()

    def __init__(self) -> None:
        handlers: dict[str, Any] = {f"do_{m}": self._handler(m) for m in self.METHODS}
        # HTTP/1.1 keeps a client's connection open between requests (every answer states its
        # Content-Length): the SDK's fetcher, reused from task to task, asks again on the same
        # connection instead of connecting anew and waiting for a new handler thread.
        handlers["protocol_version"] = "HTTP/1.1"
        # An answer is sent as headers, then body: without TCP_NODELAY the body would wait for
        # the client's delayed acknowledgement of the headers (~40 ms) on a kept-open connection.
        handlers["disable_nagle_algorithm"] = True
        # nothing about requests (and their tokens) goes to stderr
        handlers["log_message"] = lambda request, format, *args: None
        handler = type("Handler", (BaseHTTPRequestHandler,), handlers)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, name=self.THREAD, daemon=True).start()

    def _handler(self, method: str) -> Any:
        return lambda request: self.answer(request, method)

    @classmethod
    def get(cls) -> Any:
        with cls._lock:
            if cls.__dict__.get("_instance") is None:
                cls._instance = cls()
            return cls._instance

    def answer(self, request: BaseHTTPRequestHandler, method: str) -> None:
        raise NotImplementedError


class _Server(LoopbackServer):
    """The container credentials endpoint's server."""

    THREAD = "ecslab-credentials"

    def __init__(self) -> None:
        self.issued: dict[str, tuple[CredentialsEndpoint, str, dict[str, str]]] = {}
        super().__init__()

    def answer(self, request: BaseHTTPRequestHandler, method: str) -> None:
        issued = self.issued.get(request.path)
        if issued is None:
            _send(request, 404, {"code": "NotFound", "message": "No credentials here."})
            return
        owner, bearer, credentials = issued
        if request.headers.get("Authorization") != bearer:
            _send(
                request,
                403,
                {"code": "AccessDenied", "message": "Missing or wrong authorization token."},
            )
            return
        owner.requests_served += 1
        _send(request, 200, credentials)


def _send(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(payload)))
    request.end_headers()
    request.wfile.write(payload)


class CredentialsEndpoint:
    """A lab's credentials on the loopback server, each path for whoever holds its token."""

    def __init__(self) -> None:
        self._paths: set[str] = set()
        self.requests_served = 0

    def issue(self, access_key: str, secret_key: str, token: str, role_arn: str) -> dict[str, str]:
        """Serve these credentials; returns the container's environment variables for them."""
        server = _Server.get()
        path = f"/v2/credentials/{secrets.token_hex(16)}"
        bearer = secrets.token_urlsafe(32)
        # botocore checks Expiration against the real clock, so it is real time (never shown).
        expiration = datetime.now(timezone.utc) + CREDENTIAL_LIFETIME
        server.issued[path] = (
            self,
            bearer,
            {
                "AccessKeyId": access_key,
                "SecretAccessKey": secret_key,
                "Token": token,
                "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "RoleArn": role_arn,
            },
        )
        self._paths.add(path)
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{server.port}{path}",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": bearer,
        }

    def revoke(self, environment: dict[str, str]) -> None:
        """Stop serving the credentials ``issue`` returned these variables for."""
        uri = environment.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
        path = "/" + uri.split("/", 3)[-1] if uri.count("/") >= 3 else ""
        if path in self._paths:
            self._paths.discard(path)
            _Server.get().issued.pop(path, None)

    def revoke_all(self) -> None:
        if self._paths:
            issued = _Server.get().issued
            for path in self._paths:
                issued.pop(path, None)
            self._paths.clear()

    def stop(self) -> None:
        """The lab is closing: none of its credentials are served any more."""
        self.revoke_all()
