"""The routes of API v1 (DESIGN §5): one list for the api handler, the local gateway and infra/.

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
    Route("DELETE", "/payments/{paymentId}"),
    Route("GET", "/reports/{month}"),
    Route("GET", "/consent"),
    Route("PUT", "/consent"),
)
"""Authenticated routes."""

LOCAL_ONLY_ROUTES: tuple[Route, ...] = (Route("GET", "/swagger"),)
"""Served by the local gateway only, unauthenticated; never deployed to AWS."""
