"""No description, amount, token or e-mail reaches a log line of the gateway or the handlers."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import CognitoLocal

pytestmark = pytest.mark.e2e


def test_a_full_request_cycle_logs_no_personal_data_or_secret(
    gateway_url: str, cognito: CognitoLocal, services_dir: Path
) -> None:
    user = cognito.create_user()
    description = f"Secret gym {uuid.uuid4().hex}"
    amount = "98765.43"
    body = {
        "paymentId": str(uuid.uuid4()),
        "userId": user.sub,
        "timestamp": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "description": description,
        "currency": "GBP",
        "amount": amount,
    }
    headers = {"Authorization": f"Bearer {user.access_token}"}
    month = datetime.now(UTC).strftime("%Y-%m")
    with httpx.Client(base_url=gateway_url, timeout=30) as http:
        assert http.post("/payments", json=body, headers=headers).status_code == 201
        assert http.post("/payments", json=body, headers=headers).status_code == 200
        assert http.post(
            "/payments", json={**body, "amount": "1"}, headers=headers
        ).status_code == (409)
        bad = {**body, "paymentId": str(uuid.uuid4()), "currency": "XTS"}
        assert http.post("/payments", json=bad, headers=headers).status_code == 422
        assert http.get(f"/payments/{body['paymentId']}", headers=headers).status_code == 200
        assert http.get("/payments", params={"month": month}, headers=headers).status_code == 200
        voided = http.post(f"/payments/{body['paymentId']}/void", headers=headers)
        assert voided.status_code == 200
        forged = {"Authorization": f"Bearer {user.access_token}x"}
        assert http.get("/payments", params={"month": month}, headers=forged).status_code == 401
    time.sleep(0.5)  # let the workers' buffered output reach the log file

    # Our code's output: the gateway and its handler workers. (cognito-local's own log prints the
    # sign-up e-mail, as the real Cognito's mailer would send it: that is the stand-in, not us.)
    logs = (services_dir / "gateway.log").read_text(encoding="utf-8", errors="replace")
    assert "payments_tracker" in logs or "payments-tracker" in logs, "no handler log captured"
    for secret in (description, amount, user.access_token, user.email, user.password):
        assert secret not in logs
    assert user.access_token.split(".")[2] not in logs  # not even the signature part
