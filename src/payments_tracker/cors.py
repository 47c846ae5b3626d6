"""The API's CORS policy (DESIGN §2): an allow-list of origins; shared by infra, api and local."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

ALLOWED_REQUEST_HEADERS: Final = ("Authorization", "Content-Type")
EXPOSED_RESPONSE_HEADERS: Final = ("Location", "Retry-After", "x-amzn-RequestId")
"""Response headers a browser script may read beyond the CORS-safelisted ones."""
PREFLIGHT_MAX_AGE_SECONDS: Final = 600


def allowed_origin(origin: str | None, allowed_origins: Iterable[str]) -> str | None:
    """The value of Access-Control-Allow-Origin for this request's Origin, or None to send none."""
    if not origin:
        return None
    allowed = tuple(allowed_origins)
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def cors_headers(origin: str | None, allowed_origins: Iterable[str]) -> dict[str, str]:
    """CORS headers of an actual (non-preflight) response, error or not."""
    headers = {"Vary": "Origin"}
    allow = allowed_origin(origin, allowed_origins)
    if allow is not None:
        headers["Access-Control-Allow-Origin"] = allow
        headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_RESPONSE_HEADERS)
    return headers


def preflight_headers(
    origin: str | None, allowed_origins: Iterable[str], methods: Iterable[str]
) -> dict[str, str]:
    """Headers of the answer to an OPTIONS preflight on a resource that has `methods`."""
    headers = {"Vary": "Origin"}
    allow = allowed_origin(origin, allowed_origins)
    if allow is not None:
        headers["Access-Control-Allow-Origin"] = allow
        headers["Access-Control-Allow-Methods"] = ", ".join(sorted({*methods, "OPTIONS"}))
        headers["Access-Control-Allow-Headers"] = ", ".join(ALLOWED_REQUEST_HEADERS)
        headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return headers
