"""The contract says what the code enforces: every limit of validation is in the schema, the same.

Each check reads the limit from the committed docs/api/openapi.json and compares it with the
domain's own constant, then shows the code agrees at the edge: the longest value the schema allows
is accepted, one character (or item) more is refused (issue 11, point 12).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from payments_tracker.adapters.dynamodb.repository import to_item
from payments_tracker.adapters.dynamodb.table import BY_MONTH_TIME, PAYMENTS_TABLE
from payments_tracker.domain import description as description_rules
from payments_tracker.domain.consent import TERMS_VERSION_PATTERN, validate_consent_request
from payments_tracker.domain.errors import ValidationFailed
from payments_tracker.domain.identifiers import UUID4_PATTERN, parse_uuid4
from payments_tracker.domain.money import (
    AMOUNT_PATTERN,
    MAX_INTEGER_DIGITS,
    accepted_currencies,
    parse_amount,
)
from payments_tracker.domain.months import MONTH_PATTERN
from payments_tracker.domain.payment import (
    MONTHLY_PAYMENT_LIMIT,
    VOID_REASON_MAX_LENGTH,
    Payment,
    validate_submission,
    validate_void_request,
)
from payments_tracker.domain.timestamps import TIMESTAMP_PATTERN, TimestampError, parse_timestamp
from payments_tracker.handlers.requests import MAX_BODY_BYTES, RequestRejected, read_json_object
from payments_tracker.local.services import PROJECT_ROOT
from payments_tracker.service.consent import HISTORY_LIMIT
from payments_tracker.service.cursor import (
    CURSOR_PATTERN,
    MAX_CURSOR_LENGTH,
    CursorCodec,
    CursorContext,
)
from payments_tracker.service.payments import MAX_LIMIT, BadQuery, list_payments
from support.memory import InMemoryPaymentRepository

DOCUMENT: dict[str, Any] = json.loads(
    (PROJECT_ROOT / "docs" / "api" / "openapi.json").read_text(encoding="utf-8")
)
SCHEMAS = DOCUMENT["components"]["schemas"]
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"


def prop(schema: str, name: str) -> dict[str, Any]:
    """A property's schema, the string branch of `anyOf` for a nullable one."""
    found: dict[str, Any] = SCHEMAS[schema]["properties"][name]
    for branch in found.get("anyOf", []):
        if branch.get("type") != "null":
            return {**found, **branch}
    return found


def parameter(path: str, method: str, name: str) -> dict[str, Any]:
    for entry in DOCUMENT["paths"][path][method]["parameters"]:
        if entry["name"] == name:
            schema: dict[str, Any] = entry["schema"]
            return schema
    raise AssertionError(f"{method} {path} has no parameter {name}")


def submission(**changes: str) -> dict[str, str]:
    return {
        "paymentId": str(uuid.uuid4()),
        "userId": CALLER,
        "timestamp": "2026-11-20T10:00:00Z",
        "description": "Gym",
        "currency": "GBP",
        "amount": "1",
        **changes,
    }


def rules_broken(body: dict[str, Any]) -> set[tuple[str, str]]:
    try:
        validate_submission(body, NOW)
    except ValidationFailed as failure:
        return {(error.field, error.rule) for error in failure.errors}
    return set()


# --- a payment submission -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["paymentId", "userId"])
def test_ids_are_uuid_v4_of_36_characters(name: str) -> None:
    schema = prop("PaymentSubmission", name)
    longest = str(uuid.uuid4())

    assert schema["pattern"] == UUID4_PATTERN
    assert schema["maxLength"] == len(longest)
    assert parse_uuid4(longest) is not None
    assert parse_uuid4(longest + "0") is None
    assert rules_broken(submission(**{name: longest + "0"})) == {(name, "uuid-v4")}


def test_the_timestamp_pattern_and_longest_text_are_the_domains() -> None:
    schema = prop("PaymentSubmission", "timestamp")
    longest = "2026-11-20T10:00:00.123456+01:00"  # 6 fraction digits and an offset

    assert schema["pattern"] == TIMESTAMP_PATTERN
    assert schema["maxLength"] == len(longest)
    assert rules_broken(submission(timestamp=longest)) == set()
    longer = "2026-11-20T10:00:00.1234567+01:00"
    assert re.fullmatch(schema["pattern"], longer) is None
    with pytest.raises(TimestampError):
        parse_timestamp(longer)


def test_the_description_limits_are_the_domains() -> None:
    schema = prop("PaymentSubmission", "description")

    assert schema["minLength"] == 1
    assert schema["maxLength"] == description_rules.MAX_LENGTH
    longest = "x" * schema["maxLength"]
    assert rules_broken(submission(description=longest)) == set()
    assert rules_broken(submission(description=longest + "x")) == {("description", "length")}
    assert rules_broken(submission(description="a\u0007")) == {
        ("description", "allowed-characters")
    }
    assert re.fullmatch(schema["pattern"], "a\u0007") is None
    assert re.fullmatch(schema["pattern"], "Caf\u00e9 \u2014 \U0001f600") is not None


def test_the_currencies_and_amount_limits_are_the_domains() -> None:
    currency = SCHEMAS["CurrencyCode"]
    amount = prop("PaymentSubmission", "amount")
    longest = "9" * MAX_INTEGER_DIGITS + ".999"

    assert set(currency["enum"]) == set(accepted_currencies())
    assert amount["pattern"] == AMOUNT_PATTERN
    assert amount["maxLength"] == len(longest)
    assert parse_amount(longest, 3) is not None
    assert rules_broken(submission(currency="KWD", amount=longest)) == set()
    too_long = "9" * (MAX_INTEGER_DIGITS + 1)
    assert rules_broken(submission(amount=too_long)) == {("amount", "decimal-string")}


# --- void ---------------------------------------------------------------------------------------


def test_the_void_reason_has_the_domains_limits() -> None:
    schema = prop("VoidRequest", "reason")
    longest = "r" * VOID_REASON_MAX_LENGTH

    assert SCHEMAS["VoidRequest"]["additionalProperties"] is False
    assert (schema["minLength"], schema["maxLength"]) == (1, VOID_REASON_MAX_LENGTH)
    assert schema["pattern"] == prop("PaymentSubmission", "description")["pattern"]
    assert validate_void_request({"reason": longest}) == longest
    assert validate_void_request({}) is None
    with pytest.raises(ValidationFailed) as refused:
        validate_void_request({"reason": longest + "r"})
    assert [(e.field, e.rule) for e in refused.value.errors] == [("reason", "length")]
    assert prop("PaymentView", "voidReason")["maxLength"] == VOID_REASON_MAX_LENGTH


@pytest.mark.parametrize(
    ("path", "method"),
    [("/payments/{paymentId}", "get"), ("/payments/{paymentId}/void", "post")],
)
def test_the_payment_id_in_a_path_is_a_uuid_v4(path: str, method: str) -> None:
    schema = parameter(path, method, "paymentId")

    assert schema["pattern"] == UUID4_PATTERN
    assert schema["maxLength"] == len(str(uuid.uuid4()))


# --- listing ------------------------------------------------------------------------------------


def _list(query: dict[str, str]) -> None:
    codec = CursorCodec(b"limits-test-key", 3600)
    list_payments(InMemoryPaymentRepository(), codec, CALLER, query, lambda: NOW)


def _bad_query_rules(query: dict[str, str]) -> set[tuple[str, str]]:
    with pytest.raises(BadQuery) as refused:
        _list(query)
    return {(error.field, error.rule) for error in refused.value.errors}


def test_the_month_of_a_listing_and_of_a_report_is_yyyy_mm() -> None:
    for schema in (
        parameter("/payments", "get", "month"),
        parameter("/reports/{month}", "get", "month"),
    ):
        assert schema["pattern"] == MONTH_PATTERN
        assert schema["maxLength"] == len("2026-11")
    assert _bad_query_rules({"month": "2026-011"}) == {("month", "month-format")}


def test_the_page_size_bounds_are_the_domains() -> None:
    schema = parameter("/payments", "get", "limit")

    assert (schema["type"], schema["format"]) == ("integer", "int32")
    assert (schema["minimum"], schema["maximum"]) == (1, MAX_LIMIT)
    _list({"month": "2026-11", "limit": str(MAX_LIMIT)})
    assert _bad_query_rules({"month": "2026-11", "limit": str(MAX_LIMIT + 1)}) == {
        ("limit", "range")
    }
    assert _bad_query_rules({"month": "2026-11", "limit": "0"}) == {("limit", "range")}
    assert prop("PaymentPage", "items")["maxItems"] == MAX_LIMIT


def test_the_cursor_limits_are_the_codecs_and_hold_every_cursor_it_issues() -> None:
    schema = parameter("/payments", "get", "cursor")
    codec = CursorCodec(b"limits-test-key", 3600)
    payment = Payment(
        validate_submission(submission(timestamp="2026-11-20T10:00:00.123456-11:59"), NOW), NOW
    )
    item = to_item(payment)  # a page of the month index ends on these keys
    names = {PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key, BY_MONTH_TIME.sort_key}
    issued = codec.seal(
        {name: item[name]["S"] for name in names}, CursorContext(CALLER, "2026-11", 100), NOW
    )

    assert schema["pattern"] == CURSOR_PATTERN
    assert schema["maxLength"] == MAX_CURSOR_LENGTH
    assert prop("PaymentPage", "nextCursor")["maxLength"] == MAX_CURSOR_LENGTH
    assert re.fullmatch(schema["pattern"], issued) is not None
    assert len(issued) <= MAX_CURSOR_LENGTH // 2  # room to spare
    too_long = "A" * (MAX_CURSOR_LENGTH + 1)
    assert _bad_query_rules({"month": "2026-11", "cursor": too_long}) == {
        ("cursor", "cursor-malformed")
    }


# --- consent, bodies, responses -----------------------------------------------------------------


def test_the_terms_version_limits_are_the_domains() -> None:
    schema = prop("ConsentUpdate", "termsVersion")
    longest = "v" * schema["maxLength"]

    assert schema["pattern"] == TERMS_VERSION_PATTERN
    assert schema["maxLength"] == 64
    validate_consent_request({"creditFileSharing": True, "termsVersion": longest})
    with pytest.raises(ValidationFailed):
        validate_consent_request({"creditFileSharing": True, "termsVersion": longest + "v"})
    assert prop("ConsentView", "history")["maxItems"] == HISTORY_LIMIT


def test_every_json_body_declares_the_body_limit_the_handler_applies() -> None:
    with_body = [
        operation
        for item in DOCUMENT["paths"].values()
        for operation in item.values()
        if "requestBody" in operation
    ]
    fits = b"{}" + b" " * (MAX_BODY_BYTES - 2)

    assert {op["operationId"] for op in with_body} == {
        "submitPayment",
        "voidPayment",
        "setConsent",
        "correctCommitment",
        "mergeCommitment",
    }
    for operation in with_body:
        assert f"over {MAX_BODY_BYTES} bytes" in operation["responses"]["413"]["description"]
    assert read_json_object("application/json", fits.decode(), is_base64=False) == {}
    with pytest.raises(RequestRejected) as refused:
        read_json_object("application/json", (fits + b" ").decode(), is_base64=False)
    assert refused.value.status == 413


def test_a_reports_payments_per_month_are_bounded_by_the_monthly_limit() -> None:
    # Those that count for the month's due dates: dated in the month or within a week of its edges.
    assert prop("CommitmentReport", "amountsPaid")["maxItems"] == 3 * MONTHLY_PAYMENT_LIMIT
