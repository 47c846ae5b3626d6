"""Regressions of defects the reliability suite found (issue 6); each names what it found."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from payments_tracker.composition.settings import Settings
from payments_tracker.domain.months import MONTH_PATTERN, Month
from payments_tracker.local.gateway import create_app
from payments_tracker.local.invokers import InProcessInvoker

API_ARN_PREFIX = "arn:aws:execute-api"


def _allow(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    if event["authorizationToken"] != "Bearer good":
        raise Exception("Unauthorized")
    whole_api = event["methodArn"].split("/", 1)[0] + "/v1/*/*"
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": whole_api}
            ],
        },
        "context": {"sub": "user-1", "username": "user-1", "clientId": "cli", "scope": "s"},
    }


@pytest.fixture
def api_calls() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def client(api_calls: list[dict[str, Any]]) -> TestClient:
    def api(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        api_calls.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    invoker = InProcessInvoker({"authorizer": _allow, "api": api})
    return TestClient(create_app(Settings(aws_region="eu-west-1"), invoker))


@pytest.mark.parametrize("month", ["0000-01", "0000-12"])
def test_year_zero_is_refused_by_the_domain_and_by_the_published_month_pattern(month: str) -> None:
    # Schemathesis found the OpenAPI pattern allowed year 0000, which every route refuses.
    assert Month.parse(month) is None
    assert re.fullmatch(MONTH_PATTERN, month) is None


@pytest.mark.parametrize("month", ["0001-01", "0999-12", "2026-11", "9999-12"])
def test_every_other_four_digit_year_matches_the_month_pattern(month: str) -> None:
    assert Month.parse(month) is not None
    assert re.fullmatch(MONTH_PATTERN, month) is not None


@pytest.mark.parametrize(
    "path", ["/payments/%0A", "/payments/a%0Ab", "/%0A", "/payments%0A", "/payments/\u00e9%0D%0A"]
)
def test_a_path_with_an_encoded_newline_gets_the_gateways_problem_json_404(
    client: TestClient, api_calls: list[dict[str, Any]], path: str
) -> None:
    # Schemathesis found `GET /payments/%0A…` answered by Starlette: 404 text/plain "Not Found".
    response = client.get(path, headers={"Authorization": "Bearer good"})

    if response.status_code == 404:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert json.loads(response.text)["status"] == 404
    else:  # a payment id with a newline is routed, and the api function answers it
        assert response.status_code == 200
        assert len(api_calls) == 1


def test_the_gateway_log_line_says_whether_the_api_function_ran(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="payments_tracker.local.gateway")

    refused = client.get("/payments", headers={"Authorization": "Bearer bad"})
    served = client.get("/payments", headers={"Authorization": "Bearer good"})

    assert refused.status_code == 401
    assert served.status_code == 200
    lines = {record.getMessage().split("requestId=")[1] for record in caplog.records}
    assert f"{refused.headers['x-amzn-requestid']} integration=-" in lines
    assert f"{served.headers['x-amzn-requestid']} integration=api" in lines
