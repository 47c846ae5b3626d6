"""What the reliability tests share: submissions, table scans, gateway log lines, secrets kept out
of text."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from payments_tracker.local.bootstrap import TABLE_NAME, dynamodb_client

_LOG_LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) \d+ms "
    r"requestId=(?P<request_id>[0-9a-f-]{36}) integration=(?P<integration>\S+)$"
)


def submission(user_sub: str, **overrides: Any) -> dict[str, Any]:
    """A valid submission of this user (a fresh paymentId), with `overrides` on top."""
    body: dict[str, Any] = {
        "paymentId": str(uuid.uuid4()),
        "userId": user_sub,
        "timestamp": (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds"),
        "description": "Gym membership",
        "currency": "GBP",
        "amount": "29.99",
    }
    body.update(overrides)
    return body


def scan_payments(endpoint: str, user_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every payment item of the table (of these users only, if given), read with a full Scan."""
    client = dynamodb_client(endpoint)
    wanted = {f"USER#{user_id}" for user_id in user_ids} if user_ids is not None else None
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": TABLE_NAME, "ConsistentRead": True}
    while True:
        page = client.scan(**request)
        for item in page.get("Items", []):
            if not item["SK"]["S"].startswith("PAYMENT#"):
                continue
            if wanted is None or item["PK"]["S"] in wanted:
                items.append(item)
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def gateway_log_integrations(log_path: Path, settle_seconds: float = 0.3) -> dict[str, str]:
    """`integration` of each request in a gateway log by request id (`api`, or `-` if none ran)."""
    time.sleep(settle_seconds)  # the gateway's log lines are written as each request finishes
    found: dict[str, str] = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LOG_LINE.match(line)
        if match:
            found[match["request_id"]] = match["integration"]
    return found


def assert_no_secrets(text: str, secrets: Iterable[str], where: str) -> None:
    """None of `secrets` (descriptions, amounts, tokens, e-mails) appears in `text`."""
    leaked = [secret[:12] + "…" for secret in secrets if secret and secret in text]
    assert not leaked, f"{where} holds {len(leaked)} secret value(s) starting {leaked}"
