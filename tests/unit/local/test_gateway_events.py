"""The local gateway acts as API Gateway (REST API, v1): events, routing, auth, errors, CORS."""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from starlette.testclient import TestClient

from payments_tracker.composition.settings import Settings
from payments_tracker.edge.gateway_responses import (
    AUTHORIZER_RETRY_AFTER_SECONDS,
    GATEWAY_RESPONSES,
    body_template,
    gateway_problem,
)
from payments_tracker.edge.routes import Route
from payments_tracker.local.gateway import create_app
from payments_tracker.local.invokers import InProcessInvoker, ProcessPoolInvoker
from payments_tracker.local.proxy import (
    AuthorizerGrant,
    GatewayRequest,
    MalformedResultError,
    authorizer_request_context,
    build_authorizer_event,
    build_proxy_event,
    is_binary_media_type,
    match_route,
    method_arn,
    parse_authorizer_result,
    parse_proxy_response,
    policy_allows,
    resource_methods,
)

ALLOWED_ORIGIN = "http://app.example"
REGION = "eu-west-1"
API_ARN = f"arn:aws:execute-api:{REGION}:123456789012:local"
RECEIVED_AT = datetime(2026, 11, 3, 9, 5, 7, 123000, tzinfo=UTC)
CONTEXT = {"sub": "user-1", "username": "user-1", "clientId": "cli", "scope": "openid"}

# The keys of AWS's documented REST API proxy event (payload format 1.0).
AWS_EVENT_KEYS = {
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
}


def _allow_all(principal: str = "user-1") -> dict[str, Any]:
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{API_ARN}/v1/*/*"}
            ],
        },
        "context": CONTEXT,
    }


# --- pure functions ------------------------------------------------------------------------------


def test_literal_and_templated_resources_match_with_path_parameters() -> None:
    assert match_route("POST", "/payments") == (Route("POST", "/payments"), {}, True)
    found = match_route("GET", "/payments/abc")
    assert found is not None
    assert found.route == Route("GET", "/payments/{paymentId}")
    assert found.path_parameters == {"paymentId": "abc"}
    assert found.authenticated


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/payments"),  # undeclared method on a known resource
        ("GET", "/nope"),
        ("GET", "/payments/"),  # empty path parameter
        ("GET", "/payments/a/b"),
        ("GET", "/"),
        ("HEAD", "/payments"),
    ],
)
def test_unknown_routes_match_nothing(method: str, path: str) -> None:
    assert match_route(method, path) is None


def test_local_only_routes_need_no_authentication() -> None:
    found = match_route("GET", "/swagger")
    assert found is not None
    assert not found.authenticated


def test_path_parameters_stay_percent_encoded_like_rest_apis() -> None:
    found = match_route("GET", "/payments/a%2Fb")
    assert found is not None
    assert found.path_parameters == {"paymentId": "a%2Fb"}


def test_resource_methods_lists_the_methods_of_a_resource() -> None:
    assert resource_methods("/payments/x") == {"GET"}
    assert resource_methods("/payments/x/void") == {"POST"}
    assert resource_methods("/payments") == {"GET", "POST"}
    assert resource_methods("/unknown") == set()


def test_method_arn_names_region_account_api_stage_method_and_path() -> None:
    assert (
        method_arn(REGION, "GET", "/payments/abc")
        == "arn:aws:execute-api:eu-west-1:123456789012:local/v1/GET/payments/abc"
    )


def test_authorizer_event_is_a_token_event_with_the_raw_header() -> None:
    arn = method_arn(REGION, "GET", "/payments")
    assert build_authorizer_event("Bearer abc", arn) == {
        "type": "TOKEN",
        "authorizationToken": "Bearer abc",
        "methodArn": arn,
    }


def _event(request: GatewayRequest, authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    found = match_route(request.method, request.path)
    assert found is not None
    return build_proxy_event(
        request, found, request_id="req-1", received_at=RECEIVED_AT, authorizer=authorizer
    )


def test_proxy_event_without_query_or_body_has_nulls_like_aws() -> None:
    event = _event(GatewayRequest("GET", "/payments/p-1", headers=[("host", "127.0.0.1:3000")]))
    assert set(event) == AWS_EVENT_KEYS
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    assert event["pathParameters"] == {"paymentId": "p-1"}
    assert event["resource"] == "/payments/{paymentId}"
    assert event["path"] == "/payments/p-1"
    assert event["httpMethod"] == "GET"


def test_proxy_event_has_single_and_multi_value_query_and_headers() -> None:
    request = GatewayRequest(
        "GET",
        "/payments",
        query_string="month=2026-11&tag=a&tag=b%20c&empty=",
        headers=[
            ("host", "h"),
            ("accept", "a/1"),
            ("accept", "a/2"),
            ("authorization", "Bearer t"),
        ],
    )
    event = _event(request)
    assert event["queryStringParameters"] == {"month": "2026-11", "tag": "b c", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {
        "month": ["2026-11"],
        "tag": ["a", "b c"],
        "empty": [""],
    }
    assert event["headers"]["accept"] == "a/2"  # the last value, as AWS does
    assert event["multiValueHeaders"]["accept"] == ["a/1", "a/2"]
    assert event["headers"]["authorization"] == "Bearer t"
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["pathParameters"] is None


def test_proxy_event_request_context_carries_stage_ids_and_authorizer() -> None:
    grant = AuthorizerGrant("user-1", _allow_all()["policyDocument"], CONTEXT)
    event = _event(
        GatewayRequest("POST", "/payments/p-1/void", source_ip="127.0.0.9"),
        authorizer=authorizer_request_context(grant, 12),
    )
    context = event["requestContext"]
    assert context["resourcePath"] == "/payments/{paymentId}/void"
    assert context["httpMethod"] == "POST"
    assert context["path"] == "/payments/p-1/void"  # the local base URL is the stage root
    assert context["stage"] == "v1"
    assert context["requestId"] == "req-1"
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.9"
    assert context["requestTimeEpoch"] == int(RECEIVED_AT.timestamp() * 1000)
    assert context["requestTime"] == "03/Nov/2026:09:05:07 +0000"
    assert context["authorizer"] == {**CONTEXT, "principalId": "user-1", "integrationLatency": 12}


def test_proxy_event_reads_correctly_through_powertools() -> None:
    grant = AuthorizerGrant("user-1", {}, CONTEXT)
    raw = _event(
        GatewayRequest(
            "GET",
            "/payments",
            query_string="month=2026-11&limit=5",
            headers=[("Content-Type", "application/json")],
        ),
        authorizer=authorizer_request_context(grant, 0),
    )
    event = APIGatewayProxyEvent(raw)
    assert event.get_query_string_value("month") == "2026-11"
    assert event.headers.get("content-type") == "application/json"
    assert event.request_context.authorizer.get("sub") == "user-1"
    assert event.request_context.request_id == "req-1"
    assert event.request_context.stage == "v1"


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/json; charset=utf-8", "text/csv; charset=latin-1"],
)
@pytest.mark.parametrize("body", ['{"a": "é"}'.encode(), b'{"a": "caf\xe9"}', b"\xff\xfe\x00"])
def test_every_body_arrives_base64_and_unchanged_as_binary_media_types_star_star_make_it(
    content_type: str | None, body: bytes
) -> None:
    # BINARY_MEDIA_TYPES is `*/*` (what infra deploys): any Content-Type, UTF-8 or not.
    headers = [("Content-Type", content_type)] if content_type else []
    event = _event(GatewayRequest("POST", "/payments", headers=headers, body=body))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"], validate=True) == body


def test_a_body_of_a_text_media_type_passes_as_a_utf8_string() -> None:
    found = match_route("POST", "/payments")
    assert found is not None
    request = GatewayRequest(
        "POST", "/payments", headers=[("content-type", "text/plain")], body="é".encode()
    )
    event = build_proxy_event(
        request,
        found,
        request_id="r",
        received_at=RECEIVED_AT,
        binary_media_types=("application/octet-stream", "image/*"),
    )
    assert event["body"] == "é"
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize(
    ("content_type", "patterns", "binary"),
    [
        ("application/json", ("*/*",), True),
        (None, ("*/*",), True),
        ("Application/JSON; charset=utf-8", ("application/json",), True),
        ("image/png", ("image/*",), True),
        ("text/csv", ("image/*", "application/octet-stream"), False),
        ("application/json", ("application/octet-stream",), False),
        ("application/json", (), False),
    ],
)
def test_binary_media_types_match_exactly_by_type_or_by_wildcard(
    content_type: str | None, patterns: tuple[str, ...], binary: bool
) -> None:
    assert is_binary_media_type(content_type, patterns) is binary


def test_policy_allows_covered_arns_and_deny_wins() -> None:
    policy = _allow_all()["policyDocument"]
    assert policy_allows(policy, method_arn(REGION, "GET", "/payments/x"))
    assert not policy_allows(policy, "arn:aws:execute-api:us-east-1:123456789012:other/v1/GET/x")
    deny = {
        "Statement": [
            *policy["Statement"],
            {
                "Effect": "Deny",
                "Action": "execute-api:Invoke",
                "Resource": [f"{API_ARN}/v1/DELETE/*"],
            },
        ]
    }
    assert policy_allows(deny, method_arn(REGION, "GET", "/payments/x"))
    assert not policy_allows(deny, method_arn(REGION, "DELETE", "/payments/x"))
    assert not policy_allows({"Statement": []}, method_arn(REGION, "GET", "/payments"))


def test_authorizer_results_are_checked_and_context_flattened_to_strings() -> None:
    grant = parse_authorizer_result({**_allow_all(), "context": {"sub": "s", "n": 3, "b": True}})
    assert grant.context == {"sub": "s", "n": "3", "b": "true"}
    for malformed in (None, {"policyDocument": {}}, {"principalId": "p"}):
        with pytest.raises(MalformedResultError):
            parse_authorizer_result(malformed)
    with pytest.raises(MalformedResultError):
        parse_authorizer_result({**_allow_all(), "context": {"nested": {"a": 1}}})


def test_proxy_response_merges_headers_and_decodes_base64() -> None:
    response = parse_proxy_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/payments/1"},
            "multiValueHeaders": {"X-A": ["1", "2"]},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 201
    assert ("Location", "/payments/1") in response.headers
    assert [v for n, v in response.headers if n == "X-A"] == ["1", "2"]
    assert ("Content-Type", "application/json") in response.headers  # API Gateway's default
    assert response.body == b"\x00\x01"


@pytest.mark.parametrize(
    "result",
    [
        None,
        "text",
        {"statusCode": "abc"},
        {"statusCode": 200, "body": 5},
        {"statusCode": 200, "x": 1},
    ],
)
def test_malformed_proxy_responses_are_refused(result: object) -> None:
    with pytest.raises(MalformedResultError):
        parse_proxy_response(result)


def test_gateway_problems_are_rfc9457_with_the_request_id() -> None:
    assert gateway_problem("UNAUTHORIZED", "r-1") == {
        "type": "/problems/unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": GATEWAY_RESPONSES["UNAUTHORIZED"].detail,
        "instance": "r-1",
    }
    assert GATEWAY_RESPONSES["MISSING_AUTHENTICATION_TOKEN"].status == 404
    template = json.loads(body_template("ACCESS_DENIED"))
    assert template["instance"] == "$context.requestId"
    assert template["status"] == 403


# --- the app, with in-process fake handlers --------------------------------------------------


class FakeLambdas:
    """Records the events each fake handler received; behaviour is swappable per test."""

    def __init__(self) -> None:
        self.authorizer_events: list[dict[str, Any]] = []
        self.api_events: list[dict[str, Any]] = []
        self.authorize: Callable[[dict[str, Any]], dict[str, Any]] = lambda _: _allow_all()
        self.answer: Callable[[dict[str, Any]], dict[str, Any]] = lambda _: {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"ok": True}),
        }

    def authorizer(self, event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ARG002
        self.authorizer_events.append(event)
        return self.authorize(event)

    def api(self, event: dict[str, Any], context: Any) -> dict[str, Any]:  # noqa: ARG002
        self.api_events.append(event)
        return self.answer(event)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lambdas() -> FakeLambdas:
    return FakeLambdas()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(lambdas: FakeLambdas, clock: FakeClock) -> Iterator[TestClient]:
    settings = Settings(AWS_REGION=REGION, cors_allowed_origins=ALLOWED_ORIGIN)
    invoker = InProcessInvoker({"authorizer": lambdas.authorizer, "api": lambdas.api})
    app = create_app(settings, invoker, clock=clock, max_body_bytes=1024)
    with TestClient(app, base_url="http://127.0.0.1:3000") as test_client:
        yield test_client


AUTH = {"Authorization": "Bearer token-1", "Origin": ALLOWED_ORIGIN}


def _assert_problem(response: Any, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == problem_type
    assert body["instance"] == response.headers["x-amzn-requestid"]
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    return body


def test_unknown_route_is_404_problem_with_cors_and_calls_nothing(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    response = client.get("/nowhere", headers=AUTH)
    _assert_problem(response, 404, "/problems/unknown-route")
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["vary"] == "Origin"
    assert lambdas.authorizer_events == []
    assert lambdas.api_events == []


def test_undeclared_method_is_404_not_405(client: TestClient, lambdas: FakeLambdas) -> None:
    _assert_problem(client.put("/payments", headers=AUTH), 404, "/problems/unknown-route")
    assert lambdas.authorizer_events == []


def test_missing_token_is_401_and_no_handler_runs(client: TestClient, lambdas: FakeLambdas) -> None:
    response = client.get("/payments?month=2026-11", headers={"Origin": ALLOWED_ORIGIN})
    _assert_problem(response, 401, "/problems/unauthorized")
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert lambdas.authorizer_events == []
    assert lambdas.api_events == []


def test_authorizer_unauthorized_is_401_and_api_not_called(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    def refuse(_: dict[str, Any]) -> dict[str, Any]:
        raise Exception("Unauthorized")

    lambdas.authorize = refuse
    _assert_problem(client.get("/payments", headers=AUTH), 401, "/problems/unauthorized")
    assert len(lambdas.authorizer_events) == 1
    assert lambdas.api_events == []


def test_authorizer_gets_the_raw_header_and_method_arn(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    client.post("/payments/p-1/void", headers=AUTH)
    assert lambdas.authorizer_events == [
        {
            "type": "TOKEN",
            "authorizationToken": "Bearer token-1",
            "methodArn": f"{API_ARN}/v1/POST/payments/p-1/void",
        }
    ]


def test_deny_policy_is_403(client: TestClient, lambdas: FakeLambdas) -> None:
    denied = _allow_all()
    denied["policyDocument"]["Statement"][0]["Effect"] = "Deny"
    lambdas.authorize = lambda _: denied
    _assert_problem(client.get("/payments", headers=AUTH), 403, "/problems/access-denied")
    assert lambdas.api_events == []


def test_authorizer_failure_is_503_problem_with_retry_after_and_nothing_cached(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    # Any error but `Unauthorized` is API Gateway's AUTHORIZER_FAILURE (issue 11, point 3).
    def fail(_: dict[str, Any]) -> dict[str, Any]:
        raise Exception("Signing keys unavailable")

    lambdas.authorize = fail
    response = client.get("/payments", headers=AUTH)
    _assert_problem(response, 503, "/problems/authorizer-unavailable")
    assert response.headers["retry-after"] == str(AUTHORIZER_RETRY_AFTER_SECONDS)
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert lambdas.api_events == []

    lambdas.authorize = lambda _: _allow_all()  # the failure was not cached: the next call decides
    assert client.get("/payments", headers=AUTH).status_code == 200
    assert len(lambdas.authorizer_events) == 2


def test_preflight_is_answered_by_the_gateway_unauthenticated(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    response = client.options(
        "/payments/p-1/void",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-methods"] == "OPTIONS, POST"
    assert response.headers["access-control-allow-headers"] == "Authorization, Content-Type"
    assert int(response.headers["access-control-max-age"]) > 0
    assert lambdas.authorizer_events == []
    assert lambdas.api_events == []


def test_preflight_on_unknown_resource_is_404(client: TestClient) -> None:
    response = client.options("/nowhere", headers={"Origin": ALLOWED_ORIGIN})
    _assert_problem(response, 404, "/problems/unknown-route")


def test_disallowed_origin_gets_no_allow_origin(client: TestClient) -> None:
    evil = {"Origin": "http://evil.example"}
    preflight = client.options("/payments", headers=evil)
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-methods" not in preflight.headers
    response = client.get("/payments", headers={**AUTH, **evil})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_authorizer_result_is_cached_for_60_seconds_by_token(
    client: TestClient, lambdas: FakeLambdas, clock: FakeClock
) -> None:
    assert client.get("/payments", headers=AUTH).status_code == 200
    clock.now += 59
    assert client.get("/payments/p-1", headers=AUTH).status_code == 200
    assert len(lambdas.authorizer_events) == 1
    other = {**AUTH, "Authorization": "Bearer token-2"}
    assert client.get("/payments", headers=other).status_code == 200
    assert len(lambdas.authorizer_events) == 2
    clock.now += 2
    assert client.get("/payments", headers=AUTH).status_code == 200
    assert len(lambdas.authorizer_events) == 3
    # A cache hit reports no integration latency; the context is passed on every time.
    assert lambdas.api_events[1]["requestContext"]["authorizer"]["integrationLatency"] == 0
    assert lambdas.api_events[1]["requestContext"]["authorizer"]["sub"] == "user-1"


def test_cached_policy_not_covering_the_method_is_403(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    only_get = _allow_all()
    only_get["policyDocument"]["Statement"][0]["Resource"] = f"{API_ARN}/v1/GET/*"
    lambdas.authorize = lambda _: only_get
    assert client.get("/payments", headers=AUTH).status_code == 200
    _assert_problem(client.post("/payments/p-1/void", headers=AUTH), 403, "/problems/access-denied")
    assert len(lambdas.authorizer_events) == 1


def test_handler_crash_is_502_problem_without_details(
    client: TestClient, lambdas: FakeLambdas, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(_: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("Netflix 12.99 GBP")

    lambdas.answer = crash
    caplog.set_level(logging.INFO)
    response = client.post("/payments", headers=AUTH, content=b"{}")
    body = _assert_problem(response, 502, "/problems/internal-error")
    assert "Netflix" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "ValueError" in caplog.text
    assert body["instance"] in caplog.text
    assert "Netflix" not in caplog.text
    assert "token-1" not in caplog.text


def test_malformed_handler_result_is_502(client: TestClient, lambdas: FakeLambdas) -> None:
    lambdas.answer = lambda _: {"statusCode": 200, "body": {"not": "a string"}}
    _assert_problem(client.get("/payments", headers=AUTH), 502, "/problems/internal-error")


def test_handler_response_is_translated_and_its_cors_headers_pass_through(
    client: TestClient, lambdas: FakeLambdas
) -> None:
    lambdas.answer = lambda _: {
        "statusCode": 201,
        "multiValueHeaders": {
            "Content-Type": ["application/json"],
            "Location": ["/payments/p-1"],
            "Access-Control-Allow-Origin": [ALLOWED_ORIGIN],
            "Access-Control-Expose-Headers": ["Location"],
        },
        "body": '{"paymentId": "p-1"}',
        "isBase64Encoded": False,
    }
    response = client.post("/payments", headers=AUTH, content=b'{"a": 1}')
    assert response.status_code == 201
    assert response.json() == {"paymentId": "p-1"}
    assert response.headers["location"] == "/payments/p-1"
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-expose-headers"] == "Location"  # as AWS passes it
    assert response.headers["vary"] == "Origin"
    event = lambdas.api_events[0]
    assert event["isBase64Encoded"] is True  # binaryMediaTypes `*/*`, as deployed
    assert base64.b64decode(event["body"]) == b'{"a": 1}'
    assert event["requestContext"]["authorizer"]["principalId"] == "user-1"
    assert event["requestContext"]["requestId"] == response.headers["x-amzn-requestid"]


def test_handler_response_without_cors_gets_the_gateways_and_a_warning(
    client: TestClient, lambdas: FakeLambdas, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/payments", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Location" in response.headers["access-control-expose-headers"]
    assert "no CORS headers" in caplog.text


def test_swagger_is_served_without_a_token(client: TestClient, lambdas: FakeLambdas) -> None:
    assert client.get("/swagger").status_code == 200
    assert lambdas.authorizer_events == []
    assert "authorizer" not in lambdas.api_events[0]["requestContext"]


def test_body_over_the_gateway_limit_is_413(client: TestClient, lambdas: FakeLambdas) -> None:
    response = client.post("/payments", headers=AUTH, content=b"x" * 2048)
    _assert_problem(response, 413, "/problems/request-too-large")
    assert lambdas.api_events == []


# --- the real process pool and the command line ------------------------------------------------


def test_process_pool_runs_handlers_in_warm_workers() -> None:
    settings = Settings(AWS_REGION=REGION)
    invoker = ProcessPoolInvoker(
        2,
        handler_paths={
            "authorizer": "support.fake_lambda_handlers:authorizer",
            "api": "support.fake_lambda_handlers:api",
        },
    )
    app = create_app(settings, invoker)
    with TestClient(app) as client:
        bodies = [
            client.get("/payments", headers={"Authorization": "Bearer good"}).json()
            for _ in range(4)
        ]
        refused = client.get("/payments", headers={"Authorization": "Bearer bad"})
    processes = invoker._pool._processes
    assert refused.status_code == 401
    assert {body["sub"] for body in bodies} == {"user-1"}
    assert all(body["functionName"] == "payments-tracker-api" for body in bodies)
    assert processes is None  # shut down with the app


def test_gateway_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "payments_tracker.local.gateway", "--host", "0.0.0.0"],  # noqa: S104
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "loopback" in result.stderr
