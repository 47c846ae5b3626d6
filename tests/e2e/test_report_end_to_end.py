"""The monthly report end to end: consent and payments over HTTP, the month built with the CLI,
then the customer's report over HTTP and the export files on disk."""

from __future__ import annotations

import calendar
import gzip
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from payments_tracker.domain.months import Month
from payments_tracker.domain.report_run import buildable_from

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import CognitoLocal, CognitoUser
    from payments_tracker.local.config import LocalConfig

pytestmark = pytest.mark.e2e

CLI = Path(sys.executable).parent / "payments-tracker"


def month_to_build() -> Month:
    """Three months back: built here only, since the session's table and its runs are shared
    (a run's cut-off is fixed by its first build), and its window stays inside 24 months."""
    now = datetime.now(UTC)
    month = Month.of(now).plus(-3)
    assert buildable_from(month) <= now
    return month


@pytest.fixture(scope="module")
def http(gateway_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        yield client


def auth(user: CognitoUser) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.access_token}"}


def submit(http: httpx.Client, user: CognitoUser, description: str, timestamp: str) -> None:
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": user.sub,
        "timestamp": timestamp,
        "description": description,
        "currency": "GBP",
        "amount": "12.99",
    }
    response = http.post("/payments", json=body, headers=auth(user))
    assert response.status_code == 201, response.text


def build(month: Month, config: Path, exports: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(str(CLI), "report", "build", "--month", str(month), "--config", str(config)),
            *("--export-dir", str(exports), "--workers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def rows_of(folder: Path, users: set[str]) -> list[dict[str, Any]]:
    rows = []
    for part in sorted(folder.glob("part-*.jsonl.gz")):
        rows.extend(json.loads(line) for line in gzip.decompress(part.read_bytes()).splitlines())
    return [row for row in rows if row["userId"] in users]  # the session's table is shared


def test_consent_submit_build_then_read_the_report_and_the_export(
    http: httpx.Client, cognito: CognitoLocal, local_config: LocalConfig, tmp_path: Path
) -> None:
    month = month_to_build()
    alice, bob = cognito.create_user(), cognito.create_user()
    consent = {"creditFileSharing": True, "termsVersion": "2026-11"}
    assert http.put("/consent", json=consent, headers=auth(alice)).status_code == 200
    for back in (2, 1, 0):
        paid_in = month.plus(-back)
        submit(http, alice, "Netflix", f"{paid_in}-15T12:00:00Z")
        submit(http, bob, "Rent", f"{paid_in}-15T12:00:00Z")
    last_day = calendar.monthrange(month.year, month.month)[1]
    submit(http, alice, "Gym", f"{month}-{last_day:02d}T23:30:00-05:00")  # next month in UTC
    assert http.get(f"/reports/{month}", headers=auth(alice)).status_code == 404
    config = tmp_path / "config.json"
    local_config.write(config)
    exports = tmp_path / "exports"

    built = build(month, config, exports)

    assert built.returncode == 0, built.stderr
    assert "rows exported" in built.stdout
    report = http.get(f"/reports/{month}", headers=auth(alice))
    assert report.status_code == 200, report.text
    commitments = {c["name"]: c for c in report.json()["commitments"]}
    assert commitments["Netflix"]["status"] == "kept"
    assert commitments["Netflix"]["monthsKept"] == 3
    assert commitments["Netflix"]["established"] is True
    assert commitments["Gym"]["amountsPaid"] == ["12.99"]
    rows = rows_of(exports / str(month), {alice.sub, bob.sub})
    assert [(row["userId"], row["name"], row["payments"]) for row in rows] == [
        (alice.sub, "Netflix", 1)
    ]  # Gym is not established; Bob has not consented
    assert rows[0]["source"] == "customer-asserted"
    manifest = json.loads((exports / str(month) / "manifest.json").read_text())
    assert len(manifest["parts"]) == 16

    first = {p.name: p.read_bytes() for p in (exports / str(month)).iterdir()}
    assert "original run" in built.stdout
    again = build(month, config, exports)

    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in (exports / str(month)).iterdir()} == first

    handed = subprocess.run(
        [str(CLI), "admin", "handover", "--month", str(month), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    corrected = build(month, config, exports)

    assert handed.returncode == 0, handed.stderr
    assert corrected.returncode == 0, corrected.stderr
    assert "correction run" in corrected.stdout
    originals = {p.name: p.read_bytes() for p in (exports / str(month)).iterdir() if p.is_file()}
    assert originals == first
    (correction,) = (exports / str(month) / "corrections").iterdir()
    assert json.loads((correction / "manifest.json").read_text())["kind"] == "correction"


def test_a_future_or_malformed_month_is_a_clear_error(
    local_config: LocalConfig, tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    local_config.write(config)
    future = Month.of(datetime.now(UTC)).plus(1)

    for month, message in ((str(future), "not over everywhere"), ("2026-13", "YYYY-MM")):
        result = subprocess.run(
            [str(CLI), "report", "build", "--month", month, "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr
