"""Payments for report tests, written the way the rules talk about them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from payments_tracker.domain.money import Money
from payments_tracker.domain.payment import Payment, Submission
from payments_tracker.domain.sharding import shard_of
from payments_tracker.domain.timestamps import Timestamp, parse_timestamp

CUTOFF = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def paid(
    user_id: UUID,
    description: str,
    timestamp: str,
    amount: str = "9.99",
    currency: str = "GBP",
    *,
    payment_id: UUID | None = None,
    received_at: datetime | None = None,
    voided_at: datetime | None = None,
) -> Payment:
    """A payment of `user_id` at `timestamp` (RFC 3339, as a customer submits it)."""
    moment = parse_timestamp(timestamp)
    submission = Submission(
        payment_id=payment_id or uuid.uuid4(),
        user_id=user_id,
        timestamp=Timestamp(timestamp, moment),
        description=description,
        money=Money.of(Decimal(amount), currency),
    )
    payment = Payment(submission, received_at or moment.astimezone(UTC) + timedelta(minutes=1))
    if voided_at is not None:
        payment = payment.voided(by=str(user_id), at=voided_at)
    return payment


def monthly(
    user_id: UUID, description: str, months: list[str], amount: str = "9.99", currency: str = "GBP"
) -> list[Payment]:
    """One payment on the 15th at noon UTC of each `YYYY-MM` in `months`."""
    return [paid(user_id, description, f"{m}-15T12:00:00Z", amount, currency) for m in months]


def users_in_shard(count: int, shard: int) -> list[UUID]:
    """`count` new user ids whose shard is `shard`, in the index's order (their text)."""
    users: list[UUID] = []
    while len(users) < count:
        candidate = uuid.uuid4()
        if shard_of(candidate) == shard:
            users.append(candidate)
    return sorted(users, key=str)
