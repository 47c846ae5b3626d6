"""Local end to end: submissions/s through gateway + authorizer + api + DynamoDB Local, at 16
concurrent clients, as a ratio to raw boto3 `PutItem` on the same DynamoDB Local in the same run.

Starts its own DynamoDB Local (in memory), cognito-local and local gateway on free 127.0.0.1
ports, one user (and token) per client; then alternates phases — raw, end to end, raw, end to end —
each bounded in time, so both see the same machine. The raw phase writes the very item the api
writes (`to_item`, with the same condition). Afterwards every accepted submission is counted in
the table: each must be stored exactly once.

    python -m bench.end_to_end --clients 16 --seconds 10 --rounds 2 [--workers N] [--json f]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tests.support.local_stack import (
    config_of,
    throwaway_cognito,
    throwaway_dynamodb,
    throwaway_gateway,
)

from bench.common import machine, markdown_table, write_summary
from payments_tracker.adapters.dynamodb.repository import to_item
from payments_tracker.domain.payment import Payment, validate_submission
from payments_tracker.local.bootstrap import (
    TABLE_NAME,
    cognito_client,
    dynamodb_client,
)
from payments_tracker.local.config import LocalConfig
from payments_tracker.local.services import (
    free_port,
)

CURSOR_KEY = "bench-cursor-key-" + "0" * 32
REQUEST_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Stack:
    """The services of one run and one (sub, access token) per client."""

    config: LocalConfig
    users: list[tuple[str, str]]


def _body(sub: str) -> dict[str, str]:
    # Spread over the 24-month window: one customer may store 100 payments a month, and each
    # client here submits a few hundred in a run (random.randrange: a workload, not a secret).
    back = timedelta(hours=1 + random.randrange(24 * 700))
    paid_at = (datetime.now(UTC) - back).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "paymentId": str(uuid.uuid4()),
        "userId": sub,
        "timestamp": paid_at,
        "description": "Gym membership",
        "currency": "GBP",
        "amount": "29.99",
    }


def _create_user(config: LocalConfig) -> tuple[str, str]:
    client = cognito_client(config.cognito.endpoint, config.region)
    email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", f"Pw-{uuid.uuid4().hex}"
    signed_up = client.sign_up(
        ClientId=config.cognito.client_id,
        Username=email,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    client.admin_confirm_sign_up(UserPoolId=config.cognito.user_pool_id, Username=email)
    tokens = client.initiate_auth(
        ClientId=config.cognito.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return signed_up["UserSub"], tokens["AccessToken"]


@contextmanager
def local_stack(clients: int, workers: int, state: Path) -> Iterator[Stack]:
    """DynamoDB Local, cognito-local and the gateway on free loopback ports (the tests' way:
    tests/support/local_stack.py); stopped on exit."""
    with (
        throwaway_dynamodb(state) as dynamodb,
        throwaway_cognito(state / "cognito", state) as cognito,
    ):
        config = config_of(dynamodb, cognito, free_port())
        with throwaway_gateway(config, CURSOR_KEY, workers, state / "gateway.log"):
            yield Stack(config, [_create_user(config) for _ in range(clients)])


def _run_clients(
    clients: int, seconds: float, make_worker: Callable[[int], Callable[[], str]]
) -> tuple[Counter[str], float]:
    """Each client calls its worker in a loop until the deadline; outcomes counted."""
    workers = [make_worker(index) for index in range(clients)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def loop(worker: Callable[[], str]) -> None:
        local: Counter[str] = Counter()
        start.wait()
        while time.monotonic() < deadline[0]:
            local[worker()] += 1
        with lock:
            outcomes.update(local)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(loop, worker) for worker in workers]
        deadline[0] = time.monotonic() + seconds
        started = time.monotonic()
        start.wait()
        for future in futures:
            future.result()
        elapsed = time.monotonic() - started
    return outcomes, elapsed


def raw_put_items(stack: Stack, clients: int, seconds: float) -> tuple[Counter[str], float]:
    """Conditional PutItem of the api's own item, straight from boto3, one client per thread."""
    endpoint = stack.config.dynamodb.endpoint
    boto_clients = [dynamodb_client(endpoint) for _ in range(clients)]
    now = datetime.now(UTC)

    def make_worker(index: int) -> Callable[[], str]:
        client, owner = boto_clients[index], str(uuid.uuid4())

        def put() -> str:
            payment = Payment(validate_submission(_body(owner), now), received_at=now)
            client.put_item(
                TableName=TABLE_NAME,
                Item=to_item(payment),
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": "PK"},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return "stored"

        return put

    return _run_clients(clients, seconds, make_worker)


def submissions(stack: Stack, clients: int, seconds: float) -> tuple[Counter[str], float]:
    """`POST /payments` over HTTP through the local gateway, each client as its own user."""
    url = f"{stack.config.api_url}/payments"
    sessions = [httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS) for _ in range(clients)]

    def make_worker(index: int) -> Callable[[], str]:
        session, (sub, token) = sessions[index], stack.users[index]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def submit() -> str:
            answer = session.post(url, content=json.dumps(_body(sub)), headers=headers)
            return str(answer.status_code)

        return submit

    try:
        return _run_clients(clients, seconds, make_worker)
    finally:
        for session in sessions:
            session.close()


def stored_payments(stack: Stack, sub: str) -> int:
    """How many payment items the user has in the table."""
    client = dynamodb_client(stack.config.dynamodb.endpoint)
    count, start = 0, None
    while True:
        extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        page = client.query(
            TableName=TABLE_NAME,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :payment)",
            ExpressionAttributeValues={":pk": {"S": f"USER#{sub}"}, ":payment": {"S": "PAYMENT#"}},
            Select="COUNT",
            **extra,
        )
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return count


def measure(clients: int, seconds: float, rounds: int, workers: int) -> dict[str, Any]:
    """Alternate raw and end-to-end phases; rates, ratio, and the exactly-once check."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-e2e-") as state,
        local_stack(clients, workers, Path(state)) as stack,
    ):
        submissions(stack, clients, min(2.0, seconds))  # warm: JWKS, worker imports, JIT
        raw_put_items(stack, clients, min(2.0, seconds))
        before = {sub: stored_payments(stack, sub) for sub, _ in stack.users}
        totals: dict[str, Any] = {"raw": Counter(), "e2e": Counter(), "raw_s": 0.0, "e2e_s": 0.0}
        for _ in range(rounds):
            for phase, run in (("raw", raw_put_items), ("e2e", submissions)):
                outcomes, elapsed = run(stack, clients, seconds)
                totals[phase].update(outcomes)
                totals[f"{phase}_s"] += elapsed
        stored = sum(stored_payments(stack, sub) - before[sub] for sub, _ in stack.users)
    accepted = totals["e2e"]["201"]
    raw_rate = totals["raw"]["stored"] / totals["raw_s"]
    e2e_rate = accepted / totals["e2e_s"]
    return {
        "clients": clients,
        "gateway_workers": workers,
        "seconds_per_phase": seconds,
        "rounds": rounds,
        "raw_put_items": totals["raw"]["stored"],
        "raw_per_s": round(raw_rate, 1),
        "submissions_201": accepted,
        "e2e_outcomes": dict(totals["e2e"]),
        "e2e_per_s": round(e2e_rate, 1),
        "ratio": round(e2e_rate / raw_rate, 2),
        "stored": stored,
        "exactly_once": stored == accepted and set(totals["e2e"]) == {"201"},
    }


def table(summary: dict[str, Any]) -> str:
    """Markdown: both rates, the ratio, and the exactly-once check."""
    rows = [
        [
            "raw boto3 conditional `PutItem`",
            summary["raw_put_items"],
            summary["raw_per_s"],
            "1.0",
        ],
        [
            f"`POST /payments` via gateway + authorizer + api ({summary['gateway_workers']}"
            " workers)",
            summary["submissions_201"],
            summary["e2e_per_s"],
            summary["ratio"],
        ],
    ]
    header = ["path", "writes", "per second", "ratio to raw"]
    check = (
        f"Every 201 stored exactly once: {'yes' if summary['exactly_once'] else 'NO'} "
        f"({summary['submissions_201']} answered 201, {summary['stored']} items in the table; "
        f"outcomes {summary['e2e_outcomes']})."
    )
    return markdown_table(header, rows) + "\n\n" + check


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", help="write the summary here")
    args = parser.parse_args(argv)
    summary = measure(args.clients, args.seconds, args.rounds, args.workers)
    summary["machine"] = machine()
    print(table(summary))
    write_summary(args.json, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
