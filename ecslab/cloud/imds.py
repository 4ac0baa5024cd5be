"""The EC2 instance metadata service (IMDS), as a container on an EC2 container instance sees it.

On an EC2 instance, ``http://169.254.169.254`` answers the instance's metadata, and under
``/latest/meta-data/iam/security-credentials/<role>`` the credentials of the role in its
instance profile (the EC2 user guide, "Retrieve security credentials from instance metadata":
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html).
The SDKs' default credential chain asks it last, after the container credentials endpoint: an app
in a task *without* a task role therefore answers as the instance role
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html; AWS re:Post,
"If a task can't find the IAM task role ... the task uses the Amazon EC2 instance role":
https://repost.aws/knowledge-center/ecs-iam-task-roles-config-errors).

ecslab serves it on 127.0.0.1 (a loopback server like the container credentials endpoint's, see
:mod:`ecslab.cloud.endpoint`), one path per container run, and points botocore at it with
``AWS_EC2_METADATA_SERVICE_ENDPOINT`` inside that container's environment only — the notebook and
Fargate tasks keep ``AWS_EC2_METADATA_DISABLED=true``. botocore's own ``InstanceMetadataFetcher``
does the rest, exactly as on EC2.

What is simulated, after the EC2 user guide ("Use the Instance Metadata Service",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html,
and "Instance metadata options",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html):

- IMDSv2: ``PUT /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds`` (400 without
  it), then ``GET`` with ``X-aws-ec2-metadata-token`` (401 with a token that is not valid);
- IMDSv1 (a ``GET`` without a token) answers only when the instance's ``HttpTokens`` is
  ``optional``; when it is ``required``, 401 Unauthorized;
- the PUT response hop limit (``HttpPutResponseHopLimit``): "In a container environment, if the
  hop limit is 1, the IMDSv2 response does not return because going to the container is
  considered an additional network hop" (ibid.). The SDK then falls back to IMDSv1;
- a blocked route (``ECS_AWSVPC_BLOCK_IMDS``, or the iptables DROP rule the ECS guide gives for
  bridge mode): nothing answers at all.

Not faithful: where AWS drops packets (a response over the hop limit, a blocked route) the SDK
waits for its one-second timeout; here the server closes the connection at once. botocore treats
both as a retryable connection failure, so the outcome — IMDSv1 fallback, or no credentials — is
the same, only without the wait. Only the credential paths and ``instance-id`` are served; every
other metadata path is 404.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

from ecslab.cloud.endpoint import LoopbackServer

CREDENTIAL_LIFETIME = timedelta(hours=6)
_CREDENTIALS_PATH = "latest/meta-data/iam/security-credentials/"


@dataclass
class MetadataRoute:
    """What one container reaches at its metadata endpoint."""

    instance_id: str
    role_name: str | None
    credentials: tuple[str, str, str] | None
    http_tokens: str = "required"  # "required" (IMDSv2 only) or "optional"
    hop_limit: int = 2
    hops: int = 2  # network hops from the container to the instance's IMDS
    blocked: bool = False
    tokens: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, int | None]] = field(default_factory=list)


class _Server(LoopbackServer):
    """The instance metadata service's server, answering the routes a lab issued."""

    METHODS = ("GET", "PUT")
    THREAD = "ecslab-imds"

    def __init__(self) -> None:
        self.routes: dict[str, MetadataRoute] = {}
        super().__init__()

    def answer(self, request: BaseHTTPRequestHandler, method: str) -> None:
        _empty, prefix, path = [*request.path.split("/", 2), "", ""][:3]
        route = self.routes.get(prefix)
        if route is None:
            _send(request, 404, "Not Found")
            return
        if route.blocked:
            route.requests.append((method, path, None))
            _drop(request)
            return
        status = self._status(request, method, path, route)
        route.requests.append((method, path, status[0] if status else None))
        if status is None:
            _drop(request)
        else:
            _send(request, *status)

    @staticmethod
    def _status(
        request: BaseHTTPRequestHandler, method: str, path: str, route: MetadataRoute
    ) -> tuple[int, str] | None:
        if method == "PUT":
            if path != "latest/api/token":
                return 405, "Method Not Allowed"
            if not request.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return 400, "Bad Request"
            if route.hops > route.hop_limit:
                return None  # the response does not come back over the extra hop
            token = secrets.token_urlsafe(32)
            route.tokens.add(token)
            return 200, token
        token = request.headers.get("X-aws-ec2-metadata-token")
        if token is not None and token not in route.tokens:
            return 401, "Unauthorized"
        if token is None and route.http_tokens == "required":
            return 401, "Unauthorized"
        if path == "latest/meta-data/instance-id":
            return 200, route.instance_id
        if path == _CREDENTIALS_PATH and route.role_name:
            return 200, route.role_name
        if path == _CREDENTIALS_PATH + str(route.role_name) and route.credentials:
            access_key, secret_key, session_token = route.credentials
            now = datetime.now(timezone.utc)  # botocore checks Expiration against real time
            return 200, json.dumps(
                {
                    "Code": "Success",
                    "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "Type": "AWS-HMAC",
                    "AccessKeyId": access_key,
                    "SecretAccessKey": secret_key,
                    "Token": session_token,
                    "Expiration": (now + CREDENTIAL_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
        return 404, "Not Found"


def _send(request: BaseHTTPRequestHandler, status: int, text: str) -> None:
    payload = text.encode()
    request.send_response(status)
    request.send_header("Content-Type", "text/plain")
    request.send_header("Content-Length", str(len(payload)))
    request.end_headers()
    request.wfile.write(payload)


def _drop(request: BaseHTTPRequestHandler) -> None:
    """No answer: the connection closes (where AWS would let the request time out)."""
    request.close_connection = True


class InstanceMetadataService:
    """One lab's metadata routes on the loopback server, each for one container run."""

    def __init__(self) -> None:
        self._prefixes: set[str] = set()

    def issue(self, route: MetadataRoute) -> dict[str, str]:
        """Serve ``route``; returns the container's environment variables that lead botocore
        to it."""
        server = _Server.get()
        prefix = secrets.token_hex(16)
        server.routes[prefix] = route
        self._prefixes.add(prefix)
        return {
            "AWS_EC2_METADATA_DISABLED": "false",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{server.port}/{prefix}/",
        }

    def revoke(self, environment: dict[str, str]) -> None:
        endpoint = environment.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "")
        prefix = endpoint.rstrip("/").rsplit("/", 1)[-1]
        if prefix in self._prefixes:
            self._prefixes.discard(prefix)
            _Server.get().routes.pop(prefix, None)

    def stop(self) -> None:
        routes = _Server.get().routes if self._prefixes else {}
        for prefix in self._prefixes:
            routes.pop(prefix, None)
        self._prefixes.clear()
