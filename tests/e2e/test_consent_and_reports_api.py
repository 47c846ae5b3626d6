"""Consent and reading one's report over HTTP through the local gateway, with real tokens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from payments_tracker.local.bootstrap import TABLE_NAME, dynamodb_client
from support.http_api import assert_problem, auth

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import CognitoLocal
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e

CLI = Path(sys.executable).parent / "payments-tracker"


@pytest.fixture(scope="module")
def http(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client


def test_consent_before_any_answer_is_not_given(http: httpx.Client, cognito: CognitoLocal) -> None:
    user = cognito.create_user()

    response = http.get("/consent", headers=auth(user))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "creditFileSharing": False,
        "termsVersion": None,
        "updatedAt": None,
        "history": [],
    }


def test_give_then_withdraw_consent_keeps_the_history(
    http: httpx.Client, cognito: CognitoLocal
) -> None:
    user = cognito.create_user()

    given = http.put(
        "/consent", json={"creditFileSharing": True, "termsVersion": "2026-11"}, headers=auth(user)
    )
    withdrawn = http.put("/consent", json={"creditFileSharing": False}, headers=auth(user))
    shown = http.get("/consent", headers=auth(user))

    assert given.status_code == 200, given.text
    assert given.json()["creditFileSharing"] is True
    assert withdrawn.status_code == 200, withdrawn.text
    assert shown.json() == withdrawn.json()
    assert shown.json()["creditFileSharing"] is False
    assert [c["creditFileSharing"] for c in shown.json()["history"]] == [False, True]
    assert shown.json()["updatedAt"] == shown.json()["history"][0]["changedAt"]


def test_a_bad_consent_body_is_422_naming_the_field_and_the_rule(
    http: httpx.Client, cognito: CognitoLocal
) -> None:
    user = cognito.create_user()

    response = http.put(
        "/consent", json={"creditFileSharing": "yes", "termsVersion": "v1"}, headers=auth(user)
    )

    problem = assert_problem(response, 422)
    assert {"field": "creditFileSharing", "rule": "boolean"} in [
        {"field": e["field"], "rule": e["rule"]} for e in problem["errors"]
    ]
    assert http.get("/consent", headers=auth(user)).json()["history"] == []


def test_consent_needs_a_token(http: httpx.Client) -> None:
    assert_problem(http.get("/consent"), 401)
    assert_problem(http.put("/consent", json={"creditFileSharing": False}), 401)


def test_a_report_is_404_before_its_month_is_built(
    http: httpx.Client, cognito: CognitoLocal
) -> None:
    user = cognito.create_user()

    problem = assert_problem(http.get("/reports/2026-11", headers=auth(user)), 404)

    assert problem["type"] == "/problems/report-not-found"


def test_a_malformed_month_is_400(http: httpx.Client, cognito: CognitoLocal) -> None:
    user = cognito.create_user()

    problem = assert_problem(http.get("/reports/2026-13", headers=auth(user)), 400)

    assert problem["errors"][0]["field"] == "month"


def test_a_built_report_is_served_to_its_owner_only(
    http: httpx.Client, cognito: CognitoLocal, dynamodb_endpoint: str
) -> None:
    owner, other = cognito.create_user(), cognito.create_user()
    document = {
        "month": "2026-10",
        "userId": owner.sub,
        "generatedAt": "2026-11-05T02:00:04Z",
        "commitments": [],
    }
    dynamodb_client(dynamodb_endpoint).put_item(
        TableName=TABLE_NAME,
        Item={
            "PK": {"S": f"USER#{owner.sub}"},
            "SK": {"S": "REPORT#2026-10"},
            "document": {"S": json.dumps(document)},
        },
    )

    mine = http.get("/reports/2026-10", headers=auth(owner))
    theirs = http.get("/reports/2026-10", headers=auth(other))

    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"].startswith("application/json")
    assert mine.json() == document
    assert_problem(theirs, 404)


# --- the CLI, as a customer uses it -------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_consent_give_show_withdraw_through_the_cli(
    tmp_path: Path, local_config: LocalConfig, gateway_url: str, cognito: CognitoLocal
) -> None:
    config_file = tmp_path / "config.json"
    local_config.write(config_file)
    user = cognito.create_user()
    options = ("--config", str(config_file), "--token", user.access_token)

    given = run("consent", "give", "--terms-version", "2026-11", *options)
    shown = run("consent", "show", *options)
    withdrawn = run("consent", "withdraw", *options)
    report = run("report", "get", "2026-11", *options)

    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout)["creditFileSharing"] is True
    assert json.loads(shown.stdout) == json.loads(given.stdout)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert json.loads(withdrawn.stdout)["creditFileSharing"] is False
    assert len(json.loads(withdrawn.stdout)["history"]) == 2
    assert report.returncode == 1
    assert json.loads(report.stderr)["status"] == 404
    assert user.access_token not in given.stdout + given.stderr
