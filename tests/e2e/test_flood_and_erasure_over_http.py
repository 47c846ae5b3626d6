"""Through the API, with real tokens: a customer who floods a month is stopped at the monthly
limit and the month still builds; an erased customer's earlier token writes nothing, at once."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import MONTHLY_PAYMENT_LIMIT
from payments_tracker.local.bootstrap import TABLE_NAME, dynamodb_client
from support.report_tables import sort_keys

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import CognitoLocal, CognitoUser
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e

CLI = Path(sys.executable).parent / "payments-tracker"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def http(gateway_url: str) -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=8)
    with httpx.Client(base_url=gateway_url, timeout=30, limits=limits) as client:
        yield client


@pytest.fixture
def config_file(tmp_path: Path, local_config: LocalConfig) -> Path:
    path = tmp_path / "config.json"
    local_config.write(path)
    return path


def auth(user: CognitoUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.access_token}"}


def payment(user: CognitoUser, timestamp: str, description: str = "Rent") -> dict[str, str]:
    return {
        "paymentId": str(uuid.uuid4()),
        "userId": user.sub,
        "timestamp": timestamp,
        "description": description,
        "currency": "GBP",
        "amount": "9.99",
    }


def cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *arguments], capture_output=True, text=True, timeout=240, check=False
    )


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_a_flood_stops_at_the_monthly_limit_and_the_month_still_builds(
    http: httpx.Client, cognito: CognitoLocal, config_file: Path, tmp_path: Path
) -> None:
    month = Month.of(datetime.now(UTC)).plus(-2)  # built by this test only
    flooder, neighbour = cognito.create_user(), cognito.create_user()
    chooser = random.Random(7)  # noqa: S311 - test data, not a secret
    descriptions = [
        "".join(chr(chooser.randrange(0x4E00, 0x9FFF)) for _ in range(140))
        for _ in range(MONTHLY_PAYMENT_LIMIT)
    ]

    def submit(index: int) -> int:
        day = 1 + index % 28
        body = payment(flooder, f"{month}-{day:02d}T10:00:00Z", descriptions[index])
        return http.post("/payments", json=body, headers=auth(flooder)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(submit, range(MONTHLY_PAYMENT_LIMIT)))
    assert statuses == [201] * MONTHLY_PAYMENT_LIMIT

    over = http.post(
        "/payments", json=payment(flooder, f"{month}-28T11:00:00Z"), headers=auth(flooder)
    )
    problem = problem_of(over, 422)
    assert problem["type"] == "/problems/monthly-limit"
    assert problem["errors"][0]["field"] == "timestamp"
    assert problem["errors"][0]["rule"] == "monthly-limit"
    next_month = http.post(
        "/payments", json=payment(flooder, f"{month.plus(1)}-02T10:00:00Z"), headers=auth(flooder)
    )
    assert next_month.status_code == 201  # the limit is per month
    assert (
        http.post(
            "/payments", json=payment(neighbour, f"{month}-03T10:00:00Z"), headers=auth(neighbour)
        ).status_code
        == 201
    )

    built = cli(
        *("report", "build", "--month", str(month), "--config", str(config_file)),
        *("--export-dir", str(tmp_path / "exports"), "--workers", "2"),
    )

    assert built.returncode == 0, built.stderr
    assert "FAILED" not in built.stdout
    manifest = json.loads((tmp_path / "exports" / str(month) / "manifest.json").read_text())
    assert manifest["failedCustomers"] == 0
    mine = http.get(f"/reports/{month}", headers=auth(flooder))
    assert mine.status_code == 200, mine.text
    assert len(mine.json()["commitments"]) == MONTHLY_PAYMENT_LIMIT
    theirs = http.get(f"/reports/{month}", headers=auth(neighbour))
    assert theirs.status_code == 200
    assert [c["name"] for c in theirs.json()["commitments"]] == ["Rent"]


def test_after_an_erasure_the_customers_earlier_token_writes_nothing_at_once(
    http: httpx.Client, cognito: CognitoLocal, config_file: Path
) -> None:
    customer = cognito.create_user()
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    stored = http.post("/payments", json=payment(customer, now), headers=auth(customer))
    assert stored.status_code == 201
    given = http.put(
        "/consent",
        json={"creditFileSharing": True, "termsVersion": "2026-11"},
        headers=auth(customer),
    )
    assert given.status_code == 200  # the token is now in the gateway's 60-second cache

    erased = cli("admin", "erase", "--user", customer.sub, "--yes", "--config", str(config_file))
    assert erased.returncode == 0, erased.stderr

    submit = http.post("/payments", json=payment(customer, now), headers=auth(customer))
    consent = http.put("/consent", json={"creditFileSharing": False}, headers=auth(customer))
    # The payment is gone (erased), so voiding it finds nothing: 404, and nothing written either.
    void = http.post(f"/payments/{stored.json()['paymentId']}/void", headers=auth(customer))
    assert problem_of(void, 404)["type"] == "/problems/not-found"
    for refused in (submit, consent):
        assert problem_of(refused, 401)["type"] == "/problems/unauthorized"
        assert refused.headers["www-authenticate"].startswith("Bearer")
    table = dynamodb_client(json.loads(config_file.read_text())["dynamodb"]["endpoint"])
    left = sort_keys(table, TABLE_NAME, uuid.UUID(customer.sub))
    assert left == ["CUSTOMER"]  # the fence, nothing written
