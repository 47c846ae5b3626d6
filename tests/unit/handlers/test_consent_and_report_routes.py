"""GET/PUT /consent and GET /reports/{month} in process: in-memory stores, a clock held still."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from payments_tracker.composition.root import ApiPorts, override_api
from payments_tracker.domain.months import Month
from payments_tracker.handlers import api
from payments_tracker.local.invokers import LocalLambdaContext
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
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PROBLEM_JSON = "application/problem+json"

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@dataclass
class Stores:
    consents: InMemoryConsentRepository
    reports: InMemoryReportDocuments
    clock: list[datetime]


@pytest.fixture
def stores() -> Iterator[Stores]:
    """Empty consent and report stores, and a clock a test can move, installed for one test."""
    installed = Stores(InMemoryConsentRepository(), InMemoryReportDocuments(), [NOW])
    override_api(
        ApiPorts(
            payments=InMemoryPaymentRepository(),
            cursors=CursorCodec(b"consent-test-cursor-key", 3600),
            clock=lambda: installed.clock[0],
            consents=installed.consents,
            reports=installed.reports,
            corrections=InMemoryCorrections(),
        )
    )
    yield installed
    override_api(None)


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = api.handler(event, LocalLambdaContext("api"))  # type: ignore[arg-type]
    headers = {name: values[-1] for name, values in response["multiValueHeaders"].items()}
    headers.update(response.get("headers") or {})
    return response["statusCode"], headers, json.loads(response["body"])


def put_consent(body: Any, sub: str = CALLER, **options: Any) -> tuple[int, dict[str, str], Any]:
    return call(rest_event("PUT", "/consent", body=body, sub=sub, **options))


def get_consent(sub: str = CALLER) -> tuple[int, dict[str, str], Any]:
    return call(rest_event("GET", "/consent", sub=sub, content_type=None))


def get_report(month: str, sub: str = CALLER) -> tuple[int, dict[str, str], Any]:
    event = rest_event("GET", f"/reports/{month}", sub=sub, content_type=None)
    event["resource"] = event["requestContext"]["resourcePath"] = "/reports/{month}"
    event["pathParameters"] = {"month": month}
    return call(event)


def rules(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(error["field"], error["rule"]) for error in body["errors"]}


# --- consent ------------------------------------------------------------------------------------


def test_before_any_answer_consent_is_not_given(stores: Stores) -> None:
    status, headers, body = get_consent()

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "creditFileSharing": False,
        "termsVersion": None,
        "updatedAt": None,
        "history": [],
    }


def test_giving_consent_answers_the_new_state_and_get_shows_it(stores: Stores) -> None:
    status, _, body = put_consent({"creditFileSharing": True, "termsVersion": "2026-11"})

    assert status == 200
    expected = {
        "creditFileSharing": True,
        "termsVersion": "2026-11",
        "updatedAt": "2026-11-20T12:00:00Z",
        "history": [
            {
                "creditFileSharing": True,
                "termsVersion": "2026-11",
                "changedAt": ("2026-11-20T12:00:00Z"),
            }
        ],
    }
    assert body == expected
    assert get_consent()[2] == expected


def test_withdrawing_keeps_the_history_newest_first(stores: Stores) -> None:
    put_consent({"creditFileSharing": True, "termsVersion": "2026-11"})
    stores.clock[0] = NOW + timedelta(days=3)

    status, _, body = put_consent({"creditFileSharing": False})

    assert status == 200
    assert body["creditFileSharing"] is False
    assert body["termsVersion"] == "2026-11"
    assert [(c["creditFileSharing"], c["changedAt"]) for c in body["history"]] == [
        (False, "2026-11-23T12:00:00Z"),
        (True, "2026-11-20T12:00:00Z"),
    ]
    assert stores.consents.consent_standing_at(uuid.UUID(CALLER), NOW + timedelta(days=1))
    assert not stores.consents.consent_standing_at(uuid.UUID(CALLER), NOW + timedelta(days=3))


def test_repeating_the_same_answer_records_nothing(stores: Stores) -> None:
    put_consent({"creditFileSharing": True, "termsVersion": "2026-11"})
    stores.clock[0] = NOW + timedelta(days=1)

    _, _, body = put_consent({"creditFileSharing": True, "termsVersion": "2026-11"})

    assert len(body["history"]) == 1
    assert body["updatedAt"] == "2026-11-20T12:00:00Z"


def test_a_bad_consent_is_422_naming_the_field_and_the_rule(stores: Stores) -> None:
    status, headers, body = put_consent({"creditFileSharing": "yes", "termsVersion": "v1"})

    assert status == 422
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body["type"] == "/problems/validation"
    assert rules(body) == {("creditFileSharing", "boolean")}
    assert stores.consents.changes == {}


def test_giving_consent_without_terms_is_422(stores: Stores) -> None:
    status, _, body = put_consent({"creditFileSharing": True})

    assert status == 422
    assert rules(body) == {("termsVersion", "required")}


def test_an_array_body_is_422_and_malformed_json_400_and_text_415(stores: Stores) -> None:
    assert put_consent([{"creditFileSharing": False}])[0] == 422
    assert put_consent('{"creditFileSharing": tru')[0] == 400
    assert put_consent('{"creditFileSharing": true, "creditFileSharing": false}')[0] == 400
    assert put_consent("creditFileSharing=true", content_type="text/plain")[0] == 415
    assert put_consent({"creditFileSharing": False, "pad": "x" * 9000})[0] == 413
    assert stores.consents.changes == {}


def test_one_users_consent_is_never_anothers(stores: Stores) -> None:
    put_consent({"creditFileSharing": True, "termsVersion": "2026-11"}, sub=OTHER_USER)

    assert get_consent()[2]["creditFileSharing"] is False


def test_a_storage_outage_is_503_with_retry_after(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*_: Any) -> list[Any]:
        raise StorageUnavailable("ProvisionedThroughputExceededException")

    monkeypatch.setattr(stores.consents, "history", unavailable)

    status, headers, body = get_consent()

    assert status == 503
    assert headers["Retry-After"] == "1"
    assert body["type"] == "/problems/storage-unavailable"


# --- reports ------------------------------------------------------------------------------------

REPORT = {
    "month": "2026-11",
    "userId": CALLER,
    "generatedAt": "2026-12-05T02:00:03Z",
    "commitments": [
        {
            "commitmentId": "2f1d0a55-9c3e-5b7a-8e21-6d4c3b2a1f00",
            "name": "Netflix",
            "currency": "GBP",
            "status": "kept",
            "monthsKept": 3,
            "established": True,
            "history24": "111" + "-" * 21,
            "amountsPaid": ["10.99"],
            "firstMonth": "2026-09",
            "lastMonth": "2026-11",
        }
    ],
}


def test_a_built_report_is_served_exactly_as_stored(stores: Stores) -> None:
    document = json.dumps(REPORT, separators=(",", ":"))
    stores.reports.documents[(uuid.UUID(CALLER), Month(2026, 11))] = document

    status, headers, body = get_report("2026-11")

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == REPORT


def test_before_the_month_is_built_the_report_is_404(stores: Stores) -> None:
    status, headers, body = get_report("2026-11")

    assert status == 404
    assert headers["Content-Type"] == PROBLEM_JSON
    assert body["type"] == "/problems/report-not-found"


def test_another_users_report_is_404(stores: Stores) -> None:
    stores.reports.documents[(uuid.UUID(OTHER_USER), Month(2026, 11))] = json.dumps(REPORT)

    assert get_report("2026-11")[0] == 404


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "2026-11-01", "0000-01", "nov"])
def test_a_malformed_month_is_400_naming_the_rule(stores: Stores, month: str) -> None:
    status, _, body = get_report(month)

    assert status == 400
    assert body["type"] == "/problems/bad-month"
    assert rules(body) == {("month", "month-format")}
