"""Hostile bodies over HTTP: each is the problem+json of docs/design.md §4 naming the rule, none is
stored.

The handler-level cases live in tests/unit/handlers/test_api_handler.py
(`test_no_hostile_input_answers_500` and the 400/413/415/422 tests); here the same kinds of input go
through the whole local stack, and the table is scanned afterwards: the caller's partition stays
empty.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from support.http_api import assert_problem
from support.reliability import scan_payments, submission

if TYPE_CHECKING:
    from conftest import CognitoLocal, CognitoUser

pytestmark = pytest.mark.e2e

JSON = "application/json"


def raw(body: dict[str, Any], field: str, literal: str) -> bytes:
    """The JSON of `body` with `field`'s value replaced by a literal (NaN, 1e999999, -0.0, …)."""
    marker = "__LITERAL__"
    return json.dumps({**body, field: marker}).replace(f'"{marker}"', literal).encode()


def hostile_bodies(sub: str) -> list[tuple[str, bytes, str, int, str, str]]:
    """(name, body bytes, content type, status, field, rule) of each hostile body."""
    valid = submission(sub)
    encoded = json.dumps(valid)

    def with_(**overrides: Any) -> bytes:
        return json.dumps({**valid, **overrides}).encode()

    return [
        (
            "deep nesting",
            b'{"paymentId":' + b"[" * 4000 + b"]" * 4000 + b"}",
            JSON,
            400,
            "body",
            "max-depth",
        ),
        ("body over 8 KiB", with_(description="x" * 9000), JSON, 413, "body", "max-size"),
        (
            "8 KiB + 1 byte of whitespace",
            encoded.encode() + b" " * (8193 - len(encoded)),
            JSON,
            413,
            "body",
            "max-size",
        ),
        (
            "duplicate key",
            encoded[:-1].encode() + b', "amount": "1.00"}',
            JSON,
            400,
            "body",
            "duplicate-key",
        ),
        ("NaN amount", raw(valid, "amount", "NaN"), JSON, 400, "body", "finite-number"),
        ("Infinity amount", raw(valid, "amount", "Infinity"), JSON, 400, "body", "finite-number"),
        ("-Infinity amount", raw(valid, "amount", "-Infinity"), JSON, 400, "body", "finite-number"),
        ("huge exponent amount", raw(valid, "amount", "1e999999"), JSON, 422, "amount", "type"),
        (
            "exponent beyond Decimal",
            raw(valid, "amount", "1e9999999999999999999"),
            JSON,
            400,
            "body",
            "number-range",
        ),
        (
            "integer of 5000 digits",
            raw(valid, "amount", "9" * 5000),
            JSON,
            400,
            "body",
            "json-syntax",
        ),
        ("negative zero number", raw(valid, "amount", "-0.0"), JSON, 422, "amount", "type"),
        ("negative zero string", with_(amount="-0"), JSON, 422, "amount", "decimal-string"),
        ("zero amount", with_(amount="0.00"), JSON, 422, "amount", "positive"),
        ("float amount", raw(valid, "amount", "12.99"), JSON, 422, "amount", "type"),
        ("amount with exponent", with_(amount="1e3"), JSON, 422, "amount", "decimal-string"),
        ("too many minor units", with_(amount="12.999"), JSON, 422, "amount", "decimal-string"),
        (
            "RTL override",
            with_(description="\u202egnp.exe"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "bidi isolate",
            with_(description="Rent \u2066x\u2069"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "zero-width space",
            with_(description="Net\u200bflix"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "byte order mark",
            with_(description="\ufeffRent"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "lone surrogate escape",
            raw(valid, "description", '"Gym \\ud800"'),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "NUL character",
            with_(description="Gym\u0000"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "private use character",
            with_(description="Gym \ue000"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "blank description",
            with_(description="\u3000 \u2003"),
            JSON,
            422,
            "description",
            "not-blank",
        ),
        (
            "line separator",
            with_(description="Rent\u2028flat 2"),
            JSON,
            422,
            "description",
            "allowed-characters",
        ),
        (
            "only fillers and marks",
            with_(description="\u3164\u2800\u0301"),
            JSON,
            422,
            "description",
            "not-blank",
        ),
        ("141 code points", with_(description="é" * 141), JSON, 422, "description", "length"),
        (
            "invalid UTF-8",
            encoded.replace("Gym", "G\udcffm").encode("utf-8", "surrogateescape"),
            JSON,
            400,
            "body",
            "utf-8",
        ),
        (
            "uppercase UUID",
            with_(paymentId=valid["paymentId"].upper()),
            JSON,
            422,
            "paymentId",
            "uuid-v4",
        ),
        (
            "braced UUID",
            with_(paymentId="{" + valid["paymentId"] + "}"),
            JSON,
            422,
            "paymentId",
            "uuid-v4",
        ),
        (
            "urn UUID",
            with_(paymentId="urn:uuid:" + valid["paymentId"]),
            JSON,
            422,
            "paymentId",
            "uuid-v4",
        ),
        (
            "UUID without hyphens",
            with_(paymentId=valid["paymentId"].replace("-", "")),
            JSON,
            422,
            "paymentId",
            "uuid-v4",
        ),
        (
            "UUID version 1",
            with_(paymentId="6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            JSON,
            422,
            "paymentId",
            "uuid-v4",
        ),
        (
            "naive timestamp",
            with_(timestamp="2026-11-20T10:00:00"),
            JSON,
            422,
            "timestamp",
            "rfc3339-date-time",
        ),
        (
            "-00:00 offset",
            with_(timestamp="2026-11-20T10:00:00-00:00"),
            JSON,
            422,
            "timestamp",
            "known-offset",
        ),
        (
            "leap second",
            with_(timestamp="2016-12-31T23:59:60Z"),
            JSON,
            422,
            "timestamp",
            "no-leap-second",
        ),
        (
            "offset beyond +14:00",
            with_(timestamp="2026-11-20T10:00:00+14:30"),
            JSON,
            422,
            "timestamp",
            "offset-range",
        ),
        (
            "7 fractional digits",
            with_(timestamp="2026-11-20T10:00:00.1234567Z"),
            JSON,
            422,
            "timestamp",
            "rfc3339-date-time",
        ),
        ("test currency", with_(currency="XTS"), JSON, 422, "currency", "iso-4217"),
        ("lowercase currency", with_(currency="gbp"), JSON, 422, "currency", "iso-4217"),
        ("unknown field", with_(isAdmin=True), JSON, 422, "isAdmin", "unknown-field"),
        ("JSON array", b"[" + encoded.encode() + b"]", JSON, 422, "body", "json-object"),
        ("JSON string", b'"hello"', JSON, 422, "body", "json-object"),
        ("JSON null", b"null", JSON, 422, "body", "json-object"),
        ("empty body", b"", JSON, 400, "body", "json-syntax"),
        ("trailing garbage", encoded.encode() + b"x", JSON, 400, "body", "json-syntax"),
        ("text/plain", encoded.encode(), "text/plain", 415, "Content-Type", "media-type"),
        (
            "latin-1 charset",
            encoded.encode(),
            "application/json; charset=latin-1",
            415,
            "Content-Type",
            "media-type",
        ),
        (
            "form encoding",
            b"paymentId=x",
            "application/x-www-form-urlencoded",
            415,
            "Content-Type",
            "media-type",
        ),
    ]


@pytest.fixture(scope="module")
def target(cognito: CognitoLocal) -> CognitoUser:
    """A user whose partition must stay empty."""
    return cognito.create_user()


def test_every_hostile_body_is_refused_naming_its_rule_and_nothing_is_stored(
    http: httpx.Client, target: CognitoUser, dynamodb_endpoint: str
) -> None:
    wrong: dict[str, str] = {}
    cases = hostile_bodies(target.sub)
    for name, body, content_type, status, field, rule in cases:
        response = http.post(
            "/payments",
            content=body,
            headers={
                "Authorization": f"Bearer {target.access_token}",
                "Content-Type": content_type,
            },
        )
        assert response.status_code < 500, f"{name}: {response.status_code} {response.text}"
        problem = assert_problem(response, response.status_code)
        named = [(error["field"], error["rule"]) for error in problem.get("errors", [])]
        if response.status_code != status or (field, rule) not in named:
            wrong[name] = f"{response.status_code} {named}"

    assert not wrong, wrong
    assert scan_payments(dynamodb_endpoint, [target.sub]) == []
    print(f"\n{len(cases)} hostile bodies: each refused with its rule, 0 items stored")
