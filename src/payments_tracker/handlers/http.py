"""What every route of the api shares: the caller and the request id, JSON answers, and the
pieces of the OpenAPI document (the edge's errors, the body's errors, success shapes)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseHeader,
)
from pydantic import BaseModel

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from payments_tracker.handlers.models import Problem
from payments_tracker.handlers.problems import PROBLEM_CONTENT_TYPE
from payments_tracker.handlers.requests import MAX_BODY_BYTES, read_json_object

RETRY_AFTER_SECONDS = 1
F = TypeVar("F", bound=Callable[..., Any])


def documented(spec: Callable[..., Any]) -> Callable[[F], F]:
    """Give a route the signature of `spec`, so the OpenAPI document shows its typed inputs.

    The route itself reads and checks the request with the domain's rules (one pass, naming each
    rule), which is about twice as cheap as Powertools' validation of the same models.
    """

    def decorate(route: F) -> F:
        route.__signature__ = inspect.signature(spec)  # type: ignore[attr-defined]
        return route

    return decorate


def json_response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(status, "application/json", json.dumps(body, ensure_ascii=False), headers)


def _header(description: str, schema: dict[str, Any]) -> OpenAPIResponseHeader:
    return {"description": description, "schema": schema}


_ALLOW_ORIGIN = _header(
    "The request's `Origin`, when it is one of the allowed origins (CORS)",
    {"type": "string", "format": "uri", "maxLength": 2048},
)
_RETRY_AFTER = _header(
    "Seconds to wait before a retry",
    {"type": "integer", "format": "int32", "minimum": 1, "maximum": 60},
)


def problem_response(description: str, *, retry_after: bool = False) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"model": Problem}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": _RETRY_AFTER,
            "Access-Control-Allow-Origin": _ALLOW_ORIGIN,
        }
    return response


def ok_response(
    description: str, model: type[BaseModel], *, location: bool = False
) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": model}},
    }
    if location:
        response["headers"] = {
            "Location": _header(
                "The payment's URL path (`/v1/payments/<paymentId>` on AWS)",
                {"type": "string", "format": "uri-reference", "maxLength": 256},
            ),
            "Access-Control-Allow-Origin": _ALLOW_ORIGIN,
        }
    return response


EDGE_ERRORS: dict[int, OpenAPIResponse] = {
    400: problem_response("A request the gateway refuses before the API reads it"),
    401: problem_response(
        "No or invalid access token (answered by the gateway), or the account was closed"
    ),
    403: problem_response(
        "The token does not grant this route, or the web application firewall blocked the "
        "request (a managed rule or a rate rule; answered by the gateway)"
    ),
    413: problem_response("Request over API Gateway's 10 MB payload limit (answered by it)"),
    429: problem_response(
        "Over the stage's request rate or burst (API Gateway throttling): retry later"
    ),
    500: problem_response("Internal error: quote the `instance` (the request id)"),
    502: problem_response("The API function failed to answer (answered by the gateway)"),
    503: problem_response(
        "The token cannot be checked now, or storage is unavailable: nothing was done; retry "
        "after `Retry-After` seconds",
        retry_after=True,
    ),
    504: problem_response("The API function did not answer within 29 s (answered by the gateway)"),
}
"""What any operation can answer besides its own errors: the gateway's responses
(gateway_responses.py: 401, 403, 413, 429, 503, and DEFAULT_4XX/5XX with the gateway's own status,
400, 500, 502, 504) and the handler's own 500 and 503. A gateway 404 (unknown route) and 415
(passthrough only; a proxy integration has none) never answer a declared operation."""

BODY_ERRORS: dict[int, OpenAPIResponse] = {
    400: problem_response("Malformed or ambiguous JSON (NaN, duplicate keys, not UTF-8)"),
    413: problem_response(f"Body over {MAX_BODY_BYTES} bytes (8 KiB)"),
    415: problem_response("A body whose media type is not application/json (UTF-8)"),
    422: problem_response("A rule of a field is broken; `errors` names each"),
}
"""The answers to a JSON body that cannot be read (handlers/requests.py)."""


def responses(
    success: dict[int, OpenAPIResponse], errors: dict[int, OpenAPIResponse] | None = None
) -> dict[int, OpenAPIResponse]:
    """An operation's responses: its successes, the edge's errors and its own, by status."""
    return dict(sorted({**success, **EDGE_ERRORS, **(errors or {})}.items()))


def proxy_event(router: Router | ApiGatewayResolver) -> APIGatewayProxyEvent:
    """The REST API's event being answered (a router's `current_event` is typed as any proxy's)."""
    return cast("APIGatewayProxyEvent", router.current_event)


def json_body(router: Router | ApiGatewayResolver) -> dict[str, Any]:
    """The request's JSON object, read strictly (handlers/requests.py), or RequestRejected."""
    event = proxy_event(router)
    return read_json_object(
        event.headers.get("content-type"), event.body, bool(event.is_base64_encoded)
    )


def caller(router: Router | ApiGatewayResolver) -> str:
    """The caller's Cognito `sub`, put in the request context by the authorizer."""
    authorizer = proxy_event(router).request_context.authorizer
    return str(authorizer.get("sub") or "")


def request_id(router: Router | ApiGatewayResolver) -> str:
    """API Gateway's id of the request: the `instance` of a problem."""
    return str(proxy_event(router).request_context.request_id)
