"""Authenticated pagination cursors: HMAC-SHA256 over position, caller, month, limit, expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime

from payments_tracker.domain.errors import InvalidCursor
from payments_tracker.service.ports import PageKey

_TAG_BYTES = 32
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
"""A cursor is unpadded base64url (for the OpenAPI document; checked here)."""
_BASE64URL = re.compile(CURSOR_PATTERN[1:-1])
MAX_CURSOR_LENGTH = 1024
"""The longest cursor accepted: one this API issues is about 450 characters (a tag, three keys of
the month index, caller, month, limit and expiry); anything longer is refused unread."""


@dataclass(frozen=True)
class CursorContext:
    """What a cursor is bound to: it is valid only for the same caller, month and limit."""

    subject: str
    month: str
    limit: int


class CursorCodec:
    """Seals a page key into an opaque cursor and opens it again, refusing anything tampered."""

    def __init__(self, key: bytes, ttl_seconds: int) -> None:
        self._key = hashlib.sha256(b"payments-tracker/cursor/v1|" + key).digest()
        self._ttl_seconds = ttl_seconds

    def seal(self, page_key: PageKey, context: CursorContext, now: datetime) -> str:
        """An opaque cursor for `page_key`, valid for the same context until now + TTL."""
        payload = json.dumps(
            {
                "k": page_key,
                "s": context.subject,
                "m": context.month,
                "l": context.limit,
                "e": int(now.timestamp()) + self._ttl_seconds,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode("utf-8")
        tag = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(tag + payload).rstrip(b"=").decode("ascii")

    def open(self, cursor: str, context: CursorContext, now: datetime) -> PageKey:
        """The page key sealed in `cursor`, or InvalidCursor if it is not ours to open now."""
        raw = _decode(cursor)
        if raw is None:
            raise InvalidCursor("malformed")
        tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(tag, expected):
            raise InvalidCursor("tampered")
        fields = json.loads(payload)
        if fields["s"] != context.subject or fields["m"] != context.month:
            raise InvalidCursor("foreign")
        if fields["l"] != context.limit:
            raise InvalidCursor("limit-changed")
        if fields["e"] < now.timestamp():
            raise InvalidCursor("expired")
        page_key: PageKey = fields["k"]
        return page_key

    def limit_of(self, cursor: str) -> int | None:
        """The limit a genuine cursor was issued for (a request with a cursor may omit it)."""
        raw = _decode(cursor)
        if raw is None:
            return None
        try:
            payload = raw[_TAG_BYTES:]
            expected = hmac.new(self._key, payload, hashlib.sha256).digest()
            if not hmac.compare_digest(raw[:_TAG_BYTES], expected):
                return None
            limit = json.loads(payload)["l"]
        except (ValueError, KeyError, TypeError):
            return None
        return limit if isinstance(limit, int) else None


def _decode(cursor: str) -> bytes | None:
    """The bytes of a base64url cursor long enough to hold a tag and a payload, else None."""
    if len(cursor) > MAX_CURSOR_LENGTH or _BASE64URL.fullmatch(cursor) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError:
        return None
    return raw if len(raw) > _TAG_BYTES else None
