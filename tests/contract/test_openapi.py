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
from payments_tracker.handlers.models import PaymentSubmission
from payments_tracker.handlers.openapi import render
from payments_tracker.routes import API_ROUTES

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
