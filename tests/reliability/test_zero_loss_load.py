"""Zero-loss load: 16 concurrent clients, duplicates and conflicts; the table holds the plan."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support.load import Caller, account, plan_load, run_load
from support.reliability import assert_no_secrets, scan_payments
from support.reliability_profile import current_profile

if TYPE_CHECKING:
    from conftest import CognitoLocal

pytestmark = pytest.mark.e2e


def test_every_accepted_payment_is_stored_exactly_once_and_every_answer_is_accounted_for(
    gateway_url: str, dynamodb_endpoint: str, cognito: CognitoLocal, services_dir: Path
) -> None:
    profile = current_profile()
    users = [cognito.create_user() for _ in range(8)]
    plan = plan_load(
        [Caller(user.sub, user.access_token) for user in users], profile.load_submissions
    )

    started = time.monotonic()
    outcomes = run_load(gateway_url, plan, clients=profile.load_clients, deadline_seconds=900)
    elapsed = time.monotonic() - started

    stored = {
        item["paymentId"]["S"]: item
        for item in scan_payments(dynamodb_endpoint, [u.sub for u in users])
    }
    tally = account(plan, outcomes, stored)
    print(
        f"\nload ({profile.name}): {plan.requests} requests by {profile.load_clients} clients in "
        f"{elapsed:.1f} s ({plan.requests / elapsed:.0f}/s): {dict(sorted(tally.items()))}"
    )
    # The run's log lines (our gateway and handlers) carry none of what the load sent.
    logs = (services_dir / "gateway.log").read_text(encoding="utf-8", errors="replace")
    sample = [
        send.body for send in list(plan.originals.values())[:: max(1, len(plan.originals) // 200)]
    ]
    secrets = [body["description"] for body in sample] + [f'"{body["amount"]}"' for body in sample]
    assert_no_secrets(
        logs,
        secrets + [user.access_token for user in users] + [u.email for u in users],
        "gateway.log",
    )
