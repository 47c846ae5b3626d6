"""The local API Gateway (docs/design.md §3): REST API stage v1 in front of the
same Lambda handlers.

`python -m payments_tracker.local.gateway --port 3000 --workers 4` serves http://127.0.0.1:3000 as a
stand-in for https://…/v1. Dev tooling only: production never imports this module.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import logging
import os
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from payments_tracker.composition.settings import Settings, get_settings
from payments_tracker.edge.cors import cors_headers, preflight_headers
from payments_tracker.edge.gateway_responses import (
    GATEWAY_RESPONSES,
    REQUEST_ID_HEADER,
    ResponseType,
    gateway_problem,
)
from payments_tracker.edge.problems import PROBLEM_CONTENT_TYPE
from payments_tracker.local.invokers import FunctionName, Invocation, Invoker, ProcessPoolInvoker
from payments_tracker.local.proxy import (
    MAX_REQUEST_BODY_BYTES,
    AuthorizerGrant,
    GatewayRequest,
    MalformedResultError,
    ProxyResponse,
    RouteMatch,
    authorizer_request_context,
    build_authorizer_event,
    build_proxy_event,
    match_route,
    method_arn,
    parse_authorizer_result,
    parse_proxy_response,
    policy_allows,
    resource_methods,
)
from payments_tracker.observability import stack_frames

AUTHORIZER_CACHE_TTL_SECONDS: Final = 60.0
"""API Gateway's authorizer result TTL as docs/design.md §2 sets it; the cache ignores
the token's `exp`."""

log = logging.getLogger("payments_tracker.local.gateway")


class TooLargeError(Exception):
    """The request body is over API Gateway's limit."""


class GatewayError(Exception):
    """The gateway answers with one of its own responses instead of calling the integration."""

    def __init__(self, response_type: ResponseType, status: int | None = None) -> None:
        """An answer of this gateway response type (and, for DEFAULT_*, this status)."""
        super().__init__(response_type)
        self.response_type = response_type
        self.status = status


@dataclass
class _CachedGrant:
    grant: AuthorizerGrant
    expires_at: float


class AuthorizerCache:
    """Authorizer results by token for a fixed TTL, as API Gateway caches them (Allow or Deny)."""

    def __init__(
        self,
        ttl_seconds: float = AUTHORIZER_CACHE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        """An empty cache whose entries live `ttl_seconds` by `clock`."""
        self._ttl = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _CachedGrant] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        # Keyed by a digest so the cache never holds a usable token.
        return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()

    def get(self, token: str) -> AuthorizerGrant | None:
        """The cached result for this token, if it is younger than the TTL."""
        key = self._key(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            del self._entries[key]
            return None
        return entry.grant

    def put(self, token: str, grant: AuthorizerGrant) -> None:
        """Remember the authorizer's result for this token for one TTL."""
        key = self._key(token)
        self._entries[key] = _CachedGrant(grant, self._clock() + self._ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


def _problem(request_id: str, response_type: ResponseType, status: int | None) -> ProxyResponse:
    body = gateway_problem(response_type, request_id, status)
    return ProxyResponse(
        status=body["status"],
        headers=[("Content-Type", PROBLEM_CONTENT_TYPE), *GATEWAY_RESPONSES[response_type].headers],
        body=json.dumps(body).encode("utf-8"),
    )


def _with_gateway_headers(
    response: ProxyResponse, cors: dict[str, str], request_id: str
) -> list[tuple[bytes, bytes]]:
    """The response's headers with CORS and the request id, as the client will receive them."""
    # On AWS a proxy integration's CORS headers pass through untouched (the api handler sets them);
    # the gateway's own answers carry the gateway responses' CORS headers.
    handler_cors = response.from_integration and any(
        name.lower().startswith("access-control-") for name, _ in response.headers
    )
    if response.from_integration and not handler_cors and "Access-Control-Allow-Origin" in cors:
        log.warning(
            "api handler sent no CORS headers for an allowed Origin; the gateway adds them here,"
            " but on AWS a browser would refuse this response requestId=%s",
            request_id,
        )
    vary: list[str] = []
    headers: list[tuple[str, str]] = []
    for name, value in response.headers:
        lowered = name.lower()
        if lowered == REQUEST_ID_HEADER.lower():
            continue
        if lowered.startswith("access-control-") and not handler_cors:
            continue
        if lowered == "vary":
            vary.extend(part.strip() for part in value.split(",") if part.strip())
            continue
        headers.append((name, value))
    for name, value in cors.items():
        if name == "Vary":
            if value.lower() not in {part.lower() for part in vary}:
                vary.append(value)
        elif not handler_cors:
            headers.append((name, value))
    if vary:
        headers.append(("Vary", ", ".join(vary)))
    headers.append((REQUEST_ID_HEADER, request_id))
    headers.append(("Content-Length", str(len(response.body))))
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLargeError
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        # Some servers leave the query string in raw_path; API Gateway's `path` never has it.
        return raw.decode("latin-1").split("?", 1)[0]
    return str(request.scope["path"])


class LocalGateway:
    """Routing, authorization, proxy event and error answers of API Gateway for one HTTP request."""

    def __init__(
        self,
        settings: Settings,
        invoker: Invoker,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_body_bytes: int = MAX_REQUEST_BODY_BYTES,
    ) -> None:
        """A gateway in front of `invoker`'s handlers, configured from `settings`."""
        self.settings = settings
        self.invoker = invoker
        self.cache = AuthorizerCache(clock=clock)
        self._clock = clock
        self._wall_clock = wall_clock
        self._max_body_bytes = max_body_bytes

    async def handle(self, request: Request) -> Response:
        """Answer one HTTP request as API Gateway would."""
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        origin = request.headers.get("origin")
        path = _raw_path(request)
        cors = cors_headers(origin, self.settings.cors_allowed_origins)
        try:
            response = await self._answer(request, path, request_id)
            if request.method == "OPTIONS":
                cors = preflight_headers(
                    origin, self.settings.cors_allowed_origins, resource_methods(path)
                )
        except GatewayError as refusal:
            response = _problem(request_id, refusal.response_type, refusal.status)
        except Exception as failure:
            log.error(
                "gateway failure %s requestId=%s\n%s",
                type(failure).__name__,
                request_id,
                stack_frames(failure),
            )
            response = _problem(request_id, "DEFAULT_5XX", 500)
        try:
            raw_headers = _with_gateway_headers(response, cors, request_id)
        except UnicodeEncodeError:
            log.error("api handler returned a header that is not Latin-1 requestId=%s", request_id)
            response = _problem(request_id, "DEFAULT_5XX", 502)
            raw_headers = _with_gateway_headers(response, cors, request_id)
        reply = Response(content=response.body, status_code=response.status)
        reply.raw_headers = raw_headers
        # `integration=-` when the api function was never invoked (API Gateway's access log has
        # the same: `$context.integration.status` is empty when no integration ran).
        log.info(
            "%s %s %d %.0fms requestId=%s integration=%s",
            request.method,
            path,
            response.status,
            (time.perf_counter() - started) * 1000,
            request_id,
            "api" if getattr(request.state, "api_invoked", False) else "-",
        )
        return reply

    async def _answer(self, request: Request, path: str, request_id: str) -> ProxyResponse:
        if request.method == "OPTIONS":
            if not resource_methods(path):
                raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
            # API Gateway's mock integration for CORS preflight: no authorizer, no Lambda.
            return ProxyResponse(status=204, headers=[], body=b"")
        match = match_route(request.method, path)
        if match is None:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN")
        try:
            body = await _read_body(request, self._max_body_bytes)
        except TooLargeError:
            raise GatewayError("REQUEST_TOO_LARGE") from None
        authorizer = None
        if match.authenticated:
            authorizer = await self._authorize(request, match, path)
        gateway_request = GatewayRequest(
            method=request.method,
            path=path,
            query_string=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in request.scope["headers"]
            ],
            body=body,
            source_ip=request.client.host if request.client else "127.0.0.1",
            protocol=f"HTTP/{request.scope.get('http_version', '1.1')}",
        )
        event = build_proxy_event(
            gateway_request,
            match,
            request_id=request_id,
            received_at=self._wall_clock(),
            authorizer=authorizer,
        )
        request.state.api_invoked = True
        invocation = await self._invoke("api", event, timeout_status=504)
        if invocation.failed:
            raise GatewayError("DEFAULT_5XX", 502)  # API Gateway: Lambda error → 502
        try:
            return parse_proxy_response(invocation.result)
        except MalformedResultError as error:
            log.error("malformed Lambda proxy response (%s) requestId=%s", error, request_id)
            raise GatewayError("DEFAULT_5XX", 502) from None

    async def _invoke(
        self, function: FunctionName, event: dict[str, Any], timeout_status: int
    ) -> Invocation:
        try:
            return await self.invoker.invoke(function, event)
        except TimeoutError:
            log.error("%s handler timed out", function)
            raise GatewayError("DEFAULT_5XX", timeout_status) from None

    async def _authorize(self, request: Request, match: RouteMatch, path: str) -> dict[str, Any]:
        token = request.headers.get("authorization", "")
        if not token.strip():
            raise GatewayError("UNAUTHORIZED")  # identity source missing: authorizer not called
        arn = method_arn(self.settings.aws_region, match.route.method, path)
        grant = self.cache.get(token)
        latency_ms = 0
        if grant is None:
            started = self._clock()
            invocation = await self._invoke(
                "authorizer", build_authorizer_event(token, arn), timeout_status=500
            )
            latency_ms = int((self._clock() - started) * 1000)
            if invocation.failed:
                if invocation.error_message == "Unauthorized":
                    raise GatewayError("UNAUTHORIZED")
                # Any other error: the authorizer could not decide (503 + Retry-After).
                raise GatewayError("AUTHORIZER_FAILURE")
            try:
                grant = parse_authorizer_result(invocation.result)
            except MalformedResultError as error:
                log.error("authorizer returned a malformed result: %s", error)
                raise GatewayError("DEFAULT_5XX", 500) from None  # AUTHORIZER_CONFIGURATION_ERROR
            self.cache.put(token, grant)
        if not policy_allows(grant.policy, arn):
            raise GatewayError("ACCESS_DENIED")
        return dict(authorizer_request_context(grant, latency_ms))


def create_app(
    settings: Settings,
    invoker: Invoker,
    *,
    clock: Callable[[], float] = time.monotonic,
    max_body_bytes: int = MAX_REQUEST_BODY_BYTES,
    on_startup: Callable[[], object] | None = None,
    on_shutdown: Callable[[], object] | None = None,
) -> Starlette:
    """The ASGI app: every method and path goes through one LocalGateway."""
    gateway = LocalGateway(settings, invoker, clock=clock, max_body_bytes=max_body_bytes)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if isinstance(invoker, ProcessPoolInvoker):
            await invoker.start()
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                on_shutdown()
            if isinstance(invoker, ProcessPoolInvoker):
                invoker.shutdown()

    async def every_request(scope: Scope, receive: Receive, send: Send) -> None:
        response = await gateway.handle(Request(scope, receive))
        await response(scope, receive, send)

    # No Starlette route at all: every method and path (even one with a newline, which a Mount's
    # `.*` would not match) reaches the gateway, so routing and its problem+json 404 are its own.
    app = Starlette(routes=[], lifespan=lifespan)
    app.router.default = every_request
    app.router.redirect_slashes = False
    app.state.gateway = gateway
    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m payments_tracker.local.gateway",
        description="API Gateway (REST, stage v1) stand-in for the local stack; loopback only.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes, each one warm Lambda instance (default: one per core)",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    return parser.parse_args(argv)


def main(argv: Iterable[str] | None = None) -> None:
    """Run the local gateway until SIGINT or SIGTERM."""
    import uvicorn  # noqa: PLC0415 - the app factory and the tests need no server

    args = _parse_args(list(argv) if argv is not None else None)
    if not _is_loopback(args.host):
        sys.exit(f"refusing to bind {args.host}: the local gateway listens on loopback only")
    if args.workers < 1:
        sys.exit("--workers must be at least 1")
    logging.basicConfig(level=args.log_level.upper(), format="%(message)s")
    invoker = ProcessPoolInvoker(args.workers)
    app = create_app(
        get_settings(),
        invoker,
        on_startup=lambda: log.info(
            "local gateway: %d worker process(es) ready on http://%s:%d",
            args.workers,
            args.host,
            args.port,
        ),
    )
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
