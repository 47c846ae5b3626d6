"""The customer's corrections to their commitments on DynamoDB: one item per correction, kept.

Item `USER#<id>` / `CORRECTION#<at>#<commitmentId>` (`<at>` a fixed-width UTC instant, so the
sort key orders them by time). Each is also in the `byMonth` index under `CORRECTIONS#<nn>` (the
customer's report shard) with sort key `<userId>#<at>#<commitmentId>`: the monthly build reads a
shard's corrections as one more user-sorted stream beside its payments, with no query per
customer. A correction is written in one TransactWriteItems with the customer item, which counts
the customer's corrections (at most CORRECTION_LIMIT) and carries the erasure fence; the erasure
deletes them with every other item of the customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from payments_tracker.adapters.dynamodb.calls import query_pages, storage_errors
from payments_tracker.adapters.dynamodb.customer import CONDITION_FAILED, take_slot, transact
from payments_tracker.adapters.dynamodb.keys import user_key
from payments_tracker.adapters.dynamodb.table import BY_MONTH, PAYMENTS_TABLE
from payments_tracker.domain.corrections import CORRECTION_LIMIT, Correction
from payments_tracker.domain.errors import CorrectionLimitReached
from payments_tracker.domain.sharding import shard_of
from payments_tracker.domain.timestamps import parse_utc_text, utc_text
from payments_tracker.service.ports import CustomerErased, StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Item = dict[str, Any]

_PK, _SK = PAYMENTS_TABLE.partition_key, PAYMENTS_TABLE.sort_key
PREFIX = "CORRECTION#"
COUNTER = "corrections"
"""The customer item's count of the customer's corrections."""
QUERY_PAGE_SIZE = 500
_KEY_ATTEMPTS = 5
"""Writes of one correction whose key another took in the same microsecond, at most."""
_ONE_TICK = timedelta(microseconds=1)


def shard_key(shard: int) -> str:
    """The `byMonth` partition key of one shard's corrections."""
    return f"CORRECTIONS#{shard:02d}"


def to_item(correction: Correction) -> Item:
    """The item of a correction."""
    at = utc_text(correction.at)
    item: Item = {
        _PK: {"S": user_key(correction.user_id)},
        _SK: {"S": f"{PREFIX}{at}#{correction.commitment_id}"},
        BY_MONTH.partition_key: {"S": shard_key(shard_of(correction.user_id))},
        BY_MONTH.sort_key: {"S": f"{correction.user_id}#{at}#{correction.commitment_id}"},
        "type": {"S": "commitment-correction"},
        "userId": {"S": str(correction.user_id)},
        "commitmentId": {"S": str(correction.commitment_id)},
        "at": {"S": at},
    }
    if correction.name is not None:
        item["name"] = {"S": correction.name}
    if correction.excluded is not None:
        item["excluded"] = {"BOOL": correction.excluded}
    if correction.into is not None:
        item["into"] = {"S": str(correction.into)}
    if correction.amount is not None:
        item["amount"] = {"S": str(correction.amount)}
    if correction.into_amount is not None:
        item["intoAmount"] = {"S": str(correction.into_amount)}
    return item


def from_item(item: Item) -> Correction:
    """The correction of an item."""
    return Correction(
        user_id=UUID(item["userId"]["S"]),
        commitment_id=UUID(item["commitmentId"]["S"]),
        at=parse_utc_text(item["at"]["S"]),
        name=item["name"]["S"] if "name" in item else None,
        excluded=item["excluded"]["BOOL"] if "excluded" in item else None,
        into=UUID(item["into"]["S"]) if "into" in item else None,
        amount=Decimal(item["amount"]["S"]) if "amount" in item else None,
        into_amount=Decimal(item["intoAmount"]["S"]) if "intoAmount" in item else None,
    )


class DynamoDBCorrections:
    """CorrectionStore on the `payments` table."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def of_user(self, user_id: UUID) -> list[Correction]:
        """Every correction of the customer, oldest first (one query, paginated)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": _PK, "#sk": _SK},
            "ExpressionAttributeValues": {
                ":pk": {"S": user_key(user_id)},
                ":prefix": {"S": PREFIX},
            },
            "ConsistentRead": True,
        }
        return [from_item(item) for item in query_pages(self._client, request)]

    def record(self, correction: Correction) -> None:
        """Store `correction` with the customer's count, unless erased (CustomerErased) or at
        the limit (CorrectionLimitReached). Never over another: the service dates each
        correction after the customer's latest it read, but two requests at once may read the
        same latest; the later writer finds the key taken and takes the next microsecond."""
        for _ in range(_KEY_ATTEMPTS):
            count = take_slot(self._table, correction.user_id, COUNTER, CORRECTION_LIMIT)
            put: dict[str, Any] = {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(correction),
                    "ConditionExpression": "attribute_not_exists(#sk)",
                    "ExpressionAttributeNames": {"#sk": _SK},
                }
            }
            reasons = transact(self._client, [count, cast("TransactWriteItemTypeDef", put)])
            if reasons is None:
                return
            if reasons[0].erased:
                raise CustomerErased
            if reasons[0].code == CONDITION_FAILED:
                raise CorrectionLimitReached(CORRECTION_LIMIT)
            if self._stored(put["Put"]["Item"]):
                return  # our own write, committed by an attempt whose answer was lost
            correction = replace(correction, at=correction.at + _ONE_TICK)
        raise StorageUnavailable(CONDITION_FAILED)

    def _stored(self, item: Item) -> bool:
        """Whether exactly this item is stored under its key."""
        with storage_errors():
            stored = self._client.get_item(
                TableName=self._table,
                Key={_PK: item[_PK], _SK: item[_SK]},
                ConsistentRead=True,
            ).get("Item")
        return stored == item


def shard_corrections(client: DynamoDBClient, table: str, shard: int) -> Iterator[Correction]:
    """The shard's corrections in index order (user id text, then time), lazily."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": BY_MONTH.name,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": BY_MONTH.partition_key},
        "ExpressionAttributeValues": {":pk": {"S": shard_key(shard)}},
        "ScanIndexForward": True,
        "Limit": QUERY_PAGE_SIZE,
    }
    for item in query_pages(client, request):
        yield from_item(item)
