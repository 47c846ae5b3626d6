"""DynamoDB Local killed mid-run and restarted: 503 + Retry-After meanwhile, no loss, no half-write.

This test starts its own DynamoDB Local (-sharedDb on a temporary dbPath, so data survives the
restart) and its own gateway, so the session's services and other tests are untouched.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from payments_tracker.local.bootstrap import LOCAL_REGION, TABLE_NAME, dynamodb_client, ensure_table
from payments_tracker.local.config import CognitoConfig, DynamoDBConfig, LocalConfig
from payments_tracker.local.services import LOOPBACK, free_port, start_dynamodb_local
from payments_tracker.local.stack import start_gateway
from support.load import Caller, LoadPlan, Outcome, account, plan_load, run_load
from support.reliability import assert_no_secrets, scan_payments
from support.reliability_profile import current_profile

if TYPE_CHECKING:
    from conftest import CognitoLocal

pytestmark = pytest.mark.e2e

OUTAGE_SECONDS = 5.0
SETTLE_SECONDS = 2.0

ITEM_ATTRIBUTES = {
    "PK", "SK", "paymentId", "userId", "timestamp", "utcInstant", "month", "description",
    "currency", "amount", "amountNumber", "receivedAt", "status", "expiresAt",
}  # fmt: skip


def test_an_outage_answers_503_with_retry_after_and_retrying_clients_end_with_the_exact_set(
    cognito: CognitoLocal, tmp_path: Path
) -> None:
    profile = current_profile()
    db_port = free_port()
    dynamodb = start_dynamodb_local(db_port, tmp_path / "db", log_path=tmp_path / "dynamodb.log")
    services = [dynamodb]
    try:
        ensure_table(dynamodb_client(dynamodb.endpoint), TABLE_NAME)
        gateway_port = free_port()
        config = LocalConfig(
            api_url=f"http://{LOOPBACK}:{gateway_port}",
            region=LOCAL_REGION,
            dynamodb=DynamoDBConfig(endpoint=dynamodb.endpoint, table_name=TABLE_NAME),
            cognito=CognitoConfig(
                endpoint=cognito.endpoint,
                user_pool_id=cognito.user_pool_id,
                client_id=cognito.client_id,
                issuer=cognito.issuer,
                jwks_url=cognito.jwks_url,
            ),
        )
        gateway_log = tmp_path / "gateway.log"
        services.append(
            start_gateway(config, "outage-" + "k" * 32, gateway_port, 2, log_path=gateway_log)
        )
        users = [cognito.create_user() for _ in range(4)]
        plan = plan_load([Caller(u.sub, u.access_token) for u in users], profile.outage_submissions)
        before = LoadPlan(plan.jobs[: len(plan.jobs) // 3], {})
        during = LoadPlan(plan.jobs[len(plan.jobs) // 3 :], {})

        outcomes = run_load(config.api_url, before, clients=8, retry_unavailable=True)
        # DynamoDB Local answers a TransactWriteItems before the write is on disk: a SIGKILL right
        # after the last answer lost that payment in 4 of 6 runs (DynamoDB itself makes a committed
        # transaction durable before it answers). Nothing is in flight here, so letting it settle
        # changes nothing the test is about: what the API answers while the store is down.
        time.sleep(SETTLE_SECONDS)
        dynamodb.process.kill()  # SIGKILL: no graceful shutdown
        dynamodb.process.wait(10)
        killed_at = time.monotonic()
        late: list[Outcome] = []
        runner = threading.Thread(
            target=lambda: late.extend(
                run_load(
                    config.api_url, during, clients=8, retry_unavailable=True, deadline_seconds=180
                )
            )
        )
        runner.start()
        time.sleep(OUTAGE_SECONDS)
        dynamodb = start_dynamodb_local(
            db_port, tmp_path / "db", log_path=tmp_path / "dynamodb.log"
        )
        services[0] = dynamodb
        outage = time.monotonic() - killed_at
        runner.join(240)
        assert not runner.is_alive()

        outcomes += late
        items = scan_payments(dynamodb.endpoint)
        stored = {item["paymentId"]["S"]: item for item in items}
        half_written = [item["paymentId"]["S"] for item in items if set(item) < ITEM_ATTRIBUTES]
        assert not half_written
        tally = account(plan, outcomes, stored, replay_after_retry=True)
        rejected = sum(o.retried_statuses.count(503) for o in outcomes)
        refused = sum(1 for o in outcomes for s in o.retried_statuses if s != 503)
        assert rejected > 0, "no request met the outage"
        print(
            f"\noutage ({profile.name}): DynamoDB Local down {outage:.1f} s; "
            f"{plan.requests} planned "
            f"requests; {rejected} answers 503 + Retry-After, {refused} transport errors, then "
            f"retried; {dict(sorted(tally.items()))}"
        )
        sample = [send.body for send in plan.originals.values()][:50]
        assert_no_secrets(
            gateway_log.read_text(encoding="utf-8", errors="replace"),
            [b["description"] for b in sample]
            + [u.access_token for u in users]
            + [u.email for u in users],
            "the outage run's gateway.log",
        )
    finally:
        for service in reversed(services):
            service.stop()
