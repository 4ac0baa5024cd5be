"""Shortcuts through moto's request path that change no answer, only how fast it comes.

Every AWS call a task makes goes through moto in this process (a dozen per task, and moto looks a
backend up ~120 times to answer them). Each shortcut here is installed once per process by
:func:`install` (from ``ecslab.cloud.world.prepare_moto``), keeps moto's own checks, and says why
it returns exactly what moto would. See benchmarks/lifecycle.py for what they save.
"""

from __future__ import annotations

import re
from typing import Any

# moto's route for each URL seen since the world opened: clean URL -> (the services whose URL
# patterns matched it, in moto's order; the handler that answers it). Cleared by clear_routes().
_ROUTES: dict[str, tuple[tuple[str, ...], Any]] = {}
_ROUTES_LIMIT = 4096  # S3 object URLs are many: the cache starts again rather than grow


def install() -> None:
    _backend_lookup()
    _route_cache()


def clear_routes() -> None:
    """Forget every route: a new world's moto starts with no backends (see :func:`_route_cache`)."""
    _ROUTES.clear()


def _backend_lookup() -> None:
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


def _route_cache() -> None:
    """moto finds which handler answers a request by matching its URL against every service's
    URL pattern (~150 regular expressions), then building that service's URL table and compiling
    each entry until one matches — for every request, though the same few URLs come back on
    every task. Here the route found for a URL is kept until the next world opens
    (:func:`clear_routes`): the patterns and tables depend only on moto's modules and the S3
    custom-endpoint setting, which a world does not change. moto's checks still run on every
    request, in moto's order: the passthrough URLs, then for each service whose pattern matched
    the passthrough services and the service whitelist. The first lookup of a URL goes moto's
    way, including its side effect (it creates the default account's backend for the service),
    so nothing moto creates is skipped; a URL no handler answers is never cached."""
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
