"""A bounded load generator for the local stack: concurrent clients, duplicates and conflicts.

Every submission is planned up front (seeded), so the expected table content is known: each
original is stored once; a duplicate (an identical retry, sent in sequence or racing the original
from another client) answers 200 or, if it won the race, 201 with the original answering 200; a
conflicting reuse (same paymentId, another amount, sent after the original) answers 409. Clients
may retry a 503 or a transport error (bounded); nothing else is retried. Loopback only.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Caller:
    """A user's id (`sub`) and access token."""

    sub: str
    token: str


@dataclass(frozen=True)
class Send:
    """One request to send: a body, its kind (`original`, `duplicate`, `conflict`)."""

    body: dict[str, Any]
    caller: Caller
    kind: str


@dataclass
class Outcome:
    """What one planned request got, after its retries."""

    send: Send
    status: int | None = None
    attempts: int = 0
    retried_statuses: list[int | str] = field(default_factory=list)


@dataclass
class LoadPlan:
    """The jobs (each a sequence sent by one client, in order) and the originals by paymentId."""

    jobs: list[list[Send]]
    originals: dict[str, Send]

    @property
    def requests(self) -> int:
        """How many requests the plan sends (retries not counted)."""
        return sum(len(job) for job in self.jobs)


def plan_load(
    callers: list[Caller],
    submissions: int,
    *,
    duplicate_rate: float = 0.10,
    conflict_rate: float = 0.02,
    seed: int = 6,
) -> LoadPlan:
    """`submissions` originals spread over `callers`, plus the duplicates and conflicts."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    now = datetime.now(UTC)
    jobs: list[list[Send]] = []
    originals: dict[str, Send] = {}
    for index in range(submissions):
        caller = callers[index % len(callers)]
        moment = now - timedelta(minutes=rng.randrange(1, 60 * 24 * 300))
        body = {
            "paymentId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "userId": caller.sub,
            "timestamp": moment.isoformat(timespec="seconds"),
            "description": f"Load {rng.choice(['gym', 'rent', 'phone', 'streaming'])} {index}",
            "currency": rng.choice(["GBP", "EUR", "JPY", "KWD"]),
            "amount": str(rng.randrange(1, 99999)),
        }
        original = Send(body, caller, "original")
        originals[body["paymentId"]] = original
        roll = rng.random()
        if roll < duplicate_rate / 2:
            jobs.append([original, Send(dict(body), caller, "duplicate")])  # a client's retry
        elif roll < duplicate_rate:
            jobs.append([original])
            jobs.append([Send(dict(body), caller, "duplicate")])  # races it from another client
        elif roll < duplicate_rate + conflict_rate:
            jobs.append(
                [
                    original,
                    Send({**body, "amount": str(int(body["amount"]) + 1)}, caller, "conflict"),
                ]
            )
        else:
            jobs.append([original])
    rng.shuffle(jobs)
    return LoadPlan(jobs, originals)


def run_load(
    base_url: str,
    plan: LoadPlan,
    *,
    clients: int = 16,
    retry_unavailable: bool = False,
    max_attempts: int = 60,
    deadline_seconds: float = 600.0,
) -> list[Outcome]:
    """Send the plan with `clients` concurrent clients, retries and time bounded."""
    if urlsplit(base_url).hostname not in LOOPBACK_HOSTS:
        raise ValueError("the load generator only targets the loopback interface")
    deadline = time.monotonic() + deadline_seconds
    queue = list(reversed(plan.jobs))
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def next_job() -> list[Send] | None:
        with lock:
            return queue.pop() if queue else None

    def client_loop() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as http:
            while (job := next_job()) is not None:
                for send in job:
                    outcome = _send(http, send, retry_unavailable, max_attempts, deadline)
                    with lock:
                        outcomes.append(outcome)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client_loop) for _ in range(clients)]:
            future.result()
    return outcomes


def _send(
    http: httpx.Client, send: Send, retry_unavailable: bool, max_attempts: int, deadline: float
) -> Outcome:
    outcome = Outcome(send)
    headers = {"Authorization": f"Bearer {send.caller.token}"}
    while outcome.attempts < max_attempts and time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            response = http.post("/payments", json=send.body, headers=headers)
        except httpx.TransportError as error:
            outcome.retried_statuses.append(type(error).__name__)
            if not retry_unavailable:
                return outcome
            time.sleep(min(2.0, 0.05 * 2**outcome.attempts) * random.random())  # noqa: S311
            continue
        if response.status_code == 503 and retry_unavailable:
            outcome.retried_statuses.append(503)
            assert response.headers.get("retry-after"), "503 without Retry-After"
            assert response.headers["content-type"].startswith("application/problem+json")
            time.sleep(min(float(response.headers["retry-after"]), 2.0) * random.random())  # noqa: S311
            continue
        outcome.status = response.status_code
        return outcome
    return outcome


def account(
    plan: LoadPlan,
    outcomes: list[Outcome],
    stored: dict[str, dict[str, Any]],
    *,
    replay_after_retry: bool = False,
) -> Counter[str]:
    """Check every answer against the plan and the table; the tally, or AssertionError.

    With `replay_after_retry`, a payment may have no 201 if one of its requests was retried after
    a 503 or a transport error: the write landed, the answer was lost, the retry replayed it (200).
    """
    tally: Counter[str] = Counter()
    created: Counter[str] = Counter()
    for outcome in outcomes:
        body, kind, status = outcome.send.body, outcome.send.kind, outcome.status
        tally[f"{kind} {status}"] += 1
        tally["retries"] += outcome.attempts - 1
        if status == 201:
            created[body["paymentId"]] += 1
        if kind == "conflict":
            assert status == 409, f"conflicting reuse answered {status}"
        else:
            assert status in {200, 201}, f"{kind} answered {status} after {outcome.attempts} tries"
    doubled = [payment_id for payment_id, count in created.items() if count > 1]
    assert not doubled, f"{len(doubled)} payments created twice"
    retried = {o.send.body["paymentId"] for o in outcomes if o.attempts > 1}
    uncreated = set(plan.originals) - set(created) - (retried if replay_after_retry else set())
    assert not uncreated, f"{len(uncreated)} planned payments got no 201"
    assert set(created) <= set(plan.originals), "an unplanned payment was created"
    tally["replayed after a retry"] = len(set(plan.originals) - set(created))
    lost, extra = set(plan.originals) - set(stored), set(stored) - set(plan.originals)
    assert (len(lost), len(extra)) == (0, 0), f"table: {len(lost)} lost, {len(extra)} extra"
    for payment_id, item in stored.items():
        original = plan.originals[payment_id].body
        assert item["userId"]["S"] == original["userId"]
        assert item["description"]["S"] == original["description"]
        assert item["currency"]["S"] == original["currency"]
        assert item["timestamp"]["S"] == original["timestamp"]
    tally["stored"] = len(stored)
    return tally
