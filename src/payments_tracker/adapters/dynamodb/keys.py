"""The keys of the `payments` table's items (docs/design.md §4), shared by every DynamoDB adapter.

Plain strings, no boto3 and no report engine: the api Lambda imports them as cheaply as the report
Lambda does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID

    from payments_tracker.domain.months import Month


def user_key(user_id: UUID) -> str:
    """The partition key of everything that belongs to one user."""
    return f"USER#{user_id}"


def payment_key(payment_id: UUID) -> str:
    """The sort key of a payment item."""
    return f"PAYMENT#{payment_id}"


def report_key(month: Month) -> str:
    """The sort key of a customer's report of `month`."""
    return f"REPORT#{month}"


def run_key(month: Month) -> str:
    """The partition key of a month's report run records."""
    return f"RUN#{month}"


RUN_RECORD_KEY = "RUN"
"""The sort key of a month's current run."""


def month_shard_key(month: Month, shard: int) -> str:
    """The `byMonth` partition key of one shard of a month: `MONTH#<month>#<nn>`."""
    return f"MONTH#{month}#{shard:02d}"
