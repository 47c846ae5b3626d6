"""Reading a request body strictly: media type, size, and JSON without ambiguity
(docs/design.md §4)."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from payments_tracker.domain.errors import FieldError

MAX_BODY_BYTES = 8 * 1024


class RequestRejected(Exception):
    """A request the handler refuses before any rule of the domain applies."""

    def __init__(self, status: int, slug: str, title: str, error: FieldError) -> None:
        super().__init__(title)
        self.status, self.slug, self.title, self.errors = status, slug, title, [error]


class _Ambiguous(ValueError):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Ambiguous("duplicate-key", f"the key {key!r} appears more than once")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise _Ambiguous("finite-number", f"{name} is not JSON")


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond any Decimal (RFC 8259 §9 allows the limit)
        raise _Ambiguous("number-range", "has a number out of range") from None


def _malformed(rule: str, message: str) -> RequestRejected:
    return RequestRejected(
        400, "malformed-json", "Malformed JSON", FieldError("body", rule, message)
    )


def read_json_object(content_type: str | None, body: str | None, is_base64: bool) -> dict[str, Any]:
    """The request's JSON object, or RequestRejected (415, 413, 400 or 422) naming the rule."""
    if not _is_json_utf8(content_type):
        raise RequestRejected(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            FieldError("Content-Type", "media-type", "must be application/json (UTF-8)"),
        )
    raw = _raw_bytes(body, is_base64)
    if len(raw) > MAX_BODY_BYTES:
        raise RequestRejected(
            413,
            "request-too-large",
            "Request too large",
            FieldError("body", "max-size", f"must be at most {MAX_BODY_BYTES} bytes"),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("utf-8", "is not valid UTF-8") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constants,
            parse_float=_decimal,
        )
    except _Ambiguous as error:
        raise _malformed(error.rule, str(error)) from None
    except RecursionError:
        raise _malformed("max-depth", "is nested too deeply") from None
    except ValueError:
        # JSONDecodeError, and integers longer than Python's digit limit
        raise _malformed("json-syntax", "is not well-formed JSON") from None
    if not isinstance(document, dict):
        raise RequestRejected(
            422,
            "validation",
            "Validation failed",
            FieldError("body", "json-object", "must be a JSON object"),
        )
    return document


def _is_json_utf8(content_type: str | None) -> bool:
    """`application/json`, any case, with no charset or charset utf-8 (quoted or not)."""
    media_type, *parameters = (content_type or "").split(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _raw_bytes(body: str | None, is_base64: bool) -> bytes:
    if body is None:
        return b""
    if not is_base64:
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed("encoding", "could not be decoded") from None
