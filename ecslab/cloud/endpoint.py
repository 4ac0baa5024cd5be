"""The container credentials endpoint: how an app in a task gets its task role, the real way.

On ECS, the agent serves each task's role credentials over HTTP and tells the container where, in
``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (or ``..._FULL_URI`` plus
``AWS_CONTAINER_AUTHORIZATION_TOKEN``); the SDK's credential chain finds them there by itself
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html). ecslab
does the same on 127.0.0.1, on a port the operating system picks, behind a bearer token: plain
``boto3.client(...)`` inside the app resolves the task role through botocore's own
``ContainerProvider``. The standard library's HTTP server is enough for one loopback client.

Tokens and secrets are never logged or printed; the server answers only the paths it issued.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CREDENTIAL_LIFETIME = timedelta(hours=6)


class CredentialsEndpoint:
    """A loopback HTTP server handing out role-session credentials to whoever holds the token."""

    def __init__(self) -> None:
        self._issued: dict[str, tuple[str, dict[str, str]]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests_served = 0

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                endpoint._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                return  # nothing about requests (and their tokens) goes to stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ecslab-credentials", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._server = None
        self._thread = None
        self._issued.clear()

    def issue(self, access_key: str, secret_key: str, token: str, role_arn: str) -> dict[str, str]:
        """Serve these credentials; returns the container's environment variables for them."""
        self.start()
        assert self._server is not None
        path = f"/v2/credentials/{secrets.token_hex(16)}"
        bearer = secrets.token_urlsafe(32)
        # botocore checks Expiration against the real clock, so it is real time (never shown).
        expiration = datetime.now(timezone.utc) + CREDENTIAL_LIFETIME
        self._issued[path] = (
            bearer,
            {
                "AccessKeyId": access_key,
                "SecretAccessKey": secret_key,
                "Token": token,
                "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "RoleArn": role_arn,
            },
        )
        port = self._server.server_address[1]
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{port}{path}",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": bearer,
        }

    def revoke_all(self) -> None:
        self._issued.clear()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        issued = self._issued.get(request.path)
        if issued is None:
            self._send(request, 404, {"code": "NotFound", "message": "No credentials here."})
            return
        bearer, credentials = issued
        if request.headers.get("Authorization") != bearer:
            self._send(
                request,
                403,
                {"code": "AccessDenied", "message": "Missing or wrong authorization token."},
            )
            return
        self.requests_served += 1
        self._send(request, 200, credentials)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
