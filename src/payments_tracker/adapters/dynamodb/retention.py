"""Raising stored payments' TTL to the current retention rule (`admin backfill-retention`).

A payment's `expiresAt` is set when it is stored, from `RETENTION_MONTHS` as it was then (25, then
26, now 27 months after the start of its month): payments stored by an earlier version would
expire before the report reads them (docs/reports.md §4). This scans the table's payment items
(keys, month and TTL only) and raises each TTL that is below the rule, with a conditional update
that never lowers one and never recreates an item deleted meanwhile (an erasure, the TTL sweeper).
Nothing about a payment is logged or returned but counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from payments_tracker.adapters.dynamodb.calls import CONDITION_FAILED, error_code, storage_errors
from payments_tracker.adapters.dynamodb.table import PAYMENTS_TABLE
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import RETENTION_MONTHS

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_PK, _SK, _TTL = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key, PAYMENTS_TABLE.ttl_attribute
SCAN_PAGE_SIZE = 1000


@dataclass(frozen=True)
class BackfillOutcome:
    """What a backfill found and did (counts only)."""

    payments: int
    raised: int
    already_right: int
    dry_run: bool

    def document(self) -> dict[str, Any]:
        return {
            "payments": self.payments,
            "raised": self.raised,
            "alreadyRight": self.already_right,
            "dryRun": self.dry_run,
        }


def retention_expiry(month: Month) -> int:
    """The TTL (epoch seconds) the current rule gives a payment of `month`."""
    return int(month.plus(RETENTION_MONTHS).start_utc().timestamp())


def backfill_retention(
    client: DynamoDBClient, table: str, *, dry_run: bool = False
) -> BackfillOutcome:
    """Raise every stored payment's `expiresAt` that is below `retention_expiry` of its month."""
    payments = raised = right = 0
    for item in _payment_items(client, table):
        payments += 1
        month = Month.parse(item["month"]["S"])
        if month is None:  # never stored so: counted, left alone
            right += 1
            continue
        target = retention_expiry(month)
        stored = int(item[_TTL]["N"]) if _TTL in item else None
        if stored is not None and stored >= target:
            right += 1
        elif dry_run or raise_expiry(client, table, item, target):
            raised += 1
        else:
            right += 1
    return BackfillOutcome(payments, raised, right, dry_run)


def raise_expiry(client: DynamoDBClient, table: str, key: dict[str, Any], target: int) -> bool:
    """Set the item's TTL to `target` if it still exists and its TTL is lower; whether it did."""
    with storage_errors():
        try:
            client.update_item(
                TableName=table,
                Key={_PK: key[_PK], _SK: key[_SK]},
                UpdateExpression="SET #ttl = :target",
                ConditionExpression=(
                    "attribute_exists(#pk) AND (attribute_not_exists(#ttl) OR #ttl < :target)"
                ),
                ExpressionAttributeNames={"#ttl": _TTL, "#pk": _PK},
                ExpressionAttributeValues={":target": {"N": str(target)}},
            )
        except ClientError as error:
            if error_code(error) == CONDITION_FAILED:
                return False  # deleted meanwhile, or raised by another run
            raise
    return True


def _payment_items(client: DynamoDBClient, table: str) -> Iterator[dict[str, Any]]:
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "#type = :payment",
        "ProjectionExpression": "#pk, #sk, #month, #ttl",
        "ExpressionAttributeNames": {
            "#type": "type",
            "#pk": _PK,
            "#sk": _SK,
            "#month": "month",
            "#ttl": _TTL,
        },
        "ExpressionAttributeValues": {":payment": {"S": "payment"}},
        "Limit": SCAN_PAGE_SIZE,
    }
    while True:
        with storage_errors():
            page = client.scan(**request)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last
