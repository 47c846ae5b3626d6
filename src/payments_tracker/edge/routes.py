"""The routes of API v1 (docs/design.md §5): one list for the api handler, the
local gateway and infra/.

A request whose method and path match none of these is answered 404 by the gateway itself
(API Gateway's MISSING_AUTHENTICATION_TOKEN, remapped), before any authorizer or handler runs.
"""

from __future__ import annotations

from typing import NamedTuple


class Route(NamedTuple):
    """One API Gateway resource path (with `{param}` placeholders) and one method on it."""

    method: str
    resource: str


API_ROUTES: tuple[Route, ...] = (
    Route("POST", "/payments"),
    Route("GET", "/payments"),
    Route("GET", "/payments/{paymentId}"),
    Route("POST", "/payments/{paymentId}/void"),
    Route("GET", "/reports/{month}"),
    Route("GET", "/consent"),
    Route("PUT", "/consent"),
    Route("GET", "/commitments"),
    Route("PATCH", "/commitments/{commitmentId}"),
    Route("POST", "/commitments/{commitmentId}/merge"),
    Route("GET", "/commitments/{commitmentId}/months"),
)
"""Authenticated routes."""

LOCAL_ONLY_ROUTES: tuple[Route, ...] = (Route("GET", "/swagger"),)
"""Served by the local gateway only, unauthenticated; never deployed to AWS."""

BINARY_MEDIA_TYPES: tuple[str, ...] = ("*/*",)
"""The REST API's `binaryMediaTypes`, set by infra/ and followed by the local gateway.

Without it API Gateway hands a Lambda proxy integration every body as text, decoded as UTF-8, so
bytes that are not UTF-8 would reach the api handler already altered (it could not tell them from
what the client sent). With `*/*` every request body, whatever its Content-Type, arrives
base64-encoded with `isBase64Encoded: true` and byte for byte as sent: the handler decodes base64
and then UTF-8 strictly (400 problem+json `body`/`utf-8` on JSON routes), and a route that takes a
file in another encoding (a statement upload) gets its bytes intact. Responses are unaffected: the
handler returns text with `isBase64Encoded: false`, which API Gateway passes through as it is. The
CORS preflight's mock integration must then convert its (binary) request to text (infra/).
"""
