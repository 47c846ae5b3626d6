"""Throttling and 5xx injected into the real DynamoDB client: bounded jittered retries, then 503.

The botocore client is the production one (`make_client`: standard mode, 3 attempts, 1 s/2 s
timeouts); an event hook answers every attempt with the injected error before anything is sent, and
botocore's sleeps are recorded instead of slept. The api handler must answer 503 problem+json with
`Retry-After` — never a 500, never a stack trace.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

from payments_tracker.adapters.dynamodb.client import make_client
from payments_tracker.adapters.dynamodb.repository import DynamoDBPaymentRepository
from payments_tracker.composition.root import ApiPorts, override_api
from payments_tracker.handlers import api
from payments_tracker.service.cursor import CursorCodec
from support.api_events import rest_event
from support.memory import InMemoryConsentRepository, InMemoryCorrections, InMemoryReportDocuments

CALLER = str(uuid.uuid4())
FAULTS = [
    (400, "ProvisionedThroughputExceededException"),
    (400, "ThrottlingException"),
    (400, "RequestLimitExceeded"),
    (500, "InternalServerError"),
    (503, "ServiceUnavailable"),
]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class FaultInjector:
    """Answers every DynamoDB attempt with one error; counts attempts and botocore's sleeps."""

    def __init__(self, status: int, code: str) -> None:
        self.status, self.code = status, code
        self.attempts: list[str] = []
        self.sleeps: list[float] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.attempts.append(request.headers.get("X-Amz-Target", b"").decode())
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": "x"}
        )
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, self.status, headers, _Raw(body.encode()))


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    injectors: list[FaultInjector] = []

    def install(status: int, code: str) -> FaultInjector:
        injector = FaultInjector(status, code)
        client = make_client("us-east-1", "http://127.0.0.1:9")
        client.meta.events.register("before-send.dynamodb.*", injector)
        monkeypatch.setattr(botocore.endpoint.time, "sleep", injector.sleeps.append)
        override_api(
            ApiPorts(
                payments=DynamoDBPaymentRepository(client, "payments"),
                cursors=CursorCodec(b"k" * 32, 3600),
                consents=InMemoryConsentRepository(),
                reports=InMemoryReportDocuments(),
                corrections=InMemoryCorrections(),
            )
        )
        injectors.append(injector)
        return injector

    yield install
    override_api(None)


def submit_event() -> dict[str, Any]:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": CALLER,
        "timestamp": "2026-11-20T10:00:00Z",
        "description": "Rent",
        "currency": "GBP",
        "amount": "950.00",
    }
    return rest_event("POST", "/payments", body=body, sub=CALLER)


class Context:
    function_name = "api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api"
    aws_request_id = "test"


@pytest.mark.parametrize(("status", "code"), FAULTS)
@pytest.mark.parametrize("route", ["submit", "get", "list"])
def test_an_injected_fault_is_retried_3_times_with_jitter_then_answers_503(
    inject: Any, status: int, code: str, route: str, capsys: pytest.CaptureFixture[str]
) -> None:
    injector = inject(status, code)
    event = {
        "submit": submit_event,
        "get": lambda: rest_event("GET", f"/payments/{uuid.uuid4()}", sub=CALLER),
        "list": lambda: rest_event("GET", "/payments", query="month=2026-11", sub=CALLER),
    }[route]()

    response = api.handler(event, Context())  # type: ignore[arg-type]

    assert response["statusCode"] == 503
    headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = values[-1]
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == "1"
    problem = json.loads(response["body"])
    assert problem["type"] == "/problems/storage-unavailable"
    assert len(injector.attempts) == 3  # standard mode: the first try and two retries
    assert len(injector.sleeps) == 2
    assert all(0 <= delay <= 20 for delay in injector.sleeps)
    output = capsys.readouterr()
    assert "Traceback" not in response["body"] + output.out + output.err
    assert "Rent" not in output.out + output.err


def test_the_backoff_between_retries_is_jittered(inject: Any) -> None:
    first_delays = set()
    for _ in range(8):
        injector = inject(400, "ProvisionedThroughputExceededException")
        assert api.handler(submit_event(), Context())["statusCode"] == 503  # type: ignore[arg-type]
        first_delays.add(injector.sleeps[0])
    assert len(first_delays) > 1  # random, not a fixed schedule
    assert max(first_delays) <= 1.0  # throttling: random() x 1 s x 2^0 on the first retry
