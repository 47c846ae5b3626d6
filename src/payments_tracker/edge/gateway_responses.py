"""API Gateway's own error answers (docs/design.md §2) as RFC 9457 problem+json: one
table, infra and local.

The CDK app turns each entry into a gateway response (status code, `Content-Type` and a body
template whose `instance` is `$context.requestId`); the local gateway answers with the same bodies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal, NamedTuple

from payments_tracker.edge.problems import PROBLEM_TYPE_PREFIX, problem_body

REQUEST_ID_HEADER: Final = "x-amzn-RequestId"
"""API Gateway sends the request id in this header on every response."""
AUTHORIZER_RETRY_AFTER_SECONDS: Final = 5
"""`Retry-After` of AUTHORIZER_FAILURE: the authorizer's longest wait before it retries a failed
JWKS fetch (`adapters/jwt/jwks.py`), so a retry after it finds the keys if the IdP is back."""

ResponseType = Literal[
    "UNAUTHORIZED",
    "AUTHORIZER_FAILURE",
    "ACCESS_DENIED",
    "MISSING_AUTHENTICATION_TOKEN",
    "THROTTLED",
    "REQUEST_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "WAF_FILTERED",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
]


class GatewayResponse(NamedTuple):
    """One gateway response: its status, the fixed members of its problem body, its own headers.

    `headers` are fixed values sent besides `Content-Type` and the CORS headers (e.g. Retry-After).
    """

    status: int
    type: str
    title: str
    detail: str
    headers: tuple[tuple[str, str], ...] = ()


GATEWAY_RESPONSES: Final[Mapping[ResponseType, GatewayResponse]] = {
    "UNAUTHORIZED": GatewayResponse(
        401,
        "/problems/unauthorized",
        "Unauthorized",
        "A valid bearer access token is required in the Authorization header.",
    ),
    # The authorizer raised something other than `Unauthorized`: it could not decide (no signing
    # key while the JWKS is unreachable, or it crashed). No verdict on the token, so not a 401.
    "AUTHORIZER_FAILURE": GatewayResponse(
        503,
        "/problems/authorizer-unavailable",
        "Service Unavailable",
        "The access token cannot be checked right now; nothing was done. Retry later.",
        (("Retry-After", str(AUTHORIZER_RETRY_AFTER_SECONDS)),),
    ),
    "ACCESS_DENIED": GatewayResponse(
        403,
        "/problems/access-denied",
        "Forbidden",
        "The access token does not grant access to this resource.",
    ),
    "MISSING_AUTHENTICATION_TOKEN": GatewayResponse(
        404,
        "/problems/unknown-route",
        "Not Found",
        "No route of this API matches the method and path of the request.",
    ),
    "THROTTLED": GatewayResponse(
        429,
        "/problems/throttled",
        "Too Many Requests",
        "The request rate is over the limit; retry later.",
    ),
    "REQUEST_TOO_LARGE": GatewayResponse(
        413,
        "/problems/request-too-large",
        "Content Too Large",
        "The request is larger than the gateway accepts.",
    ),
    "UNSUPPORTED_MEDIA_TYPE": GatewayResponse(
        415,
        "/problems/unsupported-media-type",
        "Unsupported Media Type",
        "The request's media type is not supported.",
    ),
    "WAF_FILTERED": GatewayResponse(
        403,
        "/problems/request-blocked",
        "Forbidden",
        "The request was blocked by the web application firewall.",
    ),
    "DEFAULT_4XX": GatewayResponse(
        400,
        "/problems/bad-request",
        "Bad Request",
        "The gateway could not accept the request.",
    ),
    "DEFAULT_5XX": GatewayResponse(
        500,
        "/problems/internal-error",
        "Internal Server Error",
        "The service failed to answer; quote the instance id when you report it.",
    ),
}
"""Every gateway response we customise. DEFAULT_4XX/5XX keep the status the gateway chose."""

DEFAULTS_KEEP_STATUS: Final[frozenset[ResponseType]] = frozenset({"DEFAULT_4XX", "DEFAULT_5XX"})
"""Response types whose HTTP status is the gateway's own (e.g. 502, 504), not the table's."""


def gateway_problem(
    response_type: ResponseType, request_id: str, status: int | None = None
) -> dict[str, Any]:
    """The problem+json body of a gateway response; `status` overrides the table's (DEFAULT_*)."""
    entry = GATEWAY_RESPONSES[response_type]
    return problem_body(
        status if status is not None else entry.status,
        entry.type.removeprefix(PROBLEM_TYPE_PREFIX),
        entry.title,
        entry.detail,
        request_id,
    )


def body_template(response_type: ResponseType) -> str:
    """The gateway response body template that renders the same problem on AWS."""
    # Gateway response templates support plain `$context` substitution only (no VTL logic), so the
    # DEFAULT_* bodies state the table's status while the HTTP status may be 502 or 504.
    return json.dumps(gateway_problem(response_type, "$context.requestId"))
