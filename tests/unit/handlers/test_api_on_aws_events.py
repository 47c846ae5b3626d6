"""The api handler as Lambda runs it behind API Gateway (issue 11, points 8 and 11).

`handlers.api.handler` is called directly with the REST proxy event API Gateway sends (payload 1.0,
stage v1, binaryMediaTypes `*/*`), not through the local gateway, which adds headers of its own:
what is checked here is the function's own answer, as a browser on AWS would receive it.
"""

from __future__ import annotations

import base64
import importlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import Response
from starlette.testclient import TestClient

from payments_tracker.composition.root import ApiPorts, override_api
from payments_tracker.composition.settings import Settings, get_settings
from payments_tracker.edge import cors
from payments_tracker.handlers import api
from payments_tracker.local.gateway import create_app
from payments_tracker.local.invokers import InProcessInvoker, LocalLambdaContext
from payments_tracker.service.cursor import CursorCodec
from support.memory import (
    InMemoryConsentRepository,
    InMemoryCorrections,
    InMemoryPaymentRepository,
    InMemoryReportDocuments,
)

CALLER = "5f0c7a52-3a1e-4c1b-9a55-0c0d2f5e4a11"
PAYMENT_ID = "0b7e6a0c-3a5c-4f2e-9a9b-1c2d3e4f5a6b"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE = "https://d111111abcdef8.cloudfront.net"
SECOND_PAGE = "https://app.example"
EVIL = "https://evil.example"
PROBLEM_JSON = "application/problem+json"
NOT_UTF8 = b'{"creditFileSharing": false, "termsVersion": "caf\xe9"}'

# api.py silences this at import; pytest resets warning filters for each test.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def aws_event(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    base64_encoded: bool = True,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API proxy event as API Gateway sends it to the api function (regional, stage v1).

    With binaryMediaTypes `*/*` a body arrives base64-encoded with `isBase64Encoded: true`;
    `base64_encoded=False` gives the text form a REST API without binary media types sends.
    """
    resource = "/payments/{paymentId}" if path.startswith("/payments/") else path
    all_headers = {
        "Accept": "application/json",
        "Authorization": "Bearer test-token",
        "Host": "a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com",
        "User-Agent": "Mozilla/5.0",
        "X-Amzn-Trace-Id": "Root=1-67891233-abcdef012345678912345678",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    text = None
    if body is not None:
        text = base64.b64encode(body).decode("ascii") if base64_encoded else body.decode("utf-8")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"paymentId": path.rsplit("/", 1)[1]} if resource != path else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "authorizer": {
                "principalId": CALLER,
                "sub": CALLER,
                "username": CALLER,
                "clientId": "web-client-id",
                "scope": "openid email",
                "integrationLatency": 0,
            },
            "domainName": "a1b2c3d4e5.execute-api.eu-west-2.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "203.0.113.7",
                "user": None,
                "userAgent": "Mozilla/5.0",
                "userArn": None,
                "clientCert": None,
            },
            "path": f"/v1{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": "20/Nov/2026:12:00:00 +0000",
            "requestTimeEpoch": 1795176000000,
            "resourceId": "abc123",
            "resourcePath": resource,
            "stage": "v1",
        },
        "body": text,
        "isBase64Encoded": body is not None and base64_encoded,
    }


def call(event: dict[str, Any]) -> dict[str, Any]:
    """The api function's raw proxy result for `event`."""
    result: dict[str, Any] = api.handler(event, LocalLambdaContext("api"))  # type: ignore[arg-type]
    return result


def header(result: dict[str, Any], name: str) -> str | None:
    """The one value of header `name` in a proxy result (None if absent; two would fail)."""
    values = [
        value
        for key, values in (result.get("multiValueHeaders") or {}).items()
        if key.lower() == name.lower()
        for value in values
    ] + [
        value for key, value in (result.get("headers") or {}).items() if key.lower() == name.lower()
    ]
    assert len(values) <= 1, (name, values)
    return values[0] if values else None


def problem_rules(result: dict[str, Any]) -> list[tuple[str, str]]:
    assert header(result, "Content-Type") == PROBLEM_JSON
    body = json.loads(result["body"])
    assert body["status"] == result["statusCode"]
    return [(error["field"], error["rule"]) for error in body["errors"]]


def submission(**changes: Any) -> dict[str, Any]:
    return {
        "paymentId": PAYMENT_ID,
        "userId": CALLER,
        "timestamp": "2026-11-03T09:30:00+01:00",
        "description": "Café with Zoë",
        "currency": "GBP",
        "amount": "12.9",
        **changes,
    }


@pytest.fixture
def repository() -> Iterator[InMemoryPaymentRepository]:
    """Empty in-memory stores, installed as the api's dependencies for one test."""
    store = InMemoryPaymentRepository()
    override_api(
        ApiPorts(
            payments=store,
            cursors=CursorCodec(b"aws-events-test-cursor-key", 3600),
            consents=InMemoryConsentRepository(),
            reports=InMemoryReportDocuments(),
            corrections=InMemoryCorrections(),
            clock=lambda: NOW,
        )
    )
    yield store
    override_api(None)


@contextmanager
def api_allowing(origins: str | None) -> Iterator[ModuleType]:
    """The api module re-imported with these CORS origins (its settings are read at import)."""
    with pytest.MonkeyPatch.context() as patch:
        if origins is None:
            patch.delenv("PAYMENTS_CORS_ALLOWED_ORIGINS", raising=False)
        else:
            patch.setenv("PAYMENTS_CORS_ALLOWED_ORIGINS", origins)
        get_settings.cache_clear()
        importlib.reload(api)
    try:
        yield api
    finally:
        get_settings.cache_clear()
        importlib.reload(api)  # back to the test environment's settings for the other tests


@pytest.fixture
def cors_api() -> Iterator[ModuleType]:
    """The api module as deployed: CORS on for two pages."""
    with api_allowing(f"{PAGE},{SECOND_PAGE}") as module:
        yield module


@pytest.fixture
def no_cors_api() -> Iterator[ModuleType]:
    """The api module with no CORS origin configured."""
    with api_allowing(None) as module:
        yield module


# --- point 11: bodies as API Gateway hands them over -------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_a_base64_json_body_as_aws_sends_it_is_read_like_any_other(
    repository: InMemoryPaymentRepository, content_type: str
) -> None:
    body = json.dumps(submission(), ensure_ascii=False).encode("utf-8")
    event = aws_event("POST", "/payments", body=body, headers={"Content-Type": content_type})

    result = call(event)

    assert result["statusCode"] == 201, result["body"]
    assert json.loads(result["body"])["description"] == "Café with Zoë"
    assert len(repository.payments) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/payments", b'{"paymentId": "caf\xe9"}'),
        ("POST", "/payments", b"\xff\xfe{\x00}\x00"),  # UTF-16 with its byte order mark
        ("PUT", "/consent", NOT_UTF8),
        ("PUT", "/consent", b'{"creditFileSharing": false, "x": "\xed\xa0\x80"}'),  # surrogate
    ],
)
def test_a_base64_body_that_is_not_utf8_answers_400_problem_naming_the_body_and_the_rule(
    repository: InMemoryPaymentRepository, method: str, path: str, body: bytes
) -> None:
    event = aws_event(method, path, body=body, headers={"Content-Type": "application/json"})

    result = call(event)

    assert result["statusCode"] == 400
    assert problem_rules(result) == [("body", "utf-8")]
    problem = json.loads(result["body"])
    assert problem["type"] == "/problems/malformed-json"
    assert problem["detail"].startswith("body:")
    assert problem["instance"] == event["requestContext"]["requestId"]
    assert repository.payments == {}


def test_a_text_body_without_base64_is_still_read_as_text(
    repository: InMemoryPaymentRepository,
) -> None:
    body = json.dumps(submission(), ensure_ascii=False).encode("utf-8")
    event = aws_event(
        "POST",
        "/payments",
        body=body,
        base64_encoded=False,
        headers={"Content-Type": "application/json"},
    )
    assert event["isBase64Encoded"] is False

    result = call(event)

    assert result["statusCode"] == 201, result["body"]
    assert json.loads(result["body"])["description"] == "Café with Zoë"


def _fake_authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    arn = event["methodArn"].split("/", 1)[0]
    return {
        "principalId": CALLER,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": arn + "/*"}
            ],
        },
        "context": {"sub": CALLER, "username": CALLER, "clientId": "cli", "scope": "openid"},
    }


def test_the_local_gateway_hands_the_api_the_same_base64_bodies(
    repository: InMemoryPaymentRepository,
) -> None:
    events: list[dict[str, Any]] = []

    def api_function(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        return api.handler(event, context)

    invoker = InProcessInvoker({"authorizer": _fake_authorizer, "api": api_function})
    app = create_app(Settings(AWS_REGION="eu-west-2"), invoker)
    auth = {"Authorization": "Bearer test-token", "Content-Type": "application/json"}
    with TestClient(app, base_url="http://127.0.0.1:3000") as client:
        refused = client.put("/consent", headers=auth, content=NOT_UTF8)
        accepted = client.put("/consent", headers=auth, content=b'{"creditFileSharing": false}')

    assert refused.status_code == 400
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [("body", "utf-8")]
    assert accepted.status_code == 200, accepted.text
    assert [event["isBase64Encoded"] for event in events] == [True, True]
    assert base64.b64decode(events[0]["body"]) == NOT_UTF8


# --- point 8: Vary: Origin on the function's own answers ---------------------------------------


def test_an_allowed_origin_is_echoed_with_vary_origin(
    cors_api: ModuleType, repository: InMemoryPaymentRepository
) -> None:
    event = aws_event("GET", f"/payments/{PAYMENT_ID}", headers={"Origin": SECOND_PAGE})
    json_type = {"Content-Type": "application/json"}
    call(aws_event("POST", "/payments", body=json.dumps(submission()).encode(), headers=json_type))

    result = call(event)

    assert result["statusCode"] == 200
    assert header(result, "Access-Control-Allow-Origin") == SECOND_PAGE
    assert header(result, "Vary") == "Origin"


JSON = "application/json"


@pytest.mark.parametrize(
    ("status", "request_line"),
    [
        (400, ("POST", "/payments", b'{"a": "\xe9"}', JSON)),
        (415, ("POST", "/payments", b"{}", "text/plain")),
        (422, ("POST", "/payments", b'{"amount": "1"}', JSON)),
        (404, ("GET", f"/payments/{PAYMENT_ID}", None, None)),
        (404, ("GET", "/nowhere", None, None)),
    ],
)
def test_problem_answers_echo_an_allowed_origin_with_vary_origin(
    cors_api: ModuleType,
    repository: InMemoryPaymentRepository,
    status: int,
    request_line: tuple[str, str, bytes | None, str | None],
) -> None:
    method, path, body, content_type = request_line
    headers = {"Origin": PAGE, **({"Content-Type": content_type} if content_type else {})}

    result = call(aws_event(method, path, body=body, headers=headers))

    assert result["statusCode"] == status
    assert header(result, "Content-Type") == PROBLEM_JSON
    assert header(result, "Access-Control-Allow-Origin") == PAGE
    assert header(result, "Vary") == "Origin"


def test_a_preflight_answered_by_the_function_has_vary_origin(cors_api: ModuleType) -> None:
    event = aws_event(
        "OPTIONS",
        "/payments",
        headers={"Origin": PAGE, "Access-Control-Request-Method": "POST"},
    )
    event["requestContext"].pop("authorizer")  # preflights are not authorized

    result = call(event)

    assert result["statusCode"] == 204
    assert header(result, "Access-Control-Allow-Origin") == PAGE
    assert "POST" in (header(result, "Access-Control-Allow-Methods") or "")
    assert header(result, "Vary") == "Origin"


@pytest.mark.parametrize("origin", [EVIL, None])
def test_an_answer_without_cors_headers_still_varies_on_origin(
    cors_api: ModuleType, repository: InMemoryPaymentRepository, origin: str | None
) -> None:
    # Otherwise a cache could hand this (CORS-less) answer to the allowed page, or the reverse.
    result = call(aws_event("GET", "/consent", headers={"Origin": origin} if origin else {}))

    assert result["statusCode"] == 200
    assert header(result, "Access-Control-Allow-Origin") is None
    assert header(result, "Vary") == "Origin"


def test_vary_origin_joins_a_vary_the_route_set_instead_of_replacing_it(
    cors_api: ModuleType,
) -> None:
    @cors_api.app.get("/vary-probe")  # on this test's reloaded app only
    def _probe() -> Response[str]:
        return Response(200, "text/plain", "ok", {"Vary": "Accept-Encoding"})

    result = call(aws_event("GET", "/vary-probe", headers={"Origin": PAGE}))

    assert result["statusCode"] == 200
    assert header(result, "Access-Control-Allow-Origin") == PAGE
    assert header(result, "Vary") == "Accept-Encoding, Origin"


def test_without_cors_settings_nothing_is_added(
    no_cors_api: ModuleType, repository: InMemoryPaymentRepository
) -> None:
    result = call(aws_event("GET", "/consent", headers={"Origin": PAGE}))

    assert header(result, "Access-Control-Allow-Origin") is None
    assert header(result, "Vary") is None


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"statusCode": 200, "multiValueHeaders": {}}, {"multiValueHeaders": ["Origin"]}),
        (
            {"multiValueHeaders": {"vary": ["Accept-Encoding", "Accept"]}},
            {"multiValueHeaders": ["Accept-Encoding, Accept, Origin"]},
        ),
        ({"headers": {"VARY": "origin"}}, {"headers": "origin"}),
        ({"headers": {"Vary": "*"}}, {"headers": "*"}),
        (
            {"headers": {"Vary": "Accept"}, "multiValueHeaders": {"Vary": ["Accept, Cookie"]}},
            {"multiValueHeaders": ["Accept, Cookie, Origin"]},
        ),
        ({"statusCode": 204}, {"multiValueHeaders": ["Origin"]}),
    ],
)
def test_add_vary_origin_merges_every_vary_into_one(
    result: dict[str, Any], expected: dict[str, Any]
) -> None:
    cors.add_vary_origin(result)

    varies = [
        (where, value)
        for where in ("headers", "multiValueHeaders")
        for name, value in (result.get(where) or {}).items()
        if name.lower() == "vary"
    ]
    assert varies == list(expected.items())
    assert all(
        name == "Vary"
        for where in ("headers", "multiValueHeaders")
        for name in (result.get(where) or {})
        if name.lower() == "vary"
    )
