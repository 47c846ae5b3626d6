"""Pagination cursors (docs/design.md §4): authenticated, bound to caller, month and
limit, and expiring."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payments_tracker.domain.errors import InvalidCursor
from payments_tracker.service.cursor import CursorCodec, CursorContext

KEY = b"unit-test-cursor-key-0123456789abcdef"
TTL_SECONDS = 3600
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
OTHER_CALLER = "9d1b2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
CONTEXT = CursorContext(subject=CALLER, month="2026-11", limit=20)
PAGE_KEY = {
    "PK": f"USER#{CALLER}",
    "SK": "PAYMENT#0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b",
    "LSI1SK": "2026-11#2026-11-03T08:30:00.000000Z#0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b",
}


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec(KEY, TTL_SECONDS)


@pytest.fixture
def cursor(codec: CursorCodec) -> str:
    return codec.seal(PAGE_KEY, CONTEXT, NOW)


def reason_refused(codec: CursorCodec, cursor: str, context: CursorContext, now: datetime) -> str:
    """Why `codec` refuses to open `cursor` (fails the test if it opens)."""
    with pytest.raises(InvalidCursor) as refusal:
        codec.open(cursor, context, now)
    return refusal.value.reason


def flip_byte(cursor: str, index: int) -> str:
    """`cursor` with one bit of its decoded byte at `index` flipped, re-encoded the same way."""
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[index] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")


def test_a_sealed_cursor_opens_to_its_page_key(codec: CursorCodec, cursor: str) -> None:
    assert codec.open(cursor, CONTEXT, NOW) == PAGE_KEY


def test_a_cursor_is_opaque_url_safe_text(cursor: str) -> None:
    assert cursor.isascii()
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_cursor_opens_in_another_process_with_the_same_key(cursor: str) -> None:
    assert CursorCodec(KEY, TTL_SECONDS).open(cursor, CONTEXT, NOW) == PAGE_KEY


def test_a_cursor_sealed_with_another_key_is_tampered(cursor: str) -> None:
    other_codec = CursorCodec(b"another-key", TTL_SECONDS)

    assert reason_refused(other_codec, cursor, CONTEXT, NOW) == "tampered"


@pytest.mark.parametrize("position", [0, 16, 31, 32, 40, -1], ids=lambda i: f"byte-{i}")
def test_a_cursor_with_a_flipped_byte_is_tampered(
    codec: CursorCodec, cursor: str, position: int
) -> None:
    assert reason_refused(codec, flip_byte(cursor, position), CONTEXT, NOW) == "tampered"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_no_single_flipped_byte_goes_unnoticed(data: st.DataObject) -> None:
    codec = CursorCodec(KEY, TTL_SECONDS)
    cursor = codec.seal(PAGE_KEY, CONTEXT, NOW)
    length = len(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    position = data.draw(st.integers(min_value=0, max_value=length - 1))

    assert reason_refused(codec, flip_byte(cursor, position), CONTEXT, NOW) == "tampered"


def test_a_cursor_with_a_rewritten_payload_is_tampered(codec: CursorCodec, cursor: str) -> None:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    forged_payload = raw[32:].replace(CALLER.encode(), OTHER_CALLER.encode())
    forged = base64.urlsafe_b64encode(raw[:32] + forged_payload).rstrip(b"=").decode("ascii")
    other_context = CursorContext(OTHER_CALLER, CONTEXT.month, CONTEXT.limit)

    assert reason_refused(codec, forged, other_context, NOW) == "tampered"


def test_a_truncated_cursor_is_refused(codec: CursorCodec, cursor: str) -> None:
    assert reason_refused(codec, cursor[:-4], CONTEXT, NOW) in {"tampered", "malformed"}
    assert reason_refused(codec, cursor[:40], CONTEXT, NOW) == "malformed"


def test_another_callers_cursor_is_foreign(codec: CursorCodec, cursor: str) -> None:
    other_caller = CursorContext(OTHER_CALLER, CONTEXT.month, CONTEXT.limit)

    assert reason_refused(codec, cursor, other_caller, NOW) == "foreign"


def test_another_months_cursor_is_foreign(codec: CursorCodec, cursor: str) -> None:
    other_month = CursorContext(CALLER, "2026-10", CONTEXT.limit)

    assert reason_refused(codec, cursor, other_month, NOW) == "foreign"


def test_a_cursor_sent_with_another_limit_is_refused_as_limit_changed(
    codec: CursorCodec, cursor: str
) -> None:
    other_limit = CursorContext(CALLER, CONTEXT.month, 21)

    assert reason_refused(codec, cursor, other_limit, NOW) == "limit-changed"


def test_a_cursor_is_valid_until_its_lifetime_ends(codec: CursorCodec, cursor: str) -> None:
    assert codec.open(cursor, CONTEXT, NOW + timedelta(seconds=TTL_SECONDS)) == PAGE_KEY


def test_a_cursor_past_its_lifetime_is_expired(codec: CursorCodec, cursor: str) -> None:
    later = NOW + timedelta(seconds=TTL_SECONDS, microseconds=1)

    assert reason_refused(codec, cursor, CONTEXT, later) == "expired"


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param("", id="empty"),
        pytest.param("abc", id="too-short"),
        pytest.param("not a cursor", id="spaces"),
        pytest.param("%%%%", id="punctuation"),
        pytest.param("a" * 41, id="impossible-base64-length"),
        pytest.param("caf\u00e9" * 20, id="non-ascii"),
        pytest.param("AAAA" * 20 + "+/==", id="standard-base64-alphabet"),
        pytest.param("\x00" * 60, id="nul-bytes"),
    ],
)
def test_garbage_is_a_malformed_cursor(codec: CursorCodec, garbage: str) -> None:
    assert reason_refused(codec, garbage, CONTEXT, NOW) == "malformed"


def test_a_long_base64url_string_that_we_did_not_issue_is_tampered(codec: CursorCodec) -> None:
    forged = base64.urlsafe_b64encode(b"\x00" * 32 + b'{"k":{}}').rstrip(b"=").decode("ascii")

    assert reason_refused(codec, forged, CONTEXT, NOW) == "tampered"


def test_limit_of_reads_the_limit_a_genuine_cursor_was_issued_for(
    codec: CursorCodec, cursor: str
) -> None:
    assert codec.limit_of(cursor) == CONTEXT.limit


@pytest.mark.parametrize("garbage", ["", "abc", "%%%%", "caf\u00e9", "A" * 100])
def test_limit_of_garbage_is_none(codec: CursorCodec, garbage: str) -> None:
    assert codec.limit_of(garbage) is None


def test_limit_of_a_tampered_cursor_is_none(codec: CursorCodec, cursor: str) -> None:
    assert codec.limit_of(flip_byte(cursor, 40)) is None
    assert CursorCodec(b"another-key", TTL_SECONDS).limit_of(cursor) is None
