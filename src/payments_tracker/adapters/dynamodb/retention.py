"""Raising stored payments' TTL to the current retention rule (`admin backfill-retention`).

A payment's `expiresAt` is set when it is stored, from `RETENTION_MONTHS` as it was then (25, then
26, now 27 months after the start of its month): payments stored by an earlier version would
expire before the report reads them (docs/reports.md §4). This scans the table's payment items
(keys, month and TTL only, a bounded page at a time) and raises each TTL that is below the rule,
with a conditional update that never lowers one and never recreates an item deleted meanwhile (an
erasure, the TTL sweeper). Nothing about a payment is logged or returned but counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from payments_tracker.adapters.dynamodb.calls import conditional, storage_errors
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import RETENTION_MONTHS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PK, _SK, _TTL = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key, PAYMENTS_TABLE.ttl_attribute
_PAYMENT_PREFIX = "PAYMENT#"
"""The sort key's prefix of a payment item (keys.payment_key)."""
SCAN_PAGE_SIZE = 500
"""Items a Scan page examines (its `Limit`): one page in memory at a time."""


@dataclass(frozen=True)
class BackfillOutcome:
    """What a backfill found and did (counts only)."""

    scanned: int
    """Items the scan examined, payments or not."""
    payments: int
    """Payment items among them."""
    raised: int
    """Payments whose TTL was raised (with `dry_run`: would be)."""
    already_right: int
    """Payments whose TTL is at or above the rule (or that changed under the update)."""
    past_retention: int
    """Payments below the rule whose month is past even the current rule: left to the sweeper."""
    dry_run: bool

    def document(self) -> dict[str, Any]:
        """The outcome as the CLI prints it."""
        return {
            "scanned": self.scanned,
            "payments": self.payments,
            "raised": self.raised,
            "alreadyRight": self.already_right,
            "pastRetention": self.past_retention,
            "dryRun": self.dry_run,
        }


def retention_expiry(month: Month) -> int:
    """The TTL (epoch seconds) the rule gives a payment of `month` (as `Payment.expires_at`)."""
    return int(month.plus(RETENTION_MONTHS).start_utc().timestamp())


def backfill_retention(
    client: DynamoDBClient,
    table_name: str,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    page_size: int = SCAN_PAGE_SIZE,
) -> BackfillOutcome:
    """Raise every stored payment's `expiresAt` that is below `retention_expiry` of its month.

    A payment whose rule-given expiry is at or before `now` (by default, the clock) is past
    retention either way and is not written. With `dry_run`, nothing is written: `raised` counts
    what would be.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    moment = int((now or datetime.now(UTC)).timestamp())
    scanned = payments = raised = right = past = 0
    for page_scanned, items in _payment_pages(client, table_name, page_size):
        scanned += page_scanned
        for item in items:
            payments += 1
            month = Month.parse(item.get("month", {}).get("S", ""))
            stored = item.get(_TTL, {}).get("N")
            if month is None or stored is None:
                # Never stored so (every payment has both): left alone, the backfill only raises.
                right += 1
                continue
            target = retention_expiry(month)
            if int(stored) >= target:
                right += 1
            elif target <= moment:
                past += 1
            elif dry_run or raise_expiry(client, table_name, item, target):
                raised += 1
            else:
                right += 1  # deleted meanwhile, or raised by another run
    return BackfillOutcome(scanned, payments, raised, right, past, dry_run)


def raise_expiry(client: DynamoDBClient, table_name: str, key: dict[str, Any], target: int) -> bool:
    """Set the item's TTL to `target` if it still exists and its TTL is lower; whether it did.

    The condition never lowers a TTL and never creates an item: an UpdateItem on a missing key
    would otherwise write a new one holding only the key and the TTL.
    """
    return conditional(
        client.update_item,
        TableName=table_name,
        Key={_PK: key[_PK], _SK: key[_SK]},
        UpdateExpression="SET #ttl = :target",
        ConditionExpression="attribute_exists(#pk) AND #ttl < :target",
        ExpressionAttributeNames={"#ttl": _TTL, "#pk": _PK},
        ExpressionAttributeValues={":target": {"N": str(target)}},
    )


def _payment_pages(
    client: DynamoDBClient, table_name: str, page_size: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Each Scan page: how many items it examined, and the payment items among them (keys, month
    and TTL only)."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "#type = :payment AND begins_with(#sk, :prefix)",
        "ProjectionExpression": "#pk, #sk, #month, #ttl",
        "ExpressionAttributeNames": {
            "#type": "type",
            "#pk": _PK,
            "#sk": _SK,
            "#month": "month",
            "#ttl": _TTL,
        },
        "ExpressionAttributeValues": {
            ":payment": {"S": "payment"},
            ":prefix": {"S": _PAYMENT_PREFIX},
        },
        "Limit": page_size,
    }
    while True:
        with storage_errors():
            page = client.scan(**request)
        yield page.get("ScannedCount", 0), page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last
