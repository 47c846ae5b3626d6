"""The API's CORS policy (docs/design.md §2): an allow-list of origins; shared by
infra, api and local."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any, Final

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


def vary_with_origin(value: str | None) -> str:
    """A `Vary` value that names Origin, keeping what `value` names ("*" already covers Origin)."""
    names: dict[str, str] = {}  # lower-cased → as first written: each name once
    for name in (value or "").split(","):
        if name.strip():
            names.setdefault(name.strip().lower(), name.strip())
    if "*" not in names:
        names.setdefault("origin", "Origin")
    return ", ".join(names.values())


def add_vary_origin(result: MutableMapping[str, Any]) -> None:
    """Make a Lambda proxy result (REST, payload 1.0) carry `Vary: Origin`, merged, not clobbered.

    Its CORS headers depend on the request's Origin (an allowed one is echoed, any other gets
    none), so a cache must not serve it to another Origin. Every Vary of `headers` and
    `multiValueHeaders`, whatever the case of its name, becomes one Vary holding them all.
    """
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    values: list[str] = []
    for name in [name for name in multi if name.lower() == "vary"]:
        values.extend(str(value) for value in multi.pop(name) or [])
    for name in [name for name in single if name.lower() == "vary"]:
        values.append(str(single.pop(name)))
    merged = vary_with_origin(", ".join(values))
    if "multiValueHeaders" in result or "headers" not in result:
        result["multiValueHeaders"] = {**multi, "Vary": [merged]}
    else:
        result["headers"] = {**single, "Vary": merged}
