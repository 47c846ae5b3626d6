"""Hypothesis fuzz target on the request parser: read_json_object, then validate_submission.

Whatever the bytes, media type and encoding flag, the parser either returns a JSON object or raises
RequestRejected; whatever the object, the domain returns a Submission or raises ValidationFailed.
Nothing else may escape (an escape would be a 500). `make fuzz` runs it with many more examples.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments_tracker.domain.errors import ValidationFailed
from payments_tracker.domain.payment import Submission, validate_submission
from payments_tracker.handlers.requests import RequestRejected, read_json_object

EXAMPLES = int(os.environ.get("PAYMENTS_PARSER_FUZZ_EXAMPLES", "1500"))
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FIELDS = ["paymentId", "userId", "timestamp", "description", "currency", "amount"]

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)
media_types = st.sampled_from(
    [
        "application/json",
        "APPLICATION/JSON; charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json; charset=latin-1",
        "text/plain",
        "",
    ]
) | st.text(max_size=40)

RFC3339_LIKE = (
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?\Z"
)
RFC3339_LIKE = (
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?\Z"
)
near_valid_values: dict[str, st.SearchStrategy[Any]] = {
    "paymentId": st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()) | st.text(),
    "userId": st.uuids(version=4).map(str) | st.text(),
    "timestamp": st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.timezones()
    ).map(lambda moment: moment.isoformat())
    | st.from_regex(RFC3339_LIKE),
    "description": st.text(min_size=0, max_size=160),
    "currency": st.sampled_from(["GBP", "JPY", "KWD", "XTS", "XAU", "gbp", "EUR", "CLF"])
    | st.text(max_size=4),
    "amount": st.from_regex(r"\A-?[0-9]{0,15}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,3})?\Z")
    | json_scalars,
}
near_valid_bodies = st.fixed_dictionaries(
    {},
    optional={name: strategy | json_values for name, strategy in near_valid_values.items()},
) | st.dictionaries(
    st.sampled_from([*FIELDS, "extra"]) | st.text(max_size=8), json_values, max_size=8
)


Outcome = Submission | RequestRejected | ValidationFailed


def parse_and_validate(content_type: str | None, body: str | None, is_base64: bool) -> Outcome:
    """The whole request path of `POST /payments` up to the repository: its only two rejections
    are returned; any other exception escapes and fails the test."""
    try:
        return validate_submission(read_json_object(content_type, body, is_base64), NOW)
    except (RequestRejected, ValidationFailed) as rejection:
        return rejection


@fuzz
@given(raw=st.binary(max_size=9000), content_type=media_types, as_base64=st.booleans())
def test_any_bytes_are_parsed_or_rejected_never_crash(
    raw: bytes, content_type: str, as_base64: bool
) -> None:
    body = base64.b64encode(raw).decode() if as_base64 else raw.decode("utf-8", "surrogateescape")
    parse_and_validate(content_type, body, as_base64)


@fuzz
@given(text=st.text(max_size=3000), as_base64=st.booleans())
def test_any_text_as_json_is_parsed_or_rejected_never_crash(text: str, as_base64: bool) -> None:
    body = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode() if as_base64 else text
    parse_and_validate("application/json", body, as_base64)


@fuzz
@given(document=json_values)
def test_any_json_document_is_an_object_or_a_422(document: Any) -> None:
    outcome = parse_and_validate("application/json", json.dumps(document), False)
    if isinstance(outcome, RequestRejected):
        assert outcome.status in {413, 422}
    elif isinstance(outcome, ValidationFailed):
        assert outcome.errors


@fuzz
@given(body=near_valid_bodies)
def test_near_valid_submissions_are_accepted_or_name_every_broken_rule(
    body: dict[str, Any],
) -> None:
    outcome = parse_and_validate("application/json", json.dumps(body), False)
    if isinstance(outcome, RequestRejected):
        assert outcome.status == 413
    elif isinstance(outcome, ValidationFailed):
        assert outcome.errors
        assert all(isinstance(error.field, str) and error.rule for error in outcome.errors)
    else:
        assert str(outcome.payment_id) == body["paymentId"]
        assert NOW - outcome.timestamp.moment <= timedelta(days=31 * 25)


def test_a_valid_submission_passes_the_same_path() -> None:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": str(uuid.uuid4()),
        "timestamp": "2026-11-20T10:00:00+01:00",
        "description": "Rent",
        "currency": "GBP",
        "amount": "950",
    }
    accepted = parse_and_validate("application/json", json.dumps(body), False)
    assert isinstance(accepted, Submission)
    assert accepted.money.canonical() == "950.00"
