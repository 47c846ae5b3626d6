"""The committed OpenAPI document is what the code generates, and it describes the code."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from payments_tracker.domain.errors import ValidationFailed
from payments_tracker.domain.money import accepted_currencies
from payments_tracker.domain.payment import validate_submission
from payments_tracker.edge.gateway_responses import (
    DEFAULTS_KEEP_STATUS,
    GATEWAY_RESPONSES,
    gateway_problem,
)
from payments_tracker.edge.problems import PROBLEM_CONTENT_TYPE
from payments_tracker.edge.routes import API_ROUTES
from payments_tracker.handlers.models import PaymentSubmission, Problem
from payments_tracker.handlers.openapi import render

COMMITTED = Path(__file__).parents[2] / "docs" / "api" / "openapi.json"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_committed_document_equals_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/api/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_document_declares_exactly_the_deployed_routes() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    declared = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert declared == {(route.method, route.resource) for route in API_ROUTES}


def test_every_error_response_is_problem_json_and_every_operation_needs_a_bearer_token() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["security"] == [{"bearer": []}]
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            assert "401" in responses
            for status, response in responses.items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], status


OPERATION_IDS = {
    ("POST", "/payments"): "submitPayment",
    ("GET", "/payments"): "listPayments",
    ("GET", "/payments/{paymentId}"): "getPayment",
    ("POST", "/payments/{paymentId}/void"): "voidPayment",
    ("GET", "/reports/{month}"): "getReport",
    ("GET", "/consent"): "getConsent",
    ("PUT", "/consent"): "setConsent",
    ("GET", "/commitments"): "listCommitments",
    ("PATCH", "/commitments/{commitmentId}"): "correctCommitment",
    ("POST", "/commitments/{commitmentId}/merge"): "mergeCommitment",
    ("GET", "/commitments/{commitmentId}/months"): "getCommitmentMonths",
}
"""What generated SDKs name their methods after: designed, not the framework's defaults."""


def test_every_operation_has_its_designed_operation_id() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    declared = {
        (method.upper(), path): operation.get("operationId")
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert declared == OPERATION_IDS


GATEWAY_ONLY_ON_OTHER_ROUTES = {
    "MISSING_AUTHENTICATION_TOKEN": "answers a method and path that match no route, never one",
    "UNSUPPORTED_MEDIA_TYPE": "comes of passthrough behaviour, which a proxy integration lacks",
}
GATEWAY_OWN_STATUSES = {502: "the function failed", 504: "the integration timed out (29 s)"}
"""DEFAULT_5XX keeps the gateway's status: these are the ones it sends for a proxy integration."""


def test_every_error_the_edge_can_send_is_declared_on_every_operation_as_problem_json() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    statuses = {
        response.status
        for kind, response in GATEWAY_RESPONSES.items()
        if kind not in GATEWAY_ONLY_ON_OTHER_ROUTES
    }
    if DEFAULTS_KEEP_STATUS:
        statuses |= set(GATEWAY_OWN_STATUSES)
    statuses |= {500, 503}  # the handler's own: a bug, storage unavailable
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status in sorted(statuses):
                declared = operation["responses"].get(str(status))
                assert declared is not None, f"{method} {path} does not declare {status}"
                assert list(declared["content"]) == [PROBLEM_CONTENT_TYPE], (method, path, status)
            retry_after = operation["responses"]["503"].get("headers", {})
            assert "Retry-After" in retry_after, (method, path)


@pytest.mark.parametrize("kind", sorted(GATEWAY_RESPONSES))
def test_every_gateway_problem_is_a_problem_of_the_document(kind: str) -> None:
    status = 502 if kind in DEFAULTS_KEEP_STATUS else None
    body = gateway_problem(kind, str(uuid.uuid4()), status)  # type: ignore[arg-type]

    Problem.model_validate(body)  # its pattern, bounds and format hold


def test_submit_documents_every_status_of_the_contract() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    responses = document["paths"]["/payments"]["post"]["responses"]
    assert set(responses) >= {"201", "200", "400", "401", "403", "409", "413", "415", "422"}
    assert "Location" in responses["201"]["headers"]


def _body(**overrides: str) -> dict[str, str]:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": str(uuid.uuid4()),
        "timestamp": "2026-11-20T10:00:00.123+01:00",
        "description": "Gym",
        "currency": "GBP",
        "amount": "12.90",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("currency", sorted(accepted_currencies()))
def test_the_documented_currency_list_is_the_accepted_one(currency: str) -> None:
    amount = "1"
    PaymentSubmission.model_validate(_body(currency=currency, amount=amount))
    validate_submission(_body(currency=currency, amount=amount), NOW)


@pytest.mark.parametrize(
    "override",
    [
        {"paymentId": "8C4C3A8E-3B0B-4C8C-9F5E-3C0D6A1E2B3F"},
        {"userId": "{8c4c3a8e-3b0b-4c8c-9f5e-3c0d6a1e2b3f}"},
        {"timestamp": "2026-11-20T10:00:00"},
        {"amount": "012.00"},
        {"amount": "1e3"},
        {"currency": "XTS"},
        {"description": ""},
    ],
)
def test_what_the_document_forbids_the_domain_rejects(override: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        PaymentSubmission.model_validate(_body(**override))
    with pytest.raises(ValidationFailed):
        validate_submission(_body(**override), NOW)
