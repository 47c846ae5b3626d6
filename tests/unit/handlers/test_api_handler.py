"""The api Lambda, in process: REST proxy events in, HTTP answers of docs/design.md §4-§5 out.

The repository is the in-memory one and the clock stands still, handed in with `override`.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from payments_tracker.composition.root import ApiPorts, override_api
from payments_tracker.handlers import api
from payments_tracker.handlers.requests import MAX_BODY_BYTES
from payments_tracker.local.invokers import LocalLambdaContext
from payments_tracker.service import payments as use_cases
from payments_tracker.service.cursor import CursorCodec
from payments_tracker.service.ports import StorageUnavailable
from support.api_events import rest_event
from support.memory import (
    InMemoryConsentRepository,
    InMemoryCorrections,
    InMemoryPaymentRepository,
    InMemoryReportDocuments,
)

CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
OTHER_USER = "9d1b2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
PAYMENT_ID = "0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PROBLEM_JSON = "application/problem+json"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance"}

# api.py silences this at import; pytest resets warning filters for each test.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@dataclass(frozen=True)
class Answer:
    """What the handler answered: status, headers (one value each) and the decoded body."""

    status: int
    headers: dict[str, str]
    text: str

    @property
    def body(self) -> Any:
        return json.loads(self.text)


@pytest.fixture
def repository() -> Iterator[InMemoryPaymentRepository]:
    """An empty in-memory repository, installed as the api's dependencies for one test."""
    store = InMemoryPaymentRepository()
    override_api(
        ApiPorts(
            payments=store,
            cursors=CursorCodec(b"api-test-cursor-key", 3600),
            consents=InMemoryConsentRepository(),
            reports=InMemoryReportDocuments(),
            corrections=InMemoryCorrections(),
            clock=lambda: NOW,
        )
    )
    yield store
    override_api(None)


def call(event: dict[str, Any]) -> Answer:
    """Invoke the Lambda entry point with `event`."""
    response = api.handler(event, LocalLambdaContext("api"))  # type: ignore[arg-type]
    headers = {name: values[-1] for name, values in response["multiValueHeaders"].items()}
    headers.update(response.get("headers") or {})
    return Answer(response["statusCode"], headers, response["body"])


def submission(**changes: Any) -> dict[str, Any]:
    return {
        "paymentId": PAYMENT_ID,
        "userId": CALLER,
        "timestamp": "2026-11-03T09:30:00+01:00",
        "description": "Coffee with Sam",
        "currency": "GBP",
        "amount": "12.9",
        **changes,
    }


def post(body: Any, **options: Any) -> Answer:
    return call(
        rest_event("POST", "/payments", body=body, sub=options.pop("sub", CALLER), **options)
    )


def get(path: str, query: str = "", sub: str = CALLER) -> Answer:
    return call(rest_event("GET", path, sub=sub, query=query, content_type=None))


def void(payment_id: str, body: Any = None, sub: str = CALLER, **options: Any) -> Answer:
    """POST /payments/{paymentId}/void, with no body unless one is given."""
    options.setdefault("content_type", None if body is None else "application/json")
    return call(rest_event("POST", f"/payments/{payment_id}/void", body=body, sub=sub, **options))


def assert_problem(
    answer: Answer, status: int, slug: str, event: dict[str, Any] | None = None
) -> None:
    """`answer` is an RFC 9457 problem with `status` and type /problems/`slug`."""
    assert answer.status == status
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert set(answer.body) >= PROBLEM_MEMBERS
    assert answer.body["status"] == status
    assert answer.body["type"] == f"/problems/{slug}"
    assert answer.body["title"]
    assert answer.body["detail"]
    if event is not None:
        assert answer.body["instance"] == event["requestContext"]["requestId"]


def rules_of(answer: Answer) -> list[tuple[str, str]]:
    return [(error["field"], error["rule"]) for error in answer.body["errors"]]


# --- submit -------------------------------------------------------------------------------------


def test_submit_answers_201_with_location_and_the_stored_payment(
    repository: InMemoryPaymentRepository,
) -> None:
    answer = post(submission())

    assert answer.status == 201
    assert answer.headers["Location"] == f"/v1/payments/{PAYMENT_ID}"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.body == {
        "paymentId": PAYMENT_ID,
        "userId": CALLER,
        "timestamp": "2026-11-03T09:30:00+01:00",
        "description": "Coffee with Sam",
        "currency": "GBP",
        "amount": "12.90",
        "month": "2026-11",
        "status": "active",
        "receivedAt": "2026-11-20T12:00:00Z",
    }
    assert len(repository.payments) == 1


def test_identical_replay_answers_200_with_the_stored_payment_and_writes_nothing(
    repository: InMemoryPaymentRepository,
) -> None:
    created = post(submission())
    before = dict(repository.payments)

    replay = post(submission(amount="12.90"))

    assert replay.status == 200
    assert "Location" not in replay.headers
    assert replay.body == created.body
    assert repository.payments == before


def test_the_same_payment_id_with_a_different_body_answers_409(
    repository: InMemoryPaymentRepository,
) -> None:
    post(submission())
    event = rest_event("POST", "/payments", body=submission(amount="13.00"), sub=CALLER)

    answer = call(event)

    assert_problem(answer, 409, "payment-conflict", event)
    assert rules_of(answer) == [("paymentId", "unique")]


def test_a_broken_rule_answers_422_naming_every_field_and_rule(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event(
        "POST",
        "/payments",
        body=submission(amount="0", description="\u202e", timestamp="2026-11-03T09:30:00"),
        sub=CALLER,
    )

    answer = call(event)

    assert_problem(answer, 422, "validation", event)
    assert sorted(rules_of(answer)) == [
        ("amount", "positive"),
        ("description", "allowed-characters"),
        ("timestamp", "rfc3339-date-time"),
    ]
    assert all(set(error) == {"field", "rule", "message"} for error in answer.body["errors"])
    assert all(error["message"] for error in answer.body["errors"])
    assert repository.payments == {}


def test_a_missing_and_an_unknown_field_answer_422(
    repository: InMemoryPaymentRepository,
) -> None:
    body = submission(note="x")
    del body["currency"]

    answer = post(body)

    assert_problem(answer, 422, "validation")
    assert sorted(rules_of(answer)) == [("currency", "required"), ("note", "unknown-field")]


@pytest.mark.parametrize(
    "amount",
    ["12.90", "1e999999", "1E+999999", "-0.0", "12", "true", "null"],
)
def test_a_json_number_or_literal_as_amount_answers_422_type(
    repository: InMemoryPaymentRepository, amount: str
) -> None:
    text = json.dumps(submission()).replace('"12.9"', amount)

    answer = post(text)

    assert_problem(answer, 422, "validation")
    assert rules_of(answer) == [("amount", "type")]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param([submission()], id="array"),
        pytest.param('"a string"', id="string"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
    ],
)
def test_a_json_document_that_is_not_an_object_answers_422(
    repository: InMemoryPaymentRepository, body: Any
) -> None:
    answer = post(body)

    assert_problem(answer, 422, "validation")
    assert rules_of(answer) == [("body", "json-object")]


def test_a_submission_for_another_user_answers_403_forbidden_user(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event("POST", "/payments", body=submission(userId=OTHER_USER), sub=CALLER)

    answer = call(event)

    assert_problem(answer, 403, "forbidden-user", event)
    assert repository.payments == {}


# --- malformed JSON, size and media type ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        pytest.param(
            json.dumps(submission())[:-1] + ', "amount": "1.00"}',
            "duplicate-key",
            id="duplicate-key",
        ),
        pytest.param('{"a": NaN}', "finite-number", id="nan"),
        pytest.param('{"a": Infinity}', "finite-number", id="infinity"),
        pytest.param('{"a": -Infinity}', "finite-number", id="minus-infinity"),
        pytest.param('{"amount": ' + "9" * 5000 + "}", "json-syntax", id="5000-digit-integer"),
        pytest.param("[" * 5000, "max-depth", id="5000-open-brackets"),
        pytest.param('{"a":' * 1300 + "1" + "}" * 1300, "max-depth", id="1300-nested-objects"),
        pytest.param('{"paymentId": "x",}', "json-syntax", id="trailing-comma"),
        pytest.param("{'paymentId': 'x'}", "json-syntax", id="single-quotes"),
        pytest.param('{"a": 1} {"b": 2}', "json-syntax", id="two-documents"),
        pytest.param("", "json-syntax", id="empty"),
        pytest.param("\ufeff{}", "json-syntax", id="byte-order-mark"),
        pytest.param('{"a": "\ud800"}', "utf-8", id="raw-lone-surrogate"),
    ],
)
def test_malformed_or_ambiguous_json_answers_400(
    repository: InMemoryPaymentRepository, text: str, rule: str
) -> None:
    event = rest_event("POST", "/payments", body=text, sub=CALLER)

    answer = call(event)

    assert_problem(answer, 400, "malformed-json", event)
    assert rules_of(answer) == [("body", rule)]


def test_a_number_too_large_for_any_decimal_answers_400_not_500(
    repository: InMemoryPaymentRepository,
) -> None:
    answer = post('{"amount": 1e99999999999999999999999}')

    assert_problem(answer, 400, "malformed-json")
    assert rules_of(answer) == [("body", "number-range")]


def test_invalid_utf8_in_a_base64_body_answers_400(repository: InMemoryPaymentRepository) -> None:
    event = rest_event("POST", "/payments", sub=CALLER)
    event["body"] = base64.b64encode(b'{"description": "caf\xe9"}').decode("ascii")
    event["isBase64Encoded"] = True

    answer = call(event)

    assert_problem(answer, 400, "malformed-json", event)
    assert rules_of(answer) == [("body", "utf-8")]


def test_a_body_that_is_not_base64_although_flagged_so_answers_400(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event("POST", "/payments", body="{not base64!}", sub=CALLER)
    event["isBase64Encoded"] = True

    answer = call(event)

    assert_problem(answer, 400, "malformed-json", event)


def test_a_valid_base64_body_is_read_like_a_plain_one(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event("POST", "/payments", sub=CALLER)
    event["body"] = base64.b64encode(json.dumps(submission()).encode()).decode("ascii")
    event["isBase64Encoded"] = True

    assert call(event).status == 201


def body_of_exactly(size: int) -> str:
    """A valid submission padded with JSON whitespace to exactly `size` UTF-8 bytes."""
    text = json.dumps(submission())
    return text + " " * (size - len(text.encode("utf-8")))


def test_a_body_of_exactly_8_kib_is_accepted(repository: InMemoryPaymentRepository) -> None:
    text = body_of_exactly(MAX_BODY_BYTES)
    assert len(text.encode("utf-8")) == 8192

    assert post(text).status == 201


def test_a_body_above_8_kib_answers_413(repository: InMemoryPaymentRepository) -> None:
    event = rest_event("POST", "/payments", body=body_of_exactly(MAX_BODY_BYTES + 1), sub=CALLER)

    answer = call(event)

    assert_problem(answer, 413, "request-too-large", event)
    assert repository.payments == {}


def test_the_8_kib_limit_counts_utf8_bytes_not_characters(
    repository: InMemoryPaymentRepository,
) -> None:
    text = json.dumps(submission(), ensure_ascii=False) + "\u3000" * 3000  # 3 bytes each

    assert len(text) < MAX_BODY_BYTES
    assert_problem(post(text), 413, "request-too-large")


def test_the_8_kib_limit_applies_to_the_decoded_base64_body(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event("POST", "/payments", sub=CALLER)
    event["body"] = base64.b64encode(body_of_exactly(MAX_BODY_BYTES).encode()).decode("ascii")
    event["isBase64Encoded"] = True

    assert call(event).status == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        None,
        "",
        "application/json;charset=latin-1",
        "application/json; charset=iso-8859-1",
        "application/jsonx",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_a_media_type_other_than_json_answers_415(
    repository: InMemoryPaymentRepository, content_type: str | None
) -> None:
    event = rest_event(
        "POST", "/payments", body=submission(), sub=CALLER, content_type=content_type
    )

    answer = call(event)

    assert_problem(answer, 415, "unsupported-media-type", event)
    assert repository.payments == {}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
def test_json_in_utf8_is_accepted_whatever_the_case_of_its_media_type(
    repository: InMemoryPaymentRepository, content_type: str
) -> None:
    assert post(submission(), content_type=content_type).status == 201


def test_the_content_type_header_name_is_case_insensitive(
    repository: InMemoryPaymentRepository,
) -> None:
    event = rest_event(
        "POST",
        "/payments",
        body=submission(),
        sub=CALLER,
        content_type=None,
        headers={"content-type": "application/json"},
    )

    assert call(event).status == 201


# --- get, void, list ----------------------------------------------------------------------------


def test_get_answers_the_callers_own_payment(repository: InMemoryPaymentRepository) -> None:
    created = post(submission())

    answer = get(f"/payments/{PAYMENT_ID}")

    assert answer.status == 200
    assert answer.body == created.body


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", f"/payments/{PAYMENT_ID}"), ("POST", f"/payments/{PAYMENT_ID}/void")],
)
def test_another_users_payment_answers_404_and_is_left_alone(
    repository: InMemoryPaymentRepository, method: str, path: str
) -> None:
    post(submission(userId=OTHER_USER), sub=OTHER_USER)
    event = rest_event(method, path, sub=CALLER, content_type=None)

    answer = call(event)

    assert_problem(answer, 404, "not-found", event)
    assert get(f"/payments/{PAYMENT_ID}", sub=OTHER_USER).body["status"] == "active"


@pytest.mark.parametrize("payment_id", [PAYMENT_ID.upper(), "not-a-uuid", str(uuid.uuid1())])
def test_a_malformed_payment_id_answers_404(
    repository: InMemoryPaymentRepository, payment_id: str
) -> None:
    assert_problem(get(f"/payments/{payment_id}"), 404, "not-found")


def test_void_answers_200_with_the_voided_payment_and_get_still_shows_it(
    repository: InMemoryPaymentRepository,
) -> None:
    post(submission())

    voided = void(PAYMENT_ID)

    assert voided.status == 200
    assert voided.body["status"] == "voided"
    assert voided.body["voidedBy"] == CALLER
    assert voided.body["voidedAt"] == "2026-11-20T12:00:00Z"
    assert voided.body["voidedAfterMonthClosed"] is False
    assert voided.body["voidReason"] is None
    assert get(f"/payments/{PAYMENT_ID}").body == voided.body
    assert void(PAYMENT_ID).body == voided.body


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(None, None), ("", "application/json"), ("", None), ({}, "application/json")],
    ids=["no-body", "empty-json", "empty-untyped", "empty-object"],
)
def test_void_without_a_reason_takes_no_body_an_empty_one_or_an_empty_object(
    repository: InMemoryPaymentRepository, body: Any, content_type: str | None
) -> None:
    post(submission())

    voided = void(PAYMENT_ID, body, content_type=content_type)

    assert voided.status == 200, voided.text
    assert voided.body["status"] == "voided"
    assert voided.body["voidReason"] is None


def test_void_keeps_its_reason_in_nfc_and_a_second_void_keeps_the_first(
    repository: InMemoryPaymentRepository,
) -> None:
    post(submission())

    voided = void(PAYMENT_ID, {"reason": "Entered twice, cafe\u0301"})
    again = void(PAYMENT_ID, {"reason": "Another reason"})

    assert voided.status == 200
    assert voided.body["voidReason"] == "Entered twice, caf\u00e9"
    assert again.status == 200
    assert again.body == voided.body
    assert get(f"/payments/{PAYMENT_ID}").body["voidReason"] == "Entered twice, caf\u00e9"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"reason": ""}, "reason", "length"),
        ({"reason": "x" * 141}, "reason", "length"),
        ({"reason": "   "}, "reason", "not-blank"),
        ({"reason": "bad\u0000byte"}, "reason", "allowed-characters"),
        ({"reason": "\u202eexe"}, "reason", "allowed-characters"),
        ({"reason": 42}, "reason", "type"),
        ({"reason": None}, "reason", "type"),
        ({"why": "dup"}, "why", "unknown-field"),
        ([], "body", "json-object"),
    ],
)
def test_a_bad_void_request_is_422_naming_the_field_and_rule_and_voids_nothing(
    repository: InMemoryPaymentRepository, body: Any, field: str, rule: str
) -> None:
    post(submission())

    answer = void(PAYMENT_ID, body)

    assert_problem(answer, 422, "validation")
    assert (field, rule) in rules_of(answer)
    assert get(f"/payments/{PAYMENT_ID}").body["status"] == "active"


def test_a_void_body_follows_the_json_rules_of_every_other_route(
    repository: InMemoryPaymentRepository,
) -> None:
    post(submission())

    assert_problem(
        void(PAYMENT_ID, "reason=typo", content_type="text/plain"), 415, "unsupported-media-type"
    )
    assert_problem(void(PAYMENT_ID, '{"reason": "a", "reason": "b"}'), 400, "malformed-json")
    assert_problem(void(PAYMENT_ID, {"reason": "x" * MAX_BODY_BYTES}), 413, "request-too-large")
    assert get(f"/payments/{PAYMENT_ID}").body["status"] == "active"


def test_delete_is_no_route_of_the_api(repository: InMemoryPaymentRepository) -> None:
    post(submission())

    answer = call(rest_event("DELETE", f"/payments/{PAYMENT_ID}", sub=CALLER, content_type=None))

    assert_problem(answer, 404, "not-found")
    assert get(f"/payments/{PAYMENT_ID}").body["status"] == "active"


def test_list_answers_a_page_of_items_and_a_next_cursor(
    repository: InMemoryPaymentRepository,
) -> None:
    ids = [str(uuid.UUID(int=n, version=4)) for n in range(3)]
    for number, payment_id in enumerate(ids):
        post(submission(paymentId=payment_id, timestamp=f"2026-11-0{number + 1}T10:00:00Z"))

    first = get("/payments", "month=2026-11&limit=2")
    second = get("/payments", f"month=2026-11&cursor={first.body['nextCursor']}")

    assert first.status == 200
    assert [item["paymentId"] for item in first.body["items"]] == [ids[2], ids[1]]
    assert second.status == 200
    assert [item["paymentId"] for item in second.body["items"]] == [ids[0]]
    assert second.body["nextCursor"] is None


def test_a_cursor_of_another_caller_answers_400(repository: InMemoryPaymentRepository) -> None:
    for number in range(3):
        post(submission(paymentId=str(uuid.UUID(int=number, version=4))))
    cursor = get("/payments", "month=2026-11&limit=1").body["nextCursor"]
    event = rest_event(
        "GET",
        "/payments",
        sub=OTHER_USER,
        query=f"month=2026-11&cursor={cursor}",
        content_type=None,
    )

    answer = call(event)

    assert_problem(answer, 400, "bad-query", event)
    assert rules_of(answer) == [("cursor", "cursor-foreign")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("month=2026-11&month=2026-10", [("month", "single-value")]),
        ("month=2026-11&limit=5&limit=6", [("limit", "single-value")]),
        ("", [("month", "required")]),
        ("month=November", [("month", "month-format")]),
        ("month=2026-11&limit=0", [("limit", "range")]),
        ("month=2026-11&limit=101", [("limit", "range")]),
        ("month=2026-11&limit=abc", [("limit", "range")]),
        ("month=2026-11&cursor=garbage", [("cursor", "cursor-malformed")]),
    ],
)
def test_a_bad_list_query_answers_400_naming_the_parameter(
    repository: InMemoryPaymentRepository, query: str, expected: list[tuple[str, str]]
) -> None:
    event = rest_event("GET", "/payments", sub=CALLER, query=query, content_type=None)

    answer = call(event)

    assert_problem(answer, 400, "bad-query", event)
    assert rules_of(answer) == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere"),
        ("PATCH", "/payments"),
        ("PUT", f"/payments/{PAYMENT_ID}"),
        ("POST", f"/payments/{PAYMENT_ID}"),
        ("GET", "/payments/a/b"),
    ],
)
def test_unknown_routes_and_undeclared_methods_answer_404_problem(
    repository: InMemoryPaymentRepository, method: str, path: str
) -> None:
    event = rest_event(method, path, sub=CALLER, content_type=None)

    assert_problem(call(event), 404, "not-found", event)


def test_storage_unavailable_answers_503_with_retry_after(
    repository: InMemoryPaymentRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*_: Any) -> None:
        raise StorageUnavailable("throttled")

    monkeypatch.setattr(repository, "insert", unavailable)

    answer = post(submission())

    assert_problem(answer, 503, "storage-unavailable")
    assert answer.headers["Retry-After"] == "1"


# --- no input is a crash; a crash is a bare 500 -----------------------------------------------


HOSTILE_EVENTS = {
    "duplicate-key": lambda: rest_event("POST", "/payments", sub=CALLER, body='{"a": 1, "a": 1}'),
    "nan": lambda: rest_event("POST", "/payments", sub=CALLER, body='{"amount": NaN}'),
    "huge-exponent": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body='{"amount": 1e99999999999999999999999}'
    ),
    "tiny-exponent": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body='{"amount": 1e-99999999999999999999999}'
    ),
    "huge-integer": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body='{"amount": ' + "1" * 5000 + "}"
    ),
    "deep-nesting": lambda: rest_event("POST", "/payments", sub=CALLER, body="[" * 5000),
    "deep-objects": lambda: rest_event("POST", "/payments", sub=CALLER, body='{"a":' * 2000),
    "oversized": lambda: rest_event("POST", "/payments", sub=CALLER, body="x" * 100_000),
    "no-body": lambda: rest_event("POST", "/payments", sub=CALLER, body=None),
    "no-content-type": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body=submission(), content_type=None
    ),
    "no-caller": lambda: rest_event("POST", "/payments", body=submission()),
    "lone-surrogate-description": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body=json.dumps(submission(description="\ud800"))
    ),
    "nul-in-key": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body=json.dumps({**submission(), "\x00": 1})
    ),
    "wrong-types-everywhere": lambda: rest_event(
        "POST",
        "/payments",
        sub=CALLER,
        body={name: [1, {"x": None}] for name in submission()},
    ),
    "year-9999-west": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body=submission(timestamp="9999-12-31T23:59:59-12:00")
    ),
    "year-1-east": lambda: rest_event(
        "POST", "/payments", sub=CALLER, body=submission(timestamp="0001-01-01T00:00:00+14:00")
    ),
    "path-traversal-id": lambda: rest_event(
        "GET", "/payments/..%2F..%2Fetc", sub=CALLER, content_type=None
    ),
    "very-long-cursor": lambda: rest_event(
        "GET",
        "/payments",
        sub=CALLER,
        query="month=2026-11&cursor=" + "A" * 20_000,
        content_type=None,
    ),
    "non-ascii-limit": lambda: rest_event(
        "GET", "/payments", sub=CALLER, query="month=2026-11&limit=%D9%A5", content_type=None
    ),
    "huge-limit": lambda: rest_event(
        "GET",
        "/payments",
        sub=CALLER,
        query="month=2026-11&limit=" + "9" * 5000,
        content_type=None,
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_EVENTS))
def test_no_hostile_input_answers_500(repository: InMemoryPaymentRepository, name: str) -> None:
    event = HOSTILE_EVENTS[name]()

    answer = call(event)

    assert 400 <= answer.status < 500, answer.text
    assert_problem(answer, answer.status, answer.body["type"].removeprefix("/problems/"), event)


def test_a_bug_answers_500_problem_without_the_traceback(
    repository: InMemoryPaymentRepository,
    monkeypatch: pytest.MonkeyPatch,
    captured_logs: io.StringIO,
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(use_cases, "submit_payment", broken)
    event = rest_event("POST", "/payments", body=submission(), sub=CALLER)

    answer = call(event)

    assert_problem(answer, 500, "internal", event)
    for leak in ("Traceback", "RuntimeError", "secret internal detail", 'File "', ".py"):
        assert leak not in answer.text
    error_lines = [line for line in captured_logs.getvalue().splitlines() if '"ERROR"' in line]
    assert len(error_lines) == 1
    assert answer.body["instance"] in error_lines[0]  # the id quoted to support finds the log
    assert "RuntimeError" in error_lines[0]
    assert "secret internal detail" not in captured_logs.getvalue()  # a message may hold data


@pytest.mark.parametrize(
    "event",
    [
        rest_event("GET", f"/payments/{PAYMENT_ID}", content_type=None),
        rest_event("GET", "/payments", query="month=2026-11", sub="not-a-uuid"),
    ],
)
def test_an_event_without_a_valid_caller_is_an_internal_error_not_a_client_one(
    repository: InMemoryPaymentRepository, event: dict[str, Any]
) -> None:
    # Only a broken authorizer or deployment can send one: no client can, so no 4xx blames one.
    answer = call(event)

    assert_problem(answer, 500, "internal", event)


# --- logs -----------------------------------------------------------------------------------------


SECRET_DESCRIPTION = "Rent to jane.doe@example.com flat 4B"
SECRET_AMOUNT = "8765.43"
SECRET_EMAIL = "jane.doe@example.com"
SECRET_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlLXNlY3JldA"


@pytest.fixture
def captured_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[io.StringIO]:
    """Everything the api's Powertools logger writes, at DEBUG; caplog gets every other logger."""
    buffer = io.StringIO()
    stream_handlers = [h for h in api.logger.handlers if isinstance(h, logging.StreamHandler)]
    assert stream_handlers
    for handler in stream_handlers:
        monkeypatch.setattr(handler, "stream", buffer)
    previous_level = api.logger.log_level
    api.logger.setLevel("DEBUG")
    caplog.set_level(logging.DEBUG)
    yield buffer
    api.logger.setLevel(previous_level)


def test_logs_have_no_personal_data(
    repository: InMemoryPaymentRepository,
    captured_logs: io.StringIO,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auth = {"Authorization": f"Bearer {SECRET_TOKEN}"}
    body = submission(description=SECRET_DESCRIPTION, amount=SECRET_AMOUNT)

    def event(method: str, path: str, **options: Any) -> dict[str, Any]:
        options.setdefault("sub", CALLER)
        return rest_event(method, path, headers=auth, **options)

    answers = [
        call(event("POST", "/payments", body=body)),
        call(event("POST", "/payments", body=body)),
        call(event("POST", "/payments", body={**body, "amount": "9999.99"})),
        call(
            event("POST", "/payments", body={**body, "description": SECRET_DESCRIPTION + "\u202e"})
        ),
        call(event("POST", "/payments", body={**body, "userId": OTHER_USER})),
        call(event("POST", "/payments", body=json.dumps(body) + "x")),
        call(event("POST", "/payments", body=body, content_type="text/plain")),
        call(event("POST", "/payments", body=json.dumps(body) + " " * MAX_BODY_BYTES)),
        call(event("GET", f"/payments/{PAYMENT_ID}", content_type=None)),
        call(event("GET", "/payments", query="month=2026-11", content_type=None)),
        call(event("GET", "/payments", query="month=2026-11&cursor=bad", content_type=None)),
        call(event("POST", f"/payments/{PAYMENT_ID}/void", content_type=None)),
        call(event("GET", f"/payments/{PAYMENT_ID}", sub=OTHER_USER, content_type=None)),
    ]

    def broken(*_: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(use_cases, "get_payment", broken)
    answers.append(call(event("GET", f"/payments/{PAYMENT_ID}", content_type=None)))

    assert [a.status for a in answers] == [
        201,
        200,
        409,
        422,
        403,
        400,
        415,
        413,
        200,
        200,
        400,
        200,
        404,
        500,
    ]
    out, err = capfd.readouterr()
    records = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    everything = "\n".join([captured_logs.getvalue(), out, err, records])
    assert "unhandled error" in everything  # the capture does see the handler's own log lines
    for secret in (
        SECRET_DESCRIPTION,
        SECRET_AMOUNT,
        SECRET_EMAIL,
        SECRET_TOKEN,
        SECRET_TOKEN.rsplit(".", 1)[1],  # the signature alone
        "jane.doe",
        "flat 4B",
    ):
        assert secret not in everything
